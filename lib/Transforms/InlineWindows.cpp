//===- InlineWindows.cpp - window functions into the window loop -*- C++ -*-===//
//
// The training loop calls the window's gradient function once per window.
// Inlining that call puts the window's gradient products next to their
// accumulation into the batch's gradients (see --convert-ccrnn-to-onednn's
// matmul_accumulate), and saves copying the call's results.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace ccrnn {
#define GEN_PASS_DEF_CCRNNINLINEWINDOWS
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;

namespace {

struct InlineWindowsPass
    : ccrnn::impl::CCRNNInlineWindowsBase<InlineWindowsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      if (call->getParentOfType<scf::ForOp>())
        calls.push_back(call);
    });
    SetVector<func::FuncOp> inlined;
    for (func::CallOp call : calls) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      // Only the private straight-line functions build-training and
      // autodiff generate.
      if (!callee || !callee.isPrivate() || !callee.getBody().hasOneBlock())
        continue;
      Block &body = callee.getBody().front();
      IRMapping mapping;
      mapping.map(body.getArguments(), call.getOperands());
      OpBuilder builder(call);
      for (Operation &op : body.without_terminator())
        builder.clone(op, mapping);
      auto ret = cast<func::ReturnOp>(body.getTerminator());
      for (auto [result, returned] :
           llvm::zip(call.getResults(), ret.getOperands()))
        result.replaceAllUsesWith(mapping.lookupOrDefault(returned));
      call.erase();
      inlined.insert(callee);
    }
    for (func::FuncOp f : inlined)
      if (SymbolTable::symbolKnownUseEmpty(f, module))
        f.erase();
  }
};

} // namespace
