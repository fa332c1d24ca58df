//===- TrainerTargetInfo.cpp - the CPU and CUDA trainer targets -*- C++ -*-===//

#include "TrainerTargetInfo.h"

#include <algorithm>

using namespace ccrnn;
using llvm::raw_ostream;
using llvm::StringRef;

TrainerTargetInfo::~TrainerTargetInfo() = default;

namespace {

/// Host memory and the oneDNN kernels: the trainer reads the caller's
/// arrays where they are and computes gradients into them.
class CPUTargetInfo final : public TrainerTargetInfo {
public:
  StringRef flagName() const override { return "cpp"; }
  StringRef runtimeHeader() const override {
    return "ccrnn/Runtime/Kernels.h";
  }
  StringRef runtimeNamespace() const override { return "rt"; }
  StringRef arenaNote() const override { return ""; }
  StringRef bufferType() const override { return "std::unique_ptr<float[]>"; }
  std::string allocation(int64_t floats) const override {
    return "(new float[" + std::to_string(std::max<int64_t>(floats, 1)) +
           "]())";
  }
  StringRef toHost() const override { return "rt::copy"; }
  StringRef labelsToHost() const override { return "rt::copyLabels"; }
  std::string extraMembers() const override { return ""; }
  std::string extraMemberInits(int64_t) const override { return ""; }
  // The caller's memory is read where it is: nothing is staged.
  bool stagesCallerArrays() const override { return false; }
  StringRef upload() const override { return ""; }
  StringRef uploadLabels() const override { return ""; }
  // The step runs each time.
  std::string graphMember(StringRef) const override { return ""; }
  std::string beginGraph(StringRef) const override { return "{"; }
  StringRef endGraph() const override { return "}"; }
  void emitReturnFirst(raw_ostream &os, StringRef pointer,
                       StringRef) const override {
    os << "  return " << pointer << "[0];\n";
  }
};

/// Device memory and the cuBLAS kernels: the caller's (host) arrays are
/// copied into a staging buffer on the device, whose fixed places let the
/// training step be recorded once as a CUDA graph.
class CUDATargetInfo final : public TrainerTargetInfo {
public:
  StringRef flagName() const override { return "cuda"; }
  StringRef runtimeHeader() const override {
    return "ccrnn/Runtime/KernelsCUDA.h";
  }
  StringRef runtimeNamespace() const override { return "rtcuda"; }
  StringRef arenaNote() const override { return " (device memory)"; }
  StringRef bufferType() const override { return "rt::DeviceBuffer"; }
  std::string allocation(int64_t floats) const override {
    return "(" + std::to_string(std::max<int64_t>(floats, 1)) + ")";
  }
  StringRef toHost() const override { return "rt::download"; }
  StringRef labelsToHost() const override { return "rt::downloadLabels"; }
  std::string extraMembers() const override {
    return "  // The caller's arrays, copied to the device.\n"
           "  rt::DeviceBuffer staging;\n";
  }
  std::string extraMemberInits(int64_t stagingFloats) const override {
    return ",\n      staging" + allocation(stagingFloats);
  }
  // The state and the mask always come from the staging buffer (zeros,
  // ones when not given), so that a recorded step's pointers hold for
  // every call.
  bool stagesCallerArrays() const override { return true; }
  StringRef upload() const override { return "rt::upload"; }
  StringRef uploadLabels() const override { return "rt::uploadLabels"; }
  // The step is a CUDA graph, recorded by the first call: the places of its
  // results, set then, are kept in the trainer.
  std::string graphMember(StringRef member) const override {
    return "  rt::StepGraph " + member.str() + ";\n";
  }
  std::string beginGraph(StringRef member) const override {
    return member.str() + ".run([&] {";
  }
  StringRef endGraph() const override { return "});"; }
  void emitReturnFirst(raw_ostream &os, StringRef pointer,
                       StringRef name) const override {
    os << "  float " << name << " = 0;\n"
       << "  rt::download(1, " << pointer << ", &" << name << ");\n"
       << "  return " << name << ";\n";
  }
};

} // namespace

std::unique_ptr<TrainerTargetInfo>
ccrnn::getTrainerTargetInfo(TrainerTarget target) {
  if (target == TrainerTarget::CUDA)
    return std::make_unique<CUDATargetInfo>();
  return std::make_unique<CPUTargetInfo>();
}
