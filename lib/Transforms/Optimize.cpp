//===- Optimize.cpp - carry values across truncation windows ----*- C++ -*-===//
//
// Window w + 1 recomputes from its incoming state what window w computed from
// its outgoing state (the synthesizer's forward pass: S(s1) of one window is
// S(s0) of the next). Values are matched by structural hashing: each value of
// the window function gets an id in terms of the incoming state ("what this
// window computes") and one in terms of the outgoing state ("what the next
// window would compute"); equal ids mean equal values, bit for bit.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/Transforms/Passes.h"

#include "ccrnn/CCRNNOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNOPTIMIZE
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

/// No id: the value depends on something that differs between windows.
constexpr unsigned kVaries = ~0u;

/// Interns structural expressions: equal ids <=> the same op tree over the
/// same leaves.
class ExpressionTable {
public:
  unsigned leaf(const std::string &key) { return intern("leaf " + key); }

  unsigned expression(Operation *op, unsigned resultIndex,
                      ArrayRef<unsigned> operands) {
    std::string key;
    llvm::raw_string_ostream os(key);
    os << op->getName() << " " << op->getAttrDictionary() << " #" << resultIndex
       << " : " << op->getResult(resultIndex).getType() << " (";
    llvm::interleaveComma(operands, os);
    os << ")";
    return intern(key);
  }

private:
  unsigned intern(const std::string &key) {
    return ids.try_emplace(key, ids.size()).first->second;
  }
  llvm::StringMap<unsigned> ids;
};

/// What each argument of a window call is, seen from the window loop.
struct ArgumentRoles {
  /// Leaf id per callee argument, or kVaries.
  SmallVector<unsigned> leaves;
  /// Arguments that are the window's incoming state.
  SmallVector<bool> isState;
};

/// Ids of a window function's values.
struct WindowIds {
  /// In terms of the incoming state and loop invariants.
  DenseMap<Value, unsigned> incoming;
  /// In terms of the outgoing (returned) state and loop invariants.
  DenseMap<Value, unsigned> outgoing;
  /// Values whose incoming id involves the incoming state.
  DenseSet<Value> stateDependent;
};

/// Computes the ids of `body`'s values. `stateResults` maps a returned value's
/// result index to the state leaf it becomes in the next window.
WindowIds computeIds(Block &body, const ArgumentRoles &roles,
                     const DenseMap<unsigned, unsigned> &stateResults,
                     ExpressionTable &table) {
  WindowIds ids;
  for (BlockArgument arg : body.getArguments()) {
    unsigned leaf = roles.leaves[arg.getArgNumber()];
    ids.incoming[arg] = leaf;
    // The incoming state is not the outgoing state.
    ids.outgoing[arg] = roles.isState[arg.getArgNumber()] ? kVaries : leaf;
    if (roles.isState[arg.getArgNumber()])
      ids.stateDependent.insert(arg);
  }
  auto returned = cast<func::ReturnOp>(body.getTerminator());
  DenseMap<Value, unsigned> outgoingStateLeaf;
  for (auto [result, leaf] : stateResults)
    outgoingStateLeaf[returned.getOperand(result)] = leaf;

  for (Operation &op : body.without_terminator()) {
    bool pure = isMemoryEffectFree(&op) && op.getNumRegions() == 0;
    SmallVector<unsigned> in, out;
    bool dependent = false;
    for (Value operand : op.getOperands()) {
      in.push_back(ids.incoming.lookup(operand));
      out.push_back(ids.outgoing.lookup(operand));
      dependent |= ids.stateDependent.contains(operand);
    }
    for (OpResult result : op.getResults()) {
      auto idOf = [&](ArrayRef<unsigned> operands) {
        if (!pure || llvm::is_contained(operands, kVaries))
          return kVaries;
        return table.expression(&op, result.getResultNumber(), operands);
      };
      ids.incoming[result] = idOf(in);
      ids.outgoing[result] = idOf(out);
      if (auto it = outgoingStateLeaf.find(result);
          it != outgoingStateLeaf.end())
        ids.outgoing[result] = it->second;
      if (dependent)
        ids.stateDependent.insert(result);
    }
  }
  return ids;
}

/// Ops whose results are cheaper to recompute than to carry.
bool isLayoutOnly(Operation *op) {
  return op->hasTrait<ccrnn::trait::LayoutOnly>() ||
         op->hasTrait<mlir::OpTrait::ConstantLike>();
}

/// Appends `extraArgs` arguments (named carried.<i>) and `extraResults`
/// results to `f`, replacing the uses of `replaced[i]` by the new arguments.
void extendWindow(func::FuncOp f, ArrayRef<Value> replaced,
                  ArrayRef<Value> extraResults) {
  Block &body = f.getBody().front();
  OpBuilder builder(f.getContext());
  unsigned firstNew = body.getNumArguments();
  for (Value value : replaced)
    value.replaceAllUsesWith(body.addArgument(value.getType(), value.getLoc()));
  auto returned = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Value> results(returned.getOperands());
  results.append(extraResults.begin(), extraResults.end());
  returned->setOperands(results);

  SmallVector<Attribute> argAttrs, resultAttrs;
  for (unsigned i = 0; i < firstNew; ++i)
    argAttrs.push_back(f.getArgAttrDict(i) ? Attribute(f.getArgAttrDict(i))
                                           : builder.getDictionaryAttr({}));
  for (unsigned i = firstNew; i < body.getNumArguments(); ++i)
    argAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        kNameAttr,
        builder.getStringAttr("carried." + std::to_string(i - firstNew)))));
  unsigned oldResults = f.getNumResults();
  for (unsigned i = 0; i < results.size(); ++i)
    resultAttrs.push_back(i < oldResults && f.getResultAttrDict(i)
                              ? Attribute(f.getResultAttrDict(i))
                              : builder.getDictionaryAttr({}));
  f.setFunctionType(builder.getFunctionType(body.getArgumentTypes(),
                                            TypeRange(ValueRange(results))));
  f.setAllArgAttrs(argAttrs);
  f.setAllResultAttrs(resultAttrs);

  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (isOpTriviallyDead(&op))
      op.erase();
}

/// Clones the ops computing `values` in `f` before `builder`'s insertion
/// point, with `f`'s arguments mapped by `mapping`.
SmallVector<Value> cloneSlice(func::FuncOp f, ArrayRef<Value> values,
                              IRMapping &mapping, OpBuilder &builder) {
  llvm::SetVector<Operation *> slice;
  SmallVector<Value> worklist(values);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val().getDefiningOp();
    if (op && slice.insert(op))
      llvm::append_range(worklist, op->getOperands());
  }
  for (Operation &op : f.getBody().front())
    if (slice.contains(&op))
      builder.clone(op, mapping);
  return llvm::map_to_vector(values,
                             [&](Value v) { return mapping.lookup(v); });
}

/// The window call of a loop and what its arguments are.
struct WindowLoop {
  scf::ForOp loop;
  func::CallOp call;
  func::FuncOp callee;
  ArgumentRoles roles;
  /// Callee result index -> the state leaf it becomes in the next window.
  DenseMap<unsigned, unsigned> stateResults;
  /// The loop's iter_args that carry the state.
  DenseSet<unsigned> stateIterArgs;
};

std::string stateLeaf(unsigned iterArg) {
  return "state " + std::to_string(iterArg);
}
std::string outerLeaf(Value value) {
  return llvm::formatv("outer {0}", value.getAsOpaquePointer()).str();
}

/// Recognises `scf.for` whose body calls a window function with some iter
/// args as state and yields that call's results back as the next state.
std::optional<WindowLoop> matchWindowLoop(scf::ForOp loop, SymbolTable &symbols,
                                          ExpressionTable &table) {
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  for (auto call : loop.getBody()->getOps<func::CallOp>()) {
    auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
    if (!callee || callee.isExternal() || !callee.getBody().hasOneBlock())
      continue;
    WindowLoop match;
    match.loop = loop;
    match.call = call;
    match.callee = callee;
    bool hasState = false;
    for (Value operand : call.getOperands()) {
      auto iterArg = dyn_cast<BlockArgument>(operand);
      unsigned leaf = kVaries;
      bool isState = false;
      if (iterArg && iterArg.getOwner() == loop.getBody() &&
          iterArg.getArgNumber() > 0) {
        unsigned i = iterArg.getArgNumber() - 1;
        auto result = dyn_cast<OpResult>(yield.getOperand(i));
        if (result && result.getOwner() == call) {
          leaf = table.leaf(stateLeaf(i));
          isState = true;
          match.stateResults[result.getResultNumber()] = leaf;
          match.stateIterArgs.insert(i);
        }
      } else if (loop.isDefinedOutsideOfLoop(operand)) {
        leaf = table.leaf(outerLeaf(operand));
      }
      hasState |= isState;
      match.roles.leaves.push_back(leaf);
      match.roles.isState.push_back(isState);
    }
    if (hasState)
      return match;
  }
  return std::nullopt;
}

/// The roles of a call after `loop` that continues from its final state.
ArgumentRoles rolesAfterLoop(func::CallOp call, const WindowLoop &window,
                             ExpressionTable &table) {
  ArgumentRoles roles;
  for (Value operand : call.getOperands()) {
    auto result = dyn_cast<OpResult>(operand);
    bool isState = result && result.getOwner() == window.loop &&
                   window.stateIterArgs.contains(result.getResultNumber());
    // Anything else matches a window value only if it is the same value.
    unsigned leaf = isState ? table.leaf(stateLeaf(result.getResultNumber()))
                            : table.leaf(outerLeaf(operand));
    roles.leaves.push_back(leaf);
    roles.isState.push_back(isState);
  }
  return roles;
}

LogicalResult carryAcrossWindows(WindowLoop &w, SymbolTable &symbols,
                                 ExpressionTable &table, ModuleOp module) {
  // The window function changes: only do it when this loop's function is
  // its only caller.
  Operation *caller = w.loop->getParentOfType<func::FuncOp>();
  std::optional<SymbolTable::UseRange> uses =
      SymbolTable::getSymbolUses(w.callee, module);
  if (!uses || llvm::any_of(*uses, [&](const SymbolTable::SymbolUse &use) {
        return use.getUser()->getParentOfType<func::FuncOp>() != caller;
      }))
    return success();

  Block &body = w.callee.getBody().front();
  WindowIds ids = computeIds(body, w.roles, w.stateResults, table);
  DenseMap<unsigned, Value> producedForNext;
  for (Operation &op : body.without_terminator())
    for (Value v : op.getResults())
      if (ids.outgoing[v] != kVaries)
        producedForNext.try_emplace(ids.outgoing[v], v);

  // Values of this window that the previous window already computed, and
  // that something else than another such value needs.
  auto isCarriable = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return def && !isLayoutOnly(def) && ids.stateDependent.contains(v) &&
           ids.incoming[v] != kVaries &&
           producedForNext.count(ids.incoming[v]) &&
           producedForNext.lookup(ids.incoming[v]) != v;
  };
  SmallVector<Value> carried, partners;
  SmallVector<unsigned> carriedIds;
  for (Operation &op : body.without_terminator())
    for (Value v : op.getResults()) {
      if (!isCarriable(v))
        continue;
      bool neededElsewhere = llvm::any_of(v.getUsers(), [&](Operation *user) {
        return llvm::none_of(user->getResults(), isCarriable);
      });
      if (!neededElsewhere)
        continue;
      carried.push_back(v);
      partners.push_back(producedForNext.lookup(ids.incoming[v]));
      carriedIds.push_back(ids.incoming[v]);
    }
  if (carried.empty())
    return success();

  // The first window's values, computed once before the loop.
  OpBuilder builder(w.loop);
  IRMapping mapping;
  for (auto [i, operand] : llvm::enumerate(w.call.getOperands())) {
    Value init = operand;
    if (w.roles.isState[i])
      init =
          w.loop.getInitArgs()[cast<BlockArgument>(operand).getArgNumber() - 1];
    mapping.map(body.getArgument(i), init);
  }
  SmallVector<Value> initial = cloneSlice(w.callee, carried, mapping, builder);

  // Window function: take them, return the next window's.
  unsigned oldNumResults = w.callee.getNumResults();
  extendWindow(w.callee, carried, partners);

  // The loop carries them.
  IRRewriter rewriter(builder);
  func::CallOp oldCall = w.call;
  func::FuncOp callee = w.callee;
  auto newLoop = cast<scf::ForOp>(*w.loop.replaceWithAdditionalYields(
      rewriter, initial, /*replaceInitOperandUsesInLoop=*/false,
      [&](OpBuilder &b, Location loc, ArrayRef<BlockArgument> newArgs) {
        b.setInsertionPoint(oldCall);
        SmallVector<Value> operands(oldCall.getOperands());
        operands.append(newArgs.begin(), newArgs.end());
        auto call = func::CallOp::create(b, oldCall.getLoc(), callee, operands);
        oldCall.replaceAllUsesWith(
            call.getResults().take_front(oldCall.getNumResults()));
        oldCall.erase();
        return SmallVector<Value>(call.getResults().drop_front(oldNumResults));
      }));
  ValueRange finalCarried = newLoop.getResults().take_back(carried.size());

  // The window after the loop continues from the loop's final values.
  llvm::SmallSetVector<Operation *, 2> users;
  for (Operation *user : newLoop->getUsers())
    users.insert(user);
  for (Operation *user : users) {
    auto next = dyn_cast<func::CallOp>(user);
    if (!next || next->getBlock() != newLoop->getBlock())
      continue;
    auto nextCallee = symbols.lookup<func::FuncOp>(next.getCallee());
    if (!nextCallee || !nextCallee.getBody().hasOneBlock())
      continue;
    SmallVector<Value> extraOperands;
    if (nextCallee == callee) {
      extraOperands.append(finalCarried.begin(), finalCarried.end());
    } else {
      WindowLoop after = w;
      after.loop = newLoop;
      ArgumentRoles roles = rolesAfterLoop(next, after, table);
      // Only its incoming ids matter: nothing follows it.
      DenseMap<unsigned, unsigned> noStateResults;
      WindowIds nextIds =
          computeIds(nextCallee.getBody().front(), roles, noStateResults, table);
      DenseMap<unsigned, Value> byId;
      for (Operation &op : nextCallee.getBody().front().without_terminator())
        if (!isLayoutOnly(&op))
          for (Value v : op.getResults())
            if (nextIds.incoming[v] != kVaries)
              byId.try_emplace(nextIds.incoming[v], v);
      SmallVector<Value> replaced;
      for (auto [id, value] : llvm::zip(carriedIds, finalCarried))
        if (Value v = byId.lookup(id)) {
          replaced.push_back(v);
          extraOperands.push_back(value);
        }
      if (replaced.empty())
        continue;
      extendWindow(nextCallee, replaced, {});
    }
    OpBuilder at(next);
    SmallVector<Value> operands(next.getOperands());
    operands.append(extraOperands);
    auto call = func::CallOp::create(at, next.getLoc(), nextCallee, operands);
    next.replaceAllUsesWith(call.getResults().take_front(next.getNumResults()));
    next.erase();
  }
  return success();
}

struct OptimizePass : ccrnn::impl::CCRNNOptimizeBase<OptimizePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    ExpressionTable table;
    SmallVector<scf::ForOp> loops;
    module.walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      std::optional<WindowLoop> window = matchWindowLoop(loop, symbols, table);
      if (window && failed(carryAcrossWindows(*window, symbols, table, module)))
        return signalPassFailure();
    }
  }
};

} // namespace
