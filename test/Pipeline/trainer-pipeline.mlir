// The named pipeline is the pass list it stands for, option for option.
// RUN: ccrnn-opt %s --ccrnn-trainer-pipeline='bptt=2 interval=2 batch=3 steps=5' -o %t.pipeline.mlir
// RUN: ccrnn-opt %s --ccrnn-build-training='bptt=2 interval=2 batch=3 steps=5' \
// RUN:   --ccrnn-autodiff --ccrnn-optimize --ccrnn-inline-windows \
// RUN:   --convert-ccrnn-to-onednn -o %t.passes.mlir
// RUN: diff %t.pipeline.mlir %t.passes.mlir
//
// Sizes run ccrnn-configure-model first; ensemble=K ccrnn-ensemble last.
// RUN: ccrnn-opt %s --ccrnn-trainer-pipeline='hidden=6 synth-width=7 bptt=3 batch=3 steps=5 fibres=2 record ensemble=3' -o %t.pipeline2.mlir
// RUN: ccrnn-opt %s --ccrnn-configure-model='hidden=6 synth-width=7' \
// RUN:   --ccrnn-build-training='bptt=3 batch=3 steps=5 fibres=2 record' \
// RUN:   --ccrnn-autodiff --ccrnn-optimize --ccrnn-inline-windows \
// RUN:   --convert-ccrnn-to-onednn --ccrnn-ensemble=size=3 -o %t.passes2.mlir
// RUN: diff %t.pipeline2.mlir %t.passes2.mlir
// RUN: FileCheck %s --input-file=%t.pipeline2.mlir
// CHECK: tensor<6x
// CHECK: ccrnn.trainer = {{.*}}options = "bptt=3 interval=1 batch=3 steps=5 fibres=2 record"
// CHECK: ccrnn.ensemble 3 networks
//
// The options' errors are the passes' (range) or the option parser's.
// RUN: not ccrnn-opt %s --ccrnn-trainer-pipeline='bptt=0' 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: error: ccrnn-build-training: option 'bptt' must be at least 1, got 0
// RUN: not ccrnn-opt %s --ccrnn-trainer-pipeline='ensemble=0' 2>&1 | FileCheck %s --check-prefix=ENSEMBLE
// ENSEMBLE: error: ccrnn-ensemble
// RUN: not ccrnn-opt %s --ccrnn-trainer-pipeline='speed=3' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: speed

ccrnn.model @tiny(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 4 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 4>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 4> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 5, scale = 0.1 : !ccrnn.rnn<lstm, 4>
  ccrnn.return %y : !ccrnn.seq<2>
}
