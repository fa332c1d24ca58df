//===- RunMeta.h - What meta.json says about a run --------------*- C++ -*-===//
//
// meta.json (internal to the driver): the run's configuration through its
// codec (ConfigJson.h) with what follows from it (the task's sizes and
// facts, the optimizer's constants), the models and their trainers, the
// metric names, each pair's progress and results, the summary, timings
// and versions. readSavedRun (RunStore.h) reads it back.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_LIB_DRIVER_RUNMETA_H
#define CCRNN_LIB_DRIVER_RUNMETA_H

#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/RunResults.h"
#include "ccrnn/Driver/RunStore.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Driver/Trainers.h"

#include <array>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// 2: scores have the behavioural metric; meta.json has the schedules.
/// 3: meta.json has the model sizes and the controls.
constexpr int kRunFormatVersion = 3;

struct RunMetaInputs {
  const TrainConfig &config;
  const Task &task;
  const std::vector<ModelEntry> &models;
  const RunResults &results;
  const std::vector<ModelSummary> &summaries;
  /// The sizes of the last seed's data sets (-1 before any).
  std::array<int64_t, 3> lastSizes;
  std::string status, error; ///< "running", "complete", ...; why it failed
  double seconds;            ///< trained so far, over all sessions
  std::string startedAt;
  const std::vector<std::string> &commandLine;
};

Json runMeta(const RunMetaInputs &inputs);

/// meta.json's "summary": per model, the mean and SEM over the seeds.
Json summaryJson(const std::vector<ModelSummary> &summaries);

/// How a run went, as its meta.json (runMeta) says: what a sweep gathers
/// of its grid points.
struct RunOutcome {
  std::string status, error;
  std::string task;
  std::vector<uint64_t> seeds;
  struct Model {
    std::string name;
    bool hasCerebellum = false;
  };
  std::vector<Model> models;
  std::vector<std::string> metrics, testMetrics;
  std::vector<ModelSummary> summaries;
  /// Per (seed, model) pair, seed-major.
  struct Pair {
    bool finished = false;
    double finalValLoss = 0; ///< NaN when there is none
  };
  std::vector<Pair> pairs;
  /// Epochs trained so far and to train, over the pairs the run trains (a
  /// shard's own).
  int64_t epochsDone = 0, epochsTotal = 0;
};

/// The settings and models of the run in `dir` from its meta.json, whatever
/// its status (returned with its error). InputError starting with `what`
/// when there is no run or its settings cannot be read or are invalid.
SavedRun readRunSettings(const std::string &dir, const std::string &what,
                         std::string &status, std::string &error);

/// The outcome of the run in `dir`. InputError starting with `what` when
/// its meta.json cannot be read or lacks a field.
RunOutcome readRunOutcome(const std::string &dir, const std::string &what);

} // namespace ccrnn::driver

#endif // CCRNN_LIB_DRIVER_RUNMETA_H
