//===- Evaluator.h - the double-precision reference evaluator ---*- C++ -*-===//
//
// Runs tensor-level ccrnn programs (func/scf/arith plus the ccrnn tensor ops)
// by direct interpretation, with every value held and computed in double
// whatever the IR's element type says. It is the reference the compiled
// trainers and the autodiff pass are checked against: slow, simple, exact
// enough for finite differences.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_REFERENCE_EVALUATOR_H
#define CCRNN_REFERENCE_EVALUATOR_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <vector>

namespace ccrnn::reference {

/// A dense row-major array. Integer tensors (class labels) and scalars are
/// held as double too; a scalar is a 0-d tensor (shape {}, one element).
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  int64_t numElements() const;
};

class Evaluator {
public:
  explicit Evaluator(mlir::ModuleOp module);

  /// Runs func.func @name on `arguments`; index, integer and float scalar
  /// arguments are passed as 0-d tensors. Scalar results come back as 0-d
  /// tensors. On error (unknown function, wrong argument count or shape,
  /// unsupported op, out-of-range label or slice) emits an error diagnostic
  /// at the offending op and returns failure.
  mlir::FailureOr<std::vector<Tensor>> call(llvm::StringRef name,
                                            llvm::ArrayRef<Tensor> arguments);

private:
  mlir::ModuleOp module;
};

} // namespace ccrnn::reference

#endif // CCRNN_REFERENCE_EVALUATOR_H
