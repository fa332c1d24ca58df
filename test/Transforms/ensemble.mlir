// RUN: ccrnn-opt %s --ccrnn-trainer-pipeline='bptt=2 interval=1 batch=2 steps=5' \
// RUN:   --ccrnn-ensemble=size=4 | FileCheck %s
// Size 1 is one network: the attribute says so.
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

// The program is unchanged but for the attribute: its types are one
// network's, and every value stands for 4 of them.
// CHECK:       module attributes {ccrnn.ensemble = 4 : i64}
// CHECK:         func.func @tiny_train(
// CHECK-SAME:      %arg0: tensor<12x1xf32>
// CHECK:           ccrnn.lstm_seq %{{.*}} : tensor<2x2x1xf32>

// ONE: module attributes {ccrnn.ensemble = 1 : i64}

// MODEL: error: 'ccrnn.model' op cannot be part of an ensemble program: run the training pipeline through --convert-ccrnn-to-onednn first
