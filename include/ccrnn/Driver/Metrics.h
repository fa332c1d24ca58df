//===- Metrics.h - Evaluation metrics and statistics over seeds -*- C++ -*-===//

#ifndef CCRNN_DRIVER_METRICS_H
#define CCRNN_DRIVER_METRICS_H

#include <cstdint>
#include <vector>

namespace ccrnn::driver {

/// The arithmetic mean; NaN for no values.
double mean(const std::vector<double> &values);
/// The standard error of the mean: the sample standard deviation (n - 1 in
/// the denominator, as scipy.stats.sem) over sqrt(n); 0 for a single value
/// (one seed has no spread to show), NaN for none.
double sem(const std::vector<double> &values);

/// Sum over the `points` points of `dim` coordinates of the squared
/// Euclidean distance ||pred - target||^2 (SPEC §3's evaluation metric,
/// before dividing by the number of points).
double sumSquaredDistance(const float *pred, const float *target,
                          int64_t points, int64_t dim);

/// Dysmetria of one trajectory [steps, dim] (SPEC §4):
/// sum_t ||y_{t+1} - 2 y_t + y_{t-1}||^2 / (steps - 2); NaN when steps < 3.
double dysmetria(const float *trajectory, int64_t steps, int64_t dim);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_METRICS_H
