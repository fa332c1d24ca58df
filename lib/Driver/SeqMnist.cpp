//===- SeqMnist.cpp - The sequential-MNIST tasks (SPEC §5) ------*- C++ -*-===//

#include "ccrnn/Driver/SeqMnist.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <sstream>

namespace ccrnn::driver {

int64_t seqMnistSteps(int64_t inputSize) {
  if (inputSize < 1 || kMnistPixels % inputSize != 0)
    throw InputError("--input-size must divide 784 (the pixels of an image), "
                     "got " +
                     std::to_string(inputSize));
  return kMnistPixels / inputSize;
}

std::vector<int> parseNumbers(const std::string &spec) {
  std::vector<int> digits;
  if (spec.empty()) {
    for (int d = 0; d < kMnistClasses; ++d)
      digits.push_back(d);
    return digits;
  }
  std::stringstream s(spec);
  std::string item;
  while (std::getline(s, item, ',')) {
    if (item.size() != 1 || item[0] < '0' || item[0] > '9')
      throw InputError("--numbers: '" + item +
                       "' is not a digit 0..9 (e.g. --numbers 0,1,2)");
    int d = item[0] - '0';
    if (std::find(digits.begin(), digits.end(), d) != digits.end())
      throw InputError("--numbers: digit " + item + " appears twice");
    digits.push_back(d);
  }
  if (digits.empty() || spec.back() == ',')
    throw InputError("--numbers: '" + spec + "' is not a list of digits");
  std::sort(digits.begin(), digits.end());
  return digits;
}

std::array<double, 2> seqMnistLineEndpoint(int digit) {
  assert(digit >= 0 && digit < kMnistClasses);
  double theta = 36.0 * digit * M_PI / 180.0;
  return {10 * std::sin(theta), 10 * std::cos(theta)};
}

std::vector<std::array<double, 2>> freeMagnitudeEndpoints(uint64_t seed) {
  std::vector<int> cells(16);
  for (int i = 0; i < 16; ++i)
    cells[i] = i;
  Rng rng(seed, "seqmnist.free_magnitude");
  std::vector<std::array<double, 2>> ends;
  for (int d = 0; d < kMnistClasses; ++d) {
    int j = d + int(rng.below(uint64_t(16 - d)));
    std::swap(cells[d], cells[j]);
    int c = cells[d];
    ends.push_back({10.0 * (c / 4) / 3.0, 10.0 * (c % 4) / 3.0});
  }
  return ends;
}

std::vector<float> straightLine(std::array<double, 2> end, int64_t steps) {
  std::vector<float> line(steps * 2);
  for (int64_t t = 0; t < steps; ++t) {
    double f = steps > 1 ? double(t) / double(steps - 1) : 1.0;
    line[2 * t] = float(end[0] * f);
    line[2 * t + 1] = float(end[1] * f);
  }
  return line;
}

std::vector<std::array<double, 2>> digitWaypoints(int digit) {
  static const std::vector<std::vector<double>> xs = {
      {0, 0, 0, .5, 1, 1, 1, .5, 0},
      {.25, .5, .5, .5},
      {0, .5, 1, .5, 0, .5, 1},
      {0, .5, 1, 1, .5, 1, 1, .5, 0},
      {0, 0, .5, 1, .5, .5, .5, .5},
      {0, .5, 1, .5, 0, 0, .5, 1, 1, .5, 0},
      {0, 0, 0, .5, 1, 1, .5, 0},
      {0, .5, 1, .5, 0},
      {0, .5, 1, .5, 0, .5, 1, .5, 0},
      {0, 0, .5, 1, 1, .5, 0, .5, 1, 1, 1}};
  static const std::vector<std::vector<double>> ys = {
      {1, .5, 0, 0, 0, .5, 1, 1, 1},
      {.75, 1, .5, 0},
      {1, 1, 1, .5, 0, 0, 0},
      {1, 1, 1, .5, .5, .5, 0, 0, 0},
      {1, .5, .5, .5, .5, 1, .5, 0},
      {1, 1, 1, 1, 1, .5, .5, .5, 0, 0, 0},
      {1, .5, 0, 0, 0, .5, .5, .5},
      {1, 1, 1, .5, 0},
      {1, .5, 0, 0, 0, .5, 1, 1, 1},
      {1, .5, .5, .5, 1, 1, 1, 1, 1, .5, 0}};
  assert(digit >= 0 && digit < kMnistClasses);
  std::vector<std::array<double, 2>> w;
  for (size_t i = 0; i < xs[digit].size(); ++i)
    w.push_back({xs[digit][i], ys[digit][i]});
  return w;
}

std::vector<float>
resamplePolyline(const std::vector<std::array<double, 2>> &w, int64_t steps) {
  const int64_t m = int64_t(w.size()) - 1;
  assert(m >= 1 && steps >= m);
  std::vector<int64_t> counts(m, steps / m);
  int64_t r = steps % m;
  if (r > 0)
    for (int64_t j = 0; j < r - 1; ++j)
      ++counts[j];
  else
    --counts[m - 1];
  std::vector<float> out;
  for (int64_t j = 0; j < m; ++j)
    for (int64_t i = 0; i < counts[j]; ++i) {
      double f = double(i) / double(counts[j]);
      out.push_back(float(w[j][0] + (w[j + 1][0] - w[j][0]) * f));
      out.push_back(float(w[j][1] + (w[j + 1][1] - w[j][1]) * f));
    }
  out.push_back(float(w[m][0]));
  out.push_back(float(w[m][1]));
  assert(int64_t(out.size()) == 2 * steps);
  return out;
}

std::vector<float>
seqMnistTarget(const std::string &task, int digit, int64_t steps,
               const std::vector<std::array<double, 2>> &freeEndpoints) {
  if (task == "seqmnist-digits")
    return resamplePolyline(digitWaypoints(digit), steps);
  return straightLine(freeEndpoints.empty() ? seqMnistLineEndpoint(digit)
                                            : freeEndpoints[digit],
                      steps);
}

Dataset makeSeqMnist(const std::vector<uint8_t> &pixels,
                     const std::vector<uint8_t> &labels,
                     const std::vector<int64_t> &indices, int64_t inputSize,
                     const std::vector<std::vector<float>> &targets) {
  Dataset d;
  d.size = int64_t(indices.size());
  d.steps = seqMnistSteps(inputSize);
  d.inputSize = inputSize;
  d.targetSize = targets.empty() ? 0 : d.steps * 2;
  d.pixels.resize(d.size * kMnistPixels);
  d.targets.resize(d.size * d.targetSize);
  d.labels.resize(d.size);
  for (int64_t i = 0; i < d.size; ++i) {
    int64_t n = indices[i];
    std::copy_n(pixels.begin() + n * kMnistPixels, kMnistPixels,
                d.pixels.begin() + i * kMnistPixels);
    int c = labels[n];
    d.labels[i] = c;
    if (!targets.empty())
      std::copy(targets[c].begin(), targets[c].end(),
                d.targets.begin() + i * d.targetSize);
  }
  return d;
}

} // namespace ccrnn::driver
