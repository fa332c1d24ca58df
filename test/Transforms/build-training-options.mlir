// Options of ccrnn-build-training that are checked against the model: each
// diagnostic names the option and what it needed.
// RUN: ccrnn-opt %s --verify-diagnostics --ccrnn-build-training='fibres=7 steps=4 bptt=2'
// RUN: not ccrnn-opt %s --ccrnn-build-training='record steps=4 bptt=4' 2>&1 | FileCheck %s --check-prefix=RECORD
// RUN: not ccrnn-opt %s --ccrnn-build-training='record cerebellum=off steps=4 bptt=2' 2>&1 | FileCheck %s --check-prefix=OFF
// RUN: not ccrnn-opt %s --ccrnn-build-training='cerebellum=lesioned' 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not ccrnn-opt %s --ccrnn-build-training='fibres=-1' 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not ccrnn-opt %models/lstm.mlir --ccrnn-build-training='cerebellum=frozen' 2>&1 | FileCheck %s --check-prefix=CRNN

// RECORD: error: ccrnn-build-training: option 'record' needs at least two windows (bptt < steps), got bptt=4 steps=4
// OFF: error: ccrnn-build-training: option 'record' needs the cerebellum on ('cerebellum=train' or 'frozen')
// MODE: error: ccrnn-build-training: unknown cerebellum mode 'lesioned'; expected 'train', 'frozen' or 'off'
// NEGATIVE: error: ccrnn-build-training: option 'fibres' must not be negative, got -1
// CRNN: error: ccrnn-build-training: options 'cerebellum', 'fibres' and 'record' need a model with a cerebellum, but @lstm has none

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<2>
  // expected-error @below {{ccrnn-build-training: option 'fibres' is 7, but the synthesizer's first layer has only 6 inputs}}
  ccrnn.cerebellum %h layers = 1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y : !ccrnn.seq<2>
}
