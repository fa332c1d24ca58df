// Two stacked tanh layers sharing a linear synthesizer (no hidden layer, so
// nothing to record as activity), small enough for checks of generated
// trainers.
ccrnn.model @tiny_dni_tanh2_linear(%x: !ccrnn.seq<2>) -> !ccrnn.seq<2> {
  %h = ccrnn.rnn_tanh %x hidden = 3, layers = 2 : !ccrnn.seq<2> -> !ccrnn.rnn<tanh, 3, layers = 2>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<tanh, 3, layers = 2> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 0, scale = 0.1 : !ccrnn.rnn<tanh, 3, layers = 2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
