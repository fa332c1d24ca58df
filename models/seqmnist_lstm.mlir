// cRNN of sequential MNIST classification (SPEC §5): one 28-pixel row per
// step, H = 30, the digit is classified from the last step's output.
ccrnn.model @seqmnist_lstm(%x: !ccrnn.seq<28>) -> !ccrnn.seq<10> {
  %h = ccrnn.lstm %x hidden = 30 : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30>
  %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<lstm, 30> -> !ccrnn.seq<10>
  ccrnn.return %y loss = xent : !ccrnn.seq<10>
}
