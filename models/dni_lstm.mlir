// ccRNN of the line-drawing task (SPEC §5, paper setting): the LSTM of
// models/lstm.mlir plus a cerebellum of 2 hidden layers of 400 units whose
// prediction, scaled by 0.1, is injected at every truncation boundary.
ccrnn.model @dni_lstm(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 2, width = 400, scale = 0.1 : !ccrnn.rnn<lstm, 50>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
