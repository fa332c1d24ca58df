//===- CCRNNTensorOps.cpp - tensor-level ops: verifiers, builders -*- C++
//-*-===//

#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Support/SizeLimits.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace ccrnn;

namespace {

/// Checks that `value` (named `name` in the diagnostic) has exactly `shape`.
LogicalResult expectShape(Operation *op, StringRef name, Value value,
                          ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() != shape)
    return op->emitOpError() << name << " must have shape "
                             << formatShape(shape) << ", got " << type;
  return success();
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// Shared verifier of the recurrent window ops: input [B, T, I],
/// states [B, H], w_ih [G*H, I], w_hh [G*H, H], biases [G*H], hseq [B, T, H].
LogicalResult verifyRecurrentWindow(Operation *op, int64_t gates, Value input,
                                    Value h0, Value wIH, Value wHH, Value bIH,
                                    Value hseq) {
  ArrayRef<int64_t> x = shapeOf(input), h = shapeOf(h0);
  if (x.size() != 3)
    return op->emitOpError("input must be [batch, steps, features], got ")
           << input.getType();
  if (h.size() != 2)
    return op->emitOpError("initial state must be [batch, hidden], got ")
           << h0.getType();
  int64_t batch = x[0], steps = x[1], in = x[2], hidden = h[1];
  if (h[0] != batch)
    return op->emitOpError("initial state has batch ")
           << h[0] << " but the input has " << batch;
  if (failed(expectShape(op, "w_ih", wIH, {gates * hidden, in})) ||
      failed(expectShape(op, "w_hh", wHH, {gates * hidden, hidden})) ||
      failed(expectShape(op, "b_ih", bIH, {gates * hidden})) ||
      failed(expectShape(op, "hseq", hseq, {batch, steps, hidden})))
    return failure();
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Linear algebra and layout
//===----------------------------------------------------------------------===//

/// Shared verifier of the matrix products; returns the result's [m, n].
static FailureOr<std::pair<int64_t, int64_t>>
verifyMatmul(Operation *op, Value lhs, Value rhs, bool transposeLhs,
             bool transposeRhs, Value result) {
  ArrayRef<int64_t> a = shapeOf(lhs), b = shapeOf(rhs);
  if (a.size() != 2 || b.size() != 2)
    return op->emitOpError("operands must be rank 2, got ")
           << lhs.getType() << " and " << rhs.getType();
  int64_t m = transposeLhs ? a[1] : a[0];
  int64_t k = transposeLhs ? a[0] : a[1];
  int64_t kb = transposeRhs ? b[1] : b[0];
  int64_t n = transposeRhs ? b[0] : b[1];
  if (k != kb)
    return op->emitOpError("contraction sizes differ: ") << k << " vs " << kb;
  if (failed(expectShape(op, "result", result, {m, n})))
    return failure();
  return std::make_pair(m, n);
}

LogicalResult MatmulOp::verify() {
  return verifyMatmul(*this, getLhs(), getRhs(), getTransposeLhs(),
                      getTransposeRhs(), getResult());
}

LogicalResult FusedMatmulOp::verify() {
  auto sizes = verifyMatmul(*this, getLhs(), getRhs(), getTransposeLhs(),
                            getTransposeRhs(), getResult());
  if (failed(sizes))
    return failure();
  return expectShape(*this, "bias", getBias(), {sizes->second});
}

LogicalResult MatmulAccumulateOp::verify() {
  if (failed(verifyMatmul(*this, getLhs(), getRhs(), getTransposeLhs(),
                          getTransposeRhs(), getResult())))
    return failure();
  if (getAccumulator().getType() != getResult().getType())
    return emitOpError("accumulator must have the result type ")
           << getResult().getType() << ", got "
           << getAccumulator().getType();
  return success();
}

LogicalResult BroadcastOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  if (out.size() != in.size() + 1 || out.drop_front() != in)
    return emitOpError("result must be the input shape with one leading "
                       "axis added, got ")
           << getInput().getType() << " -> " << getResult().getType();
  return success();
}

LogicalResult ReduceSumOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  if (in.size() != out.size() + 1 || in.drop_front() != out)
    return emitOpError("result must be the input shape without its leading "
                       "axis, got ")
           << getInput().getType() << " -> " << getResult().getType();
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  if (!in.hasStaticShape() || !out.hasStaticShape() ||
      in.getNumElements() != out.getNumElements() ||
      in.getElementType() != out.getElementType())
    return emitOpError("cannot reshape ") << in << " to " << out;
  return success();
}

/// Checks that `parts` joined along `axis` give `whole`.
static LogicalResult verifyJoin(Operation *op, TypeRange parts, Type whole,
                                int64_t axis) {
  if (parts.empty())
    return op->emitOpError("needs at least one piece");
  auto wholeType = cast<RankedTensorType>(whole);
  if (axis < 0 || axis >= wholeType.getRank())
    return op->emitOpError("axis ")
           << axis << " is out of range for " << wholeType;
  int64_t total = 0;
  for (Type part : parts) {
    auto partType = cast<RankedTensorType>(part);
    SmallVector<int64_t> expected(wholeType.getShape());
    expected[axis] = partType.getRank() == wholeType.getRank()
                         ? partType.getDimSize(axis)
                         : -1;
    if (partType.getShape() != ArrayRef<int64_t>(expected) ||
        partType.getElementType() != wholeType.getElementType())
      return op->emitOpError("piece ") << partType << " does not fit "
                                       << wholeType << " along axis " << axis;
    total += partType.getDimSize(axis);
  }
  if (total != wholeType.getDimSize(axis))
    return op->emitOpError("pieces add up to ")
           << total << " along axis " << axis << ", but the whole has "
           << wholeType.getDimSize(axis);
  return success();
}

LogicalResult ConcatOp::verify() {
  return verifyJoin(*this, getInputs().getTypes(), getType(),
                    getAxisAttr().getInt());
}

LogicalResult SplitOp::verify() {
  return verifyJoin(*this, getResults().getTypes(), getInput().getType(),
                    getAxisAttr().getInt());
}

LogicalResult TimeSliceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  if (in.size() != 3 || out.size() != 3 || in[0] != out[0] || in[2] != out[2] ||
      out[1] > in[1])
    return emitOpError("must take [batch, steps, features] to [batch, "
                       "steps', features] with steps' <= steps, got ")
           << getInput().getType() << " -> " << getType();
  return success();
}

LogicalResult OneHotOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getLabels()), out = shapeOf(getResult());
  if (in.size() != 1 || out.size() != 2 || in[0] != out[0] || out[1] < 1)
    return emitOpError("must take [batch] labels to [batch, classes], got ")
           << getLabels().getType() << " -> " << getType();
  return success();
}

/// Checks a table [rows, features], indices [n] and rows [n, features].
static LogicalResult verifyRowIndexing(Operation *op, Value table,
                                       Value indices, Value rows) {
  ArrayRef<int64_t> t = shapeOf(table), i = shapeOf(indices),
                    r = shapeOf(rows);
  if (t.size() != 2 || i.size() != 1 || r.size() != 2 || r[0] != i[0] ||
      r[1] != t[1] || t[0] < 1)
    return op->emitOpError("must relate a [rows, features] table, [n] "
                           "indices and [n, features] rows, got table ")
           << table.getType() << ", indices " << indices.getType()
           << " and rows " << rows.getType();
  if (getElementTypeOrSelf(table) != getElementTypeOrSelf(rows))
    return op->emitOpError("table and rows must have one element type, got ")
           << table.getType() << " and " << rows.getType();
  return success();
}

LogicalResult GatherRowsOp::verify() {
  return verifyRowIndexing(*this, getTable(), getIndices(), getResult());
}

LogicalResult ArgmaxRowsOp::verify() {
  ArrayRef<int64_t> scores = shapeOf(getScores());
  if (scores.size() != 2 || scores[1] < 1)
    return emitOpError("needs scores of [rows, columns] with a column, got ")
           << getScores().getType();
  if (shapeOf(getResult()) != ArrayRef<int64_t>{scores[0]})
    return emitOpError("returns ")
           << getResult().getType() << ", not the " << scores[0]
           << " indices of the rows of " << getScores().getType();
  return success();
}

LogicalResult ScatterAddRowsOp::verify() {
  return verifyRowIndexing(*this, getResult(), getIndices(), getUpdates());
}

/// Checks a batch-norm op: `input` [batch, features] with batch >= 2 (a
/// batch of one has no variance), the per-feature operands [features] of
/// the input's element type (their traits make the others match them), and
/// a positive epsilon.
static LogicalResult verifyBatchNorm(Operation *op, Value input,
                                     ValueRange perFeature, double epsilon) {
  ArrayRef<int64_t> x = shapeOf(input);
  if (x.size() != 2 || x[0] < 2)
    return op->emitOpError("needs an input of [batch, features] with a batch "
                           "of at least 2, got ")
           << input.getType();
  auto expected = RankedTensorType::get({x[1]}, getElementTypeOrSelf(input));
  for (Value v : perFeature)
    if (v.getType() != expected)
      return op->emitOpError("needs per-feature operands of type ")
             << expected << ", got " << v.getType();
  if (!(epsilon > 0))
    return op->emitOpError("needs a positive epsilon, got ") << epsilon;
  return success();
}

LogicalResult BatchNormTrainOp::verify() {
  return verifyBatchNorm(*this, getInput(), {getGamma()},
                         getEpsilon().convertToDouble());
}

LogicalResult BatchNormGradOp::verify() {
  return verifyBatchNorm(*this, getInput(), {getGamma()},
                         getEpsilon().convertToDouble());
}

LogicalResult BatchNormInferenceOp::verify() {
  return verifyBatchNorm(*this, getInput(), {getGamma()},
                         getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// Recurrent windows
//===----------------------------------------------------------------------===//

/// [B, T, H] for an input [B, T, I] and a state [B, H].
static RankedTensorType hiddenSequenceType(Value input, Value h0) {
  auto x = cast<RankedTensorType>(input.getType());
  auto h = cast<RankedTensorType>(h0.getType());
  return RankedTensorType::get(
      {x.getDimSize(0), x.getDimSize(1), h.getDimSize(1)}, x.getElementType());
}

void LSTMSeqOp::build(OpBuilder &builder, OperationState &state, Value input,
                      Value h0, Value c0, Value wIH, Value wHH, Value bIH,
                      Value bHH) {
  build(builder, state, hiddenSequenceType(input, h0), h0.getType(),
        c0.getType(), input, h0, c0, wIH, wHH, bIH, bHH);
}

LogicalResult LSTMSeqOp::verify() {
  return verifyRecurrentWindow(*this, 4, getInput(), getH0(), getWIh(),
                               getWHh(), getBIh(), getHseq());
}

void LSTMSeqGradOp::build(OpBuilder &builder, OperationState &state,
                          ValueRange forward, ValueRange cotangents) {
  assert(forward.size() == 7 && cotangents.size() == 3);
  SmallVector<Value> operands(forward);
  llvm::append_range(operands, cotangents);
  state.addOperands(operands);
  state.addTypes(forward.getTypes());
}

void RNNTanhSeqOp::build(OpBuilder &builder, OperationState &state, Value input,
                         Value h0, Value wIH, Value wHH, Value bIH, Value bHH) {
  build(builder, state, hiddenSequenceType(input, h0), h0.getType(), input, h0,
        wIH, wHH, bIH, bHH);
}

LogicalResult RNNTanhSeqOp::verify() {
  return verifyRecurrentWindow(*this, 1, getInput(), getH0(), getWIh(),
                               getWHh(), getBIh(), getHseq());
}

void RNNTanhSeqGradOp::build(OpBuilder &builder, OperationState &state,
                             ValueRange forward, ValueRange cotangents) {
  assert(forward.size() == 6 && cotangents.size() == 2);
  SmallVector<Value> operands(forward);
  llvm::append_range(operands, cotangents);
  state.addOperands(operands);
  state.addTypes(forward.getTypes());
}

//===----------------------------------------------------------------------===//
// ValueAndGradOp
//===----------------------------------------------------------------------===//

LogicalResult
ValueAndGradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto callee = symbolTable.lookupNearestSymbolFrom<FunctionOpInterface>(
      *this, getCalleeAttr());
  if (!callee)
    return emitOpError("'") << getCallee() << "' does not name a function";
  ArrayRef<Type> inputs = callee.getArgumentTypes();
  ArrayRef<Type> results = callee.getResultTypes();
  int64_t numParams = getNumParamsAttr().getInt();
  if (TypeRange(getOperands()) != TypeRange(inputs))
    return emitOpError("operand types do not match the arguments of @")
           << getCallee();
  if (numParams < 0 || numParams > static_cast<int64_t>(inputs.size()))
    return emitOpError("attribute 'num_params' (")
           << numParams << ") exceeds the " << inputs.size()
           << " arguments of @" << getCallee();
  if (results.empty() || !isa<RankedTensorType>(results.front()) ||
      cast<RankedTensorType>(results.front()).getRank() != 0)
    return emitOpError("@")
           << getCallee() << " must return a scalar loss first";
  SmallVector<Type> expected(results);
  expected.append(inputs.begin(), inputs.begin() + numParams);
  if (getResultTypes() != TypeRange(expected))
    return emitOpError("results must be the results of @")
           << getCallee() << " followed by the types of its first " << numParams
           << " arguments";
  return success();
}

//===----------------------------------------------------------------------===//
// FLOP counts (FlopCountOpInterface)
//===----------------------------------------------------------------------===//

namespace {

/// 2 m n k: the multiplies and adds of an m x k by k x n product.
double gemmFlops(int64_t m, int64_t n, int64_t k) {
  return 2.0 * double(m) * double(n) * double(k);
}

/// The product op(lhs) x op(rhs) that makes `result`.
double productFlops(Value lhs, Value result, bool transposeLhs) {
  ArrayRef<int64_t> c = shapeOf(result), a = shapeOf(lhs);
  return gemmFlops(c[0], c[1], transposeLhs ? a[0] : a[1]);
}

/// A window of `gates` * H-wide cells over input [B, T, I] from state
/// [B, H]: the input projection and the T recurrent products, all gates at
/// once; backward has two products (data and weights) for each.
double windowFlops(Value input, Value state, int64_t gates, bool backward) {
  ArrayRef<int64_t> x = shapeOf(input);
  int64_t h = shapeOf(state)[1];
  double forward = gemmFlops(x[0] * x[1], gates * h, x[2]) +
                   gemmFlops(x[0] * x[1], gates * h, h);
  return backward ? 2 * forward : forward;
}

} // namespace

double MatmulOp::getMatrixFlops() {
  return productFlops(getLhs(), getResult(), getTransposeLhs());
}
double FusedMatmulOp::getMatrixFlops() {
  return productFlops(getLhs(), getResult(), getTransposeLhs());
}
double MatmulAccumulateOp::getMatrixFlops() {
  return productFlops(getLhs(), getResult(), getTransposeLhs());
}
double LSTMSeqOp::getMatrixFlops() {
  return windowFlops(getInput(), getH0(), 4, /*backward=*/false);
}
double LSTMSeqGradOp::getMatrixFlops() {
  return windowFlops(getInput(), getH0(), 4, /*backward=*/true);
}
double RNNTanhSeqOp::getMatrixFlops() {
  return windowFlops(getInput(), getH0(), 1, /*backward=*/false);
}
double RNNTanhSeqGradOp::getMatrixFlops() {
  return windowFlops(getInput(), getH0(), 1, /*backward=*/true);
}

//===----------------------------------------------------------------------===//
// Kernels (KernelOpInterface)
//===----------------------------------------------------------------------===//

bool ReshapeOp::isView() { return true; }

namespace {

/// The kernel object of the product op(lhs) x op(rhs) that makes `result`.
Attribute productKernel(Value lhs, Value result, bool transposeLhs,
                        bool transposeRhs, bool bias, bool relu,
                        bool accumulate) {
  ArrayRef<int64_t> c = shapeOf(result), a = shapeOf(lhs);
  return MatmulKernelAttr::get(lhs.getContext(), c[0], c[1],
                               transposeLhs ? a[0] : a[1], transposeLhs,
                               transposeRhs, bias, relu, accumulate);
}

/// The kernel object of a window over input [B, T, I] from state [B, H].
Attribute windowKernel(CellKind cell, Value input, Value state) {
  ArrayRef<int64_t> x = shapeOf(input);
  return WindowKernelAttr::get(input.getContext(), cell, x[0], x[1], x[2],
                               shapeOf(state)[1]);
}

} // namespace

Attribute MatmulOp::getKernelObject() {
  return productKernel(getLhs(), getResult(), getTransposeLhs(),
                       getTransposeRhs(), false, false, false);
}
Attribute FusedMatmulOp::getKernelObject() {
  return productKernel(getLhs(), getResult(), getTransposeLhs(),
                       getTransposeRhs(), true, getRelu(), false);
}
Attribute MatmulAccumulateOp::getKernelObject() {
  return productKernel(getLhs(), getResult(), getTransposeLhs(),
                       getTransposeRhs(), false, false, true);
}
Attribute LSTMSeqOp::getKernelObject() {
  return windowKernel(CellKind::lstm, getInput(), getH0());
}
Attribute LSTMSeqGradOp::getKernelObject() {
  return windowKernel(CellKind::lstm, getInput(), getH0());
}
Attribute RNNTanhSeqOp::getKernelObject() {
  return windowKernel(CellKind::tanh, getInput(), getH0());
}
Attribute RNNTanhSeqGradOp::getKernelObject() {
  return windowKernel(CellKind::tanh, getInput(), getH0());
}

bool MatmulAccumulateOp::canOverwriteOperand(unsigned index) {
  // The product is added into the accumulator as it is written.
  return index == 0;
}

//===----------------------------------------------------------------------===//
// Ensembles
//===----------------------------------------------------------------------===//

Type EnsembleOp::getNetworksType(int64_t size, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return type;
  SmallVector<int64_t> shape{size};
  llvm::append_range(shape, tensor.getShape());
  return RankedTensorType::get(shape, tensor.getElementType());
}

LogicalResult EnsembleOp::verify() {
  int64_t size = getSize();
  if (size < 1)
    return emitOpError("size must be at least 1, got ") << size;
  if (size > kMaxEnsemble)
    return emitOpError("size must be at most ") << kMaxEnsemble << ", got "
                                               << size;
  Block &body = *getBody();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("has ")
           << getInputs().size() << " inputs but its body takes "
           << body.getNumArguments() << " arguments";
  for (auto [i, input, arg] :
       llvm::enumerate(getInputs(), body.getArguments())) {
    Type expected = getNetworksType(size, arg.getType());
    if (input.getType() != expected)
      return emitOpError("input ")
             << i << " has type " << input.getType() << ", expected "
             << expected << " for the body's " << arg.getType();
  }
  auto yield = dyn_cast<EnsembleYieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end in ccrnn.ensemble_yield");
  if (yield.getNumOperands() != getNumResults())
    return emitOpError("yields ")
           << yield.getNumOperands() << " values for " << getNumResults()
           << " results";
  for (auto [i, result, yielded] :
       llvm::enumerate(getResults(), yield.getOperands())) {
    Type expected = getNetworksType(size, yielded.getType());
    if (result.getType() != expected)
      return emitOpError("result ")
             << i << " has type " << result.getType() << ", expected "
             << expected << " for the yielded " << yielded.getType();
  }
  return success();
}

int64_t ccrnn::getEnsembleSize(Operation *root) {
  int64_t size = 1;
  root->walk([&](EnsembleOp ensemble) {
    size = ensemble.getSize();
    return WalkResult::interrupt();
  });
  return size;
}

LogicalResult ccrnn::checkProgramSizes(Operation *root, StringRef pass,
                                       int64_t limit, StringRef holder) {
  const int64_t networks = getEnsembleSize(root);
  auto check = [&](Operation *op, Type type) -> LogicalResult {
    // Tensors, or buffers on ccrnnrt's level.
    auto shaped = dyn_cast<ShapedType>(type);
    // (A dynamic size is not counted: the reference evaluator takes one
    // in a signature; the memory plan and the emitters refuse it.)
    if (!shaped || !isa<RankedTensorType, MemRefType>(type) ||
        !shaped.hasStaticShape() ||
        getCheckedNumElements(shaped, networks, limit))
      return success();
    return op->emitOpError()
           << "(" << pass << "): " << type
           << (networks > 1 ? " times " + std::to_string(networks) +
                                  " networks"
                            : std::string())
           << " is more than " << limit << " elements, the most " << holder
           << " may hold";
  };
  WalkResult result = root->walk([&](Operation *op) {
    for (Type type : op->getResultTypes())
      if (failed(check(op, type)))
        return WalkResult::interrupt();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          if (failed(check(op, arg.getType())))
            return WalkResult::interrupt();
    if (auto f = dyn_cast<FunctionOpInterface>(op))
      for (Type type : llvm::concat<const Type>(f.getArgumentTypes(),
                                                 f.getResultTypes()))
        if (failed(check(op, type)))
          return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

EnsembleOp ccrnn::getFunctionEnsemble(FunctionOpInterface f) {
  Region &body = f.getFunctionBody();
  if (!body.hasOneBlock())
    return nullptr;
  Block &entry = body.front();
  auto ensemble = dyn_cast<EnsembleOp>(entry.front());
  if (!ensemble || &entry.front() == entry.getTerminator() ||
      ensemble->getNextNode() != entry.getTerminator())
    return nullptr;
  if (!llvm::equal(ensemble.getInputs(), entry.getArguments()) ||
      !llvm::equal(entry.getTerminator()->getOperands(),
                   ensemble.getResults()))
    return nullptr;
  return ensemble;
}

Block &ccrnn::getNetworkBody(FunctionOpInterface f) {
  if (EnsembleOp ensemble = getFunctionEnsemble(f))
    return *ensemble.getBody();
  return f.getFunctionBody().front();
}
