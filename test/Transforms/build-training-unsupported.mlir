// RUN: ccrnn-opt %s --split-input-file --verify-diagnostics --ccrnn-build-training='interval=2'
// Models that ccrnn-build-training rejects, with the op at fault.

// expected-error @below {{ccrnn-build-training: option 'interval' applies to per-step mse only}}
ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<3> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 3 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<3>
  ccrnn.return %y loss = xent : !ccrnn.seq<3>
}
