//===- RunResults.h - What a run has measured -------------------*- C++ -*-===//
//
// The results of a run of S seeds x M models x E epochs as typed tables,
// per (seed, model) pair in C order: the scores and timings of every epoch,
// the progress of each pair, its test metrics and the mean trajectories of
// the task's classes. One table of fields (`fields`) stores them in
// resume.npz and reads them back, so that none is saved and forgotten.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_RUNRESULTS_H
#define CCRNN_DRIVER_RUNRESULTS_H

#include "ccrnn/Runtime/Npz.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// Per model, over the seeds that finished: the final validation loss and
/// the test metrics.
struct ModelSummary {
  std::string model;
  int64_t seeds = 0;
  double valMean, valSem, testMean, testSem;
  double dysmetriaMean, dysmetriaSem; ///< test_dysmetria (SPEC §4)
  /// Classifiers: the test accuracy; NaN for the drawing tasks.
  double testAccMean = std::numeric_limits<double>::quiet_NaN(),
         testAccSem = std::numeric_limits<double>::quiet_NaN();
};

struct RunResults {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  /// Empty tables (NaN scores, nothing done) of S seeds, M models, E
  /// epochs, the named metrics, and C class trajectories of Lt points.
  RunResults(size_t S, size_t M, int64_t E, std::vector<std::string> metrics,
             int64_t C, int64_t Lt);

  size_t S, M;
  int64_t E;
  std::vector<std::string> metrics;
  int64_t C, Lt;

  std::vector<double> scores;       ///< [S][M][metric][E]
  std::vector<double> epochSeconds; ///< [S][M][E]
  std::vector<double> dataSeconds, computeSeconds; ///< [S][M][E]
  std::vector<double> epochLr;                     ///< [S][M][E]
  std::vector<int64_t> epochsDone, finished, bestEpoch; ///< [S][M]
  std::vector<double> bestVal, testLoss, testDysmetria, testAccuracy,
      trainSeconds;                 ///< [S][M]
  std::vector<double> trajectories; ///< [S][M][C][Lt][2]

  size_t pair(size_t s, size_t m) const { return s * M + m; }
  double &score(size_t k, size_t metric, int64_t e) {
    return scores[(k * metrics.size() + metric) * E + e];
  }
  double score(size_t k, size_t metric, int64_t e) const {
    return scores[(k * metrics.size() + metric) * E + e];
  }
  /// The validation loss of pair k's last trained epoch (NaN before one).
  double finalValLoss(size_t k) const;
  int64_t totalEpochsDone() const;
  /// Whether pair k stopped before its last epoch (--early-stopping).
  bool stoppedEarly(size_t k) const { return finished[k] && epochsDone[k] < E; }
  bool anyFinished() const;
  /// Mean over the seeds that finished of each class's mean trajectory of
  /// model m ([C][Lt * 2]).
  std::vector<std::vector<double>> meanLines(size_t m) const;

  /// Per model (named `models`), over the seeds that finished; the test
  /// accuracy with `classifies`.
  std::vector<ModelSummary> summarize(const std::vector<std::string> &models,
                                      bool classifies) const;

  /// Adds every table to `archive` (float64, or int64 for counts).
  void write(npz::Archive &archive) const;
  /// The array of a name, with the shape asked for (or throws).
  using ArrayGetter = std::function<const npz::Array &(
      const std::string &, const std::vector<int64_t> &)>;
  /// Reads every table written by `write` back.
  void read(const ArrayGetter &get);
  /// Checks the values read back (`read`) that the run indexes with or
  /// counts on: epochs done in [0, E], finished 0 or 1, the best epoch in
  /// [0, epochs done]. InputError starting with `what` (the file)
  /// otherwise: a damaged or edited file must not index out of the tables.
  void checkValues(const std::string &what) const;
  /// Pair k's rows of every table from `from` (of the same dimensions).
  void copyPair(const RunResults &from, size_t k);
};

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_RUNRESULTS_H
