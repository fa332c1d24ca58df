//===- CaptioningTask.cpp - Image captioning (issue 15) ---------*- C++ -*-===//
//
// SPEC §5 "captioning": the reference's other/image-captioning, on
// COCO-format data (--captions, --features, --feature-ids and the --val-*
// files) or on the bundled MNIST scenes (Scenes.h). Its data, loop and
// files are in lib/Driver/Captioning/ (CaptionData, CaptionLoop,
// CaptionRun): a model of tokens trains window by window with an optimizer
// step after every window, which is not SPEC §3's batch, so the task runs
// through its own run rather than Experiment (TaskKind::trainsTokens).
//
// Defaults (SPEC §5): T = 5, Adam (PyTorch's betas 0.9, 0.999, eps 1e-8),
// lr 1e-3, batch 100, 10 epochs, no clipping; the bundled data: 4000
// training and 500 validation scenes, captions of 6 to 24 tokens.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Captioning/CaptionData.h"
#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Runtime/Idx.h"
#include "ccrnn/Support/SizeLimits.h"

#include <stdexcept>

#include <unistd.h>

namespace ccrnn::driver {
namespace {

void applyCaptioningDefaults(TrainConfig &c,
                             const std::function<bool(TaskSetting)> &given) {
  if (!given(TaskSetting::Bptt))
    c.bptt = 5;
  if (!given(TaskSetting::Lr))
    c.lr = 1e-3;
  if (!given(TaskSetting::Epochs))
    c.epochs = 10;
  if (!given(TaskSetting::Interval))
    c.interval = 1;
  if (!given(TaskSetting::BatchSize))
    c.batchSize = 100;
  if (!given(TaskSetting::Clip))
    c.clip = 0;
  // The bundled scenes: a default run takes minutes (docs/UserGuide.md).
  if (!given(TaskSetting::TrainSize))
    c.data.trainSize = 4000;
  if (!given(TaskSetting::ValSize))
    c.data.valSize = 500;
}

void validateCaptioning(const TrainConfig &c) {
  const auto &k = c.captioning;
  auto refuse = [](bool set, const std::string &what) {
    if (set)
      throw InputError(what + " does not apply to --task captioning");
  };
  refuse(c.interval != 1, "--interval");
  refuse(c.predictLast, "--predict-last");
  refuse(c.data.inputNoise != 0, "--input-noise");
  refuse(!c.numbers.empty(), "--numbers");
  refuse(c.freeMagnitude, "--free-magnitude");
  refuse(c.keepHidden, "--keep-hidden");
  refuse(c.recordGrads, "--record-grads");
  refuse(c.context == "on", "--context on");
  // Not (yet) in the captioning run.
  auto notYet = [](bool set, const std::string &what) {
    if (set)
      throw InputError(what + " is not supported by --task captioning yet");
  };
  notYet(c.ablationEpoch != 0, "--ablation-epoch");
  notYet(c.synthAblationEpoch != 0, "--synth-ablation-epoch");
  notYet(c.ensemble > 1, "--ensemble");
  notYet(!c.initFile.empty(), "--init");
  notYet(c.decayLr, "--decay-lr");
  notYet(c.earlyStopping != 0, "--early-stopping");
  notYet(c.shardCount > 1, "--shard");
  if (c.dataset != "mnist")
    throw InputError("--dataset: the bundled captioning scenes are made of "
                     "MNIST digits, got '" + c.dataset + "'");
  if (c.bptt < 2)
    throw InputError("--bptt must be at least 2 for --task captioning (the "
                     "first window holds the image step and at least one "
                     "token), got " + std::to_string(c.bptt));
  if (c.batchSize < 2)
    throw InputError("--batch-size must be at least 2 for --task captioning "
                     "(the encoder's batch norm), got " +
                     std::to_string(c.batchSize));
  const auto [lo, hi] = captioning::lengthRange(c);
  if (lo < 3 || hi < lo || hi > kMaxSteps)
    throw InputError("--min-length and --max-length must satisfy 3 <= min "
                     "<= max <= " + std::to_string(kMaxSteps) +
                     " (tokens with <start> and <end>), got " +
                     std::to_string(lo) + " and " + std::to_string(hi));
  if (k.vocabThreshold < 1)
    throw InputError("--vocab-threshold must be a positive integer, got " +
                     std::to_string(k.vocabThreshold));
  if (k.decodeSteps < 1 || k.decodeSteps > 1000)
    throw InputError("--decode-steps must be from 1 to 1000, got " +
                     std::to_string(k.decodeSteps));
  if (k.examples < 0)
    throw InputError("--examples must be >= 0, got " +
                     std::to_string(k.examples));
}

void checkCaptioningFiles(const TrainConfig &c) {
  captioning::checkCaptionFiles(c);
  if (!c.captioning.captions.empty())
    return;
  const idx::Paths paths = idx::dataPaths(dataDirectory(c));
  for (const std::string &file : {paths.trainImages, paths.trainLabels,
                                  paths.testImages, paths.testLabels})
    if (access(file.c_str(), R_OK) != 0)
      throw InputError(file + ": not found; the bundled captioning scenes "
                       "are made from MNIST: run tools/install-data.sh (or "
                       "give --data-dir DIR, or COCO-format data with "
                       "--captions)");
}

#define CCRNN_CAPTIONING(m) [](auto &c) -> auto & { return c.captioning.m; }
template <typename Get>
ConfigField field(const char *key, Get get) {
  return {"task", key, [get](const TrainConfig &c) { return Json(get(c)); },
          [get](const Json &v, TrainConfig &c) { v.get_to(get(c)); }};
}

std::vector<ConfigField> captioningSettings() {
  return {field("captions", CCRNN_CAPTIONING(captions)),
          field("features", CCRNN_CAPTIONING(features)),
          field("feature_ids", CCRNN_CAPTIONING(featureIds)),
          field("val_captions", CCRNN_CAPTIONING(valCaptions)),
          field("val_features", CCRNN_CAPTIONING(valFeatures)),
          field("val_feature_ids", CCRNN_CAPTIONING(valFeatureIds)),
          {"task", "min_length",
           [](const TrainConfig &c) {
             return Json(captioning::lengthRange(c).first);
           },
           [](const Json &v, TrainConfig &c) {
             v.get_to(c.captioning.minLength);
           }},
          {"task", "max_length",
           [](const TrainConfig &c) {
             return Json(captioning::lengthRange(c).second);
           },
           [](const Json &v, TrainConfig &c) {
             v.get_to(c.captioning.maxLength);
           }},
          field("balance", CCRNN_CAPTIONING(balance)),
          field("vocab_threshold", CCRNN_CAPTIONING(vocabThreshold)),
          field("decode_steps", CCRNN_CAPTIONING(decodeSteps)),
          field("examples", CCRNN_CAPTIONING(examples)),
          // The MNIST directory of the bundled scenes, so that the run's
          // data can be made again.
          {"task", "data_dir",
           [](const TrainConfig &c) { return Json(dataDirectory(c)); },
           [](const Json &v, TrainConfig &c) { v.get_to(c.dataDir); }}};
}
#undef CCRNN_CAPTIONING

} // namespace

TaskKind captioningTask() {
  TaskKind k;
  k.name = "captioning";
  k.trainsTokens = true;
  k.modelAliases = {{"lstm", "caption_lstm"}, {"dni_lstm", "caption_dni_lstm"}};
  k.modelShape = [](const TrainConfig &) { return ModelShape{}; };
  k.applyDefaults = applyCaptioningDefaults;
  k.validate = validateCaptioning;
  k.ensembleBlocker = "the captioning task";
  k.checkDataFiles = checkCaptioningFiles;
  k.settings = captioningSettings();
  k.make = [](const TrainConfig &) -> std::unique_ptr<Task> {
    throw std::logic_error("the captioning task trains through CaptionRun");
  };
  return k;
}

} // namespace ccrnn::driver
