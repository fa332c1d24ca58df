//===- Autodiff.cpp - reverse-mode AD of training windows -------*- C++ -*-===//
//
// For each function named by a ccrnn.value_and_grad, generates `<f>_grad`:
// the forward ops of `f`, then a reverse sweep that visits them in reverse
// order and accumulates cotangents through each op's VJP rule. The window
// functions are straight-line code (the time loop lives inside the composite
// recurrent ops), so the sweep needs no control flow.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/Transforms/Passes.h"

#include "ccrnn/CCRNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNAUTODIFF
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}

Value splat(OpBuilder &builder, Location loc, Type type, double value) {
  auto tensorType = cast<RankedTensorType>(type);
  return arith::ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(
          tensorType,
          builder.getFloatAttr(tensorType.getElementType(), value)));
}

/// The reverse sweep over one straight-line function body.
class ReverseSweep {
public:
  ReverseSweep(OpBuilder &builder) : builder(builder) {}

  /// Adds `cotangent` to the cotangent of `value`.
  void accumulate(Value value, Value cotangent) {
    if (!cotangent || !isFloatTensor(value))
      return;
    Value &slot = cotangents[value];
    slot = slot ? AddOp::create(builder, cotangent.getLoc(), slot, cotangent)
                      .getResult()
                : cotangent;
  }

  Value cotangentOf(Value value) const { return cotangents.lookup(value); }

  /// Visits `op`, whose results' cotangents are complete.
  LogicalResult visit(Operation *op) {
    Location loc = op->getLoc();
    if (auto inject = dyn_cast<SyntheticGradientOp>(op)) {
      // The prediction is a constant here: stop_gradient(scale * S(s1)).
      accumulate(inject.getState(),
                 ScaleOp::create(builder, loc, inject.getPrediction(),
                                 inject.getScaleAttr()));
      return success();
    }
    if (auto target = dyn_cast<SynthesizerTargetOp>(op)) {
      // g: the gradient that has arrived at s0 from the window's real uses.
      // d/dS scale * sum((S - stop_gradient(g))^2) = 2 scale (S - g).
      Value g = cotangentOf(target.getState());
      Value prediction = target.getPrediction();
      Value error = g ? SubOp::create(builder, loc, prediction, g).getResult()
                      : prediction;
      double factor = 2.0 * target.getScale().convertToDouble();
      accumulate(prediction, ScaleOp::create(builder, loc, error,
                                             builder.getF64FloatAttr(factor)));
      return success();
    }
    if (isa<TruncateOp>(op))
      return success(); // the truncation: no gradient flows through

    SmallVector<Value> resultCotangents;
    bool any = false;
    for (Value result : op->getResults()) {
      resultCotangents.push_back(cotangentOf(result));
      any |= static_cast<bool>(resultCotangents.back());
    }
    // Constants have nothing to pass a gradient to.
    if (!any || op->hasTrait<OpTrait::ConstantLike>())
      return success();
    auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
    if (!differentiable)
      return op->emitOpError("is not differentiable, but a gradient flows "
                             "through it");
    SmallVector<Value> operandCotangents;
    if (failed(differentiable.buildVJP(builder, resultCotangents,
                                       operandCotangents)))
      return failure();
    assert(operandCotangents.size() == op->getNumOperands());
    for (auto [operand, cotangent] :
         llvm::zip(op->getOperands(), operandCotangents))
      accumulate(operand, cotangent);
    return success();
  }

private:
  OpBuilder &builder;
  DenseMap<Value, Value> cotangents;
};

/// Builds `<f>_grad` for `f` and `numParams`; see the pass description.
FailureOr<func::FuncOp> buildGradient(func::FuncOp f, int64_t numParams,
                                      SymbolTable &symbols) {
  if (!f.getBody().hasOneBlock())
    return f.emitOpError("ccrnn-autodiff: only single-block functions can be "
                         "differentiated");
  OpBuilder builder(f);
  builder.setInsertionPointAfter(f);
  FunctionType type = f.getFunctionType();
  SmallVector<Type> results(type.getResults());
  results.append(type.getInputs().begin(),
                 type.getInputs().begin() + numParams);
  auto grad = cast<func::FuncOp>(builder.clone(*f));
  grad.setName((f.getSymName() + "_grad").str());
  grad.setFunctionType(builder.getFunctionType(type.getInputs(), results));
  grad.removeResAttrsAttr();
  symbols.insert(grad);

  Block &body = grad.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator())
    forward.push_back(&op);

  builder.setInsertionPoint(ret);
  ReverseSweep sweep(builder);
  Value loss = ret.getOperand(0);
  sweep.accumulate(loss, splat(builder, f.getLoc(), loss.getType(), 1.0));
  for (Operation *op : llvm::reverse(forward))
    if (failed(sweep.visit(op)))
      return failure();

  SmallVector<Value> returned(ret.getOperands());
  for (BlockArgument arg : body.getArguments().take_front(numParams)) {
    Value cotangent = sweep.cotangentOf(arg);
    returned.push_back(
        cotangent ? cotangent : splat(builder, f.getLoc(), arg.getType(), 0.0));
  }
  func::ReturnOp::create(builder, ret.getLoc(), returned);
  ret.erase();

  // The markers have done their work: the forward pass is plain code.
  for (Operation *op : forward) {
    if (auto truncate = dyn_cast<TruncateOp>(op)) {
      truncate.replaceAllUsesWith(truncate.getInput());
      truncate.erase();
    } else if (isa<SyntheticGradientOp, SynthesizerTargetOp>(op)) {
      op->erase();
    }
  }
  // Cotangents flowing into truncated states, or of data, are never used.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (isOpTriviallyDead(&op))
      op.erase();

  // Result attributes: those of `f`, then `grad.<name>` for each parameter.
  SmallVector<Attribute> resultAttrs;
  for (unsigned i = 0; i < type.getNumResults(); ++i)
    resultAttrs.push_back(f.getResultAttrDict(i)
                              ? Attribute(f.getResultAttrDict(i))
                              : builder.getDictionaryAttr({}));
  for (int64_t i = 0; i < numParams; ++i) {
    SmallVector<NamedAttribute> attrs;
    if (auto name = f.getArgAttrOfType<StringAttr>(i, kNameAttr))
      attrs.push_back(builder.getNamedAttr(
          kNameAttr, builder.getStringAttr("grad." + name.getValue())));
    resultAttrs.push_back(builder.getDictionaryAttr(attrs));
  }
  grad.setAllResultAttrs(resultAttrs);
  return grad;
}

struct AutodiffPass : ccrnn::impl::CCRNNAutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    llvm::StringMap<func::FuncOp> gradients;
    SmallVector<func::FuncOp> differentiated;
    WalkResult walk = module.walk([&](ValueAndGradOp request) {
      auto callee = symbols.lookup<func::FuncOp>(request.getCallee());
      if (!callee) {
        request.emitOpError("ccrnn-autodiff: '")
            << request.getCallee() << "' is not a func.func";
        return WalkResult::interrupt();
      }
      int64_t numParams = request.getNumParamsAttr().getInt();
      std::string key =
          (callee.getSymName() + "/" + std::to_string(numParams)).str();
      func::FuncOp &grad = gradients[key];
      if (!grad) {
        FailureOr<func::FuncOp> built =
            buildGradient(callee, numParams, symbols);
        if (failed(built))
          return WalkResult::interrupt();
        grad = *built;
        differentiated.push_back(callee);
      }
      OpBuilder builder(request);
      auto call = func::CallOp::create(builder, request.getLoc(), grad,
                                       request.getOperands());
      request.replaceAllUsesWith(call.getResults());
      request.erase();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    // Drop the marker-carrying originals that nothing calls any more.
    for (func::FuncOp f : differentiated)
      if (SymbolTable::symbolKnownUseEmpty(f, module))
        f.erase();
  }
};

} // namespace
