//===- Runner.h - How ccrnn-train runs the library's work -------*- C++ -*-===//
//
// What a run needs besides its settings: the trainer session, progress on
// stderr, the stop on SIGINT/SIGTERM and the exit status of a stopped run;
// and the runs themselves (one run, a sweep, a merge, --dump-step), each
// loading its trainers through the plan and printing its summary.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TOOLS_CCRNN_TRAIN_RUNNER_H
#define CCRNN_TOOLS_CCRNN_TRAIN_RUNNER_H

#include "Progress.h"

#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/Shards.h"
#include "ccrnn/Driver/Sweep.h"
#include "ccrnn/Driver/TrainerSession.h"
#include "ccrnn/Driver/TrainingPlan.h"

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccrnn::train {

using namespace driver;

/// Set by SIGINT/SIGTERM: runs stop after their epoch.
extern std::atomic<bool> stopRequested;

/// How messages name this process: "ccrnn-train", or "ccrnn-train (rank
/// R)" as one of the processes of an MPI job.
extern std::string programName;
/// How a stopped MPI job is continued (all ranks at once); "" outside one.
extern std::string mpiResumeCommand;

/// The command line, for re-executing with sleeping threads.
extern char **commandArgv;
/// The kernels' threads, idle ones sleeping (see preferSleepingThreads).
void setThreads(int threads);

/// What runs need besides their settings: the session (trainers, --init),
/// progress and the stop on SIGINT/SIGTERM.
class Runner {
public:
  Runner(bool quiet, const std::string &cacheDir)
      : quiet(quiet),
        session(cacheDir, [this](const std::string &line) { log(line); }) {}

  bool isQuiet() const { return quiet; }

  void log(const std::string &line) const {
    if (!quiet)
      std::fprintf(stderr, "%s: %s\n", programName.c_str(), line.c_str());
  }

  /// `refs` with their trainers for a run of `cfg`; the input errors come
  /// before anything is written.
  std::vector<ModelEntry> load(const std::vector<ModelRef> &refs,
                               const TrainConfig &cfg) {
    setThreads(cfg.threads);
    return planTrainers(session, refs, cfg);
  }

  TrainerSession &trainerSession() { return session; }

  /// "training linedraw: lstm, dni_lstm; 2 seeds, 100 epochs -> DIR".
  void announce(const std::string &prefix, const TrainConfig &cfg,
                const std::vector<ModelEntry> &models, const std::string &dir,
                bool resuming) const {
    if (quiet)
      return;
    std::string names;
    for (const ModelEntry &m : models)
      names += (names.empty() ? "" : ", ") + m.name;
    std::fprintf(stderr,
                 "%s: %s%s %s: %s; %zu seed%s, %" PRId64 " epochs -> %s\n",
                 programName.c_str(), prefix.c_str(), resuming ? "resuming" : "training",
                 cfg.task.c_str(), names.c_str(), cfg.seeds.size(),
                 cfg.seeds.size() == 1 ? "" : "s", cfg.epochs, dir.c_str());
  }

  /// The hooks of a run's progress; restart() starts the progress of the
  /// next run (its ETA counts from there).
  RunHooks hooks() {
    RunHooks h;
    h.onEpoch = [this](const EpochReport &r) { progress->epoch(r); };
    h.onBatch = [this](const BatchReport &r) { progress->batch(r); };
    h.onWarning = [this](const std::string &w) {
      progress->finish();
      std::fprintf(stderr, "%s: warning: %s\n", programName.c_str(),
                   w.c_str());
    };
    h.stop = &stopRequested;
    return h;
  }
  void restart() { progress = std::make_unique<Progress>(quiet); }

  /// Runs `train` with the signal handlers installed and the progress bar
  /// ended afterwards; the exit status of an interrupted run, after saying
  /// how to continue it (`resumable`) or that it cannot be.
  std::optional<int> run(const std::function<RunStatus()> &train,
                         const std::string &dir, bool resumable = true);


private:
  bool quiet;
  TrainerSession session;
  std::unique_ptr<Progress> progress = std::make_unique<Progress>(quiet);
};

/// --dump-step: one batch's gradients from the initial weights.
int writeDumpStep(Runner &runner, const TrainConfig &cfg, const ModelRef &ref,
                  const std::string &out, const std::string &batchFile);
/// One run of `cfg` into `dir` (continued when `resuming`).
int trainRun(Runner &runner, const TrainConfig &cfg,
             const std::vector<ModelRef> &refs, const std::string &dir,
             const std::vector<std::string> &commandLine, bool resuming);
/// The grid points of `sweep` that are not done, one after the other. A new
/// sweep's points are all prepared first (after every trainer is loaded).
int trainSweep(Runner &runner, Sweep &sweep, bool resuming);
/// --merge: the shards of `run` into `out`.
int mergeShards(Runner &runner, const ShardedRun &run, const std::string &out);
/// --merge of sweeps: every grid point's shards, then the sweep's files.
int mergeSweep(Runner &runner, const ShardedSweep &shards,
               const std::string &out);

} // namespace ccrnn::train

#endif // CCRNN_TOOLS_CCRNN_TRAIN_RUNNER_H
