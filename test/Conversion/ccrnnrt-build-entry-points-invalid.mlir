// RUN: ccrnn-opt %s --split-input-file --ccrnnrt-build-entry-points --verify-diagnostics
// One case per diagnostic of --ccrnnrt-build-entry-points, on hand-written
// programs (the pipeline never makes these).

// expected-error @below {{no function with a 'ccrnn.trainer' attribute: run --ccrnn-build-training first}}
module {
  func.func @f() {
    return
  }
}

// -----

// expected-error @below {{'func.func' op is not on buffers: run --convert-ccrnn-to-ccrnnrt first}}
func.func @m_train(%x: tensor<2xf32> {ccrnn.role = #ccrnn.role<input>}) attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return
}
func.func @m_eval() {
  return
}

// -----

// expected-error @below {{'func.func' op argument 0 has no role (ccrnn.role)}}
func.func @m_train(%x: memref<2xf32>) attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return
}
func.func @m_eval() {
  return
}

// -----

// expected-error @below {{'func.func' op argument 0 has the role of a result: loss}}
func.func @m_train(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<loss>}) attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return
}
func.func @m_eval() {
  return
}

// -----

// expected-error @below {{'func.func' op argument 1 is the caller's array for result 0, which is not a gradient}}
func.func @m_train(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>}, %o: memref<2xf32> {ccrnnrt.caller_result = 0 : i64})
    -> (memref<2xf32> {ccrnn.role = #ccrnn.role<prediction>})
    attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return %o : memref<2xf32>
}
func.func @m_eval() {
  return
}

// -----

// expected-error @below {{'func.func' op result 0 has no role (ccrnn.role)}}
func.func @m_train(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>}) -> memref<2xf32>
    attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return %x : memref<2xf32>
}
func.func @m_eval() {
  return
}

// -----

// expected-error @below {{'func.func' op result 0 has the role of an argument: input}}
func.func @m_train(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>}) -> (memref<2xf32> {ccrnn.role = #ccrnn.role<input>})
    attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return %x : memref<2xf32>
}
func.func @m_eval() {
  return
}

// -----

module {
  func.func @m_train(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>}) -> (memref<2xf32> {ccrnn.role = #ccrnn.role<loss>})
      attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval, record = @m_record>} {
    return %x : memref<2xf32>
  }
  func.func @m_eval(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>}) -> (memref<2xf32> {ccrnn.role = #ccrnn.role<loss>}) {
    return %x : memref<2xf32>
  }
  // expected-error @below {{'func.func' op records more than the 5 arrays of ccrnn_record}}
  func.func @m_record(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>})
      -> (memref<2xf32> {ccrnn.role = #ccrnn.role<recorded>}, memref<2xf32> {ccrnn.role = #ccrnn.role<recorded>},
          memref<2xf32> {ccrnn.role = #ccrnn.role<recorded>}, memref<2xf32> {ccrnn.role = #ccrnn.role<recorded>},
          memref<2xf32> {ccrnn.role = #ccrnn.role<recorded>}, memref<2xf32> {ccrnn.role = #ccrnn.role<recorded>}) {
    return %x, %x, %x, %x, %x, %x : memref<2xf32>, memref<2xf32>, memref<2xf32>, memref<2xf32>, memref<2xf32>, memref<2xf32>
  }
}

// -----

// A GPU program stages every argument of the training function.
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = 16, staging = 16>} {
  // expected-error @below {{'func.func' op argument 0 has no staging offset (ccrnn.staged): run --ccrnn-plan-memory=target=cuda first}}
  func.func @m_train(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>}) attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    return
  }
  func.func @m_eval() {
    return
  }
}

// -----

// The other entry points use the training function's places.
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = 16, staging = 16>} {
  func.func @m_train(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>, ccrnn.staged = 0 : i64}) -> (memref<2xf32> {ccrnn.role = #ccrnn.role<loss>}) attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    return %x : memref<2xf32>
  }
  // expected-error @below {{'func.func' op argument 0 has no place in the staging buffer: the training function has no 'inputs' of type 'memref<3xf32>'}}
  func.func @m_eval(%x: memref<3xf32> {ccrnn.role = #ccrnn.role<input>}) {
    return
  }
}

// -----

// expected-error @below {{'func.func' op has no result with the role of the loss (ccrnn.role), which the train entry point returns}}
func.func @m_train(%x: memref<2xf32> {ccrnn.role = #ccrnn.role<input>}) attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return
}
func.func @m_eval() {
  return
}

// -----

// An evaluation from a given state is a window's (eval_window), which
// returns the loss too.
func.func @m_train(%x: memref<f32> {ccrnn.role = #ccrnn.role<input>}) -> (memref<f32> {ccrnn.role = #ccrnn.role<loss>}) attributes {ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
  return %x : memref<f32>
}
// expected-error @below {{'func.func' op has no result with the role of the loss (ccrnn.role), which the eval_window entry point returns}}
func.func @m_eval(%h: memref<2xf32> {ccrnn.role = #ccrnn.role<state>}) {
  return
}
