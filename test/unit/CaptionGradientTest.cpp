//===- CaptionGradientTest.cpp - a token model's window vs FD ---*- C++ -*-===//
//
// The programs ccrnn-build-training makes of a caption model (an image
// vector through a linear map and a batch norm, prepended to embedded
// tokens, dropout, an LSTM, the next-token cross-entropy, a cerebellum),
// differentiated by ccrnn-autodiff and run by the reference evaluator, in
// double precision:
//  - every gradient but the synthesizer's is that of
//    loss + <s1, stop_grad(scale * S(s1))> by central finite differences
//    of the window's forward pass (the truncation and the injection);
//  - the synthesizer's is that of sum (S(s0) - g)^2, with g the gradient of
//    that objective at the window's first state, itself by finite
//    differences;
//  - the running statistics move by PyTorch's rule (unbiased variance),
//    computed here from the window's own batch.
// Both a first window (the vector step, the statistics) and a later one
// (tokens only) are checked, ccrnn-optimize changes nothing, and the
// evaluation program's loss is the cross-entropy of the scores it returns.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Reference/Evaluator.h"
#include "ccrnn/Transforms/Passes.h"

#include "FiniteDifferences.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "gtest/gtest.h"

#include <cmath>
#include <functional>
#include <random>

using namespace mlir;
using namespace ccrnn;
using reference::Evaluator;
using reference::Tensor;

namespace {

constexpr int64_t kBatch = 3, kSteps = 3, kFeatures = 5, kEmbed = 4,
                  kHidden = 3, kVocab = 6;
constexpr double kMomentum = 0.1, kScale = 0.1, kStep = 1e-5;

const char *const kModel = R"mlir(
ccrnn.model @m(%image: !ccrnn.vec<5>, %words: !ccrnn.tokens<6>) -> !ccrnn.seq<6> {
  %e = ccrnn.linear %image features = 4 : !ccrnn.vec<5> -> !ccrnn.vec<4>
  %n = ccrnn.batch_norm %e momentum = 0.1 : !ccrnn.vec<4>
  %w = ccrnn.embedding %words features = 4 : !ccrnn.tokens<6> -> !ccrnn.seq<4>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<4>, !ccrnn.seq<4>
  %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<4>
  %h = ccrnn.lstm %d hidden = 3 : !ccrnn.seq<4> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 6 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<6>
  ccrnn.cerebellum %h layers = 1, width = 4, scale = 0.1 : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<6>
}
)mlir";

std::vector<int64_t> shapeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return {tensor.getShape().begin(), tensor.getShape().end()};
}

Tensor randomTensor(std::vector<int64_t> shape, std::mt19937 &rng, double lo,
                    double hi) {
  Tensor t{std::move(shape), {}};
  std::uniform_real_distribution<double> dist(lo, hi);
  t.data.resize(t.numElements());
  for (double &v : t.data)
    v = dist(rng);
  return t;
}

Tensor indices(int64_t n, std::mt19937 &rng) {
  Tensor t{{n}, {}};
  for (int64_t i = 0; i < n; ++i)
    t.data.push_back(double(rng() % kVocab));
  return t;
}

Tensor finiteDifference(Tensor &x, const std::function<double()> &f) {
  return ccrnn::testing::finiteDifference(x, f, kStep);
}

void expectClose(const Tensor &actual, const Tensor &expected,
                 const std::string &what, double tolerance = 1e-6) {
  ASSERT_EQ(actual.shape, expected.shape) << what;
  double diff = 0, scale = 0;
  for (size_t i = 0; i < expected.data.size(); ++i) {
    diff = std::max(diff, std::abs(actual.data[i] - expected.data[i]));
    scale = std::max(scale, std::abs(expected.data[i]));
  }
  // The encoder's bias has no gradient (the batch norm removes any shift):
  // near zero the error is measured against 1e-3, i.e. absolutely.
  EXPECT_LE(diff / std::max(scale, 1e-3), tolerance) << what;
}

/// [h, c] rows of the LSTM state.
Tensor concatStates(const Tensor &h, const Tensor &c) {
  Tensor s{{kBatch, 2 * kHidden}, {}};
  for (int64_t b = 0; b < kBatch; ++b) {
    s.data.insert(s.data.end(), h.data.begin() + b * kHidden,
                  h.data.begin() + (b + 1) * kHidden);
    s.data.insert(s.data.end(), c.data.begin() + b * kHidden,
                  c.data.begin() + (b + 1) * kHidden);
  }
  return s;
}

/// S(s) = W_1 relu(W_0 s + b_0) + b_1, written out.
Tensor synthesize(const Tensor &w0, const Tensor &b0, const Tensor &w1,
                  const Tensor &b1, const Tensor &s) {
  auto layer = [](const Tensor &w, const Tensor &b, const Tensor &x,
                  bool relu) {
    int64_t rows = x.shape[0], in = w.shape[1], out = w.shape[0];
    Tensor y{{rows, out}, std::vector<double>(rows * out)};
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < out; ++o) {
        double sum = b.data[o];
        for (int64_t k = 0; k < in; ++k) {
          double v = x.data[r * in + k];
          sum += w.data[o * in + k] * (relu ? std::max(v, 0.0) : v);
        }
        y.data[r * out + o] = sum;
      }
    return y;
  };
  return layer(w1, b1, layer(w0, b0, s, false), true);
}

using ccrnn::testing::dot;

/// The model's programs for one window kind, with random arrays.
struct CaptionWindow {
  explicit CaptionWindow(bool firstWindow) : first(firstWindow) {
    context.loadDialect<CCRNNDialect, arith::ArithDialect, func::FuncDialect,
                        scf::SCFDialect>();
    forward = parseSourceString<ModuleOp>(kModel, ParserConfig(&context));
    EXPECT_TRUE(forward);
    CCRNNBuildTrainingOptions options;
    options.batch = kBatch;
    options.steps = kSteps;
    options.firstWindow = firstWindow;
    run(*forward, [&](PassManager &pm) {
      pm.addPass(createCCRNNBuildTraining(options));
    });
    differentiated = forward->clone();
    run(*differentiated,
        [](PassManager &pm) { pm.addPass(createCCRNNAutodiff()); });
    optimized = differentiated->clone();
    run(*optimized, [](PassManager &pm) { pm.addPass(createCCRNNOptimize()); });

    auto train = forward->lookupSymbol<func::FuncOp>("m_train");
    std::mt19937 rng(firstWindow ? 5 : 6);
    while (train.getArgAttr(numParams, kParameterAttr))
      params.push_back(
          randomTensor(shapeOf(train.getArgumentTypes()[numParams++]), rng,
                       -0.5, 0.5));
    int64_t tokens = kSteps - (first ? 1 : 0);
    if (first)
      vector = randomTensor({kBatch, kFeatures}, rng, -1, 1);
    input = indices(kBatch * tokens, rng);
    target = indices(kBatch * kSteps, rng);
    dropoutMask = Tensor{{kBatch, kSteps, kEmbed}, {}};
    for (int64_t i = 0; i < kBatch * kSteps * kEmbed; ++i)
      dropoutMask.data.push_back(rng() % 2 ? 2.0 : 0.0);
    if (first) {
      statistics.push_back(randomTensor({kEmbed}, rng, -0.5, 0.5));
      statistics.push_back(randomTensor({kEmbed}, rng, 0.5, 1.5));
    }
    h0 = randomTensor({kBatch, kHidden}, rng, -0.8, 0.8);
    c0 = randomTensor({kBatch, kHidden}, rng, -0.8, 0.8);
  }

  void run(ModuleOp module, const std::function<void(PassManager &)> &add) {
    PassManager pm(&context);
    add(pm);
    EXPECT_TRUE(succeeded(pm.run(module)));
  }

  /// The token arrays in the programs' order; `training` adds the mask.
  std::vector<Tensor> arrays(bool training) const {
    std::vector<Tensor> a;
    if (first)
      a.push_back(vector);
    a.push_back(input);
    a.push_back(target);
    if (training)
      a.push_back(dropoutMask);
    a.insert(a.end(), statistics.begin(), statistics.end());
    return a;
  }

  std::vector<Tensor> call(ModuleOp module, StringRef name, bool training) {
    std::vector<Tensor> args = params;
    std::vector<Tensor> rest = arrays(training);
    args.insert(args.end(), rest.begin(), rest.end());
    args.push_back(h0);
    args.push_back(c0);
    FailureOr<std::vector<Tensor>> out = Evaluator(module).call(name, args);
    EXPECT_TRUE(succeeded(out)) << name.str();
    return succeeded(out) ? *out : std::vector<Tensor>();
  }

  /// The window's forward pass from (h, c): loss, h1, c1 [, statistics].
  std::vector<Tensor> window(const Tensor &h, const Tensor &c) {
    std::vector<Tensor> args = params;
    args.push_back(h);
    args.push_back(c);
    std::vector<Tensor> rest = arrays(/*training=*/true);
    args.insert(args.end(), rest.begin(), rest.end());
    FailureOr<std::vector<Tensor>> out =
        Evaluator(*forward).call("m_window", args);
    EXPECT_TRUE(succeeded(out));
    return succeeded(out) ? *out : std::vector<Tensor>();
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> forward, differentiated, optimized;
  bool first;
  int64_t numParams = 0;
  std::vector<Tensor> params, statistics;
  Tensor vector, input, target, dropoutMask, h0, c0;
};

class CaptionGradientTest : public ::testing::TestWithParam<bool> {};

TEST_P(CaptionGradientTest, MatchesSyntheticGradientDefinition) {
  CaptionWindow p(GetParam());
  std::vector<Tensor> out = p.call(*p.differentiated, "m_train", true);
  ASSERT_EQ(out.size(), 1 + p.numParams + 2 + (p.first ? 2 : 0));
  // Parameters: 4 recurrent, 4 synthesizer, the input group, the readout.
  const int64_t firstSynth = 4, endSynth = 8;
  auto synth = [&](const Tensor &s) {
    return synthesize(p.params[4], p.params[5], p.params[6], p.params[7], s);
  };
  std::vector<Tensor> base = p.window(p.h0, p.c0);
  Tensor injected = synth(concatStates(base[1], base[2]));
  for (double &v : injected.data)
    v *= kScale;
  auto objective = [&](const Tensor &h, const Tensor &c) {
    std::vector<Tensor> r = p.window(h, c);
    return r[0].data[0] + dot(concatStates(r[1], r[2]), injected);
  };
  for (int64_t i = 0; i < p.numParams; ++i) {
    if (i >= firstSynth && i < endSynth)
      continue;
    expectClose(out[1 + i],
                finiteDifference(p.params[i],
                                 [&] { return objective(p.h0, p.c0); }),
                "parameter " + std::to_string(i));
  }
  Tensor h = p.h0, c = p.c0;
  Tensor g = concatStates(
      finiteDifference(h, [&] { return objective(h, p.c0); }),
      finiteDifference(c, [&] { return objective(p.h0, c); }));
  auto synthLoss = [&] {
    Tensor prediction = synth(concatStates(p.h0, p.c0));
    double sum = 0;
    for (size_t k = 0; k < prediction.data.size(); ++k)
      sum += (prediction.data[k] - g.data[k]) * (prediction.data[k] - g.data[k]);
    return sum;
  };
  for (int64_t i = firstSynth; i < endSynth; ++i)
    expectClose(out[1 + i], finiteDifference(p.params[i], synthLoss),
                "synthesizer parameter " + std::to_string(i));
  // The final state is the window's.
  expectClose(out[1 + p.numParams], base[1], "final h");
  expectClose(out[2 + p.numParams], base[2], "final c");

  // ccrnn-optimize changes nothing.
  std::vector<Tensor> optimized = p.call(*p.optimized, "m_train", true);
  ASSERT_EQ(optimized.size(), out.size());
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t k = 0; k < out[i].data.size(); ++k)
      EXPECT_DOUBLE_EQ(optimized[i].data[k], out[i].data[k]) << "result " << i;
}

TEST_P(CaptionGradientTest, RunningStatisticsMoveByPyTorchsRule) {
  CaptionWindow p(GetParam());
  std::vector<Tensor> out = p.call(*p.differentiated, "m_train", true);
  if (!p.first) {
    // A later window holds no vector step: no statistics in or out.
    EXPECT_EQ(out.size(), size_t(1 + p.numParams + 2));
    return;
  }
  ASSERT_EQ(out.size(), size_t(1 + p.numParams + 4));
  // The encoder's output e = W v + b (parameters 8, 9), per feature.
  const Tensor &w = p.params[8], &bias = p.params[9];
  for (int64_t f = 0; f < kEmbed; ++f) {
    std::vector<double> e;
    for (int64_t b = 0; b < kBatch; ++b) {
      double sum = bias.data[f];
      for (int64_t k = 0; k < kFeatures; ++k)
        sum += w.data[f * kFeatures + k] * p.vector.data[b * kFeatures + k];
      e.push_back(sum);
    }
    double mean = 0, squares = 0;
    for (double v : e)
      mean += v / kBatch;
    for (double v : e)
      squares += (v - mean) * (v - mean);
    double unbiased = squares / (kBatch - 1);
    EXPECT_NEAR(out[3 + p.numParams].data[f],
                (1 - kMomentum) * p.statistics[0].data[f] + kMomentum * mean,
                1e-12);
    EXPECT_NEAR(out[4 + p.numParams].data[f],
                (1 - kMomentum) * p.statistics[1].data[f] +
                    kMomentum * unbiased,
                1e-12);
  }
}

TEST_P(CaptionGradientTest, EvaluationLossIsTheScoresCrossEntropy) {
  CaptionWindow p(GetParam());
  std::vector<Tensor> out = p.call(*p.forward, "m_eval", false);
  ASSERT_EQ(out.size(), 4u);
  const Tensor &scores = out[1];
  ASSERT_EQ(scores.shape, (std::vector<int64_t>{kBatch, kSteps, kVocab}));
  double sum = 0;
  for (int64_t r = 0; r < kBatch * kSteps; ++r) {
    const double *z = &scores.data[r * kVocab];
    double top = *std::max_element(z, z + kVocab), total = 0;
    for (int64_t k = 0; k < kVocab; ++k)
      total += std::exp(z[k] - top);
    sum += top + std::log(total) - z[int64_t(p.target.data[r])];
  }
  EXPECT_NEAR(out[0].data[0], sum / (kBatch * kSteps), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Windows, CaptionGradientTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return info.param ? "First" : "Later";
                         });

} // namespace
