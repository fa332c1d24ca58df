//===- Passes.h - ccrnn conversions -----------------------------*- C++ -*-===//

#ifndef CCRNN_CONVERSION_PASSES_H
#define CCRNN_CONVERSION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ccrnn {

#define GEN_PASS_DECL
#include "ccrnn/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "ccrnn/Conversion/Passes.h.inc"

} // namespace ccrnn

#endif // CCRNN_CONVERSION_PASSES_H
