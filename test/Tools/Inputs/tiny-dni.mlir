// A ccRNN small enough to write its parameters by hand.
ccrnn.model @tiny(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 2 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 2>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 2> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 3, scale = 0.1 : !ccrnn.rnn<lstm, 2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
