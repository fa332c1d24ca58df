//===- DriverSeqMnistTest.cpp - The sequential-MNIST task targets --------===//
//
// The targets of seqmnist-lines and seqmnist-digits (SPEC §5), checked point
// by point against values worked out by hand from the SPEC's rules; the
// --numbers and --input-size parsing; the conversion of images to samples.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/SeqMnist.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <set>

using namespace ccrnn::driver;

namespace {

using Points = std::vector<std::array<double, 2>>;

void expectPoints(const std::vector<float> &got, const Points &want) {
  ASSERT_EQ(got.size(), want.size() * 2);
  for (size_t t = 0; t < want.size(); ++t) {
    EXPECT_NEAR(got[2 * t], want[t][0], 1e-6) << "x at t = " << t;
    EXPECT_NEAR(got[2 * t + 1], want[t][1], 1e-6) << "y at t = " << t;
  }
}

TEST(SeqMnistTargets, LineEndpoints) {
  // 10 (sin 36 d, cos 36 d).
  const double s36 = std::sin(M_PI / 5), c36 = std::cos(M_PI / 5);
  const double s72 = std::sin(2 * M_PI / 5), c72 = std::cos(2 * M_PI / 5);
  Points want = {{0, 10},           {10 * s36, 10 * c36}, {10 * s72, 10 * c72},
                 {10 * s72, -10 * c72}, {10 * s36, -10 * c36}, {0, -10},
                 {-10 * s36, -10 * c36}, {-10 * s72, -10 * c72},
                 {-10 * s72, 10 * c72}, {-10 * s36, 10 * c36}};
  for (int d = 0; d < 10; ++d) {
    auto e = seqMnistLineEndpoint(d);
    EXPECT_NEAR(e[0], want[d][0], 1e-9) << d;
    EXPECT_NEAR(e[1], want[d][1], 1e-9) << d;
    EXPECT_NEAR(std::hypot(e[0], e[1]), 10.0, 1e-9);
  }
  // The line: 28 points, origin first, endpoint last, evenly spaced.
  auto line = seqMnistTarget("seqmnist-lines", 2, 28, {});
  ASSERT_EQ(line.size(), 56u);
  EXPECT_EQ(line[0], 0.0f);
  EXPECT_EQ(line[1], 0.0f);
  EXPECT_NEAR(line[54], 10 * s72, 1e-5);
  EXPECT_NEAR(line[55], 10 * c72, 1e-5);
  EXPECT_NEAR(line[2 * 9], 10 * s72 * 9 / 27, 1e-5);
}

TEST(SeqMnistTargets, FreeMagnitudeGridDistinctPerDigit) {
  for (uint64_t seed : {0, 1, 2, 3, 42}) {
    auto ends = freeMagnitudeEndpoints(seed);
    ASSERT_EQ(ends.size(), 10u);
    std::set<std::pair<int, int>> cells;
    for (auto e : ends) {
      // On the grid {0, 1/3, 2/3, 1}^2 scaled by 10.
      double i = e[0] * 3 / 10, j = e[1] * 3 / 10;
      EXPECT_NEAR(i, std::round(i), 1e-9);
      EXPECT_NEAR(j, std::round(j), 1e-9);
      EXPECT_GE(std::lround(i), 0);
      EXPECT_LE(std::lround(i), 3);
      EXPECT_GE(std::lround(j), 0);
      EXPECT_LE(std::lround(j), 3);
      cells.insert({int(std::lround(i)), int(std::lround(j))});
    }
    EXPECT_EQ(cells.size(), 10u) << "seed " << seed;
    // Once per run: the same seed gives the same endpoints.
    auto again = freeMagnitudeEndpoints(seed);
    EXPECT_EQ(again, ends);
    // And the line targets use them.
    auto line = seqMnistTarget("seqmnist-lines", 7, 28, ends);
    EXPECT_NEAR(line[54], ends[7][0], 1e-5);
    EXPECT_NEAR(line[55], ends[7][1], 1e-5);
  }
  EXPECT_NE(freeMagnitudeEndpoints(0), freeMagnitudeEndpoints(1));
}

// Digit 0: 9 waypoints, 8 segments; 28 = 8*3 + 4: the first 3 segments get
// 4 points, the other 5 get 3, plus the final waypoint.
TEST(SeqMnistTargets, DigitZeroResampled) {
  const double a = 1.0 / 6, b = 1.0 / 3;
  Points want = {
      {0, 1},     {0, .875},  {0, .75},   {0, .625},     // (0,1)->(0,.5)
      {0, .5},    {0, .375},  {0, .25},   {0, .125},     // (0,.5)->(0,0)
      {0, 0},     {.125, 0},  {.25, 0},   {.375, 0},     // (0,0)->(.5,0)
      {.5, 0},    {.5 + a, 0}, {.5 + b, 0},              // (.5,0)->(1,0)
      {1, 0},     {1, a},     {1, b},                    // (1,0)->(1,.5)
      {1, .5},    {1, .5 + a}, {1, .5 + b},              // (1,.5)->(1,1)
      {1, 1},     {1 - a, 1}, {1 - b, 1},                // (1,1)->(.5,1)
      {.5, 1},    {b, 1},     {a, 1},                    // (.5,1)->(0,1)
      {0, 1}};                                           // final waypoint
  expectPoints(seqMnistTarget("seqmnist-digits", 0, 28, {}), want);
}

// Digit 1: 4 waypoints, 3 segments; 28 = 3*9 + 1: r = 1, so no segment gets
// one more (r - 1 = 0): 9 + 9 + 9 + the final waypoint.
TEST(SeqMnistTargets, DigitOneResampled) {
  Points want;
  for (int i = 0; i < 9; ++i)
    want.push_back({.25 + .25 * i / 9, .75 + .25 * i / 9});
  for (int i = 0; i < 9; ++i)
    want.push_back({.5, 1 - .5 * i / 9});
  for (int i = 0; i < 9; ++i)
    want.push_back({.5, .5 - .5 * i / 9});
  want.push_back({.5, 0});
  ASSERT_EQ(want.size(), 28u);
  // Spot checks written out: t = 1, 9, 18, 26.
  EXPECT_NEAR(want[1][0], 0.2777777778, 1e-9);
  EXPECT_NEAR(want[9][1], 1.0, 1e-12);
  EXPECT_NEAR(want[18][1], 0.5, 1e-12);
  EXPECT_NEAR(want[26][1], 0.0555555556, 1e-9);
  expectPoints(seqMnistTarget("seqmnist-digits", 1, 28, {}), want);
}

// Digit 5: 11 waypoints, 10 segments; 28 = 10*2 + 8: the first 7 segments
// get 3 points, the last 3 get 2, plus the final waypoint.
TEST(SeqMnistTargets, DigitFiveResampled) {
  const double a = 1.0 / 6, b = 1.0 / 3;
  Points want = {
      {0, 1},    {a, 1},          {b, 1},          // (0,1)->(.5,1)
      {.5, 1},   {2 * b, 1},      {5 * a, 1},      // (.5,1)->(1,1)
      {1, 1},    {5 * a, 1},      {2 * b, 1},      // (1,1)->(.5,1)
      {.5, 1},   {b, 1},          {a, 1},          // (.5,1)->(0,1)
      {0, 1},    {0, 5 * a},      {0, 2 * b},      // (0,1)->(0,.5)
      {0, .5},   {a, .5},         {b, .5},         // (0,.5)->(.5,.5)
      {.5, .5},  {2 * b, .5},     {5 * a, .5},     // (.5,.5)->(1,.5)
      {1, .5},   {1, .25},                         // (1,.5)->(1,0)
      {1, 0},    {.75, 0},                         // (1,0)->(.5,0)
      {.5, 0},   {.25, 0},                         // (.5,0)->(0,0)
      {0, 0}};                                     // final waypoint
  expectPoints(seqMnistTarget("seqmnist-digits", 5, 28, {}), want);
}

TEST(SeqMnistTargets, ResampleRuleWithoutRemainder) {
  // 3 waypoints, 2 segments, 6 points: r = 0, so the last segment gets one
  // fewer: 3 + 2 + the final waypoint.
  Points w = {{0, 0}, {3, 0}, {3, 3}};
  expectPoints(resamplePolyline(w, 6),
               {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {3, 1.5}, {3, 3}});
  // Every template gives 28 points ending at its last waypoint.
  for (int d = 0; d < 10; ++d) {
    auto t = seqMnistTarget("seqmnist-digits", d, 28, {});
    ASSERT_EQ(t.size(), 56u);
    auto w = digitWaypoints(d);
    EXPECT_EQ(t[0], float(w.front()[0]));
    EXPECT_EQ(t[54], float(w.back()[0]));
    EXPECT_EQ(t[55], float(w.back()[1]));
  }
}

TEST(SeqMnistOptions, Numbers) {
  EXPECT_EQ(parseNumbers("0,1,2"), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(parseNumbers("7,3"), (std::vector<int>{3, 7}));
  EXPECT_EQ(parseNumbers("").size(), 10u);
  for (const char *bad : {"10", "a", "1,1", "-1", "1,", ",", "1,,2"})
    EXPECT_THROW(parseNumbers(bad), InputError) << bad;
}

TEST(SeqMnistOptions, InputSizeSplitting) {
  EXPECT_EQ(seqMnistSteps(28), 28);
  EXPECT_EQ(seqMnistSteps(1), 784);
  EXPECT_EQ(seqMnistSteps(784), 1);
  EXPECT_EQ(seqMnistSteps(16), 49);
  for (int64_t bad : {0, -4, 5, 30, 785})
    EXPECT_THROW(seqMnistSteps(bad), InputError) << bad;

  // Two images with pixel values p = index % 256 and 255 - that: 16 pixels
  // per step; labels 3 and 8; drawing targets per label.
  std::vector<uint8_t> pixels(2 * 784), labels = {3, 8};
  for (int i = 0; i < 784; ++i) {
    pixels[i] = uint8_t(i % 256);
    pixels[784 + i] = uint8_t(255 - i % 256);
  }
  std::vector<std::vector<float>> targets;
  for (int d = 0; d < 10; ++d)
    targets.push_back(seqMnistTarget("seqmnist-lines", d, 49, {}));
  Dataset ds = makeSeqMnist(pixels, labels, {1, 0}, 16, targets);
  EXPECT_EQ(ds.size, 2);
  EXPECT_EQ(ds.steps, 49);
  EXPECT_EQ(ds.inputSize, 16);
  EXPECT_EQ(ds.targetSize, 98);
  EXPECT_EQ(ds.labels, (std::vector<int>{8, 3}));
  // Kept as the selected images' bytes, in sample order; no floats.
  EXPECT_TRUE(ds.inputs.empty());
  ASSERT_EQ(ds.pixels.size(), 2u * 784);
  EXPECT_TRUE(std::equal(ds.pixels.begin(), ds.pixels.begin() + 784,
                         pixels.begin() + 784));
  EXPECT_TRUE(
      std::equal(ds.pixels.begin() + 784, ds.pixels.end(), pixels.begin()));
  // Sample 0 is image 1: step t, pixel j is image pixel 16 t + j, read as
  // the byte / 255.
  std::vector<float> in(2 * 784, -1.0f);
  ds.readInputs(0, 2, in.data());
  EXPECT_EQ(in[0], 1.0f);
  EXPECT_EQ(in[16 * 2 + 5], float(255 - 37) / 255.0f);
  EXPECT_EQ(in[784 + 16 * 3 + 1], float(49) / 255.0f);
  EXPECT_EQ(in[784], 0.0f);
  for (int i = 0; i < 2 * 784; ++i)
    ASSERT_EQ(in[i], float(ds.pixels[i]) / 255.0f) << i;
  // A sub-range: sample 1 alone, written at the buffer's start.
  std::vector<float> one(784, -1.0f);
  ds.readInputs(1, 1, one.data());
  EXPECT_TRUE(std::equal(one.begin(), one.end(), in.begin() + 784));
  EXPECT_EQ(std::vector<float>(ds.targets.begin(), ds.targets.begin() + 98),
            targets[8]);
  // Classification: no targets.
  Dataset cl = makeSeqMnist(pixels, labels, {0}, 28, {});
  EXPECT_EQ(cl.targetSize, 0);
  EXPECT_EQ(cl.steps, 28);
  EXPECT_TRUE(cl.targets.empty());
  EXPECT_TRUE(cl.inputs.empty());
  EXPECT_EQ(cl.pixels,
            std::vector<uint8_t>(pixels.begin(), pixels.begin() + 784));
}

} // namespace
