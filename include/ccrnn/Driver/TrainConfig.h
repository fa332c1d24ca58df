//===- TrainConfig.h - A run's configuration ---------------------*- C++ -*-===//
//
// Everything a run is asked to do (the task and its data, the model sizes
// and controls, the training settings, how it runs), the SPEC's task
// defaults, the checks of every value, and what follows from them alone:
// the trainer options of each model, how seeds are grouped and run.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_TRAINCONFIG_H
#define CCRNN_DRIVER_TRAINCONFIG_H

#include "ccrnn/Driver/LineDraw.h"
#include "ccrnn/Driver/Optimizer.h"
#include "ccrnn/Support/TrainerOptions.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// The task and its data: the flags of the "Task" group, meta.json's
/// "task" (with the task's own settings, TaskKind::settings).
struct TaskSettings {
  std::string task = "linedraw";
  LineDrawParams data;
  // The sequential-MNIST tasks (SeqMnist.h); data.seqLen is then
  // 784 / inputSize and data.{train,val,test}Size cap the sets.
  std::string dataset = "mnist"; ///< mnist | fashion-mnist
  std::string dataDir;           ///< empty: idx::defaultDataDir(dataset)
  int64_t inputSize = 28;        ///< pixels per step
  std::string numbers;           ///< drawing tasks: digits used, "" all
  bool freeMagnitude = false;    ///< seqmnist-lines: grid endpoints
  /// The captioning task's data (lib/Driver/Tasks/CaptioningTask.cpp):
  /// COCO-format files, or none for the bundled MNIST scenes.
  struct Captioning {
    std::string captions, features, featureIds;          ///< training
    std::string valCaptions, valFeatures, valFeatureIds; ///< validation
    /// Caption lengths kept, tokens with <start> and <end>; 0: the data's
    /// default (COCO 11..15, the bundled scenes 6..24).
    int64_t minLength = 0, maxLength = 0;
    bool balance = false;      ///< as many batches of every length
    int64_t vocabThreshold = 4; ///< a word's count to be in the vocabulary
    int64_t decodeSteps = 20;   ///< greedy decoding's longest caption
    int64_t examples = 50;      ///< validation images in examples files
  } captioning;
};

/// The model: its training program's truncation and feedback (meta.json's
/// "training") and its sizes (ccrnn-configure-model; "model_sizes"), the
/// flags of the "Model" group.
struct ModelSettings {
  int64_t bptt = 1;
  int64_t interval = 2; ///< feedback interval ("spars_int")
  bool predictLast = false;
  // The defaults keep the model file's sizes.
  int64_t nhid = 0, nlayers = 0, synthNlayers = -1, synthNhid = 0;
  double synthScale = -1;
  std::string context; ///< "on", "off"; "": the model file's
};

/// The experimental controls of SPEC §4, for models with a cerebellum;
/// 0 / false: off. The "Controls" flags, meta.json's "controls".
struct ControlSettings {
  int64_t ablationEpoch = 0;      ///< cerebellum removed from this epoch on
  int64_t synthAblationEpoch = 0; ///< synthesizer frozen from this epoch on
  bool fixedSynth = false;        ///< synthesizer never updated
  /// How a synthesizer that no longer learns (--synth-ablation-epoch,
  /// --fixed-synth) is treated: "freeze" (its gradients are not computed)
  /// or "reference" (the reference code's way: they are computed, never
  /// zeroed, and counted in the clipping norm; only its update stops).
  std::string oliveLesion = "freeze";
  int64_t nfibres = 0;            ///< inputs per first-layer unit
  bool keepHidden = false;        ///< carry the state from batch to batch
  bool recordGrads = false;       ///< record feedback on one batch per epoch
  int64_t recordSamples = 10;     ///< sequences of it kept in feedback files
};

/// The optimizer and its schedules (SPEC §3): meta.json's "training".
struct OptimizerSettings {
  int64_t epochs = 100;
  int64_t batchSize = 50;
  double lr = 1e-3;
  OptimKind optim = OptimKind::Adam;
  double clip = 1.0; ///< 0: no clipping
  double l2 = 0.0;
  // Reduce-on-plateau decay of the learning rate on the validation loss
  // (PlateauScheduler), and early stopping of a (seed, model) pair after
  // `earlyStopping` epochs without a lower validation loss (0: off).
  bool decayLr = false;
  double lrScale = 0.1;
  int64_t lrDecayPatience = 10;
  int64_t earlyStopping = 0;
};

/// The seeds, where they start from and how they run: meta.json's "seeds"
/// and the rest in "training" (`jobs` is not saved: a resumed run asks
/// again). Only the seeds and --init change the results.
struct RunSettings {
  std::vector<uint64_t> seeds = {0};
  int threads = 1; ///< OpenMP threads of each trainer's kernels
  /// (seed, model) pairs trained at once, one worker thread each; 0: as
  /// many as the cores allow (parallelJobs). Results do not depend on it.
  int jobs = 0;
  /// Where the trainers run: "cpu" or "cuda" (generated CUDA trainers; the
  /// driver's own work, clipping and the optimizer, stays on the CPU).
  std::string device = "cpu";
  /// Seeds of a model trained by one call of an ensemble trainer
  /// (ccrnn-ensemble); 1: one network a call; 0: chosen by ensembleSize.
  int ensemble = 0;
  std::string initFile; ///< empty: seeded initialisation
  /// --shard I/N: this run trains shard I of N of the (seed, model) pairs
  /// (ownsPair); 1: all of them.
  int64_t shardIndex = 0, shardCount = 1;
};

/// A run's configuration: its groups of settings, each with its flags
/// (ccrnn-train's Options.cpp) and its fields of meta.json (ConfigJson.h).
struct TrainConfig : TaskSettings,
                     ModelSettings,
                     ControlSettings,
                     OptimizerSettings,
                     RunSettings {};

/// Reads --shard's "I/N" (0 <= I < N) into `run`; InputError otherwise.
void parseShard(const std::string &text, RunSettings &run);

/// Whether pair k (seed index * models + model index, of `models` models)
/// is trained by this run: every pair unless the run is one shard of
/// several. The pairs are dealt to the shards in turn, model by model and
/// seed by seed (j = model * seeds + seed; shard j % N), so that each shard
/// has as many pairs, and of each model as many seeds, as any other, give
/// or take one.
bool ownsPair(const RunSettings &run, size_t k, size_t models);

/// Whether any of SPEC §4's controls or the synthesizer's settings is on.
bool usesCerebellumSettings(const TrainConfig &config);

/// The trainers a model needs for a run: all of one model's programs take
/// the same parameters.
struct TrainerPrograms {
  TrainerOptions main;                  ///< the run's program
  std::optional<TrainerOptions> frozen;  ///< --synth-ablation-epoch's
  std::optional<TrainerOptions> ablated; ///< --ablation-epoch's
};
/// The trainer options of a model with or without a cerebellum (the
/// synthesizer's settings and the controls apply to the first kind only),
/// for batches of `batch` sequences of `steps` steps.
TrainerPrograms trainerPrograms(const TrainConfig &config, int64_t batch,
                                int64_t steps, bool hasCerebellum);

/// The settings whose defaults depend on the task (SPEC §5).
enum class TaskSetting {
  Bptt, Lr, Epochs, Interval, TrainSize, ValSize, TestSize, BatchSize, Clip
};
/// The flag of a setting, as messages name it ("--bptt").
const char *taskSettingFlag(TaskSetting setting);

/// Sets the defaults of `config.task` (its TaskKind, Task.h) for the
/// settings not `given`: for the seqmnist tasks bptt 3, lr 1e-4, 40
/// epochs, interval 1, 48000/12000/10000 samples, and the sequence length
/// 784 / input size. Nothing for an unknown task (validateConfig says so).
void applyTaskDefaults(TrainConfig &config,
                       const std::function<bool(TaskSetting)> &given);

/// The data directory of a run: --data-dir or the data set's default.
std::string dataDirectory(const TrainConfig &config);

/// The registered tasks, for messages.
std::string taskList();

/// Checks every value (InputError naming the flag and the value).
void validateConfig(const TrainConfig &config);

/// Training samples per epoch: the training size rounded up to whole
/// batches, as the reference does (the samples are fresh each epoch, so
/// the extra ones are as good as any).
int64_t trainSamplesPerEpoch(const TrainConfig &config);

/// Why seeds cannot train together in one ensemble trainer under `config`
/// (the settings that need one network a call, comma-separated), or "".
std::string ensembleBlockers(const TrainConfig &config);

/// The seeds of a model trained by one call: `ensemble` when given (at most
/// the number of seeds), else on a GPU all seeds (at most 16) and on the
/// CPU 1 — where K networks at once are slower than one after the other,
/// see docs/Benchmarks.md; 1 whenever ensembleBlockers is not empty.
int ensembleSize(const TrainConfig &config);

/// The pairs trained at once: `jobs`, or when 0 the usable cores (the
/// process's CPU affinity) divided by the kernels' threads, at least 1.
int parallelJobs(const TrainConfig &config);

/// Room a run directory's path leaves for what is written in it (a sweep's
/// grid-point directory and the longest file name).
constexpr size_t kRunDirectoryReserve = 512;

/// InputError unless the file system can take `path` (of `flag`): a name
/// in it longer than NAME_MAX (255 bytes) or a path longer than PATH_MAX
/// (4096 bytes, with `reserve` bytes left for names appended to it) is one
/// line naming the flag and the limit, before anything is read or written
/// (std::filesystem's own error names no flag and came only after the
/// trainers were compiled).
void checkPathLength(const std::string &flag, const std::string &path,
                     size_t reserve = 0);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_TRAINCONFIG_H
