// RUN: ccrnn-opt %s --ccrnn-ensemble=size=0 -verify-diagnostics
// RUN: not ccrnn-opt %s --ccrnn-ensemble=size=1000000 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: error: ccrnn-ensemble: size must be from 1 to 1024, got 1000000
// An ensemble of no networks.

// expected-error @below {{ccrnn-ensemble: size must be from 1 to 1024, got 0}}
module {
  func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    return %x : tensor<2x3xf32>
  }
}
