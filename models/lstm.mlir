// cRNN of the line-drawing task (SPEC §5, paper setting): an LSTM of 50 units
// reads the cue (input size 1) and draws a 2-D line; no cerebellum.
ccrnn.model @lstm(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
