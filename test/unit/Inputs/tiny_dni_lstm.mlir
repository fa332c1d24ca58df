// A ccRNN small enough for exhaustive checks of generated trainers.
ccrnn.model @tiny_dni_lstm(%x: !ccrnn.seq<2>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<2> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 2, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
