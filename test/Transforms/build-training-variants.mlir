// RUN: ccrnn-opt %s --split-input-file --ccrnn-build-training='bptt=2 batch=2 steps=3' | FileCheck %s --check-prefix=TRAIN
// RUN: ccrnn-opt %s --split-input-file --ccrnn-build-training='bptt=2 batch=2 steps=3 cerebellum=frozen' | FileCheck %s --check-prefix=FROZEN --implicit-check-not=ccrnn.synthesizer_target
// RUN: ccrnn-opt %s --split-input-file --ccrnn-build-training='bptt=2 batch=2 steps=3 cerebellum=off' | FileCheck %s --check-prefix=OFF --implicit-check-not=ccrnn.synthe --implicit-check-not=ccrnn.relu --implicit-check-not=ccrnn.one_hot
// RUN: ccrnn-opt %s --split-input-file --ccrnn-build-training='bptt=2 batch=2 steps=3 fibres=3 record' | FileCheck %s --check-prefix=FIBRES
// RUN: ccrnn-opt %s --split-input-file --ccrnn-build-training='bptt=2 batch=2 steps=5 record' | FileCheck %s --check-prefix=RECORD
// RUN: ccrnn-opt %s --split-input-file --ccrnn-build-training='bptt=2 batch=2 steps=3 record' --ccrnn-autodiff | FileCheck %s --check-prefix=AD --implicit-check-not=ccrnn.synthe --implicit-check-not=ccrnn.truncate --implicit-check-not=ccrnn.value_and_grad

// The variants of ccrnn-build-training (SPEC §2, §4): the lesions
// (cerebellum=frozen|off), sparse fibres, stacked layers sharing one
// synthesizer, the target context, and the recording of feedback.

// A one-layer LSTM ccRNN.
ccrnn.model @lstm(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// Training: the state is an argument after the target, and a result after
// the gradients.
// TRAIN-LABEL: func.func @lstm_train(
// TRAIN-SAME:    {ccrnn.name = "target", ccrnn.role = #ccrnn.role<target>}, %{{.*}}: tensor<2x3xf32> {ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<state>}, %{{.*}}: tensor<2x3xf32> {ccrnn.name = "state.c_l0", ccrnn.role = #ccrnn.role<state>}) -> (
// TRAIN-SAME:    {ccrnn.name = "linear.bias", ccrnn.role = #ccrnn.role<gradient>}, tensor<2x3xf32> {ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<final_state>}, tensor<2x3xf32> {ccrnn.name = "state.c_l0", ccrnn.role = #ccrnn.role<final_state>})

// Frozen (inferior-olive lesion): S(s1) is still injected, but nothing
// trains S (no ccrnn.synthesizer_target anywhere): the LSTM starts from the
// cut state itself.
// FROZEN-LABEL: func.func private @lstm_window(
// FROZEN:         %[[H0:.*]] = ccrnn.truncate
// FROZEN:         %[[C0:.*]] = ccrnn.truncate
// FROZEN-NOT:     ccrnn.relu
// FROZEN:         %{{.*}}, %[[HT:[a-z_0-9]+]], %[[CT:[a-z_0-9]+]] = ccrnn.lstm_seq %{{.*}}, %[[H0]], %[[C0]],
// FROZEN:         %[[S1:.*]] = ccrnn.concat %[[HT]], %[[CT]]
// FROZEN:         ccrnn.relu
// FROZEN:         %[[P1:.*]] = ccrnn.add
// FROZEN:         ccrnn.synthetic_gradient %[[S1]], %[[P1]] {scale = 1.000000e-01 : f64} : tensor<2x6xf32>
// FROZEN:         return
// FROZEN-LABEL: func.func private @lstm_window_last(
// FROZEN:         ccrnn.synthetic_gradient
// FROZEN-LABEL: func.func @lstm_train(

// Off (ablation): the cRNN program, over the same parameter list: no
// synthesizer in any function, but its parameters are still arguments and
// still get (zero) gradients.
// OFF-LABEL: func.func private @lstm_window(
// OFF:         %[[H0:.*]] = ccrnn.truncate
// OFF:         %[[C0:.*]] = ccrnn.truncate
// OFF:         ccrnn.lstm_seq %{{.*}}, %[[H0]], %[[C0]],
// OFF:         ccrnn.mse_loss
// OFF:         return
// OFF-LABEL: func.func @lstm_train(
// OFF-SAME:    ccrnn.name = "rnn.backward_interface.synthesizer.input_trigger.weight", ccrnn.parameter = #ccrnn.parameter<{{[^>]*}}>, ccrnn.role = #ccrnn.role<parameter>}
// OFF-SAME:    -> (tensor<f32> {ccrnn.name = "loss", ccrnn.role = #ccrnn.role<loss>},
// OFF-SAME:    tensor<4x6xf32> {ccrnn.name = "rnn.backward_interface.synthesizer.input_trigger.weight", ccrnn.role = #ccrnn.role<gradient>}
// OFF:         ccrnn.value_and_grad @lstm_window({{.*}}) {num_params = 10 : i64}

// Sparse fibres: the windows take the mask last and multiply the input
// trigger's weight by it, both where S is trained (s0) and where it is
// injected (s1); @m_train and @m_record take it last too.
// FIBRES-LABEL: func.func private @lstm_window(
// FIBRES-SAME:    %[[W0:[a-z0-9]+]]: tensor<4x6xf32> {ccrnn.name = "rnn.backward_interface.synthesizer.input_trigger.weight"}
// FIBRES-SAME:    %[[MASK:[a-z0-9]+]]: tensor<4x6xf32> {ccrnn.name = "fibre_mask"}) ->
// FIBRES:         %[[S0:.*]] = ccrnn.concat
// FIBRES:         %[[M0:.*]] = ccrnn.mul %[[W0]], %[[MASK]] : tensor<4x6xf32>
// FIBRES:         ccrnn.matmul %[[S0]], %[[M0]] {transpose_rhs}
// FIBRES:         ccrnn.synthesizer_target %[[S0]]
// FIBRES:         %[[S1:.*]] = ccrnn.concat
// FIBRES:         %[[M1:.*]] = ccrnn.mul %[[W0]], %[[MASK]] : tensor<4x6xf32>
// FIBRES:         ccrnn.matmul %[[S1]], %[[M1]] {transpose_rhs}
// FIBRES:         ccrnn.synthetic_gradient %[[S1]]
// FIBRES-LABEL: func.func @lstm_train(
// FIBRES-SAME:    {ccrnn.name = "state.c_l0", ccrnn.role = #ccrnn.role<state>}, %[[TMASK:[a-z0-9]+]]: tensor<4x6xf32> {ccrnn.name = "fibre_mask", ccrnn.role = #ccrnn.role<fibre_mask>}) -> (
// FIBRES:         ccrnn.value_and_grad @lstm_window({{.*}}, %[[TMASK]]) {num_params = 10 : i64}
// FIBRES:         ccrnn.value_and_grad @lstm_window_last({{.*}}, %[[TMASK]]) {num_params = 10 : i64}
// FIBRES-LABEL: func.func @lstm_eval(
// FIBRES-SAME:    {ccrnn.name = "target", ccrnn.role = #ccrnn.role<target>}) -> (
// FIBRES-LABEL: func.func @lstm_record(
// FIBRES-SAME:    {ccrnn.name = "state.c_l0", ccrnn.role = #ccrnn.role<state>}, %{{.*}}: tensor<4x6xf32> {ccrnn.name = "fibre_mask", ccrnn.role = #ccrnn.role<fibre_mask>}) -> (

// Recording: the record window is the training window without the cut and
// without S's loss; it returns scale * S(s1) and S's hidden activity.
// RECORD-LABEL: func.func private @lstm_record_window(
// RECORD-NOT:     ccrnn.truncate
// RECORD-NOT:     ccrnn.synthesizer_target
// RECORD:         %[[A:.*]] = ccrnn.relu
// RECORD:         %[[P:.*]] = ccrnn.add
// RECORD:         ccrnn.synthetic_gradient %{{.*}}, %[[P]] {scale = 1.000000e-01 : f64}
// RECORD:         %[[SG:.*]] = ccrnn.scale %[[P]] by 1.000000e-01
// RECORD:         return %{{.*}}, %{{.*}}, %{{.*}}, %[[SG]], %[[A]] :
// The exact window is a piece of full BPTT: no cut, no synthesizer; the true
// gradient arriving at its final state is its last argument.
// RECORD-LABEL: func.func private @lstm_exact_window(
// RECORD-SAME:    {ccrnn.name = "start"}, %[[TRUE:[a-z0-9]+]]: tensor<2x6xf32>) ->
// RECORD-NOT:     ccrnn.truncate
// RECORD-NOT:     ccrnn.relu
// RECORD:         %[[S1:.*]] = ccrnn.concat
// RECORD-NEXT:    ccrnn.synthetic_gradient %[[S1]], %[[TRUE]] {scale = 1.000000e+00 : f64}
// 5 steps in windows of 2: 2 boundaries.
// RECORD-LABEL: func.func @lstm_record(
// RECORD-SAME:    {ccrnn.name = "target", ccrnn.role = #ccrnn.role<target>}, %{{.*}}: tensor<2x3xf32> {ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<state>}, %{{.*}}: tensor<2x3xf32> {ccrnn.name = "state.c_l0", ccrnn.role = #ccrnn.role<state>})
// RECORD-SAME:    -> (tensor<2x1x2x6xf32> {ccrnn.name = "state", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x1x2x6xf32> {ccrnn.name = "synthetic", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x1x2x6xf32> {ccrnn.name = "target_grad", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x1x2x6xf32> {ccrnn.name = "true_grad", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x1x2x4xf32> {ccrnn.name = "activity", ccrnn.role = #ccrnn.role<recorded>})
// RECORD:         ccrnn.value_and_grad @lstm_record_window(
// RECORD:         ccrnn.value_and_grad @lstm_record_window(
// RECORD:         ccrnn.value_and_grad @lstm_record_window_last(
// RECORD:         ccrnn.value_and_grad @lstm_exact_window_last(
// RECORD:         ccrnn.value_and_grad @lstm_exact_window(
// RECORD-NOT:     ccrnn.value_and_grad
// RECORD:         return

// With two windows, the backward sweep of @m_record runs the last exact
// window only; no function is left uncalled with its markers after autodiff
// (what the trainer emitter cannot take).
// AD-LABEL: func.func private @lstm_record_window_grad(
// AD-LABEL: func.func private @lstm_record_window_last_grad(
// AD-NOT:   @lstm_exact_window(
// AD-LABEL: func.func private @lstm_exact_window_last_grad(
// AD-LABEL: func.func @lstm_record(
// AD:         call @lstm_record_window_grad(
// AD:         call @lstm_record_window_last_grad(
// AD:         call @lstm_exact_window_last_grad(

// -----

// Two stacked layers: one synthesizer, shared, sees each layer's [h, c];
// each layer's synthesizer loss is divided by the number of layers.
ccrnn.model @stacked(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3, layers = 2 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3, layers = 2>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3, layers = 2> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3, layers = 2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// TRAIN-LABEL: func.func private @stacked_window(
// TRAIN-SAME:    %[[W0:[a-z0-9]+]]: tensor<4x6xf32> {ccrnn.name = "rnn.backward_interface.synthesizer.input_trigger.weight"}
// TRAIN-SAME:    %[[H0:[a-z0-9]+]]: tensor<2x3xf32> {ccrnn.name = "state.h_l0"}, %[[C0:[a-z0-9]+]]: tensor<2x3xf32> {ccrnn.name = "state.c_l0"}, %[[H1:[a-z0-9]+]]: tensor<2x3xf32> {ccrnn.name = "state.h_l1"}, %[[C1:[a-z0-9]+]]: tensor<2x3xf32> {ccrnn.name = "state.c_l1"}
// TRAIN:         %[[TH0:.*]] = ccrnn.truncate %[[H0]]
// TRAIN:         %[[TC0:.*]] = ccrnn.truncate %[[C0]]
// TRAIN:         %[[TH1:.*]] = ccrnn.truncate %[[H1]]
// TRAIN:         %[[TC1:.*]] = ccrnn.truncate %[[C1]]
// TRAIN:         %[[S00:.*]] = ccrnn.concat %[[TH0]], %[[TC0]]
// TRAIN:         ccrnn.matmul %[[S00]], %[[W0]] {transpose_rhs}
// TRAIN:         ccrnn.synthesizer_target %[[S00]], %{{.*}} {scale = 5.000000e-01 : f64} : tensor<2x6xf32>
// TRAIN:         %[[L0:.*]]:2 = ccrnn.split %[[S00]]
// TRAIN:         %[[S01:.*]] = ccrnn.concat %[[TH1]], %[[TC1]]
// TRAIN:         ccrnn.matmul %[[S01]], %[[W0]] {transpose_rhs}
// TRAIN:         ccrnn.synthesizer_target %[[S01]], %{{.*}} {scale = 5.000000e-01 : f64} : tensor<2x6xf32>
// TRAIN:         %[[L1:.*]]:2 = ccrnn.split %[[S01]]
// TRAIN-NOT:     ccrnn.synthesizer_target
// TRAIN:         %[[SEQ:[a-z_0-9]+]], %[[HT0:[a-z_0-9]+]], %[[CT0:[a-z_0-9]+]] = ccrnn.lstm_seq %{{.*}}, %[[L0]]#0, %[[L0]]#1,
// TRAIN:         %{{.*}}, %[[HT1:[a-z_0-9]+]], %[[CT1:[a-z_0-9]+]] = ccrnn.lstm_seq %[[SEQ]], %[[L1]]#0, %[[L1]]#1,
// TRAIN:         %[[S10:.*]] = ccrnn.concat %[[HT0]], %[[CT0]]
// TRAIN:         ccrnn.matmul %[[S10]], %[[W0]] {transpose_rhs}
// TRAIN:         ccrnn.synthetic_gradient %[[S10]], %{{.*}} {scale = 1.000000e-01 : f64} : tensor<2x6xf32>
// TRAIN:         %[[S11:.*]] = ccrnn.concat %[[HT1]], %[[CT1]]
// TRAIN:         ccrnn.matmul %[[S11]], %[[W0]] {transpose_rhs}
// TRAIN:         ccrnn.synthetic_gradient %[[S11]], %{{.*}} {scale = 1.000000e-01 : f64} : tensor<2x6xf32>
// TRAIN-NOT:     ccrnn.synthe
// TRAIN:         return %{{.*}}, %[[HT0]], %[[CT0]], %[[HT1]], %[[CT1]] :
// TRAIN-LABEL: func.func @stacked_train(
// TRAIN-SAME:    {ccrnn.name = "target", ccrnn.role = #ccrnn.role<target>}, %{{.*}}: tensor<2x3xf32> {ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<state>}, %{{.*}}: tensor<2x3xf32> {ccrnn.name = "state.c_l0", ccrnn.role = #ccrnn.role<state>}, %{{.*}}: tensor<2x3xf32> {ccrnn.name = "state.h_l1", ccrnn.role = #ccrnn.role<state>}, %{{.*}}: tensor<2x3xf32> {ccrnn.name = "state.c_l1", ccrnn.role = #ccrnn.role<state>}) -> (
// TRAIN-SAME:    {ccrnn.name = "linear.bias", ccrnn.role = #ccrnn.role<gradient>}, tensor<2x3xf32> {ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<final_state>}, tensor<2x3xf32> {ccrnn.name = "state.c_l0", ccrnn.role = #ccrnn.role<final_state>}, tensor<2x3xf32> {ccrnn.name = "state.h_l1", ccrnn.role = #ccrnn.role<final_state>}, tensor<2x3xf32> {ccrnn.name = "state.c_l1", ccrnn.role = #ccrnn.role<final_state>})

// Frozen: still one injection per layer.
// FROZEN-LABEL: func.func private @stacked_window(
// FROZEN-COUNT-2: ccrnn.synthetic_gradient
// FROZEN-LABEL: func.func @stacked_train(

// Recording: [boundaries, layers, batch, |s|].
// RECORD-LABEL: func.func @stacked_record(
// RECORD-SAME:    {ccrnn.name = "state.c_l1", ccrnn.role = #ccrnn.role<state>})
// RECORD-SAME:    -> (tensor<2x2x2x6xf32> {ccrnn.name = "state", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x2x2x6xf32> {ccrnn.name = "synthetic", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x2x2x6xf32> {ccrnn.name = "target_grad", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x2x2x6xf32> {ccrnn.name = "true_grad", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x2x2x4xf32> {ccrnn.name = "activity", ccrnn.role = #ccrnn.role<recorded>})

// -----

// Target context, classification: the synthesizer's first layer adds
// W_c one_hot(class) + b_c, at s0 and at s1.
ccrnn.model @classify(%x: !ccrnn.seq<1>) -> !ccrnn.seq<3> {
  %h = ccrnn.rnn_tanh %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 3>
  %y = ccrnn.linear %h features = 3 : !ccrnn.rnn<tanh, 3> -> !ccrnn.seq<3>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1, target_context : !ccrnn.rnn<tanh, 3>
  ccrnn.return %y loss = xent : !ccrnn.seq<3>
}

// TRAIN-LABEL: func.func private @classify_window(
// TRAIN-SAME:    %[[WC:[a-z0-9]+]]: tensor<4x3xf32> {ccrnn.name = "rnn.backward_interface.synthesizer.input_context.weight"}, %[[BC:[a-z0-9]+]]: tensor<4xf32> {ccrnn.name = "rnn.backward_interface.synthesizer.input_context.bias"}
// TRAIN-SAME:    %[[CTX:[a-z0-9]+]]: tensor<2x3xf32> {ccrnn.name = "context"}) ->
// TRAIN:         %[[S0:.*]] = ccrnn.truncate
// TRAIN:         %[[A0:.*]] = ccrnn.add
// TRAIN:         %[[CM0:.*]] = ccrnn.matmul %[[CTX]], %[[WC]] {transpose_rhs}
// TRAIN:         %[[CB0:.*]] = ccrnn.broadcast %[[BC]]
// TRAIN:         %[[C0:.*]] = ccrnn.add %[[CM0]], %[[CB0]]
// TRAIN:         %[[SUM0:.*]] = ccrnn.add %[[A0]], %[[C0]]
// TRAIN:         ccrnn.relu %[[SUM0]]
// TRAIN:         ccrnn.synthesizer_target %[[S0]]
// TRAIN:         ccrnn.matmul %[[CTX]], %[[WC]] {transpose_rhs}
// TRAIN:         ccrnn.synthetic_gradient
// TRAIN-LABEL: func.func @classify_train(
// TRAIN-SAME:    %[[LABELS:[a-z0-9]+]]: tensor<2xi64> {ccrnn.name = "target", ccrnn.role = #ccrnn.role<target>}
// TRAIN:         %[[ONEHOT:.*]] = ccrnn.one_hot %[[LABELS]] : tensor<2xi64> -> tensor<2x3xf32>
// TRAIN:         ccrnn.value_and_grad @classify_window({{.*}}, %[[ONEHOT]]) {num_params = 12 : i64}
// TRAIN:         ccrnn.value_and_grad @classify_window_last({{.*}}, %[[ONEHOT]]) {num_params = 12 : i64}

// FROZEN-LABEL: func.func private @classify_window(
// FROZEN-SAME:    {ccrnn.name = "context"}) ->
// FROZEN-LABEL: func.func @classify_train(
// FROZEN:         ccrnn.one_hot

// OFF-LABEL: func.func private @classify_window(
// OFF-NOT:     "context"
// OFF:         return
// OFF-LABEL: func.func @classify_train(

// -----

// Target context, per-step regression: the target point of the last step,
// the same for every window.
ccrnn.model @regress(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1, target_context : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// TRAIN-LABEL: func.func @regress_train(
// TRAIN-SAME:    %[[TARGET:[a-z0-9]+]]: tensor<2x3x2xf32> {ccrnn.name = "target", ccrnn.role = #ccrnn.role<target>}
// TRAIN:         %[[LAST:.*]] = arith.constant 2 : index
// TRAIN:         %[[POINT:.*]] = ccrnn.time_slice %[[TARGET]] at %[[LAST]] : tensor<2x3x2xf32> -> tensor<2x1x2xf32>
// TRAIN:         %[[CTX:.*]] = ccrnn.reshape %[[POINT]] : tensor<2x1x2xf32> -> tensor<2x2xf32>
// TRAIN:         ccrnn.value_and_grad @regress_window({{.*}}, %[[CTX]]) {num_params = 12 : i64}
// TRAIN:         ccrnn.value_and_grad @regress_window_last({{.*}}, %[[CTX]]) {num_params = 12 : i64}

// -----

// A linear synthesizer: nothing hidden, so no activity is recorded.
ccrnn.model @linear(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.rnn_tanh %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<tanh, 3> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 0, scale = 0.1 : !ccrnn.rnn<tanh, 3>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// RECORD-LABEL: func.func private @linear_record_window(
// RECORD:         ccrnn.synthetic_gradient %{{.*}}, %[[P:[0-9]+]] {scale = 1.000000e-01 : f64}
// RECORD-NEXT:    %[[SG:.*]] = ccrnn.scale %[[P]] by 1.000000e-01
// RECORD-NEXT:    return %{{.*}}, %{{.*}}, %[[SG]] : tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>{{$}}
// RECORD-LABEL: func.func @linear_record(
// RECORD-SAME:    {ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<state>})
// RECORD-SAME:    -> (tensor<2x1x2x3xf32> {ccrnn.name = "state", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x1x2x3xf32> {ccrnn.name = "synthetic", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x1x2x3xf32> {ccrnn.name = "target_grad", ccrnn.role = #ccrnn.role<recorded>}, tensor<2x1x2x3xf32> {ccrnn.name = "true_grad", ccrnn.role = #ccrnn.role<recorded>}) {
