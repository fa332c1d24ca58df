// A hidden size that is not an integer.
ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = "two" : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}
