//===- Ensemble.cpp - K networks in one training program -------*- C++ -*-===//
//
// The ensemble is a property of the whole lowered program rather than a
// rewrite of its types: every op of a lowered program is independent across
// networks by construction (no op mixes the rows of two networks), so the
// program of one network describes the ensemble exactly, and each back end
// chooses how to batch it (the C++ emitter: element-wise work over all
// networks at once, products and windows per network; on a GPU, batched
// GEMMs). What the pass checks is that the program is lowered:
// an op the back ends cannot batch is an error here, not a surprise later.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
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

struct EnsemblePass : ccrnn::impl::CCRNNEnsembleBase<EnsemblePass> {
  using CCRNNEnsembleBase::CCRNNEnsembleBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (size < 1) {
      module.emitError("ccrnn-ensemble: size must be at least 1, got ")
          << static_cast<int64_t>(size);
      return signalPassFailure();
    }
    if (auto old = module->getAttrOfType<IntegerAttr>(kEnsembleAttr)) {
      module.emitError("ccrnn-ensemble: the program is already an ensemble "
                       "of ")
          << old.getInt() << " networks";
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
    module->setAttr(kEnsembleAttr,
                    IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                     static_cast<int64_t>(size)));
  }
};

} // namespace
