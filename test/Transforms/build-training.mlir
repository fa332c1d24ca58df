// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=2 interval=2 batch=2 steps=3' | FileCheck %s --check-prefix=BUILD
// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=2 interval=2 batch=2 steps=3' --ccrnn-autodiff | FileCheck %s --check-prefix=AD

// A tiny ccRNN: LSTM of 3 units, synthesizer 1x4, 3 steps in windows of 2.
ccrnn.model @tiny(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// After build-training: the window of 2 steps. Its first state is cut, the
// synthesizer's prediction at s0 = [h, c] is trained there, the LSTM reads its
// state back out of s0, and the prediction at the final state is injected.
// BUILD-NOT:   ccrnn.model
// BUILD-LABEL: func.func private @tiny_window(
// BUILD-SAME:    {ccrnn.name = "rnn.rnn.weight_ih_l0"}
// BUILD-SAME:    {ccrnn.name = "rnn.backward_interface.synthesizer.layers.0.weight"}
// BUILD-SAME:    {ccrnn.name = "state.h_l0"}, %[[C:[a-z0-9]+]]: tensor<2x3xf32> {ccrnn.name = "state.c_l0"}
// BUILD-SAME:    %[[X:[a-z0-9]+]]: tensor<2x2x1xf32> {ccrnn.name = "input"}
// BUILD-SAME:    %[[START:[a-z0-9]+]]: index {ccrnn.name = "start"}
// BUILD:         %[[H0:.*]] = ccrnn.truncate %{{.*}} : tensor<2x3xf32>
// BUILD:         %[[C0:.*]] = ccrnn.truncate %[[C]] : tensor<2x3xf32>
// BUILD:         %[[S0:.*]] = ccrnn.concat %[[H0]], %[[C0]] {axis = 1 : i64} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x6xf32>
// BUILD:         ccrnn.matmul %[[S0]], %{{.*}} {transpose_rhs}
// BUILD:         ccrnn.relu
// BUILD:         %[[P0:.*]] = ccrnn.add
// BUILD:         ccrnn.synthesizer_target %[[S0]], %[[P0]] : tensor<2x6xf32>
// BUILD:         %[[ST:.*]]:2 = ccrnn.split %[[S0]]
// BUILD:         %[[HS:.*]], %[[HT:.*]], %[[CT:.*]] = ccrnn.lstm_seq %[[X]], %[[ST]]#0, %[[ST]]#1,
// BUILD:         %[[L:.*]] = ccrnn.mse_loss %{{.*}}, %{{.*}} start %[[START]] {interval = 2 : i64} : tensor<2x2x2xf32> -> tensor<f32>
// BUILD:         %[[S1:.*]] = ccrnn.concat %[[HT]], %[[CT]]
// BUILD:         ccrnn.relu
// BUILD:         %[[P1:.*]] = ccrnn.add
// BUILD:         ccrnn.synthetic_gradient %[[S1]], %[[P1]] {scale = 1.000000e-01 : f64} : tensor<2x6xf32>
// BUILD:         return %[[L]], %[[HT]], %[[CT]]

// The last window has 1 step.
// BUILD-LABEL: func.func private @tiny_window_last(
// BUILD:         ccrnn.lstm_seq {{.*}} -> tensor<2x1x3xf32>

// The training loop: one full window in the loop, then the last window.
// BUILD-LABEL: func.func @tiny_train(
// BUILD-SAME:    %{{.*}}: tensor<12x1xf32> {ccrnn.name = "rnn.rnn.weight_ih_l0", ccrnn.parameter = #ccrnn.parameter<init = uniform, bound = 0.57735026918962584 : f64, group = recurrent>, ccrnn.role = #ccrnn.role<parameter>}
// BUILD-SAME:    {ccrnn.name = "rnn.backward_interface.synthesizer.input_trigger.bias", ccrnn.parameter = #ccrnn.parameter<init = uniform, bound = 0.40824829046386307 : f64, group = synthesizer>, ccrnn.role = #ccrnn.role<parameter>}
// BUILD-SAME:    {ccrnn.name = "rnn.backward_interface.synthesizer.layers.0.weight", ccrnn.parameter = #ccrnn.parameter<init = zeros, bound = 0.000000e+00 : f64, group = synthesizer>, ccrnn.role = #ccrnn.role<parameter>}
// BUILD-SAME:    {ccrnn.name = "input", ccrnn.role = #ccrnn.role<input>}
// BUILD-SAME:    -> (tensor<f32> {ccrnn.name = "loss", ccrnn.role = #ccrnn.role<loss>}, tensor<12x1xf32> {ccrnn.name = "rnn.rnn.weight_ih_l0", ccrnn.role = #ccrnn.role<gradient>}
// The program's description and its other entry point, as a symbol.
// BUILD-SAME:    attributes {ccrnn.trainer = #ccrnn.trainer<model = "tiny", options = "bptt=2 interval=2 batch=2 steps=3", hasCerebellum = true, classify = false, predictLast = false, eval = @tiny_eval>}
// BUILD:         scf.for %[[W:.*]] = %{{.*}} to %{{.*}} step
// BUILD:           %[[T0:.*]] = arith.muli %[[W]], %{{.*}} : index
// BUILD:           %[[XW:.*]] = ccrnn.time_slice %{{.*}} at %[[T0]] : tensor<2x3x1xf32> -> tensor<2x2x1xf32>
// BUILD:           ccrnn.value_and_grad @tiny_window({{.*}}%[[XW]], %{{.*}}, %[[T0]]) {num_params = 10 : i64}
// BUILD:           ccrnn.supervised_steps %[[T0]] {interval = 2 : i64, steps = 2 : i64}
// BUILD:           scf.yield
// BUILD:         ccrnn.value_and_grad @tiny_window_last(
// BUILD:         ccrnn.scale %{{.*}} by 0.66666666666666663 : tensor<f32>

// Evaluation: the whole sequence from zero, no synthesizer, mean squared
// distance per point.
// BUILD-LABEL: func.func @tiny_eval(
// BUILD:         ccrnn.lstm_seq {{.*}} -> tensor<2x3x3xf32>
// BUILD-NOT:     ccrnn.synthe
// BUILD:         %[[M:.*]] = ccrnn.mse_loss %{{.*}}, %{{.*}} : tensor<2x3x2xf32> -> tensor<f32>
// BUILD:         ccrnn.scale %[[M]] by 2.000000e+00

// After autodiff: markers are gone; the window's gradient function runs the
// forward pass, then the reverse sweep.
// AD-NOT:      ccrnn.truncate
// AD-NOT:      ccrnn.synthe
// AD-NOT:      ccrnn.value_and_grad
// AD-LABEL:    func.func private @tiny_window_grad(
// AD-SAME:       -> (tensor<f32> {ccrnn.name = "loss"}, tensor<2x3xf32>, tensor<2x3xf32>, tensor<12x1xf32> {ccrnn.name = "grad.rnn.rnn.weight_ih_l0"}
// AD:            %[[S0:.*]] = ccrnn.concat %arg10, %arg11
// AD:            ccrnn.relu
// AD:            %[[P0:.*]] = ccrnn.add
// AD:            %[[ST:.*]]:2 = ccrnn.split %[[S0]]
// AD:            ccrnn.lstm_seq %{{.*}}, %[[ST]]#0, %[[ST]]#1
// AD:            ccrnn.relu
// AD:            %[[P1:.*]] = ccrnn.add
// AD:            %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// The synthetic gradient 0.1 * S(s1) seeds the final state's cotangent.
// AD:            %[[SG:.*]] = ccrnn.scale %[[P1]] by 1.000000e-01
// AD:            %[[SGS:.*]]:2 = ccrnn.split %[[SG]]
// AD:            ccrnn.mse_loss_grad %{{.*}}, %{{.*}}, %[[ONE]] start
// AD:            %{{[a-z_0-9]+}}, %[[DH0:[a-z_0-9]+]], %[[DC0:[a-z_0-9]+]], %[[DWIH:[a-z_0-9]+]], %{{.*}} = ccrnn.lstm_seq_grad {{.*}} cotangents %{{.*}}, %[[SGS]]#0, %[[SGS]]#1
// The gradient g arriving at s0 trains the synthesizer: 2 (S(s0) - g).
// AD:            %[[G:.*]] = ccrnn.concat %[[DH0]], %[[DC0]]
// AD:            %[[ERR:.*]] = ccrnn.sub %[[P0]], %[[G]]
// AD:            ccrnn.scale %[[ERR]] by 2.000000e+00
// AD:            ccrnn.step
// AD:            return %{{.*}}, %{{.*}}, %{{.*}}, %[[DWIH]],
// AD-LABEL:    func.func private @tiny_window_last_grad(
// AD-LABEL:    func.func @tiny_train(
// AD:            scf.for
// AD:              {{(func.)?}}call @tiny_window_grad(
// AD:            {{(func.)?}}call @tiny_window_last_grad(

