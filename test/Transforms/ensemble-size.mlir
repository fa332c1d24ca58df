// RUN: ccrnn-opt %s --ccrnn-ensemble=size=0 -verify-diagnostics
// An ensemble of no networks.

// expected-error @below {{ccrnn-ensemble: size must be at least 1, got 0}}
module {
  func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    return %x : tensor<2x3xf32>
  }
}
