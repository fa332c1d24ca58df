// RUN: not ccrnn-opt %s --ccrnn-build-training='loss=xent' 2>&1 | FileCheck %s --check-prefix=LOSS
// RUN: not ccrnn-opt %s --ccrnn-build-training='loss=xent_steps' 2>&1 | FileCheck %s --check-prefix=LOSS-OPTION
// RUN: not ccrnn-opt %s --ccrnn-build-training='predict-last' 2>&1 | FileCheck %s --check-prefix=LAST
// RUN: not ccrnn-opt %s --ccrnn-build-training='interval=2' 2>&1 | FileCheck %s --check-prefix=LAST
// RUN: not ccrnn-opt %s --ccrnn-build-training='record' 2>&1 | FileCheck %s --check-prefix=RECORD
// RUN: not ccrnn-opt %s --ccrnn-build-training='batch=1' 2>&1 | FileCheck %s --check-prefix=BATCH
// RUN: not ccrnn-opt %s --ccrnn-build-training='steps=1 first-window' 2>&1 | FileCheck %s --check-prefix=STEPS
// RUN: ccrnn-opt %s --ccrnn-build-training='steps=1' -o /dev/null
// RUN: not ccrnn-opt %S/Inputs/tokens-context.mlir --ccrnn-build-training 2>&1 | FileCheck %s --check-prefix=CONTEXT
// RUN: not ccrnn-opt %s --ccrnn-build-training='steps=2 decode=3' 2>&1 | FileCheck %s --check-prefix=DECODE-FIRST
// RUN: not ccrnn-opt %s --ccrnn-build-training='steps=2 first-window decode=-1' 2>&1 | FileCheck %s --check-prefix=DECODE-NEGATIVE
// RUN: not ccrnn-opt %models/lstm.mlir --ccrnn-build-training='decode=3' 2>&1 | FileCheck %s --check-prefix=DECODE-SEQ
// What ccrnn-build-training rejects for a model of tokens, naming the model
// and the option.

// LOSS: error: ccrnn-build-training: @cap is a model of tokens, whose programs take no 'loss' option (its loss is xent_steps)
// The option takes the loss of a model of vectors only.
// LOSS-OPTION: error: ccrnn-build-training: unknown loss 'xent_steps'; expected 'mse' or 'xent'
// LAST: error: ccrnn-build-training: @cap is a model of tokens, whose programs take no 'predict-last' or 'interval' option
// RECORD: error: ccrnn-build-training: @cap is a model of tokens, whose programs take no 'record' option
// BATCH: error: ccrnn-build-training: a batch norm needs a batch of at least 2, got 1
// STEPS: error: ccrnn-build-training: a first window holds the prepended step and at least one token: 'steps' must be at least 2, got 1
// CONTEXT: error: ccrnn-build-training: @cap is a model of tokens, whose programs take no target context
// The decoder starts from the vector a first window prepends.
// DECODE-FIRST: error: ccrnn-build-training: option 'decode' needs 'first-window' and a model that prepends a vector (the decoder starts from it)
// DECODE-NEGATIVE: error: ccrnn-build-training: option 'decode' must not be negative, got -1
// DECODE-SEQ: error: ccrnn-build-training: option 'decode' applies to a model of tokens, but @lstm reads a sequence
ccrnn.model @cap(%image: !ccrnn.vec<5>, %words: !ccrnn.tokens<7>) -> !ccrnn.seq<7> {
  %e = ccrnn.linear %image features = 4 : !ccrnn.vec<5> -> !ccrnn.vec<4>
  %n = ccrnn.batch_norm %e momentum = 0.1 : !ccrnn.vec<4>
  %w = ccrnn.embedding %words features = 4 : !ccrnn.tokens<7> -> !ccrnn.seq<4>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<4>, !ccrnn.seq<4>
  %h = ccrnn.lstm %x hidden = 3 : !ccrnn.seq<4> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 7 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<7>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<7>
}
