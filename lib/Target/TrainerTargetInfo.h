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

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace ccrnn {

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
  /// The functions copying trainer memory (floats, labels) into the
  /// caller's arrays.
  virtual llvm::StringRef toHost() const = 0;
  virtual llvm::StringRef labelsToHost() const = 0;

  /// Members the target adds to the Trainer class, and their initialisers
  /// (each starting ",\n      "), given the staging buffer's size.
  virtual std::string extraMembers() const = 0;
  virtual std::string extraMemberInits(int64_t stagingFloats) const = 0;

  /// Whether the trainer copies every caller array into its staging buffer
  /// (ccrnnrt.caller_array ... staged) rather than reading the caller's
  /// memory, and (for a target that does) the functions copying floats and
  /// labels there.
  virtual bool stagesCallerArrays() const = 0;
  virtual llvm::StringRef upload() const = 0;
  virtual llvm::StringRef uploadLabels() const = 0;

  /// A ccrnnrt.step_graph: its member (with a newline; "" when the target
  /// runs the step each time), and the lines around the step's calls.
  virtual std::string graphMember(llvm::StringRef member) const = 0;
  virtual std::string beginGraph(llvm::StringRef member) const = 0;
  virtual llvm::StringRef endGraph() const = 0;

  /// Returns the first float at `pointer` (through a local `name`).
  virtual void emitReturnFirst(llvm::raw_ostream &os, llvm::StringRef pointer,
                               llvm::StringRef name) const = 0;
};

std::unique_ptr<TrainerTargetInfo> getTrainerTargetInfo(TrainerTarget target);

} // namespace ccrnn

#endif // CCRNN_LIB_TARGET_TRAINERTARGETINFO_H
