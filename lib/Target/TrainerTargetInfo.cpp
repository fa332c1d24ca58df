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
  std::string extraMembers(unsigned) const override { return ""; }
  std::string extraMemberInits(const CallerArrays &) const override {
    return "";
  }

  void emitCallerArrays(raw_ostream &os, const CallerArrays &, StringRef params,
                        StringRef inputs, StringRef targets,
                        bool withBatch) const override {
    os << "  const float *const *params = " << params << ";\n"
       << "  const float *inputs = " << inputs << ";\n"
       << "  const void *targets = " << targets << ";\n";
    if (withBatch)
      os << "  const float *initialState = batch->initial_state;\n"
         << "  [[maybe_unused]] const float *mask = batch->fibre_mask;\n";
  }

  void beginTrainStep(raw_ostream &os, unsigned numResults) const override {
    os << "  const float *results[" << numResults << "];\n";
  }
  StringRef callIndent() const override { return ""; }
  std::string trainResult(unsigned i) const override {
    return "results[" + std::to_string(i) + "]";
  }
  StringRef endTrainStep() const override { return ");\n"; }
  void emitGradientCopy(raw_ostream &os, int i, int64_t floats) const override {
    os << "  if (results[" << i + 1 << "] != grads[" << i << "])\n    "
       << toHost() << "(" << floats << ", results[" << i + 1 << "], grads["
       << i << "]);\n";
  }
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
  std::string extraMembers(unsigned numTrainResults) const override {
    return "  // The caller's arrays, copied to the device.\n"
           "  rt::DeviceBuffer staging;\n"
           "  // The training step as a CUDA graph, and its results.\n"
           "  rt::StepGraph trainGraph;\n"
           "  const float *trainResults[" +
           std::to_string(numTrainResults) + "] = {};\n";
  }
  std::string extraMemberInits(const CallerArrays &arrays) const override {
    return ",\n      staging" + allocation(arrays.total);
  }

  void emitCallerArrays(raw_ostream &os, const CallerArrays &st,
                        StringRef params, StringRef inputs, StringRef targets,
                        bool withBatch) const override {
    size_t numParams = st.params.size();
    os << "  float *staged = t->staging.get();\n"
       << "  const float *params[" << std::max<size_t>(numParams, 1)
       << "] = {";
    for (size_t i = 0; i < numParams; ++i)
      os << (i ? ", " : "") << "staged + " << st.params[i];
    os << "};\n";
    for (size_t i = 0; i < numParams; ++i)
      os << "  rt::upload(" << st.paramSizes[i] << ", " << params << "[" << i
         << "], staged + " << st.params[i] << ");\n";
    os << "  const float *inputs = staged + " << st.inputs << ";\n"
       << "  rt::upload(" << st.inputsSize << ", " << inputs << ", staged + "
       << st.inputs << ");\n"
       << "  const void *targets = staged + " << st.targets << ";\n";
    if (st.classify)
      os << "  rt::uploadLabels(" << st.targetsSize
         << ", static_cast<const int64_t *>(" << targets
         << "), reinterpret_cast<int64_t *>(staged + " << st.targets
         << "));\n";
    else
      os << "  rt::upload(" << st.targetsSize << ", static_cast<const float *>("
         << targets << "), staged + " << st.targets << ");\n";
    if (!withBatch)
      return;
    // The state and the mask always come from the staging buffer (zeros,
    // ones when not given), so that a recorded step's pointers hold for
    // every call.
    os << "  const float *initialState = staged + " << st.state << ";\n"
       << "  [[maybe_unused]] const float *mask = "
       << (st.maskSize ? "staged + " + std::to_string(st.mask) : "nullptr")
       << ";\n";
    if (st.stateSize)
      os << "  if (batch->initial_state)\n"
         << "    rt::upload(" << st.stateSize
         << ", batch->initial_state, staged + " << st.state << ");\n"
         << "  else\n"
         << "    rt::fill(" << st.stateSize << ", 0.0f, staged + " << st.state
         << ");\n";
    if (st.maskSize)
      os << "  if (batch->fibre_mask)\n"
         << "    rt::upload(" << st.maskSize << ", batch->fibre_mask, staged + "
         << st.mask << ");\n"
         << "  else\n"
         << "    rt::fill(" << st.maskSize << ", 1.0f, staged + " << st.mask
         << ");\n";
  }

  // The step is a CUDA graph, recorded by the first call: its results'
  // places, set then, are kept in the trainer.
  void beginTrainStep(raw_ostream &os, unsigned) const override {
    os << "  const float *const *results = t->trainResults;\n"
       << "  t->trainGraph.run([&] {\n";
  }
  StringRef callIndent() const override { return "  "; }
  std::string trainResult(unsigned i) const override {
    return "t->trainResults[" + std::to_string(i) + "]";
  }
  StringRef endTrainStep() const override { return ");\n  });\n"; }
  void emitGradientCopy(raw_ostream &os, int i, int64_t floats) const override {
    os << "  " << toHost() << "(" << floats << ", results[" << i + 1
       << "], grads[" << i << "]);\n";
  }
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
