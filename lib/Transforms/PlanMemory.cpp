//===- PlanMemory.cpp - the static memory plan of a trainer -----*- C++ -*-===//
//
// Gives every tensor a lowered training program computes its storage: a
// slice of one arena, or memory that is already there (the loop-carried
// value it replaces, the loop's second slice, the caller's array). Slices
// are handed out in program order, never reused: the arena of the largest
// trainer is a few MB, and a slice per value keeps every value alive for
// the debugger and the recorded CUDA graph.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Support/SizeLimits.h"
#include "ccrnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CheckedArithmetic.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNPLANMEMORY
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

/// Whether `op` computes its results into storage of their own: a kernel
/// that is not a view. (Constants are planned on their own; calls' and
/// loops' results live where their callee or loop put them.)
bool computesTensors(Operation *op) {
  auto kernel = dyn_cast<KernelOpInterface>(op);
  return kernel && !kernel.isView();
}

/// Whether `yielded`, the next value of the loop-carried `iterArg`, can be
/// computed in iterArg's slice: its kernel may overwrite the operand that
/// iterArg is (an accumulation), and nothing else reads iterArg.
bool computedInPlace(scf::ForOp loop, Value yielded, Value iterArg) {
  Operation *def = yielded.getDefiningOp();
  if (!def || def->getBlock() != loop.getBody() || !iterArg.hasOneUse())
    return false;
  OpOperand &use = *iterArg.getUses().begin();
  auto kernel = dyn_cast<KernelOpInterface>(def);
  return use.getOwner() == def && kernel &&
         kernel.canOverwriteOperand(use.getOperandNumber());
}

/// A callee's results live in its own slices: a second call of the same
/// callee overwrites them, so nothing may read them after that.
LogicalResult checkCallResults(func::FuncOp f) {
  SmallVector<func::CallOp> calls;
  f.walk([&](func::CallOp call) { calls.push_back(call); });
  for (func::CallOp first : calls)
    for (func::CallOp second : calls) {
      if (first == second || first.getCallee() != second.getCallee() ||
          first->getBlock() != second->getBlock() ||
          !first->isBeforeInBlock(second))
        continue;
      for (Value result : first.getResults())
        for (Operation *user : result.getUsers()) {
          Operation *inBlock = first->getBlock()->findAncestorOpInBlock(*user);
          if (inBlock && second->isBeforeInBlock(inBlock))
            return first.emitOpError(
                       "result used after another call of @")
                   << first.getCallee()
                   << ", which overwrites it (a callee's results live in "
                      "its own slices)";
        }
    }
  return success();
}

class Planner {
public:
  Planner(MLIRContext *context, int64_t ensemble)
      : context(context), ensemble(ensemble) {}

  /// Plans `f`; with `callerStorage`, the results that are gradients of the
  /// training function are computed in the caller's arrays.
  void plan(func::FuncOp f, bool callerStorage) {
    if (callerStorage)
      planCallerStorage(f, getNetworkBody(f));
    planBlock(f.getBody().front());
  }

  int64_t arenaSize() const { return arena; }

  /// Whether the arena or a staging buffer grew beyond kMaxProgramFloats
  /// (its size is then meaningless).
  bool tooLarge() const { return overflow; }

  /// Where a GPU trainer copies the caller's arrays for the training
  /// function `f`: one staging buffer of 16-float aligned slices, in
  /// argument order (an int64 label takes two floats), the states together
  /// at the end (the caller gives them as one array). Returns its size.
  int64_t planStaging(func::FuncOp f) {
    int64_t offset = 0;
    auto take = [&](int64_t floats) {
      int64_t at = offset;
      offset = grow(offset, floats);
      return at;
    };
    auto stage = [&](unsigned i, int64_t at) {
      f.setArgAttr(i, kStagedAttr,
                   IntegerAttr::get(IntegerType::get(context, 64), at));
    };
    Block &body = getNetworkBody(f);
    SmallVector<std::pair<unsigned, int64_t>> states;
    int64_t stateFloats = 0;
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      auto type = dyn_cast<RankedTensorType>(body.getArgument(i).getType());
      std::optional<Role> role = getArgumentRole(f, i);
      if (!type || !role)
        continue;
      int64_t floats = type.getNumElements();
      if (*role == Role::State) {
        states.push_back({i, floats});
        stateFloats = std::min(stateFloats + floats, kMaxProgramFloats + 1);
      } else if (type.getElementType().isInteger(64)) {
        stage(i, take(2 * floats));
      } else {
        stage(i, take(floats));
      }
    }
    int64_t at = take(stateFloats);
    for (auto [i, floats] : states) {
      stage(i, at);
      at += ensemble * floats;
    }
    return offset;
  }

private:
  /// A fresh 16-float (64-byte) aligned slice for `value`, of every network
  /// (an int64 element takes two floats).
  int64_t allocate(Value value) {
    int64_t offset = arena;
    auto tensor = cast<RankedTensorType>(value.getType());
    int64_t floats = tensor.getNumElements();
    arena = grow(arena, tensor.getElementType().isInteger(64) ? 2 * floats
                                                              : floats);
    return offset;
  }

  /// `offset` past a 16-float aligned slice of `floats` for every network.
  /// Every tensor's count is bounded (checkProgramSizes); the sums are
  /// checked here, and stop growing once beyond the limit.
  int64_t grow(int64_t offset, int64_t floats) {
    std::optional<int64_t> slice = llvm::checkedMul(ensemble, floats);
    std::optional<int64_t> end =
        slice ? llvm::checkedAdd(offset, (*slice + 15) / 16 * 16) : std::nullopt;
    if (!end || *end > kMaxProgramFloats) {
      overflow = true;
      return offset;
    }
    return *end;
  }

  SlotAttr slot(StorageKind kind, int64_t offset = -1) {
    return SlotAttr::get(context, kind, offset);
  }

  /// `body` computes f's results (one network's, of an ensemble).
  void planCallerStorage(func::FuncOp f, Block &body) {
    // The gradients are results 1 .. #parameters (after the loss).
    unsigned numParams = 0;
    while (numParams < f.getNumArguments() &&
           f.getArgAttr(numParams, kParameterAttr))
      ++numParams;
    OperandRange results = body.getTerminator()->getOperands();
    for (unsigned i = 1; i <= numParams && i < f.getNumResults(); ++i) {
      // Only a value the function computes itself, returned once (a token
      // model's window returns its callee's gradients: they are copied).
      Value v = results[i];
      Operation *def = v.getDefiningOp();
      if (def && def->getBlock() == &body && computesTensors(def) &&
          !planned.count(v) && llvm::count(results, v) == 1) {
        f.setResultAttr(i, kCallerStorageAttr, UnitAttr::get(context));
        planned[v] = slot(StorageKind::Caller, i);
      }
    }
  }

  void planBlock(Block &block) {
    for (Operation &op : block) {
      if (auto loop = dyn_cast<scf::ForOp>(op))
        planLoop(loop);
      else if (auto ensemble = dyn_cast<EnsembleOp>(op))
        planBlock(*ensemble.getBody());
      else if (auto constant = dyn_cast<arith::ConstantOp>(op))
        planConstant(constant);
      else if (computesTensors(&op))
        planResults(&op);
    }
  }

  void planResults(Operation *op) {
    SmallVector<Attribute> slots;
    for (Value result : op->getResults()) {
      auto it = planned.find(result);
      slots.push_back(it != planned.end()
                          ? it->second
                          : slot(StorageKind::Arena, allocate(result)));
    }
    op->setAttr(kStorageAttr, ArrayAttr::get(context, slots));
  }

  void planConstant(arith::ConstantOp constant) {
    if (!isa<RankedTensorType>(constant.getType()))
      return;
    // A constant that only starts loops needs no slice: the loops fill
    // their own.
    if (llvm::all_of(constant->getUses(), [](OpOperand &use) {
          auto loop = dyn_cast<scf::ForOp>(use.getOwner());
          return loop && use.getOperandNumber() >= loop.getNumControlOperands();
        }))
      return;
    planResults(constant);
  }

  void planLoop(scf::ForOp loop) {
    auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
    SmallVector<Attribute> carried;
    for (auto [iterArg, yielded] :
         llvm::zip(loop.getRegionIterArgs(), yield.getOperands())) {
      int64_t offset = allocate(iterArg), swap = -1;
      Operation *def = yielded.getDefiningOp();
      bool once = llvm::count(yield.getOperands(), yielded) == 1;
      if (once && computedInPlace(loop, yielded, iterArg)) {
        planned[yielded] = slot(StorageKind::InPlace);
      } else if (once && def && def->getBlock() == loop.getBody() &&
                 !isa<func::CallOp, scf::ForOp>(def) &&
                 !planned.count(yielded)) {
        // Computed anew each iteration: in a second slice that swaps with
        // the carried one. (A view or a constant is copied instead; its
        // second slice stays unused.)
        swap = allocate(yielded);
        if (computesTensors(def))
          planned[yielded] = slot(StorageKind::Swap);
      }
      carried.push_back(CarriedAttr::get(context, offset, swap));
    }
    loop->setAttr(kStorageAttr, ArrayAttr::get(context, carried));
    planBlock(*loop.getBody());
  }

  MLIRContext *context;
  int64_t ensemble;
  int64_t arena = 0;
  bool overflow = false;
  /// Values given storage before their op is reached (in place, swap,
  /// caller's arrays).
  DenseMap<Value, SlotAttr> planned;
};

struct PlanMemoryPass : ccrnn::impl::CCRNNPlanMemoryBase<PlanMemoryPass> {
  using CCRNNPlanMemoryBase::CCRNNPlanMemoryBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<TrainerTarget> trainerTarget =
        symbolizeTrainerTarget(target);
    if (!trainerTarget) {
      module.emitError("ccrnn-plan-memory: unknown target '")
          << target << "' (expected cpu or cuda)";
      return signalPassFailure();
    }
    if (module->hasAttr(kMemoryPlanAttr)) {
      module.emitError("ccrnn-plan-memory: the program already has a "
                       "memory plan");
      return signalPassFailure();
    }
    // Every tensor's element count fits before anything is added up.
    if (failed(checkProgramSizes(module, "ccrnn-plan-memory")))
      return signalPassFailure();
    Planner planner(&getContext(), getEnsembleSize(module));
    int64_t staging = 0;
    for (func::FuncOp f : module.getOps<func::FuncOp>()) {
      if (f.isExternal())
        continue;
      if (failed(checkCallResults(f)))
        return signalPassFailure();
      // A CPU trainer's caller gives the storage of the training
      // function's gradients; a GPU's caller arrays are host memory, which
      // the GPU trainer stages on the device.
      bool cpu = *trainerTarget == TrainerTarget::CPU;
      bool train = f->hasAttr(kTrainerAttr);
      planner.plan(f, cpu && train);
      if (!cpu && train)
        staging = planner.planStaging(f);
    }
    if (planner.tooLarge()) {
      module.emitError("ccrnn-plan-memory: the program needs more than ")
          << kMaxProgramFloats
          << " floats of memory (2^42, 16 TiB), the most a training program "
             "may hold";
      return signalPassFailure();
    }
    module->setAttr(kMemoryPlanAttr,
                    MemoryPlanAttr::get(&getContext(), *trainerTarget,
                                        planner.arenaSize(), staging));
  }
};

} // namespace
