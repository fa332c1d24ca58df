//===- ConvertCCRNNToOneDNN.cpp - fuse into oneDNN kernels ------*- C++ -*-===//

#include "ccrnn/Conversion/Passes.h"

#include "ccrnn/CCRNNOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ccrnn {
#define GEN_PASS_DEF_CONVERTCCRNNTOONEDNN
#include "ccrnn/Conversion/Passes.h.inc"
} // namespace ccrnn

using namespace mlir;
using namespace ccrnn;

namespace {

/// add(matmul(a, b), broadcast(bias)) -> fused_matmul(a, b, bias).
struct FuseBias : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (auto [product, other] : {std::make_pair(add.getLhs(), add.getRhs()),
                                  std::make_pair(add.getRhs(), add.getLhs())}) {
      auto matmul = product.getDefiningOp<MatmulOp>();
      auto broadcast = other.getDefiningOp<BroadcastOp>();
      // The product must not be needed on its own.
      if (!matmul || !broadcast || !matmul->hasOneUse())
        continue;
      rewriter.replaceOpWithNewOp<FusedMatmulOp>(
          add, add.getType(), matmul.getLhs(), matmul.getRhs(),
          broadcast.getInput(), matmul.getTransposeLhsAttr(),
          matmul.getTransposeRhsAttr(), /*relu=*/nullptr);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not a linear layer");
  }
};

/// relu(fused_matmul) -> fused_matmul {relu}, when only the relu reads it.
struct FuseRelu : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    auto fused = relu.getInput().getDefiningOp<FusedMatmulOp>();
    if (!fused || fused.getRelu() || !fused->hasOneUse())
      return rewriter.notifyMatchFailure(relu, "no fusable producer");
    rewriter.replaceOpWithNewOp<FusedMatmulOp>(
        relu, relu.getType(), fused.getLhs(), fused.getRhs(), fused.getBias(),
        fused.getTransposeLhsAttr(), fused.getTransposeRhsAttr(),
        rewriter.getUnitAttr());
    return success();
  }
};

/// add(acc, matmul(a, b)) -> matmul_accumulate(acc, a, b): the product is
/// added as it is written (oneDNN's sum post-op) instead of in a second pass
/// over memory. Linear layers (a broadcast bias) are FuseBias's.
struct AccumulateMatmul : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (auto [acc, product] : {std::make_pair(add.getLhs(), add.getRhs()),
                                std::make_pair(add.getRhs(), add.getLhs())}) {
      auto matmul = product.getDefiningOp<MatmulOp>();
      if (!matmul || !matmul->hasOneUse() || acc.getDefiningOp<BroadcastOp>())
        continue;
      rewriter.replaceOpWithNewOp<MatmulAccumulateOp>(
          add, add.getType(), acc, matmul.getLhs(), matmul.getRhs(),
          matmul.getTransposeLhsAttr(), matmul.getTransposeRhsAttr());
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no product to accumulate");
  }
};

/// mul(c, step(x)) -> relu_grad(c, x): relu's backward in one pass over
/// memory instead of two (a step written and read back).
struct FuseReluGrad : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [cotangent, mask] : {std::make_pair(mul.getLhs(), mul.getRhs()),
                                   std::make_pair(mul.getRhs(), mul.getLhs())}) {
      auto step = mask.getDefiningOp<StepOp>();
      if (!step || !step->hasOneUse())
        continue;
      rewriter.replaceOpWithNewOp<ReluGradOp>(mul, mul.getType(), cotangent,
                                              step.getInput());
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "no step to fuse");
  }
};

struct ConvertCCRNNToOneDNNPass
    : ccrnn::impl::ConvertCCRNNToOneDNNBase<ConvertCCRNNToOneDNNPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // A linear layer's add is a bias, not an accumulation.
    patterns.add<FuseBias>(&getContext(), /*benefit=*/2);
    patterns.add<FuseRelu, AccumulateMatmul, FuseReluGrad>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
