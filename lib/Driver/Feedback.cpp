//===- Feedback.cpp - Comparing predicted with true feedback ----*- C++ -*-===//

#include "ccrnn/Driver/Feedback.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Runtime/Npz.h"

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

namespace {

const npz::Array &member(const npz::Archive &a, const std::string &file,
                         const std::string &name, size_t rank) {
  auto it = a.find(name);
  if (it == a.end())
    throw InputError(file + ": no array '" + name +
                     "' (not a feedback file of ccrnn-train --record-grads?)");
  if (it->second.shape.size() != rank)
    throw InputError(file + ": '" + name + "' has rank " +
                     std::to_string(it->second.shape.size()) + ", expected " +
                     std::to_string(rank));
  return it->second;
}

std::vector<float> slice(const npz::Array &a, int64_t record) {
  int64_t n = a.numElements() / a.shape[0];
  return {a.data.begin() + record * n, a.data.begin() + (record + 1) * n};
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

} // namespace

std::vector<FeedbackRecord> analyzeFeedbackFile(const std::string &file) {
  npz::Archive a;
  try {
    a = npz::readNpz(file);
  } catch (const npz::Error &e) {
    throw InputError(e.what());
  }
  const npz::Array &epoch = member(a, file, "epoch", 1);
  const npz::Array &synthetic = member(a, file, "synthetic", 5);
  const npz::Array &target = member(a, file, "target_grad", 5);
  const npz::Array &truth = member(a, file, "true_grad", 5);
  int64_t records = epoch.shape[0], dim = synthetic.shape[4];
  for (const npz::Array *x : {&synthetic, &target, &truth})
    if (x->shape != synthetic.shape || x->shape[0] != records)
      throw InputError(file + ": the gradient arrays disagree in shape");
  // The shapes are the file's, not to be trusted: every axis the measures
  // divide by or index with is checked first.
  auto nonEmpty = [&](const npz::Array &x, const char *name) {
    for (int64_t n : x.shape)
      if (n < 1)
        throw InputError(file + ": '" + name + "' has an empty axis (shape " +
                         shapeText(x.shape) + ")");
  };
  nonEmpty(synthetic, "synthetic");
  for (double e : epoch.data)
    if (!(e >= 0 && e <= 1e9 && e == std::floor(e)))
      throw InputError(file + ": 'epoch' holds " + std::to_string(e) +
                       ", not an epoch");
  const npz::Array *activity = nullptr;
  if (a.count("activity")) {
    activity = &member(a, file, "activity", 5);
    nonEmpty(*activity, "activity");
    if (activity->shape[0] != records)
      throw InputError(file + ": 'activity' has " +
                       std::to_string(activity->shape[0]) +
                       " records, the gradients " + std::to_string(records));
  }

  std::vector<FeedbackRecord> out;
  for (int64_t r = 0; r < records; ++r) {
    std::vector<float> s = slice(synthetic, r), g = slice(target, r),
                       t = slice(truth, r);
    int64_t vectors = int64_t(s.size()) / dim;
    FeedbackRecord rec{int64_t(epoch.data[r]),
                       meanCosine(s.data(), t.data(), vectors, dim),
                       meanCosine(g.data(), t.data(), vectors, dim),
                       {std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::quiet_NaN()}};
    if (activity) {
      std::vector<float> act = slice(*activity, r);
      int64_t units = activity->shape[4];
      rec.activity =
          activityStats(act.data(), int64_t(act.size()) / units, units);
    }
    out.push_back(rec);
  }
  return out;
}

} // namespace ccrnn::driver
