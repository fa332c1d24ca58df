//===- Plots.h - PNG plots of a run (gnuplot) -------------------*- C++ -*-===//
//
// gnuplot runs as an external program with the pngcairo terminal; the PNG
// is written to "<name>.tmp" and renamed. A missing or failing gnuplot is
// not an error of the run: the functions return a warning instead.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_PLOTS_H
#define CCRNN_DRIVER_PLOTS_H

#include <array>
#include <limits>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// One curve: mean and SEM per epoch (NaN where there is no value).
struct Curve {
  std::vector<double> mean, sem;
};

/// Learning curves, one panel per metric (`metrics`), one curve per model
/// with its mean +- SEM band; log-scale y, but [0, 1] for accuracies and
/// uncertainties. curves[metric][model].
/// Returns "" or a warning.
std::string plotCurves(const std::string &gnuplot, const std::string &png,
                       const std::vector<std::string> &metrics,
                       const std::vector<std::string> &models,
                       const std::vector<std::vector<Curve>> &curves);

/// Drawn lines: one panel per model with the mean predicted line of each
/// class next to the targets (dashed). lines[model][class] and
/// targets[class] hold points x0 y0 x1 y1 ...; `labels[class]` names them.
/// `box`: the x and y ranges (xmin, xmax, ymin, ymax).
std::string
plotLines(const std::string &gnuplot, const std::string &png,
          const std::vector<std::string> &models,
          const std::vector<std::string> &labels,
          const std::vector<std::vector<std::vector<double>>> &lines,
          const std::vector<std::vector<double>> &targets,
          std::array<double, 4> box = {-12, 12, -12, 12});

/// One series of a sweep plot: mean +- SEM at each x.
struct Series {
  std::string title;
  std::vector<double> x, mean, sem;
};

/// A sweep's final performance against a swept value (sweep.png).
struct SweepPlot {
  std::string title, xLabel, yLabel;
  bool logX = false, logY = false;
  std::vector<double> xTics; ///< the swept values; empty: gnuplot's
  /// A dashed horizontal line at this y (e.g. 1 for a ratio); NaN: none.
  double referenceY = std::numeric_limits<double>::quiet_NaN();
  std::vector<Series> series;
};

/// One panel: each series as points joined by lines with SEM error bars.
/// Returns "" or a warning.
std::string plotSweep(const std::string &gnuplot, const std::string &png,
                      const SweepPlot &plot);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_PLOTS_H
