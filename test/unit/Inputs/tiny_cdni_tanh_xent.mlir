// A tanh ccRNN classifier whose synthesizer also sees the one-hot class,
// small enough for checks of generated trainers.
ccrnn.model @tiny_cdni_tanh_xent(%x: !ccrnn.seq<2>) -> !ccrnn.seq<3> {
  %h = ccrnn.rnn_tanh %x hidden = 3 : !ccrnn.seq<2> -> !ccrnn.rnn<tanh, 3>
  %y = ccrnn.linear %h features = 3 : !ccrnn.rnn<tanh, 3> -> !ccrnn.seq<3>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1, target_context : !ccrnn.rnn<tanh, 3>
  ccrnn.return %y loss = xent : !ccrnn.seq<3>
}
