//===- CUDACaptionTrainerTest.cpp - CUDA caption trainers vs the CPU ones -===//
//
// The CUDA twins of the caption model's window trainers
// (CaptionTrainerTest.cpp checks the CPU ones against the reference
// evaluator) against those CPU trainers, built twice like
// CUDATrainerTest.cpp: with the CUDA runtime's API implemented on the CPU
// (CCRNNCUDAOnHostTests, everywhere) and with the real runtime
// (CCRNNCUDATests, where nvcc is; its comparisons are skipped without a
// GPU, each saying why). Without a device, every CUDA trainer describes its
// CPU twin, token fields included. With one, from random parameters,
// tokens, image vectors, dropout and fibre masks, running statistics and
// state: train() (loss, every gradient, the final state, the updated
// statistics, also written in place) with and without the state and the
// dropout mask, eval_window() (loss, scores, final state) from the random
// and the zero state, and the greedy decoder match the CPU trainer's to
// float32 precision, the decoded tokens exactly. The token paths of the
// ABI (int64 inputs and targets, the vector input, the dropout mask, the
// statistics in and out, argmax fed back) are the CUDA emitter's own
// plumbing, which CUDATrainerTest's float models never reach.
//
//===----------------------------------------------------------------------===//

#include "CUDATestSupport.h"
#include "ccrnn/Runtime/KernelsCUDA.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#define CCRNN_CUDA_CAPTION_TRAINERS(X)                                         \
  X(tiny_caption_first) X(tiny_caption_later) X(tiny_caption_first_fibres)

extern "C" {
#define DECLARE(id)                                                            \
  const ccrnn_trainer_api *ccrnn_trainer_##id(void);                           \
  const ccrnn_trainer_api *ccrnn_trainer_cuda_##id(void);
CCRNN_CUDA_CAPTION_TRAINERS(DECLARE)
#undef DECLARE
}

namespace {

using ccrnn::test::noCUDADevice;
using ccrnn::test::relativeError;

struct CaptionPair {
  const char *id;
  ccrnn_trainer_entry_fn cpu, cuda;
};

#define PAIR(id) CaptionPair{#id, ccrnn_trainer_##id, ccrnn_trainer_cuda_##id},
const std::vector<CaptionPair> kCaption = {CCRNN_CUDA_CAPTION_TRAINERS(PAIR)};
#undef PAIR

void PrintTo(const CaptionPair &p, std::ostream *os) { *os << p.id; }
std::string nameOf(const ::testing::TestParamInfo<CaptionPair> &info) {
  return info.param.id;
}

int64_t elements(const ccrnn_param_info &p) {
  int64_t n = 1;
  for (int32_t d = 0; d < p.rank; ++d)
    n *= p.shape[d];
  return n;
}

/// The floor of parameter `name`'s gradient error: the encoder's bias has
/// none (the batch norm removes any shift) but float32 rounding, so it is
/// measured absolutely (as CaptionTrainerTest does).
double gradientFloor(const char *name) {
  return std::strcmp(name, "encoder.linear.bias") == 0 ? 1e-3 : 1e-6;
}

/// The scale of parameter `p`'s uniform values (U(-scale/2, scale/2)):
/// with every parameter small the LSTM's gates stay near 1/2, the readout's
/// bias decides every score's argmax and the decoder writes one token
/// throughout. Larger recurrent, batch-norm and readout weights and a small
/// readout bias make its tokens vary, with clear margins.
float scaleOf(const ccrnn_param_info &p) {
  for (const char *name : {"rnn.rnn.weight_ih_l0", "rnn.rnn.weight_hh_l0",
                           "encoder.bn.weight", "linear.weight"})
    if (std::strcmp(p.name, name) == 0)
      return 4.0f;
  return std::strcmp(p.name, "linear.bias") == 0 ? 0.1f : 1.0f;
}

/// The caller's arrays of one trainer's calls: random, of its shapes.
struct CaptionInputs {
  std::vector<std::vector<float>> params;
  std::vector<const float *> paramPointers;
  std::vector<int64_t> tokens, targets;
  std::vector<float> vector, dropoutMask, statistics, state, fibreMask;

  CaptionInputs(const ccrnn_trainer_desc &d, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
    auto randoms = [&](int64_t n, float scale = 1.0f) {
      std::vector<float> v(n);
      for (float &x : v)
        x = scale * uniform(rng);
      return v;
    };
    for (int32_t i = 0; i < d.num_params; ++i)
      params.push_back(randoms(elements(d.params[i]), scaleOf(d.params[i])));
    for (const std::vector<float> &p : params)
      paramPointers.push_back(p.data());
    for (int64_t i = 0; i < d.batch * d.token_steps; ++i)
      tokens.push_back(int64_t(rng() % uint64_t(d.vocab)));
    for (int64_t i = 0; i < d.batch * d.steps; ++i)
      targets.push_back(int64_t(rng() % uint64_t(d.vocab)));
    vector = randoms(d.batch * d.vector_size, 4.0f);
    for (int64_t i = 0; i < d.batch * d.steps * d.dropout_features; ++i)
      dropoutMask.push_back(rng() % 2 ? 2.0f : 0.0f); // 1 / (1 - 0.5)
    // The batch norm's running mean, then its variance (positive).
    int64_t features = d.statistics_size / 2;
    statistics = randoms(features);
    for (int64_t i = 0; i < features; ++i)
      statistics.push_back(1.0f + uniform(rng));
    state = randoms(d.state_size);
    for (int64_t i = 0; i < d.fibre_mask_rows * d.fibre_mask_cols; ++i)
      fibreMask.push_back(float(rng() % 2));
  }

  ccrnn_batch batch(bool withState, bool withDropout) const {
    ccrnn_batch b{};
    b.params = paramPointers.data();
    b.inputs = tokens.data();
    b.targets = targets.data();
    b.initial_state = withState ? state.data() : nullptr;
    b.fibre_mask = fibreMask.empty() ? nullptr : fibreMask.data();
    b.vector_input = vector.empty() ? nullptr : vector.data();
    b.dropout_mask = withDropout ? dropoutMask.data() : nullptr;
    b.statistics = statistics.empty() ? nullptr : statistics.data();
    return b;
  }
};

/// What one trainer writes for a fixed sequence of calls on the same
/// inputs; outputs start as NaN (tokens as -1).
struct CaptionOutputs {
  // train(): with state and dropout; without either; statistics in place.
  std::vector<float> losses;
  std::vector<std::vector<float>> grads, gradsDefaults;
  std::vector<float> finalState, newStatistics, inPlaceStatistics;
  // eval_window(): from the random state; from zeros.
  std::vector<float> scores, evalState, scoresZero, evalStateZero;
  std::vector<int64_t> decoded;
};

CaptionOutputs run(const ccrnn_trainer_api *api, const CaptionInputs &in) {
  const ccrnn_trainer_desc &d = *api->desc;
  CaptionOutputs out;
  void *trainer = api->create();
  EXPECT_NE(trainer, nullptr);
  if (!trainer)
    return out;
  auto nanGrads = [&](std::vector<std::vector<float>> &grads) {
    std::vector<float *> pointers;
    for (const ccrnn_param_info *p = d.params; p != d.params + d.num_params;
         ++p)
      grads.emplace_back(elements(*p), NAN);
    for (std::vector<float> &g : grads)
      pointers.push_back(g.data());
    return pointers;
  };

  {
    std::vector<float *> grads = nanGrads(out.grads);
    out.finalState.assign(d.state_size, NAN);
    out.newStatistics.assign(d.statistics_size, NAN);
    ccrnn_batch b = in.batch(true, true);
    b.new_statistics = out.newStatistics.data();
    out.losses.push_back(
        api->train(trainer, &b, grads.data(), out.finalState.data()));
  }
  {
    std::vector<float *> grads = nanGrads(out.gradsDefaults);
    ccrnn_batch b = in.batch(false, false);
    out.losses.push_back(api->train(trainer, &b, grads.data(), nullptr));
  }
  if (d.statistics_size) {
    // new_statistics where the statistics are read.
    std::vector<std::vector<float>> ignored;
    std::vector<float *> grads = nanGrads(ignored);
    out.inPlaceStatistics = in.statistics;
    ccrnn_batch b = in.batch(true, true);
    b.statistics = out.inPlaceStatistics.data();
    b.new_statistics = out.inPlaceStatistics.data();
    out.losses.push_back(api->train(trainer, &b, grads.data(), nullptr));
  }
  {
    out.scores.assign(d.batch * d.steps * d.vocab, NAN);
    out.evalState.assign(d.state_size, NAN);
    ccrnn_batch b = in.batch(true, false);
    out.losses.push_back(
        api->eval_window(trainer, &b, out.scores.data(), out.evalState.data()));
    out.scoresZero.assign(d.batch * d.steps * d.vocab, NAN);
    out.evalStateZero.assign(d.state_size, NAN);
    b = in.batch(false, false);
    out.losses.push_back(api->eval_window(trainer, &b, out.scoresZero.data(),
                                          out.evalStateZero.data()));
  }
  if (api->decode) {
    out.decoded.assign(d.decode_steps * d.batch, -1);
    ccrnn_batch b = in.batch(false, false);
    api->decode(trainer, &b, out.decoded.data());
  }
  api->destroy(trainer);
  return out;
}

//===--- Without a GPU ----------------------------------------------------===//

class CUDACaptionTrainerDesc : public ::testing::TestWithParam<CaptionPair> {};

TEST_P(CUDACaptionTrainerDesc, DescribesTheCPUTrainer) {
  const ccrnn_trainer_api &cpuApi = *GetParam().cpu();
  const ccrnn_trainer_api &cudaApi = *GetParam().cuda();
  const ccrnn_trainer_desc &cpu = *cpuApi.desc, &cuda = *cudaApi.desc;
  EXPECT_EQ(cuda.abi_version, CCRNN_TRAINER_ABI_VERSION);
  EXPECT_STREQ(cuda.model, cpu.model);
  EXPECT_STREQ(cuda.options, cpu.options);
  EXPECT_EQ(cuda.batch, cpu.batch);
  EXPECT_EQ(cuda.steps, cpu.steps);
  EXPECT_EQ(cuda.input_size, cpu.input_size);
  EXPECT_EQ(cuda.output_size, cpu.output_size);
  EXPECT_EQ(cuda.state_size, cpu.state_size);
  EXPECT_EQ(cuda.fibre_mask_rows, cpu.fibre_mask_rows);
  EXPECT_EQ(cuda.fibre_mask_cols, cpu.fibre_mask_cols);
  EXPECT_EQ(cuda.flops_per_batch, cpu.flops_per_batch);
  EXPECT_EQ(cuda.ensemble, cpu.ensemble);
  // The token model's fields.
  EXPECT_GT(cpu.vocab, 0);
  EXPECT_EQ(cuda.vocab, cpu.vocab);
  EXPECT_EQ(cuda.vector_size, cpu.vector_size);
  EXPECT_EQ(cuda.token_steps, cpu.token_steps);
  EXPECT_EQ(cuda.dropout_features, cpu.dropout_features);
  EXPECT_EQ(cuda.statistics_size, cpu.statistics_size);
  EXPECT_EQ(cuda.decode_steps, cpu.decode_steps);
  ASSERT_EQ(cuda.num_params, cpu.num_params);
  for (int32_t i = 0; i < cpu.num_params; ++i) {
    EXPECT_STREQ(cuda.params[i].name, cpu.params[i].name);
    EXPECT_EQ(cuda.params[i].rank, cpu.params[i].rank);
    EXPECT_EQ(0, std::memcmp(cuda.params[i].shape, cpu.params[i].shape,
                             sizeof cpu.params[i].shape));
  }
  // A window trainer: eval_window, no whole-sequence eval; the decoder
  // where the CPU trainer has one.
  EXPECT_EQ(cudaApi.eval, nullptr);
  EXPECT_NE(cudaApi.eval_window, nullptr);
  EXPECT_EQ(bool(cudaApi.decode), bool(cpuApi.decode));
  EXPECT_EQ(bool(cudaApi.decode), cuda.decode_steps > 0);
  EXPECT_EQ(bool(cudaApi.record), bool(cpuApi.record));
}

INSTANTIATE_TEST_SUITE_P(Caption, CUDACaptionTrainerDesc,
                         ::testing::ValuesIn(kCaption), nameOf);

//===--- With a GPU -------------------------------------------------------===//

class CUDACaptionTrainer : public ::testing::TestWithParam<CaptionPair> {};

TEST_P(CUDACaptionTrainer, MatchesTheCPUTrainer) {
  if (std::string why = noCUDADevice(); !why.empty())
    GTEST_SKIP() << "no CUDA device: " << why;
  const ccrnn_trainer_desc &d = *GetParam().cpu()->desc;
  ASSERT_GT(d.vocab, 0);
  CaptionInputs in(d, 3);
  CaptionOutputs cpu = run(GetParam().cpu(), in);
  CaptionOutputs gpu = run(GetParam().cuda(), in);
  ASSERT_EQ(gpu.losses.size(), cpu.losses.size());
  for (size_t i = 0; i < cpu.losses.size(); ++i)
    EXPECT_LE(relativeError({gpu.losses[i]}, {cpu.losses[i]}), 1e-4)
        << "loss of call " << i << ": " << gpu.losses[i] << " vs "
        << cpu.losses[i];
  for (int32_t i = 0; i < d.num_params; ++i) {
    double floor = gradientFloor(d.params[i].name);
    EXPECT_LE(relativeError(gpu.grads[i], cpu.grads[i], floor), 1e-4)
        << "gradient of " << d.params[i].name;
    EXPECT_LE(relativeError(gpu.gradsDefaults[i], cpu.gradsDefaults[i], floor),
              1e-4)
        << "gradient of " << d.params[i].name << " (no state, no dropout)";
  }
  EXPECT_LE(relativeError(gpu.finalState, cpu.finalState), 1e-4)
      << "final state";
  EXPECT_LE(relativeError(gpu.newStatistics, cpu.newStatistics), 1e-4)
      << "new statistics";
  EXPECT_LE(relativeError(gpu.inPlaceStatistics, cpu.inPlaceStatistics), 1e-4)
      << "statistics updated in place";
  EXPECT_LE(relativeError(gpu.inPlaceStatistics, gpu.newStatistics), 1e-6)
      << "statistics updated in place vs apart";
  EXPECT_LE(relativeError(gpu.scores, cpu.scores), 1e-4) << "scores";
  EXPECT_LE(relativeError(gpu.evalState, cpu.evalState), 1e-4)
      << "eval_window's final state";
  EXPECT_LE(relativeError(gpu.scoresZero, cpu.scoresZero), 1e-4)
      << "scores from the zero state";
  EXPECT_LE(relativeError(gpu.evalStateZero, cpu.evalStateZero), 1e-4)
      << "eval_window's final state from the zero state";
  EXPECT_EQ(gpu.decoded, cpu.decoded) << "decoded tokens";
  // Tokens that vary, so that the comparison shows what is fed back.
  if (d.decode_steps) {
    EXPECT_GE(std::set<int64_t>(cpu.decoded.begin(), cpu.decoded.end()).size(),
              3u);
  }
  for (int64_t token : gpu.decoded)
    EXPECT_TRUE(token >= 0 && token < d.vocab) << token;
}

INSTANTIATE_TEST_SUITE_P(Caption, CUDACaptionTrainer,
                         ::testing::ValuesIn(kCaption), nameOf);

} // namespace
