//===- Passes.h - ccrnn passes ----------------------------------*- C++ -*-===//

#ifndef CCRNN_TRANSFORMS_PASSES_H
#define CCRNN_TRANSFORMS_PASSES_H

#include "ccrnn/CCRNNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ccrnn {

#define GEN_PASS_DECL
#include "ccrnn/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "ccrnn/Transforms/Passes.h.inc"

} // namespace ccrnn

#endif // CCRNN_TRANSFORMS_PASSES_H
