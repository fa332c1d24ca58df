// RUN: ccrnn-opt %s --split-input-file --verify-diagnostics
// One case per diagnostic of the ccrnn verifiers, types and custom parsers.

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

// expected-error @below {{!ccrnn.seq: features must be positive, got 0}}
func.func private @f(!ccrnn.seq<0>)

// -----

// expected-error @below {{!ccrnn.seq: features must be at most 1048576, got 1048577}}
func.func private @f(!ccrnn.seq<1048577>)

// -----

// expected-error @below {{!ccrnn.rnn: hidden size must be positive, got -4}}
func.func private @f(!ccrnn.rnn<lstm, -4>)

// -----

// expected-error @below {{!ccrnn.rnn: hidden size must be at most 1048576, got 2147483648}}
func.func private @f(!ccrnn.rnn<lstm, 2147483648>)

// -----

// expected-error @below {{!ccrnn.rnn: layers must be positive, got 0}}
func.func private @f(!ccrnn.rnn<lstm, 5, layers = 0>)

// -----

// expected-error @below {{!ccrnn.rnn: layers must be at most 256, got 4294967296}}
func.func private @f(!ccrnn.rnn<lstm, 5, layers = 4294967296>)

// -----

// expected-error @below {{expected ::ccrnn::CellKind to be one of: lstm, tanh}}
// expected-error @below {{failed to parse CCRNN_RecurrentType parameter 'cell'}}
func.func private @f(!ccrnn.rnn<gru, 5>)

//===----------------------------------------------------------------------===//
// ccrnn.model
//===----------------------------------------------------------------------===//

// -----

// expected-error @below {{'ccrnn.model' op must take one input sequence ('!ccrnn.seq' or '!ccrnn.tokens'), a '!ccrnn.tokens' optionally after one '!ccrnn.vec', got ('!ccrnn.seq<1>', '!ccrnn.seq<1>')}}
ccrnn.model @m(%x: !ccrnn.seq<1>, %z: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

// expected-error @below {{'ccrnn.model' op must take one input sequence ('!ccrnn.seq' or '!ccrnn.tokens'), a '!ccrnn.tokens' optionally after one '!ccrnn.vec', got ('f32')}}
ccrnn.model @m(%x: f32) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : f32 -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

// expected-error @below {{'ccrnn.model' op must return exactly one output sequence, got 2 results}}
ccrnn.model @m(%x: !ccrnn.seq<1>) -> (!ccrnn.seq<2>, !ccrnn.seq<2>) {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

// expected-error @below {{'ccrnn.model' op result must be a '!ccrnn.seq', got '!ccrnn.rnn<lstm, 5>'}}
ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.rnn<lstm, 5> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

// The entry block can only disagree with the signature in the generic form.
// expected-error @below {{'ccrnn.model' op type of entry block argument #0('!ccrnn.seq<3>') must match the type of the corresponding argument in function signature('!ccrnn.seq<1>')}}
"ccrnn.model"() <{function_type = (!ccrnn.seq<1>) -> !ccrnn.seq<2>, sym_name = "m"}> ({
^bb0(%x: !ccrnn.seq<3>):
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<3> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}) : () -> ()

// -----

// expected-error @below {{'ccrnn.model' op has no recurrent layer (expected one 'ccrnn.lstm' or 'ccrnn.rnn_tanh')}}
ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %y = ccrnn.linear %x features = 2 : !ccrnn.seq<1> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

// expected-error @below {{'ccrnn.model' op has 2 recurrent layer ops; stack layers with the 'layers' attribute of a single op}}
ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  // expected-note @below {{second recurrent layer op here}}
  %h2 = ccrnn.lstm %h hidden = 5 : !ccrnn.rnn<lstm, 5> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h2 features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

// expected-error @below {{'ccrnn.model' op output must be produced by a 'ccrnn.linear' readout}}
ccrnn.model @m(%x: !ccrnn.seq<2>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<2> -> !ccrnn.rnn<lstm, 5>
  ccrnn.return %x : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  // expected-error @below {{'ccrnn.linear' op must read the output of the model's recurrent layer}}
  %y = ccrnn.linear %x features = 2 : !ccrnn.seq<1> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

// expected-error @below {{'ccrnn.model' op has 2 cerebellums; a model has at most one}}
ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 1 : !ccrnn.rnn<lstm, 5>
  // expected-note @below {{second cerebellum here}}
  ccrnn.cerebellum %h layers = 2 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  // expected-error @below {{'ccrnn.lstm' op attribute 'hidden' must be positive, got 0}}
  %h = ccrnn.lstm %x hidden = 0 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  // expected-error @below {{'ccrnn.lstm' op attribute 'hidden' must be at most 1048576, got 2147483648}}
  %h = ccrnn.lstm %x hidden = 2147483648 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  // expected-error @below {{'ccrnn.lstm' op attribute 'layers' must be at most 256, got 4294967296}}
  %h = ccrnn.lstm %x hidden = 5, layers = 4294967296 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  // expected-error @below {{'ccrnn.rnn_tanh' op attribute 'layers' must be positive, got -1}}
  %h = ccrnn.rnn_tanh %x hidden = 5, layers = -1 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<tanh, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  // expected-error @below {{'ccrnn.lstm' op result type '!ccrnn.rnn<tanh, 5>' has cell 'tanh', but this op is a 'lstm' layer}}
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<tanh, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  // expected-error @below {{'ccrnn.lstm' op attribute 'hidden' (50) does not match the hidden size 40 of the result type '!ccrnn.rnn<lstm, 40>'}}
  %h = ccrnn.lstm %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 40>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 40> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  // expected-error @below {{'ccrnn.rnn_tanh' op attribute 'layers' (2) does not match the 1 layers of the result type '!ccrnn.rnn<tanh, 5>'}}
  %h = ccrnn.rnn_tanh %x hidden = 5, layers = 2 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<tanh, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %c = arith.constant dense<0.0> : tensor<1xf32>
  // expected-error @below {{'ccrnn.lstm' op operand #0 must be sequence or recurrent layer output, but got 'tensor<1xf32>'}}
  %h = "ccrnn.lstm"(%c) <{hidden = 5 : i64, layers = 1 : i64}> : (tensor<1xf32>) -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

func.func @f(%x: !ccrnn.seq<1>) {
  // expected-error @below {{'ccrnn.lstm' op expects parent op 'ccrnn.model'}}
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  return
}

//===----------------------------------------------------------------------===//
// ccrnn.linear
//===----------------------------------------------------------------------===//

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  // expected-error @below {{'ccrnn.linear' op attribute 'features' must be positive, got -2}}
  %y = ccrnn.linear %h features = -2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  // expected-error @below {{'ccrnn.linear' op attribute 'features' must be at most 1048576, got 1099511627776}}
  %y = ccrnn.linear %h features = 1099511627776 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  // expected-error @below {{'ccrnn.linear' op attribute 'features' (3) does not match the result type '!ccrnn.seq<2>'}}
  %y = ccrnn.linear %h features = 3 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  // expected-error @below {{'ccrnn.linear' op result #0 must be sequence or vector, but got '!ccrnn.rnn<lstm, 2>'}}
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.rnn<lstm, 2>
  ccrnn.return %y : !ccrnn.rnn<lstm, 2>
}

//===----------------------------------------------------------------------===//
// ccrnn.cerebellum
//===----------------------------------------------------------------------===//

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{'ccrnn.cerebellum' op observes a value of type '!ccrnn.seq<2>', which has no recurrent state; attach the cerebellum to the output of a recurrent layer}}
  ccrnn.cerebellum %y layers = 1 : !ccrnn.seq<2>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{'ccrnn.cerebellum' op attribute 'layers' must be non-negative, got -1}}
  ccrnn.cerebellum %h layers = -1 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{'ccrnn.cerebellum' op attribute 'layers' must be at most 256, got 100000000}}
  ccrnn.cerebellum %h layers = 100000000 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{'ccrnn.cerebellum' op attribute 'width' must be positive, got 0}}
  ccrnn.cerebellum %h layers = 2, width = 0 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{'ccrnn.cerebellum' op attribute 'width' must be at most 1048576, got 2097152}}
  ccrnn.cerebellum %h layers = 2, width = 2097152 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{'ccrnn.cerebellum' op attribute 'width' is set but 'layers' is 0: a synthesizer without hidden layers has no width}}
  ccrnn.cerebellum %h layers = 0, width = 10 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{'ccrnn.cerebellum' op attribute 'scale' must be finite, got nan}}
  ccrnn.cerebellum %h layers = 1, scale = 0x7FF8000000000000 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{unknown cerebellum option 'depth'; expected 'layers', 'width', 'scale' or 'target_context'}}
  ccrnn.cerebellum %h depth = 1 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{cerebellum option 'width' is given twice}}
  ccrnn.cerebellum %h layers = 1, width = 4, width = 8 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{cerebellum needs 'layers = N' (number of hidden layers of the synthesizer; 0 for a linear map)}}
  ccrnn.cerebellum %h width = 4 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{unexpected decimal integer literal for a floating point value}}
  // expected-note @below {{add a trailing dot to make the literal a float}}
  ccrnn.cerebellum %h layers = 1, scale = 1 : !ccrnn.rnn<lstm, 5>
  ccrnn.return %y : !ccrnn.seq<2>
}

//===----------------------------------------------------------------------===//
// ccrnn.return
//===----------------------------------------------------------------------===//

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 3 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<3>
  // expected-error @below {{'ccrnn.return' op output type '!ccrnn.seq<3>' does not match the result type of model @m}}
  ccrnn.return %y : !ccrnn.seq<3>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<1> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 1 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<1>
  // expected-error @below {{'ccrnn.return' op attribute 'loss' is 'xent', which needs at least 2 classes, but the output has 1 feature(s)}}
  ccrnn.return %y loss = xent : !ccrnn.seq<1>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<2>
  // expected-error @below {{expected string or keyword containing one of the following enum values for attribute 'loss' [mse, xent, xent_steps]}}
  ccrnn.return %y loss = hinge : !ccrnn.seq<2>
}

//===----------------------------------------------------------------------===//
// Training-level ops
//===----------------------------------------------------------------------===//

// -----

func.func @f(%a: tensor<2xf32>) {
  // expected-error @below {{'ccrnn.truncate' op requires the same type for all operands and results}}
  %b = "ccrnn.truncate"(%a) : (tensor<2xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @f(%a: tensor<2xi32>) {
  // expected-error @below {{'ccrnn.truncate' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2xi32>'}}
  %b = ccrnn.truncate %a : tensor<2xi32>
  return
}

// -----

func.func @f(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @below {{'ccrnn.synthetic_gradient' op failed to verify that all of {state, prediction} have same type}}
  "ccrnn.synthetic_gradient"(%a, %b) {scale = 0.1} : (tensor<2xf32>, tensor<3xf32>) -> ()
  return
}

// -----

func.func @f(%a: tensor<2xf32>) {
  // expected-error @below {{'ccrnn.synthetic_gradient' op attribute 'scale' must be finite, got INF}}
  ccrnn.synthetic_gradient %a, %a {scale = 0x7FF0000000000000 : f64} : tensor<2xf32>
  return
}

// -----

func.func @f(%a: tensor<2xf32>, %b: tensor<2xf64>) {
  // expected-error @below {{'ccrnn.synthesizer_target' op failed to verify that all of {state, prediction} have same type}}
  "ccrnn.synthesizer_target"(%a, %b) : (tensor<2xf32>, tensor<2xf64>) -> ()
  return
}

// -----

func.func @f(%a: tensor<2x1x2xf32>) {
  // expected-error @below {{'ccrnn.mse_loss' op attribute 'interval' must be positive, got 0}}
  %l = ccrnn.mse_loss %a, %a {interval = 0} : tensor<2x1x2xf32> -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<2x2xf32>) {
  // expected-error @below {{'ccrnn.mse_loss' op expects [batch, steps, features] tensors, got rank 2}}
  %l = ccrnn.mse_loss %a, %a : tensor<2x2xf32> -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<2x1x2xf32>) {
  // expected-error @below {{'ccrnn.mse_loss' op result element type 'f64' does not match the input element type 'f32'}}
  %l = ccrnn.mse_loss %a, %a : tensor<2x1x2xf32> -> tensor<f64>
  return
}

// -----

func.func @f(%a: tensor<2x1x2xf32>) {
  // expected-error @below {{'ccrnn.mse_loss' op result #0 must be 0D tensor of floating-point values, but got 'tensor<2xf32>'}}
  %l = ccrnn.mse_loss %a, %a : tensor<2x1x2xf32> -> tensor<2xf32>
  return
}

// -----

func.func @f(%a: tensor<2x1x2xf32>, %b: tensor<2x2x2xf32>) {
  // expected-error @below {{'ccrnn.mse_loss' op failed to verify that all of {prediction, target} have same type}}
  %l = "ccrnn.mse_loss"(%a, %b) <{interval = 1 : i64}> {operandSegmentSizes = array<i32: 1, 1, 0>} : (tensor<2x1x2xf32>, tensor<2x2x2xf32>) -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<2x1x10xf32>, %l: tensor<2xi64>) {
  // expected-error @below {{'ccrnn.xent_loss' op expects [batch, classes] logits, got rank 3}}
  %x = ccrnn.xent_loss %a, %l : tensor<2x1x10xf32>, tensor<2xi64> -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<2x10xf32>, %l: tensor<2x1xi64>) {
  // expected-error @below {{'ccrnn.xent_loss' op expects [batch] labels, got rank 2}}
  %x = ccrnn.xent_loss %a, %l : tensor<2x10xf32>, tensor<2x1xi64> -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<2x10xf32>, %l: tensor<3xi64>) {
  // expected-error @below {{'ccrnn.xent_loss' op logits have batch size 2 but labels have 3}}
  %x = ccrnn.xent_loss %a, %l : tensor<2x10xf32>, tensor<3xi64> -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<2x10xf32>, %l: tensor<2xi64>) {
  // expected-error @below {{'ccrnn.xent_loss' op result element type 'f16' does not match the input element type 'f32'}}
  %x = ccrnn.xent_loss %a, %l : tensor<2x10xf32>, tensor<2xi64> -> tensor<f16>
  return
}

// -----

func.func @f(%a: tensor<2x10xf32>, %l: tensor<2xf32>) {
  // expected-error @below {{'ccrnn.xent_loss' op operand #1 must be ranked tensor of signless integer values, but got 'tensor<2xf32>'}}
  %x = ccrnn.xent_loss %a, %l : tensor<2x10xf32>, tensor<2xf32> -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<2xf32>) {
  // expected-error @below {{'ccrnn.value_and_grad' op 'missing' does not name a function}}
  %l, %g = ccrnn.value_and_grad @missing(%a) {num_params = 1} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return
}

// -----

func.func private @w(%a: tensor<2xf32>) -> tensor<f32>
func.func @f(%a: tensor<3xf32>) {
  // expected-error @below {{'ccrnn.value_and_grad' op operand types do not match the arguments of @w}}
  %l, %g = ccrnn.value_and_grad @w(%a) {num_params = 1} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

func.func private @w(%a: tensor<2xf32>) -> tensor<f32>
func.func @f(%a: tensor<2xf32>) {
  // expected-error @below {{'ccrnn.value_and_grad' op attribute 'num_params' (2) exceeds the 1 arguments of @w}}
  %l, %g = ccrnn.value_and_grad @w(%a) {num_params = 2} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return
}

// -----

func.func private @w(%a: tensor<2xf32>) -> tensor<2xf32>
func.func @f(%a: tensor<2xf32>) {
  // expected-error @below {{'ccrnn.value_and_grad' op @w must return a scalar loss first}}
  %l, %g = ccrnn.value_and_grad @w(%a) {num_params = 1} : (tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return
}

// -----

func.func private @w(%a: tensor<2xf32>) -> tensor<f32>
func.func @f(%a: tensor<2xf32>) {
  // expected-error @below {{'ccrnn.value_and_grad' op results must be the results of @w followed by the types of its first 1 arguments}}
  %l = ccrnn.value_and_grad @w(%a) {num_params = 1} : (tensor<2xf32>) -> (tensor<f32>)
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @below {{'ccrnn.matmul' op contraction sizes differ: 3 vs 2}}
  %c = ccrnn.matmul %a, %b : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @below {{'ccrnn.matmul' op result must have shape [2, 4], got 'tensor<2x3xf32>'}}
  %c = ccrnn.matmul %a, %b {transpose_rhs} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3x4xf32>, %b: tensor<2x3xf32>) {
  // expected-error @below {{'ccrnn.matmul' op operands must be rank 2, got 'tensor<2x3x4xf32>' and 'tensor<2x3xf32>'}}
  %c = ccrnn.matmul %a, %b : tensor<2x3x4xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<3xf32>) {
  // expected-error @below {{'ccrnn.broadcast' op result must be the input shape with one leading axis added, got 'tensor<3xf32>' -> 'tensor<2x4xf32>'}}
  %c = ccrnn.broadcast %a : tensor<3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @below {{'ccrnn.reduce_sum' op result must be the input shape without its leading axis, got 'tensor<2x3xf32>' -> 'tensor<2xf32>'}}
  %c = ccrnn.reduce_sum %a : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @below {{'ccrnn.reshape' op cannot reshape 'tensor<2x3xf32>' to 'tensor<7xf32>'}}
  %c = ccrnn.reshape %a : tensor<2x3xf32> -> tensor<7xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @below {{'ccrnn.concat' op axis 2 is out of range for 'tensor<2x6xf32>'}}
  %c = ccrnn.concat %a, %a {axis = 2} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @below {{'ccrnn.concat' op piece 'tensor<3x3xf32>' does not fit 'tensor<2x6xf32>' along axis 1}}
  %c = ccrnn.concat %a, %b {axis = 1} : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @below {{'ccrnn.concat' op pieces add up to 6 along axis 1, but the whole has 7}}
  %c = ccrnn.concat %a, %a {axis = 1} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x7xf32>
  return
}

// -----

func.func @f(%a: tensor<2x6xf32>) {
  // expected-error @below {{'ccrnn.split' op needs at least one piece}}
  "ccrnn.split"(%a) {axis = 1 : i64} : (tensor<2x6xf32>) -> ()
  return
}

// -----

func.func @f(%x: tensor<2x3x1xf32>, %i: index) {
  // expected-error @below {{'ccrnn.time_slice' op must take [batch, steps, features] to [batch, steps', features] with steps' <= steps, got 'tensor<2x3x1xf32>' -> 'tensor<2x4x1xf32>'}}
  %w = ccrnn.time_slice %x at %i : tensor<2x3x1xf32> -> tensor<2x4x1xf32>
  return
}

// -----

func.func @f(%x: tensor<2x5xf32>, %h: tensor<2x3xf32>, %wih: tensor<12x1xf32>, %whh: tensor<12x3xf32>, %b: tensor<12xf32>) {
  // expected-error @below {{'ccrnn.lstm_seq' op input must be [batch, steps, features], got 'tensor<2x5xf32>'}}
  %hs, %hT, %cT = ccrnn.lstm_seq %x, %h, %h, %wih, %whh, %b, %b : tensor<2x5xf32>, tensor<2x3xf32>, tensor<12x1xf32>, tensor<12x3xf32>, tensor<12xf32> -> tensor<2x5x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x5x1xf32>, %h: tensor<2x3x1xf32>, %wih: tensor<12x1xf32>, %whh: tensor<12x3xf32>, %b: tensor<12xf32>) {
  // expected-error @below {{'ccrnn.lstm_seq' op initial state must be [batch, hidden], got 'tensor<2x3x1xf32>'}}
  %hs, %hT, %cT = ccrnn.lstm_seq %x, %h, %h, %wih, %whh, %b, %b : tensor<2x5x1xf32>, tensor<2x3x1xf32>, tensor<12x1xf32>, tensor<12x3xf32>, tensor<12xf32> -> tensor<2x5x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x5x1xf32>, %h: tensor<4x3xf32>, %wih: tensor<12x1xf32>, %whh: tensor<12x3xf32>, %b: tensor<12xf32>) {
  // expected-error @below {{'ccrnn.lstm_seq' op initial state has batch 4 but the input has 2}}
  %hs, %hT, %cT = ccrnn.lstm_seq %x, %h, %h, %wih, %whh, %b, %b : tensor<2x5x1xf32>, tensor<4x3xf32>, tensor<12x1xf32>, tensor<12x3xf32>, tensor<12xf32> -> tensor<2x5x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x5x1xf32>, %h: tensor<2x3xf32>, %wih: tensor<3x1xf32>, %whh: tensor<12x3xf32>, %b: tensor<12xf32>) {
  // expected-error @below {{'ccrnn.lstm_seq' op w_ih must have shape [12, 1], got 'tensor<3x1xf32>'}}
  %hs, %hT, %cT = ccrnn.lstm_seq %x, %h, %h, %wih, %whh, %b, %b : tensor<2x5x1xf32>, tensor<2x3xf32>, tensor<3x1xf32>, tensor<12x3xf32>, tensor<12xf32> -> tensor<2x5x3xf32>
  return
}

// -----

func.func @f(%x: tensor<4x3xf32>, %w: tensor<5x3xf32>, %b: tensor<4xf32>) {
  // expected-error @below {{'ccrnn.fused_matmul' op bias must have shape [5], got 'tensor<4xf32>'}}
  %y = ccrnn.fused_matmul %x, %w, %b {transpose_rhs} : tensor<4x3xf32>, tensor<5x3xf32>, tensor<4xf32> -> tensor<4x5xf32>
  return
}

// -----

func.func @f(%acc: tensor<5x4xf32>, %dy: tensor<4x5xf32>, %x: tensor<4x3xf32>) {
  // expected-error @below {{'ccrnn.matmul_accumulate' op accumulator must have the result type 'tensor<5x3xf32>', got 'tensor<5x4xf32>'}}
  %y = ccrnn.matmul_accumulate %acc, %dy, %x {transpose_lhs} : tensor<5x4xf32>, tensor<4x5xf32>, tensor<4x3xf32> -> tensor<5x3xf32>
  return
}

// -----

func.func @f(%acc: tensor<5x3xf32>, %dy: tensor<4x5xf32>, %x: tensor<4x3xf32>) {
  // expected-error @below {{'ccrnn.matmul_accumulate' op}}
  %y = ccrnn.matmul_accumulate %acc, %dy, %x : tensor<5x3xf32>, tensor<4x5xf32>, tensor<4x3xf32> -> tensor<5x3xf32>
  return
}

// -----

func.func @f(%labels: tensor<4xi64>) {
  // expected-error @below {{'ccrnn.one_hot' op must take [batch] labels to [batch, classes], got 'tensor<4xi64>' -> 'tensor<3x10xf32>'}}
  %c = ccrnn.one_hot %labels : tensor<4xi64> -> tensor<3x10xf32>
  return
}

// -----

func.func @relu_grad_shapes(%c: tensor<2x3xf32>, %a: tensor<3x2xf32>) {
  // expected-error @below {{'ccrnn.relu_grad' op requires the same type for all operands and results}}
  %g = "ccrnn.relu_grad"(%c, %a) : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Ensembles
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<0x2xf32>) -> tensor<0x2xf32> {
  // expected-error @below {{'ccrnn.ensemble' op size must be at least 1, got 0}}
  %r = ccrnn.ensemble 0 networks(%x : tensor<0x2xf32>) -> (tensor<0x2xf32>) {
  ^bb0(%x1: tensor<2xf32>):
    ccrnn.ensemble_yield %x1 : tensor<2xf32>
  }
  return %r : tensor<0x2xf32>
}

// -----

func.func @f(%x: tensor<1025x2xf32>) -> tensor<1025x2xf32> {
  // expected-error @below {{'ccrnn.ensemble' op size must be at most 1024, got 1025}}
  %r = ccrnn.ensemble 1025 networks(%x : tensor<1025x2xf32>) -> (tensor<1025x2xf32>) {
  ^bb0(%x1: tensor<2xf32>):
    ccrnn.ensemble_yield %x1 : tensor<2xf32>
  }
  return %r : tensor<1025x2xf32>
}

// -----

func.func @f(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @below {{'ccrnn.ensemble' op has 1 inputs but its body takes 0 arguments}}
  %r = ccrnn.ensemble 3 networks(%x : tensor<3x2xf32>) -> (tensor<3x2xf32>) {
    %c = arith.constant dense<0.0> : tensor<2xf32>
    ccrnn.ensemble_yield %c : tensor<2xf32>
  }
  return %r : tensor<3x2xf32>
}

// -----

func.func @f(%x: tensor<2x2xf32>) -> tensor<3x2xf32> {
  // expected-error @below {{'ccrnn.ensemble' op input 0 has type 'tensor<2x2xf32>', expected 'tensor<3x2xf32>' for the body's 'tensor<2xf32>'}}
  %r = ccrnn.ensemble 3 networks(%x : tensor<2x2xf32>) -> (tensor<3x2xf32>) {
  ^bb0(%x1: tensor<2xf32>):
    ccrnn.ensemble_yield %x1 : tensor<2xf32>
  }
  return %r : tensor<3x2xf32>
}

// -----

func.func @f(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @below {{'ccrnn.ensemble' op yields 2 values for 1 results}}
  %r = ccrnn.ensemble 3 networks(%x : tensor<3x2xf32>) -> (tensor<3x2xf32>) {
  ^bb0(%x1: tensor<2xf32>):
    ccrnn.ensemble_yield %x1, %x1 : tensor<2xf32>, tensor<2xf32>
  }
  return %r : tensor<3x2xf32>
}

// -----

func.func @f(%x: tensor<3x2xf32>) -> tensor<2x3xf32> {
  // expected-error @below {{'ccrnn.ensemble' op result 0 has type 'tensor<2x3xf32>', expected 'tensor<3x2xf32>' for the yielded 'tensor<2xf32>'}}
  %r = ccrnn.ensemble 3 networks(%x : tensor<3x2xf32>) -> (tensor<2x3xf32>) {
  ^bb0(%x1: tensor<2xf32>):
    ccrnn.ensemble_yield %x1 : tensor<2xf32>
  }
  return %r : tensor<2x3xf32>
}

// -----

// The body sees nothing but its arguments.
func.func @f(%x: tensor<3x2xf32>, %y: tensor<2xf32>) -> tensor<3x2xf32> {
  // expected-note @below {{required by region isolation constraints}}
  %r = ccrnn.ensemble 3 networks(%x : tensor<3x2xf32>) -> (tensor<3x2xf32>) {
  ^bb0(%x1: tensor<2xf32>):
    // expected-error @below {{using value defined outside the region}}
    %s = ccrnn.add %x1, %y : tensor<2xf32>
    ccrnn.ensemble_yield %s : tensor<2xf32>
  }
  return %r : tensor<3x2xf32>
}

// -----

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @below {{'ccrnn.ensemble_yield' op expects parent op 'ccrnn.ensemble'}}
  ccrnn.ensemble_yield %x : tensor<2xf32>
}

// -----

func.func @gather_rows_width(%table: tensor<10x4xf32>, %tokens: tensor<6xi64>) {
  // expected-error @below {{'ccrnn.gather_rows' op must relate a [rows, features] table, [n] indices and [n, features] rows, got table 'tensor<10x4xf32>', indices 'tensor<6xi64>' and rows 'tensor<6x3xf32>'}}
  %e = ccrnn.gather_rows %table[%tokens] : tensor<10x4xf32>, tensor<6xi64> -> tensor<6x3xf32>
  return
}

// -----

func.func @gather_rows_element_type(%table: tensor<10x4xf32>, %tokens: tensor<6xi64>) {
  // expected-error @below {{'ccrnn.gather_rows' op table and rows must have one element type, got 'tensor<10x4xf32>' and 'tensor<6x4xf64>'}}
  %e = ccrnn.gather_rows %table[%tokens] : tensor<10x4xf32>, tensor<6xi64> -> tensor<6x4xf64>
  return
}

// -----

func.func @scatter_add_rows_count(%rows: tensor<5x4xf32>, %tokens: tensor<6xi64>) {
  // expected-error @below {{'ccrnn.scatter_add_rows' op must relate a [rows, features] table, [n] indices and [n, features] rows, got table 'tensor<10x4xf32>', indices 'tensor<6xi64>' and rows 'tensor<5x4xf32>'}}
  %t = ccrnn.scatter_add_rows %rows[%tokens] : tensor<5x4xf32>, tensor<6xi64> -> tensor<10x4xf32>
  return
}

// -----

func.func @batch_norm_batch_of_one(%x: tensor<1x4xf32>, %g: tensor<4xf32>) {
  // expected-error @below {{'ccrnn.batch_norm_train' op needs an input of [batch, features] with a batch of at least 2, got 'tensor<1x4xf32>'}}
  %y, %m, %v = ccrnn.batch_norm_train %x, %g, %g {epsilon = 1.0e-5} : tensor<1x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @batch_norm_gamma(%x: tensor<8x4xf32>, %g: tensor<3xf32>) {
  // expected-error @below {{'ccrnn.batch_norm_train' op needs per-feature operands of type 'tensor<4xf32>', got 'tensor<3xf32>'}}
  %y, %m, %v = ccrnn.batch_norm_train %x, %g, %g {epsilon = 1.0e-5} : tensor<8x4xf32>, tensor<3xf32>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<8x4xf32>, %g: tensor<4xf32>) {
  // expected-error @below {{'ccrnn.batch_norm_inference' op needs a positive epsilon, got 0}}
  %y = ccrnn.batch_norm_inference %x, %g, %g, %g, %g {epsilon = 0.0} : tensor<8x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @batch_norm_grad_cotangent(%x: tensor<8x4xf32>, %g: tensor<4xf32>, %dy: tensor<8x3xf32>) {
  // expected-error @below {{'ccrnn.batch_norm_grad' op failed to verify that all of {input, d_result, d_input} have same type}}
  %dx, %dg, %db = "ccrnn.batch_norm_grad"(%x, %g, %g, %g, %dy) {epsilon = 1.0e-5} : (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x3xf32>) -> (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @batch_norm_inference_result(%x: tensor<8x4xf32>, %g: tensor<4xf32>) {
  // expected-error @below {{'ccrnn.batch_norm_inference' op failed to verify that all of {input, result} have same type}}
  %y = "ccrnn.batch_norm_inference"(%x, %g, %g, %g, %g) {epsilon = 1.0e-5} : (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4xf64>
  return
}

// -----

// vector linear to a sequence
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  // expected-error @below {{'ccrnn.linear' op maps a vector to a vector and a sequence to a sequence, got '!ccrnn.vec<20>' -> '!ccrnn.seq<16>'}}
  %e = ccrnn.linear %image features = 16 : !ccrnn.vec<20> -> !ccrnn.seq<16>
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %h = ccrnn.lstm %w hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// -----

// embedding size
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  // expected-error @below {{'ccrnn.embedding' op attribute 'features' (12) does not match the result type '!ccrnn.seq<16>'}}
  %w = ccrnn.embedding %words features = 12 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %h = ccrnn.lstm %w hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// -----

// embedding range
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  // expected-error @below {{'ccrnn.embedding' op attribute 'features' must be from 1 to 1048576, got 0}}
  %w = ccrnn.embedding %words features = 0 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %h = ccrnn.lstm %w hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// -----

// batch norm momentum
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  %e = ccrnn.linear %image features = 16 : !ccrnn.vec<20> -> !ccrnn.vec<16>
  // expected-error @below {{'ccrnn.batch_norm' op attribute 'momentum' must be in (0, 1], got 0}}
  %n = ccrnn.batch_norm %e momentum = 0.0 : !ccrnn.vec<16>
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<16>, !ccrnn.seq<16>
  %h = ccrnn.lstm %x hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// -----

// batch norm epsilon
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  %e = ccrnn.linear %image features = 16 : !ccrnn.vec<20> -> !ccrnn.vec<16>
  // expected-error @below {{'ccrnn.batch_norm' op attribute 'epsilon' must be positive, got -1}}
  %n = ccrnn.batch_norm %e momentum = 0.1 {epsilon = -1.0} : !ccrnn.vec<16>
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<16>, !ccrnn.seq<16>
  %h = ccrnn.lstm %x hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// -----

// prepend features
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  // expected-error @below {{'ccrnn.prepend' op first step '!ccrnn.vec<20>' and sequence '!ccrnn.seq<16>' must have the same features}}
  %x = ccrnn.prepend %image, %w : !ccrnn.vec<20>, !ccrnn.seq<16>
  %h = ccrnn.lstm %x hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// -----

// dropout rate
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  // expected-error @below {{'ccrnn.dropout' op attribute 'rate' must be in [0, 1), got 1}}
  %d = ccrnn.dropout %w rate = 1.0 : !ccrnn.seq<16>
  %h = ccrnn.lstm %d hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// -----

// two dropouts
// expected-error @below {{'ccrnn.model' op has two 'ccrnn.dropout' ops; a model has at most one}}
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %d = ccrnn.dropout %w rate = 0.5 : !ccrnn.seq<16>
  // expected-note @below {{second one here}}
  %d2 = ccrnn.dropout %d rate = 0.5 : !ccrnn.seq<16>
  %h = ccrnn.lstm %d2 hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<50>
}

// -----

// token model loss
ccrnn.model @m(%image: !ccrnn.vec<20>, %words: !ccrnn.tokens<50>) -> !ccrnn.seq<50> {
  %w = ccrnn.embedding %words features = 16 : !ccrnn.tokens<50> -> !ccrnn.seq<16>
  %h = ccrnn.lstm %w hidden = 8 : !ccrnn.seq<16> -> !ccrnn.rnn<lstm, 8>
  %y = ccrnn.linear %h features = 50 : !ccrnn.rnn<lstm, 8> -> !ccrnn.seq<50>
  // expected-error @below {{'ccrnn.return' op a model of '!ccrnn.tokens<50>' predicts its next token: 'loss' must be 'xent_steps'}}
  ccrnn.return %y loss = xent : !ccrnn.seq<50>
}

// -----

ccrnn.model @m(%x: !ccrnn.seq<1>) -> !ccrnn.seq<4> {
  %h = ccrnn.lstm %x hidden = 5 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 5>
  %y = ccrnn.linear %h features = 4 : !ccrnn.rnn<lstm, 5> -> !ccrnn.seq<4>
  // expected-error @below {{'ccrnn.return' op attribute 'loss' is 'xent_steps', which needs a '!ccrnn.tokens' input of the output's 4 tokens}}
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<4>
}

// -----

// expected-error @below {{!ccrnn.tokens: vocab must be from 2 to 1048576, got 1}}
func.func private @f(%t: !ccrnn.tokens<1>)

// -----

// expected-error @below {{!ccrnn.vec: features must be from 1 to 1048576, got 0}}
func.func private @f(%t: !ccrnn.vec<0>)
