// cRNN of the sequential-MNIST drawing tasks (seqmnist-lines and
// seqmnist-digits, SPEC §5): models/seqmnist_draw_dni_lstm.mlir without the
// cerebellum, so that the drawing tasks compare cRNN and ccRNN.
ccrnn.model @seqmnist_draw_lstm(%x: !ccrnn.seq<28>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 30 : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 30> -> !ccrnn.seq<2>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
