// A long window (pixel-by-pixel MNIST under full BPTT: 784 steps) gives a
// program of the same size as a 2-step window: the time loop lives inside
// ccrnn.lstm_seq / ccrnn.lstm_seq_grad, so neither the window nor its
// gradient is unrolled.
// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=784 steps=784 batch=2' --ccrnn-autodiff | FileCheck %s
// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=784 steps=784 batch=2' --ccrnn-autodiff | wc -l > %t.long
// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=2 steps=2 batch=2' --ccrnn-autodiff | wc -l > %t.short
// RUN: diff %t.long %t.short

// CHECK-LABEL: func.func private @pixel_window_last_grad
// CHECK-COUNT-1: ccrnn.lstm_seq {{.*}} -> tensor<2x784x32xf32>
// CHECK-COUNT-1: ccrnn.lstm_seq_grad
// CHECK-LABEL: func.func @pixel_train
// CHECK-NOT:     scf.for
// CHECK:         call @pixel_window_last_grad
ccrnn.model @pixel(%x: !ccrnn.seq<1>) -> !ccrnn.seq<10> {
  %h = ccrnn.lstm %x hidden = 32 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 32>
  %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<lstm, 32> -> !ccrnn.seq<10>
  ccrnn.cerebellum %h layers = 1 : !ccrnn.rnn<lstm, 32>
  ccrnn.return %y loss = xent : !ccrnn.seq<10>
}
