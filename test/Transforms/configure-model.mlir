// RUN: ccrnn-opt %s --ccrnn-configure-model='layers=2 hidden=20 synth-layers=1 synth-width=30 synth-scale=0.5 context=on' | FileCheck %s
// RUN: ccrnn-opt %s --ccrnn-configure-model='synth-layers=0 context=off' | FileCheck %s --check-prefix=LINEAR
// RUN: ccrnn-opt %s --ccrnn-configure-model | FileCheck %s --check-prefix=KEEP
// RUN: not ccrnn-opt %models/lstm.mlir --ccrnn-configure-model='synth-layers=1' 2>&1 | FileCheck %s --check-prefix=CRNN
// RUN: not ccrnn-opt %s --ccrnn-configure-model='context=maybe' 2>&1 | FileCheck %s --check-prefix=CONTEXT
// RUN: not ccrnn-opt %s --ccrnn-configure-model='hidden=-3' 2>&1 | FileCheck %s --check-prefix=HIDDEN
// RUN: not ccrnn-opt %s --ccrnn-configure-model='layers=-1' 2>&1 | FileCheck %s --check-prefix=LAYERS
// RUN: not ccrnn-opt %s --ccrnn-configure-model='synth-layers=-2' 2>&1 | FileCheck %s --check-prefix=SLAYERS
// RUN: not ccrnn-opt %s --ccrnn-configure-model='synth-width=-2' 2>&1 | FileCheck %s --check-prefix=SWIDTH

ccrnn.model @dni(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 2, width = 400, scale = 0.1, target_context : !ccrnn.rnn<lstm, 50>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}

// The layer's sizes, and with them the type every user sees.
// CHECK:      %[[H:.*]] = ccrnn.lstm %{{.*}} hidden = 20, layers = 2 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 20, layers = 2>
// CHECK-NEXT: ccrnn.linear %[[H]] features = 2 : !ccrnn.rnn<lstm, 20, layers = 2> -> !ccrnn.seq<2>
// CHECK-NEXT: ccrnn.cerebellum %[[H]] layers = 1, width = 30, scale = 0.5, target_context : !ccrnn.rnn<lstm, 20, layers = 2>

// A linear synthesizer has no width.
// LINEAR: ccrnn.cerebellum %{{.*}} layers = 0, scale = 0.1 : !ccrnn.rnn<lstm, 50>

// KEEP: ccrnn.lstm %{{.*}} hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
// KEEP: ccrnn.cerebellum %{{.*}} layers = 2, width = 400, scale = 0.1, target_context : !ccrnn.rnn<lstm, 50>

// CRNN: error: ccrnn-configure-model: the synth-* and context options need a model with a cerebellum, but @lstm has none
// CONTEXT: error: ccrnn-configure-model: option 'context' must be 'on', 'off' or 'keep', got 'maybe'
// HIDDEN: error: ccrnn-configure-model: option 'hidden' must be at least 1 (or 0 to keep)
// LAYERS: error: ccrnn-configure-model: option 'layers' must be at least 1 (or 0 to keep)
// SLAYERS: error: ccrnn-configure-model: option 'synth-layers' must be at least 0 (or -1 to keep)
// SWIDTH: error: ccrnn-configure-model: option 'synth-width' must be at least 1 (or 0 to keep)
