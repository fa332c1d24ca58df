// RUN: ccrnn-opt %s --ccrnn-plan-memory --ccrnn-assign-kernels --convert-ccrnn-to-ccrnnrt | ccrnn-opt | FileCheck %s
// RUN: ccrnn-opt %s --ccrnn-plan-memory=target=cuda --ccrnn-assign-kernels --convert-ccrnn-to-ccrnnrt | FileCheck %s --check-prefix=CUDA
// RUN: ccrnn-opt %s --ccrnn-ensemble=size=3 --ccrnn-plan-memory --ccrnn-assign-kernels --convert-ccrnn-to-ccrnnrt | FileCheck %s --check-prefix=ENSEMBLE
// Whole training programs convert: no tensor, no storage attribute and no
// ccrnn op (they all have results) is left.
// DEFINE: %{program} = --implicit-check-not='tensor<' --implicit-check-not=ccrnn.storage --implicit-check-not='= ccrnn.'
// RUN: ccrnn-opt %models/dni_lstm.mlir --ccrnn-trainer-pipeline='bptt=2 interval=2 ensemble=2' --ccrnn-plan-memory --ccrnn-assign-kernels --convert-ccrnn-to-ccrnnrt | FileCheck %s --check-prefix=PROGRAM %{program}
// RUN: ccrnn-opt %models/seqmnist_dni_lstm.mlir --ccrnn-trainer-pipeline='bptt=7 batch=5 steps=28' --ccrnn-plan-memory --ccrnn-assign-kernels --convert-ccrnn-to-ccrnnrt | FileCheck %s --check-prefix=PROGRAM %{program}
// RUN: ccrnn-opt %models/cdni_tanh.mlir --ccrnn-trainer-pipeline='bptt=2 interval=2' --ccrnn-plan-memory=target=cuda --ccrnn-assign-kernels --convert-ccrnn-to-ccrnnrt | FileCheck %s --check-prefix=PROGRAM %{program}
// PROGRAM:     ccrnnrt.window_forward
// PROGRAM:     ccrnnrt.window_backward

// The plan's storage becomes buffers: the same program as
// test/Transforms/plan-memory.mlir, planned, then converted.
// ENSEMBLE: module attributes {{{.*}}ccrnnrt.networks = 3 : i64}

// The gradient (result 1) is computed in the caller's array, a new last
// argument; a GPU trainer computes it in the arena.
// CHECK-LABEL: func.func @m_train(
// CHECK-SAME:    %[[W:[a-z0-9]+]]: memref<4x3xf32> {ccrnn.parameter
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<2x4xf32> {ccrnn.role = #ccrnn.role<input>}
// CHECK-SAME:    %[[H0:[a-z0-9]+]]: memref<2x3xf32> {ccrnn.role = #ccrnn.role<state>}
// CHECK-SAME:    %[[GRAD:[a-z0-9]+]]: memref<4x3xf32> {ccrnnrt.caller_result = 1 : i64}
// CHECK-SAME:    -> (memref<f32>, memref<4x3xf32>, memref<2x3xf32>)
// CUDA-LABEL:  func.func @m_train(
// CUDA-NOT:      ccrnnrt.caller_result
// CUDA-SAME:     ccrnn.staged = 32 : i64}) -> (memref<f32>, memref<4x3xf32>, memref<2x3xf32>)
// ENSEMBLE-LABEL: func.func @m_train(
// ENSEMBLE-SAME:  memref<4x3xf32>
func.func @m_train(%w: tensor<4x3xf32> {ccrnn.parameter = #ccrnn.parameter<init = zeros, bound = 0.0, group = readout>, ccrnn.role = #ccrnn.role<parameter>},
                   %x: tensor<2x4xf32> {ccrnn.role = #ccrnn.role<input>},
                   %h0: tensor<2x3xf32> {ccrnn.role = #ccrnn.role<state>})
    -> (tensor<f32>, tensor<4x3xf32>, tensor<2x3xf32>)
    attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  // A constant that only starts a loop has no buffer: the loop fills its
  // own. A constant used as a value is a slice filled once.
  %zero = arith.constant dense<0.0> : tensor<4x3xf32>
  // CHECK:      %[[LOSS:.*]] = ccrnnrt.slice 0 fill 5.000000e-01 : memref<f32>
  %loss = arith.constant dense<0.5> : tensor<f32>
  // Each carried value's buffer is set before the loop; a value computed
  // anew each iteration has a second buffer.
  // CHECK-NEXT: %[[ACC:.*]] = ccrnnrt.slice 16 : memref<4x3xf32>
  // CHECK-NEXT: ccrnnrt.fill 0.000000e+00 into %[[ACC]]
  // CHECK-NEXT: %[[H:.*]] = ccrnnrt.slice 32 : memref<2x3xf32>
  // CHECK-NEXT: %[[HNEXT:.*]] = ccrnnrt.slice 48 : memref<2x3xf32>
  // CHECK-NEXT: ccrnnrt.copy %[[H0]] into %[[H]]
  // CHECK-NEXT: %[[S:.*]] = ccrnnrt.slice 64 : memref<2x3xf32>
  // CHECK-NEXT: ccrnnrt.copy %[[H0]] into %[[S]]
  // CHECK-NEXT: %[[R:.*]]:4 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[A:.*]] = %[[ACC]], %[[C:.*]] = %[[H]], %[[N:.*]] = %[[HNEXT]], %[[T:.*]] = %[[S]])
  %r:3 = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %zero, %h = %h0, %s = %h0)
      -> (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
    // The product has a slice of its own.
    // CHECK-NEXT:   %[[Y:.*]] = ccrnnrt.slice 80 : memref<2x3xf32>
    // CHECK-NEXT:   ccrnnrt.matmul %[[X]], %[[W]] into %[[Y]] kernel 0
    %y = ccrnn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    // The new carried value goes into the second buffer...
    // CHECK-NEXT:   ccrnnrt.tanh %[[Y]] into %[[N]]
    %h2 = ccrnn.tanh %y : tensor<2x3xf32>
    // ... an accumulation into the carried buffer itself (in place) ...
    // CHECK-NEXT:   ccrnnrt.matmul %[[X]], %[[C]] into %[[A]] kernel 1
    %acc2 = ccrnn.matmul_accumulate %acc, %x, %h {transpose_lhs}
        : tensor<4x3xf32>, tensor<2x4xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
    // CHECK-NEXT:   ccrnnrt.tanh %[[T]] into %[[T]]
    %s2 = ccrnn.tanh %s : tensor<2x3xf32>
    // ... and the two buffers of a value computed anew swap.
    // CHECK-NEXT:   scf.yield %[[A]], %[[N]], %[[C]], %[[T]]
    scf.yield %acc2, %h2, %s2 : tensor<4x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  }
  // CHECK:      ccrnnrt.scale %[[R]]#0 by 5.000000e-01 into %[[GRAD]]
  // CUDA:       %[[CUDAGRAD:.*]] = ccrnnrt.slice 96 : memref<4x3xf32>
  // CUDA-NEXT:  ccrnnrt.scale %{{.*}} by 5.000000e-01 into %[[CUDAGRAD]]
  %g = ccrnn.scale %r#0 by 5.0e-01 : tensor<4x3xf32>
  // A reshape is a view of the same buffer.
  // CHECK-NEXT: ccrnnrt.view %[[R]]#1 : memref<2x3xf32> to memref<6xf32>
  %flat = ccrnn.reshape %r#1 : tensor<2x3xf32> -> tensor<6xf32>
  // CHECK-NEXT: return %[[LOSS]], %[[GRAD]], %[[R]]#1
  return %loss, %g, %r#1 : tensor<f32>, tensor<4x3xf32>, tensor<2x3xf32>
}

func.func @m_eval() {
  return
}

// An accumulation not planned in place copies its accumulator into its
// output first (its kernel adds to what is there).
// CHECK-LABEL: func.func @accumulate_copy(
// CHECK:         %[[OUT:.*]] = ccrnnrt.slice {{[0-9]+}} : memref<4x3xf32>
// CHECK-NEXT:    ccrnnrt.copy %arg0 into %[[OUT]]
// CHECK-NEXT:    ccrnnrt.matmul %arg1, %arg2 into %[[OUT]] kernel 1
func.func @accumulate_copy(%acc: tensor<4x3xf32>, %x: tensor<2x4xf32>, %h: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %a = ccrnn.matmul_accumulate %acc, %x, %h {transpose_lhs}
      : tensor<4x3xf32>, tensor<2x4xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
  return %a : tensor<4x3xf32>
}
