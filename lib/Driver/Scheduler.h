//===- Scheduler.h - Who trains what, on which thread -----------*- C++ -*-===//
//
// The scheduling of a run (internal to the driver): its work items (single
// (seed, model) pairs, and groups of seeds of a model that its ensemble
// trainer trains together) and the worker threads that take them in turn,
// with a stop request and the abort of the others on one's failure.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_LIB_DRIVER_SCHEDULER_H
#define CCRNN_LIB_DRIVER_SCHEDULER_H

#include "TrainingLoop.h"
#include "ccrnn/Driver/RunResults.h"

#include <atomic>
#include <functional>
#include <vector>

namespace ccrnn::driver {

/// The unfinished pairs (indices s * M + m) that are `owned` (all when
/// empty; a shard's, see ownsPair) in work items: for models with an
/// ensemble trainer of K networks, full groups of K seeds at the same
/// epoch; the rest one by one. Roughly in (seed, model) order.
std::vector<std::vector<size_t>>
workItems(const RunResults &results, const std::vector<ModelEntry> &models,
          const std::function<bool(size_t)> &owned = {});

/// Trains a work item on a worker; false when it stopped before its end
/// (a stop request, or `abort`).
using TrainItem = std::function<bool(Worker &, const std::vector<size_t> &,
                                     const std::atomic<bool> &abort)>;

/// Trains `items` on up to `jobs` threads (each with `threads` kernel
/// threads and a Worker of its own). False when stopped by `stop` or by an
/// item. A worker's failure (a diverged loss, a file that cannot be
/// written) aborts the others after their epoch and is rethrown here.
bool runWorkItems(const std::vector<std::vector<size_t>> &items, int jobs,
                  int threads, const std::atomic<bool> *stop,
                  const TrainItem &train);

} // namespace ccrnn::driver

#endif // CCRNN_LIB_DRIVER_SCHEDULER_H
