//===- TrainerTargetInfo.h - what differs between trainer targets -*- C++ -*-//
//
// The C++ a trainer emitter writes is the same for every target but for
// where memory lives and how the caller's arrays reach it. A target says
// that here (as Triton's TargetInfoBase does for its back ends); the
// emitter asks and never tests which target it has.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_LIB_TARGET_TRAINERTARGETINFO_H
#define CCRNN_LIB_TARGET_TRAINERTARGETINFO_H

#include "ccrnn/CCRNNAttrs.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace ccrnn {

/// The caller's arrays of a trainer's entry points: their sizes (floats, of
/// all networks) and, for a target that copies them into a staging buffer
/// of its own, where (the memory plan's `ccrnn.staged` offsets).
struct CallerArrays {
  llvm::SmallVector<int64_t> paramSizes, params;
  int64_t inputs = 0, targets = 0, state = 0, mask = 0, total = 0;
  int64_t inputsSize = 0, targetsSize = 0, stateSize = 0, maskSize = 0;
  /// The targets are int64 class labels.
  bool classify = false;
};

class TrainerTargetInfo {
public:
  virtual ~TrainerTargetInfo();

  /// The value of ccrnn-translate --emit-trainer.
  virtual llvm::StringRef flagName() const = 0;
  /// The kernels' header and namespace.
  virtual llvm::StringRef runtimeHeader() const = 0;
  virtual llvm::StringRef runtimeNamespace() const = 0;
  /// How the trainer's arena is described ("" or " (device memory)").
  virtual llvm::StringRef arenaNote() const = 0;
  /// The type of a zeroed buffer of floats, and its initialiser.
  virtual llvm::StringRef bufferType() const = 0;
  virtual std::string allocation(int64_t floats) const = 0;
  /// The function copying trainer memory into the caller's arrays.
  virtual llvm::StringRef toHost() const = 0;

  /// Members the target adds to the Trainer class, and their initialisers
  /// (each starting ",\n      ").
  virtual std::string extraMembers(unsigned numTrainResults) const = 0;
  virtual std::string extraMemberInits(const CallerArrays &arrays) const = 0;

  /// Declares the caller's arrays under the local names `params`, `inputs`,
  /// `targets` and, `withBatch`, `initialState` and `mask`.
  virtual void emitCallerArrays(llvm::raw_ostream &os,
                                const CallerArrays &arrays,
                                llvm::StringRef params, llvm::StringRef inputs,
                                llvm::StringRef targets,
                                bool withBatch) const = 0;

  /// The training step: declares `results`, starts the call (its text at
  /// the indentation `callIndent()` adds), names result `i`, ends it.
  virtual void beginTrainStep(llvm::raw_ostream &os,
                              unsigned numResults) const = 0;
  virtual llvm::StringRef callIndent() const = 0;
  virtual std::string trainResult(unsigned i) const = 0;
  virtual llvm::StringRef endTrainStep() const = 0;
  /// Copies gradient `i` (`floats` long) to the caller's `grads[i]` unless
  /// the step computed it there.
  virtual void emitGradientCopy(llvm::raw_ostream &os, int i,
                                int64_t floats) const = 0;
  /// Returns the first float at `pointer` (through a local `name`).
  virtual void emitReturnFirst(llvm::raw_ostream &os, llvm::StringRef pointer,
                               llvm::StringRef name) const = 0;
};

std::unique_ptr<TrainerTargetInfo> getTrainerTargetInfo(TrainerTarget target);

} // namespace ccrnn

#endif // CCRNN_LIB_TARGET_TRAINERTARGETINFO_H
