//===- TrainingLoop.h - Batches, updates and evaluation ---------*- C++ -*-===//
//
// The training loop of a run (internal to the driver): one epoch of one
// pair, or of K seeds of a model trained together by its ensemble trainer
// (the same loop: K = 1 is one network), with SPEC §3's update (clipping,
// weight decay, the optimizer's step), the feedback of --record-grads, and
// the evaluation of a data set scored by the task. It reads the
// configuration, the task and the models, and changes only the pairs and
// the worker it is given.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_LIB_DRIVER_TRAININGLOOP_H
#define CCRNN_LIB_DRIVER_TRAININGLOOP_H

#include "PairRun.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/Trainers.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace ccrnn::driver {

/// What a worker thread keeps from work item to work item: its trainer
/// instances (a trainer's oneDNN primitives run on the stream of the thread
/// that made them), one per program (a model's lesions are programs too),
/// and the fixed data sets of the seeds of the item it trains (by seed
/// index).
struct Worker {
  std::map<const ccrnn_trainer_api *, std::unique_ptr<TrainerInstance>>
      instances;
  std::map<size_t, SeedData> data;

  TrainerInstance &instance(const ccrnn_trainer_api *api) {
    std::unique_ptr<TrainerInstance> &t = instances[api];
    if (!t)
      t = std::make_unique<TrainerInstance>(api);
    return *t;
  }
};

double secondsSince(std::chrono::steady_clock::time_point t0);

class TrainingLoop {
public:
  TrainingLoop(const TrainConfig &config, const Task &task,
               const std::vector<ModelEntry> &models)
      : cfg(config), task(task), models(models) {}

  /// The program model m trains with in `epoch` (SPEC §4: epochs count
  /// from 1, a lesion applies from the start of its epoch on).
  const ccrnn_trainer_api *program(size_t m, int64_t epoch) const;
  /// Which parameters the optimizer leaves alone in `epoch`: the
  /// synthesizer's, whenever it is not learning.
  std::vector<bool> frozenParameters(size_t m, int64_t epoch) const;
  /// Whether `epoch` runs the reference's inferior-olive lesion
  /// (--olive-lesion reference): the synthesizer's gradients are kept
  /// from batch to batch and counted in the clipping norm.
  bool keepsFrozenGradients(int64_t epoch) const;

  /// Called after each batch with its number (from 1) and the count.
  using BatchDone = std::function<void(int64_t batch, int64_t batches)>;
  /// One epoch of `runs` (one pair, or seeds of one model at the same
  /// epoch; their data sets in w); their mean training losses.
  /// DivergedError on a loss that is not finite.
  std::vector<double> trainEpoch(Worker &w, const std::vector<PairRun *> &runs,
                                 int64_t epoch, const BatchDone &onBatch) const;

  /// Model m with `weights` on `data`, scored by the task; with
  /// `keepPredictions` the predictions too.
  Evaluation evaluate(Worker &w, size_t m, const Tensors &weights,
                      const Dataset &data, bool keepPredictions) const;

private:
  void update(PairRun &pr, Tensors &grads, const std::vector<bool> &frozen,
              bool keepFrozenGradients) const;
  void recordFeedback(Worker &w, PairRun &pr, int64_t epoch,
                      const ccrnn_batch &batch) const;

  const TrainConfig &cfg;
  const Task &task;
  const std::vector<ModelEntry> &models;
};

} // namespace ccrnn::driver

#endif // CCRNN_LIB_DRIVER_TRAININGLOOP_H
