// RUN: ccrnn-opt %s --split-input-file --verify-diagnostics --ccrnn-build-training='bptt=0'
// RUN: not ccrnn-opt %s --split-input-file --ccrnn-build-training='steps=0' 2>&1 | FileCheck %s --check-prefix=STEPS
// RUN: not ccrnn-opt %s --split-input-file --ccrnn-build-training='loss=hinge' 2>&1 | FileCheck %s --check-prefix=LOSS
// What ccrnn-build-training rejects, with the option or op at fault.

// STEPS: error: ccrnn-build-training: option 'steps' must be at least 1, got 0
// RUN: not ccrnn-opt %s --split-input-file --ccrnn-build-training='steps=1048577' 2>&1 | FileCheck %s --check-prefix=STEPS-MAX
// STEPS-MAX: error: ccrnn-build-training: option 'steps' must be at most 1048576, got 1048577
// RUN: not ccrnn-opt %s --split-input-file --ccrnn-build-training='batch=9223372036854775807' 2>&1 | FileCheck %s --check-prefix=BATCH-MAX
// BATCH-MAX: error: ccrnn-build-training: option 'batch' must be at most 1048576, got 9223372036854775807
// LOSS: error: ccrnn-build-training: unknown loss 'hinge'; expected 'mse' or 'xent'

// expected-error @below {{ccrnn-build-training: option 'bptt' must be at least 1, got 0}}
module {
  ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
    %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
    %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
    ccrnn.return %y : !ccrnn.seq<2>
  }
}

// -----

// RUN: not ccrnn-opt %s --split-input-file --ccrnn-build-training='loss=xent' 2>&1 | FileCheck %s --check-prefix=XENT
// XENT: error: ccrnn-build-training: loss 'xent' needs at least 2 classes, but @one has 1 output(s)
// expected-error @below {{ccrnn-build-training: option 'bptt' must be at least 1, got 0}}
module {
  ccrnn.model @one(%x: !ccrnn.seq<1>) -> !ccrnn.seq<1> {
    %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
    %y = ccrnn.linear %h features = 1 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<1>
    ccrnn.return %y : !ccrnn.seq<1>
  }
}
