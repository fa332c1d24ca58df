//===- ConfigureModel.cpp - set a model's sizes ------------------*- C++ -*-===//
//
// Model files fix a network's sizes; experiments vary them (SPEC §2: hidden
// size, stacked layers, the synthesizer's depth, width and scale, the
// context variants; a caption model's vocabulary and image features follow
// its data). Rewriting the graph op by op keeps one source of truth
// for what a model is: everything downstream reads the rewritten model.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Transforms/Passes.h"

#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Support/SizeLimits.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNCONFIGUREMODEL
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

struct ConfigureModelPass
    : ccrnn::impl::CCRNNConfigureModelBase<ConfigureModelPass> {
  using Base::Base;

  /// The first option that is out of range, or success.
  LogicalResult checkOptions(Location loc) {
    auto bad = [&](StringRef option, const Twine &expected) {
      return emitError(loc) << "ccrnn-configure-model: option '" << option
                            << "' must be " << expected;
    };
    // Plain strings: a Twine must not outlive its temporaries.
    auto range = [](int64_t min, int64_t max, int64_t keep, int64_t got) {
      return "from " + std::to_string(min) + " to " + std::to_string(max) +
             " (or " + std::to_string(keep) + " to keep), got " +
             std::to_string(got);
    };
    if (hidden < 0 || hidden > kMaxUnits)
      return bad("hidden", range(1, kMaxUnits, 0, hidden));
    if (layers < 0 || layers > kMaxLayers)
      return bad("layers", range(1, kMaxLayers, 0, layers));
    if (synthLayers < -1 || synthLayers > kMaxLayers)
      return bad("synth-layers", range(0, kMaxLayers, -1, synthLayers));
    if (synthWidth < 0 || synthWidth > kMaxUnits)
      return bad("synth-width", range(1, kMaxUnits, 0, synthWidth));
    if (context != "keep" && context != "on" && context != "off")
      return bad("context", "'on', 'off' or 'keep', got '" + context + "'");
    // A vocabulary of the four special tokens and at least one word.
    if (vocab != 0 && (vocab < 5 || vocab > kMaxUnits))
      return bad("vocab", range(5, kMaxUnits, 0, vocab));
    if (vectorInputs < 0 || vectorInputs > kMaxUnits)
      return bad("vector-inputs", range(1, kMaxUnits, 0, vectorInputs));
    return success();
  }

  /// A token model's vocabulary (its tokens, and the readout it returns)
  /// and the width of its vector input: the function type, the block's
  /// arguments and the readout change; the ops between derive their sizes
  /// from their operands' types, which the verifier checks.
  LogicalResult configureTokens(ModelOp model) {
    if (vocab == 0 && vectorInputs == 0)
      return success();
    MLIRContext *ctx = model.getContext();
    if (!model.getTokensType())
      return model.emitError("ccrnn-configure-model: options 'vocab' and "
                             "'vector-inputs' apply to a model of tokens, "
                             "but @")
             << model.getSymName() << " reads a sequence";
    if (vectorInputs > 0 && !model.getVectorInputType())
      return model.emitError("ccrnn-configure-model: option 'vector-inputs' "
                             "needs a model with a vector input, but @")
             << model.getSymName() << " has none";
    Block &body = model.getBody().front();
    SmallVector<Type> inputs(model.getFunctionType().getInputs());
    if (vectorInputs > 0) {
      inputs.front() = VecType::get(ctx, vectorInputs);
      body.getArgument(0).setType(inputs.front());
    }
    Type output = model.getOutputType();
    if (vocab > 0) {
      inputs.back() = TokensType::get(ctx, vocab);
      body.getArguments().back().setType(inputs.back());
      Value scores = model.getReturn()->getOperand(0);
      auto readout = scores.getDefiningOp<LinearOp>();
      if (!readout)
        return model.emitError("ccrnn-configure-model: option 'vocab' needs "
                               "@")
               << model.getSymName()
               << " to return a ccrnn.linear over the vocabulary";
      readout.setFeatures(vocab);
      output = SeqType::get(ctx, vocab);
      scores.setType(output);
    }
    model.setFunctionType(FunctionType::get(ctx, inputs, {output}));
    return success();
  }

  bool changesCerebellum() {
    return synthLayers >= 0 || synthWidth > 0 || synthScale >= 0 ||
           context != "keep";
  }

  LogicalResult configure(ModelOp model) {
    if (failed(configureTokens(model)))
      return failure();
    OpBuilder builder(model.getContext());
    RecurrentLayerOpInterface layer = model.getRecurrentLayer();
    Operation *op = layer.getOperation();
    if (hidden > 0)
      op->setAttr("hidden", builder.getI64IntegerAttr(hidden));
    if (layers > 0)
      op->setAttr("layers", builder.getI64IntegerAttr(layers));
    // The result type follows the layer's sizes; its users (readout,
    // cerebellum) derive their sizes from it.
    auto type = cast<RecurrentType>(op->getResult(0).getType());
    op->getResult(0).setType(RecurrentType::get(
        model.getContext(), type.getCell(),
        hidden > 0 ? int64_t(hidden) : type.getHidden(),
        layers > 0 ? int64_t(layers) : type.getLayers()));

    CerebellumOp cerebellum = model.getCerebellum();
    if (!cerebellum && changesCerebellum())
      return model.emitError("ccrnn-configure-model: the synth-* and context "
                             "options need a model with a cerebellum, but @")
             << model.getSymName() << " has none";
    if (cerebellum) {
      if (synthLayers >= 0)
        cerebellum.setLayers(synthLayers);
      // A synthesizer without hidden layers has no width to keep.
      if (synthLayers == 0)
        cerebellum.removeWidthAttr();
      if (synthWidth > 0)
        cerebellum.setWidthAttr(builder.getI64IntegerAttr(synthWidth));
      if (synthScale >= 0)
        cerebellum.setScale(APFloat(double(synthScale)));
      if (context != "keep")
        cerebellum.setTargetContext(context == "on");
    }
    return verify(model);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkOptions(module.getLoc())))
      return signalPassFailure();
    for (ModelOp model : module.getOps<ModelOp>())
      if (failed(configure(model)))
        return signalPassFailure();
  }
};

} // namespace
