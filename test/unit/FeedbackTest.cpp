//===- FeedbackTest.cpp - feedback analysis measures ------------*- C++ -*-===//

#include "ccrnn/Driver/Feedback.h"

#include "gtest/gtest.h"

#include <cmath>
#include <vector>

using namespace ccrnn::driver;

TEST(FeedbackTest, CosineOfAVectorWithItselfIsOne) {
  std::vector<float> g = {1, -2, 3, 0.5f, 4, -1};
  EXPECT_NEAR(meanCosine(g.data(), g.data(), 2, 3), 1.0, 1e-12);
}

TEST(FeedbackTest, CosineAveragesOverPairs) {
  // Pair 0 opposite (-1), pair 1 orthogonal (0), pair 2 parallel (1),
  // pair 3 at 45 degrees.
  std::vector<float> a = {1, 0, 1, 0, 2, 0, 1, 0};
  std::vector<float> b = {-3, 0, 0, 5, 1, 0, 1, 1};
  double expected = (-1.0 + 0.0 + 1.0 + 1.0 / std::sqrt(2.0)) / 4;
  EXPECT_NEAR(meanCosine(a.data(), b.data(), 4, 2), expected, 1e-12);
}

TEST(FeedbackTest, AZeroVectorHasNoDirection) {
  // A fresh synthesizer predicts exactly zero: similarity 0, not NaN.
  std::vector<float> zero = {0, 0}, g = {1, 2};
  EXPECT_EQ(meanCosine(zero.data(), g.data(), 1, 2), 0.0);
  EXPECT_TRUE(std::isnan(meanCosine(g.data(), g.data(), 0, 2)));
}

TEST(FeedbackTest, ActivityStats) {
  // 4 samples x 3 units: unit 0 and 1 perfectly anti-correlated, unit 2
  // silent (never varies, left out of the correlation).
  std::vector<float> x = {1, 0, 0, //
                          0, 1, 0, //
                          1, 0, 0, //
                          0, 1, 0};
  ActivityStats s = activityStats(x.data(), 4, 3);
  EXPECT_NEAR(s.populationCorrelation, -1.0, 1e-12);
  EXPECT_NEAR(s.sparsity, 8.0 / 12.0, 1e-12);
  EXPECT_NEAR(s.activeUnits, 2.0 / 3.0, 1e-12);
}

TEST(FeedbackTest, PopulationCorrelationIsTheMeanOverPairs) {
  // Units 0 and 1 identical (r = 1), unit 2 = -unit 0 (r = -1 with both):
  // pairs (0,1) = 1, (0,2) = -1, (1,2) = -1.
  std::vector<float> x = {1, 1, 3, //
                          2, 2, 2, //
                          3, 3, 1};
  ActivityStats s = activityStats(x.data(), 3, 3);
  EXPECT_NEAR(s.populationCorrelation, -1.0 / 3.0, 1e-12);
  EXPECT_EQ(s.sparsity, 0.0);
  EXPECT_EQ(s.activeUnits, 1.0);
}
