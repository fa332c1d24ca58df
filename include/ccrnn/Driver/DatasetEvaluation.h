//===- DatasetEvaluation.h - A model scored on a data set -------*- C++ -*-===//
//
// The evaluation of a whole data set as every run does it: the trainer's
// eval() on batches of its fixed size (the last one padded with zero rows,
// whose predictions are ignored), scored by the task's Scorer. The
// training loop and the C API (include/ccrnn-c/Driver.h) share it, so a
// Python loop gets the scores ccrnn-train gets.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_DATASETEVALUATION_H
#define CCRNN_DRIVER_DATASETEVALUATION_H

#include "ccrnn/Driver/Task.h"
#include "ccrnn/Runtime/TrainerABI.h"

namespace ccrnn::driver {

/// `params` on `data` by the trainer instance `trainer` of `api` (made by
/// api->create), scored by `task`; with `keepPredictions` the predictions
/// too.
Evaluation evaluateDataset(const Task &task, const ccrnn_trainer_api &api,
                           void *trainer, const float *const *params,
                           const Dataset &data, bool keepPredictions);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_DATASETEVALUATION_H
