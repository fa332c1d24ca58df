//===- DescribeModel.cpp - a model's facts as JSON --------------*- C++ -*-===//
//
// The driver has no MLIR; what it needs to know about a model file (whether
// it has a cerebellum, its sizes, its parameters) it reads from this pass's
// JSON, computed from the verified IR, never from the file's text.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/ModelParameters.h"
#include "ccrnn/Transforms/Passes.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNDESCRIBEMODEL
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

void describeParameters(llvm::json::OStream &j, ModelOp model) {
  j.attributeArray("parameters", [&] {
    for (const ParameterInfo &p : getModelParameters(model))
      j.object([&] {
        j.attribute("name", p.name);
        j.attributeArray("shape", [&] {
          for (int64_t d : p.shape)
            j.value(d);
        });
        j.attribute("init", stringifyInitKind(p.init.kind));
        j.attribute("bound", p.init.bound);
        j.attribute("group", stringifyParameterGroup(p.group));
      });
  });
}

void describeModel(llvm::json::OStream &j, ModelOp model) {
  RecurrentLayerOpInterface layer = model.getRecurrentLayer();
  CerebellumOp cerebellum = model.getCerebellum();
  j.object([&] {
    j.attribute("name", model.getSymName());
    j.attribute("cell", stringifyCellKind(layer.getCellKind()));
    // A token model's inputs are its vocabulary (and its vector's width).
    if (SeqType input = model.getInputType())
      j.attribute("inputs", input.getFeatures());
    else
      j.attribute("inputs", nullptr);
    if (TokensType tokens = model.getTokensType())
      j.attribute("vocab", tokens.getVocab());
    if (VecType vector = model.getVectorInputType())
      j.attribute("vector_inputs", vector.getFeatures());
    // The driver draws a token model's dropout masks (0: none).
    if (model.getTokensType()) {
      double rate = 0;
      for (DropoutOp dropout : model.getBody().getOps<DropoutOp>())
        rate = dropout.getRate().convertToDouble();
      j.attribute("dropout", rate);
    }
    j.attribute("outputs", model.getOutputType().getFeatures());
    j.attribute("hidden", layer.getHiddenSize());
    j.attribute("layers", layer.getNumLayers());
    std::optional<LossKind> loss = model.getReturn().getLoss();
    j.attribute("loss", loss ? stringifyLossKind(*loss) : "mse");
    if (cerebellum)
      j.attributeObject("cerebellum", [&] {
        j.attribute("layers", cerebellum.getLayers());
        j.attribute("width", cerebellum.getWidth()
                                 ? llvm::json::Value(*cerebellum.getWidth())
                                 : llvm::json::Value(nullptr));
        j.attribute("scale", cerebellum.getScale().convertToDouble());
        j.attribute("target_context", cerebellum.getTargetContext());
      });
    else
      j.attribute("cerebellum", nullptr);
    describeParameters(j, model);
  });
}

struct DescribeModelPass
    : ccrnn::impl::CCRNNDescribeModelBase<DescribeModelPass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::json::OStream j(llvm::outs(), /*IndentSize=*/2);
    j.object([&] {
      j.attributeArray("models", [&] {
        for (ModelOp model : getOperation().getOps<ModelOp>())
          describeModel(j, model);
      });
    });
    llvm::outs() << "\n";
    markAllAnalysesPreserved();
  }
};

} // namespace
