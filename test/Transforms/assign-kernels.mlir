// RUN: ccrnn-opt %s --ccrnn-assign-kernels | ccrnn-opt | FileCheck %s
// RUN: not ccrnn-opt %s --ccrnn-assign-kernels --ccrnn-assign-kernels 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: error: ccrnn-assign-kernels: the program already has its kernel objects

// The objects in program order: a product's configuration once however
// many products share it, a window's workspace once per forward window.
// CHECK:      module attributes {ccrnn.kernels = [
// CHECK-SAME:   #ccrnn.matmul_kernel<m = 2, n = 3, k = 4, transposeLhs = false, transposeRhs = false, bias = false, relu = false, accumulate = false>,
// CHECK-SAME:   #ccrnn.window_kernel<cell = lstm, batch = 2, steps = 5, input = 3, hidden = 4>,
// CHECK-SAME:   #ccrnn.window_kernel<cell = lstm, batch = 2, steps = 5, input = 3, hidden = 4>,
// CHECK-SAME:   #ccrnn.matmul_kernel<m = 4, n = 3, k = 2, transposeLhs = true, transposeRhs = false, bias = false, relu = false, accumulate = true>,
// CHECK-SAME:   #ccrnn.window_kernel<cell = lstm, batch = 2, steps = 5, input = 3, hidden = 4>]}

// CHECK-LABEL: func.func @f
func.func @f(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %acc: tensor<4x3xf32>,
             %s: tensor<2x5x3xf32>, %h: tensor<2x4xf32>, %wih: tensor<16x3xf32>,
             %whh: tensor<16x4xf32>, %b: tensor<16xf32>, %dhs: tensor<2x5x4xf32>)
    -> (tensor<2x3xf32>, tensor<4x3xf32>) {
  // Two products of one configuration share their primitive.
  // CHECK:      ccrnn.matmul {{.*}}ccrnn.kernel = #ccrnn.uses_kernel<0>
  // CHECK-NEXT: ccrnn.matmul {{.*}}ccrnn.kernel = #ccrnn.uses_kernel<0>
  %y1 = ccrnn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  %y2 = ccrnn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  // Each forward window has its workspace, whatever its configuration.
  // CHECK-NEXT: ccrnn.lstm_seq {{.*}}ccrnn.kernel = #ccrnn.uses_kernel<1>
  // CHECK-NEXT: ccrnn.lstm_seq {{.*}}ccrnn.kernel = #ccrnn.uses_kernel<2>
  %hs1, %hT1, %cT1 = ccrnn.lstm_seq %s, %h, %h, %wih, %whh, %b, %b
      : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>,
        tensor<16xf32> -> tensor<2x5x4xf32>
  %hs2, %hT2, %cT2 = ccrnn.lstm_seq %s, %hT1, %h, %wih, %whh, %b, %b
      : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>,
        tensor<16xf32> -> tensor<2x5x4xf32>
  // The backward pass of the first window reads what that window stored.
  // CHECK-NEXT: ccrnn.lstm_seq_grad {{.*}}ccrnn.kernel = #ccrnn.uses_kernel<1, stored = true>
  %g:7 = ccrnn.lstm_seq_grad %s, %h, %h, %wih, %whh, %b, %b cotangents %dhs, %h, %h
      : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>,
        tensor<16xf32>, tensor<2x5x4xf32>
  // CHECK-NEXT: ccrnn.matmul_accumulate {{.*}}ccrnn.kernel = #ccrnn.uses_kernel<3>
  %a = ccrnn.matmul_accumulate %acc, %x, %y1 {transpose_lhs}
      : tensor<4x3xf32>, tensor<2x4xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
  // A backward pass with no forward window before it recomputes the
  // activations in a workspace of its own.
  // CHECK-NEXT: ccrnn.lstm_seq_grad {{.*}}ccrnn.kernel = #ccrnn.uses_kernel<4>
  %g2:7 = ccrnn.lstm_seq_grad %s, %cT2, %h, %wih, %whh, %b, %b cotangents %dhs, %h, %h
      : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>,
        tensor<16xf32>, tensor<2x5x4xf32>
  // Element-wise kernels are functions: no object.
  // CHECK-NEXT: ccrnn.add
  // CHECK-NOT:  ccrnn.kernel
  // CHECK-SAME: tensor<2x3xf32>
  %sum = ccrnn.add %y1, %y2 : tensor<2x3xf32>
  return %sum, %a : tensor<2x3xf32>, tensor<4x3xf32>
}
