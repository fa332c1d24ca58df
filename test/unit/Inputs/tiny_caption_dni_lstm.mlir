// A caption ccRNN small enough for exhaustive checks of generated trainers:
// an image vector through a linear map and a batch norm, prepended to the
// embedded tokens, dropout, an LSTM, the readout over the vocabulary and a
// cerebellum on [h, c].
ccrnn.model @tiny_caption_dni_lstm(%image: !ccrnn.vec<5>, %words: !ccrnn.tokens<6>) -> !ccrnn.seq<6> {
  %e = ccrnn.linear %image features = 4 : !ccrnn.vec<5> -> !ccrnn.vec<4>
  %n = ccrnn.batch_norm %e momentum = 0.1 : !ccrnn.vec<4>
  %w = ccrnn.embedding %words features = 4 : !ccrnn.tokens<6> -> !ccrnn.seq<4>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<4>, !ccrnn.seq<4>
  %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<4>
  %h = ccrnn.lstm %d hidden = 3 : !ccrnn.seq<4> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 6 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<6>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<6>
}
