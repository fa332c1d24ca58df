// ccRNN of sequential MNIST classification (SPEC §5): H = 30 and a cerebellum
// of one hidden layer (width 2H = 60 by default).
ccrnn.model @seqmnist_dni_lstm(%x: !ccrnn.seq<28>) -> !ccrnn.seq<10> {
  %h = ccrnn.lstm %x hidden = 30 : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30>
  %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<lstm, 30> -> !ccrnn.seq<10>
  ccrnn.cerebellum %h layers = 1, scale = 0.1 : !ccrnn.rnn<lstm, 30>
  ccrnn.return %y loss = xent : !ccrnn.seq<10>
}
