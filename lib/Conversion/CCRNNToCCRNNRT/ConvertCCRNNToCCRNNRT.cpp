//===- ConvertCCRNNToCCRNNRT.cpp - a planned program on buffers -*- C++ -*-===//
//
// Rewrites a training program that --ccrnn-plan-memory and
// --ccrnn-assign-kernels have planned into the ccrnnrt dialect: every
// tensor becomes the buffer its plan names (an arena slice, the caller's
// array, a loop's carried buffer or its second buffer), every kernel op one
// destination-passing call on its kernel object. Nothing is decided here:
// the plan's attributes become ops and operands, so the result computes
// what the planned program computes.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Conversion/Passes.h"
#include "ccrnnrt/CCRNNRTOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

namespace ccrnn {
#define GEN_PASS_DEF_CONVERTCCRNNTOCCRNNRT
#include "ccrnn/Conversion/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

/// The buffer type of tensor type `type` (one network's: `dropLeading`
/// removes an ensemble's leading dimension); other types are kept.
Type bufferType(Type type, bool dropLeading = false) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return type;
  ArrayRef<int64_t> shape = tensor.getShape();
  if (dropLeading)
    shape = shape.drop_front();
  return MemRefType::get(shape, tensor.getElementType());
}

class FunctionConverter {
public:
  FunctionConverter(func::FuncOp old) : old(old), builder(old) {}

  /// Builds the converted function next to `old`; null after a diagnostic.
  func::FuncOp convert();

private:
  LogicalResult convertBlock(Block &block);
  LogicalResult convertOp(Operation *op);
  LogicalResult convertFor(scf::ForOp loop);
  LogicalResult convertKernel(Operation *op);

  /// The buffer result `v` of a kernel op is computed in (its plan).
  FailureOr<Value> outputOf(OpResult v);
  Value slice(Location loc, Type type, int64_t offset) {
    return ccrnnrt::SliceOp::create(builder, loc, type, offset, FloatAttr());
  }
  Value mapped(Value v) { return mapping.lookup(v); }
  int64_t kernelIndex(Operation *op) {
    return cast<UsesKernelAttr>(op->getAttr(kKernelAttr)).getIndex();
  }

  func::FuncOp old;
  OpBuilder builder;
  IRMapping mapping;
  /// The caller's array for function result i.
  DenseMap<unsigned, Value> callerArrays;
  /// Where a value yielded to a loop-carried buffer is computed: that
  /// buffer (in place) or the loop's second buffer (swap).
  DenseMap<Value, Value> carriedOutputs;
  /// Splat constants with no slice: only loops read them (to fill).
  DenseMap<Value, double> loopSplats;
};

func::FuncOp FunctionConverter::convert() {
  EnsembleOp ensemble = getFunctionEnsemble(old);
  // An ensemble's entry function takes all networks' arrays; its buffers
  // have one network's types, as its body's values do.
  bool dropLeading = bool(ensemble);
  SmallVector<Type> inputs, results;
  for (Type t : old.getArgumentTypes())
    inputs.push_back(bufferType(t, dropLeading));
  for (Type t : old.getResultTypes())
    results.push_back(bufferType(t, dropLeading));
  SmallVector<unsigned> callerResults;
  for (unsigned i = 0; i < old.getNumResults(); ++i)
    if (old.getResultAttr(i, kCallerStorageAttr)) {
      callerResults.push_back(i);
      inputs.push_back(results[i]);
    }
  auto f = func::FuncOp::create(builder, old.getLoc(), old.getSymName(),
                                builder.getFunctionType(inputs, results));
  for (NamedAttribute attr : old->getDiscardableAttrs())
    f->setAttr(attr.getName(), attr.getValue());
  f.setVisibility(old.getVisibility());
  for (unsigned i = 0; i < old.getNumArguments(); ++i)
    f.setArgAttrs(i, old.getArgAttrDict(i));
  for (unsigned i = 0; i < old.getNumResults(); ++i) {
    SmallVector<NamedAttribute> attrs;
    for (NamedAttribute attr : old.getResultAttrs(i))
      if (attr.getName() != kCallerStorageAttr)
        attrs.push_back(attr);
    f.setResultAttrs(i, attrs);
  }
  Block *entry = f.addEntryBlock();
  for (auto [k, i] : llvm::enumerate(callerResults)) {
    unsigned arg = old.getNumArguments() + k;
    f.setArgAttr(arg, ccrnnrt::CCRNNRTDialect::kCallerResultAttr, builder.getI64IntegerAttr(i));
    callerArrays[i] = entry->getArgument(arg);
  }
  Block &body = ensemble ? *ensemble.getBody() : old.getBody().front();
  for (auto [from, to] : llvm::zip(body.getArguments(),
                                   entry->getArguments().take_front(
                                       old.getNumArguments())))
    mapping.map(from, to);
  builder.setInsertionPointToStart(entry);
  if (failed(convertBlock(body))) {
    f.erase();
    return nullptr;
  }
  // The body's terminator: the ensemble's yield, or the function's return.
  Operation *terminator = body.getTerminator();
  SmallVector<Value> returned;
  for (Value v : terminator->getOperands())
    returned.push_back(mapped(v));
  func::ReturnOp::create(builder, terminator->getLoc(), returned);
  return f;
}

LogicalResult FunctionConverter::convertBlock(Block &block) {
  for (Operation &op : block.without_terminator())
    if (failed(convertOp(&op)))
      return failure();
  return success();
}

FailureOr<Value> FunctionConverter::outputOf(OpResult v) {
  if (Value carried = carriedOutputs.lookup(v))
    return carried;
  auto slot = dyn_cast_or_null<SlotAttr>(getPlannedStorage(v));
  Operation *op = v.getOwner();
  Type type = bufferType(v.getType());
  if (slot && slot.getKind() == StorageKind::Arena)
    return slice(op->getLoc(), type, slot.getOffset());
  if (slot && slot.getKind() == StorageKind::Caller) {
    if (Value array = callerArrays.lookup(slot.getOffset()))
      return array;
    return op->emitOpError("is planned in the caller's array for result ")
           << slot.getOffset() << ", which is not ccrnn.caller_storage";
  }
  return op->emitOpError("has no planned storage for its result ")
         << v.getResultNumber() << " (run --ccrnn-plan-memory)";
}

LogicalResult FunctionConverter::convertOp(Operation *op) {
  Location loc = op->getLoc();
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](arith::ConstantOp c) -> LogicalResult {
        if (c.getType().isIntOrIndex()) {
          mapping.map(c.getResult(), builder.clone(*c)->getResult(0));
          return success();
        }
        auto dense = dyn_cast<DenseFPElementsAttr>(c.getValue());
        if (!dense || !dense.isSplat())
          return c.emitOpError(
              "only index and splat float tensor constants are supported");
        double value = dense.getSplatValue<APFloat>().convertToDouble();
        auto slot = dyn_cast_or_null<SlotAttr>(
            getPlannedStorage(cast<OpResult>(c.getResult())));
        if (!slot) {
          // Only loops read it, to fill their own buffers.
          for (OpOperand &use : c->getUses()) {
            auto loop = dyn_cast<scf::ForOp>(use.getOwner());
            if (!loop || use.getOperandNumber() < loop.getNumControlOperands())
              return c.emitOpError("has no planned storage, but ")
                     << use.getOwner()->getName()
                     << " reads it (run --ccrnn-plan-memory)";
          }
          loopSplats[c.getResult()] = value;
          return success();
        }
        if (slot.getKind() != StorageKind::Arena)
          return c.emitOpError("must be planned in the arena");
        Value filled = ccrnnrt::SliceOp::create(
            builder, loc, bufferType(c.getType()), slot.getOffset(),
            builder.getF64FloatAttr(value));
        mapping.map(c.getResult(), filled);
        return success();
      })
      .Case<arith::AddIOp, arith::MulIOp>([&](Operation *o) {
        builder.clone(*o, mapping);
        return success();
      })
      .Case([&](scf::ForOp loop) { return convertFor(loop); })
      .Case([&](func::CallOp call) {
        SmallVector<Value> operands;
        for (Value v : call.getOperands())
          operands.push_back(mapped(v));
        SmallVector<Type> types;
        for (Type t : call.getResultTypes())
          types.push_back(bufferType(t));
        auto converted = func::CallOp::create(builder, loc, call.getCallee(),
                                              types, operands);
        mapping.map(call.getResults(), converted.getResults());
        return success();
      })
      .Case([&](ReshapeOp r) {
        Value view = ccrnnrt::ViewOp::create(
            builder, loc, bufferType(r.getType()), mapped(r.getInput()));
        mapping.map(r.getResult(), view);
        return success();
      })
      .Default([&](Operation *other) { return convertKernel(other); });
}

LogicalResult FunctionConverter::convertKernel(Operation *op) {
  if (!isa<KernelOpInterface>(op))
    return op->emitOpError("cannot be converted to ccrnnrt (not a kernel; "
                           "run --ccrnn-trainer-pipeline first?)");
  Location loc = op->getLoc();
  SmallVector<Value> outputs;
  for (OpResult r : op->getResults()) {
    FailureOr<Value> out = outputOf(r);
    if (failed(out))
      return failure();
    outputs.push_back(*out);
  }
  mapping.map(op->getResults(), outputs);
  Value out = outputs.front();
  auto in = [&](Value v) { return v ? mapped(v) : Value(); };
  auto kernelAttr = [&](Operation *o) -> FailureOr<int64_t> {
    if (!o->getAttrOfType<UsesKernelAttr>(kKernelAttr))
      return o->emitOpError("has no kernel object (run "
                            "--ccrnn-assign-kernels)");
    return kernelIndex(o);
  };
  auto window = [&](Operation *o, bool forward) -> LogicalResult {
    FailureOr<int64_t> k = kernelAttr(o);
    if (failed(k))
      return failure();
    SmallVector<Value> inputs;
    for (Value v : o->getOperands())
      inputs.push_back(mapped(v));
    if (forward)
      ccrnnrt::WindowForwardOp::create(builder, loc, inputs, outputs, *k);
    else
      ccrnnrt::WindowBackwardOp::create(
          builder, loc, inputs, outputs, *k,
          cast<UsesKernelAttr>(o->getAttr(kKernelAttr)).getStored());
    return success();
  };
  auto matmul = [&](Operation *o, Value lhs, Value rhs,
                    Value bias) -> LogicalResult {
    FailureOr<int64_t> k = kernelAttr(o);
    if (failed(k))
      return failure();
    ccrnnrt::MatmulOp::create(builder, loc, in(lhs), in(rhs), in(bias), out,
                              *k);
    return success();
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](AddOp o) {
        ccrnnrt::AddOp::create(builder, loc, in(o.getLhs()), in(o.getRhs()),
                               out);
        return success();
      })
      .Case([&](SubOp o) {
        ccrnnrt::SubOp::create(builder, loc, in(o.getLhs()), in(o.getRhs()),
                               out);
        return success();
      })
      .Case([&](MulOp o) {
        ccrnnrt::MulOp::create(builder, loc, in(o.getLhs()), in(o.getRhs()),
                               out);
        return success();
      })
      .Case([&](ReluGradOp o) {
        ccrnnrt::ReluGradOp::create(builder, loc, in(o->getOperand(0)),
                                    in(o->getOperand(1)), out);
        return success();
      })
      .Case([&](SigmoidOp o) {
        ccrnnrt::SigmoidOp::create(builder, loc, in(o.getInput()), out);
        return success();
      })
      .Case([&](TanhOp o) {
        ccrnnrt::TanhOp::create(builder, loc, in(o.getInput()), out);
        return success();
      })
      .Case([&](ReluOp o) {
        ccrnnrt::ReluOp::create(builder, loc, in(o.getInput()), out);
        return success();
      })
      .Case([&](StepOp o) {
        ccrnnrt::StepOp::create(builder, loc, in(o.getInput()), out);
        return success();
      })
      .Case([&](ScaleOp o) {
        ccrnnrt::ScaleOp::create(
            builder, loc, in(o.getInput()),
            builder.getF64FloatAttr(o.getFactor().convertToDouble()), out);
        return success();
      })
      .Case([&](MatmulOp o) {
        return matmul(o, o.getLhs(), o.getRhs(), Value());
      })
      .Case([&](FusedMatmulOp o) {
        return matmul(o, o.getLhs(), o.getRhs(), o.getBias());
      })
      .Case([&](MatmulAccumulateOp o) {
        // The kernel adds the product to its output: that must hold the
        // accumulator first, unless it is the accumulator (in place).
        if (out != in(o.getAccumulator()))
          ccrnnrt::CopyOp::create(builder, loc, in(o.getAccumulator()), out);
        return matmul(o, o.getLhs(), o.getRhs(), Value());
      })
      .Case([&](BroadcastOp o) {
        ccrnnrt::BroadcastRowsOp::create(builder, loc, in(o.getInput()), out);
        return success();
      })
      .Case([&](ReduceSumOp o) {
        ccrnnrt::ReduceRowsOp::create(builder, loc, in(o.getInput()), out);
        return success();
      })
      .Case([&](ConcatOp o) {
        SmallVector<Value> inputs;
        for (Value v : o.getInputs())
          inputs.push_back(mapped(v));
        ccrnnrt::ConcatOp::create(builder, loc, inputs, o.getAxisAttr(), out);
        return success();
      })
      .Case([&](SplitOp o) {
        ccrnnrt::SplitOp::create(builder, loc, in(o.getInput()),
                                 o.getAxisAttr(), outputs);
        return success();
      })
      .Case([&](TimeSliceOp o) {
        ccrnnrt::TimeSliceOp::create(builder, loc, in(o.getInput()),
                                     in(o.getStart()), out);
        return success();
      })
      .Case([&](OneHotOp o) {
        ccrnnrt::OneHotOp::create(builder, loc, in(o.getLabels()), out);
        return success();
      })
      .Case([&](GatherRowsOp o) {
        ccrnnrt::GatherRowsOp::create(builder, loc, in(o.getTable()),
                                      in(o.getIndices()), out);
        return success();
      })
      .Case([&](ArgmaxRowsOp o) {
        ccrnnrt::ArgmaxRowsOp::create(builder, loc, in(o.getScores()), out);
        return success();
      })
      .Case([&](ScatterAddRowsOp o) {
        ccrnnrt::ScatterAddRowsOp::create(builder, loc, in(o.getUpdates()),
                                          in(o.getIndices()), out);
        return success();
      })
      .Case([&](BatchNormTrainOp o) {
        ccrnnrt::BatchNormTrainOp::create(
            builder, loc, in(o.getInput()), in(o.getGamma()), in(o.getBeta()),
            o.getEpsilonAttr(), outputs[0], outputs[1], outputs[2]);
        return success();
      })
      .Case([&](BatchNormGradOp o) {
        ccrnnrt::BatchNormGradOp::create(
            builder, loc, in(o.getInput()), in(o.getGamma()), in(o.getMean()),
            in(o.getVariance()), in(o.getDResult()), o.getEpsilonAttr(),
            outputs[0], outputs[1], outputs[2]);
        return success();
      })
      .Case([&](BatchNormInferenceOp o) {
        ccrnnrt::BatchNormInferenceOp::create(
            builder, loc, in(o.getInput()), in(o.getGamma()), in(o.getBeta()),
            in(o.getMean()), in(o.getVariance()), o.getEpsilonAttr(), out);
        return success();
      })
      .Case([&](SupervisedStepsOp o) {
        ccrnnrt::SupervisedStepsOp::create(builder, loc, in(o.getStart()),
                                           o.getStepsAttr(),
                                           o.getIntervalAttr(), out);
        return success();
      })
      .Case([&](MSELossOp o) {
        ccrnnrt::MSELossOp::create(builder, loc, in(o.getPrediction()),
                                   in(o.getTarget()), in(o.getStart()),
                                   o.getIntervalAttr(), out);
        return success();
      })
      .Case([&](MSELossGradOp o) {
        ccrnnrt::MSELossGradOp::create(
            builder, loc, in(o.getPrediction()), in(o.getTarget()),
            in(o.getCotangent()), in(o.getStart()), o.getIntervalAttr(), out);
        return success();
      })
      .Case([&](CrossEntropyLossOp o) {
        ccrnnrt::CrossEntropyLossOp::create(builder, loc, in(o.getLogits()),
                                            in(o.getLabels()), out,
                                            o.getF32Softmax());
        return success();
      })
      .Case([&](CrossEntropyLossGradOp o) {
        ccrnnrt::CrossEntropyLossGradOp::create(
            builder, loc, in(o.getLogits()), in(o.getLabels()),
            in(o.getCotangent()), out, o.getF32Softmax());
        return success();
      })
      .Case<LSTMSeqOp, RNNTanhSeqOp>(
          [&](Operation *o) { return window(o, /*forward=*/true); })
      .Case<LSTMSeqGradOp, RNNTanhSeqGradOp>(
          [&](Operation *o) { return window(o, /*forward=*/false); })
      .Default([&](Operation *other) {
        return other->emitOpError("has no ccrnnrt counterpart");
      });
}

LogicalResult FunctionConverter::convertFor(scf::ForOp loop) {
  // Each carried value has its buffer (the plan's offset) and, when it is
  // computed anew each iteration, a second one: the new loop carries both
  // and yields them swapped (ping-pong).
  auto storage = loop->getAttrOfType<ArrayAttr>(kStorageAttr);
  if (!storage)
    return loop.emitOpError("has no planned storage (run "
                            "--ccrnn-plan-memory)");
  Location loc = loop.getLoc();
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  SmallVector<Value> inits;
  // Per old carried value: its position in the new loop's iter_args, and
  // whether a second buffer follows it.
  SmallVector<std::pair<unsigned, bool>> positions;
  for (auto [init, planned] : llvm::zip(loop.getInitArgs(), storage)) {
    auto carried = cast<CarriedAttr>(planned);
    Type type = bufferType(init.getType());
    Value current = slice(loc, type, carried.getOffset());
    positions.push_back({unsigned(inits.size()), carried.getSwap() >= 0});
    inits.push_back(current);
    if (carried.getSwap() >= 0)
      inits.push_back(slice(loc, type, carried.getSwap()));
    if (auto splat = loopSplats.find(init); splat != loopSplats.end())
      ccrnnrt::FillOp::create(builder, loc, current,
                              builder.getF64FloatAttr(splat->second));
    else
      ccrnnrt::CopyOp::create(builder, loc, mapped(init), current);
  }
  auto converted = scf::ForOp::create(
      builder, loc, mapped(loop.getLowerBound()), mapped(loop.getUpperBound()),
      mapped(loop.getStep()), inits);
  Block *body = converted.getBody();
  mapping.map(loop.getInductionVar(), converted.getInductionVar());
  for (auto [iterArg, yielded, pos] :
       llvm::zip(loop.getRegionIterArgs(), yield.getOperands(), positions)) {
    Value current = body->getArgument(1 + pos.first);
    mapping.map(iterArg, current);
    auto result = dyn_cast<OpResult>(yielded);
    auto slot = result ? dyn_cast_or_null<SlotAttr>(getPlannedStorage(result))
                       : nullptr;
    if (slot && slot.getKind() == StorageKind::InPlace)
      carriedOutputs[yielded] = current;
    else if (slot && slot.getKind() == StorageKind::Swap && pos.second)
      carriedOutputs[yielded] = body->getArgument(2 + pos.first);
  }
  OpBuilder::InsertionGuard guard(builder);
  // scf.for's builder adds an empty yield only without iter_args.
  builder.setInsertionPointToStart(body);
  if (failed(convertBlock(*loop.getBody())))
    return failure();
  SmallVector<Value> next;
  for (auto [yielded, pos] : llvm::zip(yield.getOperands(), positions)) {
    Value current = body->getArgument(1 + pos.first);
    Value value = mapped(yielded);
    if (pos.second && value == body->getArgument(2 + pos.first)) {
      next.append({value, current}); // swap
      continue;
    }
    if (value != current)
      ccrnnrt::CopyOp::create(builder, loc, value, current);
    next.push_back(current);
    if (pos.second)
      next.push_back(body->getArgument(2 + pos.first));
  }
  scf::YieldOp::create(builder, loc, next);
  for (auto [result, pos] : llvm::zip(loop.getResults(), positions))
    mapping.map(result, converted.getResult(pos.first));
  return success();
}

struct ConvertCCRNNToCCRNNRT
    : ccrnn::impl::ConvertCCRNNToCCRNNRTBase<ConvertCCRNNToCCRNNRT> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!module->hasAttr(kMemoryPlanAttr)) {
      module.emitError("has no memory plan (run --ccrnn-plan-memory and "
                       "--ccrnn-assign-kernels first)");
      return signalPassFailure();
    }
    // The ensemble ops go; their size stays, on the module.
    if (int64_t networks = getEnsembleSize(module); networks > 1)
      module->setAttr(ccrnnrt::CCRNNRTDialect::kNetworksAttr,
                      IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                       networks));
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp old : functions) {
      func::FuncOp converted = FunctionConverter(old).convert();
      if (!converted)
        return signalPassFailure();
      old.erase();
    }
  }
};

} // namespace
