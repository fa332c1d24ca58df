// Vanilla tanh-RNN cRNN of the line-drawing task (SPEC §5).
ccrnn.model @tanh(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.rnn_tanh %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 50>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<tanh, 50> -> !ccrnn.seq<2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
