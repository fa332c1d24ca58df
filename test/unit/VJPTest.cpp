//===- VJPTest.cpp - every VJP rule against finite differences --*- C++ -*-===//
//
// For each differentiable op, a function computes L = sum(op(inputs) * R)
// for a random R; ccrnn-autodiff differentiates it through
// ccrnn.value_and_grad, the reference evaluator runs both, and the gradient
// of every input is compared with central finite differences (double
// precision, random non-zero inputs).
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Reference/Evaluator.h"
#include "ccrnn/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir;
using namespace ccrnn;
using reference::Evaluator;
using reference::Tensor;

namespace {

struct RuleCase {
  const char *name;
  /// Argument list of @f without the trailing %r, e.g. "%a: tensor<2x3xf64>".
  const char *inputs;
  /// Ops computing %y from the inputs.
  const char *body;
  /// The type of %y.
  const char *resultType;
  int64_t numInputs;
};

void PrintTo(const RuleCase &c, std::ostream *os) { *os << c.name; }

std::vector<int64_t> shapeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return {tensor.getShape().begin(), tensor.getShape().end()};
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

class VJPRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(VJPRuleTest, MatchesFiniteDifferences) {
  const RuleCase &c = GetParam();
  MLIRContext context;
  context.loadDialect<CCRNNDialect, arith::ArithDialect, func::FuncDialect>();

  // Type of %y as a flat vector, to reduce sum(y * r) to a scalar.
  Type yType = parseType(c.resultType, &context);
  ASSERT_TRUE(yType) << c.resultType;
  int64_t n = numElements(shapeOf(yType));
  std::string flat = "tensor<" + std::to_string(n) + "xf64>";
  std::string source =
      std::string("func.func private @f(") + c.inputs +
      ", %r: " + c.resultType + ") -> tensor<f64> {\n" + c.body + "\n" +
      "  %weighted = ccrnn.mul %y, %r : " + c.resultType + "\n" +
      "  %weightedFlat = ccrnn.reshape %weighted : " + c.resultType + " -> " +
      flat + "\n" + "  %l = ccrnn.reduce_sum %weightedFlat : " + flat +
      " -> tensor<f64>\n" + "  return %l : tensor<f64>\n}\n";
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(source, ParserConfig(&context));
  ASSERT_TRUE(module) << source;
  auto f = module->lookupSymbol<func::FuncOp>("f");

  // @g(args) = value_and_grad @f(args) w.r.t. the inputs.
  OpBuilder builder(&context);
  builder.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> results{f.getResultTypes()[0]};
  for (int64_t i = 0; i < c.numInputs; ++i)
    results.push_back(f.getArgumentTypes()[i]);
  auto g = func::FuncOp::create(
      builder, f.getLoc(), "g",
      builder.getFunctionType(f.getArgumentTypes(), results));
  builder.setInsertionPointToStart(g.addEntryBlock());
  auto request = ValueAndGradOp::create(
      builder, f.getLoc(), results, FlatSymbolRefAttr::get(f), g.getArguments(),
      builder.getI64IntegerAttr(c.numInputs));
  func::ReturnOp::create(builder, f.getLoc(), request.getResults());
  ASSERT_TRUE(succeeded(verify(*module)));

  OwningOpRef<ModuleOp> forward = module->clone();
  // Autodiff removes @f from `module`; keep what the test needs of it.
  SmallVector<Type> argTypes(f.getArgumentTypes());
  PassManager pm(&context);
  pm.addPass(createCCRNNAutodiff());
  ASSERT_TRUE(succeeded(pm.run(*module)));

  std::mt19937 rng(7);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<Tensor> args;
  for (Type type : argTypes) {
    Tensor t{shapeOf(type), {}};
    t.data.resize(t.numElements());
    for (double &v : t.data) {
      v = dist(rng);
      // Keep away from relu's kink, where differences are meaningless.
      if (std::abs(v) < 0.05)
        v += 0.1;
    }
    args.push_back(t);
  }
  FailureOr<std::vector<Tensor>> grads = Evaluator(*module).call("g", args);
  ASSERT_TRUE(succeeded(grads));
  Evaluator reference(*forward);
  auto value = [&] { return reference.call("f", args)->at(0).data[0]; };
  EXPECT_NEAR((*grads)[0].data[0], value(), 1e-12);

  const double h = 1e-6;
  for (int64_t i = 0; i < c.numInputs; ++i) {
    const Tensor &grad = (*grads)[1 + i];
    ASSERT_EQ(grad.shape, args[i].shape) << "input " << i;
    double diff = 0, scale = 0;
    for (size_t k = 0; k < args[i].data.size(); ++k) {
      double saved = args[i].data[k];
      args[i].data[k] = saved + h;
      double up = value();
      args[i].data[k] = saved - h;
      double down = value();
      args[i].data[k] = saved;
      double fd = (up - down) / (2 * h);
      diff = std::max(diff, std::abs(grad.data[k] - fd));
      scale = std::max(scale, std::abs(fd));
    }
    EXPECT_LE(diff / std::max(scale, 1e-12), 1e-6) << c.name << ": input " << i;
  }
}

#define T23 "tensor<2x3xf64>"

INSTANTIATE_TEST_SUITE_P(
    Rules, VJPRuleTest,
    ::testing::Values(
        RuleCase{"add", "%a: " T23 ", %b: " T23, "%y = ccrnn.add %a, %b : " T23,
                 T23, 2},
        RuleCase{"sub", "%a: " T23 ", %b: " T23, "%y = ccrnn.sub %a, %b : " T23,
                 T23, 2},
        RuleCase{"mul", "%a: " T23 ", %b: " T23, "%y = ccrnn.mul %a, %b : " T23,
                 T23, 2},
        RuleCase{"scale", "%a: " T23, "%y = ccrnn.scale %a by -2.5 : " T23, T23,
                 1},
        RuleCase{"sigmoid", "%a: " T23, "%y = ccrnn.sigmoid %a : " T23, T23, 1},
        RuleCase{"tanh", "%a: " T23, "%y = ccrnn.tanh %a : " T23, T23, 1},
        RuleCase{"relu", "%a: " T23, "%y = ccrnn.relu %a : " T23, T23, 1},
        RuleCase{"matmul", "%a: tensor<2x3xf64>, %b: tensor<3x4xf64>",
                 "%y = ccrnn.matmul %a, %b : tensor<2x3xf64>, "
                 "tensor<3x4xf64> -> tensor<2x4xf64>",
                 "tensor<2x4xf64>", 2},
        RuleCase{"matmul_transpose_lhs",
                 "%a: tensor<3x2xf64>, %b: tensor<3x4xf64>",
                 "%y = ccrnn.matmul %a, %b {transpose_lhs} : "
                 "tensor<3x2xf64>, tensor<3x4xf64> -> tensor<2x4xf64>",
                 "tensor<2x4xf64>", 2},
        RuleCase{"matmul_transpose_rhs",
                 "%a: tensor<2x3xf64>, %b: tensor<4x3xf64>",
                 "%y = ccrnn.matmul %a, %b {transpose_rhs} : "
                 "tensor<2x3xf64>, tensor<4x3xf64> -> tensor<2x4xf64>",
                 "tensor<2x4xf64>", 2},
        RuleCase{"matmul_transpose_both",
                 "%a: tensor<3x2xf64>, %b: tensor<4x3xf64>",
                 "%y = ccrnn.matmul %a, %b {transpose_lhs, transpose_rhs} : "
                 "tensor<3x2xf64>, tensor<4x3xf64> -> tensor<2x4xf64>",
                 "tensor<2x4xf64>", 2},
        RuleCase{"broadcast", "%a: tensor<3xf64>",
                 "%y = ccrnn.broadcast %a : tensor<3xf64> -> " T23, T23, 1},
        RuleCase{"reduce_sum", "%a: tensor<4x2x3xf64>",
                 "%y = ccrnn.reduce_sum %a : tensor<4x2x3xf64> -> " T23, T23,
                 1},
        RuleCase{"reshape", "%a: tensor<3x2xf64>",
                 "%y = ccrnn.reshape %a : tensor<3x2xf64> -> " T23, T23, 1},
        RuleCase{"concat", "%a: tensor<2x1xf64>, %b: tensor<2x2xf64>",
                 "%y = ccrnn.concat %a, %b {axis = 1} : tensor<2x1xf64>, "
                 "tensor<2x2xf64> -> " T23,
                 T23, 2},
        // Only the second piece is used: the first gets zeros.
        RuleCase{"split", "%a: tensor<5x3xf64>",
                 "%s:2 = ccrnn.split %a {axis = 0} : tensor<5x3xf64> -> "
                 "tensor<3x3xf64>, " T23 "\n  %y = ccrnn.mul %s#1, %s#1 : " T23,
                 T23, 1},
        RuleCase{"lstm_seq",
                 "%x: tensor<2x3x2xf64>, %h: tensor<2x3xf64>, "
                 "%c: tensor<2x3xf64>, %wi: tensor<12x2xf64>, "
                 "%wh: tensor<12x3xf64>, %bi: tensor<12xf64>, "
                 "%bh: tensor<12xf64>",
                 "%hs, %hT, %cT = ccrnn.lstm_seq %x, %h, %c, %wi, %wh, %bi, "
                 "%bh : tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<12x2xf64>, "
                 "tensor<12x3xf64>, tensor<12xf64> -> tensor<2x3x3xf64>\n"
                 "  %last = ccrnn.mul %hT, %cT : tensor<2x3xf64>\n"
                 "  %flat = ccrnn.reshape %hs : tensor<2x3x3xf64> -> "
                 "tensor<6x3xf64>\n"
                 "  %y = ccrnn.concat %flat, %last {axis = 0} : "
                 "tensor<6x3xf64>, tensor<2x3xf64> -> tensor<8x3xf64>",
                 "tensor<8x3xf64>", 7},
        RuleCase{"rnn_tanh_seq",
                 "%x: tensor<2x3x2xf64>, %h: tensor<2x3xf64>, "
                 "%wi: tensor<3x2xf64>, %wh: tensor<3x3xf64>, "
                 "%bi: tensor<3xf64>, %bh: tensor<3xf64>",
                 "%hs, %hT = ccrnn.rnn_tanh_seq %x, %h, %wi, %wh, %bi, %bh : "
                 "tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<3x2xf64>, "
                 "tensor<3x3xf64>, tensor<3xf64> -> tensor<2x3x3xf64>\n"
                 "  %flat = ccrnn.reshape %hs : tensor<2x3x3xf64> -> "
                 "tensor<6x3xf64>\n"
                 "  %y = ccrnn.concat %flat, %hT {axis = 0} : "
                 "tensor<6x3xf64>, tensor<2x3xf64> -> tensor<8x3xf64>",
                 "tensor<8x3xf64>", 6},
        // Steps 1..3 of a window starting at global step 1, interval 2:
        // only the window's steps 1 (global 2) is supervised.
        RuleCase{"mse_loss", "%p: tensor<2x3x2xf64>, %t: tensor<2x3x2xf64>",
                 "%c1 = arith.constant 1 : index\n"
                 "  %m = ccrnn.mse_loss %p, %t start %c1 {interval = 2} : "
                 "tensor<2x3x2xf64> -> tensor<f64>\n"
                 "  %y = ccrnn.reshape %m : tensor<f64> -> tensor<1xf64>",
                 "tensor<1xf64>", 1},
        RuleCase{"xent_loss", "%z: tensor<2x4xf64>",
                 "%labels = arith.constant dense<[3, 1]> : tensor<2xi64>\n"
                 "  %m = ccrnn.xent_loss %z, %labels : tensor<2x4xf64>, "
                 "tensor<2xi64> -> tensor<f64>\n"
                 "  %y = ccrnn.reshape %m : tensor<f64> -> tensor<1xf64>",
                 "tensor<1xf64>", 1},
        // Row 2 is picked twice (its gradient sums both), row 1 never.
        RuleCase{"gather_rows", "%t: tensor<4x3xf64>",
                 "%i = arith.constant dense<[2, 0, 2, 3, 0]> : tensor<5xi64>\n"
                 "  %y = ccrnn.gather_rows %t[%i] : tensor<4x3xf64>, "
                 "tensor<5xi64> -> tensor<5x3xf64>",
                 "tensor<5x3xf64>", 1},
        // Through the batch's statistics too: every output depends on every
        // input row of its feature.
        RuleCase{"batch_norm_train",
                 "%x: tensor<4x3xf64>, %g: tensor<3xf64>, %b: tensor<3xf64>",
                 "%y, %m, %v = ccrnn.batch_norm_train %x, %g, %b "
                 "{epsilon = 1.0e-5} : tensor<4x3xf64>, tensor<3xf64>",
                 "tensor<4x3xf64>", 3}),
    [](const ::testing::TestParamInfo<RuleCase> &info) {
      return std::string(info.param.name);
    });

} // namespace
