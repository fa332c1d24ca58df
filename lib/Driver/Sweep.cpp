//===- Sweep.cpp - Grids of runs from list-valued flags ---------*- C++ -*-===//
//
// The grid, its values, and running and resuming its points; the sweep's
// files are SweepFiles.cpp's.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Sweep.h"

#include "RunMeta.h"
#include "ccrnn/Driver/Error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>

namespace fs = std::filesystem;

namespace ccrnn::driver {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// "bptt=3,lr=0.001"
std::string pointName(const std::vector<SweepAxis> &axes,
                      const std::vector<double> &values) {
  std::string name;
  for (size_t a = 0; a < axes.size(); ++a)
    name += (a ? "," : "") + axes[a].name + "=" + formatValue(values[a]);
  return name;
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

Sweep Sweep::open(const std::string &dir) {
  const std::string what = "--resume " + dir;
  Sweep sweep = read(dir, what);
  std::string diverged;
  for (SweepPoint &p : sweep.points_) {
    const std::string path = sweep.pointPath(p);
    p.status = readRunOutcome(path, what + ": grid point " + p.dir).status;
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
    const std::string status =
        readRunOutcome(sweep.pointPath(p), "grid point " + p.dir).status;
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

} // namespace ccrnn::driver
