//===- TrainerCalls.h - One call of a generated trainer, for tests -*- C++
//-*-===//
//
// The arrays a train/eval/record call of a trainer reads and writes, filled
// with random data of a trainer's shapes, for the tests that run one
// trainer against another (EnsembleTrainerTest, CUDATrainerTest). Outputs
// start as NaN, so one never written shows.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TEST_UNIT_TRAINERCALLS_H
#define CCRNN_TEST_UNIT_TRAINERCALLS_H

#include "ccrnn/Runtime/TrainerABI.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <vector>

namespace ccrnn::test {

inline int64_t elements(const ccrnn_param_info &p) {
  int64_t n = 1;
  for (int32_t d = 0; d < p.rank; ++d)
    n *= p.shape[d];
  return n;
}

/// Every array of one call for `networks` networks of `desc`'s shapes (an
/// ensemble trainer's layout: network after network).
struct TrainerCall {
  const ccrnn_trainer_desc *desc = nullptr;
  int64_t networks = 1;
  std::vector<std::vector<float>> params, grads, record;
  std::vector<float> inputs, targets, state, mask, finalState, predictions,
      losses;
  std::vector<int64_t> labels;

  /// One network's size of each array.
  int64_t inputSize() const {
    return desc->batch * desc->steps * desc->input_size;
  }
  int64_t outputSize() const {
    return desc->batch * (desc->predict_last ? 1 : desc->steps) *
           desc->output_size;
  }
  int64_t maskSize() const {
    return desc->fibre_mask_rows * desc->fibre_mask_cols;
  }
  int64_t recordSize(int array) const {
    return desc->record_boundaries * desc->record_layers * desc->batch *
           (array < 4 ? desc->record_state : desc->record_width);
  }

  /// Random inputs (every network's different), NaN outputs.
  static TrainerCall random(const ccrnn_trainer_desc &d, int64_t networks,
                            unsigned seed) {
    TrainerCall c;
    c.desc = &d;
    c.networks = networks;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
    auto randoms = [&](int64_t n) {
      std::vector<float> v(networks * n);
      for (float &x : v)
        x = uniform(rng);
      return v;
    };
    for (int32_t i = 0; i < d.num_params; ++i)
      c.params.push_back(randoms(elements(d.params[i])));
    c.inputs = randoms(c.inputSize());
    c.targets = randoms(c.outputSize());
    for (int64_t i = 0; i < networks * d.batch; ++i)
      c.labels.push_back(int64_t(rng() % uint64_t(d.output_size)));
    c.state = randoms(d.state_size);
    for (int64_t i = 0; i < networks * c.maskSize(); ++i)
      c.mask.push_back(float(rng() % 2));
    c.clearOutputs();
    return c;
  }

  /// Network k's part of this call, as a call of one network.
  TrainerCall network(int64_t k) const {
    auto part = [&](const auto &all, int64_t n) {
      using V = std::decay_t<decltype(all)>;
      return V(all.begin() + k * n, all.begin() + (k + 1) * n);
    };
    TrainerCall c;
    c.desc = desc;
    for (int32_t i = 0; i < desc->num_params; ++i)
      c.params.push_back(part(params[i], elements(desc->params[i])));
    c.inputs = part(inputs, inputSize());
    c.targets = part(targets, outputSize());
    c.labels = part(labels, desc->batch);
    c.state = part(state, desc->state_size);
    c.mask = part(mask, maskSize());
    c.clearOutputs();
    return c;
  }

  /// Network k's part of each output of this call, in the order `outputs`
  /// lists them.
  std::vector<std::vector<float>> outputsOf(int64_t k) const {
    std::vector<std::vector<float>> out;
    auto part = [&](const std::vector<float> &all, int64_t n) {
      out.emplace_back(all.begin() + k * n, all.begin() + (k + 1) * n);
    };
    part(losses, 1);
    for (int32_t i = 0; i < desc->num_params; ++i)
      part(grads[i], elements(desc->params[i]));
    part(finalState, desc->state_size);
    part(predictions, outputSize());
    for (int i = 0; i < 5; ++i)
      part(record[i], recordSize(i));
    return out;
  }
  /// What each output is, for messages.
  std::vector<std::string> outputNames() const {
    std::vector<std::string> names = {"loss"};
    for (int32_t i = 0; i < desc->num_params; ++i)
      names.push_back(std::string("gradient of ") + desc->params[i].name);
    names.insert(names.end(),
                 {"final state", "predictions", "recorded state",
                  "recorded synthetic gradient", "recorded target gradient",
                  "recorded true gradient", "recorded activity"});
    return names;
  }

private:
  void clearOutputs() {
    grads.clear();
    for (int32_t i = 0; i < desc->num_params; ++i)
      grads.emplace_back(networks * elements(desc->params[i]), NAN);
    finalState.assign(networks * desc->state_size, NAN);
    predictions.assign(networks * outputSize(), NAN);
    losses.assign(networks, NAN);
    record.clear();
    for (int i = 0; i < 5; ++i)
      record.emplace_back(networks * recordSize(i), NAN);
  }
};

/// Runs train, eval and record (when the trainer has one) on `c`, with a
/// fresh trainer instance.
inline void runTrainer(const ccrnn_trainer_api *api, TrainerCall &c) {
  void *t = api->create();
  ASSERT_NE(t, nullptr);
  std::vector<const float *> params;
  std::vector<float *> grads, record;
  for (auto &p : c.params)
    params.push_back(p.data());
  for (auto &g : c.grads)
    grads.push_back(g.data());
  for (auto &r : c.record)
    record.push_back(r.data());
  const void *targets = api->desc->classify
                            ? static_cast<const void *>(c.labels.data())
                            : c.targets.data();
  ccrnn_batch batch{params.data(),
                    c.inputs.data(),
                    targets,
                    c.state.empty() ? nullptr : c.state.data(),
                    c.mask.empty() ? nullptr : c.mask.data(),
                    c.losses.data()};
  float loss = api->train(t, &batch, grads.data(),
                          c.finalState.empty() ? nullptr : c.finalState.data());
  EXPECT_EQ(loss, c.losses[0]) << "train() returns the first network's loss";
  api->eval(t, params.data(), c.inputs.data(), targets, c.predictions.data());
  if (api->record) {
    ccrnn_record out{record[0], record[1], record[2], record[3], record[4]};
    api->record(t, &batch, &out);
  }
  api->destroy(t);
}

} // namespace ccrnn::test

#endif // CCRNN_TEST_UNIT_TRAINERCALLS_H
