//===- Ensemble.cpp - K networks in one training program -------*- C++ -*-===//
//
// Rewrites a lowered training program into the program of K independent
// networks of the same shapes: every entry function (every function that is
// not private) takes and returns each tensor for all K networks (a leading
// dimension of K) and runs its old body once per network inside a
// ccrnn.ensemble. The private functions the bodies call (window gradients)
// stay one network's. The reference evaluator runs the result network by
// network; the emitters batch the networks.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/Support/SizeLimits.h"
#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNENSEMBLE
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

/// Whether `op` may be part of a lowered training program: a kernel, or
/// the functions, loops and index arithmetic around them (the emitters
/// report what they do not print).
bool isLowered(Operation *op) {
  Dialect *dialect = op->getDialect();
  return isa<KernelOpInterface>(op) ||
         (dialect &&
          isa<func::FuncDialect, scf::SCFDialect, arith::ArithDialect>(
              dialect));
}

/// Moves `f`'s body into a ccrnn.ensemble of `size` networks and gives `f`
/// the types of all of them.
void wrapInEnsemble(func::FuncOp f, int64_t size) {
  MLIRContext *context = f.getContext();
  Block *network = &f.getBody().front();
  auto ret = cast<func::ReturnOp>(network->getTerminator());
  SmallVector<Type> inputs, results;
  for (Type type : f.getArgumentTypes())
    inputs.push_back(EnsembleOp::getNetworksType(size, type));
  for (Type type : f.getResultTypes())
    results.push_back(EnsembleOp::getNetworksType(size, type));

  // The function's new body: the ensemble of its old one.
  auto *entry = new Block();
  for (auto [type, arg] : llvm::zip(inputs, network->getArguments()))
    entry->addArgument(type, arg.getLoc());
  OpBuilder builder(context);
  builder.setInsertionPointToEnd(entry);
  auto ensemble = EnsembleOp::create(builder, f.getLoc(), results,
                                     builder.getI64IntegerAttr(size),
                                     entry->getArguments());
  func::ReturnOp::create(builder, ret.getLoc(), ensemble.getResults());

  Region &networks = ensemble.getRegion();
  networks.getBlocks().splice(networks.end(), f.getBody().getBlocks(),
                              network->getIterator());
  builder.setInsertionPoint(ret);
  EnsembleYieldOp::create(builder, ret.getLoc(), ret.getOperands());
  ret.erase();
  f.getBody().push_back(entry);
  f.setFunctionType(FunctionType::get(context, inputs, results));
}

struct EnsemblePass : ccrnn::impl::CCRNNEnsembleBase<EnsemblePass> {
  using CCRNNEnsembleBase::CCRNNEnsembleBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (size < 1 || size > kMaxEnsemble) {
      module.emitError("ccrnn-ensemble: size must be from 1 to ")
          << kMaxEnsemble << ", got " << static_cast<int64_t>(size);
      return signalPassFailure();
    }
    EnsembleOp existing;
    module.walk([&](EnsembleOp op) {
      existing = op;
      return WalkResult::interrupt();
    });
    if (existing) {
      module.emitError("ccrnn-ensemble: the program is already an ensemble "
                       "of ")
          << existing.getSize() << " networks";
      return signalPassFailure();
    }
    // The plan's slices hold one network each.
    if (module->hasAttr(kMemoryPlanAttr)) {
      module.emitError("ccrnn-ensemble: the program already has a memory "
                       "plan: run --ccrnn-ensemble before "
                       "--ccrnn-plan-memory");
      return signalPassFailure();
    }
    // Pre-order: the outermost op that is not lowered is the one to name.
    WalkResult walk = module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op == module.getOperation() || isLowered(op))
        return WalkResult::advance();
      op->emitOpError("cannot be part of an ensemble program: run the "
                      "training pipeline through --convert-ccrnn-to-onednn "
                      "first");
      return WalkResult::interrupt();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    for (func::FuncOp f : module.getOps<func::FuncOp>()) {
      if (f.isPrivate() || f.isExternal())
        continue;
      if (!f.getBody().hasOneBlock()) {
        f.emitOpError("must have a body of one block to be part of an "
                      "ensemble program");
        return signalPassFailure();
      }
      wrapInEnsemble(f, size);
    }
  }
};

} // namespace
