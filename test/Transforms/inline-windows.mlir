// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=2 interval=1 batch=2 steps=5' \
// RUN:   --ccrnn-autodiff --ccrnn-optimize --ccrnn-inline-windows | FileCheck %s

ccrnn.model @tiny(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 4 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// Windows of 2, 2 and 1 steps: the regular window's gradient function is
// called only in the loop, so it is inlined and removed; the last window's
// is called once, after the loop, and stays a function.
// CHECK-NOT:   func.func private @tiny_window_grad(
// CHECK:       func.func private @tiny_window_last_grad(
// CHECK:       func.func @tiny_train(
// CHECK:         scf.for
// CHECK-NOT:       func.call
// CHECK:           ccrnn.lstm_seq %{{.*}} : tensor<2x2x1xf32>
// CHECK:           ccrnn.lstm_seq_grad
// The window's weight gradients and their accumulation, side by side.
// CHECK:           %[[G:.*]] = ccrnn.matmul %{{.*}}, %{{.*}} {transpose_lhs} : tensor<2x4xf32>, tensor<2x6xf32> -> tensor<4x6xf32>
// CHECK:           ccrnn.add %{{.*}}, %[[G]] : tensor<4x6xf32>
// CHECK:           scf.yield
// CHECK:         call @tiny_window_last_grad(
