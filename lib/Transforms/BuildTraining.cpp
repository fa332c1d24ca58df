//===- BuildTraining.cpp - build the training program of a model -*- C++
//-*-===//
//
// Lowers a graph-level ccrnn.model to the tensor-level functions of SPEC §3:
// a window function with explicit truncation and synthetic-gradient markers,
// the training loop over windows that asks for the window's gradient
// (ccrnn.value_and_grad), and the evaluation program.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/ModelParameters.h"
#include "ccrnn/Transforms/Passes.h"

#include "ccrnn/Support/SizeLimits.h"
#include "ccrnn/Support/TrainerOptions.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNBUILDTRAINING
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

/// What training does with a model's cerebellum (SPEC §4's lesions).
enum class CerebellumMode {
  Train,  ///< inject S(s1), train S on the target gradient
  Frozen, ///< inject S(s1), no synthesizer loss (inferior-olive lesion)
  Off     ///< the cRNN program over the same parameters (ablation)
};

/// The sizes and choices of one training program.
struct TrainingConfig {
  int64_t batch, steps, bptt, interval;
  LossKind loss;
  /// The readout and the loss apply to the last step only (always for xent).
  bool predictLast;
  CerebellumMode mode = CerebellumMode::Train;
  /// Inputs kept per unit of the synthesizer's first layer (0: all).
  int64_t fibres = 0;
  /// Also build the feedback-recording program.
  bool record = false;
  /// A token model's window is the sequence's first (prepended step).
  bool firstWindow = false;
  /// A token model's greedy decoder: its steps (0: none).
  int64_t decode = 0;
  /// The options as requested, recorded in the trainer's description.
  std::string options;
};

/// The three kinds of window function.
enum class WindowKind {
  /// A truncation window of training (SPEC §3).
  Train,
  /// Training's window without the cut and without the synthesizer's own
  /// loss: its gradient with respect to the incoming state is the target
  /// gradient g; it also returns scale * S(s1) and S's hidden activity.
  Record,
  /// The window as a piece of full BPTT: no cut, no synthesizer; the true
  /// gradient arriving at its final state is an argument.
  Exact
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
    for (auto [i, p] : llvm::enumerate(params))
      paramIndex[p.name] = i;
    tokens = model.getTokensType();
    for (Operation &op : model.getBody().front()) {
      if (auto p = dyn_cast<PrependOp>(op))
        prepend = p;
      else if (auto n = dyn_cast<BatchNormOp>(op))
        norm = n;
      else if (auto d = dyn_cast<DropoutOp>(op))
        dropout = d;
    }
    if (cerebellum) {
      stateSize = cerebellum.getStateType().getLayerStateSize();
      synthDepth = cerebellum.getLayers();
      hasContext = cerebellum.getTargetContext();
      hasMask = config.fibres > 0;
      injects = config.mode != CerebellumMode::Off;
    }
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
  /// Layer k's state as the synthesizer sees it: [h, c] (LSTM) or h
  /// (tanh), from the per-layer state list `states`.
  Value synthesizerInput(ArrayRef<Value> states, int64_t k = 0) {
    ArrayRef<Value> layer = states.slice(statesPerLayer() * k, statesPerLayer());
    if (!isLSTM())
      return layer.front();
    return ConcatOp::create(builder, loc,
                            tensorType({config.batch, 2 * hidden}), layer,
                            builder.getI64IntegerAttr(1));
  }
  /// A copy of `value` in storage of its own. Unrolled code calls one
  /// window function repeatedly, and each call's results are only valid
  /// until the next call of the same function.
  Value snapshot(Value value) {
    return ScaleOp::create(builder, loc, value, builder.getF64FloatAttr(1.0));
  }
  /// The synthesizer's context, the target (SPEC §2 context variants): the
  /// one-hot class, the target point of a last-step regression, or the
  /// last step's target point of a per-step regression.
  Value targetContext(Value target) {
    int64_t b = config.batch;
    if (config.loss == LossKind::xent)
      return OneHotOp::create(builder, loc, tensorType({b, outputSize}),
                              target);
    if (config.predictLast)
      return target;
    Value last = TimeSliceOp::create(builder, loc, tensorType({b, 1, outputSize}),
                                     target, index(config.steps - 1));
    return ReshapeOp::create(builder, loc, tensorType({b, outputSize}), last);
  }
  /// The readout of the last layer's final hidden state: [B, O].
  Value readoutLast(ValueRange args, ArrayRef<Value> finalStates) {
    Value hLast = finalStates[finalStates.size() - statesPerLayer()];
    return linear(hLast, param(args, numParams() - 2),
                  param(args, numParams() - 1));
  }
  /// Parameter `i` of the model, as the argument of the function being built.
  Value param(ValueRange args, int64_t i) { return args[i]; }
  /// The parameter with state_dict name `name`.
  Value param(ValueRange args, StringRef name) {
    return args[paramIndex.lookup(name)];
  }
  int64_t numParams() const { return params.size(); }
  int64_t numStates() const { return numLayers * statesPerLayer(); }
  SmallVector<Type> stateTypes() {
    return SmallVector<Type>(numStates(), tensorType({config.batch, hidden}));
  }
  /// Names the state arguments (or results) `first`.. of `f`, with `role`
  /// when `f` is an entry point.
  void nameStates(func::FuncOp f, unsigned first, bool results,
                  std::optional<Role> role = std::nullopt);
  /// The fibre mask's type: that of the synthesizer's first weight.
  Type maskType() {
    return tensorType(params[paramIndex.lookup(synthPrefix +
                                               "input_trigger.weight")]
                          .shape);
  }

  func::FuncOp createFunction(StringRef name, ArrayRef<Type> inputs,
                              ArrayRef<Type> results, bool isPrivate);
  /// Names argument (result) `i` of `f`; an entry point's also gets its
  /// role, the contract its consumers bind by (CCRNNAttrs.h).
  void nameArgument(func::FuncOp f, unsigned i, StringRef name,
                    std::optional<Role> role = std::nullopt) {
    if (role)
      setArgumentContract(f, i, name, *role);
    else
      f.setArgAttr(i, kNameAttr, builder.getStringAttr(name));
  }
  void nameResult(func::FuncOp f, unsigned i, StringRef name,
                  std::optional<Role> role = std::nullopt) {
    if (role)
      setResultContract(f, i, name, *role);
    else
      f.setResultAttr(i, kNameAttr, builder.getStringAttr(name));
  }

  //===--- Network pieces
  //--------------------------------------------------===//
  Value linear(Value x, Value weight, Value bias);
  /// The synthesizer's output S(state); `activity`, when given, receives
  /// the first hidden layer's activity relu(a_0) (null without one).
  Value synthesizer(ValueRange args, Value state, Value context, Value mask,
                    Value *activity = nullptr);
  /// Runs every layer over `input` from `states`; returns the last layer's
  /// hidden sequence and fills `finalStates`.
  Value recurrentStack(ValueRange args, Value input, ValueRange states,
                       SmallVectorImpl<Value> &finalStates);
  /// The readout at every step: [B, T, H] -> [B, T, O].
  Value readoutSequence(ValueRange args, Value hseq);

  //===--- Functions
  //--------------------------------------------------------===//
  func::FuncOp buildWindow(StringRef name, int64_t steps, bool isLast,
                           WindowKind kind);
  /// A training window's start: the incoming states cut and, with a
  /// learning synthesizer, its target at s0; returns the states the window
  /// runs from.
  SmallVector<Value> enterTrainingWindow(ValueRange args, ValueRange incoming,
                                         bool synthesizes, Value context,
                                         Value mask);
  /// Injects scale * S(s1) at the final state `s1`; returns S(s1).
  Value injectSyntheticGradient(ValueRange args, Value s1, Value context,
                                Value mask, Value *activity = nullptr);
  void describeTrainer(func::FuncOp train);
  /// The window functions of one kind: regular and last (the same function
  /// when they do not differ).
  std::pair<func::FuncOp, func::FuncOp> buildWindows(WindowKind kind);
  /// The operands of a call of window `callee` at step `start`: the
  /// parameters and `states`, then the window's slices of `x` and `target`,
  /// `start`, and `extra`.
  SmallVector<Value> windowOperands(func::FuncOp callee, ValueRange params,
                                    ValueRange states, Value x, Value target,
                                    Value start, int64_t steps,
                                    ValueRange extra);
  void buildTrain();
  void buildEval();
  void buildRecord();

  //===--- Token models: one window per program
  //-----------------------------===//
  /// The arrays of a token window besides parameters and states (null
  /// when absent).
  struct TokenArrays {
    Value vector, tokens, target, fibreMask, dropoutMask;
    SmallVector<Value, 2> statistics;
  };
  /// The window holds the prepended vector step.
  bool holdsVector() const { return prepend && config.firstWindow; }
  /// The window's tokens: its steps but the prepended one.
  int64_t tokenSteps() const { return config.steps - (holdsVector() ? 1 : 0); }
  /// The running statistics are read (and, in training, updated).
  bool usesStatistics() const { return norm && holdsVector(); }
  bool dropsOut(bool training) {
    return training && dropout && dropout.getRate().convertToDouble() > 0;
  }
  /// Appends the arrays' types in argument order to `types`.
  void appendTokenArrayTypes(SmallVectorImpl<Type> &types, bool training);
  /// Reads the arrays from `args` (in appendTokenArrayTypes' order) and
  /// names them with their roles when `entry` is true.
  TokenArrays takeTokenArrays(func::FuncOp f, unsigned first, bool training,
                              bool entry);
  /// The recurrent layer's input [B, steps, features] (or the model value
  /// `want`): the model's input ops lowered in order, on `numTokens` tokens
  /// a sequence (default: the window's). A training window with a batch
  /// norm appends the updated running statistics to `newStatistics`.
  Value lowerInputOps(ValueRange args, const TokenArrays &in, bool training,
                      SmallVectorImpl<Value> &newStatistics,
                      std::optional<int64_t> numTokens = std::nullopt,
                      Value want = Value());
  /// The mean next-token cross-entropy of the readout of `hseq` and its
  /// [B, steps, vocab] scores.
  std::pair<Value, Value> tokenLoss(ValueRange args, Value hseq, Value target);
  void buildTokenTrain();
  void buildTokenEval();
  void buildTokenDecode();

  ModelOp model;
  TrainingConfig config;
  OpBuilder builder;
  Location loc;
  FloatType f32;
  std::vector<ParameterInfo> params;
  llvm::StringMap<int64_t> paramIndex;
  CellKind cell;
  int64_t inputSize, hidden, numLayers, outputSize;
  CerebellumOp cerebellum;
  const std::string synthPrefix = "rnn.backward_interface.synthesizer.";
  int64_t stateSize = 0, synthDepth = 0;
  /// The windows inject S(s1) (a cerebellum not switched off).
  bool injects = false;
  bool hasContext = false, hasMask = false;
  int64_t numWindows = 1, lastSteps = 0;
  TokensType tokens;
  PrependOp prepend;
  BatchNormOp norm;
  DropoutOp dropout;
};

void ProgramBuilder::nameStates(func::FuncOp f, unsigned first, bool results,
                                std::optional<Role> role) {
  for (int64_t k = 0; k < numLayers; ++k) {
    std::string layer = "_l" + std::to_string(k);
    for (int64_t j = 0; j < statesPerLayer(); ++j) {
      unsigned i = first + statesPerLayer() * k + j;
      std::string name = (j == 0 ? "state.h" : "state.c") + layer;
      if (results)
        nameResult(f, i, name, role);
      else
        nameArgument(f, i, name, role);
    }
  }
}

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
  std::optional<Role> role;
  if (!isPrivate)
    role = Role::Parameter;
  for (auto [i, p] : llvm::enumerate(params))
    if (i < f.getNumArguments())
      nameArgument(f, i, p.name, role);
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

// a_0 = W_0 s + b_0 [+ W_c context + b_c]; a_k = W_k relu(a_{k-1}) + b_k;
// S(s) = a_n (SPEC §2). With sparse fibres W_0 is masked: the gradient of
// the masked weights is then zero too, so they stay as initialised (zero).
Value ProgramBuilder::synthesizer(ValueRange args, Value state, Value context,
                                  Value mask, Value *activity) {
  Value w0 = param(args, synthPrefix + "input_trigger.weight");
  if (mask)
    w0 = MulOp::create(builder, loc, w0, mask);
  Value a = linear(state, w0, param(args, synthPrefix + "input_trigger.bias"));
  if (context)
    a = AddOp::create(
        builder, loc, a,
        linear(context, param(args, synthPrefix + "input_context.weight"),
               param(args, synthPrefix + "input_context.bias")));
  if (activity)
    *activity = Value();
  for (int64_t k = 0; k < synthDepth; ++k) {
    Value activated = ReluOp::create(builder, loc, a);
    if (activity && k == 0)
      *activity = activated;
    std::string layer = synthPrefix + "layers." + std::to_string(k);
    a = linear(activated, param(args, layer + ".weight"),
               param(args, layer + ".bias"));
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

// Window arguments: params..., states..., input, [target], start, then by
// kind: [context], [fibre_mask] (Train, Record) or the cotangent arriving
// at each layer's final state (Exact). Results: loss, final states..., and
// for Record scale * S(s1) per layer, then S's activity per layer.
func::FuncOp ProgramBuilder::buildWindow(StringRef name, int64_t steps,
                                         bool isLast, WindowKind kind) {
  int64_t b = config.batch;
  bool hasTarget = !config.predictLast || isLast;
  bool synthesizes = injects && kind != WindowKind::Exact;
  bool context = synthesizes && hasContext, mask = synthesizes && hasMask;
  SmallVector<Type> inputs = parameterTypes();
  inputs.append(stateTypes());
  inputs.push_back(tensorType({b, steps, inputSize}));
  if (hasTarget)
    inputs.push_back(targetType(steps));
  inputs.push_back(builder.getIndexType());
  if (context)
    inputs.push_back(tensorType({b, outputSize}));
  if (mask)
    inputs.push_back(maskType());
  if (kind == WindowKind::Exact)
    inputs.append(numLayers, tensorType({b, stateSize}));
  SmallVector<Type> results{tensorType({})};
  results.append(stateTypes());
  bool recordsActivity = kind == WindowKind::Record && synthDepth > 0;
  if (kind == WindowKind::Record) {
    results.append(numLayers, tensorType({b, stateSize}));
    if (recordsActivity)
      results.append(numLayers,
                     tensorType({b, cerebellum.getHiddenWidth()}));
  }

  func::FuncOp f = createFunction(name, inputs, results, /*isPrivate=*/true);
  ValueRange args = f.getArguments();
  unsigned next = numParams();
  ValueRange incoming = args.slice(next, numStates());
  next += numStates();
  Value x = args[next++];
  Value target = hasTarget ? args[next++] : Value();
  Value start = args[next++];
  Value contextArg = context ? args[next++] : Value();
  Value maskArg = mask ? args[next++] : Value();
  ValueRange cotangents = kind == WindowKind::Exact
                              ? args.slice(next, numLayers)
                              : ValueRange();

  SmallVector<Value> states(incoming);
  if (kind == WindowKind::Train)
    states = enterTrainingWindow(args, incoming, synthesizes, contextArg,
                                 maskArg);

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

  SmallVector<Value> returned{loss};
  returned.append(finalStates);
  SmallVector<Value> activities;
  for (int64_t k = 0; k < numLayers && (synthesizes ||
                                         kind == WindowKind::Exact);
       ++k) {
    Value s1 = synthesizerInput(finalStates, k);
    if (kind == WindowKind::Exact) {
      // The true gradient from the rest of the sequence, injected as is.
      SyntheticGradientOp::create(builder, loc, s1, cotangents[k],
                                  builder.getF64FloatAttr(1.0));
      continue;
    }
    Value activity;
    Value prediction =
        injectSyntheticGradient(args, s1, contextArg, maskArg,
                                recordsActivity ? &activity : nullptr);
    if (kind == WindowKind::Record) {
      FloatAttr scale = builder.getF64FloatAttr(
          cerebellum.getScale().convertToDouble());
      returned.push_back(ScaleOp::create(builder, loc, prediction, scale));
      // A linear synthesizer (no hidden layer) has no activity to record.
      if (recordsActivity)
        activities.push_back(activity);
    }
  }
  returned.append(activities);
  func::ReturnOp::create(builder, loc, returned);

  nameStates(f, numParams(), /*results=*/false);
  unsigned i = numParams() + numStates();
  nameArgument(f, i++, "input");
  if (hasTarget)
    nameArgument(f, i++, "target");
  nameArgument(f, i++, "start");
  if (context)
    nameArgument(f, i++, "context");
  if (mask)
    nameArgument(f, i++, "fibre_mask");
  nameResult(f, 0, "loss");
  return f;
}

SmallVector<Value> ProgramBuilder::enterTrainingWindow(ValueRange args,
                                                      ValueRange incoming,
                                                      bool synthesizes,
                                                      Value context,
                                                      Value mask) {
  int64_t b = config.batch;
  // The truncation: no gradient flows into earlier windows.
  SmallVector<Value> states;
  for (Value s : incoming)
    states.push_back(TruncateOp::create(builder, loc, s));
  if (!synthesizes || config.mode != CerebellumMode::Train)
    return states;
  // The synthesizer sees s0 = [h, c] of each layer; the window reads its
  // state back out of s0 so that the gradient arriving at s0 is what the
  // target captures. One synthesizer serves every layer: each layer's
  // loss is divided by the number of layers (SPEC §2).
  SmallVector<Value> joined;
  for (int64_t k = 0; k < numLayers; ++k) {
    Value s0 = synthesizerInput(states, k);
    Value prediction = synthesizer(args, s0, context, mask);
    SynthesizerTargetOp::create(builder, loc, s0, prediction,
                                builder.getF64FloatAttr(1.0 / numLayers));
    if (!isLSTM()) {
      joined.push_back(s0);
      continue;
    }
    auto split = SplitOp::create(
        builder, loc,
        TypeRange{tensorType({b, hidden}), tensorType({b, hidden})}, s0,
        builder.getI64IntegerAttr(1));
    joined.append(split.getResults().begin(), split.getResults().end());
  }
  return joined;
}

Value ProgramBuilder::injectSyntheticGradient(ValueRange args, Value s1,
                                              Value context, Value mask,
                                              Value *activity) {
  Value prediction = synthesizer(args, s1, context, mask, activity);
  FloatAttr scale =
      builder.getF64FloatAttr(cerebellum.getScale().convertToDouble());
  SyntheticGradientOp::create(builder, loc, s1, prediction, scale);
  return prediction;
}

std::pair<func::FuncOp, func::FuncOp>
ProgramBuilder::buildWindows(WindowKind kind) {
  static const char *const suffixes[] = {"_window", "_record_window",
                                         "_exact_window"};
  std::string base = (model.getSymName() + suffixes[int(kind)]).str();
  // The record program's backward sweep runs exact windows over windows
  // 1 .. numWindows - 1 only: the regular one is needed from three windows
  // on (an uncalled one would keep its markers through ccrnn-autodiff).
  int64_t regularFrom = kind == WindowKind::Exact ? 3 : 2;
  func::FuncOp window;
  if (numWindows >= regularFrom)
    window = buildWindow(base, config.bptt, /*isLast=*/false, kind);
  // The last window differs when it is shorter, or when it alone carries
  // the loss (last-step prediction).
  func::FuncOp lastWindow = window;
  if (!window || lastSteps != config.bptt || config.predictLast)
    lastWindow = buildWindow(base + "_last", lastSteps, /*isLast=*/true, kind);
  return {window, lastWindow};
}

SmallVector<Value> ProgramBuilder::windowOperands(
    func::FuncOp callee, ValueRange modelParams, ValueRange states, Value x,
    Value target, Value start, int64_t steps, ValueRange extra) {
  SmallVector<Value> operands(modelParams);
  operands.append(states.begin(), states.end());
  operands.push_back(TimeSliceOp::create(
      builder, loc, tensorType({config.batch, steps, inputSize}), x, start));
  // Only the last window of a last-step prediction sees the target.
  if (callee.getNumArguments() == operands.size() + 2 + extra.size())
    operands.push_back(config.predictLast
                           ? target
                           : TimeSliceOp::create(builder, loc,
                                                 targetType(steps), target,
                                                 start)
                                 .getResult());
  operands.push_back(start);
  operands.append(extra.begin(), extra.end());
  return operands;
}

// What a trainer needs beyond the program: how to initialise each parameter
// and what the program was built for.
void ProgramBuilder::describeTrainer(func::FuncOp train) {
  MLIRContext *ctx = builder.getContext();
  for (auto [i, p] : llvm::enumerate(params))
    train.setArgAttr(i, kParameterAttr,
                     ParameterAttr::get(ctx, p.init.kind,
                                        builder.getF64FloatAttr(p.init.bound),
                                        p.group));
  StringRef name = model.getSymName();
  auto entry = [&](StringRef suffix) {
    return FlatSymbolRefAttr::get(ctx, (name + suffix).str());
  };
  train->setAttr(
      kTrainerAttr,
      TrainerAttr::get(ctx, model.getSymNameAttr(),
                       builder.getStringAttr(config.options),
                       builder.getBoolAttr(bool(cerebellum)),
                       builder.getBoolAttr(config.loss == LossKind::xent),
                       builder.getBoolAttr(config.predictLast),
                       entry("_eval"),
                       config.record ? entry("_record") : FlatSymbolRefAttr(),
                       config.decode ? entry("_decode") : FlatSymbolRefAttr()));
}

void ProgramBuilder::buildTrain() {
  auto [window, lastWindow] = buildWindows(WindowKind::Train);
  int64_t T = config.bptt, L = config.steps;
  bool perStep = !config.predictLast;
  SmallVector<Type> inputs = parameterTypes();
  inputs.push_back(tensorType({config.batch, L, inputSize}));
  inputs.push_back(targetType(L));
  inputs.append(stateTypes());
  if (hasMask)
    inputs.push_back(maskType());
  SmallVector<Type> results{tensorType({})};
  results.append(parameterTypes());
  results.append(stateTypes());

  func::FuncOp f =
      createFunction((model.getSymName() + "_train").str(), inputs, results,
                     /*isPrivate=*/false);
  nameArgument(f, numParams(), "input", Role::Input);
  nameArgument(f, numParams() + 1, "target", Role::Target);
  nameStates(f, numParams() + 2, /*results=*/false, Role::State);
  if (hasMask)
    nameArgument(f, numParams() + 2 + numStates(), "fibre_mask",
                 Role::FibreMask);
  nameResult(f, 0, "loss", Role::Loss);
  // SPEC §7: gradients under parameter names
  for (auto [i, p] : llvm::enumerate(params))
    nameResult(f, i + 1, p.name, Role::Gradient);
  nameStates(f, 1 + numParams(), /*results=*/true, Role::FinalState);
  describeTrainer(f);

  ValueRange args = f.getArguments();
  ValueRange modelParams = args.take_front(numParams());
  Value x = args[numParams()], target = args[numParams() + 1];
  ValueRange initialStates = args.slice(numParams() + 2, numStates());
  // Loop invariants every window needs.
  SmallVector<Value> extra;
  if (injects && hasContext)
    extra.push_back(targetContext(target));
  if (injects && hasMask)
    extra.push_back(args.back());

  // Loop-carried values: states, reported loss, gradient accumulators.
  SmallVector<Value> carried(initialStates);
  carried.push_back(splat({}, 0.0));
  for (const ParameterInfo &p : params)
    carried.push_back(splat(p.shape, 0.0));

  // One window at step `start`: ask for its value and gradient, then fold
  // them into the carried values.
  auto step = [&](func::FuncOp callee, Value start, int64_t steps,
                  ValueRange current) -> SmallVector<Value> {
    SmallVector<Value> operands =
        windowOperands(callee, modelParams, current.take_front(numStates()), x,
                       target, start, steps, extra);
    SmallVector<Type> resultTypes(callee.getResultTypes());
    resultTypes.append(parameterTypes());
    auto call = ValueAndGradOp::create(
        builder, loc, resultTypes,
        FlatSymbolRefAttr::get(builder.getContext(), callee.getSymName()),
        operands, builder.getI64IntegerAttr(numParams()));
    ValueRange out = call.getResults();
    Value loss = out[0];
    SmallVector<Value> next(out.slice(1, numStates()));
    Value reported = current[numStates()];
    if (perStep) {
      Value n = SupervisedStepsOp::create(
          builder, loc, tensorType({}), start, builder.getI64IntegerAttr(steps),
          builder.getI64IntegerAttr(config.interval));
      loss = MulOp::create(builder, loc, n, loss);
    }
    next.push_back(AddOp::create(builder, loc, reported, loss));
    for (auto [acc, grad] : llvm::zip(current.drop_front(numStates() + 1),
                                      out.drop_front(1 + numStates())))
      next.push_back(AddOp::create(builder, loc, acc, grad));
    return next;
  };

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

  Value reported = carried[numStates()];
  // SPEC §3: 2 * sum_w n_w * loss_w / L, the mean squared distance per point;
  // for a last-step regression, the squared distance of that point.
  if (perStep)
    reported = ScaleOp::create(builder, loc, reported,
                               builder.getF64FloatAttr(2.0 / L));
  else if (config.loss == LossKind::mse)
    reported = ScaleOp::create(builder, loc, reported,
                               builder.getF64FloatAttr(outputSize));
  SmallVector<Value> returned{reported};
  returned.append(carried.begin() + numStates() + 1, carried.end());
  returned.append(carried.begin(), carried.begin() + numStates());
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
  nameArgument(f, numParams(), "input", Role::Input);
  nameArgument(f, numParams() + 1, "target", Role::Target);
  nameResult(f, 0, "loss", Role::Loss);
  nameResult(f, 1, "prediction", Role::Prediction);

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

// Unrolled over the windows, since each boundary's values are kept: a
// truncated pass as in training (the record windows), then full BPTT
// backwards over the same windows (the exact windows), each window's true
// incoming gradient becoming the previous window's injected one.
void ProgramBuilder::buildRecord() {
  auto [window, lastWindow] = buildWindows(WindowKind::Record);
  auto [exactWindow, exactLast] = buildWindows(WindowKind::Exact);
  int64_t b = config.batch, T = config.bptt, N = numWindows - 1;
  int64_t width = synthDepth > 0 ? cerebellum.getHiddenWidth() : 0;
  SmallVector<Type> inputs = parameterTypes();
  inputs.push_back(tensorType({b, config.steps, inputSize}));
  inputs.push_back(targetType(config.steps));
  inputs.append(stateTypes());
  if (hasMask)
    inputs.push_back(maskType());
  Type recordType = tensorType({N, numLayers, b, stateSize});
  SmallVector<Type> results(4, recordType);
  if (width)
    results.push_back(tensorType({N, numLayers, b, width}));
  func::FuncOp f =
      createFunction((model.getSymName() + "_record").str(), inputs, results,
                     /*isPrivate=*/false);
  nameArgument(f, numParams(), "input", Role::Input);
  nameArgument(f, numParams() + 1, "target", Role::Target);
  nameStates(f, numParams() + 2, /*results=*/false, Role::State);
  if (hasMask)
    nameArgument(f, numParams() + 2 + numStates(), "fibre_mask",
                 Role::FibreMask);
  const char *names[] = {"state", "synthetic", "target_grad", "true_grad",
                         "activity"};
  for (unsigned i = 0; i < results.size(); ++i)
    nameResult(f, i, names[i], Role::Recorded);

  ValueRange args = f.getArguments();
  ValueRange modelParams = args.take_front(numParams());
  Value x = args[numParams()], target = args[numParams() + 1];
  SmallVector<Value> extra;
  if (hasContext)
    extra.push_back(targetContext(target));
  if (hasMask)
    extra.push_back(args.back());
  int64_t gradCount = numParams() + numStates();
  // Per boundary j (between windows j and j + 1) and layer.
  SmallVector<SmallVector<Value>> states(N), synthetic(N), targets(N),
      truths(N), activity(N);
  // The incoming state of each window, kept for the backward pass.
  SmallVector<SmallVector<Value>> windowStates{
      SmallVector<Value>(args.slice(numParams() + 2, numStates()))};
  auto gradients = [&](func::FuncOp callee, ArrayRef<Value> operands) {
    SmallVector<Type> resultTypes(callee.getResultTypes());
    for (Value operand : operands.take_front(gradCount))
      resultTypes.push_back(operand.getType());
    return ValueAndGradOp::create(
               builder, loc, resultTypes,
               FlatSymbolRefAttr::get(builder.getContext(),
                                      callee.getSymName()),
               operands, builder.getI64IntegerAttr(gradCount))
        .getResults();
  };
  // The gradient with respect to each layer's incoming [h, c], copied.
  auto stateGradients = [&](ValueRange out) {
    SmallVector<Value> grads(out.take_back(numStates()));
    SmallVector<Value> perLayer;
    for (int64_t k = 0; k < numLayers; ++k)
      perLayer.push_back(snapshot(synthesizerInput(grads, k)));
    return perLayer;
  };

  for (int64_t w = 0; w < numWindows; ++w) {
    bool last = w == numWindows - 1;
    func::FuncOp callee = last ? lastWindow : window;
    ValueRange out = gradients(
        callee, windowOperands(callee, modelParams, windowStates.back(), x,
                               target, index(w * T), last ? lastSteps : T,
                               extra));
    if (w > 0)
      targets[w - 1] = stateGradients(out);
    if (last)
      break;
    SmallVector<Value> finals;
    for (Value s : out.slice(1, numStates()))
      finals.push_back(snapshot(s));
    windowStates.push_back(finals);
    for (int64_t k = 0; k < numLayers; ++k) {
      states[w].push_back(synthesizerInput(finals, k));
      synthetic[w].push_back(snapshot(out[1 + numStates() + k]));
      if (width)
        activity[w].push_back(
            snapshot(out[1 + numStates() + numLayers + k]));
    }
  }
  SmallVector<Value> cotangents(numLayers, splat({b, stateSize}, 0.0));
  for (int64_t w = numWindows - 1; w >= 1; --w) {
    bool last = w == numWindows - 1;
    func::FuncOp callee = last ? exactLast : exactWindow;
    ValueRange out = gradients(
        callee, windowOperands(callee, modelParams, windowStates[w], x, target,
                               index(w * T), last ? lastSteps : T,
                               cotangents));
    cotangents = stateGradients(out);
    truths[w - 1] = cotangents;
  }

  // [N, layers, batch, features] from the per-boundary, per-layer pieces.
  auto stack = [&](ArrayRef<SmallVector<Value>> pieces, int64_t features) {
    SmallVector<Value> rows;
    for (ArrayRef<Value> boundary : pieces)
      for (Value v : boundary)
        rows.push_back(
            ReshapeOp::create(builder, loc, tensorType({1, b, features}), v));
    Value all = ConcatOp::create(builder, loc,
                                 tensorType({N * numLayers, b, features}), rows,
                                 builder.getI64IntegerAttr(0));
    return ReshapeOp::create(builder, loc,
                             tensorType({N, numLayers, b, features}), all)
        .getResult();
  };
  SmallVector<Value> returned{stack(states, stateSize),
                              stack(synthetic, stateSize),
                              stack(targets, stateSize),
                              stack(truths, stateSize)};
  if (width)
    returned.push_back(stack(activity, width));
  func::ReturnOp::create(builder, loc, returned);
}

void ProgramBuilder::appendTokenArrayTypes(SmallVectorImpl<Type> &types,
                                           bool training) {
  int64_t b = config.batch;
  IntegerType i64 = builder.getI64Type();
  if (holdsVector())
    types.push_back(
        tensorType({b, model.getVectorInputType().getFeatures()}));
  types.push_back(RankedTensorType::get({b * tokenSteps()}, i64));
  types.push_back(RankedTensorType::get({b * config.steps}, i64));
  if (training && hasMask)
    types.push_back(maskType());
  if (dropsOut(training))
    types.push_back(tensorType(
        {b, config.steps, dropout.getType().getFeatures()}));
  if (usesStatistics())
    types.append(2, tensorType({norm.getType().getFeatures()}));
}

ProgramBuilder::TokenArrays
ProgramBuilder::takeTokenArrays(func::FuncOp f, unsigned first, bool training,
                                bool entry) {
  TokenArrays in;
  unsigned i = first;
  auto take = [&](Value &slot, StringRef name, Role role) {
    slot = f.getArgument(i);
    nameArgument(f, i++, name, entry ? std::optional<Role>(role)
                                     : std::nullopt);
  };
  if (holdsVector())
    take(in.vector, "vector", Role::VectorInput);
  take(in.tokens, "input", Role::Input);
  take(in.target, "target", Role::Target);
  if (training && hasMask)
    take(in.fibreMask, "fibre_mask", Role::FibreMask);
  if (dropsOut(training))
    take(in.dropoutMask, "dropout_mask", Role::DropoutMask);
  if (usesStatistics()) {
    in.statistics.resize(2);
    take(in.statistics[0], "encoder.bn.running_mean", Role::Statistic);
    take(in.statistics[1], "encoder.bn.running_var", Role::Statistic);
  }
  return in;
}

Value ProgramBuilder::lowerInputOps(ValueRange args, const TokenArrays &in,
                                    bool training,
                                    SmallVectorImpl<Value> &newStatistics,
                                    std::optional<int64_t> numTokens,
                                    Value want) {
  int64_t b = config.batch, n = numTokens.value_or(tokenSteps());
  if (!want)
    want = model.getRecurrentLayer()->getOperand(0);
  Block &body = model.getBody().front();
  // Model values and their tensors; the vector's chain stays unlowered in
  // a window that does not hold it.
  llvm::DenseMap<Value, Value> lowered;
  lowered[body.getArguments().back()] = in.tokens;
  if (in.vector)
    lowered[body.getArgument(0)] = in.vector;
  for (Operation &op : body) {
    if (isa<RecurrentLayerOpInterface>(op) || lowered.count(want))
      break;
    Value input = op.getNumOperands() ? lowered.lookup(op.getOperand(0))
                                      : Value();
    if (!input && !isa<PrependOp>(op))
      continue;
    Value result =
        llvm::TypeSwitch<Operation *, Value>(&op)
            .Case([&](LinearOp) {
              return linear(input, param(args, "encoder.linear.weight"),
                            param(args, "encoder.linear.bias"));
            })
            .Case([&](BatchNormOp n) -> Value {
              Value gamma = param(args, "encoder.bn.weight"),
                    beta = param(args, "encoder.bn.bias");
              double eps = n.getEpsilon().convertToDouble();
              if (!training)
                return BatchNormInferenceOp::create(
                    builder, loc, input, gamma, beta, in.statistics[0],
                    in.statistics[1], builder.getF64FloatAttr(eps));
              auto normed = BatchNormTrainOp::create(
                  builder, loc, input, gamma, beta,
                  builder.getF64FloatAttr(eps));
              // PyTorch's update: the running variance is unbiased.
              double m = n.getMomentum().convertToDouble();
              auto update = [&](Value running, Value batch, double factor) {
                return AddOp::create(
                    builder, loc,
                    ScaleOp::create(builder, loc, running,
                                    builder.getF64FloatAttr(1 - m)),
                    ScaleOp::create(builder, loc, batch,
                                    builder.getF64FloatAttr(m * factor)));
              };
              newStatistics.push_back(
                  update(in.statistics[0], normed.getMean(), 1.0));
              newStatistics.push_back(update(in.statistics[1],
                                             normed.getVariance(),
                                             double(b) / (b - 1)));
              return normed.getResult();
            })
            .Case([&](EmbeddingOp e) -> Value {
              int64_t features = e.getType().getFeatures();
              Value rows = GatherRowsOp::create(
                  builder, loc, tensorType({b * n, features}),
                  param(args, "embed.weight"), input);
              return ReshapeOp::create(builder, loc,
                                       tensorType({b, n, features}), rows);
            })
            .Case([&](PrependOp p) -> Value {
              Value first = lowered.lookup(p.getFirst()),
                    rest = lowered.lookup(p.getRest());
              if (!first)
                return rest;
              int64_t features = p.getType().getFeatures();
              Value step = ReshapeOp::create(
                  builder, loc, tensorType({b, 1, features}), first);
              return ConcatOp::create(
                  builder, loc, tensorType({b, config.steps, features}),
                  ValueRange{step, rest}, builder.getI64IntegerAttr(1));
            })
            .Case([&](DropoutOp) -> Value {
              if (!in.dropoutMask)
                return input;
              return MulOp::create(builder, loc, input, in.dropoutMask);
            })
            .Default([](Operation *) { return Value(); });
    if (result)
      lowered[op.getResult(0)] = result;
  }
  return lowered.lookup(want);
}

std::pair<Value, Value> ProgramBuilder::tokenLoss(ValueRange args, Value hseq,
                                                  Value target) {
  int64_t rows = config.batch * config.steps;
  Value scores = readoutSequence(args, hseq);
  Value flat = ReshapeOp::create(builder, loc, tensorType({rows, outputSize}),
                                 scores);
  // A vocabulary-wide softmax: the float32 kernel (ccrnn.xent_loss).
  Value loss = CrossEntropyLossOp::create(builder, loc, tensorType({}), flat,
                                          target, /*f32_softmax=*/true);
  return {loss, scores};
}

// Window arguments: params..., states..., then the token arrays; results:
// loss, final states..., [new running statistics].
void ProgramBuilder::buildTokenTrain() {
  SmallVector<Type> inputs = parameterTypes();
  inputs.append(stateTypes());
  appendTokenArrayTypes(inputs, /*training=*/true);
  SmallVector<Type> results{tensorType({})};
  results.append(stateTypes());
  if (usesStatistics())
    results.append(2, tensorType({norm.getType().getFeatures()}));
  func::FuncOp window =
      createFunction((model.getSymName() + "_window").str(), inputs, results,
                     /*isPrivate=*/true);
  {
    ValueRange args = window.getArguments();
    nameStates(window, numParams(), /*results=*/false);
    TokenArrays in = takeTokenArrays(window, numParams() + numStates(),
                                     /*training=*/true, /*entry=*/false);
    SmallVector<Value> states = enterTrainingWindow(
        args, args.slice(numParams(), numStates()), injects, Value(),
        in.fibreMask);
    SmallVector<Value> newStatistics;
    Value x = lowerInputOps(args, in, /*training=*/true, newStatistics);
    SmallVector<Value> finalStates;
    Value hseq = recurrentStack(args, x, states, finalStates);
    SmallVector<Value> returned{tokenLoss(args, hseq, in.target).first};
    returned.append(finalStates);
    for (int64_t k = 0; k < numLayers && injects; ++k)
      injectSyntheticGradient(args, synthesizerInput(finalStates, k), Value(),
                              in.fibreMask);
    returned.append(newStatistics);
    func::ReturnOp::create(builder, loc, returned);
    nameResult(window, 0, "loss");
  }

  // @m_train: the window's value and gradient, the arrays in the entry
  // order (parameters, token arrays, states).
  SmallVector<Type> entryInputs = parameterTypes();
  appendTokenArrayTypes(entryInputs, /*training=*/true);
  entryInputs.append(stateTypes());
  SmallVector<Type> entryResults{tensorType({})};
  entryResults.append(parameterTypes());
  entryResults.append(stateTypes());
  if (usesStatistics())
    entryResults.append(2, tensorType({norm.getType().getFeatures()}));
  func::FuncOp f =
      createFunction((model.getSymName() + "_train").str(), entryInputs,
                     entryResults, /*isPrivate=*/false);
  unsigned arrays = entryInputs.size() - numParams() - numStates();
  TokenArrays in = takeTokenArrays(f, numParams(), /*training=*/true,
                                   /*entry=*/true);
  nameStates(f, numParams() + arrays, /*results=*/false, Role::State);
  nameResult(f, 0, "loss", Role::Loss);
  for (auto [i, p] : llvm::enumerate(params))
    nameResult(f, i + 1, p.name, Role::Gradient);
  nameStates(f, 1 + numParams(), /*results=*/true, Role::FinalState);
  if (usesStatistics()) {
    unsigned r = 1 + numParams() + numStates();
    nameResult(f, r, "encoder.bn.running_mean", Role::NewStatistic);
    nameResult(f, r + 1, "encoder.bn.running_var", Role::NewStatistic);
  }
  describeTrainer(f);

  ValueRange args = f.getArguments();
  SmallVector<Value> operands(args.take_front(numParams()));
  operands.append(args.begin() + numParams() + arrays, args.end());
  operands.append(args.begin() + numParams(),
                  args.begin() + numParams() + arrays);
  SmallVector<Type> callResults(window.getResultTypes());
  callResults.append(parameterTypes());
  auto call = ValueAndGradOp::create(
      builder, loc, callResults,
      FlatSymbolRefAttr::get(builder.getContext(), window.getSymName()),
      operands, builder.getI64IntegerAttr(numParams()));
  ValueRange out = call.getResults();
  unsigned windowResults = window.getNumResults();
  SmallVector<Value> returned{out[0]};
  returned.append(out.begin() + windowResults, out.end());
  returned.append(out.begin() + 1, out.begin() + 1 + numStates());
  returned.append(out.begin() + 1 + numStates(), out.begin() + windowResults);
  func::ReturnOp::create(builder, loc, returned);
}

// @m_eval(params..., token arrays..., states...) -> (loss, scores, final
// states...): teacher-forced, no truncation, no synthesizer, no dropout,
// the batch norm on its running statistics.
void ProgramBuilder::buildTokenEval() {
  SmallVector<Type> inputs = parameterTypes();
  appendTokenArrayTypes(inputs, /*training=*/false);
  inputs.append(stateTypes());
  SmallVector<Type> results{
      tensorType({}), tensorType({config.batch, config.steps, outputSize})};
  results.append(stateTypes());
  func::FuncOp f = createFunction((model.getSymName() + "_eval").str(),
                                  inputs, results, /*isPrivate=*/false);
  unsigned arrays = inputs.size() - numParams() - numStates();
  TokenArrays in = takeTokenArrays(f, numParams(), /*training=*/false,
                                   /*entry=*/true);
  nameStates(f, numParams() + arrays, /*results=*/false, Role::State);
  nameResult(f, 0, "loss", Role::Loss);
  nameResult(f, 1, "prediction", Role::Prediction);
  nameStates(f, 2, /*results=*/true, Role::FinalState);
  ValueRange args = f.getArguments();
  SmallVector<Value> none;
  Value x = lowerInputOps(args, in, /*training=*/false, none);
  SmallVector<Value> finalStates;
  Value hseq = recurrentStack(args, x, args.slice(numParams() + arrays,
                                                  numStates()),
                              finalStates);
  auto [loss, scores] = tokenLoss(args, hseq, in.target);
  SmallVector<Value> returned{loss, scores};
  returned.append(finalStates);
  func::ReturnOp::create(builder, loc, returned);
}

// @m_decode(params..., vector, [statistics...]) -> (tokens [B]...): the
// greedy decoder (as the reference's sample()), from the zero state.
void ProgramBuilder::buildTokenDecode() {
  int64_t b = config.batch;
  SmallVector<Type> inputs = parameterTypes();
  inputs.push_back(tensorType({b, model.getVectorInputType().getFeatures()}));
  if (usesStatistics())
    inputs.append(2, tensorType({norm.getType().getFeatures()}));
  auto i64 = RankedTensorType::get({b}, builder.getI64Type());
  SmallVector<Type> results(config.decode, i64);
  func::FuncOp f = createFunction((model.getSymName() + "_decode").str(),
                                  inputs, results, /*isPrivate=*/false);
  ValueRange args = f.getArguments();
  TokenArrays in;
  unsigned i = numParams();
  in.vector = f.getArgument(i);
  nameArgument(f, i++, "vector", Role::VectorInput);
  if (usesStatistics()) {
    in.statistics.assign({f.getArgument(i), f.getArgument(i + 1)});
    nameArgument(f, i++, "encoder.bn.running_mean", Role::Statistic);
    nameArgument(f, i, "encoder.bn.running_var", Role::Statistic);
  }
  SmallVector<Value> none;
  Value first = lowerInputOps(args, in, /*training=*/false, none,
                              /*numTokens=*/0, prepend.getFirst());
  int64_t features = shapeOf(first).back();
  Value x = ReshapeOp::create(builder, loc, tensorType({b, 1, features}),
                              first);
  SmallVector<Value> states;
  for (Type type : stateTypes())
    states.push_back(splat(cast<RankedTensorType>(type).getShape(), 0.0));
  SmallVector<Value> returned;
  for (int64_t t = 0; t < config.decode; ++t) {
    if (t > 0) {
      // The last token's embedding (and whatever the model does to a
      // token step), as one step of tokens.
      TokenArrays step;
      step.tokens = returned.back();
      x = lowerInputOps(args, step, /*training=*/false, none,
                        /*numTokens=*/1);
    }
    SmallVector<Value> finalStates;
    Value hseq = recurrentStack(args, x, states, finalStates);
    states = finalStates;
    Value scores = ReshapeOp::create(builder, loc, tensorType({b, outputSize}),
                                     readoutSequence(args, hseq));
    returned.push_back(ArgmaxRowsOp::create(builder, loc, i64, scores));
    nameResult(f, t, "token." + std::to_string(t), Role::Decoded);
  }
  func::ReturnOp::create(builder, loc, returned);
}

void ProgramBuilder::build() {
  if (tokens) {
    buildTokenTrain();
    buildTokenEval();
    if (config.decode)
      buildTokenDecode();
    return;
  }
  config.bptt = std::min(config.bptt, config.steps);
  numWindows = llvm::divideCeil(config.steps, config.bptt);
  lastSteps = config.steps - (numWindows - 1) * config.bptt;
  buildTrain();
  buildEval();
  if (config.record)
    buildRecord();
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
    auto atMost = [&](int64_t value, int64_t max,
                      StringRef option) -> LogicalResult {
      if (value <= max)
        return success();
      return emitError(loc) << "ccrnn-build-training: option '" << option
                            << "' must be at most " << max << ", got "
                            << value;
    };
    if (failed(positive(bptt, "bptt")) ||
        failed(positive(interval, "interval")) ||
        failed(positive(batch, "batch")) || failed(positive(steps, "steps")) ||
        failed(atMost(batch, kMaxBatch, "batch")) ||
        failed(atMost(steps, kMaxSteps, "steps")))
      return failure();
    if (!loss.empty() && (!symbolizeLossKind(loss) ||
                           *symbolizeLossKind(loss) == LossKind::xent_steps))
      return emitError(loc) << "ccrnn-build-training: unknown loss '" << loss
                            << "'; expected 'mse' or 'xent'";
    if (!parseMode())
      return emitError(loc) << "ccrnn-build-training: unknown cerebellum mode '"
                            << cerebellum
                            << "'; expected 'train', 'frozen' or 'off'";
    if (fibres < 0)
      return emitError(loc) << "ccrnn-build-training: option 'fibres' must "
                               "not be negative, got "
                            << static_cast<int64_t>(fibres);
    return success();
  }

  std::optional<CerebellumMode> parseMode() {
    return llvm::StringSwitch<std::optional<CerebellumMode>>(cerebellum)
        .Case("train", CerebellumMode::Train)
        .Case("frozen", CerebellumMode::Frozen)
        .Case("off", CerebellumMode::Off)
        .Default(std::nullopt);
  }

  /// Checks the options that need the model's cerebellum.
  LogicalResult checkCerebellumOptions(ModelOp model,
                                       const TrainingConfig &config) {
    CerebellumOp cb = model.getCerebellum();
    bool needsOne =
        config.mode != CerebellumMode::Train || config.fibres || config.record;
    if (!cb && needsOne)
      return model.emitError("ccrnn-build-training: options 'cerebellum', "
                             "'fibres' and 'record' need a model with a "
                             "cerebellum, but @")
             << model.getSymName() << " has none";
    if (!cb)
      return success();
    int64_t inputs = cb.getStateType().getLayerStateSize();
    if (config.fibres > inputs)
      return cb.emitError("ccrnn-build-training: option 'fibres' is ")
             << config.fibres << ", but the synthesizer's first layer has only "
             << inputs << " inputs";
    if (config.record && config.mode == CerebellumMode::Off)
      return cb.emitError("ccrnn-build-training: option 'record' needs the "
                          "cerebellum on ('cerebellum=train' or 'frozen')");
    if (config.record && config.bptt >= config.steps)
      return cb.emitError("ccrnn-build-training: option 'record' needs at "
                          "least two windows (bptt < steps), got bptt=")
             << config.bptt << " steps=" << config.steps;
    return success();
  }

  /// The options as the program records them (its trainer's description),
  /// in TrainerOptions' one text form.
  std::string recordedOptions() {
    TrainerOptions o;
#define COPY(field) o.field = field;
    CCRNN_TRAINING_OPTION_FIELDS(COPY)
#undef COPY
    return o.trainingString();
  }

  LogicalResult buildModel(ModelOp model) {
    if (model.getTokensType())
      return buildTokenModel(model);
    TrainingConfig config{batch,         steps,       bptt, interval,
                          LossKind::mse, predictLast};
    config.options = recordedOptions();
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
    if (decode)
      return model.emitError("ccrnn-build-training: option 'decode' applies "
                             "to a model of tokens, but @")
             << model.getSymName() << " reads a sequence";
    if (config.predictLast && interval != 1)
      return model.emitError("ccrnn-build-training: option 'interval' "
                             "applies to per-step mse only");
    config.mode = *parseMode();
    config.fibres = fibres;
    config.record = record;
    if (failed(checkCerebellumOptions(model, config)))
      return failure();
    ProgramBuilder(model, config).build();
    model.erase();
    return success();
  }

  /// A model of tokens: one window per program (the optimizer steps after
  /// every window, as the reference's captioning does).
  LogicalResult buildTokenModel(ModelOp model) {
    TrainingConfig config{batch,
                          steps,
                          steps,
                          1,
                          LossKind::xent_steps,
                          /*predictLast=*/false};
    config.options = recordedOptions();
    config.mode = *parseMode();
    config.fibres = fibres;
    config.firstWindow = firstWindow;
    config.decode = decode;
    auto unsupported = [&](StringRef what) {
      return model.emitError("ccrnn-build-training: @")
             << model.getSymName() << " is a model of tokens, whose "
             << "programs take no " << what;
    };
    if (!loss.empty())
      return unsupported("'loss' option (its loss is xent_steps)");
    if (predictLast || interval != 1)
      return unsupported("'predict-last' or 'interval' option");
    if (record)
      return unsupported("'record' option");
    CerebellumOp cb = model.getCerebellum();
    if (cb && cb.getTargetContext())
      return unsupported("target context");
    if (batch < 2 && model.getBody().getOps<BatchNormOp>().begin() !=
                         model.getBody().getOps<BatchNormOp>().end())
      return model.emitError("ccrnn-build-training: a batch norm needs a "
                             "batch of at least 2, got ")
             << static_cast<int64_t>(batch);
    bool prepends = !model.getBody().getOps<PrependOp>().empty();
    if (decode < 0)
      return model.emitError("ccrnn-build-training: option 'decode' must not "
                             "be negative, got ")
             << static_cast<int64_t>(decode);
    if (decode && (!firstWindow || !prepends))
      return model.emitError("ccrnn-build-training: option 'decode' needs "
                             "'first-window' and a model that prepends a "
                             "vector (the decoder starts from it)");
    if (firstWindow && prepends && steps < 2)
      return model.emitError("ccrnn-build-training: a first window holds "
                             "the prepended step and at least one token: "
                             "'steps' must be at least 2, got ")
             << static_cast<int64_t>(steps);
    if (failed(checkCerebellumOptions(model, config)))
      return failure();
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
