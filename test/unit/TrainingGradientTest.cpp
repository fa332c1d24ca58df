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
// The variants of SPEC §2 and §4 (stacked layers sharing one synthesizer,
// target context, cerebellum=frozen|off, sparse fibres, a kept hidden state,
// the recorded feedback of @m_record) are checked against a second,
// self-contained implementation of the definitions (class Definitions) that
// takes nothing from the compiled program but the parameter layout.
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

#include <algorithm>
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
    if (!std::isfinite(actual.data[i]))
      return INFINITY; // std::max would skip a NaN

    diff = std::max(diff, std::abs(actual.data[i] - expected.data[i]));
    scale = std::max(scale, std::abs(expected.data[i]));
  }
  return diff / std::max(scale, 1e-12);
}

Tensor finiteDifference(Tensor &x, const std::function<double()> &f) {
  return ccrnn::testing::finiteDifference(x, f, kStep);
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
    // Parameters, input, target, the initial state, then the fibre mask.
    numParams = 0;
    while (train.getArgAttr(numParams, ccrnn::kParameterAttr))
      ++numParams;
    unsigned stateEnd = train.getNumArguments() - (options.fibres > 0 ? 1 : 0);
    for (unsigned i = numParams + 2; i < stateEnd; ++i)
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
    if (options.fibres > 0) {
      // Each unit of the synthesizer's first layer keeps `fibres` inputs.
      fibreMask = Tensor{shapeOf(train.getArgumentTypes().back()), {}};
      int64_t rows = fibreMask.shape[0], cols = fibreMask.shape[1];
      for (int64_t r = 0; r < rows; ++r) {
        std::vector<double> row(cols, 0.0);
        std::fill(row.begin(), row.begin() + options.fibres, 1.0);
        std::shuffle(row.begin(), row.end(), rng);
        fibreMask.data.insert(fibreMask.data.end(), row.begin(), row.end());
      }
    }
  }

  /// Replaces the zero initial state by a random one (a kept hidden state).
  void keepHidden(unsigned seed) {
    std::mt19937 rng(seed);
    for (Tensor &state : initialState)
      state = randomTensor(state.shape, rng, 0.8);
  }

  /// The arguments of @m_train and @m_record.
  std::vector<Tensor> programArguments() const {
    std::vector<Tensor> args = params;
    args.push_back(input);
    args.push_back(target);
    args.insert(args.end(), initialState.begin(), initialState.end());
    if (!fibreMask.data.empty())
      args.push_back(fibreMask);
    return args;
  }

  /// Every result of @m_train in `module`: the loss, the gradients, the
  /// final state.
  std::vector<Tensor> trainResults(ModuleOp module) {
    FailureOr<std::vector<Tensor>> out =
        Evaluator(module).call("m_train", programArguments());
    EXPECT_TRUE(succeeded(out));
    return succeeded(out) ? *out : std::vector<Tensor>();
  }

  /// The results of @m_record (in the differentiated module).
  std::vector<Tensor> record() {
    FailureOr<std::vector<Tensor>> out =
        Evaluator(*differentiated).call("m_record", programArguments());
    EXPECT_TRUE(succeeded(out));
    return succeeded(out) ? *out : std::vector<Tensor>();
  }

  /// Loss and gradients of @m_train in `module`.
  std::vector<Tensor> train(ModuleOp module) {
    std::vector<Tensor> out = trainResults(module);
    if (out.empty())
      return {};
    // The loss and the gradients; the final state is not checked here.
    out.resize(1 + numParams);
    return out;
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
  /// The state the batch starts from: zero unless keepHidden().
  std::vector<Tensor> initialState;
  Tensor input, target;
  /// With `fibres`: the 0/1 mask of the synthesizer's first weight.
  Tensor fibreMask;

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

using ccrnn::testing::dot;

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

//===----------------------------------------------------------------------===//
// SPEC §2–§4 written out directly: stacked layers, target context, lesions,
// sparse fibres, a kept hidden state and feedback recording
//===----------------------------------------------------------------------===//

/// A test model: the cell, the stacked layers and the synthesizer.
struct ModelSpec {
  const char *cell = "lstm";
  int64_t layers = 1;
  /// Hidden layers of the synthesizer (width 4).
  int synthLayers = 1;
  bool context = false;
  /// "mse" (per step), "mse_last" (predict-last regression) or "xent".
  const char *loss = "mse";

  bool isLSTM() const { return std::string(cell) == "lstm"; }
  bool classify() const { return std::string(loss) == "xent"; }
  bool lastStep() const { return std::string(loss) != "mse"; }
  int64_t statesPerLayer() const { return isLSTM() ? 2 : 1; }
};

/// The model with (`cerebellum`) or without its cerebellum.
std::string specText(const ModelSpec &m, const Sizes &s,
                     bool cerebellum = true) {
  std::string layers =
      m.layers > 1 ? ", layers = " + std::to_string(m.layers) : "";
  std::string rnnType = std::string("!ccrnn.rnn<") + m.cell + ", " +
                        std::to_string(s.hidden) + layers + ">";
  std::string in = "!ccrnn.seq<" + std::to_string(s.input) + ">";
  std::string out = "!ccrnn.seq<" + std::to_string(s.output) + ">";
  std::string op = m.isLSTM() ? "ccrnn.lstm" : "ccrnn.rnn_tanh";
  std::string text =
      "ccrnn.model @m(%x: " + in + ") -> " + out + " {\n" + "  %h = " + op +
      " %x hidden = " + std::to_string(s.hidden) + layers + " : " + in +
      " -> " + rnnType + "\n" +
      "  %y = ccrnn.linear %h features = " + std::to_string(s.output) + " : " +
      rnnType + " -> " + out + "\n";
  if (cerebellum)
    text += "  ccrnn.cerebellum %h layers = " + std::to_string(m.synthLayers) +
            (m.synthLayers > 0 ? ", width = 4" : "") + ", scale = 0.1" +
            (m.context ? ", target_context" : "") + " : " + rnnType + "\n";
  text +=
      "  ccrnn.return %y loss = " + std::string(m.classify() ? "xent" : "mse") +
      " : " + out + "\n}\n";
  return text;
}

/// x W^T + b for x [rows, in], W [out, in], b [out].
Tensor affine(const Tensor &x, const Tensor &w, const Tensor &b) {
  int64_t rows = x.shape[0], in = w.shape[1], out = w.shape[0];
  Tensor y{{rows, out}, std::vector<double>(rows * out)};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double sum = b.data[o];
      for (int64_t k = 0; k < in; ++k)
        sum += w.data[o * in + k] * x.data[r * in + k];
      y.data[r * out + o] = sum;
    }
  return y;
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

/// The definitions of SPEC §2–§3 for the model and batch of a
/// TrainingProgram, computed directly in the test: the recurrent stack, the
/// readout, the window losses and the synthesizer, nothing taken from the
/// compiled program. Reads the program's (possibly perturbed) parameters.
class Definitions {
public:
  Definitions(TrainingProgram &p, const ModelSpec &spec) : p(p), spec(spec) {}

  // Parameter layout: 4 per recurrent layer, the synthesizer (input
  // trigger, [input context], hidden layers), the readout.
  int64_t firstSynth() const { return 4 * spec.layers; }
  int64_t firstReadout() const {
    return firstSynth() + 2 + (spec.context ? 2 : 0) + 2 * spec.synthLayers;
  }
  bool isSynth(int64_t i) const {
    return i >= firstSynth() && i < firstReadout();
  }
  int64_t numStates() const { return spec.layers * spec.statesPerLayer(); }

  /// The context (SPEC §2): the one-hot class, the target point of a
  /// predict-last regression, the last step's target point otherwise.
  Tensor context() const {
    const Sizes &s = p.sizes;
    Tensor ctx{{s.batch, s.output}, std::vector<double>(s.batch * s.output)};
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t o = 0; o < s.output; ++o) {
        double v;
        if (spec.classify())
          v = static_cast<int64_t>(p.target.data[b]) == o ? 1.0 : 0.0;
        else if (spec.lastStep())
          v = p.target.data[b * s.output + o];
        else
          v = p.target.data[(b * s.steps + s.steps - 1) * s.output + o];
        ctx.data[b * s.output + o] = v;
      }
    return ctx;
  }

  /// S(s) (SPEC §2) with the fibre mask on W_0 and the context;
  /// `activity` receives relu(a_0).
  Tensor synthesize(const Tensor &s, Tensor *activity = nullptr) const {
    const std::vector<Tensor> &q = p.params;
    int64_t i = firstSynth();
    Tensor w0 = q[i];
    if (!p.fibreMask.data.empty())
      for (size_t k = 0; k < w0.data.size(); ++k)
        w0.data[k] *= p.fibreMask.data[k];
    Tensor a = affine(s, w0, q[i + 1]);
    i += 2;
    if (spec.context) {
      Tensor c = affine(context(), q[i], q[i + 1]);
      for (size_t k = 0; k < a.data.size(); ++k)
        a.data[k] += c.data[k];
      i += 2;
    }
    for (int layer = 0; layer < spec.synthLayers; ++layer, i += 2) {
      for (double &v : a.data)
        v = std::max(v, 0.0);
      if (layer == 0 && activity)
        *activity = a;
      a = affine(a, q[i], q[i + 1]);
    }
    return a;
  }

  /// Layer k's state as the synthesizer sees it: [h, c] or h.
  Tensor layerState(const std::vector<Tensor> &states, int64_t k) const {
    int64_t n = spec.statesPerLayer();
    return concatStates({states.begin() + n * k, states.begin() + n * (k + 1)});
  }

  int64_t windowStart(int64_t w) const { return w * p.window(); }
  int64_t windowSteps(int64_t w) const {
    return std::min(p.window(), p.sizes.steps - windowStart(w));
  }

  /// Runs window w from `states` (per layer h [, c]), leaving the final
  /// state there; returns the window loss l_w of SPEC §3.
  double window(int64_t w, std::vector<Tensor> &states) const {
    const Sizes &s = p.sizes;
    const std::vector<Tensor> &q = p.params;
    int64_t start = windowStart(w), steps = windowSteps(w), H = s.hidden;
    bool last = w == p.numWindows() - 1;
    std::vector<Tensor> outputs;
    for (int64_t t = 0; t < steps; ++t) {
      Tensor x = timeSlice(p.input, start + t, 1);
      x.shape = {s.batch, s.input};
      for (int64_t k = 0; k < spec.layers; ++k) {
        Tensor &h = states[spec.statesPerLayer() * k];
        Tensor z = affine(x, q[4 * k], q[4 * k + 2]);
        Tensor r = affine(h, q[4 * k + 1], q[4 * k + 3]);
        for (size_t i = 0; i < z.data.size(); ++i)
          z.data[i] += r.data[i];
        for (int64_t b = 0; b < s.batch; ++b)
          for (int64_t j = 0; j < H; ++j) {
            if (!spec.isLSTM()) {
              h.data[b * H + j] = std::tanh(z.data[b * H + j]);
              continue;
            }
            Tensor &c = states[2 * k + 1];
            const double *zb = &z.data[b * 4 * H];
            double in = sigmoid(zb[j]), forget = sigmoid(zb[H + j]),
                   cell = std::tanh(zb[2 * H + j]),
                   out = sigmoid(zb[3 * H + j]);
            double &cv = c.data[b * H + j];
            cv = forget * cv + in * cell;
            h.data[b * H + j] = out * std::tanh(cv);
          }
        x = h;
      }
      outputs.push_back(affine(x, q[firstReadout()], q[firstReadout() + 1]));
    }

    if (spec.classify()) {
      if (!last)
        return 0;
      // Cross-entropy of the last step, mean over the batch.
      const Tensor &y = outputs.back();
      double sum = 0;
      for (int64_t b = 0; b < s.batch; ++b) {
        double m = -INFINITY, z = 0;
        for (int64_t o = 0; o < s.output; ++o)
          m = std::max(m, y.data[b * s.output + o]);
        for (int64_t o = 0; o < s.output; ++o)
          z += std::exp(y.data[b * s.output + o] - m);
        sum += m + std::log(z) -
               y.data[b * s.output + static_cast<int64_t>(p.target.data[b])];
      }
      return sum / s.batch;
    }
    if (spec.lastStep()) {
      if (!last)
        return 0;
      const Tensor &y = outputs.back();
      double sum = 0;
      for (size_t i = 0; i < y.data.size(); ++i)
        sum += (y.data[i] - p.target.data[i]) * (y.data[i] - p.target.data[i]);
      return sum / y.data.size();
    }
    // Mean over the elements of the supervised steps t % interval == 0.
    double sum = 0;
    int64_t supervised = 0;
    for (int64_t t = 0; t < steps; ++t) {
      if ((start + t) % p.options.interval != 0)
        continue;
      ++supervised;
      for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t o = 0; o < s.output; ++o) {
          double e = outputs[t].data[b * s.output + o] -
                     p.target.data[(b * s.steps + start + t) * s.output + o];
          sum += e * e;
        }
    }
    return supervised ? sum / (supervised * s.batch * s.output) : 0.0;
  }

  /// The loss @m_train reports (SPEC §3): 2 sum_w n_w l_w / L for per-step
  /// regression, the squared distance of the point for predict-last, the
  /// cross-entropy for classification.
  double reportedLoss() const {
    std::vector<Tensor> states = p.initialState;
    double sum = 0;
    for (int64_t w = 0; w < p.numWindows(); ++w) {
      double loss = window(w, states);
      if (spec.lastStep()) {
        sum += loss;
        continue;
      }
      int64_t supervised = 0;
      for (int64_t t = windowStart(w); t < windowStart(w) + windowSteps(w); ++t)
        supervised += t % p.options.interval == 0;
      sum += supervised * loss;
    }
    if (spec.classify())
      return sum;
    if (spec.lastStep())
      return sum * p.sizes.output;
    return 2 * sum / p.sizes.steps;
  }

  /// The first state of every window, then the final state, at the
  /// current parameters.
  std::vector<std::vector<Tensor>> windowStates() const {
    std::vector<std::vector<Tensor>> all{p.initialState};
    for (int64_t w = 0; w < p.numWindows(); ++w) {
      std::vector<Tensor> states = all.back();
      window(w, states);
      all.push_back(states);
    }
    return all;
  }

  /// scale * S(s1) of every window and layer at the current parameters.
  std::vector<std::vector<Tensor>>
  injections(const std::vector<std::vector<Tensor>> &states) const {
    std::vector<std::vector<Tensor>> all;
    for (int64_t w = 0; w < p.numWindows(); ++w) {
      all.emplace_back();
      for (int64_t k = 0; k < spec.layers; ++k) {
        Tensor sg = synthesize(layerState(states[w + 1], k));
        for (double &v : sg.data)
          v *= 0.1;
        all.back().push_back(sg);
      }
    }
    return all;
  }

  /// l_w + sum_l <s1_l, injected_l> from first state `s0`.
  double windowObjective(int64_t w, std::vector<Tensor> s0,
                         const std::vector<Tensor> &injected) const {
    double sum = window(w, s0);
    for (size_t k = 0; k < injected.size(); ++k)
      sum += dot(layerState(s0, k), injected[k]);
    return sum;
  }

  /// The gradient of `f` with respect to layer k's part of `states`, by
  /// finite differences, as the synthesizer sees the state: [dh, dc].
  Tensor stateGradient(std::vector<Tensor> &states, int64_t k,
                       const std::function<double()> &f) const {
    std::vector<Tensor> parts;
    for (int64_t j = 0; j < spec.statesPerLayer(); ++j)
      parts.push_back(
          finiteDifference(states[spec.statesPerLayer() * k + j], f));
    return concatStates(parts);
  }

  /// The gradients of SPEC §3 (§4 for the lesions) with respect to every
  /// parameter, by finite differences. `mode`: train, frozen or off.
  std::vector<Tensor> expectedGradients(const std::string &mode) {
    auto states = windowStates();
    std::vector<std::vector<Tensor>> injected(p.numWindows());
    if (mode != "off")
      injected = injections(states);
    auto total = [&] {
      double sum = 0;
      for (int64_t w = 0; w < p.numWindows(); ++w)
        sum += windowObjective(w, states[w], injected[w]);
      return sum;
    };
    // g of every window and layer: the gradient arriving at s0.
    std::vector<std::vector<Tensor>> targets(p.numWindows());
    if (mode == "train")
      for (int64_t w = 0; w < p.numWindows(); ++w) {
        std::vector<Tensor> s0 = states[w];
        for (int64_t k = 0; k < spec.layers; ++k)
          targets[w].push_back(stateGradient(
              s0, k, [&] { return windowObjective(w, s0, injected[w]); }));
      }
    auto synthLoss = [&] {
      double sum = 0;
      for (int64_t w = 0; w < p.numWindows(); ++w)
        for (int64_t k = 0; k < spec.layers; ++k) {
          Tensor prediction = synthesize(layerState(states[w], k));
          for (size_t i = 0; i < prediction.data.size(); ++i) {
            double e = prediction.data[i] - targets[w][k].data[i];
            sum += e * e;
          }
        }
      return sum / spec.layers;
    };
    std::vector<Tensor> grads;
    for (int64_t i = 0; i < p.numParams; ++i) {
      if (!isSynth(i))
        grads.push_back(finiteDifference(p.params[i], total));
      else if (mode == "train")
        grads.push_back(finiteDifference(p.params[i], synthLoss));
      else
        grads.push_back(Tensor{p.params[i].shape,
                               std::vector<double>(p.params[i].data.size())});
    }
    return grads;
  }

private:
  TrainingProgram &p;
  ModelSpec spec;
};

/// A model and how it is trained.
struct VariantCase {
  ModelSpec model;
  int64_t bptt = 2, interval = 1;
  const char *mode = "train";
  int64_t fibres = 0;
  bool keepHidden = false;
  const char *name;
};

void PrintTo(const VariantCase &c, std::ostream *os) { *os << c.name; }

Sizes sizesFor(const ModelSpec &m) {
  Sizes sizes;
  if (m.classify())
    sizes.output = 3;
  return sizes;
}

CCRNNBuildTrainingOptions optionsFor(const VariantCase &c, const Sizes &sizes) {
  CCRNNBuildTrainingOptions options = optionsFor(sizes, c.bptt, c.interval);
  options.predictLast = std::string(c.model.loss) == "mse_last";
  options.cerebellum = c.mode;
  options.fibres = c.fibres;
  return options;
}

class TrainingVariantTest : public ::testing::TestWithParam<VariantCase> {};

TEST_P(TrainingVariantTest, MatchesDefinitions) {
  const VariantCase &c = GetParam();
  Sizes sizes = sizesFor(c.model);
  TrainingProgram p(specText(c.model, sizes), optionsFor(c, sizes), sizes,
                    c.model.classify(), 5);
  if (c.keepHidden)
    p.keepHidden(6);
  Definitions d(p, c.model);
  std::vector<Tensor> out = p.trainResults(*p.differentiated);
  ASSERT_EQ(out.size(), static_cast<size_t>(1 + p.numParams + d.numStates()));

  EXPECT_NEAR(out[0].data[0], d.reportedLoss(), 1e-12) << "reported loss";
  std::vector<Tensor> expected = d.expectedGradients(c.mode);
  for (int64_t i = 0; i < p.numParams; ++i) {
    std::string what = "param " + std::to_string(i);
    if (d.isSynth(i) && std::string(c.mode) != "train") {
      // No synthesizer loss: exactly zero.
      ASSERT_EQ(out[1 + i].shape, expected[i].shape) << what;
      for (double v : out[1 + i].data)
        EXPECT_EQ(v, 0.0) << what;
      continue;
    }
    expectClose(out[1 + i], expected[i], what);
  }
  if (c.fibres) {
    // W_0's masked entries have exactly zero gradient; the others do not.
    const Tensor &grad = out[1 + d.firstSynth()];
    ASSERT_EQ(grad.shape, p.fibreMask.shape);
    int64_t kept = 0;
    for (size_t k = 0; k < grad.data.size(); ++k) {
      if (p.fibreMask.data[k] == 0) {
        EXPECT_EQ(grad.data[k], 0.0) << "masked entry " << k;
      } else {
        kept += grad.data[k] != 0;
      }
    }
    if (std::string(c.mode) == "train") {
      EXPECT_GT(kept, 0);
    }
  }

  // The final state: that after the last window, from the initial state.
  std::vector<Tensor> finalState = d.windowStates().back();
  for (int64_t i = 0; i < d.numStates(); ++i) {
    ASSERT_EQ(out[1 + p.numParams + i].shape, finalState[i].shape);
    EXPECT_LE(relativeError(out[1 + p.numParams + i], finalState[i]), 1e-12)
        << "final state " << i;
  }

  // ccrnn-optimize changes nothing.
  std::vector<Tensor> optimized = p.trainResults(*p.optimized);
  ASSERT_EQ(optimized.size(), out.size());
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t k = 0; k < out[i].data.size(); ++k)
      EXPECT_DOUBLE_EQ(optimized[i].data[k], out[i].data[k]) << "result " << i;
}

ModelSpec model(const char *cell, int64_t layers, int synthLayers, bool context,
                const char *loss) {
  ModelSpec m;
  m.cell = cell;
  m.layers = layers;
  m.synthLayers = synthLayers;
  m.context = context;
  m.loss = loss;
  return m;
}

VariantCase variant(const char *name, ModelSpec m, int64_t interval = 1,
                    const char *mode = "train", int64_t fibres = 0,
                    bool keepHidden = false) {
  VariantCase c;
  c.name = name;
  c.model = m;
  c.interval = m.lastStep() ? 1 : interval;
  c.mode = mode;
  c.fibres = fibres;
  c.keepHidden = keepHidden;
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    Variants, TrainingVariantTest,
    ::testing::Values(
        // Stacked layers: one synthesizer per layer's state.
        variant("stacked_lstm_mse", model("lstm", 2, 1, false, "mse")),
        variant("stacked_lstm_linear_synth_xent",
                model("lstm", 2, 0, false, "xent")),
        variant("stacked_tanh_mse", model("tanh", 2, 2, false, "mse"), 2),
        variant("stacked3_lstm_mse_last",
                model("lstm", 3, 1, false, "mse_last")),
        // Target context.
        variant("context_lstm_mse", model("lstm", 1, 1, true, "mse")),
        variant("context_lstm_mse_last", model("lstm", 1, 1, true, "mse_last")),
        variant("context_lstm_xent", model("lstm", 1, 1, true, "xent")),
        variant("context_tanh_linear_synth_xent",
                model("tanh", 1, 0, true, "xent")),
        variant("context_stacked_lstm_mse", model("lstm", 2, 2, true, "mse"),
                2),
        // Lesions.
        variant("frozen_lstm_mse", model("lstm", 1, 1, false, "mse"), 2,
                "frozen"),
        variant("frozen_tanh_context_xent", model("tanh", 1, 1, true, "xent"),
                1, "frozen"),
        variant("frozen_stacked_lstm_mse", model("lstm", 2, 1, false, "mse"), 1,
                "frozen"),
        variant("off_lstm_mse", model("lstm", 1, 1, false, "mse"), 2, "off"),
        variant("off_stacked_context_lstm_xent",
                model("lstm", 2, 1, true, "xent"), 1, "off"),
        // Sparse fibres.
        variant("fibres_lstm_mse", model("lstm", 1, 1, false, "mse"), 1,
                "train", 3),
        variant("fibres_linear_synth_lstm_mse",
                model("lstm", 1, 0, false, "mse"), 2, "train", 2),
        variant("fibres_stacked_context_tanh_xent",
                model("tanh", 2, 2, true, "xent"), 1, "train", 1),
        variant("fibres_frozen_lstm_mse_last",
                model("lstm", 1, 1, false, "mse_last"), 1, "frozen", 4),
        // A kept hidden state.
        variant("keep_lstm_mse", model("lstm", 1, 1, false, "mse"), 2, "train",
                0, true),
        variant("keep_tanh_xent", model("tanh", 1, 2, false, "xent"), 1,
                "train", 0, true),
        variant("keep_stacked_context_fibres_lstm_mse",
                model("lstm", 2, 1, true, "mse"), 2, "train", 3, true),
        variant("keep_off_stacked_lstm_mse", model("lstm", 2, 1, false, "mse"),
                1, "off", 0, true)),
    [](const ::testing::TestParamInfo<VariantCase> &info) {
      return std::string(info.param.name);
    });

/// `c` with windows of `bptt` steps.
VariantCase withBPTT(VariantCase c, int64_t bptt) {
  c.bptt = bptt;
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    Windows, TrainingVariantTest,
    ::testing::Values(
        // One window: S trained at the initial state, injected at the end.
        withBPTT(variant("one_window_keep_stacked_lstm_mse",
                         model("lstm", 2, 1, true, "mse"), 2, "train", 0, true),
                 5),
        // Five windows of one step.
        withBPTT(variant("bptt1_stacked_tanh_xent",
                         model("tanh", 2, 1, true, "xent")),
                 1),
        withBPTT(variant("bptt3_fibres_lstm_mse_last",
                         model("lstm", 1, 2, false, "mse_last"), 1, "train", 2),
                 3)),
    [](const ::testing::TestParamInfo<VariantCase> &info) {
      return std::string(info.param.name);
    });

// SPEC §4 ablation: with the cerebellum off, the recurrent network and the
// readout get exactly the gradients of the same model without a cerebellum
// (a cRNN, whose parameters lack the DNI wrapper's "rnn." level), compiled
// normally; the final state is the same too.
TEST(TrainingGradientTest, CerebellumOffIsTheCRNNProgram) {
  for (ModelSpec m :
       {model("lstm", 1, 1, false, "mse"), model("lstm", 2, 2, true, "xent"),
        model("tanh", 1, 0, false, "mse_last")}) {
    Sizes sizes = sizesFor(m);
    VariantCase c = variant("off", m, 2, "off");
    TrainingProgram off(specText(m, sizes), optionsFor(c, sizes), sizes,
                        m.classify(), 7);
    off.keepHidden(8);
    c.mode = "train";
    CCRNNBuildTrainingOptions crnnOptions = optionsFor(c, sizes);
    TrainingProgram crnn(specText(m, sizes, /*cerebellum=*/false), crnnOptions,
                         sizes, m.classify(), 7);
    Definitions d(off, m);
    ASSERT_EQ(crnn.numParams,
              off.numParams - (d.firstReadout() - d.firstSynth()));
    // The same parameters, batch and initial state.
    crnn.params.clear();
    for (int64_t i = 0; i < off.numParams; ++i)
      if (!d.isSynth(i))
        crnn.params.push_back(off.params[i]);
    crnn.input = off.input;
    crnn.target = off.target;
    crnn.initialState = off.initialState;

    auto train = off.forward->lookupSymbol<func::FuncOp>("m_train");
    auto crnnTrain = crnn.forward->lookupSymbol<func::FuncOp>("m_train");
    std::vector<Tensor> a = off.trainResults(*off.differentiated);
    std::vector<Tensor> b = crnn.trainResults(*crnn.differentiated);
    ASSERT_EQ(a.size(), b.size() + (d.firstReadout() - d.firstSynth()));
    EXPECT_EQ(a[0].data, b[0].data) << "loss";
    int64_t j = 0;
    for (int64_t i = 0; i < off.numParams; ++i) {
      std::string name =
          cast<StringAttr>(train.getResultAttrDict(1 + i).get("ccrnn.name"))
              .str();
      if (d.isSynth(i)) {
        for (double v : a[1 + i].data)
          EXPECT_EQ(v, 0.0) << name;
        continue;
      }
      std::string crnnName =
          cast<StringAttr>(crnnTrain.getResultAttrDict(1 + j).get("ccrnn.name"))
              .str();
      EXPECT_EQ(name,
                name.rfind("rnn.rnn.", 0) == 0 ? "rnn." + crnnName : crnnName);
      ASSERT_EQ(a[1 + i].shape, b[1 + j].shape) << name;
      EXPECT_LE(relativeError(a[1 + i], b[1 + j]), 1e-12) << name;
      ++j;
    }
    for (int64_t i = 0; i < d.numStates(); ++i)
      EXPECT_LE(
          relativeError(a[1 + off.numParams + i], b[1 + crnn.numParams + i]),
          1e-12)
          << "final state " << i;
  }
}

// SPEC §4 synth_ablation: a frozen cerebellum injects the same synthetic
// gradients as a trained one, so the recurrent network and the readout get
// the same gradients; the synthesizer gets none.
TEST(TrainingGradientTest, FrozenCerebellumOnlyStopsSynthesizerLearning) {
  ModelSpec m = model("lstm", 2, 1, true, "mse");
  Sizes sizes = sizesFor(m);
  VariantCase c = variant("frozen", m, 2, "frozen", 3, true);
  TrainingProgram frozen(specText(m, sizes), optionsFor(c, sizes), sizes, false,
                         9);
  frozen.keepHidden(10);
  c.mode = "train";
  TrainingProgram trained(specText(m, sizes), optionsFor(c, sizes), sizes,
                          false, 9);
  trained.keepHidden(10);
  Definitions d(frozen, m);
  std::vector<Tensor> a = frozen.trainResults(*frozen.differentiated);
  std::vector<Tensor> b = trained.trainResults(*trained.differentiated);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a[0].data, b[0].data) << "loss";
  bool anySynthGradient = false;
  for (int64_t i = 0; i < frozen.numParams; ++i) {
    if (d.isSynth(i)) {
      for (double v : a[1 + i].data)
        EXPECT_EQ(v, 0.0) << "param " << i;
      for (double v : b[1 + i].data)
        anySynthGradient |= v != 0;
      continue;
    }
    EXPECT_LE(relativeError(a[1 + i], b[1 + i]), 1e-12) << "param " << i;
  }
  EXPECT_TRUE(anySynthGradient);
}

//===----------------------------------------------------------------------===//
// Feedback recording
//===----------------------------------------------------------------------===//

class RecordTest : public ::testing::TestWithParam<VariantCase> {};

/// Element [j, l, b, :] of a [boundaries, layers, batch, n] record.
Tensor recordAt(const Tensor &record, int64_t j, int64_t l) {
  int64_t layers = record.shape[1], batch = record.shape[2],
          n = record.shape[3];
  auto first = record.data.begin() + (j * layers + l) * batch * n;
  return Tensor{{batch, n}, {first, first + batch * n}};
}

TEST_P(RecordTest, MatchesDefinitions) {
  const VariantCase &c = GetParam();
  Sizes sizes = sizesFor(c.model);
  CCRNNBuildTrainingOptions options = optionsFor(c, sizes);
  options.record = true;
  TrainingProgram p(specText(c.model, sizes), options, sizes,
                    c.model.classify(), 11);
  if (c.keepHidden)
    p.keepHidden(12);
  Definitions d(p, c.model);
  std::vector<Tensor> out = p.record();
  const size_t expectedResults = c.model.synthLayers > 0 ? 5 : 4;
  ASSERT_EQ(out.size(), expectedResults);
  const int64_t boundaries = p.numWindows() - 1, layers = c.model.layers;
  const int64_t stateSize = c.model.statesPerLayer() * sizes.hidden;
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(out[i].shape, (std::vector<int64_t>{boundaries, layers,
                                                  sizes.batch, stateSize}))
        << "result " << i;
  }
  if (out.size() == 5) {
    ASSERT_EQ(out[4].shape,
              (std::vector<int64_t>{boundaries, layers, sizes.batch, 4}));
  }

  auto states = d.windowStates();
  auto injected = d.injections(states);
  for (int64_t j = 0; j < boundaries; ++j) {
    // Boundary j: between windows j and j + 1, at window j + 1's first state.
    std::vector<Tensor> s = states[j + 1];
    for (int64_t l = 0; l < layers; ++l) {
      std::string at =
          " at boundary " + std::to_string(j) + ", layer " + std::to_string(l);
      Tensor state = d.layerState(s, l);
      EXPECT_LE(relativeError(recordAt(out[0], j, l), state), 1e-12)
          << "state" << at;

      Tensor activity;
      Tensor synthetic = d.synthesize(state, &activity);
      for (double &v : synthetic.data)
        v *= 0.1;
      EXPECT_LE(relativeError(recordAt(out[1], j, l), synthetic), 1e-12)
          << "synthetic" << at;
      if (out.size() == 5) {
        EXPECT_LE(relativeError(recordAt(out[4], j, l), activity), 1e-12)
            << "activity" << at;
      }

      // g: window j + 1's truncated backward pass (its loss and the
      // synthetic gradient injected at its end) delivers it at s.
      Tensor targetGrad = d.stateGradient(
          s, l, [&] { return d.windowObjective(j + 1, s, injected[j + 1]); });
      EXPECT_LE(relativeError(recordAt(out[2], j, l), targetGrad), kTolerance)
          << "target_grad" << at;

      // The true gradient: sum of the later windows' losses, run on from s
      // without truncation or synthetic gradients.
      Tensor trueGrad = d.stateGradient(s, l, [&] {
        std::vector<Tensor> run = s;
        double sum = 0;
        for (int64_t w = j + 1; w < p.numWindows(); ++w)
          sum += d.window(w, run);
        return sum;
      });
      EXPECT_LE(relativeError(recordAt(out[3], j, l), trueGrad), kTolerance)
          << "true_grad" << at;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Variants, RecordTest,
    ::testing::Values(
        variant("lstm_mse", model("lstm", 1, 1, false, "mse")),
        variant("lstm_deep_synth_mse_interval2",
                model("lstm", 1, 2, false, "mse"), 2),
        variant("tanh_linear_synth_mse", model("tanh", 1, 0, false, "mse")),
        variant("stacked_context_lstm_xent", model("lstm", 2, 1, true, "xent")),
        variant("stacked_context_tanh_mse", model("tanh", 2, 1, true, "mse"),
                2),
        variant("context_lstm_mse_last", model("lstm", 1, 1, true, "mse_last")),
        variant("frozen_fibres_keep_lstm_mse",
                model("lstm", 1, 1, false, "mse"), 1, "frozen", 3, true),
        variant("fibres_keep_stacked_lstm_mse",
                model("lstm", 2, 2, true, "mse"), 2, "train", 2, true),
        // Two windows (one boundary), and five windows of one step.
        withBPTT(variant("two_windows_lstm_mse",
                         model("lstm", 1, 1, false, "mse"), 2),
                 3),
        withBPTT(variant("bptt1_stacked_tanh_xent",
                         model("tanh", 2, 1, true, "xent")),
                 1)),
    [](const ::testing::TestParamInfo<VariantCase> &info) {
      return std::string(info.param.name);
    });

} // namespace
