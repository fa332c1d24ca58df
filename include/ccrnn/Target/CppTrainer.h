//===- CppTrainer.h - emit a C++ trainer from a training program -*- C++ -*-===//

#ifndef CCRNN_TARGET_CPPTRAINER_H
#define CCRNN_TARGET_CPPTRAINER_H

#include "ccrnn/CCRNNAttrs.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace ccrnn {

struct CppTrainerOptions {
  /// Suffix of the exported `ccrnn_trainer_<id>`; default: the model name.
  std::string id;
  /// Also export `ccrnn_trainer_entry` (trainers built as shared objects).
  bool entry = false;
  TrainerTarget target = TrainerTarget::CPU;
};

/// Runs what the emitter prints (CIRCT's "prepare for emission"): the
/// passes --ccrnn-count-flops, --ccrnn-assign-kernels and
/// --ccrnn-plan-memory=target=<target>, each unless its result is already
/// in the IR (emitCppTrainer rejects a plan made for another target), then
/// --convert-ccrnn-to-ccrnnrt and --ccrnnrt-build-entry-points; nothing when
/// the program is on buffers (its entry points are then its own).
mlir::LogicalResult prepareForEmission(mlir::ModuleOp module,
                                       TrainerTarget target);

/// Writes readable C++ implementing the trainer C ABI
/// (ccrnn/Runtime/TrainerABI.h) for a training program (the output of
/// --ccrnn-trainer-pipeline) prepared for emission, on the runtime level
/// (ccrnnrt): one function `@<model>_train` carrying the `ccrnn.trainer`
/// attribute, its entry points, and what they call. Only prints: every
/// decision (buffers, kernel objects, FLOPs) is read from the IR. Reports
/// unsupported IR as diagnostics.
mlir::LogicalResult emitCppTrainer(mlir::ModuleOp module, llvm::raw_ostream &os,
                                   const CppTrainerOptions &options);

} // namespace ccrnn

#endif // CCRNN_TARGET_CPPTRAINER_H
