//===- ConfigJson.h - A run's configuration in meta.json --------*- C++ -*-===//
//
// One codec writes the configuration into meta.json (and sweep points)
// and reads it back for --resume: each setting is a ConfigField, its
// place in the file and how it is written and read, so that a setting
// cannot be written and forgotten on resume. Each group of settings
// (TaskSettings, ModelSettings, ...) has its fields; those every task has
// are here; a task's own (the seqMNIST data set, its digits) are in its
// TaskKind (Task.h). meta.json's objects: "task", "training",
// "model_sizes", "controls", and the top-level "seeds".
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CONFIGJSON_H
#define CCRNN_DRIVER_CONFIGJSON_H

#include "ccrnn/Driver/TrainConfig.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace ccrnn::driver {

using Json = nlohmann::ordered_json;

/// A setting as meta.json stores it.
struct ConfigField {
  std::string section; ///< the object it is in; "" for the top level
  std::string key;
  std::function<Json(const TrainConfig &)> write;
  std::function<void(const Json &, TrainConfig &)> read;
  /// Files written before the setting existed lack it: it keeps its
  /// default when absent.
  bool optional = false;
  /// Not written when its value is null (a setting most runs do not have;
  /// read back as absent, so it is optional too).
  bool omitNull = false;
};

/// The settings of each group of TrainConfig (TrainConfig.h).
std::vector<ConfigField> taskFields();
std::vector<ConfigField> modelFields();
std::vector<ConfigField> optimizerFields();
std::vector<ConfigField> controlFields();
std::vector<ConfigField> runFields();
/// The settings every task has: those of every group.
const std::vector<ConfigField> &configFields();
/// The settings of the seqMNIST tasks (data set, directory, input size,
/// free magnitude) and of their drawing variants (the digits).
std::vector<ConfigField> seqMnistSettings();
ConfigField numbersSetting();

/// Writes every setting of `config` (those of its task too) into `meta`.
void writeConfig(const TrainConfig &config, Json &meta);
/// The configuration written by writeConfig. Throws std::exception (a
/// json::exception or a message) when a setting is missing or malformed.
TrainConfig readConfig(const Json &meta);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_CONFIGJSON_H
