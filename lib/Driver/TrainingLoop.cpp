//===- TrainingLoop.cpp - Batches, updates and evaluation -------*- C++ -*-===//

#include "TrainingLoop.h"

#include "System.h"
#include "ccrnn/Driver/DatasetEvaluation.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Feedback.h"

#include <algorithm>
#include <cmath>

namespace ccrnn::driver {

using Clock = std::chrono::steady_clock;
static constexpr double kNaN = RunResults::kNaN;

double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

const ccrnn_trainer_api *TrainingLoop::program(size_t m, int64_t epoch) const {
  const ModelEntry &me = models[m];
  if (me.ablatedApi && epoch >= cfg.ablationEpoch)
    return me.ablatedApi;
  if (me.frozenApi && epoch >= cfg.synthAblationEpoch)
    return me.frozenApi;
  return me.api;
}

std::vector<bool> TrainingLoop::frozenParameters(size_t m, int64_t epoch) const {
  const ccrnn_trainer_desc &d = *models[m].api->desc;
  bool frozen = cfg.fixedSynth || program(m, epoch) != models[m].api ||
                keepsFrozenGradients(epoch);
  std::vector<bool> out(d.num_params, false);
  for (int32_t i = 0; i < d.num_params; ++i)
    out[i] = frozen && d.params[i].group == CCRNN_GROUP_SYNTHESIZER;
  return out;
}

bool TrainingLoop::keepsFrozenGradients(int64_t epoch) const {
  return cfg.oliveLesion == "reference" &&
         (cfg.fixedSynth ||
          (cfg.synthAblationEpoch && epoch >= cfg.synthAblationEpoch));
}

/// Clipping, weight decay and the optimizer's step (SPEC §3,
/// clipDecayStep).
///
/// With `keepFrozenGradients` the frozen parameters' gradients behave as
/// in the reference code, whose lesion takes the synthesizer out of the
/// optimizer (which alone zeroes gradients): they add up from batch to
/// batch, count in the clipping norm and are scaled by its factor.
void TrainingLoop::update(PairRun &pr, Tensors &grads,
                          const std::vector<bool> &frozen,
                          bool keepFrozenGradients) const {
  Tensors &kept = pr.frozenGradients;
  if (keepFrozenGradients) {
    kept.resize(grads.size());
    for (size_t j = 0; j < grads.size(); ++j)
      if (frozen[j] && kept[j].size() == grads[j].size())
        for (size_t i = 0; i < grads[j].size(); ++i)
          grads[j][i] += kept[j][i];
  }
  auto keep = [&](float factor) {
    for (size_t j = 0; j < grads.size() && keepFrozenGradients; ++j)
      if (frozen[j]) {
        kept[j] = grads[j];
        for (float &x : kept[j])
          x *= factor;
      }
  };
  clipDecayStep(*pr.optim, pointersOf(pr.params), pointersOf(grads), frozen,
                cfg.clip, cfg.l2, keep);
}

/// One epoch of the pairs `runs`: one pair, or seeds of one model at the
/// same epoch trained by the model's ensemble trainer (each batch one
/// call for all of them, each seed with its own batch, clipping and
/// optimizer, so that every pair gets the bits it gets alone). Their
/// mean training losses.
std::vector<double> TrainingLoop::trainEpoch(Worker &w, const std::vector<PairRun *> &runs,
                               int64_t epoch, const BatchDone &onBatch) const {
  const size_t K = runs.size(), m = runs[0]->m;
  const bool single = K == 1;
  PairRun &first = *runs[0];
  TrainerInstance &trainer =
      w.instance(single ? program(m, epoch) : models[m].ensembleApi);
  const std::vector<bool> frozen = frozenParameters(m, epoch);
  const int64_t B = cfg.batchSize;
  const bool labelled = task.modelShape().classifies;
  auto tData = Clock::now();
  std::vector<EpochData> data;
  for (const PairRun *r : runs)
    data.push_back(
        task.epochData(w.data.at(r->s), cfg.seeds[r->s], epoch, B));
  const int64_t batches = data[0].numBatches(),
                in = data[0].samples().sampleInputs(),
                out = data[0].samples().targetSize;
  // The batch's inputs are always copied (seqmnist: converted from bytes).
  std::vector<float> inputs(K * B * in), targets(K * B * out), losses(K);
  std::vector<int64_t> labels(labelled ? K * B : 0);
  // The kept state (one network: --keep-hidden trains seeds one by one)
  // starts each epoch at zero.
  const int64_t stateSize = trainer.desc().state_size;
  if (cfg.keepHidden)
    first.hiddenState.assign(stateSize, 0.0f);
  std::vector<float> nextState(cfg.keepHidden ? stateSize : 0);
  for (PairRun *r : runs)
    r->epochCosineSynthetic = r->epochCosineTarget = kNaN;
  double dataSeconds = secondsSince(tData);
  // One network trains on its own arrays; K networks on theirs one after
  // the other, copied from and to each pair's.
  const size_t P = first.params.size();
  Tensors params(single ? 0 : P), grads = single ? first.params : Tensors(P);
  std::vector<Tensors> own(single ? 0 : K, first.params);
  for (size_t j = 0; j < P && !single; ++j) {
    params[j].resize(K * first.params[j].size());
    grads[j].resize(params[j].size());
  }
  std::vector<float> masks;
  for (const PairRun *r : runs)
    masks.insert(masks.end(), r->fibreMask.begin(), r->fibreMask.end());
  std::vector<const float *> p(P);
  std::vector<float *> g(P);
  for (size_t j = 0; j < P; ++j) {
    p[j] = single ? nullptr : params[j].data();
    g[j] = grads[j].data();
  }
  std::vector<double> sums(K, 0.0);
  for (int64_t b = 0; b < batches; ++b) {
    auto t0 = Clock::now();
    for (size_t i = 0; i < K; ++i) {
      data[i].gather(b, B, inputs.data() + i * B * in,
                     targets.data() + i * B * out,
                     labelled ? labels.data() + i * B : nullptr);
      for (size_t j = 0; j < P && !single; ++j)
        std::copy(runs[i]->params[j].begin(), runs[i]->params[j].end(),
                  params[j].begin() + i * runs[i]->params[j].size());
    }
    for (size_t j = 0; j < P && single; ++j)
      p[j] = first.params[j].data();
    dataSeconds += secondsSince(t0);
    ccrnn_batch batch{}; // a token model's fields NULL
    batch.params = p.data();
    batch.inputs = inputs.data();
    batch.targets = labelled ? static_cast<const void *>(labels.data())
                             : targets.data();
    batch.initial_state = cfg.keepHidden ? first.hiddenState.data() : nullptr;
    batch.fibre_mask = masks.empty() ? nullptr : masks.data();
    batch.losses = single ? nullptr : losses.data();
    // The feedback of the epoch's first batch, before its update
    // (--record-grads trains seeds one by one).
    if (b == 0 && cfg.recordGrads && models[m].api->record)
      recordFeedback(w, first, epoch, batch);
    const float loss = trainer.train(
        batch, g.data(), cfg.keepHidden ? nextState.data() : nullptr);
    if (single)
      losses[0] = loss;
    if (cfg.keepHidden)
      first.hiddenState.swap(nextState);
    for (size_t i = 0; i < K; ++i) {
      PairRun &r = *runs[i];
      if (!std::isfinite(losses[i]))
        throw DivergedError(
            "training loss is " + formatNumber(losses[i]) + " at seed " +
            std::to_string(cfg.seeds[r.s]) + ", model " + models[m].name +
            ", epoch " + std::to_string(epoch) + ", batch " +
            std::to_string(b + 1) + " of " + std::to_string(batches));
      sums[i] += losses[i];
      if (single) {
        update(r, grads, frozen, keepsFrozenGradients(epoch));
        continue;
      }
      for (size_t j = 0; j < P; ++j)
        std::copy_n(grads[j].begin() + i * own[i][j].size(),
                    own[i][j].size(), own[i][j].begin());
      update(r, own[i], frozen, false); // ensembles train no lesions
    }
    if (onBatch)
      onBatch(b + 1, batches);
  }
  std::vector<double> means;
  for (size_t i = 0; i < K; ++i) {
    runs[i]->epochDataSeconds = dataSeconds / double(K);
    means.push_back(sums[i] / double(batches));
  }
  return means;
}

/// Records the feedback of `batch` (SPEC §4 record_grads): the epoch's
/// cosine similarities over the whole batch, and the first
/// --record-samples sequences of every recorded array for the feedback
/// file.
void TrainingLoop::recordFeedback(Worker &w, PairRun &pr, int64_t epoch,
                    const ccrnn_batch &batch) const {
  TrainerInstance &trainer = w.instance(models[pr.m].api);
  const ccrnn_trainer_desc &d = trainer.desc();
  const int64_t rows = d.record_boundaries * d.record_layers, B = d.batch,
                S = d.record_state, W = d.record_width;
  std::vector<std::vector<float>> out(4, std::vector<float>(rows * B * S));
  std::vector<float> activity(rows * B * W);
  ccrnn_record record{out[0].data(), out[1].data(), out[2].data(),
                      out[3].data(), activity.data()};
  trainer.record(batch, record);
  pr.epochCosineSynthetic =
      meanCosine(out[1].data(), out[3].data(), rows * B, S);
  pr.epochCosineTarget =
      meanCosine(out[2].data(), out[3].data(), rows * B, S);
  const int64_t kept = std::min(cfg.recordSamples, B);
  auto keep = [&](const std::vector<float> &x, int64_t width,
                  std::vector<float> &to) {
    for (int64_t r = 0; r < rows; ++r)
      to.insert(to.end(), x.begin() + r * B * width,
                x.begin() + (r * B + kept) * width);
  };
  pr.feedback.epochs.push_back(epoch);
  for (int i = 0; i < 4; ++i)
    keep(out[i], S, pr.feedback.arrays[i]);
  keep(activity, W, pr.feedback.arrays[4]);
}

Evaluation TrainingLoop::evaluate(Worker &w, size_t m, const Tensors &weights,
                                  const Dataset &data,
                                  bool keepPredictions) const {
  TrainerInstance &trainer = w.instance(models[m].api);
  std::vector<const float *> p;
  for (const auto &x : weights)
    p.push_back(x.data());
  return evaluateDataset(task, trainer.api(), trainer.handle(), p.data(), data,
                         keepPredictions);
}

} // namespace ccrnn::driver
