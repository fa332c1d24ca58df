//===- Feedback.h - Comparing predicted with true feedback ------*- C++ -*-===//
//
// The measures of SPEC §4's feedback analysis (record_grads): how well the
// cerebellum's synthetic gradient and its teaching signal point where the
// true full-BPTT gradient points, and what the cerebellum's hidden layer
// does while it learns (population correlation and sparsity, as in the
// papers' analysis of cerebellar activity).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_FEEDBACK_H
#define CCRNN_DRIVER_FEEDBACK_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// The mean over `vectors` pairs of `dim`-vectors (rows of `a` and `b`) of
/// their cosine similarity; a pair with a zero vector counts as 0 (no
/// direction: e.g. a fresh synthesizer's zero output). NaN for no vectors.
double meanCosine(const float *a, const float *b, int64_t vectors,
                  int64_t dim);

/// Hidden-layer activity [samples, units] of the synthesizer.
struct ActivityStats {
  /// The mean over pairs of units of the Pearson correlation of their
  /// activity across samples; units that never vary are left out. NaN with
  /// fewer than two varying units.
  double populationCorrelation;
  /// The fraction of (sample, unit) activations that are zero (silent
  /// ReLU units).
  double sparsity;
  /// The fraction of units active (> 0) for at least one sample.
  double activeUnits;
};
ActivityStats activityStats(const float *activity, int64_t samples,
                            int64_t units);

/// The feedback recorded for one (seed, model) pair (--record-grads): per
/// recorded epoch, each array's [boundaries, layers, kept sequences,
/// width] values (the feedback_seed<S>_<model>.npz file).
struct FeedbackLog {
  static constexpr const char *kNames[5] = {
      "state", "synthetic", "target_grad", "true_grad", "activity"};
  std::vector<int64_t> epochs;
  std::array<std::vector<float>, 5> arrays;
};

/// The measures of one recorded batch of a feedback file.
struct FeedbackRecord {
  int64_t epoch;
  double cosineSynthetic; ///< meanCosine(synthetic, true gradient)
  double cosineTarget;    ///< meanCosine(target gradient, true gradient)
  ActivityStats activity; ///< NaN when the file has no activity
};

/// Reads a feedback file (feedback_seed<S>_<model>.npz, --record-grads) and
/// measures each recorded batch: what `ccrnn-analyze feedback` prints. The
/// file's shapes are not trusted: InputError naming the file when it cannot
/// be read, lacks an array, or its arrays do not fit together (ranks,
/// shapes, an empty axis, record counts, an epoch that is not one).
std::vector<FeedbackRecord> analyzeFeedbackFile(const std::string &file);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_FEEDBACK_H
