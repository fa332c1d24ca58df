//===- RunPlots.cpp - A run's plots -----------------------------*- C++ -*-===//

#include "RunPlots.h"

#include "System.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/Plots.h"

namespace ccrnn::driver {

std::vector<std::string> plotRun(const std::string &gnuplot,
                                 const RunStore &store, const RunResults &r,
                                 const std::vector<std::string> &names,
                                 const Task &task) {
  std::vector<std::string> warnings;
  if (gnuplot.empty() || r.totalEpochsDone() == 0)
    return warnings;
  std::vector<std::vector<Curve>> curves(r.metrics.size());
  for (size_t k = 0; k < r.metrics.size(); ++k)
    for (size_t m = 0; m < r.M; ++m) {
      Curve c;
      for (int64_t e = 0; e < r.E; ++e) {
        std::vector<double> v;
        for (size_t s = 0; s < r.S; ++s)
          if (r.epochsDone[r.pair(s, m)] > e)
            v.push_back(r.score(r.pair(s, m), k, e));
        c.mean.push_back(mean(v));
        c.sem.push_back(sem(v));
      }
      curves[k].push_back(std::move(c));
    }
  std::string w = plotCurves(gnuplot, store.path("curves.png"), r.metrics,
                             names, curves);
  if (!w.empty()) {
    warnings.push_back(w);
    // A missing gnuplot is said once.
    if (findProgram(gnuplot).empty())
      return warnings;
  }
  if (!r.C || !r.anyFinished())
    return warnings;
  std::vector<std::vector<std::vector<double>>> lines;
  for (size_t m = 0; m < r.M; ++m)
    lines.push_back(r.meanLines(m));
  const TrajectoryPlot layout = task.trajectoryPlot();
  std::vector<std::string> labels;
  for (int k : task.classLabels())
    labels.push_back(layout.labelPrefix + std::to_string(k));
  std::vector<std::vector<double>> targets;
  for (const auto &t : task.classTargets())
    targets.emplace_back(t.begin(), t.end());
  w = plotLines(gnuplot, store.path("lines.png"), names, labels, lines,
                targets, layout.box);
  if (!w.empty())
    warnings.push_back(w);
  return warnings;
}

} // namespace ccrnn::driver
