//===- DriverConfigJsonTest.cpp - The configuration's JSON codec ---------===//
//
// Every setting of meta.json (ConfigJson.h's configFields() and each task's
// own settings) is written and read back: from a configuration where every
// setting differs from its default, writing what readConfig gives back
// must give the same JSON; and changing one setting's value in the JSON
// must change exactly that setting in the JSON written again (so each
// setting is read, not only written). Missing settings: an error, unless
// the setting is optional, which then keeps its default.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/Task.h"

#include "gtest/gtest.h"

#include <set>
#include <string>
#include <vector>

using namespace ccrnn::driver;

namespace {

/// A configuration of task `task` with every setting off its default.
/// "ensemble" is written as the size the run resolves, which the
/// ensemble blockers set here (--keep-hidden, ...) force to 1: see
/// ensembleBase().
TrainConfig nonDefault(const std::string &task) {
  TrainConfig c;
  c.task = task;
  c.data.seqLen = 7;
  c.data.inputNoise = 0.25;
  c.data.trainSize = 30;
  c.data.valSize = 9;
  c.data.testSize = 11;
  c.bptt = 3;
  c.interval = 4;
  c.predictLast = true;
  c.epochs = 12;
  c.batchSize = 6;
  c.lr = 0.0125;
  c.optim = OptimKind::RMSprop;
  c.clip = 0.75;
  c.l2 = 0.001;
  c.decayLr = true;
  c.lrScale = 0.5;
  c.lrDecayPatience = 4;
  c.earlyStopping = 5;
  c.seeds = {11, 12, 13};
  c.threads = 3;
  c.device = "cuda";
  c.ensemble = 2;
  c.initFile = "/tmp/init.npz";
  c.shardIndex = 1;
  c.shardCount = 3;
  c.dataset = "fashion-mnist";
  c.dataDir = "/data/elsewhere";
  c.inputSize = 16;
  c.numbers = "1,4,7";
  c.freeMagnitude = true;
  c.nhid = 17;
  c.nlayers = 2;
  c.synthNlayers = 3;
  c.synthNhid = 19;
  c.synthScale = 0.3;
  c.context = "off";
  c.ablationEpoch = 6;
  c.synthAblationEpoch = 4;
  c.fixedSynth = true;
  c.oliveLesion = "reference";
  c.nfibres = 5;
  c.keepHidden = true;
  c.recordGrads = true;
  c.recordSamples = 3;
  c.captioning.captions = "/data/train.json";
  c.captioning.features = "/data/train.npy";
  c.captioning.featureIds = "/data/train.ids.npy";
  c.captioning.valCaptions = "/data/val.json";
  c.captioning.valFeatures = "/data/val.npy";
  c.captioning.valFeatureIds = "/data/val.ids.npy";
  c.captioning.minLength = 7;
  c.captioning.maxLength = 9;
  c.captioning.balance = true;
  c.captioning.vocabThreshold = 2;
  c.captioning.decodeSteps = 12;
  c.captioning.examples = 8;
  return c;
}

/// Line drawing without the settings that keep seeds apart: "ensemble"
/// is then written as given (2 of 3 seeds).
TrainConfig ensembleBase() {
  TrainConfig c = nonDefault("linedraw");
  c.device = "cpu";
  c.earlyStopping = c.ablationEpoch = c.synthAblationEpoch = 0;
  c.oliveLesion = "freeze";
  c.keepHidden = c.recordGrads = false;
  return c;
}

Json written(const TrainConfig &c) {
  Json j;
  writeConfig(c, j);
  return j;
}

/// The settings written for task `task`.
std::vector<const ConfigField *> fieldsOf(const std::string &task) {
  std::vector<const ConfigField *> fields;
  for (const ConfigField &f : configFields())
    fields.push_back(&f);
  for (const ConfigField &f : findTask(task).settings)
    fields.push_back(&f);
  return fields;
}

Json &at(Json &j, const ConfigField &f) {
  return f.section.empty() ? j[f.key] : j[f.section][f.key];
}
std::string nameOf(const ConfigField &f) {
  return (f.section.empty() ? "" : f.section + ".") + f.key;
}

/// The settings of task `task` whose values differ in a and b, or "".
std::string differing(const Json &a, const Json &b, const std::string &task) {
  std::string out;
  for (const ConfigField *f : fieldsOf(task)) {
    Json x = a, y = b; // at() adds what is missing: null
    if (at(x, *f) != at(y, *f))
      out += nameOf(*f) + " ";
  }
  return out.empty() && a != b ? "(other entries)" : out;
}

/// Another valid value of the same type as `v` (a setting of task
/// `task`).
Json otherValue(const ConfigField &f, const Json &v, const std::string &task) {
  if (f.key == "name")
    return task == "seqmnist-lines" ? "seqmnist-digits" : "seqmnist-lines";
  if (f.key == "optim")
    return v == "adamax" ? "sgd" : "adamax";
  if (f.key == "device")
    return v == "cpu" ? "cuda" : "cpu";
  if (f.key == "context")
    return v == "on" ? "off" : "on";
  if (f.key == "dataset")
    return v == "mnist" ? "fashion-mnist" : "mnist";
  if (f.key == "shard")
    return v == "1/3" ? "2/3" : "1/3";
  if (v.is_boolean())
    return !v.get<bool>();
  if (v.is_number_integer())
    return v.get<int64_t>() + 1;
  if (v.is_number_float())
    return v.get<double>() * 2 + 0.5;
  if (v.is_string())
    return v.get<std::string>() + "2";
  if (v.is_array() && !v.empty()) { // seeds, numbers: the last one up
    Json w = v;
    w.back() = w.back().get<int64_t>() + 1;
    return w;
  }
  ADD_FAILURE() << "no other value for " << nameOf(f) << ": " << v.dump();
  return v;
}

TEST(DriverConfigJson, EverySettingIsOffItsDefaultInTheTestConfig) {
  // Else the round trips below would not show that a setting is read. A
  // setting added to configFields() and not to nonDefault() fails here.
  for (const std::string &task : taskNames()) {
    TrainConfig defaults;
    defaults.task = task;
    const Json plain = written(defaults);
    for (const ConfigField *f : fieldsOf(task)) {
      if (f->key == "name")
        continue; // the task is the same: its name is the point
      Json j = written(f->key == "ensemble" ? ensembleBase()
                                            : nonDefault(task)),
           d = plain;
      EXPECT_NE(at(j, *f), at(d, *f)) << task << ": " << nameOf(*f);
    }
  }
}

TEST(DriverConfigJson, ReadConfigGivesBackWhatWasWritten) {
  for (const std::string &task : taskNames()) {
    const Json j = written(nonDefault(task));
    for (const ConfigField *f : fieldsOf(task))
      EXPECT_TRUE(f->section.empty() ? j.contains(f->key)
                                     : j.at(f->section).contains(f->key))
          << task << ": " << nameOf(*f) << " not written";
    EXPECT_EQ(differing(written(readConfig(j)), j, task), "") << task;
  }
  const Json e = written(ensembleBase());
  EXPECT_EQ(e["training"]["ensemble"], 2);
  EXPECT_EQ(differing(written(readConfig(e)), e, "linedraw"), "");
}

// Each setting changed alone in the file changes exactly that setting:
// the JSON written from what was read is the file with that one value.
TEST(DriverConfigJson, EachSettingIsRead) {
  for (const std::string &task : taskNames())
    for (const ConfigField *f : fieldsOf(task)) {
      // The name picks the task's settings: only the drawing tasks share
      // theirs. "ensemble" is only written as given without blockers.
      if (f->key == "name" && task != "seqmnist-lines" &&
          task != "seqmnist-digits")
        continue;
      const TrainConfig c =
          f->key == "ensemble" ? ensembleBase() : nonDefault(task);
      Json j = written(c);
      at(j, *f) = otherValue(*f, at(j, *f), task);
      Json again;
      try {
        again = written(readConfig(j));
      } catch (const std::exception &e) {
        ADD_FAILURE() << task << ": " << nameOf(*f) << ": " << e.what();
        continue;
      }
      EXPECT_EQ(differing(again, j, task), "") << task << ": " << nameOf(*f);
      EXPECT_EQ(differing(again, written(c), task), nameOf(*f) + " ")
          << task << ": " << nameOf(*f);
    }
}

TEST(DriverConfigJson, AMissingRequiredSettingIsAnError) {
  for (const std::string &task : taskNames()) {
    const Json j = written(nonDefault(task));
    for (const ConfigField *f : fieldsOf(task)) {
      if (f->optional)
        continue;
      Json k = j;
      (f->section.empty() ? k : k[f->section]).erase(f->key);
      EXPECT_ANY_THROW(readConfig(k)) << task << ": " << nameOf(*f);
    }
    Json noTraining = j;
    noTraining.erase("training");
    EXPECT_ANY_THROW(readConfig(noTraining)) << task;
  }
}

TEST(DriverConfigJson, AnAbsentOptionalSettingKeepsItsDefault) {
  // Files written before --device, --ensemble and --olive-lesion existed
  // lack them; only a shard's meta.json has "shard".
  std::set<std::string> optional;
  for (const ConfigField &f : configFields())
    if (f.optional)
      optional.insert(nameOf(f));
  EXPECT_EQ(optional, (std::set<std::string>{"controls.olive_lesion",
                                             "training.device",
                                             "training.ensemble",
                                             "training.shard"}));
  Json j = written(nonDefault("linedraw"));
  ASSERT_EQ(j["training"]["device"], "cuda");
  ASSERT_EQ(j["training"]["shard"], "1/3");
  j["training"].erase("device");
  j["training"].erase("ensemble");
  j["training"].erase("shard");
  j["controls"].erase("olive_lesion");
  const TrainConfig c = readConfig(j);
  EXPECT_EQ(c.oliveLesion, "freeze");
  EXPECT_EQ(c.device, TrainConfig().device);
  EXPECT_EQ(c.ensemble, TrainConfig().ensemble);
  EXPECT_EQ(c.shardCount, 1);
  // Everything else as written.
  TrainConfig expected = nonDefault("linedraw");
  expected.device = TrainConfig().device;
  expected.ensemble = TrainConfig().ensemble;
  expected.oliveLesion = TrainConfig().oliveLesion;
  expected.shardIndex = 0;
  expected.shardCount = 1;
  EXPECT_EQ(differing(written(c), written(expected), "linedraw"), "");
}

TEST(DriverConfigJson, MalformedValuesAreErrors) {
  const Json j = written(nonDefault("seqmnist-lines"));
  auto readWith = [&](const char *section, const char *key, Json v) {
    Json k = j;
    k[section][key] = std::move(v);
    readConfig(k);
  };
  EXPECT_ANY_THROW(readWith("training", "bptt", "three"));
  EXPECT_ANY_THROW(readWith("training", "optim", "adamw"));
  EXPECT_ANY_THROW(readWith("task", "name", "copy"));
  EXPECT_ANY_THROW(readWith("task", "numbers", "1,4"));
  EXPECT_NO_THROW(readWith("training", "bptt", 5));
}

// Special values stored as they are meant: null for "off" and the model
// file's sizes, the digits as a list (all ten: ""), the resolved data
// directory.
TEST(DriverConfigJson, OffValuesAndListsAreStoredReadably) {
  TrainConfig c;
  c.task = "seqmnist-digits";
  Json j = written(c);
  EXPECT_TRUE(j["training"]["early_stopping"].is_null());
  EXPECT_TRUE(j["training"]["init"].is_null());
  EXPECT_TRUE(j["model_sizes"]["synth_nlayers"].is_null());
  EXPECT_TRUE(j["controls"]["ablation_epoch"].is_null());
  EXPECT_EQ(j["task"]["numbers"], Json({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(j["task"]["data_dir"], dataDirectory(c));
  const TrainConfig back = readConfig(j);
  EXPECT_EQ(back.numbers, "");
  EXPECT_EQ(back.synthNlayers, -1);
  EXPECT_EQ(back.synthScale, -1.0);
  EXPECT_EQ(back.earlyStopping, 0);
  EXPECT_EQ(back.dataDir, dataDirectory(c));
}

} // namespace
