//===- BuildEntryPoints.cpp - the C ABI as ccrnnrt ops ----------*- C++ -*-===//
//
// Builds a ccrnnrt.entry_point for each function of the trainer's C ABI:
// which caller array each argument of the program's function is (by its
// ccrnn.role), what is copied back, and, for a GPU program, where each
// array is staged and which step is recorded as a graph. The emitter then
// prints these ops one by one.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/Conversion/Passes.h"
#include "ccrnnrt/CCRNNRTOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <map>

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNRTBUILDENTRYPOINTS
#include "ccrnn/Conversion/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;
using ccrnnrt::CallerArray;
using ccrnnrt::EntryKind;

namespace {

int64_t elementCount(Type type) {
  return cast<MemRefType>(type).getNumElements();
}

/// Where a GPU trainer stages each caller array: the training function's
/// ccrnn.staged offsets, which every entry point uses (keyed by the array
/// and its index or state offset).
using StagingPlaces =
    std::map<std::pair<CallerArray, int64_t>, std::pair<int64_t, Type>>;

/// Builds one entry point calling `f`.
class EntryPointBuilder {
public:
  EntryPointBuilder(ModuleOp module, func::FuncOp f, EntryKind kind,
                    StagingPlaces *staging)
      : module(module), f(f), kind(kind), staging(staging),
        builder(module.getContext()) {}

  LogicalResult build();

private:
  /// The caller's array bound to argument `i`; null after a diagnostic.
  Value argument(unsigned i);
  /// Copies result `i` into the caller's array of its role, unless the
  /// program computed it there.
  LogicalResult copyResult(unsigned i, Value value);

  ModuleOp module;
  func::FuncOp f;
  EntryKind kind;
  /// Where the caller's arrays are copied (a GPU), null: nowhere. The
  /// training function's entry point fills it in.
  StagingPlaces *staging;
  OpBuilder builder;
  int64_t parameters = 0, gradients = 0, stateIn = 0, stateOut = 0,
          statisticsIn = 0, statisticsOut = 0, decoded = 0, recorded = 0;
  Value loss;
};

Value EntryPointBuilder::argument(unsigned i) {
  Location loc = f.getLoc();
  Type type = f.getArgumentTypes()[i];
  auto array = [&](CallerArray which, std::optional<int64_t> index,
                   std::optional<int64_t> offset,
                   std::optional<double> absent) -> Value {
    IntegerAttr at;
    if (staging) {
      std::pair<CallerArray, int64_t> key{which,
                                          index ? *index : offset.value_or(0)};
      if (kind == EntryKind::Train) {
        auto place = f.getArgAttrOfType<IntegerAttr>(i, kStagedAttr);
        if (!place) {
          f.emitOpError("argument ")
              << i
              << " has no staging offset (ccrnn.staged): run "
                 "--ccrnn-plan-memory=target=cuda first";
          return nullptr;
        }
        (*staging)[key] = {place.getInt(), type};
      }
      auto place = staging->find(key);
      if (place == staging->end() || place->second.second != type) {
        f.emitOpError("argument ")
            << i
            << " has no place in the staging buffer: the training "
               "function has no '"
            << ccrnnrt::stringifyCallerArray(which) << "' of type " << type;
        return nullptr;
      }
      at = builder.getI64IntegerAttr(place->second.first);
    }
    auto i64 = [&](std::optional<int64_t> v) {
      return v ? builder.getI64IntegerAttr(*v) : IntegerAttr();
    };
    return ccrnnrt::CallerArrayOp::create(
        builder, loc, type, which, i64(index), i64(offset), at,
        absent ? builder.getF64FloatAttr(*absent) : FloatAttr());
  };
  // The program computes this result in the caller's array: train's grads.
  if (auto result = f.getArgAttrOfType<IntegerAttr>(
          i, ccrnnrt::CCRNNRTDialect::kCallerResultAttr)) {
    if (getResultRole(f, result.getInt()) != Role::Gradient) {
      f.emitOpError("argument ")
          << i << " is the caller's array for result " << result.getInt()
          << ", which is not a gradient";
      return nullptr;
    }
    int64_t index = 0;
    for (int64_t r = 0; r < result.getInt(); ++r)
      index += getResultRole(f, r) == Role::Gradient;
    return ccrnnrt::CallerArrayOp::create(
        builder, loc, type, CallerArray::Grads,
        builder.getI64IntegerAttr(index), IntegerAttr(), IntegerAttr(),
        FloatAttr());
  }
  std::optional<Role> role = getArgumentRole(f, i);
  if (!role) {
    f.emitOpError("argument ") << i << " has no role (ccrnn.role)";
    return nullptr;
  }
  switch (*role) {
  case Role::Parameter:
    return array(CallerArray::Params, parameters++, {}, {});
  case Role::Input:
    return array(CallerArray::Inputs, {}, {}, {});
  case Role::Target:
    return array(CallerArray::Targets, {}, {}, {});
  case Role::State: {
    int64_t offset = stateIn;
    stateIn += elementCount(type);
    return array(CallerArray::InitialState, {}, offset, 0.0);
  }
  case Role::FibreMask:
    return array(CallerArray::FibreMask, {}, {}, 1.0);
  case Role::VectorInput:
    return array(CallerArray::VectorInput, {}, {}, {});
  case Role::DropoutMask:
    return array(CallerArray::DropoutMask, {}, {}, 1.0);
  case Role::Statistic: {
    int64_t offset = statisticsIn;
    statisticsIn += elementCount(type);
    return array(CallerArray::Statistics, {}, offset, {});
  }
  default:
    f.emitOpError("argument ")
        << i << " has the role of a result: " << stringifyRole(*role);
    return nullptr;
  }
}

LogicalResult EntryPointBuilder::copyResult(unsigned i, Value value) {
  Location loc = f.getLoc();
  auto copy = [&](CallerArray which, std::optional<int64_t> index = {},
                  std::optional<int64_t> offset = {}) {
    auto i64 = [&](std::optional<int64_t> v) {
      return v ? builder.getI64IntegerAttr(*v) : IntegerAttr();
    };
    ccrnnrt::ToCallerOp::create(builder, loc, value, which, i64(index),
                                i64(offset));
    return success();
  };
  std::optional<Role> role = getResultRole(f, i);
  if (!role)
    return f.emitOpError("result ") << i << " has no role (ccrnn.role)";
  switch (*role) {
  case Role::Loss:
    loss = value;
    return kind == EntryKind::Train ? copy(CallerArray::Losses) : success();
  case Role::Gradient: {
    int64_t index = gradients++;
    // Returned as the caller's array it was computed in: nothing to copy.
    auto returned = dyn_cast<BlockArgument>(
        f.getBody().front().getTerminator()->getOperand(i));
    auto computedIn = returned ? f.getArgAttrOfType<IntegerAttr>(
                                     returned.getArgNumber(),
                                     ccrnnrt::CCRNNRTDialect::kCallerResultAttr)
                               : nullptr;
    if (computedIn && computedIn.getInt() == int64_t(i))
      return success();
    return copy(CallerArray::Grads, index);
  }
  case Role::FinalState: {
    int64_t offset = stateOut;
    stateOut += elementCount(value.getType());
    return copy(CallerArray::FinalState, {}, offset);
  }
  case Role::Prediction:
    return copy(CallerArray::Predictions);
  case Role::Recorded: {
    // ccrnn_record's fields, in the order @m_record returns them.
    static const CallerArray fields[] = {
        CallerArray::RecordState, CallerArray::RecordSynthetic,
        CallerArray::RecordTargetGrad, CallerArray::RecordTrueGrad,
        CallerArray::RecordActivity};
    if (recorded >= int64_t(std::size(fields)))
      return f.emitOpError("records more than the ")
             << std::size(fields) << " arrays of ccrnn_record";
    return copy(fields[recorded++]);
  }
  case Role::NewStatistic: {
    int64_t offset = statisticsOut;
    statisticsOut += elementCount(value.getType());
    return copy(CallerArray::NewStatistics, {}, offset);
  }
  case Role::Decoded: {
    // Step after step: [decode_steps, batch].
    int64_t offset = decoded;
    decoded += elementCount(value.getType());
    return copy(CallerArray::DecodedTokens, {}, offset);
  }
  default:
    return f.emitOpError("result ")
           << i << " has the role of an argument: " << stringifyRole(*role);
  }
}

LogicalResult EntryPointBuilder::build() {
  builder.setInsertionPointToEnd(module.getBody());
  auto entry = ccrnnrt::EntryPointOp::create(builder, f.getLoc(), kind);
  builder.setInsertionPointToStart(&entry.getBody().emplaceBlock());
  SmallVector<Value> operands;
  for (unsigned i = 0; i < f.getNumArguments(); ++i) {
    Value operand = argument(i);
    if (!operand)
      return failure();
    operands.push_back(operand);
  }
  ValueRange results;
  // A GPU's training step reads only staged arrays and the arena: it is
  // recorded once as a graph.
  if (staging && kind == EntryKind::Train) {
    auto graph =
        ccrnnrt::StepGraphOp::create(builder, f.getLoc(), f.getResultTypes());
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&graph.getBody().emplaceBlock());
    auto call = func::CallOp::create(builder, f.getLoc(), f, operands);
    ccrnnrt::StepGraphYieldOp::create(builder, f.getLoc(), call.getResults());
    results = graph.getResults();
  } else {
    results =
        func::CallOp::create(builder, f.getLoc(), f, operands).getResults();
  }
  for (auto [i, value] : llvm::enumerate(results))
    if (failed(copyResult(i, value)))
      return failure();
  bool returnsLoss = kind != EntryKind::Record && kind != EntryKind::Decode;
  if (returnsLoss && !loss)
    return f.emitOpError("has no result with the role of the loss "
                         "(ccrnn.role), which the ")
           << ccrnnrt::stringifyEntryKind(kind) << " entry point returns";
  ccrnnrt::EntryReturnOp::create(builder, f.getLoc(),
                                 returnsLoss ? loss : Value());
  return success();
}

struct CCRNNRTBuildEntryPoints
    : ccrnn::impl::CCRNNRTBuildEntryPointsBase<CCRNNRTBuildEntryPoints> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!module.getOps<ccrnnrt::EntryPointOp>().empty())
      return;
    func::FuncOp train;
    for (auto f : module.getOps<func::FuncOp>())
      if (f->hasAttr(kTrainerAttr))
        train = f;
    if (!train) {
      module.emitError("no function with a 'ccrnn.trainer' attribute: run "
                       "--ccrnn-build-training first");
      return signalPassFailure();
    }
    if (llvm::any_of(train.getArgumentTypes(),
                     [](Type t) { return !isa<MemRefType>(t); })) {
      train.emitOpError("is not on buffers: run --convert-ccrnn-to-ccrnnrt "
                        "first");
      return signalPassFailure();
    }
    auto plan = module->getAttrOfType<MemoryPlanAttr>(kMemoryPlanAttr);
    StagingPlaces places;
    StagingPlaces *staging =
        plan && plan.getTarget() == TrainerTarget::CUDA ? &places : nullptr;
    // The verifier has checked that the named functions exist; train comes
    // first (its staging places are everyone's).
    auto info = train->getAttrOfType<TrainerAttr>(kTrainerAttr);
    auto eval = module.lookupSymbol<func::FuncOp>(info.getEval());
    // An evaluation from a given state is one window's (a token model's).
    bool window = llvm::any_of(
        llvm::seq(eval.getNumArguments()),
        [&](unsigned i) { return getArgumentRole(eval, i) == Role::State; });
    SmallVector<std::pair<func::FuncOp, EntryKind>> entries = {
        {train, EntryKind::Train},
        {eval, window ? EntryKind::EvalWindow : EntryKind::Eval}};
    if (info.getRecord())
      entries.push_back({module.lookupSymbol<func::FuncOp>(info.getRecord()),
                         EntryKind::Record});
    if (info.getDecode())
      entries.push_back({module.lookupSymbol<func::FuncOp>(info.getDecode()),
                         EntryKind::Decode});
    for (auto [f, kind] : entries)
      if (failed(EntryPointBuilder(module, f, kind, staging).build()))
        return signalPassFailure();
  }
};

} // namespace
