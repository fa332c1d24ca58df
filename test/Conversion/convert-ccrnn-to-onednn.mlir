// RUN: ccrnn-opt %s --convert-ccrnn-to-onednn | FileCheck %s

// A linear layer becomes one matmul primitive with a bias post-op, and a
// relu that nothing else needs the pre-activation for becomes an eltwise
// post-op.
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME:    %[[X:.*]]: tensor<4x3xf32>, %[[W0:.*]]: tensor<5x3xf32>, %[[B0:.*]]: tensor<5xf32>, %[[W1:.*]]: tensor<2x5xf32>, %[[B1:.*]]: tensor<2xf32>
// CHECK:         %[[H:.*]] = ccrnn.fused_matmul %[[X]], %[[W0]], %[[B0]] {relu, transpose_rhs} : tensor<4x3xf32>, tensor<5x3xf32>, tensor<5xf32> -> tensor<4x5xf32>
// CHECK:         %[[Y:.*]] = ccrnn.fused_matmul %[[H]], %[[W1]], %[[B1]] {transpose_rhs}
// CHECK-NOT:     ccrnn.broadcast
// CHECK:         return %[[Y]]
func.func @mlp(%x: tensor<4x3xf32>, %w0: tensor<5x3xf32>, %b0: tensor<5xf32>,
               %w1: tensor<2x5xf32>, %b1: tensor<2xf32>) -> tensor<4x2xf32> {
  %p0 = ccrnn.matmul %x, %w0 {transpose_rhs} : tensor<4x3xf32>, tensor<5x3xf32> -> tensor<4x5xf32>
  %bb0 = ccrnn.broadcast %b0 : tensor<5xf32> -> tensor<4x5xf32>
  %a0 = ccrnn.add %bb0, %p0 : tensor<4x5xf32>
  %h = ccrnn.relu %a0 : tensor<4x5xf32>
  %p1 = ccrnn.matmul %h, %w1 {transpose_rhs} : tensor<4x5xf32>, tensor<2x5xf32> -> tensor<4x2xf32>
  %bb1 = ccrnn.broadcast %b1 : tensor<2xf32> -> tensor<4x2xf32>
  %y = ccrnn.add %p1, %bb1 : tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// The pre-activation is needed by the backward pass (relu's step): only the
// bias is fused. A product needed on its own is not fused at all.
// CHECK-LABEL: func.func @needed(
// CHECK:         %[[A:.*]] = ccrnn.fused_matmul %{{.*}}, %{{.*}}, %{{.*}} {transpose_rhs}
// CHECK:         ccrnn.relu %[[A]]
// CHECK:         ccrnn.step %[[A]]
// CHECK:         %[[P:.*]] = ccrnn.matmul
// CHECK:         ccrnn.add %[[P]], %{{.*}}
// CHECK:         ccrnn.mul %[[P]]
func.func @needed(%x: tensor<4x3xf32>, %w: tensor<5x3xf32>, %b: tensor<5xf32>)
    -> (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>) {
  %p = ccrnn.matmul %x, %w {transpose_rhs} : tensor<4x3xf32>, tensor<5x3xf32> -> tensor<4x5xf32>
  %bb = ccrnn.broadcast %b : tensor<5xf32> -> tensor<4x5xf32>
  %a = ccrnn.add %p, %bb : tensor<4x5xf32>
  %r = ccrnn.relu %a : tensor<4x5xf32>
  %s = ccrnn.step %a : tensor<4x5xf32>
  %p2 = ccrnn.matmul %x, %w {transpose_rhs} : tensor<4x3xf32>, tensor<5x3xf32> -> tensor<4x5xf32>
  %a2 = ccrnn.add %p2, %bb : tensor<4x5xf32>
  %m = ccrnn.mul %p2, %p2 : tensor<4x5xf32>
  return %r, %s, %a2, %m : tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>
}

// A product added to anything but a broadcast bias (a gradient into its
// accumulator) is accumulated as it is written: one matmul with a sum
// post-op, whichever side of the add it is on.
// CHECK-LABEL: func.func @accumulate(
// CHECK-SAME:    %[[ACC:.*]]: tensor<5x3xf32>, %[[DY:.*]]: tensor<4x5xf32>, %[[X:.*]]: tensor<4x3xf32>
// CHECK:         %[[A1:.*]] = ccrnn.matmul_accumulate %[[ACC]], %[[DY]], %[[X]] {transpose_lhs} : tensor<5x3xf32>, tensor<4x5xf32>, tensor<4x3xf32> -> tensor<5x3xf32>
// CHECK:         %[[A2:.*]] = ccrnn.matmul_accumulate %[[A1]], %[[DY]], %[[X]] {transpose_lhs}
// CHECK-NOT:     ccrnn.add
// CHECK:         return %[[A2]]
func.func @accumulate(%acc: tensor<5x3xf32>, %dy: tensor<4x5xf32>, %x: tensor<4x3xf32>) -> tensor<5x3xf32> {
  %g = ccrnn.matmul %dy, %x {transpose_lhs} : tensor<4x5xf32>, tensor<4x3xf32> -> tensor<5x3xf32>
  %a = ccrnn.add %acc, %g : tensor<5x3xf32>
  %g2 = ccrnn.matmul %dy, %x {transpose_lhs} : tensor<4x5xf32>, tensor<4x3xf32> -> tensor<5x3xf32>
  %a2 = ccrnn.add %g2, %a : tensor<5x3xf32>
  return %a2 : tensor<5x3xf32>
}

// relu's backward, a product with the step of the pre-activation, is one
// pass (either operand order); a step used elsewhere stays.
// CHECK-LABEL: func.func @relu_grad(
// CHECK-SAME:    %[[C:.*]]: tensor<4x5xf32>, %[[A:.*]]: tensor<4x5xf32>
// CHECK:         %[[G1:.*]] = ccrnn.relu_grad %[[C]], %[[A]] : tensor<4x5xf32>
// CHECK:         %[[G2:.*]] = ccrnn.relu_grad %[[G1]], %[[A]] : tensor<4x5xf32>
// CHECK:         %[[S:.*]] = ccrnn.step %[[A]]
// CHECK:         %[[M:.*]] = ccrnn.mul %[[C]], %[[S]]
// CHECK:         return %[[G2]], %[[M]], %[[S]]
func.func @relu_grad(%c: tensor<4x5xf32>, %a: tensor<4x5xf32>)
    -> (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>) {
  %s1 = ccrnn.step %a : tensor<4x5xf32>
  %g1 = ccrnn.mul %c, %s1 : tensor<4x5xf32>
  %s2 = ccrnn.step %a : tensor<4x5xf32>
  %g2 = ccrnn.mul %s2, %g1 : tensor<4x5xf32>
  %s3 = ccrnn.step %a : tensor<4x5xf32>
  %m = ccrnn.mul %c, %s3 : tensor<4x5xf32>
  return %g2, %m, %s3 : tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>
}
