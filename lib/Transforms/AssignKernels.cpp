//===- AssignKernels.cpp - the kernel objects of a trainer ------*- C++ -*-===//
//
// Lists the runtime objects (oneDNN primitives, recurrent workspaces) a
// trainer creates once, and which op runs on which: products of the same
// configuration share one, each forward window has its own, and a backward
// window reads what its forward window stored.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNASSIGNKERNELS
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

struct AssignKernelsPass
    : ccrnn::impl::CCRNNAssignKernelsBase<AssignKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module->hasAttr(kKernelsAttr)) {
      module.emitError("ccrnn-assign-kernels: the program already has its "
                       "kernel objects");
      return signalPassFailure();
    }
    MLIRContext *context = &getContext();
    SmallVector<Attribute> kernels;
    // The shared objects by configuration; the forward windows with the
    // index of their own object.
    DenseMap<Attribute, int64_t> shared;
    SmallVector<std::pair<Operation *, int64_t>> forwardWindows;
    auto use = [&](Operation *op, int64_t index, bool stored) {
      op->setAttr(kKernelAttr, UsesKernelAttr::get(context, index, stored));
    };
    // Program order: functions in order, each op before the ops it holds.
    module.walk<WalkOrder::PreOrder>([&](KernelOpInterface op) {
      Attribute config = op.getKernelObject();
      if (!config)
        return;
      if (!isa<WindowKernelAttr>(config)) {
        auto [it, inserted] = shared.try_emplace(config, kernels.size());
        if (inserted)
          kernels.push_back(config);
        return use(op, it->second, false);
      }
      // A window after which this op runs on the same operands (and more:
      // the cotangents) is its forward window.
      for (auto [forward, index] : llvm::reverse(forwardWindows)) {
        unsigned n = forward->getNumOperands();
        if (forward->getBlock() == op->getBlock() &&
            forward->isBeforeInBlock(op) && kernels[index] == config &&
            n < op->getNumOperands() &&
            llvm::equal(forward->getOperands(),
                        op->getOperands().take_front(n)))
          return use(op, index, true);
      }
      forwardWindows.push_back({op, int64_t(kernels.size())});
      kernels.push_back(config);
      use(op, kernels.size() - 1, false);
    });
    module->setAttr(kKernelsAttr, ArrayAttr::get(context, kernels));
  }
};

} // namespace
