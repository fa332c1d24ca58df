//===- CCRNNOps.cpp - ccrnn operations --------------------------*- C++ -*-===//
//
// Verifiers and custom syntax. Every verifier names the offending attribute or
// operand, so that a broken model file points at what to fix.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Support/SizeLimits.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace ccrnn;

#include "ccrnn/CCRNNInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// Custom syntax of ccrnn.cerebellum options: `layers = 2, width = 400, ...`
//===----------------------------------------------------------------------===//

static ParseResult parseCerebellumOptions(OpAsmParser &parser,
                                          IntegerAttr &layers,
                                          IntegerAttr &width, FloatAttr &scale,
                                          UnitAttr &targetContext) {
  Builder &builder = parser.getBuilder();
  auto parseOption = [&]() -> ParseResult {
    llvm::SMLoc loc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return failure();
    auto duplicate = [&]() {
      return parser.emitError(loc, "cerebellum option '")
             << key << "' is given twice";
    };
    if (key == "target_context") {
      if (targetContext)
        return duplicate();
      targetContext = builder.getUnitAttr();
      return success();
    }
    if (key != "layers" && key != "width" && key != "scale")
      return parser.emitError(loc, "unknown cerebellum option '")
             << key << "'; expected 'layers', 'width', 'scale' or "
             << "'target_context'";
    if (parser.parseEqual())
      return failure();
    if (key == "scale") {
      if (scale)
        return duplicate();
      double value;
      if (parser.parseFloat(value))
        return failure();
      scale = builder.getF64FloatAttr(value);
      return success();
    }
    IntegerAttr &slot = key == "layers" ? layers : width;
    if (slot)
      return duplicate();
    int64_t value;
    if (parser.parseInteger(value))
      return failure();
    slot = builder.getI64IntegerAttr(value);
    return success();
  };
  llvm::SMLoc start = parser.getCurrentLocation();
  if (parser.parseCommaSeparatedList(parseOption))
    return failure();
  if (!layers)
    return parser.emitError(start,
                            "cerebellum needs 'layers = N' (number of hidden "
                            "layers of the synthesizer; 0 for a linear map)");
  return success();
}

/// The shortest decimal text that reads back as the same double: `0.1`
/// rather than `1.000000e-01` or `0.10000000000000001`.
static std::string formatShortestDouble(double value) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  std::string text = buffer;
  // Keep it a float literal for the parser.
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  return text;
}

static void printCerebellumOptions(OpAsmPrinter &p, CerebellumOp op,
                                   IntegerAttr layers, IntegerAttr width,
                                   FloatAttr scale, UnitAttr targetContext) {
  p << "layers = " << layers.getInt();
  if (width)
    p << ", width = " << width.getInt();
  // The scale is always printed: it is a hyperparameter readers look for.
  p << ", scale = " << formatShortestDouble(scale.getValueAsDouble());
  if (targetContext)
    p << ", target_context";
}

#define GET_OP_CLASSES
#include "ccrnn/CCRNNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ModelOp
//===----------------------------------------------------------------------===//

void ModelOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                    SeqType input, SeqType output) {
  state.addAttribute(SymbolTable::getSymbolAttrName(),
                     builder.getStringAttr(name));
  state.addAttribute(getFunctionTypeAttrName(state.name),
                     TypeAttr::get(builder.getFunctionType({input}, {output})));
  Region *body = state.addRegion();
  body->push_back(new Block());
  body->front().addArgument(input, state.location);
}

ParseResult ModelOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildFuncType =
      [](Builder &builder, ArrayRef<Type> argTypes, ArrayRef<Type> results,
         function_interface_impl::VariadicFlag,
         std::string &) { return builder.getFunctionType(argTypes, results); };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      getFunctionTypeAttrName(result.name), buildFuncType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void ModelOp::print(OpAsmPrinter &p) {
  function_interface_impl::printFunctionOp(
      p, *this, /*isVariadic=*/false, getFunctionTypeAttrName(),
      getArgAttrsAttrName(), getResAttrsAttrName());
}

LogicalResult ModelOp::verify() {
  FunctionType type = getFunctionType();
  // A sequence of vectors or of tokens; a token model may take one vector
  // per sequence first (the image a caption describes).
  ArrayRef<Type> inputs = type.getInputs();
  bool oneSequence =
      inputs.size() == 1 && isa<SeqType, TokensType>(inputs.front());
  bool vectorThenTokens = inputs.size() == 2 && isa<VecType>(inputs[0]) &&
                          isa<TokensType>(inputs[1]);
  if (!oneSequence && !vectorThenTokens) {
    InFlightDiagnostic diag =
        emitOpError("must take one input sequence ('!ccrnn.seq' or "
                    "'!ccrnn.tokens'), a '!ccrnn.tokens' optionally after "
                    "one '!ccrnn.vec', got (");
    llvm::interleaveComma(inputs, diag);
    return diag << ")";
  }
  if (type.getNumResults() != 1)
    return emitOpError("must return exactly one output sequence, got ")
           << type.getNumResults() << " results";
  if (!isa<SeqType>(type.getResult(0)))
    return emitOpError("result must be a '!ccrnn.seq', got ")
           << type.getResult(0);

  return success();
}

LogicalResult ModelOp::verifyRegions() {
  Block &entry = getBody().front();

  SmallVector<RecurrentLayerOpInterface> layers;
  SmallVector<CerebellumOp> cerebellums;
  for (Operation &op : entry) {
    if (auto layer = dyn_cast<RecurrentLayerOpInterface>(op))
      layers.push_back(layer);
    else if (auto cerebellum = dyn_cast<CerebellumOp>(op))
      cerebellums.push_back(cerebellum);
  }
  if (layers.empty())
    return emitOpError("has no recurrent layer (expected one 'ccrnn.lstm' or "
                       "'ccrnn.rnn_tanh')");
  if (layers.size() > 1) {
    InFlightDiagnostic diag =
        emitOpError("has ")
        << layers.size()
        << " recurrent layer ops; stack layers with the 'layers' attribute "
           "of a single op";
    diag.attachNote(layers[1]->getLoc()) << "second recurrent layer op here";
    return diag;
  }
  auto ret = cast<ReturnOp>(entry.getTerminator());
  auto readout = ret.getOutput().getDefiningOp<LinearOp>();
  if (!readout)
    return emitOpError("output must be produced by a 'ccrnn.linear' readout");
  if (readout.getInput().getDefiningOp() != layers.front().getOperation())
    return readout.emitOpError(
        "must read the output of the model's recurrent layer");
  // The input layers have fixed parameter names (ModelParameters.cpp).
  llvm::StringMap<Operation *> inputLayers;
  for (Operation &op : entry) {
    auto linear = dyn_cast<LinearOp>(op);
    if (!isa<EmbeddingOp, BatchNormOp, PrependOp, DropoutOp>(op) &&
        !(linear && isa<VecType>(linear.getType())))
      continue;
    std::string kind = linear ? "vector 'ccrnn.linear'"
                              : ("'" + op.getName().getStringRef() + "'").str();
    auto [it, inserted] = inputLayers.try_emplace(kind, &op);
    if (!inserted) {
      InFlightDiagnostic diag =
          emitOpError("has two ") << kind << " ops; a model has at most one";
      diag.attachNote(op.getLoc()) << "second one here";
      return diag;
    }
  }
  if (cerebellums.size() > 1) {
    InFlightDiagnostic diag = emitOpError("has ")
                              << cerebellums.size()
                              << " cerebellums; a model has at most one";
    diag.attachNote(cerebellums[1]->getLoc()) << "second cerebellum here";
    return diag;
  }
  return success();
}

SeqType ModelOp::getInputType() {
  return dyn_cast<SeqType>(getFunctionType().getInputs().back());
}

TokensType ModelOp::getTokensType() {
  return dyn_cast<TokensType>(getFunctionType().getInputs().back());
}

VecType ModelOp::getVectorInputType() {
  return dyn_cast<VecType>(getFunctionType().getInputs().front());
}

SeqType ModelOp::getOutputType() {
  return cast<SeqType>(getFunctionType().getResult(0));
}

RecurrentLayerOpInterface ModelOp::getRecurrentLayer() {
  for (Operation &op : getBody().front())
    if (auto layer = dyn_cast<RecurrentLayerOpInterface>(op))
      return layer;
  return {};
}

LinearOp ModelOp::getReadout() {
  return getReturn().getOutput().getDefiningOp<LinearOp>();
}

CerebellumOp ModelOp::getCerebellum() {
  for (Operation &op : getBody().front())
    if (auto cerebellum = dyn_cast<CerebellumOp>(op))
      return cerebellum;
  return {};
}

ReturnOp ModelOp::getReturn() {
  return cast<ReturnOp>(getBody().front().getTerminator());
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

/// Shared verifier of `ccrnn.lstm` and `ccrnn.rnn_tanh`.
static LogicalResult verifyRecurrentLayer(Operation *op, CellKind cell,
                                          int64_t hidden, int64_t layers,
                                          RecurrentType resultType) {
  if (hidden <= 0)
    return op->emitOpError("attribute 'hidden' must be positive, got ")
           << hidden;
  if (hidden > kMaxUnits)
    return op->emitOpError("attribute 'hidden' must be at most ")
           << kMaxUnits << ", got " << hidden;
  if (layers <= 0)
    return op->emitOpError("attribute 'layers' must be positive, got ")
           << layers;
  if (layers > kMaxLayers)
    return op->emitOpError("attribute 'layers' must be at most ")
           << kMaxLayers << ", got " << layers;
  if (resultType.getCell() != cell)
    return op->emitOpError("result type ")
           << resultType << " has cell '"
           << stringifyCellKind(resultType.getCell()) << "', but this op is a '"
           << stringifyCellKind(cell) << "' layer";
  if (resultType.getHidden() != hidden)
    return op->emitOpError("attribute 'hidden' (")
           << hidden << ") does not match the hidden size "
           << resultType.getHidden() << " of the result type " << resultType;
  if (resultType.getLayers() != layers)
    return op->emitOpError("attribute 'layers' (")
           << layers << ") does not match the " << resultType.getLayers()
           << " layers of the result type " << resultType;
  return success();
}

template <typename OpTy>
static void buildRecurrentLayer(OpBuilder &builder, OperationState &state,
                                CellKind cell, Value input, int64_t hidden,
                                int64_t layers) {
  OpTy::build(builder, state,
              RecurrentType::get(builder.getContext(), cell, hidden, layers),
              input, hidden, layers);
}

void LSTMOp::build(OpBuilder &builder, OperationState &state, Value input,
                   int64_t hidden, int64_t layers) {
  buildRecurrentLayer<LSTMOp>(builder, state, CellKind::lstm, input, hidden,
                              layers);
}

LogicalResult LSTMOp::verify() {
  return verifyRecurrentLayer(*this, CellKind::lstm, getHiddenAttr().getInt(),
                              getLayersAttr().getInt(), getType());
}

void RNNTanhOp::build(OpBuilder &builder, OperationState &state, Value input,
                      int64_t hidden, int64_t layers) {
  buildRecurrentLayer<RNNTanhOp>(builder, state, CellKind::tanh, input, hidden,
                                 layers);
}

LogicalResult RNNTanhOp::verify() {
  return verifyRecurrentLayer(*this, CellKind::tanh, getHiddenAttr().getInt(),
                              getLayersAttr().getInt(), getType());
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  // I64Attr getters are unsigned: read the signed value for the checks.
  int64_t features = getFeaturesAttr().getInt();
  if (features <= 0)
    return emitOpError("attribute 'features' must be positive, got ")
           << features;
  if (features > kMaxUnits)
    return emitOpError("attribute 'features' must be at most ")
           << kMaxUnits << ", got " << features;
  if (getOutputSize() != features)
    return emitOpError("attribute 'features' (")
           << features << ") does not match the result type " << getType();
  if (isa<VecType>(getInput().getType()) != isa<VecType>(getType()))
    return emitOpError("maps a vector to a vector and a sequence to a "
                       "sequence, got ")
           << getInput().getType() << " -> " << getType();
  return success();
}

int64_t LinearOp::getInputSize() {
  return getFeatureSize(getInput().getType());
}

int64_t LinearOp::getOutputSize() { return getFeatureSize(getType()); }

//===----------------------------------------------------------------------===//
// Input ops: embedding, batch norm, prepend, dropout
//===----------------------------------------------------------------------===//

/// Checks a size attribute `name` against 1..kMaxUnits and the result's
/// features.
static LogicalResult verifyFeatures(Operation *op, StringRef name,
                                    int64_t features, Type result) {
  if (features <= 0 || features > kMaxUnits)
    return op->emitOpError("attribute '")
           << name << "' must be from 1 to " << kMaxUnits << ", got "
           << features;
  if (getFeatureSize(result) != features)
    return op->emitOpError("attribute '")
           << name << "' (" << features << ") does not match the result type "
           << result;
  return success();
}

LogicalResult EmbeddingOp::verify() {
  return verifyFeatures(*this, "features", getFeaturesAttr().getInt(),
                        getType());
}

LogicalResult BatchNormOp::verify() {
  double momentum = getMomentum().convertToDouble();
  if (!(momentum > 0 && momentum <= 1))
    return emitOpError("attribute 'momentum' must be in (0, 1], got ")
           << momentum;
  double epsilon = getEpsilon().convertToDouble();
  if (!(epsilon > 0) || !std::isfinite(epsilon))
    return emitOpError("attribute 'epsilon' must be positive, got ")
           << epsilon;
  return success();
}

LogicalResult PrependOp::verify() {
  if (getFirst().getType().getFeatures() != getRest().getType().getFeatures())
    return emitOpError("first step ")
           << getFirst().getType() << " and sequence " << getRest().getType()
           << " must have the same features";
  return success();
}

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0 && rate < 1))
    return emitOpError("attribute 'rate' must be in [0, 1), got ") << rate;
  return success();
}

//===----------------------------------------------------------------------===//
// CerebellumOp
//===----------------------------------------------------------------------===//

LogicalResult CerebellumOp::verify() {
  if (!isa<RecurrentType>(getState().getType()))
    return emitOpError("observes a value of type ")
           << getState().getType()
           << ", which has no recurrent state; attach the cerebellum to the "
              "output of a recurrent layer";
  int64_t layers = getLayersAttr().getInt();
  if (layers < 0)
    return emitOpError("attribute 'layers' must be non-negative, got ")
           << layers;
  if (layers > kMaxLayers)
    return emitOpError("attribute 'layers' must be at most ")
           << kMaxLayers << ", got " << layers;
  if (IntegerAttr widthAttr = getWidthAttr()) {
    int64_t width = widthAttr.getInt();
    if (width <= 0)
      return emitOpError("attribute 'width' must be positive, got ") << width;
    if (width > kMaxUnits)
      return emitOpError("attribute 'width' must be at most ")
             << kMaxUnits << ", got " << width;
    if (layers == 0)
      return emitOpError("attribute 'width' is set but 'layers' is 0: a "
                         "synthesizer without hidden layers has no width");
  }
  if (!std::isfinite(getScale().convertToDouble()))
    return emitOpError("attribute 'scale' must be finite, got ")
           << getScale().convertToDouble();
  return success();
}

RecurrentType CerebellumOp::getStateType() {
  return cast<RecurrentType>(getState().getType());
}

int64_t CerebellumOp::getHiddenWidth() {
  if (std::optional<int64_t> width = getWidth())
    return *width;
  return 2 * getStateType().getHidden();
}

//===----------------------------------------------------------------------===//
// ReturnOp
//===----------------------------------------------------------------------===//

LogicalResult ReturnOp::verify() {
  auto model = cast<ModelOp>((*this)->getParentOp());
  ArrayRef<Type> results = model.getFunctionType().getResults();
  if (results.size() != 1 || results.front() != getOutput().getType())
    return emitOpError("output type ")
           << getOutput().getType()
           << " does not match the result type of model @"
           << model.getSymName();
  if (getLoss() == LossKind::xent && getOutput().getType().getFeatures() < 2)
    return emitOpError("attribute 'loss' is 'xent', which needs at least 2 "
                       "classes, but the output has ")
           << getOutput().getType().getFeatures() << " feature(s)";
  // A token model predicts its next token, and only a token model can.
  TokensType tokens = model.getTokensType();
  if (tokens && getLoss() != LossKind::xent_steps)
    return emitOpError("a model of ")
           << tokens << " predicts its next token: 'loss' must be "
           << "'xent_steps'";
  if (getLoss() == LossKind::xent_steps &&
      (!tokens || tokens.getVocab() != getOutput().getType().getFeatures()))
    return emitOpError("attribute 'loss' is 'xent_steps', which needs a "
                       "'!ccrnn.tokens' input of the output's ")
           << getOutput().getType().getFeatures() << " tokens";
  return success();
}

//===----------------------------------------------------------------------===//
// Training-level ops
//===----------------------------------------------------------------------===//

LogicalResult SyntheticGradientOp::verify() {
  if (!std::isfinite(getScale().convertToDouble()))
    return emitOpError("attribute 'scale' must be finite, got ")
           << getScale().convertToDouble();
  return success();
}

/// The loss result must be a scalar of the inputs' element type.
static LogicalResult verifyLossElementType(Operation *op, Type inputType,
                                           Type lossType) {
  Type inputElement = cast<RankedTensorType>(inputType).getElementType();
  Type lossElement = cast<RankedTensorType>(lossType).getElementType();
  if (inputElement != lossElement)
    return op->emitOpError("result element type ")
           << lossElement << " does not match the input element type "
           << inputElement;
  return success();
}

LogicalResult MSELossOp::verify() {
  int64_t interval = getIntervalAttr().getInt();
  if (interval <= 0)
    return emitOpError("attribute 'interval' must be positive, got ")
           << interval;
  auto type = cast<RankedTensorType>(getPrediction().getType());
  if (type.getRank() != 3)
    return emitOpError("expects [batch, steps, features] tensors, got rank ")
           << type.getRank();
  return verifyLossElementType(*this, type, getLoss().getType());
}

LogicalResult CrossEntropyLossOp::verify() {
  auto logits = cast<RankedTensorType>(getLogits().getType());
  auto labels = cast<RankedTensorType>(getLabels().getType());
  if (logits.getRank() != 2)
    return emitOpError("expects [batch, classes] logits, got rank ")
           << logits.getRank();
  if (labels.getRank() != 1)
    return emitOpError("expects [batch] labels, got rank ") << labels.getRank();
  int64_t batch = logits.getDimSize(0), labelBatch = labels.getDimSize(0);
  if (!ShapedType::isDynamic(batch) && !ShapedType::isDynamic(labelBatch) &&
      batch != labelBatch)
    return emitOpError("logits have batch size ")
           << batch << " but labels have " << labelBatch;
  return verifyLossElementType(*this, logits, getLoss().getType());
}
