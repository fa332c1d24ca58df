// The C++ emitter's diagnostics on programs already on the runtime level
// (ccrnnrt, written by hand: the conversion never makes these), one case
// each: an error at the op (file:line:col), exit status 1, no output file.
// RUN: rm -rf %t && split-file %s %t
// RUN: not ccrnn-translate --emit-trainer=cpp %t/yield.mlir -o %t/yield.cpp 2>&1 | FileCheck %s --check-prefix=YIELD
// RUN: not test -e %t/yield.cpp
// YIELD: error: 'scf.for' op yields a buffer that is not one of its own in its place or swapped with another
// RUN: not ccrnn-translate --emit-trainer=cpp %t/swap.mlir 2>&1 | FileCheck %s --check-prefix=SWAP
// SWAP: error: 'scf.for' op swaps buffers that are not arena slices of its own
// RUN: not ccrnn-translate --emit-trainer=cpp %t/carried.mlir 2>&1 | FileCheck %s --check-prefix=CARRIED
// CARRIED: error: 'scf.for' op only f32 buffers can be loop-carried
// RUN: not ccrnn-translate --emit-trainer=cpp %t/constant.mlir 2>&1 | FileCheck %s --check-prefix=CONSTANT
// CONSTANT: error: 'arith.constant' op only index constants are supported (buffers are ccrnnrt.slice)
// RUN: not ccrnn-translate --emit-trainer=cpp %t/op.mlir 2>&1 | FileCheck %s --check-prefix=OP
// OP: error: 'arith.subi' op is not supported by the C++ trainer emitter (run --convert-ccrnn-to-ccrnnrt first?)
// RUN: not ccrnn-translate --emit-trainer=cpp %t/networks.mlir 2>&1 | FileCheck %s --check-prefix=NETWORKS
// NETWORKS: error: the program's ensemble of 2000 networks is more than 1024
// RUN: not ccrnn-translate --emit-trainer=cpp %t/entries.mlir 2>&1 | FileCheck %s --check-prefix=ENTRIES
// ENTRIES: error: the program has no train and eval entry points: run --ccrnnrt-build-entry-points first
// RUN: not ccrnn-translate --emit-trainer=cpp %t/staged.mlir 2>&1 | FileCheck %s --check-prefix=STAGED
// STAGED: staged.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'ccrnnrt.caller_array' op is staged, but target 'cpp' reads the caller's memory
// RUN: not ccrnn-translate --emit-trainer=cuda %t/unstaged.mlir 2>&1 | FileCheck %s --check-prefix=UNSTAGED
// UNSTAGED: error: 'ccrnnrt.caller_array' op is not staged, but target 'cuda' reads only its staging buffer

//--- yield.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 64>, ccrnn.kernels = []} {
  func.func @m_train(%x: memref<2xf32>) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %a = ccrnnrt.slice 0 : memref<2xf32>
    %b = ccrnnrt.slice 16 : memref<2xf32>
    %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%h = %a) -> (memref<2xf32>) {
      scf.yield %b : memref<2xf32>
    }
    return %r : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
}

//--- swap.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 64>, ccrnn.kernels = []} {
  func.func @m_train(%x: memref<2xf32>) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %a = ccrnnrt.slice 0 : memref<2xf32>
    %r:2 = scf.for %i = %c0 to %c1 step %c1 iter_args(%h = %a, %g = %x) -> (memref<2xf32>, memref<2xf32>) {
      scf.yield %g, %h : memref<2xf32>, memref<2xf32>
    }
    return %r#0 : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
}

//--- carried.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 64>, ccrnn.kernels = []} {
  func.func @m_train(%x: memref<2xf32>, %l: memref<2xi64>) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%h = %l) -> (memref<2xi64>) {
      scf.yield %h : memref<2xi64>
    }
    return %x : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
}

//--- constant.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 64>, ccrnn.kernels = []} {
  func.func @m_train(%x: memref<2xf32>) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    %c = arith.constant 1.0 : f32
    return %x : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
}

//--- op.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 64>, ccrnn.kernels = []} {
  func.func @m_train(%x: memref<2xf32>, %n: index) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    %d = arith.subi %n, %n : index
    return %x : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
}

//--- networks.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 64>, ccrnn.kernels = [], ccrnnrt.networks = 2000 : i64} {
  func.func @m_train(%x: memref<2xf32>) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    return %x : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
}

//--- entries.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 64>, ccrnn.kernels = []} {
  func.func @m_train(%x: memref<2xf32>) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    return %x : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
}

//--- staged.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 64, staging = 16>, ccrnn.kernels = []} {
  func.func @m_train(%x: memref<2xf32>) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    return %x : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
  ccrnnrt.entry_point train {
    %x = ccrnnrt.caller_array inputs staged 0 : memref<2xf32>
    %r = func.call @m_train(%x) : (memref<2xf32>) -> memref<2xf32>
    ccrnnrt.entry_return %r : memref<2xf32>
  }
}

//--- unstaged.mlir
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = 64, staging = 16>, ccrnn.kernels = []} {
  func.func @m_train(%x: memref<2xf32>) -> memref<2xf32> attributes {ccrnn.flops = 0.0 : f64, ccrnn.trainer = #ccrnn.trainer<model = "m", options = "", hasCerebellum = false, classify = false, predictLast = false, eval = @m_eval>} {
    return %x : memref<2xf32>
  }
  func.func @m_eval() {
    return
  }
  ccrnnrt.entry_point train {
    %x = ccrnnrt.caller_array inputs : memref<2xf32>
    %r = func.call @m_train(%x) : (memref<2xf32>) -> memref<2xf32>
    ccrnnrt.entry_return %r : memref<2xf32>
  }
}
