//===- BuildTraining.cpp - build the training program of a model -*- C++
//-*-===//
//
// Lowers a graph-level ccrnn.model to the tensor-level functions of SPEC §3:
// a window function with explicit truncation and synthetic-gradient markers,
// the training loop over windows that asks for the window's gradient
// (ccrnn.value_and_grad), and the evaluation program.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/ModelParameters.h"
#include "ccrnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNBUILDTRAINING
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

/// The sizes and choices of one training program.
struct TrainingConfig {
  int64_t batch, steps, bptt, interval;
  LossKind loss;
  /// The readout and the loss apply to the last step only (always for xent).
  bool predictLast;
  /// The options as requested, recorded in the trainer's description.
  std::string options;
};

/// Builds the functions of one model next to it in the module.
class ProgramBuilder {
public:
  ProgramBuilder(ModelOp model, const TrainingConfig &config)
      : model(model), config(config), builder(model), loc(model.getLoc()),
        f32(builder.getF32Type()), params(getModelParameters(model)) {
    RecurrentLayerOpInterface layer = model.getRecurrentLayer();
    cell = layer.getCellKind();
    inputSize = layer.getInputSize();
    hidden = layer.getHiddenSize();
    numLayers = layer.getNumLayers();
    outputSize = model.getOutputType().getFeatures();
    cerebellum = model.getCerebellum();
  }

  void build();

private:
  //===--- Types and small helpers ----------------------------------------===//
  RankedTensorType tensorType(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, f32);
  }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  Value splat(ArrayRef<int64_t> shape, double value) {
    return arith::ConstantOp::create(
        builder, loc,
        DenseElementsAttr::get(tensorType(shape),
                               builder.getF32FloatAttr(value)));
  }
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(builder, loc, value);
  }
  bool isLSTM() const { return cell == CellKind::lstm; }
  SmallVector<Type> parameterTypes() {
    return llvm::map_to_vector(params, [&](const ParameterInfo &p) -> Type {
      return tensorType(p.shape);
    });
  }
  /// State tensors per layer: h (and c for LSTM).
  int64_t statesPerLayer() const { return isLSTM() ? 2 : 1; }
  Type targetType(int64_t steps) {
    if (config.loss == LossKind::xent)
      return RankedTensorType::get({config.batch}, builder.getI64Type());
    if (config.predictLast)
      return tensorType({config.batch, outputSize});
    return tensorType({config.batch, steps, outputSize});
  }
  /// The loss of the last step's prediction `y` [B, O] against `target`.
  Value lastStepLoss(Value y, Value target) {
    if (config.loss == LossKind::xent)
      return CrossEntropyLossOp::create(builder, loc, tensorType({}), y,
                                        target);
    Type stepType = tensorType({config.batch, 1, outputSize});
    Value prediction = ReshapeOp::create(builder, loc, stepType, y);
    Value expected = ReshapeOp::create(builder, loc, stepType, target);
    return MSELossOp::create(builder, loc, tensorType({}), prediction, expected,
                             Value(), builder.getI64IntegerAttr(1));
  }
  /// The state as the synthesizer sees it: [h, c] (LSTM) or h (tanh).
  Value synthesizerInput(ArrayRef<Value> states) {
    if (!isLSTM())
      return states.front();
    return ConcatOp::create(builder, loc,
                            tensorType({config.batch, 2 * hidden}), states,
                            builder.getI64IntegerAttr(1));
  }
  /// The readout of the last layer's final hidden state: [B, O].
  Value readoutLast(ValueRange args, ArrayRef<Value> finalStates) {
    Value hLast = finalStates[finalStates.size() - statesPerLayer()];
    return linear(hLast, param(args, numParams() - 2),
                  param(args, numParams() - 1));
  }
  /// Parameter `i` of the model, as the argument of the function being built.
  Value param(ValueRange args, int64_t i) { return args[i]; }
  int64_t numParams() const { return params.size(); }

  func::FuncOp createFunction(StringRef name, ArrayRef<Type> inputs,
                              ArrayRef<Type> results, bool isPrivate);
  void nameArgument(func::FuncOp f, unsigned i, StringRef name) {
    f.setArgAttr(i, "ccrnn.name", builder.getStringAttr(name));
  }
  void nameResult(func::FuncOp f, unsigned i, StringRef name) {
    f.setResultAttr(i, "ccrnn.name", builder.getStringAttr(name));
  }

  //===--- Network pieces
  //--------------------------------------------------===//
  Value linear(Value x, Value weight, Value bias);
  Value synthesizer(ValueRange args, Value state);
  /// Runs every layer over `input` from `states`; returns the last layer's
  /// hidden sequence and fills `finalStates`.
  Value recurrentStack(ValueRange args, Value input, ValueRange states,
                       SmallVectorImpl<Value> &finalStates);
  /// The readout at every step: [B, T, H] -> [B, T, O].
  Value readoutSequence(ValueRange args, Value hseq);

  //===--- Functions
  //--------------------------------------------------------===//
  func::FuncOp buildWindow(StringRef name, int64_t steps, bool isLast);
  void describeTrainer(func::FuncOp train);
  void buildTrain(func::FuncOp window, func::FuncOp lastWindow,
                  int64_t lastSteps);
  void buildEval();

  ModelOp model;
  TrainingConfig config;
  OpBuilder builder;
  Location loc;
  FloatType f32;
  std::vector<ParameterInfo> params;
  CellKind cell;
  int64_t inputSize, hidden, numLayers, outputSize;
  CerebellumOp cerebellum;
};

func::FuncOp ProgramBuilder::createFunction(StringRef name,
                                            ArrayRef<Type> inputs,
                                            ArrayRef<Type> results,
                                            bool isPrivate) {
  builder.setInsertionPoint(model);
  auto f = func::FuncOp::create(builder, loc, name,
                                builder.getFunctionType(inputs, results));
  if (isPrivate)
    f.setPrivate();
  Block *entry = f.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, p] : llvm::enumerate(params))
    if (i < f.getNumArguments())
      nameArgument(f, i, p.name);
  return f;
}

Value ProgramBuilder::linear(Value x, Value weight, Value bias) {
  int64_t rows = shapeOf(x)[0], features = shapeOf(weight)[0];
  RankedTensorType type = tensorType({rows, features});
  Value product =
      MatmulOp::create(builder, loc, type, x, weight,
                       /*transpose_lhs=*/nullptr, builder.getUnitAttr());
  Value broadcastBias = BroadcastOp::create(builder, loc, type, bias);
  return AddOp::create(builder, loc, product, broadcastBias);
}

// a_0 = W_0 s + b_0; a_k = W_k relu(a_{k-1}) + b_k; S(s) = a_n (SPEC §2).
Value ProgramBuilder::synthesizer(ValueRange args, Value state) {
  // The synthesizer's parameters follow the recurrent ones in state_dict
  // order: input_trigger.{weight,bias}, then layers.k.{weight,bias}.
  int64_t first = 4 * numLayers;
  Value a = linear(state, param(args, first), param(args, first + 1));
  int64_t depth = cerebellum.getLayersAttr().getInt();
  for (int64_t k = 0; k < depth; ++k) {
    Value activated = ReluOp::create(builder, loc, a);
    a = linear(activated, param(args, first + 2 + 2 * k),
               param(args, first + 3 + 2 * k));
  }
  return a;
}

Value ProgramBuilder::recurrentStack(ValueRange args, Value input,
                                     ValueRange states,
                                     SmallVectorImpl<Value> &finalStates) {
  Value sequence = input;
  for (int64_t k = 0; k < numLayers; ++k) {
    ValueRange w = args.slice(4 * k, 4);
    if (isLSTM()) {
      auto op = LSTMSeqOp::create(builder, loc, sequence, states[2 * k],
                                  states[2 * k + 1], w[0], w[1], w[2], w[3]);
      finalStates.append({op.getHLast(), op.getCLast()});
      sequence = op.getHseq();
    } else {
      auto op = RNNTanhSeqOp::create(builder, loc, sequence, states[k], w[0],
                                     w[1], w[2], w[3]);
      finalStates.push_back(op.getHLast());
      sequence = op.getHseq();
    }
  }
  return sequence;
}

Value ProgramBuilder::readoutSequence(ValueRange args, Value hseq) {
  ArrayRef<int64_t> shape = shapeOf(hseq);
  int64_t b = shape[0], t = shape[1];
  Value flat =
      ReshapeOp::create(builder, loc, tensorType({b * t, hidden}), hseq);
  Value y =
      linear(flat, param(args, numParams() - 2), param(args, numParams() - 1));
  return ReshapeOp::create(builder, loc, tensorType({b, t, outputSize}), y);
}

func::FuncOp ProgramBuilder::buildWindow(StringRef name, int64_t steps,
                                         bool isLast) {
  int64_t b = config.batch;
  bool hasTarget = !config.predictLast || isLast;
  SmallVector<Type> inputs = parameterTypes();
  int64_t numStates = numLayers * statesPerLayer();
  inputs.append(numStates, tensorType({b, hidden}));
  inputs.push_back(tensorType({b, steps, inputSize}));
  if (hasTarget)
    inputs.push_back(targetType(steps));
  inputs.push_back(builder.getIndexType());
  SmallVector<Type> results{tensorType({})};
  results.append(numStates, tensorType({b, hidden}));

  func::FuncOp f = createFunction(name, inputs, results, /*isPrivate=*/true);
  ValueRange args = f.getArguments();
  ValueRange incoming = args.slice(numParams(), numStates);
  Value x = args[numParams() + numStates];
  Value target = hasTarget ? args[numParams() + numStates + 1] : Value();
  Value start = args.back();

  // The truncation: no gradient flows into earlier windows.
  SmallVector<Value> states;
  for (Value s : incoming)
    states.push_back(TruncateOp::create(builder, loc, s));

  if (cerebellum) {
    // The synthesizer sees s0 = [h, c]; the window reads its state back out
    // of s0 so that the gradient arriving at s0 is what the target captures.
    Value s0 = synthesizerInput(states);
    Value prediction = synthesizer(args, s0);
    SynthesizerTargetOp::create(builder, loc, s0, prediction);
    if (isLSTM()) {
      auto split = SplitOp::create(
          builder, loc,
          TypeRange{tensorType({b, hidden}), tensorType({b, hidden})}, s0,
          builder.getI64IntegerAttr(1));
      states.assign(split.getResults().begin(), split.getResults().end());
    }
  }

  SmallVector<Value> finalStates;
  Value hseq = recurrentStack(args, x, states, finalStates);

  Value loss;
  if (!config.predictLast) {
    Value y = readoutSequence(args, hseq);
    loss = MSELossOp::create(builder, loc, tensorType({}), y, target, start,
                             builder.getI64IntegerAttr(config.interval));
  } else if (isLast) {
    // Only the last step's prediction is trained (classification).
    loss = lastStepLoss(readoutLast(args, finalStates), target);
  } else {
    loss = splat({}, 0.0);
  }

  if (cerebellum) {
    Value s1 = synthesizerInput(finalStates);
    Value prediction = synthesizer(args, s1);
    SyntheticGradientOp::create(
        builder, loc, s1, prediction,
        builder.getF64FloatAttr(cerebellum.getScale().convertToDouble()));
  }

  SmallVector<Value> returned{loss};
  returned.append(finalStates);
  func::ReturnOp::create(builder, loc, returned);
  for (int64_t k = 0; k < numLayers; ++k) {
    std::string layer = "_l" + std::to_string(k);
    nameArgument(f, numParams() + statesPerLayer() * k, "state.h" + layer);
    if (isLSTM())
      nameArgument(f, numParams() + statesPerLayer() * k + 1,
                   "state.c" + layer);
  }
  nameArgument(f, numParams() + numStates, "input");
  if (hasTarget)
    nameArgument(f, numParams() + numStates + 1, "target");
  nameArgument(f, f.getNumArguments() - 1, "start");
  nameResult(f, 0, "loss");
  return f;
}

// What a trainer needs beyond the program: how to initialise each parameter
// and what the program was built for.
void ProgramBuilder::describeTrainer(func::FuncOp train) {
  for (auto [i, p] : llvm::enumerate(params)) {
    bool zeros = p.init.kind == ParameterInit::Kind::Zeros;
    train.setArgAttr(i, "ccrnn.init",
                     builder.getStringAttr(zeros ? "zeros" : "uniform"));
    train.setArgAttr(i, "ccrnn.bound", builder.getF64FloatAttr(p.init.bound));
    train.setArgAttr(i, "ccrnn.group",
                     builder.getStringAttr(stringifyParameterGroup(p.group)));
  }
  train->setAttr(
      "ccrnn.trainer",
      builder.getDictionaryAttr(
          {builder.getNamedAttr("model", model.getSymNameAttr()),
           builder.getNamedAttr("options",
                                builder.getStringAttr(config.options)),
           builder.getNamedAttr("has_cerebellum",
                                builder.getBoolAttr(bool(cerebellum))),
           builder.getNamedAttr(
               "classify", builder.getBoolAttr(config.loss == LossKind::xent)),
           builder.getNamedAttr("predict_last",
                                builder.getBoolAttr(config.predictLast))}));
}

void ProgramBuilder::buildTrain(func::FuncOp window, func::FuncOp lastWindow,
                                int64_t lastSteps) {
  int64_t b = config.batch, T = config.bptt, L = config.steps;
  bool perStep = !config.predictLast;
  SmallVector<Type> inputs = parameterTypes();
  inputs.push_back(tensorType({b, L, inputSize}));
  inputs.push_back(targetType(L));
  SmallVector<Type> results{tensorType({})};
  results.append(parameterTypes());

  func::FuncOp f =
      createFunction((model.getSymName() + "_train").str(), inputs, results,
                     /*isPrivate=*/false);
  nameArgument(f, numParams(), "input");
  nameArgument(f, numParams() + 1, "target");
  nameResult(f, 0, "loss");
  for (auto [i, p] : llvm::enumerate(params))
    nameResult(f, i + 1, p.name); // SPEC §7: gradients under parameter names
  describeTrainer(f);

  ValueRange args = f.getArguments();
  ValueRange modelParams = args.take_front(numParams());
  Value x = args[numParams()], target = args[numParams() + 1];
  int64_t numStates = numLayers * statesPerLayer();

  // Loop-carried values: states, reported loss, gradient accumulators.
  SmallVector<Value> carried;
  for (int64_t i = 0; i < numStates; ++i)
    carried.push_back(splat({b, hidden}, 0.0));
  carried.push_back(splat({}, 0.0));
  for (const ParameterInfo &p : params)
    carried.push_back(splat(p.shape, 0.0));

  // One window at step `start`: ask for its value and gradient, then fold
  // them into the carried values.
  auto step = [&](func::FuncOp callee, Value start, int64_t steps,
                  ValueRange current) -> SmallVector<Value> {
    SmallVector<Value> operands(modelParams);
    operands.append(current.begin(), current.begin() + numStates);
    Type windowInput = tensorType({b, steps, inputSize});
    operands.push_back(
        TimeSliceOp::create(builder, loc, windowInput, x, start));
    bool calleeHasTarget = callee.getNumArguments() == operands.size() + 2;
    if (calleeHasTarget)
      operands.push_back(perStep ? TimeSliceOp::create(builder, loc,
                                                       targetType(steps),
                                                       target, start)
                                       .getResult()
                                 : target);
    operands.push_back(start);
    SmallVector<Type> resultTypes(callee.getResultTypes());
    resultTypes.append(parameterTypes());
    auto call = ValueAndGradOp::create(
        builder, loc, resultTypes,
        FlatSymbolRefAttr::get(builder.getContext(), callee.getSymName()),
        operands, builder.getI64IntegerAttr(numParams()));
    ValueRange out = call.getResults();
    Value loss = out[0];
    SmallVector<Value> next(out.slice(1, numStates));
    Value reported = current[numStates];
    if (perStep) {
      Value n = SupervisedStepsOp::create(
          builder, loc, tensorType({}), start, builder.getI64IntegerAttr(steps),
          builder.getI64IntegerAttr(config.interval));
      loss = MulOp::create(builder, loc, n, loss);
    }
    next.push_back(AddOp::create(builder, loc, reported, loss));
    for (auto [acc, grad] : llvm::zip(current.drop_front(numStates + 1),
                                      out.drop_front(1 + numStates)))
      next.push_back(AddOp::create(builder, loc, acc, grad));
    return next;
  };

  int64_t numWindows = llvm::divideCeil(L, T);
  if (numWindows > 1) {
    auto loop = scf::ForOp::create(builder, loc, index(0),
                                   index(numWindows - 1), index(1), carried);
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(loop.getBody());
    Value start =
        arith::MulIOp::create(builder, loc, loop.getInductionVar(), index(T));
    scf::YieldOp::create(builder, loc,
                         step(window, start, T, loop.getRegionIterArgs()));
    carried.assign(loop.getResults().begin(), loop.getResults().end());
  }
  carried = step(lastWindow, index((numWindows - 1) * T), lastSteps, carried);

  Value reported = carried[numStates];
  // SPEC §3: 2 * sum_w n_w * loss_w / L, the mean squared distance per point;
  // for a last-step regression, the squared distance of that point.
  if (perStep)
    reported = ScaleOp::create(builder, loc, reported,
                               builder.getF64FloatAttr(2.0 / L));
  else if (config.loss == LossKind::mse)
    reported = ScaleOp::create(builder, loc, reported,
                               builder.getF64FloatAttr(outputSize));
  SmallVector<Value> returned{reported};
  returned.append(carried.begin() + numStates + 1, carried.end());
  func::ReturnOp::create(builder, loc, returned);
}

void ProgramBuilder::buildEval() {
  int64_t b = config.batch, L = config.steps;
  bool perStep = !config.predictLast;
  SmallVector<Type> inputs = parameterTypes();
  inputs.push_back(tensorType({b, L, inputSize}));
  inputs.push_back(targetType(L));
  Type predictions =
      perStep ? tensorType({b, L, outputSize}) : tensorType({b, outputSize});
  func::FuncOp f =
      createFunction((model.getSymName() + "_eval").str(), inputs,
                     {tensorType({}), predictions}, /*isPrivate=*/false);
  nameArgument(f, numParams(), "input");
  nameArgument(f, numParams() + 1, "target");
  nameResult(f, 0, "loss");
  nameResult(f, 1, "prediction");

  ValueRange args = f.getArguments();
  SmallVector<Value> zeroStates;
  for (int64_t i = 0; i < numLayers * statesPerLayer(); ++i)
    zeroStates.push_back(splat({b, hidden}, 0.0));
  SmallVector<Value> finalStates;
  Value hseq = recurrentStack(args, args[numParams()], zeroStates, finalStates);
  Value target = args[numParams() + 1];
  if (perStep) {
    Value y = readoutSequence(args, hseq);
    // Mean over points of the squared distance = mean over elements * O.
    Value mean = MSELossOp::create(builder, loc, tensorType({}), y, target,
                                   Value(), builder.getI64IntegerAttr(1));
    Value loss = ScaleOp::create(builder, loc, mean,
                                 builder.getF64FloatAttr(outputSize));
    func::ReturnOp::create(builder, loc, ValueRange{loss, y});
    return;
  }
  Value y = readoutLast(args, finalStates);
  Value loss = lastStepLoss(y, target);
  if (config.loss == LossKind::mse)
    loss = ScaleOp::create(builder, loc, loss,
                           builder.getF64FloatAttr(outputSize));
  func::ReturnOp::create(builder, loc, ValueRange{loss, y});
}

void ProgramBuilder::build() {
  int64_t T = std::min(config.bptt, config.steps);
  config.bptt = T;
  int64_t numWindows = llvm::divideCeil(config.steps, T);
  int64_t lastSteps = config.steps - (numWindows - 1) * T;
  std::string base = model.getSymName().str();
  func::FuncOp window;
  if (numWindows > 1)
    window = buildWindow(base + "_window", T, /*isLast=*/false);
  // The last window differs when it is shorter, or when it alone carries
  // the loss (last-step prediction).
  func::FuncOp lastWindow = window;
  if (!window || lastSteps != T || config.predictLast)
    lastWindow = buildWindow(base + "_window_last", lastSteps, /*isLast=*/true);
  buildTrain(window, lastWindow, lastSteps);
  buildEval();
}

struct BuildTrainingPass
    : ccrnn::impl::CCRNNBuildTrainingBase<BuildTrainingPass> {
  using Base::Base;

  /// Checks the options; reports the first bad one at `loc`.
  LogicalResult checkOptions(Location loc) {
    auto positive = [&](int64_t value, StringRef option) -> LogicalResult {
      if (value >= 1)
        return success();
      return emitError(loc) << "ccrnn-build-training: option '" << option
                            << "' must be at least 1, got " << value;
    };
    if (failed(positive(bptt, "bptt")) ||
        failed(positive(interval, "interval")) ||
        failed(positive(batch, "batch")) || failed(positive(steps, "steps")))
      return failure();
    if (!loss.empty() && !symbolizeLossKind(loss))
      return emitError(loc) << "ccrnn-build-training: unknown loss '" << loss
                            << "'; expected 'mse' or 'xent'";
    return success();
  }

  LogicalResult buildModel(ModelOp model) {
    TrainingConfig config{batch,         steps,       bptt, interval,
                          LossKind::mse, predictLast, ""};
    config.options = llvm::formatv("bptt={0} interval={1} batch={2} steps={3}",
                                   bptt, interval, batch, steps)
                         .str();
    if (predictLast)
      config.options += " predict-last";
    if (!loss.empty())
      config.options += " loss=" + loss;
    if (!loss.empty())
      config.loss = *symbolizeLossKind(loss);
    else if (std::optional<LossKind> modelLoss = model.getReturn().getLoss())
      config.loss = *modelLoss;
    if (config.loss == LossKind::xent) {
      config.predictLast = true;
      if (model.getOutputType().getFeatures() < 2)
        return model.emitError("ccrnn-build-training: loss 'xent' needs at "
                               "least 2 classes, but @")
               << model.getSymName() << " has "
               << model.getOutputType().getFeatures() << " output(s)";
    }
    if (config.predictLast && interval != 1)
      return model.emitError("ccrnn-build-training: option 'interval' "
                             "applies to per-step mse only");
    if (CerebellumOp cerebellum = model.getCerebellum()) {
      if (cerebellum.getTargetContext())
        return cerebellum.emitError(
            "ccrnn-build-training: a cerebellum with 'target_context' is not "
            "supported yet");
      if (model.getRecurrentLayer().getNumLayers() != 1)
        return cerebellum.emitError(
            "ccrnn-build-training: a cerebellum on stacked layers is not "
            "supported yet");
    }
    ProgramBuilder(model, config).build();
    model.erase();
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkOptions(module.getLoc())))
      return signalPassFailure();
    SmallVector<ModelOp> models(module.getOps<ModelOp>());
    for (ModelOp model : models)
      if (failed(buildModel(model)))
        return signalPassFailure();
  }
};

} // namespace
