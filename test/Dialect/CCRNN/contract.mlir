// RUN: ccrnn-opt %s | ccrnn-opt | FileCheck %s
// The contract attributes of a training program round-trip.

// CHECK: module {
module {
  // CHECK: func.func @m_train(%arg0: tensor<2x3xf32> {ccrnn.name = "linear.weight", ccrnn.parameter = #ccrnn.parameter<init = uniform, bound = 5.000000e-01 : f64, group = readout>, ccrnn.role = #ccrnn.role<parameter>}, %arg1: tensor<4x3xf32> {ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<state>})
  // CHECK-SAME: -> (tensor<f32> {ccrnn.name = "loss", ccrnn.role = #ccrnn.role<loss>})
  // CHECK-SAME: attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "bptt=1 interval=1 batch=4 steps=2", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>}
  func.func @m_train(%w: tensor<2x3xf32> {ccrnn.name = "linear.weight",
                                          ccrnn.parameter = #ccrnn.parameter<init = uniform, bound = 0.5, group = readout>,
                                          ccrnn.role = #ccrnn.role<parameter>},
                     %s: tensor<4x3xf32> {ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<state>})
      -> (tensor<f32> {ccrnn.name = "loss", ccrnn.role = #ccrnn.role<loss>})
      attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "bptt=1 interval=1 batch=4 steps=2", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    %0 = arith.constant dense<0.0> : tensor<f32>
    return %0 : tensor<f32>
  }
  // CHECK: func.func @m_eval
  func.func @m_eval() {
    return
  }
}
