//===- SweepFiles.cpp - A sweep's files -------------------------*- C++ -*-===//
//
// The sweep's own files (Sweep.h): sweep.json read back for --resume, and
// scores.npy, sweep.json and sweep.png gathered from the grid points' runs
// (their meta.json read through readRunOutcome, their scores.npy stacked).
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Sweep.h"

#include "RunMeta.h"
#include "System.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/Plots.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace ccrnn::driver {

namespace {

constexpr int kSweepFormatVersion = 1;
const char *const kSweepFormat = "ccrnn-train sweep";

json valueJson(const std::string &axis, double v) {
  return axis != "lr" ? json(int64_t(v)) : json(v);
}

// The baseline of each model with a cerebellum (SweepRelative): pairs of
// indices into the run's models.
std::vector<std::pair<size_t, size_t>>
cerebellumPairs(const std::vector<RunOutcome::Model> &models) {
  std::vector<std::pair<size_t, size_t>> pairs;
  std::map<std::string, size_t> without;
  size_t first = SIZE_MAX;
  for (size_t i = 0; i < models.size(); ++i)
    if (!models[i].hasCerebellum) {
      without.emplace(models[i].name, i);
      first = std::min(first, i);
    }
  if (first == SIZE_MAX)
    return pairs;
  for (size_t i = 0; i < models.size(); ++i) {
    if (!models[i].hasCerebellum)
      continue;
    const std::string &name = models[i].name;
    size_t baseline = first;
    for (const char *prefix : {"dni_", "cdni_"})
      if (name.rfind(prefix, 0) == 0 &&
          without.count(name.substr(std::string(prefix).size())))
        baseline = without.at(name.substr(std::string(prefix).size()));
    pairs.emplace_back(i, baseline);
  }
  return pairs;
}

// Ratios of final validation losses per seed.
std::vector<SweepRelative> relativesOf(const RunOutcome &run) {
  const size_t M = run.models.size(), S = run.seeds.size();
  std::vector<SweepRelative> out;
  for (auto [m, b] : cerebellumPairs(run.models)) {
    std::vector<double> ratios;
    for (size_t s = 0; s < S; ++s) {
      const RunOutcome::Pair &rm = run.pairs[s * M + m],
                             &rb = run.pairs[s * M + b];
      if (rm.finished && rb.finished && std::isfinite(rm.finalValLoss) &&
          std::isfinite(rb.finalValLoss) && rb.finalValLoss > 0)
        ratios.push_back(rm.finalValLoss / rb.finalValLoss);
    }
    out.push_back({run.models[m].name, run.models[b].name,
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

Sweep Sweep::read(const std::string &dir, const std::string &what) {
  json j;
  try {
    j = json::parse(readWholeFile((fs::path(dir) / "sweep.json").string()));
  } catch (const std::exception &e) {
    throw InputError(what + ": sweep.json: " + e.what());
  }
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

void Sweep::gather(const SweepHooks &hooks, const std::string &status) {
  std::vector<RunOutcome> runs;
  npz::Array scores;
  std::vector<int64_t> pointShape;
  summaries_.clear();
  relatives_.clear();
  for (SweepPoint &p : points_) {
    const fs::path path(pointPath(p));
    RunOutcome run = readRunOutcome(path.string(), "grid point " + p.dir);
    p.status = run.status;
    p.error = run.error;
    npz::Array a = npz::readNpy((path / "scores.npy").string());
    if (pointShape.empty())
      pointShape = a.shape;
    if (a.shape != pointShape)
      throw std::runtime_error("grid point " + p.dir +
                               ": scores.npy has another shape than the "
                               "first grid point's");
    scores.data.insert(scores.data.end(), a.data.begin(), a.data.end());
    summaries_.push_back(run.summaries);
    relatives_.push_back(relativesOf(run));
    runs.push_back(std::move(run));
  }
  scores.shape = {int64_t(points_.size())};
  scores.shape.insert(scores.shape.end(), pointShape.begin(),
                      pointShape.end());
  npz::writeNpy((fs::path(dir_) / "scores.npy").string(), scores);

  const RunOutcome &first = runs.front();
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
  j["task"] = first.task;
  j["seeds"] = first.seeds;
  j["models"] = json::array();
  for (const RunOutcome::Model &m : first.models)
    j["models"].push_back(
        {{"name", m.name}, {"has_cerebellum", m.hasCerebellum}});
  j["metrics"] = first.metrics;
  j["test_metrics"] = first.testMetrics;
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
                           {"summary", summaryJson(runs[i].summaries)},
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
