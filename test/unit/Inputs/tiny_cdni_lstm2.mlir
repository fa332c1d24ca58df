// A two-layer ccRNN whose synthesizer (shared by both layers) also sees the
// target, small enough for checks of generated trainers.
ccrnn.model @tiny_cdni_lstm2(%x: !ccrnn.seq<2>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3, layers = 2 : !ccrnn.seq<2> -> !ccrnn.rnn<lstm, 3, layers = 2>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3, layers = 2> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1, target_context : !ccrnn.rnn<lstm, 3, layers = 2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
