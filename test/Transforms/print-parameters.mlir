// RUN: ccrnn-opt %s --ccrnn-print-parameters -o /dev/null | FileCheck %s
// RUN: ccrnn-opt %s --ccrnn-print-parameters=group-totals -o /dev/null | FileCheck %s --check-prefix=TOTALS
// RUN: ccrnn-opt %s --ccrnn-print-parameters | FileCheck %s --check-prefix=IR

// The ccRNN of the line-drawing task: PyTorch state_dict names and shapes.
// CHECK-LABEL: model @dni_lstm (ccRNN)
// CHECK-NEXT:    name
// CHECK-NEXT:    rnn.rnn.weight_ih_l0 [200, 1] uniform(+-0.141421)
// CHECK-NEXT:    rnn.rnn.weight_hh_l0 [200, 50] uniform(+-0.141421)
// CHECK-NEXT:    rnn.rnn.bias_ih_l0 [200] uniform(+-0.141421)
// CHECK-NEXT:    rnn.rnn.bias_hh_l0 [200] uniform(+-0.141421)
// CHECK-NEXT:    rnn.backward_interface.synthesizer.input_trigger.weight [400, 100] uniform(+-0.100000)
// CHECK-NEXT:    rnn.backward_interface.synthesizer.input_trigger.bias [400] uniform(+-0.100000)
// CHECK-NEXT:    rnn.backward_interface.synthesizer.layers.0.weight [400, 400] uniform(+-0.050000)
// CHECK-NEXT:    rnn.backward_interface.synthesizer.layers.0.bias [400] uniform(+-0.050000)
// CHECK-NEXT:    rnn.backward_interface.synthesizer.layers.1.weight [100, 400] zeros
// CHECK-NEXT:    rnn.backward_interface.synthesizer.layers.1.bias [100] zeros
// CHECK-NEXT:    linear.weight [2, 50] uniform(+-0.141421)
// CHECK-NEXT:    linear.bias [2] uniform(+-0.141421)
// CHECK-NEXT:    total: 251602 parameters in 12 tensors
// TOTALS-LABEL: model @dni_lstm
// TOTALS:         recurrent: 10600
// TOTALS-NEXT:    readout: 102
// TOTALS-NEXT:    synthesizer: 240900
// TOTALS-NEXT:    total: 251602 parameters in 12 tensors
ccrnn.model @dni_lstm(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 2, width = 400, scale = 0.1 : !ccrnn.rnn<lstm, 50>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// A stacked tanh cRNN: no wrapper prefix, one set of weights per layer, and
// the second layer reads the first layer's hidden state.
// CHECK-LABEL: model @stacked (cRNN)
// CHECK-NEXT:    name
// CHECK-NEXT:    rnn.weight_ih_l0 [30, 28]
// CHECK-NEXT:    rnn.weight_hh_l0 [30, 30]
// CHECK-NEXT:    rnn.bias_ih_l0 [30]
// CHECK-NEXT:    rnn.bias_hh_l0 [30]
// CHECK-NEXT:    rnn.weight_ih_l1 [30, 30]
// CHECK-NEXT:    rnn.weight_hh_l1 [30, 30]
// CHECK-NEXT:    rnn.bias_ih_l1 [30]
// CHECK-NEXT:    rnn.bias_hh_l1 [30]
// CHECK-NEXT:    linear.weight [10, 30] uniform(+-0.182574)
// CHECK-NEXT:    linear.bias [10]
// CHECK-NEXT:    total: 3970 parameters in 10 tensors
ccrnn.model @stacked(%x: !ccrnn.seq<28>) -> !ccrnn.seq<10> {
  %h = ccrnn.rnn_tanh %x hidden = 30, layers = 2 : !ccrnn.seq<28> -> !ccrnn.rnn<tanh, 30, layers = 2>
  %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<tanh, 30, layers = 2> -> !ccrnn.seq<10>
  ccrnn.return %y loss = xent : !ccrnn.seq<10>
}

// The pass leaves the IR unchanged.
// IR: ccrnn.model @dni_lstm
// IR: ccrnn.cerebellum %{{.*}} layers = 2, width = 400, scale = 0.1
// IR: ccrnn.model @stacked

// A caption cRNN: the encoder and the embedding (the input group) come
// after the recurrent weights and before the readout over the vocabulary.
// CHECK-LABEL: model @caption (cRNN)
// CHECK-NEXT:    name
// CHECK-NEXT:    rnn.weight_ih_l0 [32, 16]
// CHECK-NEXT:    rnn.weight_hh_l0 [32, 8]
// CHECK-NEXT:    rnn.bias_ih_l0 [32]
// CHECK-NEXT:    rnn.bias_hh_l0 [32]
// CHECK-NEXT:    encoder.linear.weight [16, 20] uniform(+-0.223607)
// CHECK-NEXT:    encoder.linear.bias [16] uniform(+-0.223607)
// CHECK-NEXT:    encoder.bn.weight [16] ones
// CHECK-NEXT:    encoder.bn.bias [16] zeros
// CHECK-NEXT:    embed.weight [50, 16] normal(0, 1.000000)
// CHECK-NEXT:    linear.weight [50, 8] uniform(+-0.353553)
// CHECK-NEXT:    linear.bias [50]
// CHECK-NEXT:    total: 2450 parameters in 11 tensors
// TOTALS-LABEL: model @caption
// TOTALS:         recurrent: 832
// TOTALS-NEXT:    readout: 450
// TOTALS-NEXT:    synthesizer: 0
// TOTALS-NEXT:    input: 1168
// TOTALS-NEXT:    total: 2450 parameters in 11 tensors
ccrnn.model @caption(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  %e = ccrnn.linear %image features = 16 : !ccrnn.vec<20> -> !ccrnn.vec<16>
  %n = ccrnn.batch_norm %e momentum = 0.01 : !ccrnn.vec<16>
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<16>, !ccrnn.seq<16>
  %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<16>
  %h = ccrnn.lstm %d hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}
