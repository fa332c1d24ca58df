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

// expected-error @below {{'func.func' op argument 0: 'ccrnn.parameter' must be on an f32 tensor or buffer argument, not tensor<2xi64>}}
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

// -----

// expected-error @below {{'ccrnn.memory_plan' must be a #ccrnn.memory_plan<...> with a non-negative arena and staging on a module}}
func.func @f() attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 0>} {
  return
}

// -----

// expected-error @below {{'ccrnn.memory_plan' must be a #ccrnn.memory_plan<...> with a non-negative arena and staging on a module}}
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = -16>} {
}

// -----

func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @below {{'ccrnn.tanh' op 'ccrnn.storage' must be an array of one #ccrnn.slot or #ccrnn.carried per result (1)}}
  %0 = ccrnn.tanh %a {ccrnn.storage = []} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @below {{'ccrnn.tanh' op 'ccrnn.storage' result 0: expected a #ccrnn.slot or #ccrnn.carried}}
  %0 = ccrnn.tanh %a {ccrnn.storage = [16]} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @below {{'ccrnn.tanh' op 'ccrnn.storage' result 0: #ccrnn.carried is for the results of a loop}}
  %0 = ccrnn.tanh %a {ccrnn.storage = [#ccrnn.carried<0>]} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @below {{'scf.for' op 'ccrnn.storage' result 0: #ccrnn.carried needs non-negative offsets}}
  %0 = scf.for %i = %c0 to %c1 step %c1 iter_args(%x = %a) -> (tensor<2xf32>) {
    scf.yield %x : tensor<2xf32>
  } {ccrnn.storage = [#ccrnn.carried<-16>]}
  return %0 : tensor<2xf32>
}

// -----

func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @below {{'ccrnn.tanh' op 'ccrnn.storage' result 0: #ccrnn.slot<arena> needs a non-negative offset}}
  %0 = ccrnn.tanh %a {ccrnn.storage = [#ccrnn.slot<arena>]} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @below {{'ccrnn.tanh' op 'ccrnn.storage' result 0: #ccrnn.slot<in_place> takes no offset}}
  %0 = ccrnn.tanh %a {ccrnn.storage = [#ccrnn.slot<in_place, 16>]} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// expected-error @below {{'func.func' op result 0: 'ccrnn.caller_storage' must be a unit attribute}}
func.func @f(%a: tensor<2xf32>) -> (tensor<2xf32> {ccrnn.caller_storage = 1 : i64}) {
  return %a : tensor<2xf32>
}

// -----

// expected-error @below {{'ccrnn.flops' must be a non-negative float on a function}}
func.func @f() attributes {ccrnn.flops = -1.0 : f64} {
  return
}

// -----

// expected-error @below {{'ccrnn.kernels' must be an array of #ccrnn.matmul_kernel and #ccrnn.window_kernel on a module}}
module attributes {ccrnn.kernels = [#ccrnn.uses_kernel<0>]} {
}

// -----

module attributes {ccrnn.kernels = [#ccrnn.window_kernel<cell = lstm, batch = 2, steps = 1, input = 1, hidden = 3>]} {
  func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) -> tensor<2x3xf32> {
    // expected-error @below {{'ccrnn.matmul' op 'ccrnn.kernel' must be a #ccrnn.uses_kernel<i> naming one of the module's 'ccrnn.kernels'}}
    %0 = ccrnn.matmul %a, %b {ccrnn.kernel = #ccrnn.uses_kernel<1>} : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}

// -----

// expected-error @below {{'func.func' op argument 0: 'ccrnn.staged' must be a non-negative integer (a staging offset)}}
func.func @f(%a: tensor<2xf32> {ccrnn.staged = -16 : i64}) {
  return
}
