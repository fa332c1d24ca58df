//===- CppTrainer.h - emit a C++ trainer from a training program -*- C++ -*-===//

#ifndef CCRNN_TARGET_CPPTRAINER_H
#define CCRNN_TARGET_CPPTRAINER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace ccrnn {

/// The kernels a generated trainer calls.
enum class TrainerTarget {
  CPU,  ///< ccrnn/Runtime/Kernels.h (oneDNN), host memory
  CUDA, ///< ccrnn/Runtime/KernelsCUDA.h (cuBLAS), device memory
};

struct CppTrainerOptions {
  /// Suffix of the exported `ccrnn_trainer_<id>`; default: the model name.
  std::string id;
  /// Also export `ccrnn_trainer_entry` (trainers built as shared objects).
  bool entry = false;
  TrainerTarget target = TrainerTarget::CPU;
};

/// Writes readable C++ implementing the trainer C ABI
/// (ccrnn/Runtime/TrainerABI.h) for a module produced by
/// --ccrnn-build-training --ccrnn-autodiff [--ccrnn-optimize]
/// [--convert-ccrnn-to-onednn]: one function `@<model>_train` carrying the
/// `ccrnn.trainer` attribute, its `@<model>_eval`, and what they call.
/// Reports unsupported IR as diagnostics.
mlir::LogicalResult emitCppTrainer(mlir::ModuleOp module, llvm::raw_ostream &os,
                                   const CppTrainerOptions &options);

} // namespace ccrnn

#endif // CCRNN_TARGET_CPPTRAINER_H
