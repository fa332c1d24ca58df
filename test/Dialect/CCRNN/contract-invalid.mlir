// RUN: ccrnn-opt %s --split-input-file --verify-diagnostics
// One case per diagnostic of the contract attributes (CCRNNAttrs.cpp).

// expected-error @below {{'func.func' op argument 0: 'ccrnn.name' must be a non-empty string}}
func.func @f(%a: tensor<2xf32> {ccrnn.name = 3 : i64}) {
  return
}

// -----

// expected-error @below {{'func.func' op result 0: 'ccrnn.name' must be a non-empty string}}
func.func @f() -> (tensor<2xf32> {ccrnn.name = ""}) {
  %0 = arith.constant dense<0.0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// expected-error @below {{'func.func' op argument 0: 'ccrnn.role' must be a role (#ccrnn.role<...>)}}
func.func @f(%a: tensor<2xf32> {ccrnn.role = "state"}) {
  return
}

// -----

// expected-error @below {{'func.func' op argument 0: 'ccrnn.parameter' must be a parameter description (#ccrnn.parameter<...>)}}
func.func @f(%a: tensor<2xf32> {ccrnn.parameter = "uniform"}) {
  return
}

// -----

// expected-error @below {{'func.func' op argument 0: 'ccrnn.parameter' must be on an f32 tensor argument, not tensor<2xi64>}}
func.func @f(%a: tensor<2xi64> {ccrnn.parameter = #ccrnn.parameter<init = zeros, bound = 0.0, group = readout>}) {
  return
}

// -----

// expected-error @below {{'func.func' op argument 0: unknown ccrnn attribute 'ccrnn.init'}}
func.func @f(%a: tensor<2xf32> {ccrnn.init = "zeros"}) {
  return
}

// -----

// expected-error @below {{'func.func' op result 0: unknown ccrnn attribute 'ccrnn.parameter'}}
func.func @f() -> (tensor<2xf32> {ccrnn.parameter = #ccrnn.parameter<init = zeros, bound = 0.0, group = readout>}) {
  %0 = arith.constant dense<0.0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// expected-error @below {{'ccrnn.ensemble' must be an integer of at least 1 on a module}}
module attributes {ccrnn.ensemble = 0 : i64} {
}

// -----

module {
  // expected-error @below {{'ccrnn.ensemble' must be an integer of at least 1 on a module}}
  func.func @f() attributes {ccrnn.ensemble = 2 : i64} {
    return
  }
}

// -----

// expected-error @below {{'ccrnn.trainer' must be a #ccrnn.trainer<...> on a function}}
func.func @m_train() attributes {ccrnn.trainer = {model = "m"}} {
  return
}

// -----

// expected-error @below {{'ccrnn.trainer' names @m_eval, which is not a function of the module}}
func.func @m_train() attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return
}

// -----

func.func @m_eval() {
  return
}
// expected-error @below {{'ccrnn.trainer' names @m_record, which is not a function of the module}}
func.func @m_train() attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval, record = @m_record>} {
  return
}

// -----

// expected-error @below {{unknown ccrnn attribute 'ccrnn.carry'}}
func.func @f() attributes {ccrnn.carry = 1 : i64} {
  return
}
