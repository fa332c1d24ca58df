// RUN: ccrnn-opt %s --ccrnn-configure-model='layers=2 hidden=20 synth-layers=1 synth-width=30 synth-scale=0.5 context=on' | FileCheck %s
// RUN: ccrnn-opt %s --ccrnn-configure-model='synth-layers=0 context=off' | FileCheck %s --check-prefix=LINEAR
// RUN: ccrnn-opt %s --ccrnn-configure-model | FileCheck %s --check-prefix=KEEP
// RUN: not ccrnn-opt %models/lstm.mlir --ccrnn-configure-model='synth-layers=1' 2>&1 | FileCheck %s --check-prefix=CRNN
// RUN: not ccrnn-opt %s --ccrnn-configure-model='context=maybe' 2>&1 | FileCheck %s --check-prefix=CONTEXT
// RUN: not ccrnn-opt %s --ccrnn-configure-model='hidden=-3' 2>&1 | FileCheck %s --check-prefix=HIDDEN
// RUN: not ccrnn-opt %s --ccrnn-configure-model='layers=-1' 2>&1 | FileCheck %s --check-prefix=LAYERS
// RUN: not ccrnn-opt %s --ccrnn-configure-model='synth-layers=-2' 2>&1 | FileCheck %s --check-prefix=SLAYERS
// RUN: not ccrnn-opt %s --ccrnn-configure-model='synth-width=-2' 2>&1 | FileCheck %s --check-prefix=SWIDTH
// Sizes beyond ccrnn's limits (ccrnn/Support/SizeLimits.h) are refused at
// once: a model of 100000000 synthesizer layers took unbounded time and
// memory to build.
// RUN: not ccrnn-opt %s --ccrnn-configure-model='hidden=2147483648' 2>&1 | FileCheck %s --check-prefix=HIDDEN-MAX
// RUN: not ccrnn-opt %s --ccrnn-configure-model='layers=4294967296' 2>&1 | FileCheck %s --check-prefix=LAYERS-MAX
// RUN: not ccrnn-opt %s --ccrnn-configure-model='synth-layers=100000000' 2>&1 | FileCheck %s --check-prefix=SLAYERS-MAX
// RUN: not ccrnn-opt %s --ccrnn-configure-model='synth-width=1048577' 2>&1 | FileCheck %s --check-prefix=SWIDTH-MAX
// A caption model's vocabulary and image features follow its data.
// RUN: ccrnn-opt %models/caption_dni_lstm.mlir --ccrnn-configure-model='vocab=40 vector-inputs=506 hidden=32' | FileCheck %s --check-prefix=TOKENS
// RUN: not ccrnn-opt %s --ccrnn-configure-model='vocab=40' 2>&1 | FileCheck %s --check-prefix=VOCAB-SEQ
// RUN: not ccrnn-opt %models/caption_dni_lstm.mlir --ccrnn-configure-model='vocab=4' 2>&1 | FileCheck %s --check-prefix=VOCAB-MIN
// RUN: not ccrnn-opt %models/caption_dni_lstm.mlir --ccrnn-configure-model='vector-inputs=-1' 2>&1 | FileCheck %s --check-prefix=VECTOR-MIN
// RUN: not ccrnn-opt %S/Inputs/tokens-context.mlir --ccrnn-configure-model='vector-inputs=8' 2>&1 | FileCheck %s --check-prefix=NO-VECTOR

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
// HIDDEN: error: ccrnn-configure-model: option 'hidden' must be from 1 to 1048576 (or 0 to keep), got -3
// LAYERS: error: ccrnn-configure-model: option 'layers' must be from 1 to 256 (or 0 to keep), got -1
// SLAYERS: error: ccrnn-configure-model: option 'synth-layers' must be from 0 to 256 (or -1 to keep), got -2
// SWIDTH: error: ccrnn-configure-model: option 'synth-width' must be from 1 to 1048576 (or 0 to keep), got -2
// HIDDEN-MAX: error: ccrnn-configure-model: option 'hidden' must be from 1 to 1048576 (or 0 to keep), got 2147483648
// LAYERS-MAX: error: ccrnn-configure-model: option 'layers' must be from 1 to 256 (or 0 to keep), got 4294967296
// SLAYERS-MAX: error: ccrnn-configure-model: option 'synth-layers' must be from 0 to 256 (or -1 to keep), got 100000000
// SWIDTH-MAX: error: ccrnn-configure-model: option 'synth-width' must be from 1 to 1048576 (or 0 to keep), got 1048577

// TOKENS:      ccrnn.model @caption_dni_lstm(%{{.*}}: !ccrnn.vec<506>, %{{.*}}: !ccrnn.tokens<40>) -> !ccrnn.seq<40>
// TOKENS-NEXT:   ccrnn.linear %{{.*}} features = 256 : !ccrnn.vec<506> -> !ccrnn.vec<256>
// TOKENS:        ccrnn.embedding %{{.*}} features = 256 : !ccrnn.tokens<40> -> !ccrnn.seq<256>
// TOKENS:        %[[H:.*]] = ccrnn.lstm %{{.*}} hidden = 32 : !ccrnn.seq<256> -> !ccrnn.rnn<lstm, 32>
// TOKENS-NEXT:   %[[Y:.*]] = ccrnn.linear %[[H]] features = 40 : !ccrnn.rnn<lstm, 32> -> !ccrnn.seq<40>
// TOKENS:        ccrnn.return %[[Y]] loss = xent_steps : !ccrnn.seq<40>
// VOCAB-SEQ: error: ccrnn-configure-model: options 'vocab' and 'vector-inputs' apply to a model of tokens, but @dni reads a sequence
// VOCAB-MIN: error: ccrnn-configure-model: option 'vocab' must be from 5 to 1048576 (or 0 to keep), got 4
// VECTOR-MIN: error: ccrnn-configure-model: option 'vector-inputs' must be from 1 to 1048576 (or 0 to keep), got -1
// NO-VECTOR: error: ccrnn-configure-model: option 'vector-inputs' needs a model with a vector input, but @cap has none
