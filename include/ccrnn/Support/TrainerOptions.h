//===- TrainerOptions.h - what a trainer is compiled for --------*- C++ -*-===//
//
// The one options type of the trainer pipeline (ccrnn-opt
// --ccrnn-trainer-pipeline): the model's sizes (ccrnn-configure-model), the
// training program's shape and variant (ccrnn-build-training) and the
// ensemble size (ccrnn-ensemble). Its text form is the pipeline's option
// string, `bptt=1 interval=2 batch=50 steps=10`, written by toString() and
// read by parse(); the driver, CMake's ccrnn_add_trainer, the trainer cache
// and the GPU bundle all pass this string, so the grammar lives here only.
//
// No MLIR: the driver and the runtime side use it too (and no exceptions:
// the passes, built with -fno-exceptions, use it as well).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_SUPPORT_TRAINEROPTIONS_H
#define CCRNN_SUPPORT_TRAINEROPTIONS_H

#include <cstdint>
#include <string>
#include <string_view>

namespace ccrnn {

/// The sizes ccrnn-configure-model sets. A field at its default keeps the
/// model file's value.
struct ModelSizes {
  int64_t hidden = 0;           ///< hidden units of each recurrent layer
  int64_t layers = 0;           ///< stacked recurrent layers
  int64_t synthLayers = -1;     ///< hidden layers of the cerebellum
  int64_t synthWidth = 0;       ///< width of the cerebellum's hidden layers
  double synthScale = -1;       ///< scale of the synthetic gradient
  std::string context = "keep"; ///< target context: "on", "off", "keep"
  int64_t vocab = 0;            ///< a token model's vocabulary
  int64_t vectorInputs = 0;     ///< a token model's vector input width

  /// Whether every field keeps the model file's value.
  bool keepsModel() const { return *this == ModelSizes(); }
  /// The fields that change the model, e.g. "hidden=512 synth-width=1024";
  /// "" when none does.
  std::string toString() const;

  bool operator==(const ModelSizes &other) const;
  bool operator!=(const ModelSizes &other) const { return !(*this == other); }
};

/// Everything a trainer is compiled for, beyond the model file and the
/// target (CPU or CUDA).
struct TrainerOptions {
  ModelSizes sizes;
  int64_t bptt = 1;     ///< truncation window T in steps
  int64_t interval = 1; ///< feedback interval k
  int64_t batch = 50;   ///< batch size B
  int64_t steps = 10;   ///< sequence length L
  std::string loss;     ///< "mse", "xent"; "": the model's
  bool predictLast = false;
  std::string cerebellum = "train"; ///< "train", "frozen" or "off"
  int64_t fibres = 0;   ///< inputs per first synthesizer unit; 0: dense
  bool record = false;  ///< also build the feedback-recording program
  /// A token model's window holds the sequence's prepended first step.
  bool firstWindow = false;
  /// A token model's greedy decoder (@m_decode): its steps; 0: none.
  int64_t decode = 0;
  int64_t ensemble = 1; ///< networks per call

  /// The ccrnn-build-training options, in the canonical order (what a
  /// trainer's description records): "bptt=1 interval=2 batch=50 steps=10"
  /// then, when set, "predict-last", "loss=", "cerebellum=", "fibres=",
  /// "record".
  std::string trainingString() const;
  /// The whole pipeline's options: the sizes that change the model, the
  /// training options, and "ensemble=K" when K > 1.
  std::string toString() const;

  /// Reads an option string of the pipeline (any order; a boolean as
  /// `record` or `record=true`). Unknown or malformed words fail with a
  /// message naming the word and what was expected; fields not named keep
  /// their defaults.
  static bool parse(std::string_view text, TrainerOptions &out,
                    std::string &error);

  bool operator==(const TrainerOptions &other) const;
  bool operator!=(const TrainerOptions &other) const {
    return !(*this == other);
  }
};

/// The fields of ModelSizes and the training fields of TrainerOptions, each
/// named as the option holders name it that copy them (the pipeline's
/// options, ccrnn-build-training's): X(field) for each, listed once here.
#define CCRNN_MODEL_SIZE_FIELDS(X)                                             \
  X(hidden) X(layers) X(synthLayers) X(synthWidth) X(synthScale) X(context)  \
  X(vocab) X(vectorInputs)
#define CCRNN_TRAINING_OPTION_FIELDS(X)                                        \
  X(bptt) X(interval) X(batch) X(steps) X(loss) X(predictLast) X(cerebellum)  \
  X(fibres) X(record) X(firstWindow) X(decode)

/// The shortest decimal text that reads back as exactly `value`.
std::string formatOptionNumber(double value);

} // namespace ccrnn

#endif // CCRNN_SUPPORT_TRAINEROPTIONS_H
