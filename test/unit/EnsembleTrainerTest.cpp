//===- EnsembleTrainerTest.cpp - K networks in one trainer, bit for bit ---===//
//
// A trainer built with --ccrnn-ensemble=size=K trains K networks in one call.
// Each network must get exactly the bits the single-network trainer of the
// same program gives it: the loss, every gradient, the final state, the
// evaluation's predictions and the recorded feedback. Every network gets
// its own parameters, batch, initial state and fibre mask, so a mix-up of
// networks (a wrong offset, a shared bias, a loss of the wrong rows) shows.
//
//===----------------------------------------------------------------------===//

#include "TrainerCalls.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

// clang-format off
#define CCRNN_ENSEMBLE_TRAINERS(X)                                             \
  X(tiny_lstm_t3, 2) X(tiny_dni_lstm_t3, 3) X(tiny_dni_tanh_xent_t2, 3)        \
  X(tiny_dni_lstm_fibres_record, 2) X(tiny_cdni_lstm2_last_fibres, 3)          \
  X(tiny_cdni_tanh_xent_record, 2)
// clang-format on

extern "C" {
#define DECLARE(id, k)                                                         \
  const ccrnn_trainer_api *ccrnn_trainer_##id(void);                           \
  const ccrnn_trainer_api *ccrnn_trainer_##id##_x##k(void);
CCRNN_ENSEMBLE_TRAINERS(DECLARE)
#undef DECLARE
}

namespace {

using ccrnn::test::TrainerCall;

struct EnsembleCase {
  const char *id;
  ccrnn_trainer_entry_fn single, ensemble;
};

void PrintTo(const EnsembleCase &c, std::ostream *os) { *os << c.id; }

/// Equal bits; else the first difference, for the failure message.
testing::AssertionResult sameBits(const std::vector<float> &alone,
                                  const std::vector<float> &together) {
  if (alone.size() != together.size())
    return testing::AssertionFailure() << "sizes differ";
  for (size_t i = 0; i < alone.size(); ++i)
    if (std::memcmp(&alone[i], &together[i], sizeof(float)) != 0)
      return testing::AssertionFailure()
             << "element " << i << " of " << alone.size() << ": alone "
             << alone[i] << ", in the ensemble " << together[i];
  return testing::AssertionSuccess();
}

class EnsembleTrainerTest : public ::testing::TestWithParam<EnsembleCase> {};

TEST_P(EnsembleTrainerTest, EachNetworkGetsTheSingleTrainersBits) {
  const ccrnn_trainer_api *one = GetParam().single();
  const ccrnn_trainer_api *many = GetParam().ensemble();
  const ccrnn_trainer_desc &d = *one->desc;
  const int64_t K = many->desc->ensemble;
  ASSERT_EQ(d.ensemble, 1);
  ASSERT_GT(K, 1);
  ASSERT_EQ(many->desc->num_params, d.num_params);
  EXPECT_DOUBLE_EQ(many->desc->flops_per_batch, K * d.flops_per_batch);
  ASSERT_EQ(bool(one->record), bool(many->record));

  // K networks' data, all different.
  TrainerCall all = TrainerCall::random(d, K, 7);
  ccrnn::test::runTrainer(many, all);
  const std::vector<std::string> names = all.outputNames();
  for (int64_t k = 0; k < K; ++k) {
    SCOPED_TRACE("network " + std::to_string(k));
    TrainerCall mine = all.network(k);
    ccrnn::test::runTrainer(one, mine);
    EXPECT_TRUE(std::isfinite(mine.losses[0]));
    const auto alone = mine.outputsOf(0), together = all.outputsOf(k);
    for (size_t i = 0; i < alone.size(); ++i)
      EXPECT_TRUE(sameBits(alone[i], together[i])) << names[i];
  }
  // The networks differ, so equal bits are not an accident of equal data.
  EXPECT_NE(all.losses[0], all.losses[1]);
}

#define CASE(id, k)                                                            \
  EnsembleCase{#id, ccrnn_trainer_##id, ccrnn_trainer_##id##_x##k},
const std::vector<EnsembleCase> kCases = {CCRNN_ENSEMBLE_TRAINERS(CASE)};
#undef CASE

INSTANTIATE_TEST_SUITE_P(
    Trainers, EnsembleTrainerTest, ::testing::ValuesIn(kCases),
    [](const ::testing::TestParamInfo<EnsembleCase> &info) {
      return std::string(info.param.id);
    });

} // namespace
