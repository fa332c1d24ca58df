//===- Sweep.cpp - Grids of runs from list-valued flags ---------*- C++ -*-===//

#include "ccrnn/Driver/Sweep.h"

#include "System.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/Plots.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace ccrnn::driver {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kSweepFormatVersion = 1;
const char *const kSweepFormat = "ccrnn-train sweep";

bool isIntegerAxis(const std::string &name) { return name != "lr"; }

/// "bptt=3,lr=0.001"
std::string pointName(const std::vector<SweepAxis> &axes,
                      const std::vector<double> &values) {
  std::string name;
  for (size_t a = 0; a < axes.size(); ++a)
    name += (a ? "," : "") + axes[a].name + "=" + formatValue(values[a]);
  return name;
}

json valueJson(const std::string &axis, double v) {
  return isIntegerAxis(axis) ? json(int64_t(v)) : json(v);
}

double numberOr(const json &j, double otherwise = kNaN) {
  return j.is_number() ? j.get<double>() : otherwise;
}

json readJson(const std::string &path, const std::string &what) {
  try {
    return json::parse(readWholeFile(path));
  } catch (const std::exception &e) {
    throw InputError(what + ": " + e.what());
  }
}

// A run's summary block of meta.json, back as ModelSummary.
std::vector<ModelSummary> summariesOf(const json &meta) {
  std::vector<ModelSummary> out;
  for (const json &s : meta.at("summary")) {
    auto get = [&](const char *key, const char *stat) {
      return numberOr(s.at(key).at(stat));
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
    out.push_back(m);
  }
  return out;
}

// The baseline of each model with a cerebellum (SweepRelative): pairs of
// indices into the models of meta.json.
std::vector<std::pair<size_t, size_t>> cerebellumPairs(const json &models) {
  std::vector<std::pair<size_t, size_t>> pairs;
  auto hasCerebellum = [&](size_t i) {
    return models[i].at("has_cerebellum").get<bool>();
  };
  std::map<std::string, size_t> without;
  size_t first = SIZE_MAX;
  for (size_t i = 0; i < models.size(); ++i)
    if (!hasCerebellum(i)) {
      without.emplace(models[i].at("name").get<std::string>(), i);
      first = std::min(first, i);
    }
  if (first == SIZE_MAX)
    return pairs;
  for (size_t i = 0; i < models.size(); ++i) {
    if (!hasCerebellum(i))
      continue;
    std::string name = models[i].at("name");
    size_t baseline = first;
    for (const char *prefix : {"dni_", "cdni_"})
      if (name.rfind(prefix, 0) == 0 &&
          without.count(name.substr(std::string(prefix).size())))
        baseline = without.at(name.substr(std::string(prefix).size()));
    pairs.emplace_back(i, baseline);
  }
  return pairs;
}

// Ratios of final validation losses per seed (results are [seed][model]).
std::vector<SweepRelative> relativesOf(const json &meta) {
  const json &models = meta.at("models"), &results = meta.at("results");
  const size_t M = models.size(), S = meta.at("seeds").size();
  std::vector<SweepRelative> out;
  for (auto [m, b] : cerebellumPairs(models)) {
    std::vector<double> ratios;
    for (size_t s = 0; s < S; ++s) {
      const json &rm = results.at(s * M + m), &rb = results.at(s * M + b);
      double vm = numberOr(rm.at("final_val_loss")),
             vb = numberOr(rb.at("final_val_loss"));
      if (rm.at("finished").get<bool>() && rb.at("finished").get<bool>() &&
          std::isfinite(vm) && std::isfinite(vb) && vb > 0)
        ratios.push_back(vm / vb);
    }
    out.push_back({models[m].at("name"), models[b].at("name"),
                   int64_t(ratios.size()), mean(ratios), sem(ratios)});
  }
  return out;
}

json statJson(double mean, double sem) {
  auto num = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  return {{"mean", num(mean)}, {"sem", num(sem)}};
}

/// A plotted value at one grid point.
struct Stat {
  std::string label;
  double mean, sem;
};

// The series of sweep.png: one per label (model or pair) and combination
// of the axes other than `x`, over the values of `x`. stats[point].
std::vector<Series> sweepSeries(const std::vector<SweepAxis> &axes,
                                const std::vector<SweepPoint> &points,
                                size_t x,
                                const std::vector<std::vector<Stat>> &stats) {
  std::vector<Series> series;
  std::map<std::string, size_t> index; // title -> series
  for (size_t p = 0; p < points.size(); ++p) {
    std::string rest;
    for (size_t a = 0; a < axes.size(); ++a)
      if (a != x)
        rest += (rest.empty() ? "" : ",") + axes[a].name + "=" +
                formatValue(points[p].values[a]);
    for (const Stat &stat : stats[p]) {
      if (!std::isfinite(stat.mean))
        continue;
      std::string title =
          rest.empty() ? stat.label : stat.label + " (" + rest + ")";
      auto [it, added] = index.emplace(title, series.size());
      if (added)
        series.push_back({title, {}, {}, {}});
      Series &s = series[it->second];
      s.x.push_back(points[p].values[x]);
      s.mean.push_back(stat.mean);
      s.sem.push_back(stat.sem);
    }
  }
  return series;
}

} // namespace

//===----------------------------------------------------------------------===//
// Values and the grid
//===----------------------------------------------------------------------===//

void setSweepValue(TrainConfig &c, const std::string &name, double value) {
  if (name == "bptt")
    c.bptt = int64_t(value);
  else if (name == "interval")
    c.interval = int64_t(value);
  else
    c.lr = value;
}

std::string formatValue(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return std::to_string(int64_t(value));
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::vector<std::string> splitFlagList(const std::string &flag,
                                       const std::vector<std::string> &given) {
  std::vector<std::string> items;
  for (const std::string &text : given) {
    size_t start = 0;
    while (true) {
      size_t comma = text.find(',', start);
      std::string item = text.substr(
          start, comma == std::string::npos ? comma : comma - start);
      if (item.empty())
        throw InputError(flag + ": '" + text +
                         "' has an empty item (a comma-separated list has a "
                         "value between every two commas)");
      items.push_back(std::move(item));
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
  }
  return items;
}

std::vector<double> parseFlagList(const std::string &flag,
                                  const std::vector<std::string> &given,
                                  bool integer) {
  std::vector<double> values;
  for (const std::string &item : splitFlagList(flag, given)) {
    double v = kNaN;
    size_t used = 0;
    try {
      v = integer ? double(std::stoll(item, &used)) : std::stod(item, &used);
    } catch (const std::exception &) {
      used = 0;
    }
    if (item.empty() || used != item.size() || !std::isfinite(v))
      throw InputError(flag + ": '" + item + "' is not " +
                       (integer ? "an integer" : "a number") +
                       " (one value, or a comma-separated list for a sweep, "
                       "e.g. " +
                       flag + (integer ? " 1,2,3" : " 1e-3,1e-4") + ")");
    if (std::find(values.begin(), values.end(), v) != values.end())
      throw InputError(flag + ": " + formatValue(v) + " is given twice");
    values.push_back(v);
  }
  return values;
}

Sweep::Sweep(std::vector<SweepAxis> axes, const TrainConfig &base,
             const std::vector<ModelEntry> &models, std::string dir,
             std::vector<std::string> commandLine)
    : axes_(std::move(axes)), dir_(std::move(dir)),
      commandLine_(std::move(commandLine)) {
  size_t count = 1;
  for (const SweepAxis &a : axes_)
    count *= a.values.size();
  for (size_t n = 0; n < count; ++n) {
    SweepPoint p;
    p.values.resize(axes_.size());
    p.config = base;
    // The last axis varies fastest.
    size_t rest = n;
    for (size_t a = axes_.size(); a-- > 0;) {
      const std::vector<double> &values = axes_[a].values;
      p.values[a] = values[rest % values.size()];
      rest /= values.size();
      setSweepValue(p.config, axes_[a].name, p.values[a]);
    }
    validateConfig(p.config);
    p.dir = pointName(axes_, p.values);
    p.models = models;
    points_.push_back(std::move(p));
  }
}

std::string Sweep::pointPath(const SweepPoint &p) const {
  return (fs::path(dir_) / p.dir).string();
}

bool Sweep::isSweep(const std::string &dir) {
  return fs::exists(fs::path(dir) / "sweep.json");
}

//===----------------------------------------------------------------------===//
// Running and resuming
//===----------------------------------------------------------------------===//

Sweep Sweep::read(const std::string &dir, const std::string &what) {
  json j = readJson((fs::path(dir) / "sweep.json").string(),
                    what + ": sweep.json");
  Sweep sweep;
  sweep.dir_ = dir;
  try {
    if (j.at("format") != kSweepFormat ||
        j.at("format_version").get<int>() != kSweepFormatVersion)
      throw InputError(what +
                       ": sweep.json is not from this version of ccrnn-train");
    for (const json &a : j.at("axes"))
      sweep.axes_.push_back(
          {a.at("name"), a.at("values").get<std::vector<double>>()});
    for (const json &p : j.at("points")) {
      SweepPoint point;
      point.dir = p.at("dir");
      for (const SweepAxis &a : sweep.axes_)
        point.values.push_back(p.at("values").at(a.name).get<double>());
      sweep.points_.push_back(std::move(point));
    }
    sweep.commandLine_ =
        j.value("command_line", std::vector<std::string>{});
  } catch (const json::exception &e) {
    throw InputError(what + ": sweep.json: " + e.what());
  }
  return sweep;
}

Sweep Sweep::open(const std::string &dir) {
  const std::string what = "--resume " + dir;
  Sweep sweep = read(dir, what);
  std::string diverged;
  for (SweepPoint &p : sweep.points_) {
    const std::string path = sweep.pointPath(p);
    json meta = readJson((fs::path(path) / "meta.json").string(),
                         what + ": grid point " + p.dir);
    p.status = meta.value("status", "");
    if (p.status == "diverged" && diverged.empty())
      diverged = p.dir;
    if (p.done())
      continue;
    SavedRun saved = readSavedRun(path);
    p.config = saved.config;
    p.models = saved.models;
  }
  if (std::all_of(sweep.points_.begin(), sweep.points_.end(),
                  [](const SweepPoint &p) { return p.done(); }))
    throw InputError(what + ": the sweep is " +
                     (diverged.empty() ? "complete"
                                       : "finished (grid point " + diverged +
                                             " diverged)") +
                     "; nothing to resume");
  return sweep;
}

std::string Sweep::updateContaining(const std::string &runDir,
                                    const SweepHooks &hooks) {
  const fs::path run = fs::path(runDir).lexically_normal();
  // "out/bptt=3/" names the point "bptt=3" too.
  const fs::path point = run.has_filename() ? run : run.parent_path();
  const std::string parent = point.parent_path().string();
  if (parent.empty() || !isSweep(parent))
    return "";
  Sweep sweep = read(parent, "the sweep of " + runDir);
  if (std::none_of(sweep.points_.begin(), sweep.points_.end(),
                   [&](const SweepPoint &p) {
                     return p.dir == point.filename().string();
                   }))
    return "";
  bool diverged = false, complete = true;
  for (const SweepPoint &p : sweep.points_) {
    json meta = readJson((fs::path(sweep.pointPath(p)) / "meta.json").string(),
                         "grid point " + p.dir + ": meta.json");
    std::string status = meta.value("status", "");
    diverged = diverged || status == "diverged";
    complete = complete && (status == "complete" || status == "diverged");
  }
  sweep.gather(hooks, diverged   ? "diverged"
                      : complete ? "complete"
                                 : "interrupted");
  return parent;
}

void Sweep::prepare(const SweepHooks &hooks) {
  for (const SweepPoint &p : points_)
    Experiment(p.config, p.models, pointPath(p), commandLine_).prepare();
  gather(hooks, "running");
}

RunStatus Sweep::run(const SweepHooks &hooks) {
  const std::atomic<bool> *stop = hooks.run.stop;
  for (size_t i = 0; i < points_.size(); ++i) {
    SweepPoint &p = points_[i];
    if (p.done())
      continue;
    // A signal during the previous point's last epoch stops here, before
    // this point trains an epoch.
    if (stop && stop->load()) {
      gather(hooks, "interrupted");
      return RunStatus::Interrupted;
    }
    if (hooks.onPointStart)
      hooks.onPointStart(i, p);
    Experiment run(p.config, p.models, pointPath(p), commandLine_);
    run.loadResume();
    RunStatus status = RunStatus::Complete;
    try {
      status = run.run(hooks.run);
    } catch (const DivergedError &e) {
      // The run has saved its status and error; the others go on.
      if (hooks.run.onWarning)
        hooks.run.onWarning("grid point " + p.dir + ": " + e.what() +
                            "; going on with the next grid point");
    }
    if (status == RunStatus::Interrupted) {
      gather(hooks, "interrupted");
      return RunStatus::Interrupted;
    }
    gather(hooks, "running");
  }
  auto diverged = std::find_if(
      points_.begin(), points_.end(),
      [](const SweepPoint &p) { return p.status == "diverged"; });
  gather(hooks, diverged == points_.end() ? "complete" : "diverged");
  if (diverged != points_.end())
    throw DivergedError("grid point " + diverged->dir + ": " +
                        diverged->error +
                        " (the other grid points were trained)");
  return RunStatus::Complete;
}

//===----------------------------------------------------------------------===//
// The sweep's files
//===----------------------------------------------------------------------===//

void Sweep::gather(const SweepHooks &hooks, const std::string &status) {
  std::vector<json> metas;
  npz::Array scores;
  std::vector<int64_t> pointShape;
  summaries_.clear();
  relatives_.clear();
  for (SweepPoint &p : points_) {
    const fs::path path(pointPath(p));
    json meta = readJson((path / "meta.json").string(),
                         "grid point " + p.dir + ": meta.json");
    p.status = meta.value("status", "");
    p.error = meta.value("error", "");
    npz::Array a = npz::readNpy((path / "scores.npy").string());
    if (pointShape.empty())
      pointShape = a.shape;
    if (a.shape != pointShape)
      throw std::runtime_error("grid point " + p.dir +
                               ": scores.npy has another shape than the "
                               "first grid point's");
    scores.data.insert(scores.data.end(), a.data.begin(), a.data.end());
    summaries_.push_back(summariesOf(meta));
    relatives_.push_back(relativesOf(meta));
    metas.push_back(std::move(meta));
  }
  scores.shape = {int64_t(points_.size())};
  scores.shape.insert(scores.shape.end(), pointShape.begin(),
                      pointShape.end());
  npz::writeNpy((fs::path(dir_) / "scores.npy").string(), scores);

  const json &first = metas.front();
  json j;
  j["format"] = kSweepFormat;
  j["format_version"] = kSweepFormatVersion;
  j["status"] = status;
  j["axes"] = json::array();
  for (const SweepAxis &a : axes_) {
    json values = json::array();
    for (double v : a.values)
      values.push_back(valueJson(a.name, v));
    j["axes"].push_back({{"name", a.name}, {"values", values}});
  }
  j["task"] = first.at("task").at("name");
  j["seeds"] = first.at("seeds");
  j["models"] = json::array();
  for (const json &m : first.at("models"))
    j["models"].push_back(
        {{"name", m.at("name")}, {"has_cerebellum", m.at("has_cerebellum")}});
  j["metrics"] = first.at("metrics");
  j["test_metrics"] = first.at("test_metrics");
  j["scores"] = {{"file", "scores.npy"},
                 {"shape", scores.shape},
                 {"axes", {"point", "seed", "model", "metric", "epoch"}}};
  j["points"] = json::array();
  for (size_t i = 0; i < points_.size(); ++i) {
    const SweepPoint &p = points_[i];
    json values = json::object();
    for (size_t a = 0; a < axes_.size(); ++a)
      values[axes_[a].name] = valueJson(axes_[a].name, p.values[a]);
    json relative = json::array();
    for (const SweepRelative &r : relatives_[i])
      relative.push_back({{"model", r.model},
                          {"baseline", r.baseline},
                          {"seeds", r.seeds},
                          {"final_val_loss_ratio", statJson(r.mean, r.sem)}});
    j["points"].push_back({{"dir", p.dir},
                           {"values", values},
                           {"status", p.status},
                           {"summary", metas[i].at("summary")},
                           {"relative", relative}});
  }

  // The papers' main figure: for a horizon sweep with a ccRNN and a cRNN,
  // the ratio of their final validation losses against the horizon;
  // otherwise each model's final validation loss against the first axis.
  auto bptt = std::find_if(axes_.begin(), axes_.end(),
                           [](const SweepAxis &a) { return a.name == "bptt"; });
  const bool ratio = bptt != axes_.end() && !relatives_.front().empty();
  const size_t x = ratio ? size_t(bptt - axes_.begin()) : 0;
  std::vector<std::vector<Stat>> stats;
  for (size_t p = 0; p < points_.size(); ++p) {
    stats.emplace_back();
    if (ratio)
      for (const SweepRelative &r : relatives_[p])
        stats.back().push_back({r.model + " / " + r.baseline, r.mean, r.sem});
    else
      for (const ModelSummary &s : summaries_[p])
        stats.back().push_back({s.model, s.valMean, s.valSem});
  }
  SweepPlot plot;
  plot.series = sweepSeries(axes_, points_, x, stats);
  plot.xLabel = axes_[x].name == "bptt" ? "feedback horizon T (bptt, steps)"
                                        : axes_[x].name;
  plot.logX = axes_[x].name == "lr";
  // Ratios and losses span decades.
  plot.logY = true;
  plot.xTics = axes_[x].values;
  if (ratio) {
    plot.title = "final validation loss, ccRNN / cRNN (mean +- SEM over seeds)";
    plot.yLabel = "final val loss ratio";
    plot.referenceY = 1;
  } else {
    plot.title = "final validation loss (mean +- SEM over seeds)";
    plot.yLabel = "final val loss";
  }
  j["plot"] = {{"file", "sweep.png"},
               {"x", axes_[x].name},
               {"y", ratio ? "final_val_loss_ratio" : "final_val_loss"}};
  j["command_line"] = commandLine_;
  j["updated"] = isoTime(std::time(nullptr));
  writeFileAtomic((fs::path(dir_) / "sweep.json").string(), j.dump(2) + "\n");

  // Plotted when the sweep ends or stops, not after every point.
  if (status == "running" || plot.series.empty() || hooks.run.gnuplot.empty())
    return;
  std::string warning = plotSweep(hooks.run.gnuplot,
                                  (fs::path(dir_) / "sweep.png").string(), plot);
  if (!warning.empty() && hooks.run.onWarning)
    hooks.run.onWarning(warning);
}

} // namespace ccrnn::driver
