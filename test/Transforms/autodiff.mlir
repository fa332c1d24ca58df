// RUN: ccrnn-opt %s --ccrnn-autodiff | FileCheck %s
// Reverse-mode AD of hand-written windows: the VJP rules of the primitives,
// the truncation, and the two synthetic-gradient markers.

// loss = sum-free toy: mse(tanh(x W^T) , t). The sweep visits ops in reverse
// order: mse_loss_grad, the tanh rule 1 - y^2, then the matmul rule.
// CHECK-LABEL: func.func private @dense_grad(
// CHECK-SAME:    %[[W:[a-z0-9]+]]: tensor<3x2xf32>, %[[X:[a-z0-9]+]]: tensor<4x2xf32>, %[[T:[a-z0-9]+]]: tensor<2x2x3xf32>)
// CHECK-SAME:    -> (tensor<f32>, tensor<3x2xf32>)
// CHECK:         %[[Z:.*]] = ccrnn.matmul %[[X]], %[[W]] {transpose_rhs}
// CHECK:         %[[Y:.*]] = ccrnn.tanh %[[Z]]
// CHECK:         %[[Y3:.*]] = ccrnn.reshape %[[Y]]
// CHECK:         %[[L:.*]] = ccrnn.mse_loss %[[Y3]], %[[T]]
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[DY3:.*]] = ccrnn.mse_loss_grad %[[Y3]], %[[T]], %[[ONE]]
// CHECK:         %[[DY:.*]] = ccrnn.reshape %[[DY3]] : tensor<2x2x3xf32> -> tensor<4x3xf32>
// CHECK:         %[[ONES:.*]] = arith.constant dense<1.000000e+00> : tensor<4x3xf32>
// CHECK:         %[[YY:.*]] = ccrnn.mul %[[Y]], %[[Y]]
// CHECK:         %[[SLOPE:.*]] = ccrnn.sub %[[ONES]], %[[YY]]
// CHECK:         %[[DZ:.*]] = ccrnn.mul %[[DY]], %[[SLOPE]]
// CHECK:         %[[DW:.*]] = ccrnn.matmul %[[DZ]], %[[X]] {transpose_lhs} : tensor<4x3xf32>, tensor<4x2xf32> -> tensor<3x2xf32>
// CHECK:         return %[[L]], %[[DW]]
func.func private @dense(%w: tensor<3x2xf32>, %x: tensor<4x2xf32>, %t: tensor<2x2x3xf32>) -> tensor<f32> {
  %z = ccrnn.matmul %x, %w {transpose_rhs} : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  %y = ccrnn.tanh %z : tensor<4x3xf32>
  %y3 = ccrnn.reshape %y : tensor<4x3xf32> -> tensor<2x2x3xf32>
  %l = ccrnn.mse_loss %y3, %t : tensor<2x2x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// The markers: the truncated state gets no gradient from the loss path into
// the caller; the synthetic gradient seeds the final state; the target
// captures g at s0 and trains the prediction with 2 (p0 - g).
// CHECK-LABEL: func.func private @window_grad(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: tensor<2x2xf32>, %[[P0:[a-z0-9]+]]: tensor<1x2xf32>, %[[S:[a-z0-9]+]]: tensor<1x2xf32>, %[[P1:[a-z0-9]+]]: tensor<1x2xf32>
// CHECK-SAME:    -> (tensor<f32>, tensor<2x2xf32>, tensor<1x2xf32>)
// CHECK-NOT:     ccrnn.truncate
// CHECK:         %[[S1:.*]] = ccrnn.matmul %[[S]], %[[A]] {transpose_rhs}
// CHECK:         %[[L:.*]] = ccrnn.xent_loss %[[S1]]
// CHECK:         %[[ONE:.*]] = arith.constant dense<1.000000e+00>
// CHECK:         %[[INJ:.*]] = ccrnn.scale %[[P1]] by 5.000000e-01
// CHECK:         %[[DL:.*]] = ccrnn.xent_loss_grad %[[S1]], %{{.*}}, %[[ONE]]
// CHECK:         %[[DS1:.*]] = ccrnn.add %[[INJ]], %[[DL]]
// CHECK:         %[[G:.*]] = ccrnn.matmul %[[DS1]], %[[A]] :
// CHECK:         %[[DA:.*]] = ccrnn.matmul %[[DS1]], %[[S]] {transpose_lhs}
// CHECK:         %[[ERR:.*]] = ccrnn.sub %[[P0]], %[[G]]
// CHECK:         %[[DP0:.*]] = ccrnn.scale %[[ERR]] by 2.000000e+00
// CHECK:         return %[[L]], %[[DA]], %[[DP0]]
func.func private @window(%a: tensor<2x2xf32>, %p0: tensor<1x2xf32>, %s: tensor<1x2xf32>, %p1: tensor<1x2xf32>, %labels: tensor<1xi64>) -> tensor<f32> {
  %s0 = ccrnn.truncate %s : tensor<1x2xf32>
  ccrnn.synthesizer_target %s0, %p0 : tensor<1x2xf32>
  %s1 = ccrnn.matmul %s0, %a {transpose_rhs} : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
  %l = ccrnn.xent_loss %s1, %labels : tensor<1x2xf32>, tensor<1xi64> -> tensor<f32>
  ccrnn.synthetic_gradient %s1, %p1 {scale = 0.5} : tensor<1x2xf32>
  return %l : tensor<f32>
}

// value_and_grad becomes a call; the differentiated originals are removed.
// CHECK-LABEL: func.func @caller(
// CHECK:         %{{.*}}:2 = call @dense_grad(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<3x2xf32>, tensor<4x2xf32>, tensor<2x2x3xf32>) -> (tensor<f32>, tensor<3x2xf32>)
// CHECK:         %{{.*}}:3 = call @window_grad(
// CHECK-NOT:   func.func private @dense(
// CHECK-NOT:   func.func private @window(
func.func @caller(%w: tensor<3x2xf32>, %x: tensor<4x2xf32>, %t: tensor<2x2x3xf32>,
                  %a: tensor<2x2xf32>, %p0: tensor<1x2xf32>, %s: tensor<1x2xf32>,
                  %p1: tensor<1x2xf32>, %labels: tensor<1xi64>)
    -> (tensor<3x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>) {
  %l, %dw = ccrnn.value_and_grad @dense(%w, %x, %t) {num_params = 1}
      : (tensor<3x2xf32>, tensor<4x2xf32>, tensor<2x2x3xf32>) -> (tensor<f32>, tensor<3x2xf32>)
  %l2, %da, %dp0 = ccrnn.value_and_grad @window(%a, %p0, %s, %p1, %labels) {num_params = 2}
      : (tensor<2x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1xi64>)
      -> (tensor<f32>, tensor<2x2xf32>, tensor<1x2xf32>)
  return %dw, %da, %dp0 : tensor<3x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>
}
