// A cRNN small enough for exhaustive checks of generated trainers.
ccrnn.model @tiny_lstm(%x: !ccrnn.seq<2>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<2> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
