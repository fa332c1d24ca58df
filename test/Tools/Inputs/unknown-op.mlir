// A recurrent cell that ccrnn does not have.
ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.gru %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}
