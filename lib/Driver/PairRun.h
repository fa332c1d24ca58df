//===- PairRun.h - The training state of a (seed, model) pair ---*- C++ -*-===//
//
// What a pair carries from epoch to epoch (internal to the driver): its
// parameters and the best ones, its optimizer and learning-rate schedule,
// its fibre mask, the kept state of --keep-hidden and the feedback it
// recorded; how it starts, and its entries in resume.npz and back.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_LIB_DRIVER_PAIRRUN_H
#define CCRNN_LIB_DRIVER_PAIRRUN_H

#include "ccrnn/Driver/Feedback.h"
#include "ccrnn/Driver/Optimizer.h"
#include "ccrnn/Driver/RunResults.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Runtime/Npz.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include <memory>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// The training state of one (seed, model) pair, owned by the worker that
/// trains it.
struct PairRun {
  size_t s = 0, m = 0; ///< seed and model index
  Tensors params, best;
  std::unique_ptr<Optimizer> optim;
  std::unique_ptr<PlateauScheduler> plateau; ///< used with --decay-lr
  // Its fibre mask (empty: dense), the kept state (--keep-hidden), the
  // feedback recorded so far and the epoch's cosines.
  std::vector<float> fibreMask, hiddenState;
  /// --olive-lesion reference: the frozen parameters' gradients, kept from
  /// batch to batch as the reference code keeps them (empty until then).
  Tensors frozenGradients;
  FeedbackLog feedback;
  double epochCosineSynthetic = RunResults::kNaN,
         epochCosineTarget = RunResults::kNaN;
  double epochDataSeconds = 0; ///< of the epoch in progress
};

/// A pair's first state: its initial parameters (from `init` when not
/// empty), masked fibres at zero, a fresh optimizer and schedule.
std::unique_ptr<PairRun> startPair(const TrainConfig &config,
                                   const ccrnn_trainer_desc &desc, size_t s,
                                   size_t m, const npz::Archive &init);

/// A pair's resume entries: parameters, best parameters, the optimizer's
/// slots and the learning-rate schedule (a resumed run continues it).
npz::Archive pairSnapshot(const ccrnn_trainer_desc &desc, const PairRun &pr);

/// The pair saved under `prefix` by pairSnapshot (its feedback not read).
std::unique_ptr<PairRun> restorePair(const TrainConfig &config,
                                     const ccrnn_trainer_desc &desc, size_t s,
                                     size_t m, const std::string &prefix,
                                     const RunResults::ArrayGetter &get);

} // namespace ccrnn::driver

#endif // CCRNN_LIB_DRIVER_PAIRRUN_H
