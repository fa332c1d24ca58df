// RUN: ccrnn-opt %s --split-input-file --ccrnn-ensemble=size=2 -verify-diagnostics
// Every diagnostic of --ccrnn-ensemble but the size's (ensemble-size.mlir).

// An op of a program not lowered yet (here: before autodiff's expansion).
func.func @not_lowered(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @below {{'ccrnn.truncate' op cannot be part of an ensemble program: run the training pipeline through --convert-ccrnn-to-onednn first}}
  %t = ccrnn.truncate %x : tensor<2x3xf32>
  return %t : tensor<2x3xf32>
}

// -----

// Made an ensemble twice.
// expected-error @below {{ccrnn-ensemble: the program is already an ensemble of 3 networks}}
module {
  func.func @f(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
    %r = ccrnn.ensemble 3 networks(%x : tensor<3x2xf32>) -> (tensor<3x2xf32>) {
    ^bb0(%x1: tensor<2xf32>):
      ccrnn.ensemble_yield %x1 : tensor<2xf32>
    }
    return %r : tensor<3x2xf32>
  }
}

// -----

// Planned for one network.
// expected-error @below {{ccrnn-ensemble: the program already has a memory plan: run --ccrnn-ensemble before --ccrnn-plan-memory}}
module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cpu, arena = 0>} {
}
