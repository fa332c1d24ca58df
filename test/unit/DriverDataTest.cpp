//===- DriverDataTest.cpp - Random streams, linedraw data, metrics -------===//
//
// The line-drawing data against SPEC §5 written out by hand; the random
// streams' reproducibility and independence; SEM and the evaluation metrics.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/LineDraw.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/Rng.h"

#include "gtest/gtest.h"

#include <cmath>
#include <set>

using namespace ccrnn::driver;

namespace {

TEST(DriverRng, SameStreamSameNumbers) {
  Rng a(7, "linedraw.train.class", 3), b(7, "linedraw.train.class", 3);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(a.uniform(), b.uniform());
}

TEST(DriverRng, StreamsDiffer) {
  // Other seed, other name, other index: other numbers.
  double base = Rng(7, "s", 0).uniform();
  EXPECT_NE(base, Rng(8, "s", 0).uniform());
  EXPECT_NE(base, Rng(7, "t", 0).uniform());
  EXPECT_NE(base, Rng(7, "s", 1).uniform());
}

TEST(DriverRng, Ranges) {
  Rng r(1, "ranges");
  std::set<uint64_t> seen;
  double sum = 0, sumSq = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    double u = r.uniform(-2, 3);
    EXPECT_GE(u, -2);
    EXPECT_LT(u, 3);
    uint64_t k = r.below(7);
    EXPECT_LT(k, 7u);
    seen.insert(k);
    double z = r.normal();
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sumSq += z * z;
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_NEAR(sum / n, 0.0, 0.05);
  EXPECT_NEAR(sumSq / n, 1.0, 0.05);
}

TEST(DriverLineDraw, Endpoints) {
  // SPEC §5: 10 (sin t, cos t) with t = 0 for k = 3, 60 for 2, 120 for 1,
  // 180 for -1, 240 for -2, 300 for -3; the origin for k = 0.
  const double s = 10 * std::sqrt(3.0) / 2;
  const double expected[7][2] = {{-s, 5}, {-s, -5}, {0, -10}, {0, 0},
                                 {s, -5}, {s, 5},   {0, 10}};
  for (int k = -3; k <= 3; ++k) {
    auto e = lineDrawEndpoint(k);
    EXPECT_NEAR(e[0], expected[k + 3][0], 1e-12) << "k = " << k;
    EXPECT_NEAR(e[1], expected[k + 3][1], 1e-12) << "k = " << k;
  }
  EXPECT_EQ(lineDrawEndpoint(-1)[0], 0.0); // sin 180 exactly 0
}

TEST(DriverLineDraw, EvenlySpacedFromTheOrigin) {
  const int64_t L = 10;
  for (int k = -3; k <= 3; ++k) {
    auto line = lineDrawTarget(k, L);
    ASSERT_EQ(line.size(), size_t(2 * L));
    auto end = lineDrawEndpoint(k);
    EXPECT_EQ(line[0], 0.0f);
    EXPECT_EQ(line[1], 0.0f);
    EXPECT_FLOAT_EQ(line[2 * (L - 1)], float(end[0]));
    EXPECT_FLOAT_EQ(line[2 * (L - 1) + 1], float(end[1]));
    for (int64_t t = 0; t < L; ++t) {
      // Point t is t/9 of the way.
      EXPECT_NEAR(line[2 * t], end[0] * t / 9.0, 1e-5);
      EXPECT_NEAR(line[2 * t + 1], end[1] * t / 9.0, 1e-5);
    }
  }
}

TEST(DriverLineDraw, InputCodingWithoutNoise) {
  LineDrawParams p; // L = 10, no noise
  Dataset d = makeLineDraw(p, 500, 3, "linedraw.test", 0, false);
  ASSERT_EQ(d.size, 500);
  ASSERT_EQ(d.steps, 10);
  ASSERT_EQ(d.inputSize, 1);
  ASSERT_EQ(d.targetSize, 20);
  ASSERT_EQ(d.inputs.size(), 500u * 10);
  ASSERT_EQ(d.targets.size(), 500u * 20);
  std::set<int> classes;
  for (int64_t i = 0; i < d.size; ++i) {
    int c = d.labels[i];
    classes.insert(c);
    // 0.1 k at t = 0, exactly 0 afterwards.
    EXPECT_FLOAT_EQ(d.inputs[i * 10], float(0.1 * (c - 3)));
    for (int t = 1; t < 10; ++t)
      EXPECT_EQ(d.inputs[i * 10 + t], 0.0f);
    auto line = lineDrawTarget(c - 3, 10);
    for (int j = 0; j < 20; ++j)
      EXPECT_EQ(d.targets[i * 20 + j], line[j]);
  }
  EXPECT_EQ(classes.size(), 7u); // all classes drawn
  // Held as floats; readInputs copies a range of samples as they are.
  EXPECT_TRUE(d.pixels.empty());
  std::vector<float> in(3 * 10, -1.0f);
  d.readInputs(7, 3, in.data());
  EXPECT_EQ(in,
            std::vector<float>(d.inputs.begin() + 70, d.inputs.begin() + 100));
}

TEST(DriverLineDraw, NoiseOnlyAfterTheFirstStep) {
  LineDrawParams quiet, noisy;
  noisy.inputNoise = 0.5;
  Dataset a = makeLineDraw(quiet, 200, 9, "linedraw.val", 0, false);
  Dataset b = makeLineDraw(noisy, 200, 9, "linedraw.val", 0, false);
  // Same classes and targets whatever the noise (separate streams).
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.targets, b.targets);
  double sumSq = 0;
  int n = 0;
  for (int64_t i = 0; i < b.size; ++i) {
    EXPECT_EQ(b.inputs[i * 10], a.inputs[i * 10]); // t = 0 untouched
    for (int t = 1; t < 10; ++t) {
      sumSq += double(b.inputs[i * 10 + t]) * b.inputs[i * 10 + t];
      ++n;
    }
  }
  EXPECT_NEAR(std::sqrt(sumSq / n), 0.5, 0.05); // the standard deviation
}

TEST(DriverLineDraw, StreamsPerSetAndEpoch) {
  LineDrawParams p;
  auto labels = [&](const char *stream, uint64_t index) {
    return makeLineDraw(p, 100, 1, stream, index, false).labels;
  };
  EXPECT_EQ(labels("linedraw.train", 1), labels("linedraw.train", 1));
  EXPECT_NE(labels("linedraw.train", 1), labels("linedraw.train", 2));
  EXPECT_NE(labels("linedraw.train", 1), labels("linedraw.val", 1));
  EXPECT_NE(makeLineDraw(p, 100, 1, "linedraw.val", 0, false).labels,
            makeLineDraw(p, 100, 2, "linedraw.val", 0, false).labels);
}

TEST(DriverLineDraw, PredictLastTargetsAreEndpoints) {
  LineDrawParams p;
  p.seqLen = 6;
  Dataset d = makeLineDraw(p, 50, 4, "linedraw.train", 1, true);
  ASSERT_EQ(d.targetSize, 2);
  for (int64_t i = 0; i < d.size; ++i) {
    auto end = lineDrawEndpoint(d.labels[i] - 3);
    EXPECT_FLOAT_EQ(d.targets[2 * i], float(end[0]));
    EXPECT_FLOAT_EQ(d.targets[2 * i + 1], float(end[1]));
  }
}

TEST(DriverMetrics, MeanAndSem) {
  // Values 1, 2, 3, 6: mean 3, sample variance (4 + 1 + 0 + 9) / 3 = 14/3,
  // SEM sqrt(14/3) / 2.
  EXPECT_DOUBLE_EQ(mean({1, 2, 3, 6}), 3.0);
  EXPECT_DOUBLE_EQ(sem({1, 2, 3, 6}), std::sqrt(14.0 / 3) / 2);
  EXPECT_EQ(sem({5}), 0.0);
  EXPECT_TRUE(std::isnan(sem({})));
  EXPECT_TRUE(std::isnan(mean({})));
}

TEST(DriverMetrics, SquaredDistanceAndDysmetria) {
  const float pred[] = {0, 0, 1, 1, 3, 1};
  const float target[] = {0, 1, 1, 1, 0, 5};
  // Points: (0,0)-(0,1): 1; (1,1)-(1,1): 0; (3,1)-(0,5): 9 + 16.
  EXPECT_DOUBLE_EQ(sumSquaredDistance(pred, target, 3, 2), 26.0);
  // A straight, evenly spaced line has no second difference.
  const float straight[] = {0, 0, 1, 2, 2, 4, 3, 6};
  EXPECT_DOUBLE_EQ(dysmetria(straight, 4, 2), 0.0);
  // (0,0), (1,1), (3,1): one second difference (1, -1), squared norm 2,
  // divided by L - 2 = 1.
  EXPECT_DOUBLE_EQ(dysmetria(pred, 3, 2), 2.0);
  EXPECT_TRUE(std::isnan(dysmetria(pred, 2, 2)));
}

} // namespace
