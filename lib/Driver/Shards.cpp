//===- Shards.cpp - A run trained in shards and merged ----------*- C++ -*-===//

#include "ccrnn/Driver/Shards.h"

#include "RunMeta.h"
#include "System.h"
#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Experiment.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

namespace fs = std::filesystem;

namespace ccrnn::driver {

namespace {

/// "training.lr" and the value of the first setting in which `a` and `b`
/// differ ("" when none).
std::string firstDifference(const Json &a, const Json &b,
                            const std::string &prefix = "") {
  for (const auto &[key, value] : a.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (!b.contains(key))
      return name;
    if (value.is_object() && b.at(key).is_object()) {
      if (std::string d = firstDifference(value, b.at(key), name); !d.empty())
        return d;
    } else if (value != b.at(key)) {
      return name;
    }
  }
  for (const auto &[key, value] : b.items())
    if (!a.contains(key))
      return prefix.empty() ? key : prefix + "." + key;
  return "";
}

Json settingsJson(TrainConfig config) {
  config.shardIndex = 0;
  config.shardCount = 1;
  Json j;
  writeConfig(config, j);
  return j;
}

} // namespace

ShardedRun readShards(const std::vector<std::string> &dirs, bool partial) {
  if (dirs.empty())
    throw InputError("--merge: no shard directory given");
  ShardedRun run;
  std::map<int64_t, std::string> byIndex;
  Json settings;
  int64_t count = 0;
  for (const std::string &dir : dirs) {
    const std::string what = "--merge: " + dir;
    std::string status, error;
    SavedRun shard = readRunSettings(dir, what, status, error);
    const TrainConfig &c = shard.config;
    if (c.shardCount <= 1)
      throw InputError(what + ": not a shard (a run without --shard)");
    if (status != "complete" && !partial)
      throw InputError(what + ": shard " + std::to_string(c.shardIndex) + "/" +
                       std::to_string(c.shardCount) + " is " + status +
                       (status == "diverged" ? " (" + error + ")"
                                             : "; finish it with --resume " +
                                                   dir));
    if (byIndex.empty()) {
      run.config = c;
      run.config.shardIndex = 0;
      run.config.shardCount = 1;
      run.models = shard.models;
      settings = settingsJson(c);
      count = c.shardCount;
    } else {
      if (c.shardCount != count)
        throw InputError(what + ": a shard of " +
                         std::to_string(c.shardCount) + ", " +
                         byIndex.begin()->second + " is a shard of " +
                         std::to_string(count));
      if (std::string d = firstDifference(settings, settingsJson(c));
          !d.empty())
        throw InputError(what + ": its setting " + d + " differs from " +
                         byIndex.begin()->second +
                         "'s (the shards of one run share every setting)");
      for (size_t m = 0; m < shard.models.size() || m < run.models.size();
           ++m)
        if (m >= shard.models.size() || m >= run.models.size() ||
            shard.models[m].name != run.models[m].name ||
            shard.models[m].file != run.models[m].file)
          throw InputError(what + ": its models differ from " +
                           byIndex.begin()->second + "'s");
    }
    auto [it, added] = byIndex.emplace(c.shardIndex, dir);
    if (!added)
      throw InputError(what + ": shard " + std::to_string(c.shardIndex) +
                       "/" + std::to_string(count) + " is given twice (also " +
                       it->second + ")");
    if (c.shardIndex == 0)
      run.commandLine = shard.commandLine;
  }
  std::string missing;
  for (int64_t i = 0; i < count; ++i)
    if (!byIndex.count(i))
      missing += (missing.empty() ? "" : ", ") + std::to_string(i);
  if (!missing.empty() && !partial)
    throw InputError("--merge: shard" +
                     std::string(count - int64_t(byIndex.size()) > 1 ? "s "
                                                                     : " ") +
                     missing + " of " + std::to_string(count) +
                     " not given");
  for (int64_t i = 0; i < count; ++i)
    run.shardDirs.push_back(byIndex.count(i) ? byIndex.at(i) : "");
  return run;
}

namespace {
/// The status of the run or sweep saved in `dir` ("" when none) and its
/// error.
std::pair<std::string, std::string> savedStatus(const std::string &dir) {
  const fs::path sweep = fs::path(dir) / "sweep.json",
                 run = fs::path(dir) / "meta.json";
  const fs::path file = fs::exists(sweep) ? sweep : run;
  if (!fs::exists(file))
    return {"", ""};
  try {
    const Json j = Json::parse(readWholeFile(file.string()));
    return {j.value("status", ""), j.value("error", "")};
  } catch (const std::exception &) {
    return {"", ""}; // being written: look again
  }
}
} // namespace

namespace {
/// The progress of the run or sweep in `dir`, under `name`.
RunProgress progressOf(const std::string &dir, const std::string &name) {
  RunProgress p{name, savedStatus(dir).first, 0, 0};
  // A captioning run (CaptionRun.h) says its progress per pair.
  if (!Sweep::isSweep(dir)) {
    nlohmann::json meta;
    try {
      meta = nlohmann::json::parse(
          readWholeFile((fs::path(dir) / "meta.json").string()));
    } catch (const std::exception &) {
    }
    if (meta.is_object() && meta.value("format", "") == "ccrnn-captioning-run") {
      try {
        for (const auto &r : meta.at("results")) {
          p.epochsDone += r.at("epochs_completed").get<int64_t>();
          p.epochsTotal += meta.at("training").at("epochs").get<int64_t>();
        }
      } catch (const std::exception &e) {
        throw InputError("--status " + dir + ": meta.json: " + e.what());
      }
      return p;
    }
  }
  if (!Sweep::isSweep(dir)) {
    const RunOutcome run = readRunOutcome(dir, "--status " + dir);
    p.epochsDone = run.epochsDone;
    p.epochsTotal = run.epochsTotal;
    return p;
  }
  const Sweep sweep = Sweep::read(dir, "--status " + dir);
  for (const SweepPoint &point : sweep.points()) {
    const RunOutcome run =
        readRunOutcome(sweep.pointPath(point), "--status " + dir);
    p.epochsDone += run.epochsDone;
    p.epochsTotal += run.epochsTotal;
  }
  return p;
}
} // namespace

std::vector<RunProgress> readProgress(const std::string &dir) {
  std::vector<RunProgress> lines;
  const fs::path shards = fs::path(dir) / "shards";
  if (fs::is_directory(shards)) {
    std::vector<int64_t> indices;
    for (const fs::directory_entry &e : fs::directory_iterator(shards)) {
      const std::string name = e.path().filename().string();
      if (e.is_directory() && !name.empty() &&
          name.find_first_not_of("0123456789") == std::string::npos)
        indices.push_back(std::stoll(name));
    }
    std::sort(indices.begin(), indices.end());
    for (int64_t i : indices) {
      const std::string shard = (shards / std::to_string(i)).string();
      if (savedStatus(shard).first.empty())
        lines.push_back({"shard " + std::to_string(i), "not started", 0, 0});
      else
        lines.push_back(progressOf(shard, "shard " + std::to_string(i)));
    }
    if (!savedStatus(dir).first.empty())
      lines.push_back(progressOf(dir, "merged"));
    return lines;
  }
  if (savedStatus(dir).first.empty())
    throw InputError("--status " + dir +
                     ": no run, sweep or shards (no meta.json, sweep.json "
                     "or shards/)");
  if (!Sweep::isSweep(dir))
    return {progressOf(dir, "")};
  const Sweep sweep = Sweep::read(dir, "--status " + dir);
  for (const SweepPoint &point : sweep.points())
    lines.push_back(progressOf(sweep.pointPath(point), point.dir));
  return lines;
}

ShardStep nextShardStep(const std::string &dir) {
  const auto [status, error] = savedStatus(dir);
  if (status.empty())
    return ShardStep::Train;
  if (status == "complete")
    return ShardStep::Done;
  if (status == "diverged")
    throw DivergedError("shard " + dir + " diverged" +
                        (error.empty() ? "" : ": " + error));
  return ShardStep::Resume;
}

void waitForShards(const std::vector<std::string> &dirs, double pollSeconds,
                   const std::function<bool()> &giveUp) {
  for (size_t i = 0; i < dirs.size();) {
    const auto [status, error] = savedStatus(dirs[i]);
    if (status == "complete") {
      ++i;
      continue;
    }
    if (status == "diverged")
      throw DivergedError("shard " + std::to_string(i) + " (" + dirs[i] +
                          ") diverged" + (error.empty() ? "" : ": " + error));
    if (giveUp && giveUp())
      throw InputError("stopped while waiting for shard " +
                       std::to_string(i) + " (" + dirs[i] + ")");
    std::this_thread::sleep_for(std::chrono::duration<double>(pollSeconds));
  }
}

ShardedSweep readSweepShards(const std::vector<std::string> &dirs,
                             bool partial) {
  ShardedSweep out;
  std::vector<Sweep> sweeps;
  for (const std::string &dir : dirs) {
    sweeps.push_back(Sweep::read(dir, "--merge: " + dir));
    const Sweep &s = sweeps.back(), &first = sweeps.front();
    bool same = s.axes().size() == first.axes().size() &&
                s.points().size() == first.points().size();
    for (size_t a = 0; same && a < s.axes().size(); ++a)
      same = s.axes()[a].name == first.axes()[a].name &&
             s.axes()[a].values == first.axes()[a].values;
    if (!same)
      throw InputError("--merge: " + dir + ": its grid differs from " +
                       dirs.front() + "'s");
  }
  const Sweep &first = sweeps.front();
  out.axes = first.axes();
  out.commandLine = first.commandLine();
  for (size_t i = 0; i < first.points().size(); ++i) {
    std::vector<std::string> pointShards;
    for (const Sweep &s : sweeps)
      pointShards.push_back(s.pointPath(s.points()[i]));
    out.pointDirs.push_back(first.points()[i].dir);
    out.points.push_back(readShards(pointShards, partial));
  }
  return out;
}

Sweep mergeSweepShards(const ShardedSweep &shards,
                       const std::vector<std::vector<ModelEntry>> &models,
                       const std::string &dir, const SweepHooks &hooks) {
  Sweep sweep(shards.axes, shards.points.front().config, models.front(), dir,
              shards.commandLine);
  for (size_t i = 0; i < sweep.points().size(); ++i) {
    SweepPoint &p = sweep.points()[i];
    p.models = models[i];
    Experiment(shards.points[i].config, models[i], sweep.pointPath(p),
               shards.commandLine)
        .mergeShards(shards.points[i].shardDirs, hooks.run);
  }
  bool complete = true;
  for (const SweepPoint &p : sweep.points())
    complete = complete && readRunOutcome(sweep.pointPath(p), p.dir).status ==
                               "complete";
  sweep.gather(hooks, complete ? "complete" : "partial");
  return sweep;
}

} // namespace ccrnn::driver
