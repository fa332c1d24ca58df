//===- GeneratedTrainerTest.cpp - C++ trainers vs the reference --*- C++ -*-===//
//
// Trainers generated at build time (ccrnn_add_trainer in
// test/unit/CMakeLists.txt) against the double-precision reference evaluator
// running the same program: one batch's loss, every gradient and the final
// state (from a random kept state, with a random fibre mask), the defaults
// of a batch without initial state or mask (zeros, all ones), the recorded
// feedback, and the evaluation agree within float32 tolerance. The trainers
// cover the cRNN and ccRNN programs, the lesions (cerebellum=frozen|off),
// sparse fibres, stacked layers, target context and recording.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Pipeline/Pipeline.h"
#include "ccrnn/Transforms/Passes.h"
#include "ccrnn/Reference/Evaluator.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir;
using ccrnn::reference::Evaluator;
using ccrnn::reference::Tensor;

// clang-format off
#define CCRNN_TEST_TRAINERS(X)                                                 \
  X(tiny_lstm_t1) X(tiny_lstm_t3) X(tiny_lstm_t5) X(tiny_dni_lstm_t1)          \
  X(tiny_dni_lstm_t3) X(tiny_dni_lstm_t5) X(tiny_dni_tanh_xent_t2)             \
  X(tiny_dni_lstm_last_t2) X(tiny_dni_lstm_fibres_record)                      \
  X(tiny_dni_lstm_frozen) X(tiny_dni_lstm_off) X(tiny_dni_lstm_frozen_record)  \
  X(tiny_cdni_lstm2_record) X(tiny_cdni_lstm2_last_fibres)                     \
  X(tiny_cdni_tanh_xent_record) X(tiny_dni_tanh2_linear_record)
// clang-format on

extern "C" {
#define DECLARE(id) const ccrnn_trainer_api *ccrnn_trainer_##id(void);
CCRNN_TEST_TRAINERS(DECLARE)
#undef DECLARE
}

namespace {

struct TrainerCase {
  const char *id;
  ccrnn_trainer_entry_fn entry;
};

void PrintTo(const TrainerCase &c, std::ostream *os) { *os << c.id; }

double relativeError(const float *actual, const std::vector<double> &expected) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    // Outputs start as NaN: one never written is an error, not ignored.
    if (!std::isfinite(actual[i]))
      return INFINITY;
    diff = std::max(diff, std::abs(actual[i] - expected[i]));
    scale = std::max(scale, std::abs(expected[i]));
  }
  return diff / std::max(scale, 1e-6);
}

class GeneratedTrainerTest : public ::testing::TestWithParam<TrainerCase> {};

TEST_P(GeneratedTrainerTest, MatchesReferenceEvaluator) {
  const ccrnn_trainer_api *api = GetParam().entry();
  const ccrnn_trainer_desc &desc = *api->desc;
  ASSERT_EQ(desc.abi_version, CCRNN_TRAINER_ABI_VERSION);

  // The same program, for the reference evaluator.
  MLIRContext context;
  context.loadDialect<ccrnn::CCRNNDialect, arith::ArithDialect,
                      func::FuncDialect, scf::SCFDialect>();
  std::string path =
      std::string(CCRNN_TEST_INPUTS_DIR) + "/" + desc.model + ".mlir";
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(path, ParserConfig(&context));
  ASSERT_TRUE(module) << path;
  ccrnn::registerTrainerPipeline();
  PassManager pm(&context);
  std::string pipeline =
      std::string("ccrnn-trainer-pipeline{") + desc.options + "}";
  ASSERT_TRUE(succeeded(parsePassPipeline(pipeline, pm))) << pipeline;
  ASSERT_TRUE(succeeded(pm.run(*module)));

  // Random parameters (none zero, so that every path carries gradient) and a
  // random batch.
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  std::vector<std::vector<float>> params(desc.num_params);
  std::vector<Tensor> args;
  for (int i = 0; i < desc.num_params; ++i) {
    const ccrnn_param_info &p = desc.params[i];
    Tensor t{{p.shape, p.shape + p.rank}, {}};
    params[i].resize(t.numElements());
    for (float &v : params[i]) {
      v = dist(rng);
      t.data.push_back(v);
    }
    args.push_back(t);
  }
  std::vector<float> inputs(desc.batch * desc.steps * desc.input_size);
  Tensor inputTensor{{desc.batch, desc.steps, desc.input_size}, {}};
  for (float &v : inputs) {
    v = 2 * dist(rng);
    inputTensor.data.push_back(v);
  }
  args.push_back(inputTensor);
  std::vector<float> floatTargets;
  std::vector<int64_t> labels;
  Tensor targetTensor;
  if (desc.classify) {
    targetTensor.shape = {desc.batch};
    for (int64_t b = 0; b < desc.batch; ++b) {
      labels.push_back(rng() % desc.output_size);
      targetTensor.data.push_back(static_cast<double>(labels.back()));
    }
  } else {
    targetTensor.shape = {desc.batch};
    if (!desc.predict_last)
      targetTensor.shape.push_back(desc.steps);
    targetTensor.shape.push_back(desc.output_size);
    floatTargets.resize(targetTensor.numElements());
    for (float &v : floatTargets) {
      v = 2 * dist(rng);
      targetTensor.data.push_back(v);
    }
  }
  args.push_back(targetTensor);
  // A random initial state (a kept hidden state) and fibre mask.
  std::vector<float> initialState(desc.state_size), fibreMask;
  {
    int64_t layerState = desc.state_size;
    // The state is several [batch, hidden] tensors; the module knows how many.
    auto train = module->lookupSymbol<func::FuncOp>(std::string(desc.model) +
                                                    "_train");
    ASSERT_TRUE(train);
    int64_t offset = 0;
    for (unsigned i = desc.num_params + 2; i < train.getNumArguments(); ++i) {
      auto type = cast<RankedTensorType>(train.getArgumentTypes()[i]);
      Tensor t{{type.getShape().begin(), type.getShape().end()}, {}};
      bool isMask = i == train.getNumArguments() - 1 && desc.fibre_mask_rows;
      for (int64_t j = 0; j < t.numElements(); ++j) {
        float v = isMask ? float(rng() % 2) : dist(rng);
        if (!isMask)
          initialState[offset + j] = v;
        t.data.push_back(v);
      }
      if (isMask)
        fibreMask.assign(t.data.begin(), t.data.end());
      else
        offset += t.numElements();
      args.push_back(t);
    }
    ASSERT_EQ(offset, layerState);
  }
  const void *targets = desc.classify
                            ? static_cast<const void *>(labels.data())
                            : static_cast<const void *>(floatTargets.data());

  void *trainer = api->create();
  ASSERT_NE(trainer, nullptr);
  std::vector<const float *> paramPointers;
  std::vector<std::vector<float>> grads(desc.num_params);
  std::vector<float *> gradPointers;
  for (int i = 0; i < desc.num_params; ++i) {
    paramPointers.push_back(params[i].data());
    grads[i].assign(params[i].size(), NAN);
    gradPointers.push_back(grads[i].data());
  }
  ccrnn_batch batch{paramPointers.data(), inputs.data(), targets,
                    initialState.data(),
                    fibreMask.empty() ? nullptr : fibreMask.data()};
  std::vector<float> finalState(desc.state_size, NAN);
  float loss = api->train(trainer, &batch, gradPointers.data(),
                          finalState.data());

  Evaluator evaluator(*module);
  FailureOr<std::vector<Tensor>> expected =
      evaluator.call(std::string(desc.model) + "_train", args);
  ASSERT_TRUE(succeeded(expected));
  EXPECT_NEAR(loss, (*expected)[0].data[0],
              1e-4 * std::max(1.0, std::abs((*expected)[0].data[0])));
  for (int i = 0; i < desc.num_params; ++i)
    EXPECT_LE(relativeError(grads[i].data(), (*expected)[i + 1].data), 1e-4)
        << desc.params[i].name;
  std::vector<double> expectedState;
  for (size_t i = desc.num_params + 1; i < expected->size(); ++i)
    expectedState.insert(expectedState.end(), (*expected)[i].data.begin(),
                         (*expected)[i].data.end());
  EXPECT_LE(relativeError(finalState.data(), expectedState), 1e-4);

  // A second batch gives the same result: nothing leaks between batches.
  std::vector<std::vector<float>> again = grads;
  for (int i = 0; i < desc.num_params; ++i)
    gradPointers[i] = again[i].data();
  EXPECT_EQ(api->train(trainer, &batch, gradPointers.data(), nullptr), loss);
  EXPECT_EQ(again, grads);

  // No initial state: zeros; no fibre mask: all ones (a dense synthesizer).
  {
    std::vector<Tensor> defaults = args;
    for (size_t i = desc.num_params + 2; i < defaults.size(); ++i) {
      bool isMask = desc.fibre_mask_rows && i == defaults.size() - 1;
      for (double &v : defaults[i].data)
        v = isMask ? 1.0 : 0.0;
    }
    FailureOr<std::vector<Tensor>> expectedDefaults =
        evaluator.call(std::string(desc.model) + "_train", defaults);
    ASSERT_TRUE(succeeded(expectedDefaults));
    std::vector<std::vector<float>> defaultGrads(desc.num_params);
    for (int i = 0; i < desc.num_params; ++i) {
      defaultGrads[i].assign(params[i].size(), NAN);
      gradPointers[i] = defaultGrads[i].data();
    }
    ccrnn_batch defaultBatch{paramPointers.data(), inputs.data(), targets,
                             nullptr, nullptr};
    float defaultLoss =
        api->train(trainer, &defaultBatch, gradPointers.data(), nullptr);
    EXPECT_NEAR(defaultLoss, (*expectedDefaults)[0].data[0],
                1e-4 * std::max(1.0, std::abs((*expectedDefaults)[0].data[0])));
    for (int i = 0; i < desc.num_params; ++i)
      EXPECT_LE(relativeError(defaultGrads[i].data(),
                              (*expectedDefaults)[i + 1].data),
                1e-4)
          << "defaults: " << desc.params[i].name;
  }

  // Feedback recording.
  ASSERT_EQ(api->record != nullptr, desc.record_boundaries > 0);
  if (api->record) {
    FailureOr<std::vector<Tensor>> recorded =
        evaluator.call(std::string(desc.model) + "_record", args);
    ASSERT_TRUE(succeeded(recorded));
    int64_t n = desc.record_boundaries * desc.record_layers * desc.batch;
    std::vector<std::vector<float>> out(5);
    for (int i = 0; i < 4; ++i)
      out[i].assign(n * desc.record_state, NAN);
    out[4].assign(n * desc.record_width, NAN);
    ccrnn_record record{out[0].data(), out[1].data(), out[2].data(),
                        out[3].data(), out[4].data()};
    api->record(trainer, &batch, &record);
    ASSERT_EQ(recorded->size(), desc.record_width ? 5u : 4u);
    for (size_t i = 0; i < recorded->size(); ++i)
      EXPECT_LE(relativeError(out[i].data(), (*recorded)[i].data), 1e-4)
          << "record result " << i;
  }

  // Evaluation.
  std::vector<Tensor> evalArgs(args.begin(),
                               args.begin() + desc.num_params + 2);
  FailureOr<std::vector<Tensor>> evalExpected =
      evaluator.call(std::string(desc.model) + "_eval", evalArgs);
  ASSERT_TRUE(succeeded(evalExpected));
  std::vector<float> predictions((*evalExpected)[1].numElements());
  float evalLoss = api->eval(trainer, paramPointers.data(), inputs.data(),
                             targets, predictions.data());
  EXPECT_NEAR(evalLoss, (*evalExpected)[0].data[0],
              1e-4 * std::max(1.0, std::abs((*evalExpected)[0].data[0])));
  EXPECT_LE(relativeError(predictions.data(), (*evalExpected)[1].data), 1e-4);
  api->destroy(trainer);
}

#define CASE(id) TrainerCase{#id, ccrnn_trainer_##id},
const std::vector<TrainerCase> kCases = {CCRNN_TEST_TRAINERS(CASE)};
INSTANTIATE_TEST_SUITE_P(Trainers, GeneratedTrainerTest,
                         ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<TrainerCase> &info) {
                           return std::string(info.param.id);
                         });
#undef CASE

} // namespace
