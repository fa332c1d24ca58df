// RUN: ccrnn-opt %s --split-input-file --verify-diagnostics
// One case per diagnostic of the ccrnnrt verifiers.

// expected-error @below {{'ccrnnrt.slice' op needs the module's ccrnn.memory_plan (the arena)}}
%s = ccrnnrt.slice 0 : memref<4xf32>

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  // expected-error @below {{'ccrnnrt.slice' op ends at float 20, beyond the arena of 16}}
  %s = ccrnnrt.slice 16 : memref<4xf32>
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  %s = ccrnnrt.slice 0 : memref<4xf32>
  // expected-error @below {{'ccrnnrt.view' op views 4 elements as 6}}
  %v = ccrnnrt.view %s : memref<4xf32> to memref<2x3xf32>
}

// -----

func.func @copy(%a: memref<4xf32>, %b: memref<5xf32>) {
  // expected-error @below {{'ccrnnrt.copy' op copies 4 elements into 5}}
  ccrnnrt.copy %a into %b : memref<4xf32>, memref<5xf32>
  return
}

// -----

func.func @no_kernels(%a: memref<2x2xf32>) {
  // expected-error @below {{'ccrnnrt.matmul' op names kernel object 0, but the module has 0 (ccrnn.kernels)}}
  ccrnnrt.matmul %a, %a into %a kernel 0 : memref<2x2xf32>, memref<2x2xf32> into memref<2x2xf32>
  return
}

// -----

module attributes {ccrnn.kernels = [#ccrnn.window_kernel<cell = lstm, batch = 2, steps = 1, input = 2, hidden = 2>]} {
  func.func @window_kernel(%a: memref<2x2xf32>) {
    // expected-error @below {{'ccrnnrt.matmul' op names kernel object 0, which is not a matrix product's: #ccrnn.window_kernel}}
    ccrnnrt.matmul %a, %a into %a kernel 0 : memref<2x2xf32>, memref<2x2xf32> into memref<2x2xf32>
    return
  }
}

// -----

module attributes {ccrnn.kernels = [#ccrnn.matmul_kernel<m = 2, n = 2, k = 2, transposeLhs = false, transposeRhs = false, bias = true, relu = false, accumulate = false>]} {
  func.func @no_bias(%a: memref<2x2xf32>) {
    // expected-error @below {{'ccrnnrt.matmul' op needs a bias: its kernel object adds one}}
    ccrnnrt.matmul %a, %a into %a kernel 0 : memref<2x2xf32>, memref<2x2xf32> into memref<2x2xf32>
    return
  }
}

// -----

module attributes {ccrnn.kernels = [#ccrnn.matmul_kernel<m = 2, n = 2, k = 2, transposeLhs = false, transposeRhs = false, bias = false, relu = false, accumulate = false>]} {
  func.func @bias(%a: memref<2x2xf32>, %b: memref<2xf32>) {
    // expected-error @below {{'ccrnnrt.matmul' op has a bias its kernel object does not add}}
    ccrnnrt.matmul %a, %a bias %b into %a kernel 0 : memref<2x2xf32>, memref<2x2xf32>, memref<2xf32> into memref<2x2xf32>
    return
  }
}

// -----

module attributes {ccrnn.kernels = [#ccrnn.matmul_kernel<m = 2, n = 2, k = 2, transposeLhs = false, transposeRhs = false, bias = false, relu = false, accumulate = false>]} {
  func.func @size(%a: memref<2x2xf32>, %c: memref<2x3xf32>) {
    // expected-error @below {{'ccrnnrt.matmul' op writes 6 elements; its kernel object computes 2 x 2}}
    ccrnnrt.matmul %a, %a into %c kernel 0 : memref<2x2xf32>, memref<2x2xf32> into memref<2x3xf32>
    return
  }
}

// -----

module attributes {ccrnn.kernels = [#ccrnn.matmul_kernel<m = 2, n = 2, k = 2, transposeLhs = false, transposeRhs = false, bias = false, relu = false, accumulate = false>]} {
  func.func @window(%a: memref<2x2xf32>) {
    // expected-error @below {{'ccrnnrt.window_forward' op names kernel object 0, which is not a recurrent window's}}
    ccrnnrt.window_forward(%a) into (%a) kernel 0 : memref<2x2xf32> into memref<2x2xf32>
    return
  }
}

// -----

module attributes {ccrnn.kernels = []} {
  func.func @window_backward(%a: memref<2x2xf32>) {
    // expected-error @below {{'ccrnnrt.window_backward' op names kernel object 3, but the module has 0 (ccrnn.kernels)}}
    ccrnnrt.window_backward(%a) into (%a) kernel 3 : memref<2x2xf32> into memref<2x2xf32>
    return
  }
}

// -----

// expected-error @below {{'func.func' op argument 0: 'ccrnnrt.caller_result' must be the index of one of the function's results}}
func.func @caller_index(%a: memref<2xf32> {ccrnnrt.caller_result = 1 : i64}) -> memref<2xf32> {
  return %a : memref<2xf32>
}

// -----

// expected-error @below {{'func.func' op argument 0: the caller's array for result 0 must be a buffer of its type 'memref<2xf32>', not 'memref<3xf32>'}}
func.func @caller_type(%a: memref<3xf32> {ccrnnrt.caller_result = 0 : i64}, %b: memref<2xf32>) -> memref<2xf32> {
  return %b : memref<2xf32>
}

// -----

// expected-error @below {{'func.func' op argument 0: unknown ccrnnrt attribute 'ccrnnrt.other'}}
func.func @unknown_arg(%a: memref<2xf32> {ccrnnrt.other}) {
  return
}

// -----

// expected-error @below {{'builtin.module' op 'ccrnnrt.networks' must be on a module, an integer of at least 2 (the networks of an ensemble)}}
module attributes {ccrnnrt.networks = 1 : i64} {
}

// -----

// expected-error @below {{'builtin.module' op unknown ccrnnrt attribute 'ccrnnrt.other'}}
module attributes {ccrnnrt.other} {
}
