// RUN: ccrnn-opt %s --split-input-file --convert-ccrnn-to-ccrnnrt --verify-diagnostics
// The conversion decides nothing: a program that was not planned is an
// error, one diagnostic per case.

// expected-error @below {{has no memory plan (run --ccrnn-plan-memory and --ccrnn-assign-kernels first)}}
module {
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  func.func @unplanned(%x: tensor<2xf32>) -> tensor<2xf32> {
    // expected-error @below {{'ccrnn.tanh' op has no planned storage for its result 0 (run --ccrnn-plan-memory)}}
    %y = ccrnn.tanh %x : tensor<2xf32>
    return %y : tensor<2xf32>
  }
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  func.func @caller(%x: tensor<2xf32>) -> tensor<2xf32> {
    // expected-error @below {{'ccrnn.tanh' op is planned in the caller's array for result 0, which is not ccrnn.caller_storage}}
    %y = ccrnn.tanh %x {ccrnn.storage = [#ccrnn.slot<caller, 0>]} : tensor<2xf32>
    return %y : tensor<2xf32>
  }
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  func.func @no_kernel(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
    // expected-error @below {{'ccrnn.matmul' op has no kernel object (run --ccrnn-assign-kernels)}}
    %y = ccrnn.matmul %x, %x {ccrnn.storage = [#ccrnn.slot<arena, 0>]} : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  func.func @loop(%x: tensor<2xf32>) -> tensor<2xf32> {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    // expected-error @below {{'scf.for' op has no planned storage (run --ccrnn-plan-memory)}}
    %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%h = %x) -> (tensor<2xf32>) {
      scf.yield %h : tensor<2xf32>
    }
    return %r : tensor<2xf32>
  }
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  func.func @constant() -> tensor<2xf32> {
    // expected-error @below {{'arith.constant' op only index and splat float tensor constants are supported}}
    %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
    return %c : tensor<2xf32>
  }
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  func.func @graph_level(%c: tensor<2xf32>) -> tensor<2xf32> {
    // expected-error @below {{'ccrnn.truncate' op cannot be converted to ccrnnrt (not a kernel; run --ccrnn-trainer-pipeline first?)}}
    %t = ccrnn.truncate %c : tensor<2xf32>
    return %t : tensor<2xf32>
  }
}

// -----

module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 16>} {
  func.func @splat() -> tensor<2xf32> {
    // expected-error @below {{'arith.constant' op has no planned storage, but func.return reads it (run --ccrnn-plan-memory)}}
    %c = arith.constant dense<1.0> : tensor<2xf32>
    return %c : tensor<2xf32>
  }
}
