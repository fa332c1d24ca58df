// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=2 batch=2 steps=3 predict-last' | FileCheck %s
// predict-last: a regression of the last step only. The target is one point
// per sequence; only the last window reads out and has a loss.

// CHECK-LABEL: func.func private @m_window(
// CHECK-NOT:     {ccrnn.name = "target"}
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK:         return %[[ZERO]],
// CHECK-LABEL: func.func private @m_window_last(
// CHECK-SAME:    tensor<2x2xf32> {ccrnn.name = "target"}
// CHECK:         %{{.*}}, %[[HT:.*]], %{{.*}} = ccrnn.lstm_seq
// CHECK:         ccrnn.matmul %[[HT]], %{{.*}} {transpose_rhs} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x2xf32>
// CHECK:         %[[Y:.*]] = ccrnn.reshape %{{.*}} : tensor<2x2xf32> -> tensor<2x1x2xf32>
// CHECK:         %[[T:.*]] = ccrnn.reshape %{{.*}} : tensor<2x2xf32> -> tensor<2x1x2xf32>
// CHECK:         ccrnn.mse_loss %[[Y]], %[[T]] : tensor<2x1x2xf32> -> tensor<f32>
// CHECK-LABEL: func.func @m_train(
// CHECK-SAME:    tensor<2x2xf32> {ccrnn.name = "target", ccrnn.role = #ccrnn.role<target>}
// CHECK-NOT:     ccrnn.supervised_steps
// CHECK:         ccrnn.scale %{{.*}} by 2.000000e+00 : tensor<f32>
// CHECK-LABEL: func.func @m_eval(
// CHECK-SAME:    -> (tensor<f32> {ccrnn.name = "loss", ccrnn.role = #ccrnn.role<loss>}, tensor<2x2xf32> {ccrnn.name = "prediction", ccrnn.role = #ccrnn.role<prediction>})
ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
