//===- EvaluatorTest.cpp - the double-precision reference evaluator -------===//
//
// Forward ops against values worked out by hand here; gradient ops against
// central finite differences of the forward ops; errors as diagnostics.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Reference/Evaluator.h"
#include "ccrnn/CCRNNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir;
using ccrnn::reference::Evaluator;
using ccrnn::reference::Tensor;

namespace {

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

Tensor scalar(double value) { return Tensor{{}, {value}}; }

/// Values uniform in ±[0.1, 1]: never 0, so no term of a gradient vanishes.
Tensor randomTensor(std::vector<int64_t> shape, std::mt19937 &rng) {
  std::uniform_real_distribution<double> magnitude(0.1, 1.0);
  std::bernoulli_distribution negative(0.5);
  Tensor t{std::move(shape), {}};
  for (int64_t i = 0; i < t.numElements(); ++i)
    t.data.push_back(negative(rng) ? -magnitude(rng) : magnitude(rng));
  return t;
}

void expectTensor(const Tensor &t, std::vector<int64_t> shape,
                  std::vector<double> data, double tolerance = 1e-12) {
  EXPECT_EQ(t.shape, shape);
  ASSERT_EQ(t.data.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i)
    EXPECT_NEAR(t.data[i], data[i], tolerance) << "element " << i;
}

class EvaluatorTest : public ::testing::Test {
protected:
  EvaluatorTest() {
    context.loadDialect<ccrnn::CCRNNDialect, arith::ArithDialect,
                        func::FuncDialect, scf::SCFDialect>();
  }

  void parse(StringRef source) {
    module = parseSourceString<ModuleOp>(source, &context);
    ASSERT_TRUE(module) << "the test program does not parse";
  }

  /// Calls @name, collecting diagnostics in `errors`.
  FailureOr<std::vector<Tensor>> call(StringRef name,
                                      const std::vector<Tensor> &args) {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      errors += diag.str() + "\n";
      return success();
    });
    return Evaluator(*module).call(name, args);
  }

  std::vector<Tensor> run(StringRef name, const std::vector<Tensor> &args) {
    FailureOr<std::vector<Tensor>> results = call(name, args);
    if (failed(results)) {
      ADD_FAILURE() << "@" << name.str() << " failed: " << errors;
      return {};
    }
    return *results;
  }

  /// Expects @name to fail with a diagnostic containing `message`.
  void expectError(StringRef name, const std::vector<Tensor> &args,
                   StringRef message) {
    errors.clear();
    EXPECT_TRUE(failed(call(name, args)));
    EXPECT_NE(errors.find(message.str()), std::string::npos)
        << "diagnostics: " << errors;
  }

  /// Checks @bwd(args..., cotangents...), whose results are the gradients
  /// with respect to args[wrt[0]], args[wrt[1]], ..., against central
  /// differences of the random linear functional sum_i <cot_i, @fwd(args)_i>.
  void expectGradientsMatch(StringRef fwd, StringRef bwd,
                            std::vector<Tensor> args, std::vector<size_t> wrt) {
    std::mt19937 rng(1234);
    std::vector<Tensor> cotangents;
    for (const Tensor &result : run(fwd, args))
      cotangents.push_back(randomTensor(result.shape, rng));
    std::vector<Tensor> bwdArgs = args;
    bwdArgs.insert(bwdArgs.end(), cotangents.begin(), cotangents.end());
    std::vector<Tensor> grads = run(bwd, bwdArgs);
    ASSERT_EQ(grads.size(), wrt.size());

    auto functional = [&](const std::vector<Tensor> &at) {
      double sum = 0;
      std::vector<Tensor> results = run(fwd, at);
      for (size_t i = 0; i < results.size(); ++i)
        for (size_t j = 0; j < results[i].data.size(); ++j)
          sum += cotangents[i].data[j] * results[i].data[j];
      return sum;
    };
    const double eps = 1e-5;
    for (size_t k = 0; k < wrt.size(); ++k) {
      const Tensor &grad = grads[k];
      ASSERT_EQ(grad.shape, args[wrt[k]].shape) << "gradient #" << k;
      double maxError = 0, maxGrad = 0;
      for (size_t e = 0; e < grad.data.size(); ++e) {
        std::vector<Tensor> plus = args, minus = args;
        plus[wrt[k]].data[e] += eps;
        minus[wrt[k]].data[e] -= eps;
        double fd = (functional(plus) - functional(minus)) / (2 * eps);
        maxError = std::max(maxError, std::abs(grad.data[e] - fd));
        maxGrad = std::max(maxGrad, std::abs(grad.data[e]));
      }
      EXPECT_GT(maxGrad, 0) << "gradient #" << k;
      EXPECT_LE(maxError, 1e-6 * maxGrad) << "gradient #" << k;
    }
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::string errors;
};

TEST_F(EvaluatorTest, ComputesInDoubleWhateverTheElementType) {
  parse(R"mlir(
    func.func @f(%a: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
      %c = ccrnn.add %a, %b : tensor<f32>
      return %c : tensor<f32>
    })mlir");
  std::vector<Tensor> r = run("f", {scalar(0.1), scalar(0.2)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].data[0], 0.1 + 0.2) << "not rounded to float";
}

TEST_F(EvaluatorTest, Matmul) {
  parse(R"mlir(
    func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>,
                 %at: tensor<3x2xf32>, %bt: tensor<2x3xf32>)
        -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
      %0 = ccrnn.matmul %a, %b : tensor<2x3xf32>, tensor<3x2xf32> -> tensor<2x2xf32>
      %1 = ccrnn.matmul %at, %b {transpose_lhs} : tensor<3x2xf32>, tensor<3x2xf32> -> tensor<2x2xf32>
      %2 = ccrnn.matmul %a, %bt {transpose_rhs} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x2xf32>
      return %0, %1, %2 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
    })mlir");
  Tensor a{{2, 3}, {1, 2, 3, 4, 5, 6}}, b{{3, 2}, {7, 8, 9, 10, 11, 12}};
  Tensor at{{3, 2}, {1, 4, 2, 5, 3, 6}}, bt{{2, 3}, {7, 9, 11, 8, 10, 12}};
  std::vector<Tensor> r = run("f", {a, b, at, bt});
  ASSERT_EQ(r.size(), 3u);
  // [1 2 3; 4 5 6] x [7 8; 9 10; 11 12]
  for (const Tensor &product : r)
    expectTensor(product, {2, 2}, {58, 64, 139, 154});
}

TEST_F(EvaluatorTest, ElementwiseAndLayout) {
  parse(R"mlir(
    func.func @f(%a: tensor<2x2xf64>, %b: tensor<2x2xf64>, %v: tensor<2xf64>)
        -> (tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>,
            tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>,
            tensor<3x2xf64>, tensor<2xf64>, tensor<4xf64>) {
      %add = ccrnn.add %a, %b : tensor<2x2xf64>
      %sub = ccrnn.sub %a, %b : tensor<2x2xf64>
      %mul = ccrnn.mul %a, %b : tensor<2x2xf64>
      %scale = ccrnn.scale %a by 0.5 : tensor<2x2xf64>
      %sig = ccrnn.sigmoid %a : tensor<2x2xf64>
      %tanh = ccrnn.tanh %a : tensor<2x2xf64>
      %relu = ccrnn.relu %a : tensor<2x2xf64>
      %step = ccrnn.step %a : tensor<2x2xf64>
      %bc = ccrnn.broadcast %v : tensor<2xf64> -> tensor<3x2xf64>
      %sum = ccrnn.reduce_sum %a : tensor<2x2xf64> -> tensor<2xf64>
      %t = ccrnn.truncate %a : tensor<2x2xf64>
      %flat = ccrnn.reshape %t : tensor<2x2xf64> -> tensor<4xf64>
      ccrnn.synthetic_gradient %a, %b {scale = 0.1} : tensor<2x2xf64>
      ccrnn.synthesizer_target %a, %b : tensor<2x2xf64>
      return %add, %sub, %mul, %scale, %sig, %tanh, %relu, %step, %bc, %sum, %flat
          : tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>,
            tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>,
            tensor<3x2xf64>, tensor<2xf64>, tensor<4xf64>
    })mlir");
  Tensor a{{2, 2}, {-1, 0, 0.5, 2}}, b{{2, 2}, {3, 4, 5, 6}}, v{{2}, {7, 8}};
  std::vector<Tensor> r = run("f", {a, b, v});
  ASSERT_EQ(r.size(), 11u);
  expectTensor(r[0], {2, 2}, {2, 4, 5.5, 8});
  expectTensor(r[1], {2, 2}, {-4, -4, -4.5, -4});
  expectTensor(r[2], {2, 2}, {-3, 0, 2.5, 12});
  expectTensor(r[3], {2, 2}, {-0.5, 0, 0.25, 1});
  expectTensor(r[4], {2, 2}, {sigmoid(-1), 0.5, sigmoid(0.5), sigmoid(2)});
  expectTensor(r[5], {2, 2},
               {std::tanh(-1.0), 0, std::tanh(0.5), std::tanh(2.0)});
  expectTensor(r[6], {2, 2}, {0, 0, 0.5, 2});
  expectTensor(r[7], {2, 2}, {0, 0, 1, 1});
  expectTensor(r[8], {3, 2}, {7, 8, 7, 8, 7, 8});
  expectTensor(r[9], {2}, {-0.5, 2});
  expectTensor(r[10], {4}, {-1, 0, 0.5, 2});
}

TEST_F(EvaluatorTest, ConcatAndSplit) {
  parse(R"mlir(
    func.func @f(%a: tensor<2x1xf64>, %b: tensor<2x2xf64>)
        -> (tensor<2x3xf64>, tensor<4x1xf64>, tensor<2x2xf64>, tensor<2x1xf64>) {
      %c = ccrnn.concat %a, %b {axis = 1} : tensor<2x1xf64>, tensor<2x2xf64> -> tensor<2x3xf64>
      %d = ccrnn.concat %a, %a {axis = 0} : tensor<2x1xf64>, tensor<2x1xf64> -> tensor<4x1xf64>
      %x, %y = ccrnn.split %c {axis = 1} : tensor<2x3xf64> -> tensor<2x2xf64>, tensor<2x1xf64>
      return %c, %d, %x, %y : tensor<2x3xf64>, tensor<4x1xf64>, tensor<2x2xf64>, tensor<2x1xf64>
    })mlir");
  std::vector<Tensor> r =
      run("f", {Tensor{{2, 1}, {1, 2}}, Tensor{{2, 2}, {3, 4, 5, 6}}});
  ASSERT_EQ(r.size(), 4u);
  expectTensor(r[0], {2, 3}, {1, 3, 4, 2, 5, 6});
  expectTensor(r[1], {4, 1}, {1, 2, 1, 2});
  expectTensor(r[2], {2, 2}, {1, 3, 2, 5});
  expectTensor(r[3], {2, 1}, {4, 6});
}

TEST_F(EvaluatorTest, TimeSlice) {
  parse(R"mlir(
    func.func @f(%x: tensor<2x4x2xf64>, %t: index) -> tensor<2x2x2xf64> {
      %w = ccrnn.time_slice %x at %t : tensor<2x4x2xf64> -> tensor<2x2x2xf64>
      return %w : tensor<2x2x2xf64>
    })mlir");
  Tensor x{{2, 4, 2}, {}};
  for (int i = 0; i < 16; ++i)
    x.data.push_back(i);
  std::vector<Tensor> r = run("f", {x, scalar(1)});
  ASSERT_EQ(r.size(), 1u);
  expectTensor(r[0], {2, 2, 2}, {2, 3, 4, 5, 10, 11, 12, 13});
  r = run("f", {x, scalar(2)});
  ASSERT_EQ(r.size(), 1u);
  expectTensor(r[0], {2, 2, 2}, {4, 5, 6, 7, 12, 13, 14, 15});
  expectError("f", {x, scalar(3)},
              "window [3, 5) exceeds the 4 steps of the input");
}

TEST_F(EvaluatorTest, MSELossSupervisesEveryIntervalthGlobalStep) {
  parse(R"mlir(
    func.func @f(%p: tensor<1x3x2xf64>, %t: tensor<1x3x2xf64>, %s: index)
        -> (tensor<f64>, tensor<f64>, tensor<f64>) {
      %l = ccrnn.mse_loss %p, %t start %s {interval = 2} : tensor<1x3x2xf64> -> tensor<f64>
      %n = ccrnn.supervised_steps %s {steps = 3, interval = 2} : tensor<f64>
      %all = ccrnn.mse_loss %p, %t : tensor<1x3x2xf64> -> tensor<f64>
      return %l, %n, %all : tensor<f64>, tensor<f64>, tensor<f64>
    }
    func.func @one(%p: tensor<1x1x2xf64>, %t: tensor<1x1x2xf64>, %s: index)
        -> (tensor<f64>, tensor<f64>) {
      %l = ccrnn.mse_loss %p, %t start %s {interval = 2} : tensor<1x1x2xf64> -> tensor<f64>
      %n = ccrnn.supervised_steps %s {steps = 1, interval = 2} : tensor<f64>
      return %l, %n : tensor<f64>, tensor<f64>
    })mlir");
  // Squared errors per element: step 0: 1, 4; step 1: 9, 16; step 2: 25, 36.
  Tensor p{{1, 3, 2}, {1, 2, 3, 4, 5, 6}}, t = Tensor{{1, 3, 2}, {}};
  t.data.assign(6, 0);
  std::vector<Tensor> r = run("f", {p, t, scalar(1)});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_DOUBLE_EQ(r[0].data[0], (9 + 16) / 2.0) << "global steps 1, 2, 3";
  EXPECT_EQ(r[1].data[0], 1);
  EXPECT_DOUBLE_EQ(r[2].data[0], 91 / 6.0);
  r = run("f", {p, t, scalar(0)});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_DOUBLE_EQ(r[0].data[0], (1 + 4 + 25 + 36) / 4.0);
  EXPECT_EQ(r[1].data[0], 2);

  Tensor p1{{1, 1, 2}, {1, 2}}, t1{{1, 1, 2}, {0, 0}};
  r = run("one", {p1, t1, scalar(1)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].data[0], 0) << "a window without a supervised step";
  EXPECT_EQ(r[1].data[0], 0);
  r = run("one", {p1, t1, scalar(2)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_DOUBLE_EQ(r[0].data[0], 2.5);
  EXPECT_EQ(r[1].data[0], 1);
}

TEST_F(EvaluatorTest, CrossEntropyLoss) {
  parse(R"mlir(
    func.func @f(%z: tensor<2x3xf64>, %y: tensor<2xi64>) -> tensor<f64> {
      %l = ccrnn.xent_loss %z, %y : tensor<2x3xf64>, tensor<2xi64> -> tensor<f64>
      return %l : tensor<f64>
    })mlir");
  std::vector<Tensor> r =
      run("f", {Tensor{{2, 3}, {1, 2, 3, 0, 0, 0}}, Tensor{{2}, {2, 0}}});
  ASSERT_EQ(r.size(), 1u);
  double first = std::log(std::exp(1) + std::exp(2) + std::exp(3)) - 3;
  EXPECT_NEAR(r[0].data[0], (first + std::log(3.0)) / 2, 1e-14);

  // Large logits: the log-sum-exp must not overflow.
  r = run("f",
          {Tensor{{2, 3}, {1000, 0, 0, 0, 0, -1000}}, Tensor{{2}, {0, 2}}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NEAR(r[0].data[0], (0 + 1000 + std::log(2.0)) / 2, 1e-9);

  expectError("f", {Tensor{{2, 3}, {1, 2, 3, 0, 0, 0}}, Tensor{{2}, {0, 3}}},
              "label 3 of batch entry 1 is out of range [0, 3)");
  expectError("f", {Tensor{{2, 3}, {1, 2, 3, 0, 0, 0}}, Tensor{{2}, {-1, 0}}},
              "label -1 of batch entry 0 is out of range [0, 3)");
}

TEST_F(EvaluatorTest, LSTMSeqStepByStep) {
  parse(R"mlir(
    func.func @f(%x: tensor<1x2x1xf64>, %h0: tensor<1x1xf64>, %c0: tensor<1x1xf64>,
                 %wih: tensor<4x1xf64>, %whh: tensor<4x1xf64>,
                 %bih: tensor<4xf64>, %bhh: tensor<4xf64>)
        -> (tensor<1x2x1xf64>, tensor<1x1xf64>, tensor<1x1xf64>) {
      %hs, %h, %c = ccrnn.lstm_seq %x, %h0, %c0, %wih, %whh, %bih, %bhh
          : tensor<1x2x1xf64>, tensor<1x1xf64>, tensor<4x1xf64>, tensor<4x1xf64>,
            tensor<4xf64> -> tensor<1x2x1xf64>
      return %hs, %h, %c : tensor<1x2x1xf64>, tensor<1x1xf64>, tensor<1x1xf64>
    })mlir");
  double x[] = {0.5, -1.0}, wih[] = {0.1, 0.2, 0.3, 0.4},
         whh[] = {0.5, -0.6, 0.7, -0.8}, bih[] = {0.01, 0.02, 0.03, 0.04},
         bhh[] = {0.05, 0.06, 0.07, 0.08};
  double h = 0.2, c = -0.3, hs[2];
  for (int t = 0; t < 2; ++t) {
    auto z = [&](int gate) {
      return wih[gate] * x[t] + bih[gate] + whh[gate] * h + bhh[gate];
    };
    double i = sigmoid(z(0)), f = sigmoid(z(1)), g = std::tanh(z(2)),
           o = sigmoid(z(3));
    c = f * c + i * g;
    h = o * std::tanh(c);
    hs[t] = h;
  }
  std::vector<Tensor> r =
      run("f", {Tensor{{1, 2, 1}, {x[0], x[1]}}, Tensor{{1, 1}, {0.2}},
                Tensor{{1, 1}, {-0.3}}, Tensor{{4, 1}, {wih, wih + 4}},
                Tensor{{4, 1}, {whh, whh + 4}}, Tensor{{4}, {bih, bih + 4}},
                Tensor{{4}, {bhh, bhh + 4}}});
  ASSERT_EQ(r.size(), 3u);
  expectTensor(r[0], {1, 2, 1}, {hs[0], hs[1]});
  expectTensor(r[1], {1, 1}, {h});
  expectTensor(r[2], {1, 1}, {c});
}

TEST_F(EvaluatorTest, RNNTanhSeqOneStep) {
  parse(R"mlir(
    func.func @f(%x: tensor<1x1x2xf64>, %h0: tensor<1x1xf64>,
                 %wih: tensor<1x2xf64>, %whh: tensor<1x1xf64>,
                 %bih: tensor<1xf64>, %bhh: tensor<1xf64>)
        -> (tensor<1x1x1xf64>, tensor<1x1xf64>) {
      %hs, %h = ccrnn.rnn_tanh_seq %x, %h0, %wih, %whh, %bih, %bhh
          : tensor<1x1x2xf64>, tensor<1x1xf64>, tensor<1x2xf64>, tensor<1x1xf64>,
            tensor<1xf64> -> tensor<1x1x1xf64>
      return %hs, %h : tensor<1x1x1xf64>, tensor<1x1xf64>
    })mlir");
  std::vector<Tensor> r =
      run("f", {Tensor{{1, 1, 2}, {1, 2}}, Tensor{{1, 1}, {0.5}},
                Tensor{{1, 2}, {0.3, -0.2}}, Tensor{{1, 1}, {0.4}},
                Tensor{{1}, {0.1}}, Tensor{{1}, {0.05}}});
  ASSERT_EQ(r.size(), 2u);
  double h = std::tanh(0.3 * 1 - 0.2 * 2 + 0.1 + 0.4 * 0.5 + 0.05);
  expectTensor(r[0], {1, 1, 1}, {h});
  expectTensor(r[1], {1, 1}, {h});
}

TEST_F(EvaluatorTest, ControlFlowAndIntegerArithmetic) {
  parse(R"mlir(
    func.func @twice(%x: tensor<2xf64>) -> tensor<2xf64> {
      %y = ccrnn.add %x, %x : tensor<2xf64>
      return %y : tensor<2xf64>
    }
    func.func @loop(%x: tensor<2xf64>, %n: index) -> (tensor<2xf64>, index) {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %zero = arith.constant dense<0.0> : tensor<2xf64>
      %acc, %sum = scf.for %i = %c0 to %n step %c1
          iter_args(%a = %zero, %s = %c0) -> (tensor<2xf64>, index) {
        %a2 = ccrnn.add %a, %x : tensor<2xf64>
        %s2 = arith.addi %s, %i : index
        scf.yield %a2, %s2 : tensor<2xf64>, index
      }
      %twice = func.call @twice(%acc) : (tensor<2xf64>) -> tensor<2xf64>
      return %twice, %sum : tensor<2xf64>, index
    }
    func.func @ints(%a: index, %b: index)
        -> (index, index, index, index, index, index, index, index) {
      %0 = arith.addi %a, %b : index
      %1 = arith.subi %a, %b : index
      %2 = arith.muli %a, %b : index
      %3 = arith.divsi %a, %b : index
      %4 = arith.remsi %a, %b : index
      %5 = arith.ceildivsi %a, %b : index
      %6 = arith.minsi %a, %b : index
      %7 = arith.maxsi %a, %b : index
      return %0, %1, %2, %3, %4, %5, %6, %7
          : index, index, index, index, index, index, index, index
    }
    func.func @floats(%a: f32) -> f32 {
      %c = arith.constant 0.25 : f32
      %0 = arith.addf %a, %c : f32
      %1 = arith.mulf %0, %a : f32
      %2 = arith.subf %1, %c : f32
      %3 = arith.divf %2, %a : f32
      return %3 : f32
    }
    func.func @constants() -> (tensor<2x2xf32>, tensor<3xi64>) {
      %0 = arith.constant dense<[[1.5, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
      %1 = arith.constant dense<[1, -2, 3]> : tensor<3xi64>
      return %0, %1 : tensor<2x2xf32>, tensor<3xi64>
    })mlir");
  Tensor x{{2}, {1.5, -2}};
  std::vector<Tensor> r = run("loop", {x, scalar(5)});
  ASSERT_EQ(r.size(), 2u);
  expectTensor(r[0], {2}, {15, -20});
  expectTensor(r[1], {}, {0 + 1 + 2 + 3 + 4});
  r = run("loop", {x, scalar(0)});
  ASSERT_EQ(r.size(), 2u);
  expectTensor(r[0], {2}, {0, 0});

  r = run("ints", {scalar(-7), scalar(2)});
  ASSERT_EQ(r.size(), 8u);
  double expected[] = {-5, -9, -14, -3, -1, -3, -7, 2};
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(r[i].data[0], expected[i]) << "result " << i;
  r = run("ints", {scalar(7), scalar(2)});
  ASSERT_EQ(r.size(), 8u);
  EXPECT_EQ(r[5].data[0], 4) << "ceildivsi rounds up";
  expectError("ints", {scalar(7), scalar(0)}, "divides by zero");

  r = run("floats", {scalar(0.5)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_DOUBLE_EQ(r[0].data[0], ((0.5 + 0.25) * 0.5 - 0.25) / 0.5);

  r = run("constants", {});
  ASSERT_EQ(r.size(), 2u);
  expectTensor(r[0], {2, 2}, {1.5, 2, 3, 4});
  expectTensor(r[1], {3}, {1, -2, 3});
}

TEST_F(EvaluatorTest, LSTMSeqGradMatchesFiniteDifferences) {
  parse(R"mlir(
    func.func @fwd(%x: tensor<2x3x2xf64>, %h0: tensor<2x3xf64>, %c0: tensor<2x3xf64>,
                   %wih: tensor<12x2xf64>, %whh: tensor<12x3xf64>,
                   %bih: tensor<12xf64>, %bhh: tensor<12xf64>)
        -> (tensor<2x3x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>) {
      %hs, %h, %c = ccrnn.lstm_seq %x, %h0, %c0, %wih, %whh, %bih, %bhh
          : tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<12x2xf64>, tensor<12x3xf64>,
            tensor<12xf64> -> tensor<2x3x3xf64>
      return %hs, %h, %c : tensor<2x3x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>
    }
    func.func @bwd(%x: tensor<2x3x2xf64>, %h0: tensor<2x3xf64>, %c0: tensor<2x3xf64>,
                   %wih: tensor<12x2xf64>, %whh: tensor<12x3xf64>,
                   %bih: tensor<12xf64>, %bhh: tensor<12xf64>,
                   %dhs: tensor<2x3x3xf64>, %dh: tensor<2x3xf64>, %dc: tensor<2x3xf64>)
        -> (tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<12x2xf64>,
            tensor<12x3xf64>, tensor<12xf64>, tensor<12xf64>) {
      %g:7 = ccrnn.lstm_seq_grad %x, %h0, %c0, %wih, %whh, %bih, %bhh
          cotangents %dhs, %dh, %dc
          : tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<12x2xf64>, tensor<12x3xf64>,
            tensor<12xf64>, tensor<2x3x3xf64>
      return %g#0, %g#1, %g#2, %g#3, %g#4, %g#5, %g#6
          : tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<12x2xf64>,
            tensor<12x3xf64>, tensor<12xf64>, tensor<12xf64>
    })mlir");
  std::mt19937 rng(42);
  expectGradientsMatch("fwd", "bwd",
                       {randomTensor({2, 3, 2}, rng), randomTensor({2, 3}, rng),
                        randomTensor({2, 3}, rng), randomTensor({12, 2}, rng),
                        randomTensor({12, 3}, rng), randomTensor({12}, rng),
                        randomTensor({12}, rng)},
                       {0, 1, 2, 3, 4, 5, 6});
}

TEST_F(EvaluatorTest, RNNTanhSeqGradMatchesFiniteDifferences) {
  parse(R"mlir(
    func.func @fwd(%x: tensor<2x3x2xf64>, %h0: tensor<2x3xf64>,
                   %wih: tensor<3x2xf64>, %whh: tensor<3x3xf64>,
                   %bih: tensor<3xf64>, %bhh: tensor<3xf64>)
        -> (tensor<2x3x3xf64>, tensor<2x3xf64>) {
      %hs, %h = ccrnn.rnn_tanh_seq %x, %h0, %wih, %whh, %bih, %bhh
          : tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<3x2xf64>, tensor<3x3xf64>,
            tensor<3xf64> -> tensor<2x3x3xf64>
      return %hs, %h : tensor<2x3x3xf64>, tensor<2x3xf64>
    }
    func.func @bwd(%x: tensor<2x3x2xf64>, %h0: tensor<2x3xf64>,
                   %wih: tensor<3x2xf64>, %whh: tensor<3x3xf64>,
                   %bih: tensor<3xf64>, %bhh: tensor<3xf64>,
                   %dhs: tensor<2x3x3xf64>, %dh: tensor<2x3xf64>)
        -> (tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<3x2xf64>, tensor<3x3xf64>,
            tensor<3xf64>, tensor<3xf64>) {
      %g:6 = ccrnn.rnn_tanh_seq_grad %x, %h0, %wih, %whh, %bih, %bhh
          cotangents %dhs, %dh
          : tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<3x2xf64>, tensor<3x3xf64>,
            tensor<3xf64>, tensor<2x3x3xf64>
      return %g#0, %g#1, %g#2, %g#3, %g#4, %g#5
          : tensor<2x3x2xf64>, tensor<2x3xf64>, tensor<3x2xf64>, tensor<3x3xf64>,
            tensor<3xf64>, tensor<3xf64>
    })mlir");
  std::mt19937 rng(43);
  expectGradientsMatch("fwd", "bwd",
                       {randomTensor({2, 3, 2}, rng), randomTensor({2, 3}, rng),
                        randomTensor({3, 2}, rng), randomTensor({3, 3}, rng),
                        randomTensor({3}, rng), randomTensor({3}, rng)},
                       {0, 1, 2, 3, 4, 5});
}

TEST_F(EvaluatorTest, MSELossGradMatchesFiniteDifferences) {
  parse(R"mlir(
    func.func @fwd(%p: tensor<2x3x2xf64>, %t: tensor<2x3x2xf64>, %s: index)
        -> tensor<f64> {
      %l = ccrnn.mse_loss %p, %t start %s {interval = 2} : tensor<2x3x2xf64> -> tensor<f64>
      return %l : tensor<f64>
    }
    func.func @bwd(%p: tensor<2x3x2xf64>, %t: tensor<2x3x2xf64>, %s: index,
                   %cot: tensor<f64>) -> tensor<2x3x2xf64> {
      %g = ccrnn.mse_loss_grad %p, %t, %cot start %s {interval = 2}
          : tensor<2x3x2xf64>, tensor<f64>
      return %g : tensor<2x3x2xf64>
    })mlir");
  std::mt19937 rng(44);
  expectGradientsMatch(
      "fwd", "bwd",
      {randomTensor({2, 3, 2}, rng), randomTensor({2, 3, 2}, rng), scalar(1)},
      {0});
}

TEST_F(EvaluatorTest, CrossEntropyLossGradMatchesFiniteDifferences) {
  parse(R"mlir(
    func.func @fwd(%z: tensor<3x4xf64>, %y: tensor<3xi32>) -> tensor<f64> {
      %l = ccrnn.xent_loss %z, %y : tensor<3x4xf64>, tensor<3xi32> -> tensor<f64>
      return %l : tensor<f64>
    }
    func.func @bwd(%z: tensor<3x4xf64>, %y: tensor<3xi32>, %cot: tensor<f64>)
        -> tensor<3x4xf64> {
      %g = ccrnn.xent_loss_grad %z, %y, %cot
          : tensor<3x4xf64>, tensor<3xi32>, tensor<f64>
      return %g : tensor<3x4xf64>
    })mlir");
  std::mt19937 rng(45);
  expectGradientsMatch(
      "fwd", "bwd", {randomTensor({3, 4}, rng), Tensor{{3}, {3, 0, 1}}}, {0});
}

TEST_F(EvaluatorTest, ReportsErrorsAsDiagnostics) {
  parse(R"mlir(
    func.func @f(%a: tensor<2xf64>, %b: tensor<2xf64>) -> tensor<2xf64> {
      %c = ccrnn.add %a, %b : tensor<2xf64>
      return %c : tensor<2xf64>
    }
    func.func @negate(%a: f64) -> f64 {
      %b = arith.negf %a : f64
      return %b : f64
    }
    func.func @window(%p: tensor<2xf64>) -> tensor<f64> {
      %l = ccrnn.reduce_sum %p : tensor<2xf64> -> tensor<f64>
      return %l : tensor<f64>
    }
    func.func @train(%p: tensor<2xf64>) -> (tensor<f64>, tensor<2xf64>) {
      %l, %g = ccrnn.value_and_grad @window(%p) {num_params = 1}
          : (tensor<2xf64>) -> (tensor<f64>, tensor<2xf64>)
      return %l, %g : tensor<f64>, tensor<2xf64>
    })mlir");
  Tensor v{{2}, {1, 2}};
  expectError("nope", {}, "no func.func named @nope");
  expectError("f", {v}, "@f takes 2 arguments, got 1");
  expectError(
      "f", {v, Tensor{{3}, {1, 2, 3}}},
      "argument #1 of @f, of type 'tensor<2xf64>', was given shape [3]");
  expectError("negate", {scalar(1)},
              "'arith.negf' op is not supported by the reference evaluator");
  expectError("train", {v}, "run --ccrnn-autodiff first");
}

} // namespace
