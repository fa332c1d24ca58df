// RUN: ccrnn-opt %s --ccrnn-trainer-pipeline='bptt=2 interval=1 batch=2 steps=5' \
// RUN:   --ccrnn-ensemble=size=4 | FileCheck %s
// The rewritten program round-trips.
// RUN: ccrnn-opt %s --ccrnn-trainer-pipeline='bptt=2 interval=1 batch=2 steps=5' \
// RUN:   --ccrnn-ensemble=size=4 | ccrnn-opt | FileCheck %s
// Size 1 is one network, in the same form.
// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=2 interval=1 batch=2 steps=5' \
// RUN:   --ccrnn-autodiff --convert-ccrnn-to-onednn --ccrnn-ensemble | FileCheck %s --check-prefix=ONE
// A program that is not lowered yet (here: the model itself) is named by
// its outermost op; the other diagnostics: ensemble-invalid.mlir,
// ensemble-size.mlir.
// RUN: not ccrnn-opt %s --ccrnn-ensemble=size=2 2>&1 | FileCheck %s --check-prefix=MODEL

ccrnn.model @tiny(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 4 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// The private window functions stay one network's.
// CHECK:       func.func private @tiny_window_last_grad(
// CHECK-SAME:      %arg0: tensor<12x1xf32>
// Each entry function takes and returns every tensor for the 4 networks
// and runs its old body once per network, on each network's slices.
// CHECK:       func.func @tiny_train(
// CHECK-SAME:      %arg0: tensor<4x12x1xf32>
// CHECK-SAME:      -> (tensor<4xf32>
// CHECK-NEXT:    %[[R:.*]]:13 = ccrnn.ensemble 4 networks(%arg0, %arg1,
// CHECK-SAME:      : tensor<4x12x1xf32>, tensor<4x12x3xf32>,
// CHECK-NEXT:    ^bb0(%[[W:.*]]: tensor<12x1xf32>,
// CHECK:           ccrnn.lstm_seq %{{.*}}, %[[W]], {{.*}} : tensor<2x2x1xf32>
// CHECK:           func.call @tiny_window_last_grad(
// CHECK:           ccrnn.ensemble_yield %{{.*}} : tensor<f32>, tensor<12x1xf32>,
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1, {{.*}} : tensor<4xf32>, tensor<4x12x1xf32>,
// CHECK:       func.func @tiny_eval(
// CHECK:         ccrnn.ensemble 4 networks(
// CHECK:           ccrnn.ensemble_yield %{{.*}} : tensor<f32>, tensor<2x5x2xf32>
// CHECK:         return {{.*}} : tensor<4xf32>, tensor<4x2x5x2xf32>

// ONE:         func.func @tiny_train(%arg0: tensor<1x12x1xf32>
// ONE:           ccrnn.ensemble 1 networks(

// MODEL: error: 'ccrnn.model' op cannot be part of an ensemble program: run the training pipeline through --convert-ccrnn-to-onednn first
