//===- CCRNNVJP.cpp - vector-Jacobian products of ccrnn ops -----*- C++ -*-===//
//
// One rule per differentiable op: from the cotangents of its results, build
// the cotangents of its operands out of other ccrnn ops. The rules only use
// the op's own operands and results, so autodiff needs nothing else.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace ccrnn;

/// A constant tensor of `type` filled with `value`.
static Value splat(OpBuilder &builder, Location loc, Type type, double value) {
  auto tensorType = cast<RankedTensorType>(type);
  auto element = cast<FloatType>(tensorType.getElementType());
  return arith::ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(tensorType, builder.getFloatAttr(element, value)));
}

/// `cotangent`, or zeros of `type` when the cotangent is absent (zero).
static Value orZeros(OpBuilder &builder, Location loc, Value cotangent,
                     Type type) {
  return cotangent ? cotangent : splat(builder, loc, type, 0.0);
}

/// The single result cotangent of a one-result op.
static Value single(ArrayRef<Value> resultCotangents) {
  assert(resultCotangents.size() == 1 && "one-result op");
  return resultCotangents.front();
}

LogicalResult AddOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                              SmallVectorImpl<Value> &operandCotangents) {
  Value dy = single(cotangents);
  operandCotangents.assign({dy, dy});
  return success();
}

LogicalResult SubOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                              SmallVectorImpl<Value> &operandCotangents) {
  Value dy = single(cotangents);
  Value negated =
      ScaleOp::create(builder, getLoc(), dy, builder.getF64FloatAttr(-1.0));
  operandCotangents.assign({dy, negated});
  return success();
}

LogicalResult MulOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                              SmallVectorImpl<Value> &operandCotangents) {
  Value dy = single(cotangents);
  Location loc = getLoc();
  operandCotangents.assign({MulOp::create(builder, loc, dy, getRhs()),
                            MulOp::create(builder, loc, dy, getLhs())});
  return success();
}

LogicalResult ScaleOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                                SmallVectorImpl<Value> &operandCotangents) {
  operandCotangents.assign({ScaleOp::create(
      builder, getLoc(), single(cotangents), getFactorAttr())});
  return success();
}

// d sigmoid = y (1 - y)
LogicalResult SigmoidOp::buildVJP(OpBuilder &builder,
                                  ArrayRef<Value> cotangents,
                                  SmallVectorImpl<Value> &operandCotangents) {
  Location loc = getLoc();
  Value y = getResult();
  Value ones = splat(builder, loc, y.getType(), 1.0);
  Value slope =
      MulOp::create(builder, loc, y, SubOp::create(builder, loc, ones, y));
  operandCotangents.assign(
      {MulOp::create(builder, loc, single(cotangents), slope)});
  return success();
}

// d tanh = 1 - y^2
LogicalResult TanhOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                               SmallVectorImpl<Value> &operandCotangents) {
  Location loc = getLoc();
  Value y = getResult();
  Value ones = splat(builder, loc, y.getType(), 1.0);
  Value slope =
      SubOp::create(builder, loc, ones, MulOp::create(builder, loc, y, y));
  operandCotangents.assign(
      {MulOp::create(builder, loc, single(cotangents), slope)});
  return success();
}

LogicalResult ReluOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                               SmallVectorImpl<Value> &operandCotangents) {
  Location loc = getLoc();
  Value mask = StepOp::create(builder, loc, getInput());
  operandCotangents.assign(
      {MulOp::create(builder, loc, single(cotangents), mask)});
  return success();
}

// C = op(A) op(B). With op(X)^T written X' :
//   dA = dC op(B)'   (A plain)      dA = op(B) dC'   (A transposed)
//   dB = op(A)' dC   (B plain)      dB = dC' op(A)   (B transposed)
LogicalResult MatmulOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                                 SmallVectorImpl<Value> &operandCotangents) {
  Location loc = getLoc();
  Value dC = single(cotangents);
  bool tA = getTransposeLhs(), tB = getTransposeRhs();
  Value a = getLhs(), b = getRhs();
  auto matmul = [&](Value x, Value y, bool tx, bool ty, Type type) -> Value {
    return MatmulOp::create(builder, loc, type, x, y,
                            tx ? builder.getUnitAttr() : nullptr,
                            ty ? builder.getUnitAttr() : nullptr);
  };
  Value dA = tA ? matmul(b, dC, tB, true, a.getType())
                : matmul(dC, b, false, !tB, a.getType());
  Value dB = tB ? matmul(dC, a, true, tA, b.getType())
                : matmul(a, dC, !tA, false, b.getType());
  operandCotangents.assign({dA, dB});
  return success();
}

LogicalResult BroadcastOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> cotangents,
                                    SmallVectorImpl<Value> &operandCotangents) {
  operandCotangents.assign({ReduceSumOp::create(
      builder, getLoc(), getInput().getType(), single(cotangents))});
  return success();
}

LogicalResult ReduceSumOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> cotangents,
                                    SmallVectorImpl<Value> &operandCotangents) {
  operandCotangents.assign({BroadcastOp::create(
      builder, getLoc(), getInput().getType(), single(cotangents))});
  return success();
}

LogicalResult ReshapeOp::buildVJP(OpBuilder &builder,
                                  ArrayRef<Value> cotangents,
                                  SmallVectorImpl<Value> &operandCotangents) {
  operandCotangents.assign({ReshapeOp::create(
      builder, getLoc(), getInput().getType(), single(cotangents))});
  return success();
}

LogicalResult ConcatOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                                 SmallVectorImpl<Value> &operandCotangents) {
  auto split = SplitOp::create(builder, getLoc(), getInputs().getTypes(),
                               single(cotangents), getAxisAttr());
  operandCotangents.assign(split.getResults().begin(),
                           split.getResults().end());
  return success();
}

LogicalResult SplitOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                                SmallVectorImpl<Value> &operandCotangents) {
  SmallVector<Value> pieces;
  for (auto [cotangent, result] : llvm::zip(cotangents, getResults()))
    pieces.push_back(orZeros(builder, getLoc(), cotangent, result.getType()));
  operandCotangents.assign({ConcatOp::create(
      builder, getLoc(), getInput().getType(), pieces, getAxisAttr())});
  return success();
}

/// Shared rule of the recurrent window ops: one composite backward op taking
/// the forward operands and the (zero-filled) result cotangents.
template <typename GradOp>
static void buildRecurrentVJP(Operation *op, OpBuilder &builder,
                              ArrayRef<Value> cotangents,
                              SmallVectorImpl<Value> &operandCotangents) {
  SmallVector<Value> filled;
  for (auto [cotangent, result] : llvm::zip(cotangents, op->getResults()))
    filled.push_back(
        orZeros(builder, op->getLoc(), cotangent, result.getType()));
  auto grad = GradOp::create(builder, op->getLoc(), op->getOperands(), filled);
  operandCotangents.assign(grad->getResults().begin(),
                           grad->getResults().end());
}

LogicalResult LSTMSeqOp::buildVJP(OpBuilder &builder,
                                  ArrayRef<Value> cotangents,
                                  SmallVectorImpl<Value> &operandCotangents) {
  buildRecurrentVJP<LSTMSeqGradOp>(*this, builder, cotangents,
                                   operandCotangents);
  return success();
}

LogicalResult
RNNTanhSeqOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                       SmallVectorImpl<Value> &operandCotangents) {
  buildRecurrentVJP<RNNTanhSeqGradOp>(*this, builder, cotangents,
                                      operandCotangents);
  return success();
}

LogicalResult MSELossOp::buildVJP(OpBuilder &builder,
                                  ArrayRef<Value> cotangents,
                                  SmallVectorImpl<Value> &operandCotangents) {
  Value dPrediction = MSELossGradOp::create(
      builder, getLoc(), getPrediction().getType(), getPrediction(),
      getTarget(), single(cotangents), getStart(), getIntervalAttr());
  // The target and the start index are data.
  operandCotangents.assign(getNumOperands(), Value());
  operandCotangents[0] = dPrediction;
  return success();
}

LogicalResult
CrossEntropyLossOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                             SmallVectorImpl<Value> &operandCotangents) {
  Value dLogits = CrossEntropyLossGradOp::create(
      builder, getLoc(), getLogits().getType(), getLogits(), getLabels(),
      single(cotangents), getF32Softmax());
  operandCotangents.assign({dLogits, Value()});
  return success();
}

// The table's gradient sums each row's cotangent into the row it came from.
LogicalResult GatherRowsOp::buildVJP(OpBuilder &builder,
                                     ArrayRef<Value> cotangents,
                                     SmallVectorImpl<Value> &operandCotangents) {
  Value dTable = ScatterAddRowsOp::create(builder, getLoc(),
                                          getTable().getType(),
                                          single(cotangents), getIndices());
  operandCotangents.assign({dTable, Value()});
  return success();
}

// The batch statistics feed only the running averages, which carry no
// gradient: a cotangent for them is a program autodiff must not build.
LogicalResult
BatchNormTrainOp::buildVJP(OpBuilder &builder, ArrayRef<Value> cotangents,
                           SmallVectorImpl<Value> &operandCotangents) {
  if (cotangents[1] || cotangents[2])
    return emitOpError("batch statistics carry no gradient, but the loss "
                       "depends on them");
  Location loc = getLoc();
  Value dy = orZeros(builder, loc, cotangents[0], getResult().getType());
  auto grad =
      BatchNormGradOp::create(builder, loc, getInput(), getGamma(), getMean(),
                              getVariance(), dy, getEpsilonAttr());
  operandCotangents.assign(
      {grad.getDInput(), grad.getDGamma(), grad.getDBeta()});
  return success();
}
