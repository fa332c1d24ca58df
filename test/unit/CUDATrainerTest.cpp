//===- CUDATrainerTest.cpp - CUDA trainers against the CPU ones -----------===//
//
// Built twice. CCRNNCUDAOnHostTests (everywhere) links the CUDA trainers
// with the CUDA runtime's API implemented on the CPU (KernelsCUDAOnHost):
// the comparisons then run on every machine and check everything the CUDA
// emitter writes. CCRNNCUDATests (where nvcc is) links the real runtime;
// without a GPU (the development and CI machines) its tests that need one
// are skipped, each saying why, and what runs anyway is:
// every bundled CUDA trainer describes the same trainer as its CPU twin, and
// creating a CUDA trainer fails cleanly (NULL) when there is no device.
// With a GPU, every CUDA trainer's loss, gradients, final state,
// predictions and recordings match the CPU trainer's to float32 precision.
//
//===----------------------------------------------------------------------===//

#include "CUDATestSupport.h"
#include "TrainerCalls.h"
#include "ccrnn/Runtime/KernelsCUDA.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

// clang-format off
#define CCRNN_CUDA_TEST_TRAINERS(X)                                            \
  X(tiny_lstm_t3) X(tiny_dni_lstm_t1) X(tiny_dni_lstm_t5)                      \
  X(tiny_dni_tanh_xent_t2) X(tiny_dni_lstm_fibres_record)                      \
  X(tiny_cdni_lstm2_last_fibres) X(tiny_cdni_tanh_xent_record)                 \
  X(tiny_dni_tanh2_linear_record) X(tiny_dni_lstm_t3_x3)
#define CCRNN_CUDA_BUNDLED(X)                                                  \
  X(lstm) X(dni_lstm) X(tanh) X(dni_tanh) X(cdni_lstm) X(cdni_tanh)
// clang-format on

#ifdef CCRNN_CUDA_ON_HOST
// No bundled CUDA trainers without a CUDA build.
#undef CCRNN_CUDA_BUNDLED
#define CCRNN_CUDA_BUNDLED(X)
#endif

extern "C" {
#define DECLARE(id)                                                            \
  const ccrnn_trainer_api *ccrnn_trainer_##id(void);                           \
  const ccrnn_trainer_api *ccrnn_trainer_cuda_##id(void);
CCRNN_CUDA_TEST_TRAINERS(DECLARE)
#undef DECLARE
#define DECLARE(model)                                                         \
  const ccrnn_trainer_api *ccrnn_trainer_linedraw_##model(void);               \
  const ccrnn_trainer_api *ccrnn_trainer_cuda_linedraw_##model(void);
CCRNN_CUDA_BUNDLED(DECLARE)
#undef DECLARE
}

namespace {

using ccrnn::test::noCUDADevice;
using ccrnn::test::relativeError;

struct Pair {
  const char *id;
  ccrnn_trainer_entry_fn cpu, cuda;
};

#define PAIR(id) Pair{#id, ccrnn_trainer_##id, ccrnn_trainer_cuda_##id},
const std::vector<Pair> kTiny = {CCRNN_CUDA_TEST_TRAINERS(PAIR)};
#undef PAIR
#define PAIR(model)                                                            \
  Pair{#model, ccrnn_trainer_linedraw_##model,                                 \
       ccrnn_trainer_cuda_linedraw_##model},
const std::vector<Pair> kBundled = {CCRNN_CUDA_BUNDLED(PAIR)};
#undef PAIR

void PrintTo(const Pair &p, std::ostream *os) { *os << p.id; }
std::string nameOf(const ::testing::TestParamInfo<Pair> &info) {
  return info.param.id;
}

//===--- Without a GPU
//------------------------------------------------------===//

#ifndef CCRNN_CUDA_ON_HOST
class BundledCUDATrainer : public ::testing::TestWithParam<Pair> {};

TEST_P(BundledCUDATrainer, DescribesTheCPUTrainer) {
  const ccrnn_trainer_desc &cpu = *GetParam().cpu()->desc;
  const ccrnn_trainer_desc &cuda = *GetParam().cuda()->desc;
  EXPECT_EQ(cuda.abi_version, CCRNN_TRAINER_ABI_VERSION);
  EXPECT_STREQ(cuda.model, cpu.model);
  EXPECT_STREQ(cuda.options, cpu.options);
  EXPECT_EQ(cuda.batch, cpu.batch);
  EXPECT_EQ(cuda.steps, cpu.steps);
  EXPECT_EQ(cuda.state_size, cpu.state_size);
  EXPECT_EQ(cuda.flops_per_batch, cpu.flops_per_batch);
  ASSERT_EQ(cuda.num_params, cpu.num_params);
  for (int32_t i = 0; i < cpu.num_params; ++i) {
    EXPECT_STREQ(cuda.params[i].name, cpu.params[i].name);
    EXPECT_EQ(0, std::memcmp(cuda.params[i].shape, cpu.params[i].shape,
                             sizeof cpu.params[i].shape));
  }
  EXPECT_EQ(bool(GetParam().cuda()->record), bool(GetParam().cpu()->record));
}

INSTANTIATE_TEST_SUITE_P(Bundled, BundledCUDATrainer,
                         ::testing::ValuesIn(kBundled), nameOf);
#endif

#ifndef CCRNN_CUDA_ON_HOST
TEST(CUDATrainer, CreateReturnsNullWithoutADevice) {
  if (noCUDADevice().empty())
    GTEST_SKIP() << "a CUDA device is present";
  const ccrnn_trainer_api *api = ccrnn_trainer_cuda_tiny_lstm_t3();
  EXPECT_EQ(api->create(), nullptr);
}
#endif

//===--- With a GPU
//---------------------------------------------------------===//

class CUDATrainer : public ::testing::TestWithParam<Pair> {};

TEST_P(CUDATrainer, MatchesTheCPUTrainer) {
  if (std::string why = noCUDADevice(); !why.empty())
    GTEST_SKIP() << "no CUDA device: " << why;
  const ccrnn_trainer_desc &d = *GetParam().cpu()->desc;
  const int64_t K = std::max<int64_t>(d.ensemble, 1);
  ccrnn::test::TrainerCall cpu = ccrnn::test::TrainerCall::random(d, K, 11);
  ccrnn::test::TrainerCall gpu = cpu;
  ccrnn::test::runTrainer(GetParam().cpu(), cpu);
  ccrnn::test::runTrainer(GetParam().cuda(), gpu);
  const std::vector<std::string> names = cpu.outputNames();
  for (int64_t k = 0; k < K; ++k) {
    const auto expected = cpu.outputsOf(k), actual = gpu.outputsOf(k);
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_LE(relativeError(actual[i], expected[i]), 1e-4)
          << names[i] << " of network " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Tiny, CUDATrainer, ::testing::ValuesIn(kTiny), nameOf);

} // namespace
