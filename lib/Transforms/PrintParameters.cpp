//===- PrintParameters.cpp - print a model's parameter table ----*- C++ -*-===//

#include "ccrnn/ModelParameters.h"
#include "ccrnn/Transforms/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNPRINTPARAMETERS
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

constexpr unsigned kShapeWidth = 12;

std::string formatInit(const ParameterInit &init) {
  switch (init.kind) {
  case ParameterInit::Kind::Zeros:
    return "zeros";
  case ParameterInit::Kind::Ones:
    return "ones";
  case ParameterInit::Kind::Normal:
    return llvm::formatv("normal(0, {0:F6})", init.bound).str();
  case ParameterInit::Kind::Uniform:
    break;
  }
  return llvm::formatv("uniform(+-{0:F6})", init.bound).str();
}

struct PrintParametersPass
    : ccrnn::impl::CCRNNPrintParametersBase<PrintParametersPass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::raw_ostream &os = llvm::outs();
    getOperation().walk([&](ModelOp model) {
      std::vector<ParameterInfo> params = getModelParameters(model);
      size_t nameWidth = 4;
      for (const ParameterInfo &p : params)
        nameWidth = std::max(nameWidth, p.name.size());
      os << "model @" << model.getSymName() << " ("
         << (model.getCerebellum() ? "ccRNN" : "cRNN") << ")\n";
      os << "  " << llvm::left_justify("name", nameWidth) << " "
         << llvm::left_justify("shape", kShapeWidth) << " init\n";
      int64_t total = 0;
      llvm::SmallVector<int64_t, 4> groupTotal(4, 0);
      for (const ParameterInfo &p : params) {
        os << "  " << llvm::left_justify(p.name, nameWidth) << " "
           << llvm::left_justify(formatShape(p.shape), kShapeWidth) << " "
           << formatInit(p.init) << "\n";
        total += p.getNumElements();
        groupTotal[static_cast<int>(p.group)] += p.getNumElements();
      }
      if (groupTotals)
        for (ParameterGroup g :
             {ParameterGroup::Recurrent, ParameterGroup::Readout,
              ParameterGroup::Synthesizer, ParameterGroup::Input})
          // Only a token model has input parameters.
          if (g != ParameterGroup::Input || groupTotal[static_cast<int>(g)])
            os << "  " << stringifyParameterGroup(g) << ": " << groupTotal[static_cast<int>(g)]
             << "\n";
      os << "  total: " << total << " parameters in " << params.size()
         << " tensors\n";
    });
    markAllAnalysesPreserved();
  }
};

} // namespace
