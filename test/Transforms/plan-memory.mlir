// RUN: ccrnn-opt %s --ccrnn-plan-memory | ccrnn-opt | FileCheck %s
// RUN: ccrnn-opt %s --ccrnn-plan-memory=target=cuda | FileCheck %s --check-prefix=CUDA
// RUN: ccrnn-opt %s --ccrnn-ensemble=size=3 --ccrnn-plan-memory | FileCheck %s --check-prefix=ENSEMBLE
// The plan of a real training program is complete (the emitter reads it).
// RUN: ccrnn-opt %models/dni_lstm.mlir --ccrnn-trainer-pipeline='bptt=2 interval=2' --ccrnn-plan-memory | FileCheck %s --check-prefix=PIPELINE
// A module without ccrnn ops gets an empty plan (the pass loads the dialect
// of its attribute; it crashed: test/fuzz/regressions/model).
// RUN: echo "" | ccrnn-opt --ccrnn-plan-memory | FileCheck %s --check-prefix=EMPTY
// EMPTY: module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 0>}

// Offsets count floats; every slice is 16-float (64-byte) aligned, so a
// 1-, 6- or 12-float value takes 16.
// CHECK:    module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 96>}
// A GPU trainer copies the caller's arrays into a staging buffer of its
// own: 16-float slices in argument order, the states last.
// CUDA:     module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = 112, staging = 48>}
// An ensemble's slices hold every network: 3 x 12 floats take 48.
// ENSEMBLE: #ccrnn.memory_plan<target = cpu, arena = 192>

// CHECK-LABEL: func.func @m_train
// The gradient (result 1, after the loss) is the caller's to store.
// CHECK-NOT:   ccrnn.staged
// CHECK-SAME:  -> (tensor<f32>, tensor<4x3xf32> {ccrnn.caller_storage}, tensor<2x3xf32>)
// CUDA-LABEL:  func.func @m_train
// CUDA-SAME:   %arg0: tensor<4x3xf32> {{{.*}}ccrnn.staged = 0 : i64}
// CUDA-SAME:   %arg1: tensor<2x4xf32> {{{.*}}ccrnn.staged = 16 : i64}
// CUDA-SAME:   %arg2: tensor<2x3xf32> {{{.*}}ccrnn.staged = 32 : i64}
// CUDA-SAME:   -> (tensor<f32>, tensor<4x3xf32>, tensor<2x3xf32>)
func.func @m_train(%w: tensor<4x3xf32> {ccrnn.parameter = #ccrnn.parameter<init = zeros, bound = 0.0, group = readout>, ccrnn.role = #ccrnn.role<parameter>},
                   %x: tensor<2x4xf32> {ccrnn.role = #ccrnn.role<input>},
                   %h0: tensor<2x3xf32> {ccrnn.role = #ccrnn.role<state>})
    -> (tensor<f32>, tensor<4x3xf32>, tensor<2x3xf32>)
    attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  // A constant that only starts a loop has no slice: the loop fills its own.
  // CHECK:    arith.constant dense<0.000000e+00> : tensor<4x3xf32>
  %zero = arith.constant dense<0.0> : tensor<4x3xf32>
  // CHECK:    arith.constant {ccrnn.storage = [#ccrnn.slot<arena, 0>]} dense<5.000000e-01> : tensor<f32>
  %loss = arith.constant dense<0.5> : tensor<f32>
  // CHECK:      scf.for
  // The window's product has a slice of its own.
  // CHECK:        ccrnn.matmul {{.*}}ccrnn.storage = [#ccrnn.slot<arena, 80>]
  // ENSEMBLE:     ccrnn.matmul {{.*}}ccrnn.storage = [#ccrnn.slot<arena, 160>]
  // A carried value computed anew is computed in the loop's second slice.
  // CHECK-NEXT:   ccrnn.tanh {{.*}}ccrnn.storage = [#ccrnn.slot<swap>]
  // An accumulation into a carried value nothing else reads is in place.
  // CHECK-NEXT:   ccrnn.matmul_accumulate {{.*}}ccrnn.storage = [#ccrnn.slot<in_place>]
  // So is any element-wise op of a carried value nothing else reads.
  // CHECK-NEXT:   ccrnn.tanh {{.*}}ccrnn.storage = [#ccrnn.slot<in_place>]
  // CHECK:      } {ccrnn.storage = [#ccrnn.carried<16>, #ccrnn.carried<32, swap = 48>, #ccrnn.carried<64>]}
  // ENSEMBLE:   } {ccrnn.storage = [#ccrnn.carried<16>, #ccrnn.carried<64, swap = 96>, #ccrnn.carried<128>]}
  %r:3 = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %zero, %h = %h0, %s = %h0)
      -> (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
    %y = ccrnn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    %h2 = ccrnn.tanh %y : tensor<2x3xf32>
    %acc2 = ccrnn.matmul_accumulate %acc, %x, %h {transpose_lhs}
        : tensor<4x3xf32>, tensor<2x4xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
    %s2 = ccrnn.tanh %s : tensor<2x3xf32>
    scf.yield %acc2, %h2, %s2 : tensor<4x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  }
  // The gradient is computed in the caller's array (on a GPU, in the arena).
  // CHECK:    ccrnn.scale {{.*}}ccrnn.storage = [#ccrnn.slot<caller, 1>]
  // CUDA:     ccrnn.scale {{.*}}ccrnn.storage = [#ccrnn.slot<arena, 96>]
  %g = ccrnn.scale %r#0 by 5.0e-01 : tensor<4x3xf32>
  // A view has no storage of its own.
  // CHECK:    ccrnn.reshape
  // CHECK-NOT:  ccrnn.storage
  // CHECK-SAME: -> tensor<6xf32>
  %flat = ccrnn.reshape %r#1 : tensor<2x3xf32> -> tensor<6xf32>
  return %loss, %g, %r#1 : tensor<f32>, tensor<4x3xf32>, tensor<2x3xf32>
}

func.func @m_eval() {
  return
}

// PIPELINE:     module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena =
// PIPELINE:     func.func @dni_lstm_train
// PIPELINE:       scf.for
// The window's weight gradients accumulate in place into the batch's.
// PIPELINE:         ccrnn.matmul_accumulate {{.*}}ccrnn.storage = [#ccrnn.slot<in_place>]
// PIPELINE:       } {ccrnn.storage = [#ccrnn.carried<{{[0-9]+}}, swap = {{[0-9]+}}>
// PIPELINE:       ccrnn.add {{.*}}ccrnn.storage = [#ccrnn.slot<caller, 1>]
