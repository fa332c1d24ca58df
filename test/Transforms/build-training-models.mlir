// RUN: ccrnn-opt %s --split-input-file --ccrnn-build-training='bptt=2 batch=2 steps=3' | FileCheck %s --check-prefix=BUILD
// RUN: ccrnn-opt %s --split-input-file --ccrnn-build-training='bptt=2 batch=2 steps=3' --ccrnn-autodiff | FileCheck %s --check-prefix=AD
// More shapes of ccrnn-build-training: classification, tanh cells, a linear
// synthesizer, stacked layers.

// Classification: only the last window has a loss, read from the last
// step's hidden state; the other windows return 0 and only carry the
// synthetic gradient.
ccrnn.model @classify(%x: !ccrnn.seq<1>) -> !ccrnn.seq<3> {
  %h = ccrnn.rnn_tanh %x hidden = 4 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 4>
  %y = ccrnn.linear %h features = 3 : !ccrnn.rnn<tanh, 4> -> !ccrnn.seq<3>
  ccrnn.cerebellum %h layers = 0 : !ccrnn.rnn<tanh, 4>
  ccrnn.return %y loss = xent : !ccrnn.seq<3>
}
// BUILD-LABEL: func.func private @classify_window(
// BUILD-NOT:     {ccrnn.name = "target"}
// BUILD:         %[[S0:.*]] = ccrnn.truncate
// BUILD:         %[[P0:.*]] = ccrnn.add
// BUILD:         ccrnn.synthesizer_target %[[S0]], %[[P0]] : tensor<2x4xf32>
// BUILD:         %{{.*}}, %[[HT:.*]] = ccrnn.rnn_tanh_seq %{{.*}}, %[[S0]],
// BUILD:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// BUILD:         ccrnn.synthetic_gradient %[[HT]]
// BUILD:         return %[[ZERO]], %[[HT]]
// BUILD-LABEL: func.func private @classify_window_last(
// BUILD-SAME:    tensor<2xi64> {ccrnn.name = "target"}
// BUILD:         %{{.*}}, %[[HT:.*]] = ccrnn.rnn_tanh_seq
// BUILD:         %[[LOGITS:.*]] = ccrnn.add
// BUILD:         ccrnn.xent_loss %[[LOGITS]], %{{.*}} : tensor<2x3xf32>, tensor<2xi64> -> tensor<f32>
// BUILD-LABEL: func.func @classify_train(
// BUILD-SAME:    tensor<2xi64> {ccrnn.name = "target", ccrnn.role = #ccrnn.role<target>}
// BUILD-NOT:     ccrnn.supervised_steps
// BUILD:         return
// BUILD-LABEL: func.func @classify_eval(
// BUILD:         -> (tensor<f32> {ccrnn.name = "loss", ccrnn.role = #ccrnn.role<loss>}, tensor<2x3xf32> {ccrnn.name = "prediction", ccrnn.role = #ccrnn.role<prediction>})
// BUILD:         ccrnn.xent_loss

// AD-LABEL:    func.func private @classify_window_grad(
// AD-NOT:        ccrnn.xent_loss_grad
// AD:            ccrnn.rnn_tanh_seq_grad
// AD-LABEL:    func.func private @classify_window_last_grad(
// AD:            ccrnn.xent_loss_grad
// AD:            ccrnn.rnn_tanh_seq_grad

// -----

// A cRNN with two stacked layers: no synthesizer anywhere; the second
// layer reads the first layer's hidden sequence.
ccrnn.model @stacked(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3, layers = 2 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3, layers = 2>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3, layers = 2> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}
// BUILD-LABEL: func.func private @stacked_window(
// BUILD-NOT:     ccrnn.synthe
// BUILD:         %[[L0:.*]], %{{.*}}, %{{.*}} = ccrnn.lstm_seq %{{.*}} -> tensor<2x2x3xf32>
// BUILD:         ccrnn.lstm_seq %[[L0]], {{.*}} : tensor<2x2x3xf32>, tensor<2x3xf32>, tensor<12x3xf32>
// BUILD:         return %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
