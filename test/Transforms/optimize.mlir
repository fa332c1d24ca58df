// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=1 batch=2 steps=4' --ccrnn-autodiff | FileCheck %s --check-prefix=BEFORE
// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=1 batch=2 steps=4' --ccrnn-autodiff --ccrnn-optimize | FileCheck %s

// Before: every window evaluates the synthesizer twice, on s0 and on s1.
// BEFORE-LABEL: func.func private @tiny_window_grad(
// BEFORE-COUNT-2: ccrnn.matmul %{{.*}}, %arg4 {transpose_rhs}
// BEFORE-NOT:     ccrnn.matmul %{{.*}}, %arg4 {transpose_rhs}
// BEFORE:         return

// After: S(s0) comes in from the previous window (pre-activation, hidden
// activity, prediction), S(s1) goes out to the next, and the synthesizer's
// forward pass runs once per window.
// CHECK-LABEL: func.func private @tiny_window_grad(
// CHECK-SAME:    %[[A0:[a-z0-9]+]]: tensor<2x4xf32> {ccrnn.name = "carried.0"}, %[[R0:[a-z0-9]+]]: tensor<2x4xf32> {ccrnn.name = "carried.1"}, %[[P0:[a-z0-9]+]]: tensor<2x6xf32> {ccrnn.name = "carried.2"})
// CHECK-COUNT-1: ccrnn.matmul %{{.*}}, %arg4 {transpose_rhs}
// CHECK:         %[[A1:.*]] = ccrnn.add
// CHECK:         %[[R1:.*]] = ccrnn.relu %[[A1]]
// CHECK:         %[[P1:.*]] = ccrnn.add
// CHECK:         ccrnn.sub %[[P0]], %{{.*}}
// CHECK:         ccrnn.matmul %{{.*}}, %[[R0]] {transpose_lhs}
// CHECK:         ccrnn.step %[[A0]]
// CHECK-NOT:     ccrnn.matmul %{{.*}}, %arg4 {transpose_rhs}
// CHECK:         return {{.*}}, %[[A1]], %[[R1]], %[[P1]] :

// The training loop computes S(0) once before the loop and carries it.
// CHECK-LABEL: func.func @tiny_train(
// CHECK:         %[[S0:.*]] = ccrnn.concat
// CHECK:         ccrnn.matmul %[[S0]], %arg4 {transpose_rhs}
// CHECK:         %[[I0:.*]] = ccrnn.add
// CHECK:         %[[I1:.*]] = ccrnn.relu %[[I0]]
// CHECK:         %[[I2:.*]] = ccrnn.add
// CHECK:         %[[LOOP:.*]]:16 = scf.for {{.*}} iter_args({{.*}}, %[[C0:.*]] = %[[I0]], %[[C1:.*]] = %[[I1]], %[[C2:.*]] = %[[I2]])
// CHECK:           %[[W:.*]]:16 = func.call @tiny_window_grad({{.*}}, %[[C0]], %[[C1]], %[[C2]])
// CHECK:           scf.yield {{.*}}, %[[W]]#13, %[[W]]#14, %[[W]]#15 :
// CHECK:         call @tiny_window_grad({{.*}}, %[[LOOP]]#13, %[[LOOP]]#14, %[[LOOP]]#15)
ccrnn.model @tiny(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y : !ccrnn.seq<2>
}
