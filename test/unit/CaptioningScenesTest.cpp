//===- CaptioningScenesTest.cpp - The bundled captioning data set --------===//
//
// The MNIST scenes of the captioning task (Captioning/Scenes.h), made from
// small synthetic "MNIST" files built here: determinism, the placement
// rule, the rendering and the encoder, the grammar (every caption names
// exactly its scene's digits; lengths from short to long), and the split
// of the MNIST files between training, validation and test scenes. One
// test reads the installed MNIST files and is skipped when they are absent.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Captioning/Scenes.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"
#include "ccrnn/Runtime/Idx.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstring>
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
    EXPECT_EQ(c->featureWidth, 1024);
    EXPECT_EQ(int64_t(c->features.size()), c->count * c->featureWidth);
    EXPECT_EQ(int64_t(c->captions.size()), c->count);
    EXPECT_EQ(int64_t(c->scenes.size()), c->count);
    for (const auto &caps : c->captions)
      EXPECT_EQ(int(caps.size()), kCaptionsPerScene);
    for (float v : c->features) {
      EXPECT_GE(v, 0.0f);
      EXPECT_LE(v, 1.0f);
    }
    // Some ink in every scene's features.
    for (int64_t i = 0; i < c->count; ++i)
      EXPECT_GT(*std::max_element(c->features.begin() + i * 1024,
                                  c->features.begin() + (i + 1) * 1024),
                0.0f);
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
  // The encoder: means of 2 x 2 blocks, row-major.
  std::vector<float> f = encodeCanvas(canvas);
  ASSERT_EQ(f.size(), size_t(1024));
  for (int r : {0, 1, 7, 15, 20, 31})
    for (int c : {0, 3, 10, 22, 31}) {
      float want = (canvas[2 * r * 64 + 2 * c] + canvas[2 * r * 64 + 2 * c + 1] +
                    canvas[(2 * r + 1) * 64 + 2 * c] +
                    canvas[(2 * r + 1) * 64 + 2 * c + 1]) /
                   4;
      EXPECT_FLOAT_EQ(f[r * 32 + c], want);
    }
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
      // Real digits: ink mass grows with the digits drawn.
      double ink = 0;
      for (int64_t k = 0; k < kFeatureWidth; ++k)
        ink += c->features[i * kFeatureWidth + k];
      EXPECT_GT(ink, 5.0 * double(c->scenes[i].digits.size()) / 4);
    }
  for (const Scene &sc : s.val.scenes)
    for (const PlacedDigit &d : sc.digits)
      EXPECT_LT(d.image, 5000);
  for (const Scene &sc : s.test.scenes)
    for (const PlacedDigit &d : sc.digits)
      EXPECT_GE(d.image, 5000);
}

} // namespace
