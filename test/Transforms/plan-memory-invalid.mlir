// RUN: ccrnn-opt %s --split-input-file --ccrnn-plan-memory --verify-diagnostics
// RUN: not ccrnn-opt %s --split-input-file --ccrnn-plan-memory=target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: ccrnn-plan-memory: unknown target 'tpu' (expected cpu or cuda)

// A program is planned once: a second plan would leave the first's slices.
// expected-error @below {{ccrnn-plan-memory: the program already has a memory plan}}
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 0>} {
}

// -----

// A callee's results live in its slices, so a second call overwrites them.
func.func private @g(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = ccrnn.tanh %x : tensor<2xf32>
  return %y : tensor<2xf32>
}
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @below {{'func.call' op result used after another call of @g, which overwrites it (a callee's results live in its own slices)}}
  %a = func.call @g(%x) : (tensor<2xf32>) -> tensor<2xf32>
  %b = func.call @g(%a) : (tensor<2xf32>) -> tensor<2xf32>
  %s = ccrnn.add %a, %b : tensor<2xf32>
  return %s : tensor<2xf32>
}

// -----

// Reading the first call's results before the second is fine.
func.func private @g(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = ccrnn.tanh %x : tensor<2xf32>
  return %y : tensor<2xf32>
}
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = func.call @g(%x) : (tensor<2xf32>) -> tensor<2xf32>
  %t = ccrnn.tanh %a : tensor<2xf32>
  %b = func.call @g(%t) : (tensor<2xf32>) -> tensor<2xf32>
  return %b : tensor<2xf32>
}

// -----

// Element counts are bounded before they are added up: 2^33 x 2^31 wrapped
// int64_t to 0 (a hidden size of 2^31), and the arena came out small or
// negative.
func.func @f(%x: tensor<8589934592x2147483648xf32>) -> tensor<8589934592x2147483648xf32> {
  // expected-error @below {{'ccrnn.tanh' op (ccrnn-plan-memory): 'tensor<8589934592x2147483648xf32>' is more than 4398046511104 elements, the most a training program may hold}}
  %y = ccrnn.tanh %x : tensor<8589934592x2147483648xf32>
  return %y : tensor<8589934592x2147483648xf32>
}

// -----

// Tensors each within the bound, too large together.
// expected-error @below {{ccrnn-plan-memory: the program needs more than 4398046511104 floats of memory (2^42, 16 TiB), the most a training program may hold}}
module {
  func.func @f(%x: tensor<4194304x1048576xf32>) -> tensor<4194304x1048576xf32> {
    %a = ccrnn.tanh %x : tensor<4194304x1048576xf32>
    %b = ccrnn.tanh %a : tensor<4194304x1048576xf32>
    return %b : tensor<4194304x1048576xf32>
  }
}
