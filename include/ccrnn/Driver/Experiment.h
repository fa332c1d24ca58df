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

#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Runtime/Npz.h"
#include "ccrnn/Runtime/TrainerABI.h"
#include "ccrnn/Support/TrainerOptions.h"

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

/// A model of the models axis with its trainer.
struct ModelEntry {
  std::string name;      ///< axis label, checkpoint file names
  std::string file;      ///< the model file ("" when unknown)
  std::string configure; ///< ccrnn-configure-model options ("": none)
  std::string options;   ///< ccrnn-build-training options
  std::string trainerId; ///< "bundled" or the shared library
  const ccrnn_trainer_api *api = nullptr;
  /// The programs of the lesions (SPEC §4), when the run has them: the
  /// cerebellum frozen (--synth-ablation-epoch) and removed
  /// (--ablation-epoch); same parameters as `api`.
  const ccrnn_trainer_api *frozenApi = nullptr, *ablatedApi = nullptr;
  /// The program for groups of seeds (ensembleSize(config) networks a
  /// call), when the run trains seeds together; same parameters as `api`.
  const ccrnn_trainer_api *ensembleApi = nullptr;
};

/// Checks that each model's trainer fits the task and the configuration
/// (sizes, loss, batch, length): InputError otherwise.
void checkModels(const TrainConfig &config,
                 const std::vector<ModelEntry> &models);

/// Reads an --init archive (InputError when it cannot be read).
npz::Archive readInit(const std::string &path);
/// Checks that `init` has every parameter of `desc` with its shape.
void checkInit(const npz::Archive &init, const std::string &path,
               const ccrnn_trainer_desc &desc, const std::string &model);

/// The initial parameters: from `init` when given, else each parameter from
/// its own stream of `seed` (uniform(-bound, bound) or zeros).
Tensors initialParameters(const ccrnn_trainer_desc &desc, uint64_t seed,
                          const npz::Archive *init);

/// Parameters as a checkpoint: float32 arrays under their names and shapes.
npz::Archive parametersArchive(const ccrnn_trainer_desc &desc,
                               const Tensors &params);

/// InputError unless `dir` can be created (or, with `overwrite`, exists as a
/// writable directory). Creates nothing.
void checkOutputDirectory(const std::string &dir, bool overwrite);

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

/// Per model, over the seeds that finished: the final validation loss and
/// the test metrics.
struct ModelSummary {
  std::string model;
  int64_t seeds = 0;
  double valMean, valSem, testMean, testSem;
  double dysmetriaMean, dysmetriaSem; ///< test_dysmetria (SPEC §4)
  /// seqmnist: the test accuracy; NaN for the drawing tasks.
  double testAccMean = std::numeric_limits<double>::quiet_NaN(),
         testAccSem = std::numeric_limits<double>::quiet_NaN();
};

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

  std::vector<ModelSummary> summary() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// The run saved in `dir`, for --resume: its settings and models (trainers
/// not loaded: ModelEntry::api is null). InputError when `dir` holds no run
/// that can be resumed.
struct SavedRun {
  TrainConfig config;
  std::vector<ModelEntry> models;
  std::vector<std::string> commandLine;
};
SavedRun readSavedRun(const std::string &dir);

/// A batch file of --dump-step: "inputs" [B, L, I] and "targets" [B, L, O],
/// [B, O] or int64 [B]. InputError when it cannot be read or lacks them.
struct BatchFile {
  npz::Array inputs, targets;
};
BatchFile readBatchFile(const std::string &path);

/// One training batch from `params`: the pre-clip gradient of every
/// parameter under its name (float32), "loss" (the trainer's reported loss)
/// and "grad_norm" (the global L2 norm). InputError when the batch does not
/// fit the trainer.
npz::Archive dumpStep(const ccrnn_trainer_api *api, const Tensors &params,
                      const BatchFile &batch, const std::string &batchPath);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_EXPERIMENT_H
