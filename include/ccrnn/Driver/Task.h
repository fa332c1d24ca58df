//===- Task.h - What a run trains on, as a plug-in ----------------*- C++ -*-===//
//
// A task is the data a run trains and evaluates on and how it is scored:
// its data sets (fixed per seed, and each epoch's training batches), the
// model's input and output sizes, the metrics of the validation and test
// sets, and, for the drawing tasks, the classes whose mean trajectories
// are plotted. The run's training loop, evaluation and files ask the task
// and never test which task it is.
//
// A kind of task is registered under its name (`registerTask`) with its
// SPEC defaults, its checks of the configuration and a factory; the
// built-in ones (line drawing, seqMNIST classification and the two
// seqMNIST drawing tasks, one file each in lib/Driver/Tasks/) are
// registered on first use. Adding a task is one file and one call.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_TASK_H
#define CCRNN_DRIVER_TASK_H

#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/LineDraw.h"
#include "ccrnn/Driver/TrainConfig.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// A seed's data sets. `train` is empty when the task draws fresh training
/// samples every epoch.
struct SeedData {
  Dataset train, val, test;
};

/// The training samples of one epoch: batch b is samples order[b * B + i]
/// (modulo the size; in turn when `order` is empty) of `samples()`.
class EpochData {
public:
  /// The epoch trains `set` in `order` (a seed's fixed training set).
  EpochData(const Dataset &set, std::vector<int64_t> order, int64_t batches)
      : set(&set), order(std::move(order)), batches(batches) {}
  /// The epoch trains fresh samples of its own.
  EpochData(Dataset fresh, int64_t batches)
      : own(std::move(fresh)), set(&own), batches(batches) {}
  EpochData(EpochData &&other) noexcept;
  EpochData(const EpochData &) = delete;

  int64_t numBatches() const { return batches; }
  const Dataset &samples() const { return *set; }
  /// Writes batch b of B samples: B * sampleInputs() inputs, and the
  /// targets (B * targetSize floats) or the labels (B class indices) as
  /// the data set has them.
  void gather(int64_t b, int64_t B, float *inputs, float *targets,
              int64_t *labels) const;

private:
  Dataset own;
  const Dataset *set;
  std::vector<int64_t> order;
  int64_t batches;
};

/// A model's predictions on a data set, scored by the task.
struct Evaluation {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double loss = 0;
  double accuracy = kNaN;    ///< classification
  double uncertainty = kNaN; ///< classification: 1 - mean max softmax
  double dysmetria = kNaN;   ///< drawing: mean over the trajectories
  std::vector<float> predictions; ///< [size, prediction floats per sample]

  /// SPEC §4's behavioural score: the uncertainty when classifying.
  double behaviour() const {
    return std::isnan(accuracy) ? dysmetria : uncertainty;
  }
};

/// Accumulates the scores of an evaluation batch by batch (in double, in
/// the order of the samples).
class Scorer {
public:
  virtual ~Scorer();
  /// `rows` samples' predictions (`width` floats each) with their targets
  /// (float targets, or labels for a classifier).
  virtual void add(const float *predictions, int64_t width, int64_t rows,
                   const float *targets, const int64_t *labels) = 0;
  /// The scores over the `samples` added.
  virtual Evaluation finish(int64_t samples) const = 0;
};

/// A metric of the scores computed from the validation evaluation.
struct ValidationMetric {
  std::string name;
  double (*value)(const Evaluation &);
};

/// How the drawing tasks' trajectories are drawn in lines.png.
struct TrajectoryPlot {
  std::string labelPrefix;      ///< "k = ", "digit "
  std::array<double, 4> box;    ///< xmin, xmax, ymin, ymax
};

/// The model a task needs: a classifier (loss xent, labels as targets)
/// or not (loss mse, float targets), and its sizes.
struct ModelShape {
  bool classifies = false;
  int64_t inputSize = 0, outputSize = 0;
  /// The flag that sets the input size, for messages ("" when fixed).
  std::string inputSizeFlag;
};

/// One run's task: built from the configuration (reading its data files,
/// so a missing file is an InputError before anything is written).
class Task {
public:
  virtual ~Task();

  /// The model the task needs.
  const ModelShape &modelShape() const { return shape; }

  /// The scores after train_loss and val_loss, from the validation set.
  virtual std::vector<ValidationMetric> validationMetrics() const = 0;
  /// The test metrics of meta.json.
  virtual std::vector<std::string> testMetrics() const = 0;
  virtual std::unique_ptr<Scorer> scorer() const = 0;

  /// The fixed data sets of `seed`.
  virtual SeedData seedData(uint64_t seed) const = 0;
  /// Checks, without making them, that the data sets of every seed can be
  /// made (InputError naming the file and what would be empty), so that a
  /// run fails before it writes anything; nothing to check by default.
  virtual void checkData(const std::vector<uint64_t> &seeds) const {}
  /// The training batches of `epoch` (from 1) for `seed`.
  virtual EpochData epochData(const SeedData &data, uint64_t seed,
                              int64_t epoch, int64_t batchSize) const = 0;
  /// Training samples an epoch trains (the last seed's when it depends on
  /// the seed; -1 before any).
  virtual int64_t trainSamplesPerEpoch(int64_t lastTrainSize) const = 0;

  /// The classes whose mean test trajectories are kept and plotted (the
  /// drawing tasks; none when classifying): their labels and target lines
  /// ([points * 2] each).
  const std::vector<int> &classLabels() const { return labels; }
  const std::vector<std::vector<float>> &classTargets() const {
    return targets;
  }
  virtual TrajectoryPlot trajectoryPlot() const = 0;

  /// The task's entries of meta.json's "task" object, after the
  /// configuration's (`lastSizes`: the sizes of the sets of the last seed
  /// made, -1 before any).
  virtual void describe(nlohmann::ordered_json &task,
                        const std::array<int64_t, 3> &lastSizes) const = 0;

protected:
  explicit Task(ModelShape shape) : shape(std::move(shape)) {}

  ModelShape shape;
  std::vector<int> labels;
  std::vector<std::vector<float>> targets;
};

/// A kind of task, as registered.
struct TaskKind {
  std::string name;
  /// The model the task needs under a configuration (without reading
  /// any data).
  std::function<ModelShape(const TrainConfig &)> modelShape;
  /// Sets the SPEC §5 defaults of the settings not given (see
  /// applyTaskDefaults); none when the general defaults are the task's.
  std::function<void(TrainConfig &, const std::function<bool(TaskSetting)> &)>
      applyDefaults;
  /// Checks the settings that concern the task (InputError).
  std::function<void(const TrainConfig &)> validate;
  /// Why seeds of this task cannot share a trainer call ("": they can).
  std::string ensembleBlocker;
  /// Checks that the task's data files can be read (before any trainer
  /// is compiled); none when the task has no files.
  std::function<void(const TrainConfig &)> checkDataFiles;
  /// The settings of the task beyond every task's (meta.json "task").
  std::vector<ConfigField> settings;
  /// The bundled models that the short names of --model (lstm, dni_lstm)
  /// name for this task; none: the names are the bundled models'.
  std::map<std::string, std::string> modelAliases;
  std::function<std::unique_ptr<Task>(const TrainConfig &)> make;
  /// The task trains models of tokens through a run of its own
  /// (captioning: Captioning/CaptionRun.h) instead of Experiment; `make`
  /// and `modelShape` are then not used.
  bool trainsTokens = false;
};

/// Adds a kind of task (InputError if the name is taken).
void registerTask(TaskKind kind);
/// The kind named `name`; InputError naming the valid ones otherwise.
const TaskKind &findTask(const std::string &name);
/// The registered names, in registration order.
std::vector<std::string> taskNames();
/// The task of a run (InputError when its data cannot be read).
std::unique_ptr<Task> makeTask(const TrainConfig &config);

/// The scorers of the built-in tasks: SPEC §3's mean squared distance per
/// point and §4's dysmetria of the drawn trajectories; the mean
/// cross-entropy of the logits, the accuracy and the uncertainty.
std::unique_ptr<Scorer> drawingScorer();
std::unique_ptr<Scorer> classificationScorer();

// The built-in tasks (lib/Driver/Tasks/).
TaskKind lineDrawTask();
TaskKind seqMnistTask();
TaskKind seqMnistLinesTask();
TaskKind seqMnistDigitsTask();
TaskKind captioningTask();

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_TASK_H
