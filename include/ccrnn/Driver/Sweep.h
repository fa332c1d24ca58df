//===- Sweep.h - Grids of runs from list-valued flags -----------*- C++ -*-===//
//
// `--bptt 1,2,3,5,7,28` (and lists of --interval and --lr) runs the grid of
// every combination in one invocation: each grid point is an ordinary run
// (Experiment.h) in <out>/<point>/, named by its values ("bptt=3",
// "bptt=3,lr=0.001"), and the sweep gathers them at <out>:
//   scores.npy  float64 (points, seeds, models, metrics, epochs): the
//               points' scores.npy stacked along a leading axis
//   sweep.json  the axes and their values; per point its directory, values,
//               status, per model the final validation loss and the test
//               metrics (mean and SEM over seeds) and, for each model with
//               a cerebellum, its final validation loss relative to a model
//               without one
//   sweep.png   final performance against a swept value (gnuplot): with a
//               --bptt axis and a model with and one without a cerebellum,
//               the ratio of their final validation losses against the
//               horizon; otherwise each model's final validation loss
// Every point is prepared (its directory and a pending run written) before
// the first one trains, so `--resume <out>` resumes each point that is not
// done exactly as --resume of a single run does, and skips the others.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_SWEEP_H
#define CCRNN_DRIVER_SWEEP_H

#include "ccrnn/Driver/Experiment.h"

#include <functional>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// A swept setting and its values, in the order given.
struct SweepAxis {
  std::string name; ///< "bptt", "interval" or "lr"
  std::vector<double> values;
};

/// The items of a comma-separated list flag, over all its occurrences
/// (e.g. "--bptt" with {"1,2", "3"}: 1, 2, 3). InputError naming the flag
/// for an empty item ("1,,2", "1,").
std::vector<std::string> splitFlagList(const std::string &flag,
                                       const std::vector<std::string> &given);

/// The values of a list-valued flag (e.g. "--bptt" with {"1,2"}), split
/// by splitFlagList: integers, or numbers when `integer` is false.
/// InputError naming the flag for a value that is not one, or one given
/// twice.
std::vector<double> parseFlagList(const std::string &flag,
                                  const std::vector<std::string> &items,
                                  bool integer);

/// Sets the setting of axis `name` ("bptt", "interval" or "lr") in `c`.
void setSweepValue(TrainConfig &c, const std::string &name, double value);

/// A value as it appears in directory names and sweep.json: integers
/// without a decimal point, numbers in their shortest round-trip form.
std::string formatValue(double value);

/// One grid point: its run's settings and where it is.
struct SweepPoint {
  std::string dir;            ///< relative to the sweep: "bptt=3,lr=0.001"
  std::vector<double> values; ///< one per axis
  TrainConfig config;
  /// The models; their trainers (ModelEntry::api) are loaded by the caller
  /// before run() for each point that is not done.
  std::vector<ModelEntry> models;
  std::string status = "pending"; ///< its run's status in meta.json
  std::string error;              ///< its run's error, when diverged
  bool done() const { return status == "complete" || status == "diverged"; }
};

/// A model with a cerebellum against one without at one grid point: the
/// ratio of their final validation losses per seed, its mean and SEM over
/// the seeds where both finished (below 1: the ccRNN ended lower). The
/// baseline of `dni_X` (or `cdni_X`) is `X` when it is a model without a
/// cerebellum, else the first model without one.
struct SweepRelative {
  std::string model, baseline;
  int64_t seeds = 0;
  double mean = 0, sem = 0;
};

/// What a sweep tells its caller; the runs of the points get `run` (its
/// stop flag also keeps the next point from starting).
struct SweepHooks {
  RunHooks run;
  /// Before a point trains (or resumes): its index and settings.
  std::function<void(size_t index, const SweepPoint &)> onPointStart;
};

class Sweep {
public:
  /// A new sweep of `base` over `axes` (the grid: every combination, the
  /// last axis fastest) into `dir`, with `models` (trainers not loaded) at
  /// every point. InputError when a point's settings are invalid.
  Sweep(std::vector<SweepAxis> axes, const TrainConfig &base,
        const std::vector<ModelEntry> &models, std::string dir,
        std::vector<std::string> commandLine);

  /// The sweep saved in `dir`, for --resume: the points not done come with
  /// the settings and models of their runs (readSavedRun). InputError when
  /// `dir` holds no sweep or nothing is left to do.
  static Sweep open(const std::string &dir);

  /// Whether `dir` holds a sweep (a sweep.json).
  static bool isSweep(const std::string &dir);

  /// After the run in `runDir` trained on its own (--resume of one grid
  /// point): when its parent directory holds a sweep that lists it, that
  /// sweep's files are gathered again, with the status its points now
  /// have. Returns the sweep's directory, "" when there was none.
  static std::string updateContaining(const std::string &runDir,
                                      const SweepHooks &hooks);

  const std::vector<SweepAxis> &axes() const { return axes_; }
  std::vector<SweepPoint> &points() { return points_; }
  const std::vector<SweepPoint> &points() const { return points_; }
  const std::string &dir() const { return dir_; }
  const std::vector<std::string> &commandLine() const { return commandLine_; }

  /// Writes every point's pending run and the sweep's files (a new sweep).
  void prepare(const SweepHooks &hooks);

  /// Trains the points that are not done, in order, and gathers the
  /// results after each. A point that diverges does not stop the others;
  /// DivergedError at the end names it.
  RunStatus run(const SweepHooks &hooks);

  /// Per point: the summary of its run's models (as in its meta.json) and
  /// the relative performance of its models with a cerebellum; up to date
  /// after prepare() and run().
  const std::vector<std::vector<ModelSummary>> &summaries() const {
    return summaries_;
  }
  const std::vector<std::vector<SweepRelative>> &relatives() const {
    return relatives_;
  }

  /// The axes, points (with their directories; settings and models not
  /// read) and command line of the sweep saved in `dir`; `what` starts
  /// the messages.
  static Sweep read(const std::string &dir, const std::string &what);
  std::string pointPath(const SweepPoint &p) const;
  /// Reads every point's results, writes scores.npy, sweep.json (with
  /// `status`) and sweep.png.
  void gather(const SweepHooks &hooks, const std::string &status);

private:
  Sweep() = default;

  std::vector<SweepAxis> axes_;
  std::vector<SweepPoint> points_;
  std::string dir_;
  std::vector<std::string> commandLine_;
  std::vector<std::vector<ModelSummary>> summaries_;
  std::vector<std::vector<SweepRelative>> relatives_;
};

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_SWEEP_H
