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

struct EnsembleCase {
  const char *id;
  ccrnn_trainer_entry_fn single, ensemble;
};

void PrintTo(const EnsembleCase &c, std::ostream *os) { *os << c.id; }

int64_t elements(const ccrnn_param_info &p) {
  int64_t n = 1;
  for (int32_t d = 0; d < p.rank; ++d)
    n *= p.shape[d];
  return n;
}

/// Owns a trainer instance.
struct Instance {
  const ccrnn_trainer_api *api;
  void *handle;
  explicit Instance(const ccrnn_trainer_api *api)
      : api(api), handle(api->create()) {}
  ~Instance() { api->destroy(handle); }
};

/// The arrays of one call for K networks, network after network; K = 1 is
/// one network's.
struct Arrays {
  std::vector<std::vector<float>> params, grads;
  std::vector<float> inputs, targets, state, mask, finalState, predictions,
      losses;
  std::vector<int64_t> labels;
  std::vector<std::vector<float>> record; ///< state ... activity

  /// Network k's part of `all` (K networks), sized `n` each.
  template <typename T>
  static std::vector<T> part(const std::vector<T> &all, size_t k, size_t n) {
    return std::vector<T>(all.begin() + k * n, all.begin() + (k + 1) * n);
  }
};

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

  // Sizes of one network's arrays.
  const int64_t inSize = d.batch * d.steps * d.input_size;
  const int64_t outSize =
      d.batch * (d.predict_last ? 1 : d.steps) * d.output_size;
  const int64_t maskSize = d.fibre_mask_rows * d.fibre_mask_cols;
  const int64_t recordSize =
      d.record_boundaries * d.record_layers * d.batch * d.record_state;
  const int64_t activitySize =
      d.record_boundaries * d.record_layers * d.batch * d.record_width;

  // K networks' data, all different.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
  auto randoms = [&](int64_t n) {
    std::vector<float> v(n);
    for (float &x : v)
      x = uniform(rng);
    return v;
  };
  Arrays all;
  for (int32_t i = 0; i < d.num_params; ++i) {
    all.params.push_back(randoms(K * elements(d.params[i])));
    all.grads.emplace_back(K * elements(d.params[i]), NAN);
  }
  all.inputs = randoms(K * inSize);
  all.targets = randoms(K * outSize);
  for (int64_t i = 0; i < K * d.batch; ++i)
    all.labels.push_back(int64_t(rng() % uint64_t(d.output_size)));
  all.state = randoms(K * d.state_size);
  for (int64_t i = 0; i < K * maskSize; ++i)
    all.mask.push_back(float(rng() % 2));
  all.finalState.assign(K * d.state_size, NAN);
  all.predictions.assign(K * outSize, NAN);
  all.losses.assign(K, NAN);
  for (int64_t n : {recordSize, recordSize, recordSize, recordSize,
                    activitySize})
    all.record.emplace_back(K * n, NAN);

  auto pointers = [](std::vector<std::vector<float>> &v) {
    std::vector<float *> p;
    for (auto &x : v)
      p.push_back(x.data());
    return p;
  };
  auto run = [&](const ccrnn_trainer_api *api, Arrays &a) {
    Instance t(api);
    ASSERT_NE(t.handle, nullptr);
    std::vector<float *> params = pointers(a.params), grads = pointers(a.grads);
    std::vector<const float *> constParams(params.begin(), params.end());
    const void *targets = d.classify
                              ? static_cast<const void *>(a.labels.data())
                              : a.targets.data();
    ccrnn_batch batch{constParams.data(),
                      a.inputs.data(),
                      targets,
                      a.state.empty() ? nullptr : a.state.data(),
                      a.mask.empty() ? nullptr : a.mask.data(),
                      a.losses.data()};
    float loss = api->train(t.handle, &batch, grads.data(),
                            a.finalState.empty() ? nullptr
                                                 : a.finalState.data());
    EXPECT_EQ(std::memcmp(&loss, &a.losses[0], sizeof loss), 0);
    api->eval(t.handle, constParams.data(), a.inputs.data(), targets,
              a.predictions.data());
    if (api->record) {
      std::vector<float *> r = pointers(a.record);
      ccrnn_record out{r[0], r[1], r[2], r[3], r[4]};
      api->record(t.handle, &batch, &out);
    }
  };
  run(many, all);

  // Equal bits; else the first difference, for the failure message.
  auto sameBits = [](const std::vector<float> &alone,
                     const std::vector<float> &together) -> testing::AssertionResult {
    if (alone.size() != together.size())
      return testing::AssertionFailure() << "sizes differ";
    for (size_t i = 0; i < alone.size(); ++i)
      if (std::memcmp(&alone[i], &together[i], sizeof(float)) != 0)
        return testing::AssertionFailure()
               << "element " << i << " of " << alone.size() << ": alone "
               << alone[i] << ", in the ensemble " << together[i];
    return testing::AssertionSuccess();
  };
  for (int64_t k = 0; k < K; ++k) {
    SCOPED_TRACE("network " + std::to_string(k));
    Arrays mine;
    for (int32_t i = 0; i < d.num_params; ++i) {
      mine.params.push_back(
          Arrays::part(all.params[i], k, elements(d.params[i])));
      mine.grads.emplace_back(elements(d.params[i]), NAN);
    }
    mine.inputs = Arrays::part(all.inputs, k, inSize);
    mine.targets = Arrays::part(all.targets, k, outSize);
    mine.labels = Arrays::part(all.labels, k, d.batch);
    mine.state = Arrays::part(all.state, k, d.state_size);
    mine.mask = Arrays::part(all.mask, k, maskSize);
    mine.finalState.assign(d.state_size, NAN);
    mine.predictions.assign(outSize, NAN);
    mine.losses.assign(1, NAN);
    for (int64_t n : {recordSize, recordSize, recordSize, recordSize,
                      activitySize})
      mine.record.emplace_back(n, NAN);
    run(one, mine);

    EXPECT_EQ(std::memcmp(&mine.losses[0], &all.losses[k], sizeof(float)), 0)
        << mine.losses[0] << " vs " << all.losses[k];
    EXPECT_TRUE(std::isfinite(mine.losses[0]));
    for (int32_t i = 0; i < d.num_params; ++i)
      EXPECT_TRUE(sameBits(
          mine.grads[i], Arrays::part(all.grads[i], k, elements(d.params[i]))))
          << d.params[i].name;
    EXPECT_TRUE(
        sameBits(mine.finalState, Arrays::part(all.finalState, k, d.state_size)));
    EXPECT_TRUE(
        sameBits(mine.predictions, Arrays::part(all.predictions, k, outSize)));
    const int64_t sizes[] = {recordSize, recordSize, recordSize, recordSize,
                             activitySize};
    for (int i = 0; i < 5 && one->record; ++i)
      EXPECT_TRUE(
          sameBits(mine.record[i], Arrays::part(all.record[i], k, sizes[i])))
          << "record array " << i;
  }
  // The networks differ, so equal bits are not an accident of equal data.
  EXPECT_NE(all.losses[0], all.losses[1]);
}

#define CASE(id, k) EnsembleCase{#id, ccrnn_trainer_##id, ccrnn_trainer_##id##_x##k},
const std::vector<EnsembleCase> kCases = {CCRNN_ENSEMBLE_TRAINERS(CASE)};
#undef CASE

INSTANTIATE_TEST_SUITE_P(
    Trainers, EnsembleTrainerTest, ::testing::ValuesIn(kCases),
    [](const ::testing::TestParamInfo<EnsembleCase> &info) {
      return std::string(info.param.id);
    });

} // namespace
