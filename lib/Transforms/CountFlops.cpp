//===- CountFlops.cpp - the FLOPs of a training program ---------*- C++ -*-===//
//
// Sums the FlopCountOpInterface of every op a call of each function runs:
// a loop's body times its trip count, a call's callee once per call.
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
#define GEN_PASS_DEF_CCRNNCOUNTFLOPS
#include "ccrnn/Transforms/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

class FlopCounter {
public:
  explicit FlopCounter(ModuleOp module) : symbols(module) {}

  double count(func::FuncOp f) {
    if (f.isExternal())
      return 0;
    auto it = perFunction.find(f);
    if (it != perFunction.end())
      return it->second;
    double flops = count(f.getBody().front());
    perFunction[f] = flops;
    return flops;
  }

private:
  double count(Block &block) {
    double flops = 0;
    for (Operation &op : block) {
      if (auto counted = dyn_cast<FlopCountOpInterface>(op))
        flops += counted.getMatrixFlops();
      else if (auto ensemble = dyn_cast<EnsembleOp>(op))
        flops += double(ensemble.getSize()) *
                 count(*ensemble.getBody());
      else if (auto loop = dyn_cast<scf::ForOp>(op))
        flops += double(tripCount(loop)) * count(*loop.getBody());
      else if (auto call = dyn_cast<func::CallOp>(op))
        if (auto callee = symbols.lookup<func::FuncOp>(call.getCallee()))
          flops += count(callee);
    }
    return flops;
  }

  /// The iterations of a loop with constant bounds (0 otherwise).
  static int64_t tripCount(scf::ForOp loop) {
    auto bound = [](Value v) -> int64_t {
      auto c = v.getDefiningOp<arith::ConstantIndexOp>();
      return c ? c.value() : 0;
    };
    int64_t step = bound(loop.getStep());
    if (step <= 0)
      return 0;
    int64_t trips =
        (bound(loop.getUpperBound()) - bound(loop.getLowerBound()) + step - 1) /
        step;
    return std::max<int64_t>(trips, 0);
  }

  SymbolTable symbols;
  DenseMap<Operation *, double> perFunction;
};

struct CountFlopsPass : ccrnn::impl::CCRNNCountFlopsBase<CountFlopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FlopCounter counter(module);
    Builder b(&getContext());
    for (func::FuncOp f : module.getOps<func::FuncOp>())
      f->setAttr(kFlopsAttr, b.getF64FloatAttr(counter.count(f)));
  }
};

} // namespace
