// RUN: ccrnn-opt %s --ccrnn-build-training='batch=2 steps=3 first-window' | FileCheck %s --check-prefix=FIRST
// RUN: ccrnn-opt %s --ccrnn-build-training='batch=2 steps=3' | FileCheck %s --check-prefix=LATER
// RUN: ccrnn-opt %s --ccrnn-build-training='batch=2 steps=3 first-window' --ccrnn-autodiff --ccrnn-optimize --ccrnn-inline-windows | FileCheck %s --check-prefix=GRAD
// RUN: ccrnn-opt %s --ccrnn-build-training='batch=2 steps=3 first-window decode=3' | FileCheck %s --check-prefix=DECODE
// A token model's programs: one window each, the optimizer stepping after
// every window (the reference's captioning).

// The first window: the image's step, then steps - 1 tokens; the batch
// norm on the batch, its running statistics updated (unbiased variance:
// 0.1 * 2 / (2 - 1)); the dropout mask over every step's input.
// FIRST-LABEL: func.func private @cap_window(
// FIRST-SAME:    {ccrnn.name = "vector"}, %{{.*}}: tensor<4xi64> {ccrnn.name = "input"}, %{{.*}}: tensor<6xi64> {ccrnn.name = "target"}, %{{.*}}: tensor<2x3x4xf32> {ccrnn.name = "dropout_mask"}, %{{.*}}: tensor<4xf32> {ccrnn.name = "encoder.bn.running_mean"}, %{{.*}}: tensor<4xf32> {ccrnn.name = "encoder.bn.running_var"})
// FIRST:         ccrnn.truncate
// FIRST:         ccrnn.synthesizer_target
// FIRST:         %[[Y:.*]], %[[MEAN:.*]], %[[VAR:.*]] = ccrnn.batch_norm_train
// FIRST:         ccrnn.scale %[[MEAN]] by 1.000000e-01
// FIRST:         ccrnn.scale %[[VAR]] by 2.000000e-01
// FIRST:         %[[E:.*]] = ccrnn.gather_rows %{{.*}}[%{{.*}}] : tensor<7x4xf32>, tensor<4xi64> -> tensor<4x4xf32>
// FIRST:         %[[W:.*]] = ccrnn.reshape %[[E]] : tensor<4x4xf32> -> tensor<2x2x4xf32>
// FIRST:         %[[I:.*]] = ccrnn.reshape %[[Y]] : tensor<2x4xf32> -> tensor<2x1x4xf32>
// FIRST:         %[[X:.*]] = ccrnn.concat %[[I]], %[[W]] {axis = 1 : i64}
// FIRST:         %[[D:.*]] = ccrnn.mul %[[X]], %{{.*}} : tensor<2x3x4xf32>
// FIRST:         ccrnn.lstm_seq %[[D]]
// The vocabulary-wide softmax takes the float32 kernel.
// FIRST:         ccrnn.xent_loss %{{.*}}, %{{.*}} {f32_softmax} : tensor<6x7xf32>, tensor<6xi64> -> tensor<f32>
// FIRST:         ccrnn.synthetic_gradient
// FIRST-LABEL: func.func @cap_train(
// FIRST-SAME:    ccrnn.role = #ccrnn.role<vector_input>
// FIRST-SAME:    ccrnn.role = #ccrnn.role<dropout_mask>
// FIRST-SAME:    ccrnn.role = #ccrnn.role<statistic>
// FIRST-SAME:    ccrnn.role = #ccrnn.role<new_statistic>
// FIRST-SAME:    options = "bptt=1 interval=1 batch=2 steps=3 first-window"
// FIRST:         ccrnn.value_and_grad @cap_window
// The evaluation: the running statistics, no dropout, the state in and out.
// FIRST-LABEL: func.func @cap_eval(
// FIRST-NOT:     dropout_mask
// FIRST-SAME:    -> (tensor<f32> {{.*}}, tensor<2x3x7xf32> {{.*}}prediction{{.*}}, tensor<2x3xf32> {{.*}}final_state{{.*}}, tensor<2x3xf32>
// FIRST:         ccrnn.batch_norm_inference
// FIRST-NOT:     ccrnn.mul
// FIRST:         return

// A later window: steps tokens, no image, no statistics.
// LATER-LABEL: func.func private @cap_window(
// LATER-NOT:     vector
// LATER-SAME:    %{{.*}}: tensor<6xi64> {ccrnn.name = "input"}, %{{.*}}: tensor<6xi64> {ccrnn.name = "target"}, %{{.*}}: tensor<2x3x4xf32> {ccrnn.name = "dropout_mask"})
// LATER-NOT:     ccrnn.batch_norm
// LATER:         ccrnn.gather_rows %{{.*}}[%{{.*}}] : tensor<7x4xf32>, tensor<6xi64> -> tensor<6x4xf32>
// LATER-NOT:     ccrnn.concat {{.*}}tensor<2x1x4xf32>
// LATER:         return
// LATER-LABEL: func.func @cap_eval(
// LATER-NOT:     ccrnn.batch_norm
// LATER:         return

// The embedding's gradient sums rows into the table; the batch norm has
// its own; the loss's gradient keeps the float32 softmax.
// GRAD-LABEL: func.func private @cap_window_grad(
// GRAD:         ccrnn.xent_loss_grad %{{.*}}, %{{.*}}, %{{.*}} {f32_softmax}
// GRAD:         ccrnn.scatter_add_rows %{{.*}}[%{{.*}}] : tensor<4x4xf32>, tensor<4xi64> -> tensor<7x4xf32>
// GRAD:         ccrnn.batch_norm_grad
// The greedy decoder: the image's step from the zero state, the batch norm
// on its running statistics, then each step fed the embedding of the last
// step's most likely token; no dropout; a [batch] of tokens a step.
// DECODE:       ccrnn.trainer = #ccrnn.trainer<{{.*}}options = "bptt=1 interval=1 batch=2 steps=3 first-window decode=3"{{.*}}decode = @cap_decode>
// DECODE-LABEL: func.func @cap_decode(
// DECODE-SAME:    %{{.*}}: tensor<2x5xf32> {ccrnn.name = "vector", ccrnn.role = #ccrnn.role<vector_input>}, %{{.*}}: tensor<4xf32> {ccrnn.name = "encoder.bn.running_mean", ccrnn.role = #ccrnn.role<statistic>}, %{{.*}}: tensor<4xf32> {ccrnn.name = "encoder.bn.running_var", ccrnn.role = #ccrnn.role<statistic>})
// DECODE-SAME:    -> (tensor<2xi64> {ccrnn.name = "token.0", ccrnn.role = #ccrnn.role<decoded>}, tensor<2xi64> {ccrnn.name = "token.1", ccrnn.role = #ccrnn.role<decoded>}, tensor<2xi64> {ccrnn.name = "token.2", ccrnn.role = #ccrnn.role<decoded>})
// DECODE:         %[[N:.*]] = ccrnn.batch_norm_inference
// DECODE:         %[[X0:.*]] = ccrnn.reshape %[[N]] : tensor<2x4xf32> -> tensor<2x1x4xf32>
// DECODE:         %[[H0:.*]] = arith.constant dense<0.000000e+00> : tensor<2x3xf32>
// DECODE:         %{{.*}}, %[[H1:.*]], %[[C1:.*]] = ccrnn.lstm_seq %[[X0]], %[[H0]],
// DECODE:         %[[T0:.*]] = ccrnn.argmax_rows %{{.*}} : tensor<2x7xf32> -> tensor<2xi64>
// DECODE-NEXT:    %[[E1:.*]] = ccrnn.gather_rows %{{.*}}[%[[T0]]] : tensor<7x4xf32>, tensor<2xi64> -> tensor<2x4xf32>
// DECODE-NEXT:    %[[X1:.*]] = ccrnn.reshape %[[E1]] : tensor<2x4xf32> -> tensor<2x1x4xf32>
// DECODE-NEXT:    ccrnn.lstm_seq %[[X1]], %[[H1]], %[[C1]],
// DECODE-NOT:     ccrnn.mul
// DECODE:         %[[T1:.*]] = ccrnn.argmax_rows
// DECODE:         %[[T2:.*]] = ccrnn.argmax_rows
// DECODE-NEXT:    return %[[T0]], %[[T1]], %[[T2]] : tensor<2xi64>, tensor<2xi64>, tensor<2xi64>

ccrnn.model @cap(%image: !ccrnn.vec<5>, %words: !ccrnn.tokens<7>) -> !ccrnn.seq<7> {
  %e = ccrnn.linear %image features = 4 : !ccrnn.vec<5> -> !ccrnn.vec<4>
  %n = ccrnn.batch_norm %e momentum = 0.1 : !ccrnn.vec<4>
  %w = ccrnn.embedding %words features = 4 : !ccrnn.tokens<7> -> !ccrnn.seq<4>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<4>, !ccrnn.seq<4>
  %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<4>
  %h = ccrnn.lstm %d hidden = 3 : !ccrnn.seq<4> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 7 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<7>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<7>
}
