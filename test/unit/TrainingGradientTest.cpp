//===- TrainingGradientTest.cpp - whole training programs vs FD -*- C++ -*-===//
//
// Checks the gradients that ccrnn-build-training + ccrnn-autodiff produce
// for whole batches against central finite differences, in double precision
// (the reference evaluator computes in double whatever the IR says), with
// the definitions of SPEC §3 written out independently here:
//  - cRNN, T >= L: the gradient of the full-sequence loss (full BPTT);
//  - cRNN, T < L: the gradient of sum_w loss_w with each window's first state
//    held fixed;
//  - ccRNN: recurrent and readout gradients of
//    sum_w loss_w + <s1_w, stop_grad(scale * S(s1_w))>, and synthesizer
//    gradients of sum_w sum (S(s0_w) - stop_grad(g_w))^2 where g_w, the
//    gradient arriving at s0_w, is itself obtained by finite differences.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Reference/Evaluator.h"
#include "ccrnn/Transforms/Passes.h"

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

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-6;

/// The sizes of the test problems: small enough for finite differences.
struct Sizes {
  int64_t batch = 2, steps = 5, input = 2, hidden = 3, output = 2;
};

CCRNNBuildTrainingOptions optionsFor(const Sizes &sizes, int64_t bptt,
                                     int64_t interval) {
  CCRNNBuildTrainingOptions options;
  options.bptt = bptt;
  options.interval = interval;
  options.batch = sizes.batch;
  options.steps = sizes.steps;
  return options;
}

std::string modelText(const char *cell, const Sizes &s, int synthLayers,
                      const char *loss) {
  std::string rnnType =
      std::string("!ccrnn.rnn<") + cell + ", " + std::to_string(s.hidden) + ">";
  std::string in = "!ccrnn.seq<" + std::to_string(s.input) + ">";
  std::string out = "!ccrnn.seq<" + std::to_string(s.output) + ">";
  std::string op =
      std::string(cell) == "lstm" ? "ccrnn.lstm" : "ccrnn.rnn_tanh";
  std::string text =
      "ccrnn.model @m(%x: " + in + ") -> " + out + " {\n" + "  %h = " + op +
      " %x hidden = " + std::to_string(s.hidden) + " : " + in + " -> " +
      rnnType + "\n" +
      "  %y = ccrnn.linear %h features = " + std::to_string(s.output) + " : " +
      rnnType + " -> " + out + "\n";
  if (synthLayers >= 0)
    text += "  ccrnn.cerebellum %h layers = " + std::to_string(synthLayers) +
            (synthLayers > 0 ? ", width = 4" : "") +
            ", scale = 0.1 : " + rnnType + "\n";
  text +=
      "  ccrnn.return %y loss = " + std::string(loss) + " : " + out + "\n}\n";
  return text;
}

Tensor randomTensor(std::vector<int64_t> shape, std::mt19937 &rng,
                    double bound) {
  Tensor t{std::move(shape), {}};
  std::uniform_real_distribution<double> dist(-bound, bound);
  t.data.resize(t.numElements());
  for (double &v : t.data)
    v = dist(rng);
  return t;
}

Tensor scalar(double v) { return Tensor{{}, {v}}; }

std::vector<int64_t> shapeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return {tensor.getShape().begin(), tensor.getShape().end()};
}

/// result[b, t, f] = x[b, start + t, f] for t < steps.
Tensor timeSlice(const Tensor &x, int64_t start, int64_t steps) {
  int64_t b = x.shape[0], l = x.shape[1], f = x.shape[2];
  Tensor out{{b, steps, f}, {}};
  for (int64_t i = 0; i < b; ++i)
    for (int64_t t = 0; t < steps; ++t)
      for (int64_t k = 0; k < f; ++k)
        out.data.push_back(x.data[(i * l + start + t) * f + k]);
  return out;
}

/// Max-norm relative error of `actual` against `expected`.
double relativeError(const Tensor &actual, const Tensor &expected) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < expected.data.size(); ++i) {
    diff = std::max(diff, std::abs(actual.data[i] - expected.data[i]));
    scale = std::max(scale, std::abs(expected.data[i]));
  }
  return diff / std::max(scale, 1e-12);
}

/// Central finite differences of `f` with respect to every element of `x`.
Tensor finiteDifference(Tensor &x, const std::function<double()> &f) {
  Tensor grad{x.shape, std::vector<double>(x.data.size())};
  for (size_t i = 0; i < x.data.size(); ++i) {
    double saved = x.data[i];
    x.data[i] = saved + kStep;
    double up = f();
    x.data[i] = saved - kStep;
    double down = f();
    x.data[i] = saved;
    grad.data[i] = (up - down) / (2 * kStep);
  }
  return grad;
}

/// A model compiled to its training programs, with random parameters and a
/// random batch.
class TrainingProgram {
public:
  /// `classify`: integer labels; `lastStep`: the loss is on the last step.
  TrainingProgram(const std::string &model, CCRNNBuildTrainingOptions options,
                  const Sizes &sizes, bool classify, unsigned seed)
      : sizes(sizes), options(options), classify(classify),
        lastStep(classify || options.predictLast) {
    context.loadDialect<CCRNNDialect, arith::ArithDialect, func::FuncDialect,
                        scf::SCFDialect>();
    forward = parseSourceString<ModuleOp>(model, ParserConfig(&context));
    EXPECT_TRUE(forward) << model;
    run(*forward, [&](PassManager &pm) {
      pm.addPass(createCCRNNBuildTraining(options));
    });
    differentiated = forward->clone();
    run(*differentiated,
        [](PassManager &pm) { pm.addPass(createCCRNNAutodiff()); });
    optimized = differentiated->clone();
    run(*optimized, [](PassManager &pm) { pm.addPass(createCCRNNOptimize()); });

    auto train = forward->lookupSymbol<func::FuncOp>("m_train");
    // Parameters, input, target, then the initial state.
    numParams = 0;
    while (train.getArgAttr(numParams, "ccrnn.init"))
      ++numParams;
    for (unsigned i = numParams + 2; i < train.getNumArguments(); ++i)
      initialState.push_back(
          Tensor{shapeOf(train.getArgumentTypes()[i]),
                 std::vector<double>(
                     cast<RankedTensorType>(train.getArgumentTypes()[i])
                         .getNumElements())});
    std::mt19937 rng(seed);
    for (int64_t i = 0; i < numParams; ++i)
      params.push_back(
          randomTensor(shapeOf(train.getArgumentTypes()[i]), rng, 0.5));
    input = randomTensor({sizes.batch, sizes.steps, sizes.input}, rng, 1.0);
    if (classify) {
      target = Tensor{{sizes.batch}, {}};
      for (int64_t b = 0; b < sizes.batch; ++b)
        target.data.push_back(static_cast<double>(rng() % sizes.output));
    } else if (lastStep) {
      target = randomTensor({sizes.batch, sizes.output}, rng, 1.0);
    } else {
      target = randomTensor({sizes.batch, sizes.steps, sizes.output}, rng, 1.0);
    }
  }

  /// Loss and gradients of @m_train in `module`.
  std::vector<Tensor> train(ModuleOp module) {
    std::vector<Tensor> args = params;
    args.push_back(input);
    args.push_back(target);
    args.insert(args.end(), initialState.begin(), initialState.end());
    FailureOr<std::vector<Tensor>> out =
        Evaluator(module).call("m_train", args);
    EXPECT_TRUE(succeeded(out));
    if (failed(out))
      return {};
    // The loss and the gradients; the final state is not checked here.
    out->resize(1 + numParams);
    return *out;
  }

  double eval() {
    std::vector<Tensor> args = params;
    args.push_back(input);
    args.push_back(target);
    return Evaluator(*forward).call("m_eval", args)->at(0).data[0];
  }

  int64_t numWindows() const { return (sizes.steps + window() - 1) / window(); }
  int64_t window() const { return std::min(options.bptt, sizes.steps); }

  /// Runs window `w` of the pre-autodiff program (the markers do nothing in
  /// the forward pass) from `states`; returns the loss and the final states.
  std::vector<Tensor> runWindow(int64_t w, const std::vector<Tensor> &states) {
    bool last = w == numWindows() - 1;
    int64_t start = w * window();
    int64_t steps = last ? sizes.steps - start : window();
    std::string name = "m_window";
    if (last && forward->lookupSymbol("m_window_last"))
      name = "m_window_last";
    auto f = forward->lookupSymbol<func::FuncOp>(name);
    std::vector<Tensor> args = params;
    args.insert(args.end(), states.begin(), states.end());
    args.push_back(timeSlice(input, start, steps));
    if (f.getNumArguments() == args.size() + 2)
      args.push_back(lastStep ? target : timeSlice(target, start, steps));
    args.push_back(scalar(static_cast<double>(start)));
    FailureOr<std::vector<Tensor>> out = Evaluator(*forward).call(name, args);
    EXPECT_TRUE(succeeded(out)) << name;
    return succeeded(out) ? *out : std::vector<Tensor>();
  }

  /// The first state of every window, from the unperturbed parameters.
  std::vector<std::vector<Tensor>> windowStates(int64_t statesPerLayer) {
    std::vector<Tensor> states(
        statesPerLayer,
        Tensor{{sizes.batch, sizes.hidden},
               std::vector<double>(sizes.batch * sizes.hidden)});
    std::vector<std::vector<Tensor>> all;
    for (int64_t w = 0; w < numWindows(); ++w) {
      all.push_back(states);
      std::vector<Tensor> out = runWindow(w, states);
      states.assign(out.begin() + 1, out.end());
    }
    return all;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> forward, differentiated, optimized;
  Sizes sizes;
  CCRNNBuildTrainingOptions options;
  bool classify, lastStep;
  int64_t numParams = 0;
  std::vector<Tensor> params;
  /// The zero state the batch starts from.
  std::vector<Tensor> initialState;
  Tensor input, target;

private:
  void run(ModuleOp module, const std::function<void(PassManager &)> &add) {
    PassManager pm(&context);
    add(pm);
    EXPECT_TRUE(succeeded(pm.run(module)));
  }
};

/// The synthesizer of SPEC §2 on a [B, |s|] state, written out directly:
/// a_0 = W_0 s + b_0, a_k = W_k relu(a_{k-1}) + b_k.
Tensor synthesize(const std::vector<Tensor> &synthParams, const Tensor &s) {
  Tensor a = s;
  for (size_t layer = 0; layer < synthParams.size(); layer += 2) {
    const Tensor &w = synthParams[layer], &b = synthParams[layer + 1];
    int64_t rows = a.shape[0], in = w.shape[1], out = w.shape[0];
    Tensor next{{rows, out}, std::vector<double>(rows * out)};
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < out; ++o) {
        double sum = b.data[o];
        for (int64_t k = 0; k < in; ++k) {
          double x = a.data[r * in + k];
          sum += w.data[o * in + k] * (layer > 0 ? std::max(x, 0.0) : x);
        }
        next.data[r * out + o] = sum;
      }
    a = next;
  }
  return a;
}

/// [h, c] (LSTM) or h (tanh), as the synthesizer sees it.
Tensor concatStates(const std::vector<Tensor> &states) {
  if (states.size() == 1)
    return states[0];
  int64_t b = states[0].shape[0], h = states[0].shape[1];
  Tensor s{{b, 2 * h}, {}};
  for (int64_t i = 0; i < b; ++i)
    for (const Tensor &part : states)
      s.data.insert(s.data.end(), part.data.begin() + i * h,
                    part.data.begin() + (i + 1) * h);
  return s;
}

double dot(const Tensor &a, const Tensor &b) {
  double sum = 0;
  for (size_t i = 0; i < a.data.size(); ++i)
    sum += a.data[i] * b.data[i];
  return sum;
}

void expectClose(const Tensor &actual, const Tensor &expected,
                 const std::string &what) {
  ASSERT_EQ(actual.shape, expected.shape) << what;
  EXPECT_LE(relativeError(actual, expected), kTolerance) << what;
}

//===----------------------------------------------------------------------===//
// cRNN
//===----------------------------------------------------------------------===//

TEST(TrainingGradientTest, CRNNWithWindowCoveringSequenceIsFullBPTT) {
  Sizes sizes;
  for (const char *cell : {"lstm", "tanh"}) {
    CCRNNBuildTrainingOptions options = optionsFor(sizes, /*bptt=*/8, 1);
    TrainingProgram p(modelText(cell, sizes, -1, "mse"), options, sizes, false,
                      1);
    std::vector<Tensor> out = p.train(*p.differentiated);
    ASSERT_EQ(out.size(), static_cast<size_t>(1 + p.numParams));
    // Reported loss (2 sum_w n_w l_w / L) is the mean squared distance per
    // point, which is what evaluation reports.
    EXPECT_NEAR(out[0].data[0], p.eval(), 1e-12);
    for (int64_t i = 0; i < p.numParams; ++i) {
      // d(eval)/dθ = O * d(mse)/dθ.
      Tensor fd = finiteDifference(p.params[i], [&] { return p.eval(); });
      for (double &v : fd.data)
        v /= sizes.output;
      expectClose(out[1 + i], fd,
                  std::string(cell) + " param " + std::to_string(i));
    }
  }
}

TEST(TrainingGradientTest, TruncatedCRNNHoldsWindowStartStatesFixed) {
  Sizes sizes;
  // Windows of 2, 2, 1 steps with sparse feedback (even steps only).
  CCRNNBuildTrainingOptions options =
      optionsFor(sizes, /*bptt=*/2, /*interval=*/2);
  TrainingProgram p(modelText("lstm", sizes, -1, "mse"), options, sizes, false,
                    2);
  std::vector<Tensor> out = p.train(*p.differentiated);
  auto starts = p.windowStates(2);
  auto objective = [&] {
    double sum = 0;
    for (int64_t w = 0; w < p.numWindows(); ++w)
      sum += p.runWindow(w, starts[w])[0].data[0];
    return sum;
  };
  for (int64_t i = 0; i < p.numParams; ++i)
    expectClose(out[1 + i], finiteDifference(p.params[i], objective),
                "param " + std::to_string(i));
}

//===----------------------------------------------------------------------===//
// ccRNN
//===----------------------------------------------------------------------===//

struct CCRNNCase {
  const char *cell;
  int synthLayers;
  int64_t interval;
  const char *loss;
};

void PrintTo(const CCRNNCase &c, std::ostream *os) {
  *os << c.cell << ", " << c.synthLayers << " synthesizer layers, interval "
      << c.interval << ", " << c.loss;
}

class CCRNNGradientTest : public ::testing::TestWithParam<CCRNNCase> {};

TEST_P(CCRNNGradientTest, MatchesSyntheticGradientDefinition) {
  const CCRNNCase &c = GetParam();
  Sizes sizes;
  std::string loss = c.loss;
  bool classify = loss == "xent";
  CCRNNBuildTrainingOptions options = optionsFor(sizes, /*bptt=*/2, c.interval);
  // "mse_last": regression of the last step only (predict-last).
  options.predictLast = loss == "mse_last";
  TrainingProgram p(
      modelText(c.cell, sizes, c.synthLayers, classify ? "xent" : "mse"),
      options, sizes, classify, 3);
  std::vector<Tensor> out = p.train(*p.differentiated);
  ASSERT_EQ(out.size(), static_cast<size_t>(1 + p.numParams));

  // Parameter layout: 4 recurrent, then the synthesizer, then the readout.
  const int64_t numSynth = 2 + 2 * c.synthLayers;
  const int64_t firstSynth = 4, firstReadout = firstSynth + numSynth;
  auto synthParams = [&] {
    return std::vector<Tensor>(p.params.begin() + firstSynth,
                               p.params.begin() + firstReadout);
  };
  int64_t statesPerLayer = std::string(c.cell) == "lstm" ? 2 : 1;
  auto starts = p.windowStates(statesPerLayer);

  // Fixed synthetic gradients 0.1 * S(s1_w) at the unperturbed parameters.
  std::vector<Tensor> injected;
  for (int64_t w = 0; w < p.numWindows(); ++w) {
    std::vector<Tensor> r = p.runWindow(w, starts[w]);
    Tensor s1 = concatStates({r.begin() + 1, r.end()});
    Tensor sg = synthesize(synthParams(), s1);
    for (double &v : sg.data)
      v *= 0.1;
    injected.push_back(sg);
  }
  // Window w's objective as a function of the parameters and its first state.
  auto windowObjective = [&](int64_t w, const std::vector<Tensor> &s0) {
    std::vector<Tensor> r = p.runWindow(w, s0);
    return r[0].data[0] +
           dot(concatStates({r.begin() + 1, r.end()}), injected[w]);
  };

  // Recurrent network and readout.
  auto total = [&] {
    double sum = 0;
    for (int64_t w = 0; w < p.numWindows(); ++w)
      sum += windowObjective(w, starts[w]);
    return sum;
  };
  for (int64_t i = 0; i < p.numParams; ++i) {
    if (i >= firstSynth && i < firstReadout)
      continue;
    expectClose(out[1 + i], finiteDifference(p.params[i], total),
                "recurrent/readout param " + std::to_string(i));
  }

  // The synthesizer: g_w by finite differences at s0_w, then the gradient of
  // sum_w sum (S(s0_w) - g_w)^2.
  std::vector<Tensor> targets;
  for (int64_t w = 0; w < p.numWindows(); ++w) {
    std::vector<Tensor> s0 = starts[w];
    std::vector<Tensor> g;
    for (Tensor &part : s0)
      g.push_back(
          finiteDifference(part, [&] { return windowObjective(w, s0); }));
    targets.push_back(concatStates(g));
  }
  auto synthLoss = [&] {
    double sum = 0;
    for (int64_t w = 0; w < p.numWindows(); ++w) {
      Tensor prediction = synthesize(synthParams(), concatStates(starts[w]));
      for (size_t k = 0; k < prediction.data.size(); ++k) {
        double e = prediction.data[k] - targets[w].data[k];
        sum += e * e;
      }
    }
    return sum;
  };
  for (int64_t i = firstSynth; i < firstReadout; ++i)
    expectClose(out[1 + i], finiteDifference(p.params[i], synthLoss),
                "synthesizer param " + std::to_string(i));

  // ccrnn-optimize carries values across windows; nothing may change.
  std::vector<Tensor> optimized = p.train(*p.optimized);
  ASSERT_EQ(optimized.size(), out.size());
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t k = 0; k < out[i].data.size(); ++k)
      EXPECT_DOUBLE_EQ(optimized[i].data[k], out[i].data[k]) << "result " << i;
}

INSTANTIATE_TEST_SUITE_P(Models, CCRNNGradientTest,
                         ::testing::Values(CCRNNCase{"lstm", 0, 1, "mse"},
                                           CCRNNCase{"lstm", 1, 1, "mse"},
                                           CCRNNCase{"lstm", 2, 2, "mse"},
                                           CCRNNCase{"tanh", 1, 2, "mse"},
                                           CCRNNCase{"lstm", 1, 1, "xent"},
                                           CCRNNCase{"lstm", 1, 1, "mse_last"},
                                           CCRNNCase{"tanh", 2, 1, "xent"}),
                         [](const ::testing::TestParamInfo<CCRNNCase> &info) {
                           return std::string(info.param.cell) + "_synth" +
                                  std::to_string(info.param.synthLayers) +
                                  "_interval" +
                                  std::to_string(info.param.interval) + "_" +
                                  info.param.loss;
                         });

} // namespace
