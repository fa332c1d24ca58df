//===- CCRNNTypes.h - ccrnn types and enums ---------------------*- C++ -*-===//

#ifndef CCRNN_CCRNNTYPES_H
#define CCRNN_CCRNNTYPES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"

#include "ccrnn/Support/SizeLimits.h"

#include <optional>
#include <string>

#include "ccrnn/CCRNNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "ccrnn/CCRNNAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "ccrnn/CCRNNTypes.h.inc"

namespace ccrnn {

/// Features of one step of a graph-level value: the size of a `!ccrnn.seq`
/// or a `!ccrnn.vec`, or the hidden size of a `!ccrnn.rnn` (its last
/// layer's hidden sequence).
/// Returns 0 for any other type.
int64_t getFeatureSize(mlir::Type type);

/// A shape as `[2, 3]`, for diagnostics and tables.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Number of gate blocks in the stacked weight matrices of a cell: 4 for
/// LSTM (i, f, g, o), 1 for tanh.
int64_t getNumGates(CellKind cell);

/// The elements of `copies` tensors of the statically shaped `type`, or
/// nullopt when a dimension is dynamic or the count exceeds `limit`
/// (default kMaxProgramFloats, ccrnn/Support/SizeLimits.h): computed with
/// overflow checks, so that no product of sizes wraps around.
std::optional<int64_t> getCheckedNumElements(mlir::ShapedType type,
                                             int64_t copies = 1,
                                             int64_t limit = kMaxProgramFloats);

} // namespace ccrnn

#endif // CCRNN_CCRNNTYPES_H
