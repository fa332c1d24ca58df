//===- Experiment.h - Training runs: seeds x models x epochs ----*- C++ -*-===//
//
// A run trains every model of the models axis for every seed, sequentially,
// and writes its results into one directory (SPEC §7):
//   scores.npy        float64 (seeds, models, metrics, epochs); NaN for
//                     epochs not trained (yet, or after an early stop).
//                     Metrics: train_loss, val_loss, then val_accuracy
//                     and val_uncertainty (seqmnist) or val_dysmetria
//                     (drawing tasks; SPEC §4)
//   meta.json         settings, data parameters, seeds, models, metric
//                     names, test metrics, timings, versions
//   seed<S>_<model>_final.npz, seed<S>_<model>_best.npz
//                     float32 parameters under the state_dict names
//   trajectories.npz  mean drawn line per class and model on the test set
//                     (drawing tasks)
//   curves.png, lines.png   (gnuplot; lines.png for drawing tasks)
//   resume.npz        what --resume needs: parameters, optimizer state
//                     (with the learning rate and plateau counter of
//                     --decay-lr) and progress of the run
// Every file is written to "<name>.tmp" and renamed.
//
// One batch is train() (the trainer's gradient), clipping of the global
// norm, weight decay, one optimizer step. Random numbers: see Rng.h; the
// streams are "init/<parameter>" (the DNI wrapper's extra "rnn." removed,
// so a cRNN and a ccRNN of one seed start from the same recurrent and
// readout weights), "linedraw.train.*" with the epoch as index, and
// "linedraw.val.*", "linedraw.test.*"; for the seqmnist tasks
// "seqmnist.split" (the seeded train/validation split),
// "seqmnist.shuffle" with the epoch as index (each epoch's order) and
// "seqmnist.free_magnitude" (the endpoints of --free-magnitude).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_EXPERIMENT_H
#define CCRNN_DRIVER_EXPERIMENT_H

#include "ccrnn/Driver/RunResults.h"
#include "ccrnn/Driver/RunStore.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/Trainers.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccrnn::driver {

/// Checks that each model's trainer fits the task and the configuration
/// (sizes, loss, batch, length): InputError otherwise.
void checkModels(const TrainConfig &config,
                 const std::vector<ModelEntry> &models);

/// A seed of a model holds at least six arrays of its parameters' size
/// (the parameters, the best ones, the gradients, two optimizer slots; the
/// trainer's arena is larger still): InputError naming the size when they
/// cannot fit in this machine's memory, before anything is written,
/// instead of failing to allocate in the middle of the run; likewise for
/// the seeds trained at once (--jobs, --ensemble).
void checkModelMemory(const TrainConfig &config,
                      const std::vector<ModelEntry> &models);

/// The run's results tables and data sets (one seed's per job at once)
/// fit in this machine's memory: InputError naming the flags and the
/// memory needed otherwise. Before any trainer is compiled.
void checkRunMemory(const TrainConfig &config, size_t models);

/// Creates and destroys one instance of each model's trainers (main and
/// ensemble), as each pair will: InputError naming the model, batch and
/// length when one cannot allocate its buffers, before anything is written
/// (a --batch-size too large for the memory failed after meta.json).
void checkTrainersCreate(const std::vector<ModelEntry> &models);

/// One finished epoch, for progress reports.
struct EpochReport {
  size_t seedIndex, modelIndex, seeds, models;
  uint64_t seed;
  std::string model;
  int64_t epoch, epochs;
  double trainLoss, valLoss, seconds;
  int64_t epochsDone, epochsTotal; ///< over the whole run
  /// The scores after train_loss and val_loss (val_accuracy,
  /// val_dysmetria, ...), by name, in the order of the scores.
  std::vector<std::pair<std::string, double>> moreScores = {};
  /// With --decay-lr: the learning rate of this epoch and of the next.
  double lr = std::numeric_limits<double>::quiet_NaN(),
         nextLr = std::numeric_limits<double>::quiet_NaN();
  int64_t bestEpoch = 0;     ///< the epoch of the lowest validation loss
  bool stoppedEarly = false; ///< --early-stopping ends the pair's training
};

/// A finished training batch, for progress bars.
struct BatchReport {
  size_t seedIndex, modelIndex, seeds, models;
  std::string model;
  int64_t epoch, epochs; ///< the epoch in progress
  int64_t batch, batches;
  int64_t epochsDone, epochsTotal; ///< finished epochs over the whole run
};

struct RunHooks {
  std::function<void(const EpochReport &)> onEpoch;
  std::function<void(const BatchReport &)> onBatch;
  std::function<void(const std::string &)> onWarning;
  /// Polled after every epoch: when set, the run saves and stops.
  const std::atomic<bool> *stop = nullptr;
  /// Progress is saved after an epoch when this many seconds have passed
  /// since the last save (and always at the end of a model's training and
  /// when stopping).
  double saveEverySeconds = 10;
  /// The gnuplot program; empty: no plots.
  std::string gnuplot = "gnuplot";
};

enum class RunStatus { Complete, Interrupted };

class Experiment {
public:
  /// A run of `config` over `models` writing into `dir`. `commandLine` is
  /// recorded in meta.json.
  Experiment(TrainConfig config, std::vector<ModelEntry> models,
             std::string dir, std::vector<std::string> commandLine);
  ~Experiment();
  Experiment(const Experiment &) = delete;
  Experiment &operator=(const Experiment &) = delete;

  /// Picks up where the run saved in dir/resume.npz left off. The
  /// configuration and models must be those of that run (readSavedRun).
  void loadResume();

  /// Creates the directory and writes the files of a run that has not
  /// started (status "pending"), so that --resume starts it: a sweep
  /// prepares every grid point before training the first.
  void prepare();

  /// Trains what is left. Throws DivergedError on a NaN/Inf loss, after
  /// saving scores and metadata (status "diverged").
  RunStatus run(const RunHooks &hooks);

  /// Writes this run from its shards (ShardedRun::shardDirs, by shard
  /// index; Shards.h): each pair's results from the shard that trained it,
  /// its checkpoints and feedback files copied, then the files of a
  /// complete run. A pair its shard has not finished (or of a shard that is
  /// "", missing) stays untrained and the run's status is "partial".
  /// InputError when a shard's files are missing or do not fit the run.
  RunStatus mergeShards(const std::vector<std::string> &shardDirs,
                        const RunHooks &hooks);

  std::vector<ModelSummary> summary() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};


} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_EXPERIMENT_H
