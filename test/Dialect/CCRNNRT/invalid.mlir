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
  // An int64 takes two floats.
  // expected-error @below {{'ccrnnrt.slice' op ends at float 18, beyond the arena of 16}}
  %s = ccrnnrt.slice 2 : memref<8xi64>
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  // expected-error @below {{'ccrnnrt.slice' op fills int64 elements, which only a float slice may}}
  %s = ccrnnrt.slice 0 fill 1.0 : memref<2xi64>
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

// -----

// Entry points: the C ABI's arrays as each function has them.
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  ccrnnrt.entry_point record {
    ccrnnrt.entry_return
  }
  // expected-error @below {{'ccrnnrt.entry_point' op is the module's second record entry point}}
  ccrnnrt.entry_point record {
    ccrnnrt.entry_return
  }
}

// -----

ccrnnrt.entry_point train {
  // expected-error @below {{'ccrnnrt.entry_return' op must return the loss: a train entry point returns one}}
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  %l = ccrnnrt.caller_array inputs : memref<f32>
  // expected-error @below {{'ccrnnrt.entry_return' op returns a loss, which a record entry point does not return}}
  ccrnnrt.entry_return %l : memref<f32>
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op reads the caller's 'losses', which an entry point writes (ccrnnrt.to_caller)}}
  %l = ccrnnrt.caller_array losses : memref<f32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op names the caller's 'grads', which the record entry point has not}}
  %g = ccrnnrt.caller_array grads[0] : memref<2xf32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op needs the index of the caller's 'params' array it names}}
  %w = ccrnnrt.caller_array params : memref<2xf32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op has an index, which the caller's 'inputs' does not take}}
  %x = ccrnnrt.caller_array inputs[1] : memref<2xf32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op needs the offset into a network's state or statistics of the caller's 'initial_state' piece it names}}
  %h = ccrnnrt.caller_array initial_state or 0.0 : memref<2xf32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op has an offset, which the caller's 'inputs' does not take}}
  %x = ccrnnrt.caller_array inputs offset 2 : memref<2xf32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op needs the value of the caller's 'fibre_mask' where the caller gives none (`or`)}}
  %m = ccrnnrt.caller_array fibre_mask : memref<2x2xf32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op has a value for an absent 'inputs', which the caller always gives}}
  %x = ccrnnrt.caller_array inputs or 1.0 : memref<2xf32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point record {
  // expected-error @below {{'ccrnnrt.caller_array' op reads the caller's 'initial_state' as labels; only inputs and targets may be}}
  %x = ccrnnrt.caller_array initial_state offset 0 or 0.0 : memref<2xi64>
  ccrnnrt.entry_return
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = 16, staging = 64>} {
  ccrnnrt.entry_point train {
    // expected-error @below {{'ccrnnrt.caller_array' op stages the caller's 'grads', which it writes}}
    %g = ccrnnrt.caller_array grads[0] staged 0 : memref<2xf32>
    ccrnnrt.entry_return %g : memref<2xf32>
  }
}

// -----

// Labels take two floats each: 2 networks x 20 labels end at float 8 + 80.
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = 16, staging = 64>, ccrnnrt.networks = 2} {
  ccrnnrt.entry_point record {
    // expected-error @below {{'ccrnnrt.caller_array' op is staged up to float 88, beyond the staging buffer of 64 (ccrnn.memory_plan)}}
    %y = ccrnnrt.caller_array targets staged 8 : memref<20xi64>
    ccrnnrt.entry_return
  }
}

// -----

ccrnnrt.entry_point eval {
  %x = ccrnnrt.caller_array inputs : memref<2xf32>
  // expected-error @below {{'ccrnnrt.to_caller' op writes the caller's 'inputs', which an entry point reads (ccrnnrt.caller_array)}}
  ccrnnrt.to_caller %x into inputs : memref<2xf32>
  ccrnnrt.entry_return %x : memref<2xf32>
}

// -----

ccrnnrt.entry_point eval {
  %x = ccrnnrt.caller_array inputs : memref<2xf32>
  // expected-error @below {{'ccrnnrt.to_caller' op names the caller's 'final_state', which the eval entry point has not}}
  ccrnnrt.to_caller %x into final_state offset 0 : memref<2xf32>
  ccrnnrt.entry_return %x : memref<2xf32>
}

// -----

ccrnnrt.entry_point decode {
  // expected-error @below {{'ccrnnrt.caller_array' op names the caller's 'inputs', which the decode entry point has not}}
  %x = ccrnnrt.caller_array inputs : memref<2xi64>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point eval_window {
  // expected-error @below {{'ccrnnrt.caller_array' op names the caller's 'dropout_mask', which the eval_window entry point has not}}
  %m = ccrnnrt.caller_array dropout_mask or 1.0 : memref<2xf32>
  %x = ccrnnrt.caller_array params[0] : memref<2xf32>
  ccrnnrt.entry_return %x : memref<2xf32>
}

// -----

ccrnnrt.entry_point train {
  // expected-error @below {{'ccrnnrt.caller_array' op needs the value of the caller's 'dropout_mask' where the caller gives none (`or`)}}
  %m = ccrnnrt.caller_array dropout_mask : memref<2xf32>
  ccrnnrt.entry_return %m : memref<2xf32>
}

// -----

ccrnnrt.entry_point train {
  // expected-error @below {{'ccrnnrt.caller_array' op has an offset, which the caller's 'vector_input' does not take}}
  %v = ccrnnrt.caller_array vector_input offset 0 : memref<2xf32>
  ccrnnrt.entry_return %v : memref<2xf32>
}

// -----

ccrnnrt.entry_point decode {
  %v = ccrnnrt.caller_array vector_input : memref<2xf32>
  // expected-error @below {{'ccrnnrt.entry_return' op returns a loss, which a decode entry point does not return}}
  ccrnnrt.entry_return %v : memref<2xf32>
}

// -----

ccrnnrt.entry_point decode {
  %v = ccrnnrt.caller_array vector_input : memref<2xf32>
  // expected-error @below {{'ccrnnrt.to_caller' op writes the caller's 'tokens' from floats; decode's tokens are int64}}
  ccrnnrt.to_caller %v into tokens : memref<2xf32>
  ccrnnrt.entry_return
}

// -----

ccrnnrt.entry_point eval_window {
  %t = ccrnnrt.caller_array inputs : memref<2xi64>
  // expected-error @below {{'ccrnnrt.to_caller' op writes the caller's 'predictions' from labels; only decode's tokens are int64}}
  ccrnnrt.to_caller %t into predictions : memref<2xi64>
  %x = ccrnnrt.caller_array params[0] : memref<2xf32>
  ccrnnrt.entry_return %x : memref<2xf32>
}

// -----

ccrnnrt.entry_point train {
  %x = ccrnnrt.caller_array inputs : memref<2xf32>
  // expected-error @below {{'ccrnnrt.step_graph' op yields 1 buffers of other types than its results}}
  %r = ccrnnrt.step_graph : memref<3xf32> {
    ccrnnrt.step_graph_yield %x : memref<2xf32>
  }
  ccrnnrt.entry_return %x : memref<2xf32>
}
