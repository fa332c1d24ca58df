// ccRNN of the sequential-MNIST drawing tasks (seqmnist-lines and
// seqmnist-digits, SPEC §5): reads one row per step and draws a 2-D point at
// every step, trained with the mean squared error.
ccrnn.model @seqmnist_draw_dni_lstm(%x: !ccrnn.seq<28>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 30 : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 30> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, scale = 0.1 : !ccrnn.rnn<lstm, 30>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
