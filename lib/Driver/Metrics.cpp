//===- Metrics.cpp - Evaluation metrics and statistics ----------*- C++ -*-===//

#include "ccrnn/Driver/Metrics.h"

#include "ccrnn/Driver/Error.h"

#include <cmath>
#include <limits>

namespace ccrnn::driver {

InputError::~InputError() = default;
DivergedError::~DivergedError() = default;

double mean(const std::vector<double> &values) {
  if (values.empty())
    return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (double v : values)
    sum += v;
  return sum / double(values.size());
}

double sem(const std::vector<double> &values) {
  if (values.empty())
    return std::numeric_limits<double>::quiet_NaN();
  if (values.size() == 1)
    return 0;
  double m = mean(values), ss = 0;
  for (double v : values)
    ss += (v - m) * (v - m);
  double n = double(values.size());
  return std::sqrt(ss / (n - 1)) / std::sqrt(n);
}

double sumSquaredDistance(const float *pred, const float *target,
                          int64_t points, int64_t dim) {
  double sum = 0;
  for (int64_t i = 0; i < points * dim; ++i) {
    double d = double(pred[i]) - double(target[i]);
    sum += d * d;
  }
  return sum;
}

double dysmetria(const float *y, int64_t steps, int64_t dim) {
  if (steps < 3)
    return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (int64_t t = 1; t + 1 < steps; ++t)
    for (int64_t k = 0; k < dim; ++k) {
      double a = double(y[(t + 1) * dim + k]) - 2 * double(y[t * dim + k]) +
                 double(y[(t - 1) * dim + k]);
      sum += a * a;
    }
  return sum / double(steps - 2);
}

} // namespace ccrnn::driver
