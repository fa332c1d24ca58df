//===- ModelParameters.cpp - parameter layout of a model --------*- C++ -*-===//

#include "ccrnn/ModelParameters.h"

#include <cmath>

using namespace mlir;
using namespace ccrnn;

int64_t ParameterInfo::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// PyTorch's default bound for nn.Linear(fanIn -> ·): 1/sqrt(fan_in).
static ParameterInit linearInit(int64_t fanIn) {
  return ParameterInit::uniform(1.0 / std::sqrt(static_cast<double>(fanIn)));
}

std::vector<ParameterInfo> ccrnn::getModelParameters(ModelOp model) {
  std::vector<ParameterInfo> params;
  auto add = [&](std::string name, std::vector<int64_t> shape,
                 ParameterInit init, ParameterGroup group) {
    params.push_back({std::move(name), std::move(shape), init, group});
  };

  CerebellumOp cerebellum = model.getCerebellum();
  RecurrentLayerOpInterface layer = model.getRecurrentLayer();
  // The DNI wrapper of the reference nests the recurrent module one level.
  std::string rnnPrefix = cerebellum ? "rnn.rnn." : "rnn.";
  int64_t hidden = layer.getHiddenSize();
  int64_t rows = getNumGates(layer.getCellKind()) * hidden;
  ParameterInit recurrentInit =
      ParameterInit::uniform(1.0 / std::sqrt(static_cast<double>(hidden)));
  for (int64_t k = 0; k < layer.getNumLayers(); ++k) {
    std::string suffix = "_l" + std::to_string(k);
    int64_t in = k == 0 ? layer.getInputSize() : hidden;
    add(rnnPrefix + "weight_ih" + suffix, {rows, in}, recurrentInit,
        ParameterGroup::Recurrent);
    add(rnnPrefix + "weight_hh" + suffix, {rows, hidden}, recurrentInit,
        ParameterGroup::Recurrent);
    add(rnnPrefix + "bias_ih" + suffix, {rows}, recurrentInit,
        ParameterGroup::Recurrent);
    add(rnnPrefix + "bias_hh" + suffix, {rows}, recurrentInit,
        ParameterGroup::Recurrent);
  }

  if (cerebellum) {
    const std::string prefix = "rnn.backward_interface.synthesizer.";
    int64_t stateSize = cerebellum.getStateType().getLayerStateSize();
    int64_t depth = cerebellum.getLayers();
    int64_t width = depth == 0 ? stateSize : cerebellum.getHiddenWidth();
    // With no hidden layer the input trigger is the last layer: zero weight.
    add(prefix + "input_trigger.weight", {width, stateSize},
        depth == 0 ? ParameterInit::zeros() : linearInit(stateSize),
        ParameterGroup::Synthesizer);
    add(prefix + "input_trigger.bias", {width}, linearInit(stateSize),
        ParameterGroup::Synthesizer);
    if (cerebellum.getTargetContext()) {
      // The context is the task target: one value per output feature/class.
      int64_t contextSize = model.getOutputType().getFeatures();
      add(prefix + "input_context.weight", {width, contextSize},
          depth == 0 ? ParameterInit::zeros() : linearInit(contextSize),
          ParameterGroup::Synthesizer);
      add(prefix + "input_context.bias", {width}, linearInit(contextSize),
          ParameterGroup::Synthesizer);
    }
    for (int64_t k = 0; k < depth; ++k) {
      bool last = k == depth - 1;
      int64_t out = last ? stateSize : width;
      std::string name = prefix + "layers." + std::to_string(k);
      add(name + ".weight", {out, width},
          last ? ParameterInit::zeros() : linearInit(width),
          ParameterGroup::Synthesizer);
      add(name + ".bias", {out},
          last ? ParameterInit::zeros() : linearInit(width),
          ParameterGroup::Synthesizer);
    }
  }

  // A token model's input layers (the reference's EncoderCNN and the
  // decoder's embedding; the model verifier allows one of each).
  for (Operation &op : model.getBody().front()) {
    if (auto encoder = dyn_cast<LinearOp>(op);
        encoder && isa<VecType>(encoder.getType())) {
      int64_t in = encoder.getInputSize(), out = encoder.getOutputSize();
      add("encoder.linear.weight", {out, in}, linearInit(in),
          ParameterGroup::Input);
      add("encoder.linear.bias", {out}, linearInit(in), ParameterGroup::Input);
    } else if (auto norm = dyn_cast<BatchNormOp>(op)) {
      int64_t features = norm.getType().getFeatures();
      add("encoder.bn.weight", {features}, ParameterInit::ones(),
          ParameterGroup::Input);
      add("encoder.bn.bias", {features}, ParameterInit::zeros(),
          ParameterGroup::Input);
    } else if (auto embedding = dyn_cast<EmbeddingOp>(op)) {
      add("embed.weight",
          {embedding.getInput().getType().getVocab(),
           embedding.getType().getFeatures()},
          ParameterInit::normal(1.0), ParameterGroup::Input);
    }
  }

  if (LinearOp readout = model.getReadout()) {
    int64_t in = readout.getInputSize(), out = readout.getOutputSize();
    add("linear.weight", {out, in}, linearInit(in), ParameterGroup::Readout);
    add("linear.bias", {out}, linearInit(in), ParameterGroup::Readout);
  }
  return params;
}
