//===- CaptionTrainerTest.cpp - caption trainers vs the reference -*- C++ -*-===//
//
// A caption model's window trainers, generated at build time
// (ccrnn_add_trainer in test/unit/CMakeLists.txt), against the
// double-precision reference evaluator running the same programs: train()
// (loss, every gradient, the final state, the updated running statistics)
// from a random state with random dropout and fibre masks, the defaults of
// a call without state or dropout mask (zeros, no dropout), eval_window()
// (loss, scores, final state) and the greedy decoder's tokens. The C
// arrays are made from the programs' own argument names and roles, so the
// test follows the C ABI (ccrnn/Runtime/TrainerABI.h) and the roles
// BuildEntryPoints maps.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Pipeline/Pipeline.h"
#include "ccrnn/Reference/Evaluator.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "gtest/gtest.h"

#include <cmath>
#include <map>
#include <random>

using namespace mlir;
using namespace ccrnn;
using reference::Evaluator;
using reference::Tensor;

#define CCRNN_CAPTION_TRAINERS(X)                                              \
  X(tiny_caption_first) X(tiny_caption_later) X(tiny_caption_first_fibres)

extern "C" {
#define DECLARE(id) const ccrnn_trainer_api *ccrnn_trainer_##id(void);
CCRNN_CAPTION_TRAINERS(DECLARE)
#undef DECLARE
}

namespace {

struct TrainerCase {
  const char *id;
  ccrnn_trainer_entry_fn entry;
};

void PrintTo(const TrainerCase &c, std::ostream *os) { *os << c.id; }

double relativeError(const float *actual, const std::vector<double> &expected,
                     double floor = 1e-6) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    // Outputs start as NaN: one never written is an error, not ignored.
    if (!std::isfinite(actual[i]))
      return INFINITY;
    diff = std::max(diff, std::abs(actual[i] - expected[i]));
    scale = std::max(scale, std::abs(expected[i]));
  }
  return diff / std::max(scale, floor);
}

/// The gradient of parameter `name`'s error: the encoder's bias has none
/// (the batch norm removes any shift), so near zero its error is measured
/// against 1e-3, i.e. absolutely (float32 rounding leaves ~1e-8).
double gradientError(const std::string &name, const float *actual,
                     const std::vector<double> &expected) {
  return relativeError(actual, expected,
                       name == "encoder.linear.bias" ? 1e-3 : 1e-6);
}

bool nearLoss(float actual, double expected) {
  return std::abs(actual - expected) <= 1e-4 * std::max(1.0, std::abs(expected));
}

/// Gradient buffers of the parameters' sizes, NaN-filled (an output never
/// written fails), and the pointers train() takes.
struct NaNGradients {
  explicit NaNGradients(const std::vector<std::vector<float>> &params) {
    for (const std::vector<float> &p : params)
      arrays.emplace_back(p.size(), NAN);
    for (std::vector<float> &a : arrays)
      pointers.push_back(a.data());
  }
  std::vector<std::vector<float>> arrays;
  std::vector<float *> pointers;
};

/// One call's arrays, by the names the programs give their arguments: the
/// evaluator's tensors and the caller's floats (or tokens).
class Arrays {
public:
  Arrays(int64_t vocab, unsigned seed) : vocab(vocab), rng(seed) {}

  /// The tensor of argument `i` of `f`, made on first use.
  const Tensor &argument(func::FuncOp f, unsigned i) {
    std::string name = getArgumentName(f, i).str();
    auto found = tensors.find(name);
    if (found != tensors.end())
      return found->second;
    auto type = cast<RankedTensorType>(f.getArgumentTypes()[i]);
    Tensor t{{type.getShape().begin(), type.getShape().end()}, {}};
    std::uniform_real_distribution<double> dist(-0.5, 0.5);
    std::optional<Role> role = getArgumentRole(f, i);
    for (int64_t j = 0; j < t.numElements(); ++j) {
      double v = dist(rng);
      if (type.getElementType().isInteger(64))
        v = double(rng() % vocab); // tokens and next-token targets
      else if (role == Role::FibreMask)
        v = double(rng() % 2);
      else if (role == Role::DropoutMask)
        v = rng() % 2 ? 2.0 : 0.0; // 1 / (1 - 0.5) or dropped
      else if (name == "encoder.bn.running_var")
        v += 1.0;
      else if (role == Role::VectorInput)
        v *= 4;
      // Floats hold the caller's values exactly.
      t.data.push_back(double(float(v)));
    }
    return tensors.emplace(name, std::move(t)).first->second;
  }

  /// The evaluator's arguments of `f`.
  std::vector<Tensor> arguments(func::FuncOp f) {
    std::vector<Tensor> args;
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      args.push_back(argument(f, i));
    return args;
  }

  std::vector<float> floats(const std::string &name) const {
    const Tensor &t = tensors.at(name);
    return {t.data.begin(), t.data.end()};
  }
  std::vector<int64_t> tokens(const std::string &name) const {
    const Tensor &t = tensors.at(name);
    return {t.data.begin(), t.data.end()};
  }
  /// The floats of every argument of `f` with `role`, in order (the
  /// caller's state or statistics).
  std::vector<float> joined(func::FuncOp f, Role role) const {
    std::vector<float> all;
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      if (getArgumentRole(f, i) == role) {
        std::vector<float> piece = floats(getArgumentName(f, i).str());
        all.insert(all.end(), piece.begin(), piece.end());
      }
    return all;
  }

private:
  int64_t vocab;
  std::mt19937 rng;
  std::map<std::string, Tensor> tensors;
};

/// The evaluator's results of `f` with `role`, joined.
std::vector<double> joinedResults(func::FuncOp f,
                                  const std::vector<Tensor> &results,
                                  Role role) {
  std::vector<double> all;
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    if (getResultRole(f, i) == role)
      all.insert(all.end(), results[i].data.begin(), results[i].data.end());
  return all;
}

class CaptionTrainerTest : public ::testing::TestWithParam<TrainerCase> {};

TEST_P(CaptionTrainerTest, MatchesReferenceEvaluator) {
  const ccrnn_trainer_api *api = GetParam().entry();
  const ccrnn_trainer_desc &desc = *api->desc;
  ASSERT_EQ(desc.abi_version, CCRNN_TRAINER_ABI_VERSION);
  // A token model's window: no whole-sequence eval, a window evaluation.
  EXPECT_EQ(desc.vocab, 6);
  EXPECT_EQ(desc.output_size, 6);
  EXPECT_EQ(desc.input_size, 0);
  EXPECT_EQ(api->eval, nullptr);
  ASSERT_NE(api->eval_window, nullptr);
  ASSERT_EQ(api->decode != nullptr, desc.decode_steps > 0);
  bool first = desc.vector_size > 0;
  EXPECT_EQ(desc.token_steps, desc.steps - (first ? 1 : 0));
  EXPECT_EQ(desc.statistics_size, first ? 8 : 0);
  EXPECT_EQ(desc.dropout_features, 4);

  MLIRContext context;
  context.loadDialect<CCRNNDialect, arith::ArithDialect, func::FuncDialect,
                      scf::SCFDialect>();
  std::string path =
      std::string(CCRNN_TEST_INPUTS_DIR) + "/" + desc.model + ".mlir";
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(path, ParserConfig(&context));
  ASSERT_TRUE(module) << path;
  registerTrainerPipeline();
  PassManager pm(&context);
  std::string pipeline =
      std::string("ccrnn-trainer-pipeline{") + desc.options + "}";
  ASSERT_TRUE(succeeded(parsePassPipeline(pipeline, pm))) << pipeline;
  ASSERT_TRUE(succeeded(pm.run(*module)));
  auto function = [&](const char *suffix) {
    return module->lookupSymbol<func::FuncOp>(std::string(desc.model) +
                                              suffix);
  };
  func::FuncOp train = function("_train"), eval = function("_eval");
  ASSERT_TRUE(train && eval);
  Evaluator evaluator(*module);

  Arrays arrays(desc.vocab, 23);
  std::vector<Tensor> trainArgs = arrays.arguments(train);
  std::vector<std::vector<float>> params;
  std::vector<const float *> paramPointers;
  for (int i = 0; i < desc.num_params; ++i)
    params.push_back(arrays.floats(desc.params[i].name));
  for (const std::vector<float> &p : params)
    paramPointers.push_back(p.data());
  std::vector<int64_t> tokens = arrays.tokens("input"),
                       targets = arrays.tokens("target");
  ASSERT_EQ(int64_t(tokens.size()), desc.batch * desc.token_steps);
  std::vector<float> vector, fibreMask,
      dropoutMask = arrays.floats("dropout_mask"),
      state = arrays.joined(train, Role::State),
      statistics = arrays.joined(train, Role::Statistic);
  if (first)
    vector = arrays.floats("vector");
  if (desc.fibre_mask_rows)
    fibreMask = arrays.floats("fibre_mask");
  ASSERT_EQ(int64_t(state.size()), desc.state_size);
  ASSERT_EQ(int64_t(statistics.size()), desc.statistics_size);
  ASSERT_EQ(int64_t(dropoutMask.size()),
            desc.batch * desc.steps * desc.dropout_features);

  void *trainer = api->create();
  ASSERT_NE(trainer, nullptr);
  auto call = [&](const float *initialState, const float *dropout) {
    ccrnn_batch batch{};
    batch.params = paramPointers.data();
    batch.inputs = tokens.data();
    batch.targets = targets.data();
    batch.initial_state = initialState;
    batch.fibre_mask = fibreMask.empty() ? nullptr : fibreMask.data();
    batch.vector_input = vector.empty() ? nullptr : vector.data();
    batch.dropout_mask = dropout;
    batch.statistics = statistics.empty() ? nullptr : statistics.data();
    return batch;
  };

  // Training, from the random state with the random masks.
  {
    FailureOr<std::vector<Tensor>> expected =
        evaluator.call(std::string(desc.model) + "_train", trainArgs);
    ASSERT_TRUE(succeeded(expected));
    NaNGradients grads(params);
    std::vector<float> finalState(desc.state_size, NAN),
        newStatistics(desc.statistics_size, NAN);
    ccrnn_batch batch = call(state.data(), dropoutMask.data());
    batch.new_statistics = newStatistics.data();
    float loss = api->train(trainer, &batch, grads.pointers.data(),
                            finalState.data());
    EXPECT_TRUE(nearLoss(loss, (*expected)[0].data[0]))
        << loss << " vs " << (*expected)[0].data[0];
    for (int i = 0; i < desc.num_params; ++i)
      EXPECT_LE(gradientError(desc.params[i].name, grads.arrays[i].data(),
                              (*expected)[i + 1].data),
                1e-4)
          << desc.params[i].name;
    EXPECT_LE(relativeError(finalState.data(),
                            joinedResults(train, *expected, Role::FinalState)),
              1e-4);
    EXPECT_LE(relativeError(newStatistics.data(),
                            joinedResults(train, *expected,
                                          Role::NewStatistic)),
              1e-4);
  }

  // No state, no dropout mask: the zero state, no dropout.
  {
    std::vector<Tensor> defaults = trainArgs;
    for (unsigned i = 0; i < train.getNumArguments(); ++i) {
      std::optional<Role> role = getArgumentRole(train, i);
      if (role == Role::State || role == Role::DropoutMask)
        for (double &v : defaults[i].data)
          v = role == Role::State ? 0.0 : 1.0;
    }
    FailureOr<std::vector<Tensor>> expected =
        evaluator.call(std::string(desc.model) + "_train", defaults);
    ASSERT_TRUE(succeeded(expected));
    NaNGradients grads(params);
    ccrnn_batch batch = call(nullptr, nullptr);
    float loss = api->train(trainer, &batch, grads.pointers.data(), nullptr);
    EXPECT_TRUE(nearLoss(loss, (*expected)[0].data[0]))
        << loss << " vs " << (*expected)[0].data[0];
    for (int i = 0; i < desc.num_params; ++i)
      EXPECT_LE(gradientError(desc.params[i].name, grads.arrays[i].data(),
                              (*expected)[i + 1].data),
                1e-4)
          << "defaults: " << desc.params[i].name;
  }

  // The window's evaluation.
  {
    FailureOr<std::vector<Tensor>> expected = evaluator.call(
        std::string(desc.model) + "_eval", arrays.arguments(eval));
    ASSERT_TRUE(succeeded(expected));
    std::vector<float> scores(desc.batch * desc.steps * desc.vocab, NAN),
        finalState(desc.state_size, NAN);
    ccrnn_batch batch = call(state.data(), nullptr);
    float loss =
        api->eval_window(trainer, &batch, scores.data(), finalState.data());
    EXPECT_TRUE(nearLoss(loss, (*expected)[0].data[0]))
        << loss << " vs " << (*expected)[0].data[0];
    EXPECT_LE(relativeError(scores.data(), (*expected)[1].data), 1e-4);
    EXPECT_LE(relativeError(finalState.data(),
                            joinedResults(eval, *expected, Role::FinalState)),
              1e-4);
  }

  // Greedy decoding: the same tokens, step after step.
  if (api->decode) {
    func::FuncOp decode = function("_decode");
    ASSERT_TRUE(decode);
    FailureOr<std::vector<Tensor>> expected = evaluator.call(
        std::string(desc.model) + "_decode", arrays.arguments(decode));
    ASSERT_TRUE(succeeded(expected));
    ASSERT_EQ(int64_t(expected->size()), desc.decode_steps);
    std::vector<int64_t> decoded(desc.decode_steps * desc.batch, -1),
        reference;
    for (const Tensor &step : *expected)
      reference.insert(reference.end(), step.data.begin(), step.data.end());
    ccrnn_batch batch = call(nullptr, nullptr);
    api->decode(trainer, &batch, decoded.data());
    EXPECT_EQ(decoded, reference);
  }
  api->destroy(trainer);
}

#define CASE(id) TrainerCase{#id, ccrnn_trainer_##id},
const std::vector<TrainerCase> kCases = {CCRNN_CAPTION_TRAINERS(CASE)};
INSTANTIATE_TEST_SUITE_P(Trainers, CaptionTrainerTest,
                         ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<TrainerCase> &info) {
                           return std::string(info.param.id);
                         });
#undef CASE

} // namespace
