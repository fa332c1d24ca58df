//===- RunMeta.cpp - What meta.json says about a run ------------*- C++ -*-===//

#include "RunMeta.h"

#include "Arrays.h"
#include "System.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/RunStore.h"

#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>

#ifndef CCRNN_VERSION
#error "CCRNN_VERSION must be defined"
#endif

namespace fs = std::filesystem;

namespace ccrnn::driver {

static const char *initName(int32_t init) {
  switch (init) {
  case CCRNN_INIT_ZEROS:
    return "zeros";
  case CCRNN_INIT_NORMAL:
    return "normal";
  case CCRNN_INIT_ONES:
    return "ones";
  default:
    return "uniform";
  }
}

static const char *groupName(int32_t group) {
  switch (group) {
  case CCRNN_GROUP_RECURRENT:
    return "recurrent";
  case CCRNN_GROUP_READOUT:
    return "readout";
  case CCRNN_GROUP_INPUT:
    return "input";
  default:
    return "synthesizer";
  }
}

static Json nanToNull(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

Json runMeta(const RunMetaInputs &in) {
  const TrainConfig &cfg = in.config;
  const Task &task = in.task;
  const RunResults &res = in.results;
  const size_t S = res.S, M = res.M;
  const int64_t E = res.E, C = res.C;
  Json j;
  j["format"] = "ccrnn-train run";
  j["format_version"] = kRunFormatVersion;
  j["status"] = in.status;
  if (!in.error.empty())
    j["error"] = in.error;
  // The configuration (its codec: ConfigJson.h), then what follows from
  // it: the task's sizes and facts, the optimizer's constants.
  writeConfig(cfg, j);
  const ModelShape &shape = task.modelShape();
  Json &t = j["task"];
  t["classes"] = shape.classifies ? shape.outputSize : C;
  t["input_size"] = shape.inputSize;
  t["output_size"] = shape.outputSize;
  t["train_samples_per_epoch"] = task.trainSamplesPerEpoch(in.lastSizes[0]);
  task.describe(t, in.lastSizes);
  Json hyper = Json::object();
  for (const auto &[k, v] : optimizerHyperparameters(cfg.optim))
    hyper[k] = v;
  j["training"]["optim_hyperparameters"] = hyper;
  j["training"]["lr_decay_threshold"] = PlateauScheduler::kThreshold;
  j["models"] = Json::array();
  for (const ModelEntry &m : in.models) {
    const ccrnn_trainer_desc &d = *m.api->desc;
    Json ps = Json::array();
    int64_t total = 0;
    for (int32_t i = 0; i < d.num_params; ++i) {
      const ccrnn_param_info &p = d.params[i];
      total += numElements(paramShape(p));
      ps.push_back(
          {{"name", p.name},
           {"shape", paramShape(p)},
           {"init", initName(p.init)},
           {"bound", p.bound},
           {"group", groupName(p.group)}});
    }
    j["models"].push_back({{"name", m.name},
                           {"file", m.file},
                           {"symbol", d.model},
                           {"configure", m.configure},
                           {"options", m.options},
                           {"trainer", m.trainerId},
                           // The lesions' programs (SPEC §4), or null.
                           {"frozen_options",
                            m.frozenApi ? Json(m.frozenApi->desc->options)
                                        : Json(nullptr)},
                           {"ablated_options",
                            m.ablatedApi ? Json(m.ablatedApi->desc->options)
                                         : Json(nullptr)},
                           {"has_cerebellum", bool(d.has_cerebellum)},
                           {"num_parameters", total},
                           {"parameters", ps}});
  }
  j["metrics"] = res.metrics;
  j["scores"] = {{"file", "scores.npy"},
                 {"shape", {S, M, res.metrics.size(), E}},
                 {"axes", {"seed", "model", "metric", "epoch"}}};
  j["test_metrics"] = task.testMetrics();
  j["results"] = Json::array();
  for (size_t s = 0; s < S; ++s)
    for (size_t m = 0; m < M; ++m) {
      size_t k = res.pair(s, m);
      Json r = {{"seed", cfg.seeds[s]},
                {"model", in.models[m].name},
                {"epochs_completed", res.epochsDone[k]},
                {"finished", bool(res.finished[k])},
                {"early_stopped_at",
                 res.stoppedEarly(k) ? Json(res.epochsDone[k]) : Json(nullptr)},
                {"final_val_loss", nanToNull(res.finalValLoss(k))},
                {"best_epoch", res.bestEpoch[k]},
                {"best_val_loss", nanToNull(res.bestVal[k])},
                {"test_loss", nanToNull(res.testLoss[k])},
                {"test_dysmetria", nanToNull(res.testDysmetria[k])},
                {"train_seconds", res.trainSeconds[k]}};
      if (shape.classifies)
        r["test_accuracy"] = nanToNull(res.testAccuracy[k]);
      std::vector<Json> secs, dataSecs, computeSecs;
      double dataTotal = 0, computeTotal = 0;
      for (int64_t e = 0; e < res.epochsDone[k]; ++e) {
        secs.push_back(res.epochSeconds[k * E + e]);
        dataSecs.push_back(nanToNull(res.dataSeconds[k * E + e]));
        computeSecs.push_back(nanToNull(res.computeSeconds[k * E + e]));
        if (std::isfinite(res.dataSeconds[k * E + e]))
          dataTotal += res.dataSeconds[k * E + e];
        if (std::isfinite(res.computeSeconds[k * E + e]))
          computeTotal += res.computeSeconds[k * E + e];
      }
      r["epoch_seconds"] = secs;
      if (cfg.decayLr)
        r["lr"] = std::vector<double>(res.epochLr.begin() + k * E,
                                      res.epochLr.begin() + k * E +
                                          res.epochsDone[k]);
      // Per epoch: preparing batches (data) and training steps plus
      // validation (compute).
      r["data_seconds"] = dataSecs;
      r["compute_seconds"] = computeSecs;
      r["data_seconds_total"] = dataTotal;
      r["compute_seconds_total"] = computeTotal;
      if (res.finished[k])
        r["checkpoints"] = {{"final", RunStore::checkpointName(cfg.seeds[s], in.models[m].name, "final")},
                            {"best", RunStore::checkpointName(cfg.seeds[s], in.models[m].name, "best")}};
      j["results"].push_back(r);
    }
  j["summary"] = summaryJson(in.summaries);
  j["files"] = {{"scores", "scores.npy"},
                {"trajectories", C ? Json("trajectories.npz") : Json(nullptr)},
                {"curves", "curves.png"},
                {"lines", C ? Json("lines.png") : Json(nullptr)},
                {"resume", "resume.npz"}};
  j["training_seconds"] = in.seconds;
  j["timestamp"] = in.startedAt;
  j["updated"] = isoTime(std::time(nullptr));
  j["versions"] = {{"ccrnn", CCRNN_VERSION},
                   {"trainer_abi", CCRNN_TRAINER_ABI_VERSION},
                   {"driver_compiler", __VERSION__}};
  j["rng"] =
      "std::mt19937_64 per stream, seeded with SplitMix64(seed, "
      "stream name, index): init/<parameter> (the DNI wrapper's "
      "rnn.rnn. read as rnn.), linedraw.{train,val,test}.{class,noise} "
      "(train: index = epoch), seqmnist.split (train/validation split), "
      "seqmnist.shuffle (index = epoch: the epoch's order, a Fisher-Yates "
      "shuffle), seqmnist.free_magnitude (of the first seed)";
  j["command_line"] = in.commandLine;
  return j;
}

Json summaryJson(const std::vector<ModelSummary> &summaries) {
  auto stat = [](double mean, double sem) {
    return Json{{"mean", nanToNull(mean)}, {"sem", nanToNull(sem)}};
  };
  Json j = Json::array();
  for (const ModelSummary &ms : summaries)
    j.push_back({{"model", ms.model},
                 {"seeds", ms.seeds},
                 {"final_val_loss", stat(ms.valMean, ms.valSem)},
                 {"test_loss", stat(ms.testMean, ms.testSem)},
                 {"test_accuracy", stat(ms.testAccMean, ms.testAccSem)},
                 {"test_dysmetria", stat(ms.dysmetriaMean, ms.dysmetriaSem)}});
  return j;
}

static double numberOrNaN(const Json &j) {
  return j.is_number() ? j.get<double>()
                       : std::numeric_limits<double>::quiet_NaN();
}

RunOutcome readRunOutcome(const std::string &dir, const std::string &what) {
  const std::string file = (fs::path(dir) / "meta.json").string();
  RunOutcome out;
  try {
    const Json j = Json::parse(readWholeFile(file));
    out.status = j.value("status", "");
    out.error = j.value("error", "");
    out.task = j.at("task").at("name");
    out.seeds = j.at("seeds").get<std::vector<uint64_t>>();
    for (const Json &m : j.at("models"))
      out.models.push_back({m.at("name"), m.at("has_cerebellum")});
    out.metrics = j.at("metrics").get<std::vector<std::string>>();
    out.testMetrics = j.at("test_metrics").get<std::vector<std::string>>();
    for (const Json &s : j.at("summary")) {
      auto get = [&](const char *key, const char *stat) {
        return numberOrNaN(s.at(key).at(stat));
      };
      ModelSummary m{s.at("model"),
                     s.at("seeds"),
                     get("final_val_loss", "mean"),
                     get("final_val_loss", "sem"),
                     get("test_loss", "mean"),
                     get("test_loss", "sem"),
                     get("test_dysmetria", "mean"),
                     get("test_dysmetria", "sem")};
      m.testAccMean = get("test_accuracy", "mean");
      m.testAccSem = get("test_accuracy", "sem");
      out.summaries.push_back(m);
    }
    const TrainConfig config = readConfig(j);
    const size_t M = out.models.size();
    for (const Json &r : j.at("results")) {
      const size_t k = out.pairs.size();
      out.pairs.push_back(
          {r.at("finished").get<bool>(), numberOrNaN(r.at("final_val_loss"))});
      if (!ownsPair(config, k, M))
        continue;
      // A pair stopped early is done with fewer epochs.
      const int64_t done = r.at("epochs_completed").get<int64_t>();
      out.epochsDone += done;
      out.epochsTotal += out.pairs.back().finished ? done : config.epochs;
    }
  } catch (const std::exception &e) {
    throw InputError(what + ": meta.json: " + e.what());
  }
  if (out.pairs.size() != out.seeds.size() * out.models.size())
    throw InputError(what + ": meta.json: " + std::to_string(out.pairs.size()) +
                     " results for " + std::to_string(out.seeds.size()) +
                     " seeds and " + std::to_string(out.models.size()) +
                     " models");
  return out;
}

SavedRun readRunSettings(const std::string &dir, const std::string &what,
                         std::string &status, std::string &error) {
  const std::string metaFile = (fs::path(dir) / "meta.json").string();
  if (!fs::is_directory(dir))
    throw InputError(what + ": no such directory");
  std::string text;
  try {
    text = readWholeFile(metaFile);
  } catch (const std::exception &) {
    throw InputError(what + ": no meta.json (not a ccrnn-train run directory)");
  }
  SavedRun saved;
  try {
    Json j = Json::parse(text);
    if (j.at("format") != "ccrnn-train run" ||
        j.at("format_version").get<int>() != kRunFormatVersion)
      throw InputError(what +
                       ": meta.json is not from this version of ccrnn-train");
    status = j.at("status");
    error = j.value("error", std::string("no message"));
    saved.config = readConfig(j);
    for (const Json &m : j.at("models")) {
      ModelEntry e;
      e.name = m.at("name");
      e.file = m.at("file");
      e.configure = m.at("configure");
      e.options = m.at("options");
      saved.models.push_back(e);
    }
    saved.commandLine = j.value("command_line", std::vector<std::string>{});
  } catch (const InputError &) {
    throw;
  } catch (const std::exception &e) {
    throw InputError(what + ": meta.json: " + e.what());
  }
  validateConfig(saved.config);
  return saved;
}

SavedRun readSavedRun(const std::string &dir) {
  const std::string what = "--resume " + dir;
  std::string status, error;
  SavedRun saved = readRunSettings(dir, what, status, error);
  if (status == "complete")
    throw InputError(what + ": the run is complete; nothing to resume");
  if (status == "partial")
    throw InputError(what + ": the run is a partial merge of shards; "
                     "finish the shards, then merge them again");
  if (status == "diverged")
    throw InputError(what + ": the run diverged (" + error +
                     "); resuming would repeat it");
  if (!fs::exists(fs::path(dir) / "resume.npz"))
    throw InputError(what + ": no resume.npz");
  return saved;
}

} // namespace ccrnn::driver
