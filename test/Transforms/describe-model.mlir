// RUN: ccrnn-opt %s --ccrnn-describe-model -o /dev/null | FileCheck %s
// The IR is left unchanged.
// RUN: ccrnn-opt %s --ccrnn-describe-model -o %t.mlir > /dev/null
// RUN: ccrnn-opt %t.mlir | FileCheck %s --check-prefix=IR
// A model the verifier rejects has no description: the diagnostic only.
// RUN: not ccrnn-opt %S/../Tools/Inputs/size-mismatch.mlir --ccrnn-describe-model 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK:      "models": [
// CHECK-NEXT:   {
// CHECK-NEXT:     "name": "deep",
// CHECK-NEXT:     "cell": "tanh",
// CHECK-NEXT:     "inputs": 3,
// CHECK-NEXT:     "outputs": 2,
// CHECK-NEXT:     "hidden": 8,
// CHECK-NEXT:     "layers": 2,
// CHECK-NEXT:     "loss": "mse",
// CHECK-NEXT:     "cerebellum": {
// CHECK-NEXT:       "layers": 1,
// CHECK-NEXT:       "width": 20,
// CHECK-NEXT:       "scale": 0.25,
// CHECK-NEXT:       "target_context": true
// CHECK-NEXT:     },
// CHECK-NEXT:     "parameters": [
// CHECK-NEXT:       {
// CHECK-NEXT:         "name": "rnn.rnn.weight_ih_l0",
// CHECK-NEXT:         "shape": [
// CHECK-NEXT:           8,
// CHECK-NEXT:           3
// CHECK-NEXT:         ],
// CHECK-NEXT:         "init": "uniform",
// CHECK-NEXT:         "bound": 0.35355339059327373,
// CHECK-NEXT:         "group": "recurrent"
// CHECK-NEXT:       },
// CHECK:              "name": "rnn.backward_interface.synthesizer.input_trigger.weight",
// CHECK:              "group": "synthesizer"
// CHECK:              "name": "linear.bias",
// CHECK:              "group": "readout"
// CHECK-NEXT:       }
// CHECK-NEXT:     ]
// CHECK-NEXT:   },
// CHECK-NEXT:   {
// CHECK-NEXT:     "name": "plain",
// CHECK-NEXT:     "cell": "lstm",
// CHECK:          "loss": "xent",
// CHECK-NEXT:     "cerebellum": null,
// CHECK-NEXT:     "parameters": [

// A token model has its vocabulary, its vector's width and the rate of its
// dropout (the driver draws the masks); one without dropout has rate 0.
// CHECK:          "name": "words",
// CHECK-NEXT:     "cell": "lstm",
// CHECK-NEXT:     "inputs": null,
// CHECK-NEXT:     "vocab": 12,
// CHECK-NEXT:     "vector_inputs": 5,
// CHECK-NEXT:     "dropout": 0.25,
// CHECK-NEXT:     "outputs": 12,
// CHECK:          "name": "embed.weight",
// CHECK:          "name": "bare_words",
// CHECK-NEXT:     "cell": "lstm",
// CHECK-NEXT:     "inputs": null,
// CHECK-NEXT:     "vocab": 12,
// CHECK-NEXT:     "dropout": 0,
// CHECK-NEXT:     "outputs": 12,

// BAD:     size-mismatch.mlir:{{[0-9]+}}:{{[0-9]+}}: error:
// BAD-NOT: "models"

// IR: ccrnn.model @deep
// IR: ccrnn.model @plain

ccrnn.model @deep(%x: !ccrnn.seq<3>) -> !ccrnn.seq<2> {
  %h = ccrnn.rnn_tanh %x hidden = 8, layers = 2 : !ccrnn.seq<3> -> !ccrnn.rnn<tanh, 8, layers = 2>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<tanh, 8, layers = 2> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1, width = 20, scale = 0.25, target_context : !ccrnn.rnn<tanh, 8, layers = 2>
  ccrnn.return %y : !ccrnn.seq<2>
}

ccrnn.model @plain(%x: !ccrnn.seq<1>) -> !ccrnn.seq<10> {
  %h = ccrnn.lstm %x hidden = 4 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 4>
  %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<lstm, 4> -> !ccrnn.seq<10>
  ccrnn.return %y loss = xent : !ccrnn.seq<10>
}

ccrnn.model @words(%image: !ccrnn.vec<5>, %words: !ccrnn.tokens<12>) -> !ccrnn.seq<12> {
  %e = ccrnn.linear %image features = 6 : !ccrnn.vec<5> -> !ccrnn.vec<6>
  %w = ccrnn.embedding %words features = 6 : !ccrnn.tokens<12> -> !ccrnn.seq<6>
  %x = ccrnn.prepend %e, %w : !ccrnn.vec<6>, !ccrnn.seq<6>
  %d = ccrnn.dropout %x rate = 0.25 : !ccrnn.seq<6>
  %h = ccrnn.lstm %d hidden = 4 : !ccrnn.seq<6> -> !ccrnn.rnn<lstm, 4>
  %y = ccrnn.linear %h features = 12 : !ccrnn.rnn<lstm, 4> -> !ccrnn.seq<12>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<12>
}

ccrnn.model @bare_words(%words: !ccrnn.tokens<12>) -> !ccrnn.seq<12> {
  %w = ccrnn.embedding %words features = 6 : !ccrnn.tokens<12> -> !ccrnn.seq<6>
  %h = ccrnn.lstm %w hidden = 4 : !ccrnn.seq<6> -> !ccrnn.rnn<lstm, 4>
  %y = ccrnn.linear %h features = 12 : !ccrnn.rnn<lstm, 4> -> !ccrnn.seq<12>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<12>
}
