// RUN: ccrnn-opt %s --ccrnn-count-flops | FileCheck %s

// Each product takes 2 m n k FLOPs; a loop's body counts once per
// iteration, a callee once per call; element-wise ops count nothing.

// CHECK-LABEL: func.func @product
// 2 * 2 * 3 * 4
// CHECK-SAME:  ccrnn.flops = 4.800000e+01 : f64
func.func @product(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) -> tensor<2x3xf32> {
  %y = ccrnn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  %t = ccrnn.tanh %y : tensor<2x3xf32>
  return %t : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @loop
// 3 iterations of a call of @product (48) and a transposed product
// (k = 2: 2 * 4 * 3 * 2 = 48): 3 * 96.
// CHECK-SAME:  ccrnn.flops = 2.880000e+02 : f64
func.func @loop(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %w) -> (tensor<4x3xf32>) {
    %y = func.call @product(%x, %w) : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %a = ccrnn.matmul_accumulate %acc, %x, %y {transpose_lhs}
        : tensor<4x3xf32>, tensor<2x4xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
    scf.yield %a : tensor<4x3xf32>
  }
  return %r : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @window
// An LSTM window over [B=2, T=5, I=3] with H=4: the input projection
// 2 * 10 * 16 * 3 and the recurrent products 2 * 10 * 16 * 4.
// CHECK-SAME:  ccrnn.flops = 2.240000e+03 : f64
func.func @window(%x: tensor<2x5x3xf32>, %h: tensor<2x4xf32>, %c: tensor<2x4xf32>,
                  %wih: tensor<16x3xf32>, %whh: tensor<16x4xf32>, %b: tensor<16xf32>)
    -> tensor<2x5x4xf32> {
  %hs, %hT, %cT = ccrnn.lstm_seq %x, %h, %c, %wih, %whh, %b, %b
      : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>,
        tensor<16xf32> -> tensor<2x5x4xf32>
  return %hs : tensor<2x5x4xf32>
}
