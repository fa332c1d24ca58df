//===- Feedback.cpp - Comparing predicted with true feedback ----*- C++ -*-===//

#include "ccrnn/Driver/Feedback.h"

#include <cmath>
#include <limits>
#include <vector>

namespace ccrnn::driver {

double meanCosine(const float *a, const float *b, int64_t vectors,
                  int64_t dim) {
  if (vectors <= 0)
    return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (int64_t v = 0; v < vectors; ++v) {
    double ab = 0, aa = 0, bb = 0;
    for (int64_t i = 0; i < dim; ++i) {
      double x = a[v * dim + i], y = b[v * dim + i];
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    if (aa > 0 && bb > 0)
      sum += ab / std::sqrt(aa * bb);
  }
  return sum / double(vectors);
}

ActivityStats activityStats(const float *activity, int64_t samples,
                            int64_t units) {
  ActivityStats stats{std::numeric_limits<double>::quiet_NaN(), 0, 0};
  if (samples <= 0 || units <= 0)
    return {stats.populationCorrelation,
            std::numeric_limits<double>::quiet_NaN(),
            std::numeric_limits<double>::quiet_NaN()};
  // Centred columns of the units that vary.
  std::vector<std::vector<double>> centred;
  int64_t zeros = 0, active = 0;
  for (int64_t u = 0; u < units; ++u) {
    double mean = 0;
    bool any = false;
    for (int64_t s = 0; s < samples; ++s) {
      double x = activity[s * units + u];
      mean += x;
      zeros += x == 0;
      any |= x > 0;
    }
    active += any;
    mean /= double(samples);
    std::vector<double> column(samples);
    double norm = 0;
    for (int64_t s = 0; s < samples; ++s) {
      column[s] = activity[s * units + u] - mean;
      norm += column[s] * column[s];
    }
    if (norm > 0) {
      for (double &x : column)
        x /= std::sqrt(norm);
      centred.push_back(std::move(column));
    }
  }
  stats.sparsity = double(zeros) / double(samples * units);
  stats.activeUnits = double(active) / double(units);
  size_t n = centred.size();
  if (n >= 2) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = i + 1; j < n; ++j) {
        double r = 0;
        for (int64_t s = 0; s < samples; ++s)
          r += centred[i][s] * centred[j][s];
        sum += r;
      }
    stats.populationCorrelation = sum / (double(n) * double(n - 1) / 2);
  }
  return stats;
}

} // namespace ccrnn::driver
