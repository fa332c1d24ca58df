//===- CaptioningScenesTest.cpp - The bundled captioning data set --------===//
//
// The MNIST scenes of the captioning task (Captioning/Scenes.h), made from
// small synthetic "MNIST" files built here: determinism, the placement
// rule, the rendering, the grammar (every caption names exactly its
// scene's digits; lengths from short to long), and the split of the MNIST
// files between training, validation and test scenes. The encoder: its
// class templates by hand, its features against a direct (slow, double)
// implementation of their definition, a template planted at every offset
// of a place, its layout and determinism. Two tests read the installed
// MNIST files and are skipped when they are absent: the second measures
// how often the templates name a real digit at its place.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Captioning/Scenes.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"
#include "ccrnn/Runtime/Idx.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>

using namespace ccrnn;
using namespace ccrnn::driver;
using namespace ccrnn::driver::captioning;

namespace {

const char *const kDigitWords[10] = {"zero", "one", "two",   "three", "four",
                                     "five", "six", "seven", "eight", "nine"};

/// `count` synthetic 28 x 28 images with labels `firstLabel`, `firstLabel`
/// + 1, ... (mod 10): ink (a label-dependent number of bright rows) only in
/// the central 20 x 20 box, as in MNIST; pixel values from 1 to 255.
idx::Dataset fakeMnist(int64_t count, int firstLabel = 0, int labels = 10) {
  idx::Dataset d;
  d.images.count = count;
  d.images.rows = d.images.cols = 28;
  d.images.pixels.assign(count * 784, 0);
  for (int64_t i = 0; i < count; ++i) {
    int label = (firstLabel + int(i % labels)) % 10;
    d.labels.values.push_back(uint8_t(label));
    for (int r = 4; r < 24; ++r)
      for (int c = 4; c < 24; ++c)
        if ((r - 4) % 10 <= label || c == 4 + int(i % 16))
          d.images.pixels[i * 784 + r * 28 + c] =
              uint8_t(1 + (r * 31 + c * 17 + i) % 255);
  }
  return d;
}

std::vector<std::string> words(const std::string &caption) {
  std::istringstream in(caption);
  std::vector<std::string> w;
  for (std::string s; in >> s;)
    w.push_back(s);
  return w;
}

/// The digit words of a caption, sorted.
std::vector<int> namedDigits(const std::string &caption) {
  std::vector<int> out;
  for (const std::string &w : words(caption))
    for (int d = 0; d < 10; ++d)
      if (w == kDigitWords[d])
        out.push_back(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> sceneDigits(const Scene &s) {
  std::vector<int> out;
  for (const PlacedDigit &d : s.digits)
    out.push_back(d.label);
  std::sort(out.begin(), out.end());
  return out;
}

bool sameBytes(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// The encoder's definition (Scenes.h), computed directly in double: for
/// each place, each class's least sum of squared differences over the
/// offsets, relative to the nearest class, times 20 per pixel; then the
/// canvas's 4 x 4 means. The layout spelled out with numbers.
std::vector<double> referenceFeatures(const std::vector<float> &canvas,
                                      const ClassTemplates &t) {
  std::vector<double> f(506);
  auto match = [&](int y0, int x0, int side, int slack,
                   const std::vector<float> &m, int at) {
    double d[10];
    for (int k = 0; k < 10; ++k) {
      d[k] = std::numeric_limits<double>::infinity();
      for (int dy = 0; dy <= slack; ++dy)
        for (int dx = 0; dx <= slack; ++dx) {
          double ssd = 0;
          for (int i = 0; i < side; ++i)
            for (int j = 0; j < side; ++j) {
              double e = double(canvas[(y0 + dy + i) * 64 + x0 + dx + j]) -
                         double(m[k * side * side + i * side + j]);
              ssd += e * e;
            }
          d[k] = std::min(d[k], ssd);
        }
    }
    double nearest = *std::min_element(d, d + 10);
    for (int k = 0; k < 10; ++k)
      f[at + k] = -(d[k] - nearest) / (side * side) * 20;
  };
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      match(16 * r, 16 * c, 14, 2, t.small, (r * 4 + c) * 10);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      match(16 * r, 16 * c, 28, 4, t.large, 160 + (r * 3 + c) * 10);
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) {
      double sum = 0;
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
          sum += canvas[(4 * r + i) * 64 + 4 * c + j];
      f[250 + r * 16 + c] = sum / 16;
    }
  return f;
}

/// The class whose feature is largest (0: the nearest) among the ten from
/// `at`; the first on a tie.
int nearestClass(const float *features, int64_t at) {
  return int(std::max_element(features + at, features + at + 10) -
             (features + at));
}

TEST(CaptioningScenes, SameSeedSameDataOtherSeedOther) {
  idx::Dataset train = fakeMnist(300), test = fakeMnist(100);
  SceneSplits a = makeSceneSplits(train, test, 50, 20, 20, 7);
  SceneSplits b = makeSceneSplits(train, test, 50, 20, 20, 7);
  SceneSplits c = makeSceneSplits(train, test, 50, 20, 20, 8);
  EXPECT_TRUE(sameBytes(a.train.features, b.train.features));
  EXPECT_TRUE(sameBytes(a.val.features, b.val.features));
  EXPECT_TRUE(sameBytes(a.test.features, b.test.features));
  EXPECT_EQ(a.train.captions, b.train.captions);
  EXPECT_EQ(a.test.captions, b.test.captions);
  EXPECT_FALSE(sameBytes(a.train.features, c.train.features));
  EXPECT_NE(a.train.captions, c.train.captions);
  EXPECT_NE(a.val.captions, c.val.captions);
  // Scene i does not depend on how many scenes are made, and the splits'
  // streams differ (val and test draw from different halves anyway).
  SceneSplits small = makeSceneSplits(train, test, 10, 3, 0, 7);
  EXPECT_TRUE(sameBytes(small.train.features,
                        std::vector<float>(a.train.features.begin(),
                                           a.train.features.begin() +
                                               10 * kFeatureWidth)));
  EXPECT_EQ(small.val.captions[2], a.val.captions[2]);
  EXPECT_EQ(small.test.count, 0);
  EXPECT_TRUE(small.test.features.empty());
}

TEST(CaptioningScenes, ShapesAndValueRange) {
  idx::Dataset train = fakeMnist(200), test = fakeMnist(40);
  SceneSplits s = makeSceneSplits(train, test, 30, 12, 9, 1);
  for (const CaptionedImages *c : {&s.train, &s.val, &s.test}) {
    EXPECT_EQ(c->featureWidth, 506);
    EXPECT_EQ(int64_t(c->features.size()), c->count * c->featureWidth);
    EXPECT_EQ(int64_t(c->captions.size()), c->count);
    EXPECT_EQ(int64_t(c->scenes.size()), c->count);
    for (const auto &caps : c->captions)
      EXPECT_EQ(int(caps.size()), kCaptionsPerScene);
    for (int64_t i = 0; i < c->count; ++i) {
      const float *f = c->features.data() + i * 506;
      // Template matches: 0 for the nearest class of each of the 25
      // places, down to -20 (a mean squared difference of 1 per pixel).
      for (int64_t at = 0; at < 250; at += 10) {
        EXPECT_EQ(*std::max_element(f + at, f + at + 10), 0.0f) << at;
        for (int k = 0; k < 10; ++k)
          EXPECT_GE(f[at + k], -20.0f);
      }
      // Pooled pixels in [0, 1], some ink in every scene.
      for (int64_t k = 250; k < 506; ++k) {
        EXPECT_GE(f[k], 0.0f);
        EXPECT_LE(f[k], 1.0f);
      }
      EXPECT_GT(*std::max_element(f + 250, f + 506), 0.0f);
    }
  }
  EXPECT_EQ(s.train.count, 30);
  EXPECT_EQ(s.val.count, 12);
  EXPECT_EQ(s.test.count, 9);
}

TEST(CaptioningScenes, RenderAndEncodeByHand) {
  idx::Dataset m = fakeMnist(3);
  // A large digit at (1, 2) and a small one at (40, 30).
  Scene s;
  s.digits.push_back({2, 2, true, 1, 2});
  s.digits.push_back({1, 1, false, 40, 30});
  std::vector<float> canvas = renderCanvas(m, s);
  ASSERT_EQ(canvas.size(), size_t(64 * 64));
  const uint8_t *img2 = m.images.pixels.data() + 2 * 784;
  for (int r = 0; r < 28; ++r)
    for (int c = 0; c < 28; ++c)
      ASSERT_EQ(canvas[(2 + r) * 64 + 1 + c], img2[r * 28 + c] / 255.0f);
  std::vector<uint8_t> small = digitPixels(m, s.digits[1]);
  ASSERT_EQ(small.size(), size_t(14 * 14));
  const uint8_t *img1 = m.images.pixels.data() + 784;
  // 2 x 2 averages, rounded to nearest.
  int sum = img1[10 * 28 + 12] + img1[10 * 28 + 13] + img1[11 * 28 + 12] +
            img1[11 * 28 + 13];
  EXPECT_EQ(small[5 * 14 + 6], uint8_t((sum + 2) / 4));
  EXPECT_EQ(canvas[(30 + 5) * 64 + 40 + 6], small[5 * 14 + 6] / 255.0f);
  // Nothing outside the two boxes.
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 64; ++c) {
      bool inLarge = r >= 2 && r < 30 && c >= 1 && c < 29;
      bool inSmall = r >= 30 && r < 44 && c >= 40 && c < 54;
      if (!inLarge && !inSmall) {
        ASSERT_EQ(canvas[r * 64 + c], 0.0f) << r << ", " << c;
      }
    }
  // The encoder's pooled part: means of 4 x 4 blocks, row-major, after
  // the 250 template features.
  SceneEncoder encoder(buildTemplates(m));
  std::vector<float> f = encoder.encode(canvas);
  ASSERT_EQ(f.size(), size_t(506));
  int inked = 0;
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) {
      float want = 0;
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
          want += canvas[(4 * r + i) * 64 + 4 * c + j];
      inked += want > 0;
      EXPECT_FLOAT_EQ(f[250 + r * 16 + c], want / 16) << r << ", " << c;
    }
  EXPECT_GT(inked, 5);
  // Overlapping margins: the brighter pixel wins.
  Scene both;
  both.digits.push_back({0, 0, true, 0, 0});
  both.digits.push_back({1, 1, true, 1, 0});
  std::vector<float> c2 = renderCanvas(m, both);
  for (int c = 1; c < 28; ++c)
    EXPECT_EQ(c2[10 * 64 + c],
              std::max(m.images.pixels[10 * 28 + c],
                       m.images.pixels[784 + 10 * 28 + c - 1]) /
                  255.0f);
}

TEST(CaptioningScenes, TemplatesAreClassMeansByHand) {
  // Two images of class 1, one of class 4, none of the others.
  idx::Dataset m;
  m.images.count = 3;
  m.images.rows = m.images.cols = 28;
  m.images.pixels.assign(3 * 784, 0);
  m.labels.values = {1, 1, 4};
  uint8_t *a = m.images.pixels.data(), *b = a + 784, *c = b + 784;
  // The top-left 2 x 2 block 1, 1 / 1, 0 in both images of class 1: a
  // small digit's byte there is (3 + 2) / 4 = 1 in each (the sum's mean
  // would be 0.75, its floor 0).
  for (uint8_t *img : {a, b}) {
    img[0] = img[1] = img[28] = 1;
  }
  a[5 * 28 + 7] = 200;
  b[5 * 28 + 7] = 51;
  c[27 * 28 + 27] = 255; // small: (0 + 0 + 0 + 255 + 2) / 4 = 64
  c[10 * 28 + 20] = 3;   // small: (3 + 2) / 4 = 1
  ClassTemplates t = buildTemplates(m);
  ASSERT_EQ(t.large.size(), size_t(10 * 784));
  ASSERT_EQ(t.small.size(), size_t(10 * 196));
  const float *l1 = t.large.data() + 784, *l4 = t.large.data() + 4 * 784;
  const float *s1 = t.small.data() + 196, *s4 = t.small.data() + 4 * 196;
  EXPECT_EQ(l1[0], float(1.0 / 255));
  EXPECT_EQ(l1[28 + 1], 0.0f);
  EXPECT_EQ(l1[5 * 28 + 7], float(125.5 / 255));
  EXPECT_EQ(l4[27 * 28 + 27], 1.0f);
  EXPECT_EQ(l4[10 * 28 + 20], float(3.0 / 255));
  EXPECT_EQ(s1[0], float(1.0 / 255));
  // (200 + 2) / 4 = 50 and (51 + 2) / 4 = 13: mean 31.5.
  EXPECT_EQ(s1[2 * 14 + 3], float(31.5 / 255));
  EXPECT_EQ(s4[13 * 14 + 13], float(64.0 / 255));
  EXPECT_EQ(s4[5 * 14 + 10], float(1.0 / 255));
  // Nothing else: every other pixel of every class (no images: blank).
  int inked = 0;
  for (float v : t.large)
    inked += v != 0;
  EXPECT_EQ(inked, 6);
  inked = 0;
  for (float v : t.small)
    inked += v != 0;
  EXPECT_EQ(inked, 4);
  // Only 28 x 28 images.
  m.images.rows = 14;
  m.images.cols = 56;
  EXPECT_THROW(buildTemplates(m), InputError);
}

TEST(CaptioningScenes, EncoderLayout) {
  static_assert(kFeatureWidth == 506);
  static_assert(cellFeature(0, 0, 0) == 0 && cellFeature(0, 1, 0) == 10 &&
                cellFeature(1, 0, 3) == 43 && cellFeature(3, 3, 9) == 159);
  static_assert(blockFeature(0, 0, 0) == 160 && blockFeature(0, 1, 2) == 172 &&
                blockFeature(1, 0, 0) == 190 && blockFeature(2, 2, 9) == 249);
  static_assert(pooledFeature(0, 0) == 250 && pooledFeature(0, 1) == 251 &&
                pooledFeature(1, 0) == 266 && pooledFeature(15, 15) == 505);
}

TEST(CaptioningScenes, EncoderAgreesWithItsDefinition) {
  idx::Dataset train = fakeMnist(300), test = fakeMnist(40);
  SceneEncoder encoder(buildTemplates(train));
  // Scenes of the test images (not the templates' own), and a canvas with
  // ink everywhere (every window and offset counts), and a blank one.
  std::vector<int64_t> pool(40);
  for (int64_t i = 0; i < 40; ++i)
    pool[i] = i;
  std::vector<std::vector<float>> canvases;
  for (uint64_t i = 0; i < 12; ++i) {
    Rng rng(9, "test", i);
    canvases.push_back(renderCanvas(test, sampleScene(test, pool, 4, rng)));
  }
  std::vector<float> noise(64 * 64);
  for (int64_t p = 0; p < 64 * 64; ++p)
    noise[p] = float((p * 7919) % 256) / 255.0f;
  canvases.push_back(noise);
  canvases.push_back(std::vector<float>(64 * 64, 0.0f));
  double worst = 0;
  for (const std::vector<float> &canvas : canvases) {
    std::vector<float> f = encoder.encode(canvas);
    std::vector<double> want = referenceFeatures(canvas, encoder.templates());
    ASSERT_EQ(f.size(), want.size());
    for (size_t k = 0; k < f.size(); ++k)
      worst = std::max(worst, std::fabs(double(f[k]) - want[k]));
  }
  // Float sums against double ones: 6e-6 measured.
  EXPECT_LT(worst, 1e-4);
}

TEST(CaptioningScenes, PlantedTemplateIsNearestAtEveryOffset) {
  // Each class's template, pasted exactly at each offset of a place, is
  // that place's nearest class (feature 0), the others clearly farther.
  idx::Dataset train = fakeMnist(300);
  SceneEncoder encoder(buildTemplates(train));
  const ClassTemplates &t = encoder.templates();
  for (int k : {0, 3, 7, 9})
    for (int dy = 0; dy <= 2; ++dy)
      for (int dx = 0; dx <= 2; ++dx) {
        // Cell (2, 1): top-left corner (32 + dy, 16 + dx).
        std::vector<float> canvas(64 * 64, 0.0f);
        for (int i = 0; i < 14; ++i)
          for (int j = 0; j < 14; ++j)
            canvas[(32 + dy + i) * 64 + 16 + dx + j] =
                t.small[k * 196 + i * 14 + j];
        std::vector<float> f = encoder.encode(canvas);
        for (int j = 0; j < 10; ++j)
          if (j == k) {
            EXPECT_EQ(f[cellFeature(2, 1, j)], 0.0f) << k << " " << dy << dx;
          } else {
            EXPECT_LT(f[cellFeature(2, 1, j)], -0.01f) << k << " " << j;
          }
      }
  for (int k : {1, 4, 8})
    for (int dy = 0; dy <= 4; ++dy)
      for (int dx = 0; dx <= 4; ++dx) {
        // Block (1, 2): top-left corner (16 + dy, 32 + dx).
        std::vector<float> canvas(64 * 64, 0.0f);
        for (int i = 0; i < 28; ++i)
          for (int j = 0; j < 28; ++j)
            canvas[(16 + dy + i) * 64 + 32 + dx + j] =
                t.large[k * 784 + i * 28 + j];
        std::vector<float> f = encoder.encode(canvas);
        for (int j = 0; j < 10; ++j)
          if (j == k) {
            EXPECT_EQ(f[blockFeature(1, 2, j)], 0.0f) << k << " " << dy << dx;
          } else {
            EXPECT_LT(f[blockFeature(1, 2, j)], -0.01f) << k << " " << j;
          }
      }
}

TEST(CaptioningScenes, EncoderIsDeterministic) {
  idx::Dataset train = fakeMnist(300), test = fakeMnist(40);
  SceneEncoder e1(buildTemplates(train)), e2(buildTemplates(train));
  std::vector<int64_t> pool = {3, 14, 15, 26, 35};
  Rng ra(2, "test", 0), rb(2, "test", 1);
  std::vector<float> a = renderCanvas(test, sampleScene(test, pool, 4, ra));
  std::vector<float> b = renderCanvas(test, sampleScene(test, pool, 4, rb));
  std::vector<float> fa = e1.encode(a);
  EXPECT_TRUE(sameBytes(fa, e2.encode(a)));
  EXPECT_FALSE(sameBytes(fa, e1.encode(b)));
  // Nothing carried over from the canvas before.
  EXPECT_TRUE(sameBytes(fa, e1.encode(a)));
  std::vector<float> into(kFeatureWidth, -1.0f);
  e1.encode(a.data(), into.data());
  EXPECT_TRUE(sameBytes(fa, into));
  // Other templates, other features.
  SceneEncoder e3(buildTemplates(fakeMnist(300, 3)));
  EXPECT_FALSE(sameBytes(fa, e3.encode(a)));
}

TEST(CaptioningScenes, NoTwoDigitsOverlap) {
  PlacedDigit a{0, 0, true, 10, 10}, b{0, 0, false, 0, 0};
  EXPECT_TRUE(overlaps(a, b)); // [0, 14) and [10, 38)
  b.x = 38;
  EXPECT_FALSE(overlaps(a, b));
  EXPECT_FALSE(overlaps(b, a));
  b.x = 37;
  b.y = 37;
  EXPECT_TRUE(overlaps(b, a));

  idx::Dataset m = fakeMnist(100);
  std::vector<int64_t> pool(100);
  for (int64_t i = 0; i < 100; ++i)
    pool[i] = i;
  std::map<int, int> digitsPerScene;
  int large = 0, total = 0;
  for (uint64_t i = 0; i < 2000; ++i) {
    Rng rng(5, "test", i);
    Scene s = sampleScene(m, pool, 4, rng);
    ++digitsPerScene[int(s.digits.size())];
    for (size_t p = 0; p < s.digits.size(); ++p) {
      const PlacedDigit &d = s.digits[p];
      ASSERT_GE(d.x, 0);
      ASSERT_GE(d.y, 0);
      ASSERT_LE(d.x + d.side(), 64);
      ASSERT_LE(d.y + d.side(), 64);
      ASSERT_EQ(d.label, m.labels.values[d.image]);
      // Inside its block of grid cells.
      const int64_t block = d.large ? 32 : 16;
      ASSERT_LE(d.x % 16 + d.side(), block) << d.x;
      ASSERT_LE(d.y % 16 + d.side(), block) << d.y;
      large += d.large;
      ++total;
      for (size_t q = 0; q < p; ++q)
        ASSERT_FALSE(overlaps(s.digits[p], s.digits[q]))
            << "scene " << i << ", digits " << q << " and " << p;
    }
  }
  // 1..4 digits, about equally often; about half the digits large (a
  // little less: a large digit with no free 2 x 2 block becomes small).
  ASSERT_EQ(digitsPerScene.size(), 4u);
  for (auto [n, c] : digitsPerScene) {
    EXPECT_GE(n, 1);
    EXPECT_LE(n, 4);
    EXPECT_GT(c, 400) << n << " digits";
  }
  EXPECT_GT(large, total * 3 / 10);
  EXPECT_LT(large, total * 3 / 5);
}

TEST(CaptioningScenes, CaptionsNameExactlyTheSceneDigits) {
  idx::Dataset train = fakeMnist(300), test = fakeMnist(60);
  SceneSplits s = makeSceneSplits(train, test, 400, 0, 0, 3);
  const std::set<std::string> vocabulary = {
      "a",     "an",    "and",   "of",    "image", "picture", "small",
      "large", "at",    "on",    "in",    "near",  "the",     "top",
      "bottom", "left", "right", "middle", "center", "corner", "side",
      "to",    "its",   "it",    "above", "below", "zero",    "one",
      "two",   "three", "four",  "five",  "six",   "seven",   "eight",
      "nine"};
  for (int64_t i = 0; i < s.train.count; ++i) {
    const std::vector<std::string> &caps = s.train.captions[i];
    EXPECT_EQ(std::set<std::string>(caps.begin(), caps.end()).size(),
              caps.size())
        << "scene " << i << ": the paraphrases are distinct";
    for (const std::string &cap : caps) {
      EXPECT_EQ(namedDigits(cap), sceneDigits(s.train.scenes[i])) << cap;
      // Lower-case words, single spaces, nothing else: a tokenizer that
      // splits on non-alphanumerics reads them back unchanged.
      for (char c : cap)
        ASSERT_TRUE((c >= 'a' && c <= 'z') || c == ' ') << cap;
      ASSERT_EQ(cap.find("  "), std::string::npos) << cap;
      ASSERT_NE(cap.front(), ' ');
      ASSERT_NE(cap.back(), ' ');
      for (const std::string &w : words(cap))
        EXPECT_TRUE(vocabulary.count(w)) << w;
      // "an" exactly before a vowel: "eight" or the opener's "image".
      std::vector<std::string> ws = words(cap);
      for (size_t k = 0; k + 1 < ws.size(); ++k)
        if (ws[k] == "a" || ws[k] == "an") {
          EXPECT_EQ(ws[k] == "an",
                    ws[k + 1] == "eight" || ws[k + 1] == "image")
              << cap;
        }
    }
  }
}

TEST(CaptioningScenes, CaptionLengthsRangeFromShortToLong) {
  idx::Dataset train = fakeMnist(300), test = fakeMnist(60);
  SceneSplits s = makeSceneSplits(train, test, 1000, 0, 0, 11);
  std::map<size_t, int> hist;
  int shortCaps = 0, longCaps = 0, middle = 0, all = 0;
  for (const auto &caps : s.train.captions)
    for (const std::string &cap : caps) {
      size_t n = words(cap).size();
      ++hist[n];
      shortCaps += n <= 6;
      longCaps += n >= 20;
      middle += n >= 9 && n <= 13; // the reference's 11..15 with start/end
      ++all;
      EXPECT_GE(n, 2u);
      EXPECT_LE(n, 36u);
    }
  EXPECT_EQ(all, 5000);
  EXPECT_GT(shortCaps, all / 10);
  EXPECT_GT(longCaps, all / 10);
  EXPECT_GT(middle, all / 10);
  // Length grows with the number of digits.
  std::map<size_t, double> meanLength;
  std::map<size_t, int> scenes;
  for (int64_t i = 0; i < s.train.count; ++i) {
    size_t n = s.train.scenes[i].digits.size();
    for (const std::string &cap : s.train.captions[i])
      meanLength[n] += double(words(cap).size()) / kCaptionsPerScene;
    ++scenes[n];
  }
  for (size_t n = 2; n <= 4; ++n)
    EXPECT_GT(meanLength[n] / scenes[n], meanLength[n - 1] / scenes[n - 1] + 3)
        << n << " digits";
}

TEST(CaptioningScenes, GrammarByHand) {
  // A small three at the top left, a large five to its right (top right),
  // a small one below the five (bottom right).
  Scene s;
  s.digits.push_back({5, 0, true, 34, 0});
  s.digits.push_back({3, 0, false, 2, 4});
  s.digits.push_back({1, 0, false, 44, 46});
  Rng rng(1);
  EXPECT_EQ(captionScene(s, CaptionKind::Related, rng),
            "a small three in the top left corner and a large five to its "
            "right and a small one below it");
  for (int k = 0; k < 20; ++k) {
    Rng r{uint64_t(k)};
    std::string placed = captionScene(s, CaptionKind::Placed, r);
    EXPECT_NE(placed.find("a small three at the top left"), std::string::npos)
        << placed;
    EXPECT_NE(placed.find("a large five at the top right"), std::string::npos)
        << placed;
    EXPECT_NE(placed.find("a small one at the bottom right"),
              std::string::npos)
        << placed;
    std::string bare = captionScene(s, CaptionKind::Bare, r);
    EXPECT_EQ(words(bare).size(), 8u) << bare;
  }
  // One digit in the middle.
  Scene one;
  one.digits.push_back({8, 0, true, 18, 18});
  Rng r1(2);
  EXPECT_EQ(captionScene(one, CaptionKind::Bare, r1), "an eight");
  EXPECT_EQ(captionScene(one, CaptionKind::Placed, r1),
            "a large eight in the middle");
  EXPECT_EQ(captionScene(one, CaptionKind::Related, r1),
            "a large eight in the center");
  std::string paired = captionScene(one, CaptionKind::Paired, r1);
  EXPECT_TRUE(paired == "an eight in the middle" ||
              paired == "an eight in the center")
      << paired;
  // Two digits, paired: "<second> <relation> <first>".
  Scene two;
  two.digits.push_back({7, 0, true, 0, 0});
  two.digits.push_back({2, 0, false, 8, 48});
  Rng r2(3);
  std::string p2 = captionScene(two, CaptionKind::Paired, r2);
  EXPECT_TRUE(p2 == "a small two below a large seven" ||
              p2 == "a large seven above a small two")
      << p2;
}

TEST(CaptioningScenes, TrainScenesUseTrainImagesValAndTestHalvesOfTestFile) {
  // Training images are all of digits 0..4, test images of 5..9: a scene's
  // digits tell which file they came from.
  idx::Dataset train = fakeMnist(200, 0, 5), test = fakeMnist(100, 5, 5);
  SceneSplits s = makeSceneSplits(train, test, 200, 200, 200, 4);
  std::set<int64_t> valImages, testImages;
  for (const Scene &sc : s.train.scenes)
    for (const PlacedDigit &d : sc.digits) {
      EXPECT_LT(d.label, 5);
      EXPECT_LT(d.image, 200);
    }
  for (const Scene &sc : s.val.scenes)
    for (const PlacedDigit &d : sc.digits) {
      EXPECT_GE(d.label, 5);
      EXPECT_LT(d.image, 50); // the first half of the test file
      valImages.insert(d.image);
    }
  for (const Scene &sc : s.test.scenes)
    for (const PlacedDigit &d : sc.digits) {
      EXPECT_GE(d.label, 5);
      EXPECT_GE(d.image, 50); // the second half
      EXPECT_LT(d.image, 100);
      testImages.insert(d.image);
    }
  EXPECT_GT(valImages.size(), 40u);
  EXPECT_GT(testImages.size(), 40u);
  // Captions follow the images' labels, not the split.
  for (const auto &caps : s.val.captions)
    for (const std::string &cap : caps)
      for (int d : namedDigits(cap))
        EXPECT_GE(d, 5) << cap;
}

TEST(CaptioningScenes, BadInputsAreInputErrors) {
  idx::Dataset train = fakeMnist(20), one = fakeMnist(1);
  EXPECT_THROW(makeSceneSplits(train, train, -1, 0, 0, 1), InputError);
  // A one-image test file leaves the validation half empty.
  EXPECT_THROW(makeSceneSplits(train, one, 5, 5, 0, 1), InputError);
  EXPECT_NO_THROW(makeSceneSplits(train, one, 5, 0, 3, 1));
  idx::Dataset wrong = fakeMnist(20);
  wrong.images.rows = 14;
  wrong.images.cols = 56;
  EXPECT_THROW(makeSceneSplits(wrong, train, 5, 0, 0, 1), InputError);
  EXPECT_THROW(makeSceneSplits(train, train, 5, 0, 0, 1, 5), InputError);
}

bool fileExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

TEST(CaptioningScenes, RealMnistIfInstalled) {
  std::string dir;
  try {
    dir = idx::defaultDataDir("mnist");
  } catch (const std::exception &) {
    GTEST_SKIP() << "no home directory, so no default MNIST directory";
  }
  idx::Paths p = idx::dataPaths(dir);
  for (const std::string &f :
       {p.trainImages, p.trainLabels, p.testImages, p.testLabels})
    if (!fileExists(f))
      GTEST_SKIP() << f << " is missing (tools/install-data.sh installs it)";
  idx::Dataset train = idx::readTrain(dir), test = idx::readTest(dir);
  SceneSplits s = makeSceneSplits(train, test, 200, 50, 50, 1);
  EXPECT_EQ(int64_t(s.train.features.size()), 200 * kFeatureWidth);
  for (const CaptionedImages *c : {&s.train, &s.val, &s.test})
    for (int64_t i = 0; i < c->count; ++i) {
      for (const std::string &cap : c->captions[i])
        EXPECT_EQ(namedDigits(cap), sceneDigits(c->scenes[i])) << cap;
      // Real digits: ink mass grows with the digits drawn (the pooled
      // features are 4 x 4 means, 1 / 16 of the ink).
      double ink = 0;
      for (int64_t k = pooledFeature(0, 0); k < kFeatureWidth; ++k)
        ink += c->features[i * kFeatureWidth + k];
      EXPECT_GT(ink, 5.0 * double(c->scenes[i].digits.size()) / 16);
    }
  for (const Scene &sc : s.val.scenes)
    for (const PlacedDigit &d : sc.digits)
      EXPECT_LT(d.image, 5000);
  for (const Scene &sc : s.test.scenes)
    for (const PlacedDigit &d : sc.digits)
      EXPECT_GE(d.image, 5000);
}

TEST(CaptioningScenes, RealMnistTemplatesNameTheDigits) {
  std::string dir;
  try {
    dir = idx::defaultDataDir("mnist");
  } catch (const std::exception &) {
    GTEST_SKIP() << "no home directory, so no default MNIST directory";
  }
  idx::Paths p = idx::dataPaths(dir);
  for (const std::string &f :
       {p.trainImages, p.trainLabels, p.testImages, p.testLabels})
    if (!fileExists(f))
      GTEST_SKIP() << f << " is missing (tools/install-data.sh installs it)";
  idx::Dataset train = idx::readTrain(dir), test = idx::readTest(dir);
  // Validation scenes: test images, templates of the training images. The
  // nearest class at each digit's own place (its cell, or its block of
  // cells) against its label.
  SceneSplits s = makeSceneSplits(train, test, 0, 500, 0, 1);
  int small = 0, smallRight = 0, large = 0, largeRight = 0;
  for (int64_t i = 0; i < s.val.count; ++i) {
    const float *f = s.val.features.data() + i * kFeatureWidth;
    for (const PlacedDigit &d : s.val.scenes[i].digits) {
      const int r = int(d.y / kCellSide), c = int(d.x / kCellSide);
      if (d.large) {
        ++large;
        largeRight += nearestClass(f, blockFeature(r, c, 0)) == d.label;
      } else {
        ++small;
        smallRight += nearestClass(f, cellFeature(r, c, 0)) == d.label;
      }
    }
  }
  ASSERT_GT(small, 300);
  ASSERT_GT(large, 300);
  // Measured: 487 of 639 small digits (0.76), 475 of 630 large (0.75);
  // chance 0.1.
  EXPECT_GT(double(smallRight) / small, 0.65)
      << smallRight << " of " << small << " small digits";
  EXPECT_GT(double(largeRight) / large, 0.65)
      << largeRight << " of " << large << " large digits";
}

} // namespace
