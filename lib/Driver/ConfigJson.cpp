//===- ConfigJson.cpp - A run's configuration in meta.json ------*- C++ -*-===//

#include "ccrnn/Driver/ConfigJson.h"

#include "ccrnn/Driver/SeqMnist.h"
#include "ccrnn/Driver/Task.h"

#include <stdexcept>

namespace ccrnn::driver {
namespace {

/// A setting stored as it is: `get` is a generic lambda returning a
/// reference to the member, for a const and a mutable configuration.
template <typename Get>
ConfigField plain(const char *section, const char *key, Get get) {
  return {section, key, [get](const TrainConfig &c) { return Json(get(c)); },
          [get](const Json &v, TrainConfig &c) { v.get_to(get(c)); }};
}

/// A setting whose value `off` (the model file's size, a control not
/// used) is stored as null.
template <typename Get, typename T>
ConfigField orNull(const char *section, const char *key, Get get, T off) {
  return {section, key,
          [get, off](const TrainConfig &c) {
            return get(c) == off ? Json(nullptr) : Json(get(c));
          },
          [get, off](const Json &v, TrainConfig &c) {
            if (v.is_null())
              get(c) = off;
            else
              v.get_to(get(c));
          }};
}

#define CCRNN_MEMBER(m) [](auto &c) -> auto & { return c.m; }

} // namespace

std::vector<ConfigField> taskFields() {
  return {plain("task", "name", CCRNN_MEMBER(task)),
          plain("task", "seq_len", CCRNN_MEMBER(data.seqLen)),
          plain("task", "input_noise", CCRNN_MEMBER(data.inputNoise)),
          plain("task", "train_size", CCRNN_MEMBER(data.trainSize)),
          plain("task", "val_size", CCRNN_MEMBER(data.valSize)),
          plain("task", "test_size", CCRNN_MEMBER(data.testSize))};
}

std::vector<ConfigField> modelFields() {
  return {
      plain("training", "bptt", CCRNN_MEMBER(bptt)),
      plain("training", "interval", CCRNN_MEMBER(interval)),
      plain("training", "predict_last", CCRNN_MEMBER(predictLast)),
      orNull("model_sizes", "nhid", CCRNN_MEMBER(nhid), int64_t(0)),
      orNull("model_sizes", "nlayers", CCRNN_MEMBER(nlayers), int64_t(0)),
      orNull("model_sizes", "synth_nlayers", CCRNN_MEMBER(synthNlayers),
             int64_t(-1)),
      orNull("model_sizes", "synth_nhid", CCRNN_MEMBER(synthNhid), int64_t(0)),
      orNull("model_sizes", "synth_scale", CCRNN_MEMBER(synthScale), -1.0),
      orNull("model_sizes", "context", CCRNN_MEMBER(context), std::string())};
}

std::vector<ConfigField> optimizerFields() {
  return {
      plain("training", "epochs", CCRNN_MEMBER(epochs)),
      plain("training", "batch_size", CCRNN_MEMBER(batchSize)),
      plain("training", "lr", CCRNN_MEMBER(lr)),
      {"training", "optim",
       [](const TrainConfig &c) { return Json(optimizerName(c.optim)); },
       [](const Json &v, TrainConfig &c) {
         auto kind = parseOptimizer(v.get<std::string>());
         if (!kind)
           throw std::runtime_error("unknown optimizer '" +
                                    v.get<std::string>() + "'");
         c.optim = *kind;
       }},
      plain("training", "clip", CCRNN_MEMBER(clip)),
      plain("training", "l2", CCRNN_MEMBER(l2)),
      plain("training", "decay_lr", CCRNN_MEMBER(decayLr)),
      plain("training", "lr_scale", CCRNN_MEMBER(lrScale)),
      plain("training", "lr_decay_patience", CCRNN_MEMBER(lrDecayPatience)),
      orNull("training", "early_stopping", CCRNN_MEMBER(earlyStopping),
             int64_t(0))};
}

std::vector<ConfigField> controlFields() {
  return {orNull("controls", "ablation_epoch", CCRNN_MEMBER(ablationEpoch),
                 int64_t(0)),
          orNull("controls", "synth_ablation_epoch",
                 CCRNN_MEMBER(synthAblationEpoch), int64_t(0)),
          plain("controls", "fixed_synth", CCRNN_MEMBER(fixedSynth)),
          // Written since --olive-lesion exists; older runs froze.
          {"controls", "olive_lesion",
           [](const TrainConfig &c) { return Json(c.oliveLesion); },
           [](const Json &v, TrainConfig &c) { v.get_to(c.oliveLesion); },
           /*optional=*/true},
          orNull("controls", "nfibres", CCRNN_MEMBER(nfibres), int64_t(0)),
          plain("controls", "keep_hidden", CCRNN_MEMBER(keepHidden)),
          plain("controls", "record_grads", CCRNN_MEMBER(recordGrads)),
          plain("controls", "record_samples", CCRNN_MEMBER(recordSamples))};
}

std::vector<ConfigField> runFields() {
  std::vector<ConfigField> f = {
      plain("training", "threads", CCRNN_MEMBER(threads)),
      plain("training", "device", CCRNN_MEMBER(device)),
      // The seeds a call as the run resolved them (0 would ask again).
      {"training", "ensemble",
       [](const TrainConfig &c) { return Json(ensembleSize(c)); },
       [](const Json &v, TrainConfig &c) { v.get_to(c.ensemble); }},
      orNull("training", "init", CCRNN_MEMBER(initFile), std::string()),
      plain("", "seeds", CCRNN_MEMBER(seeds)),
      // "I/N" in a shard's meta.json only.
      {"training", "shard",
       [](const TrainConfig &c) {
         return c.shardCount <= 1 ? Json(nullptr)
                                  : Json(std::to_string(c.shardIndex) + "/" +
                                         std::to_string(c.shardCount));
       },
       [](const Json &v, TrainConfig &c) {
         parseShard(v.get<std::string>(), c);
       },
       /*optional=*/true, /*omitNull=*/true}};
  // Written since --device and --ensemble exist.
  for (ConfigField &field : f)
    field.optional = field.optional || field.key == "device" ||
                     field.key == "ensemble";
  return f;
}

namespace {

Json &objectOf(Json &meta, const std::string &section) {
  return section.empty() ? meta : meta[section];
}

void readFields(const std::vector<ConfigField> &fields, const Json &meta,
                TrainConfig &c) {
  for (const ConfigField &f : fields) {
    const Json &object = f.section.empty() ? meta : meta.at(f.section);
    if (f.optional && !object.contains(f.key))
      continue;
    f.read(object.at(f.key), c);
  }
}

} // namespace

const std::vector<ConfigField> &configFields() {
  // In this order, meta.json's objects and their keys come in the order of
  // the files written before the groups existed.
  static const std::vector<ConfigField> fields = [] {
    std::vector<ConfigField> all;
    for (auto group : {taskFields, modelFields, optimizerFields,
                       controlFields, runFields})
      for (ConfigField &f : group())
        all.push_back(std::move(f));
    return all;
  }();
  return fields;
}

std::vector<ConfigField> seqMnistSettings() {
  return {plain("task", "dataset", CCRNN_MEMBER(dataset)),
          // The directory the run read, so that a resumed run reads it too.
          {"task", "data_dir",
           [](const TrainConfig &c) { return Json(dataDirectory(c)); },
           [](const Json &v, TrainConfig &c) { v.get_to(c.dataDir); }},
          plain("task", "input_size", CCRNN_MEMBER(inputSize)),
          plain("task", "free_magnitude", CCRNN_MEMBER(freeMagnitude))};
}

// The digits as a list; all ten are the default ("").
ConfigField numbersSetting() {
  return {"task", "numbers",
          [](const TrainConfig &c) { return Json(parseNumbers(c.numbers)); },
          [](const Json &v, TrainConfig &c) {
            std::string numbers;
            for (int d : v.get<std::vector<int>>())
              numbers += (numbers.empty() ? "" : ",") + std::to_string(d);
            c.numbers = numbers == "0,1,2,3,4,5,6,7,8,9" ? "" : numbers;
          }};
}

#undef CCRNN_MEMBER

void writeConfig(const TrainConfig &c, Json &meta) {
  auto write = [&](const ConfigField &f) {
    Json value = f.write(c);
    if (!(f.omitNull && value.is_null()))
      objectOf(meta, f.section)[f.key] = std::move(value);
  };
  for (const ConfigField &f : configFields())
    write(f);
  for (const ConfigField &f : findTask(c.task).settings)
    write(f);
}

TrainConfig readConfig(const Json &meta) {
  TrainConfig c;
  readFields(configFields(), meta, c);
  readFields(findTask(c.task).settings, meta, c);
  return c;
}

} // namespace ccrnn::driver
