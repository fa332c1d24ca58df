//===- Scenes.cpp - The bundled captioning data set: MNIST scenes -*- C++ -*-=//

#include "ccrnn/Driver/Captioning/Scenes.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <numeric>

namespace ccrnn::driver::captioning {

bool overlaps(const PlacedDigit &a, const PlacedDigit &b) {
  return a.x < b.x + b.side() && b.x < a.x + a.side() &&
         a.y < b.y + b.side() && b.y < a.y + a.side();
}

Scene sampleScene(const idx::Dataset &mnist, const std::vector<int64_t> &pool,
                  int maxDigits, Rng &rng) {
  assert(!pool.empty() && maxDigits >= 1);
  Scene s;
  s.digits.resize(1 + rng.below(uint64_t(maxDigits)));
  bool used[kGridCells][kGridCells] = {};
  for (PlacedDigit &d : s.digits) {
    d.image = pool[rng.below(pool.size())];
    d.label = mnist.labels.values[d.image];
    d.large = rng.below(2) == 1;
    // The free blocks of cells (1 x 1 small, 2 x 2 large), row-major. At
    // most three large digits can leave no free 2 x 2 block, and then at
    // least four single cells are free.
    std::vector<std::pair<int, int>> free;
    for (bool large : {d.large, false}) {
      const int n = large ? 2 : 1;
      for (int r = 0; r + n <= kGridCells; ++r)
        for (int c = 0; c + n <= kGridCells; ++c) {
          bool ok = true;
          for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j)
              ok = ok && !used[r + i][c + j];
          if (ok)
            free.push_back({r, c});
        }
      if (!free.empty()) {
        d.large = large;
        break;
      }
    }
    assert(!free.empty());
    auto [r, c] = free[rng.below(free.size())];
    const int n = d.large ? 2 : 1;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        used[r + i][c + j] = true;
    // Anywhere inside its block: 0..4 pixels of slack for a large digit,
    // 0..2 for a small one.
    const uint64_t slack = uint64_t(n * kCellSide - d.side() + 1);
    d.x = c * kCellSide + int64_t(rng.below(slack));
    d.y = r * kCellSide + int64_t(rng.below(slack));
  }
  return s;
}

std::vector<uint8_t> digitPixels(const idx::Dataset &mnist,
                                 const PlacedDigit &d) {
  const uint8_t *img = mnist.images.pixels.data() + d.image * kDigitSide *
                                                        kDigitSide;
  if (d.large)
    return std::vector<uint8_t>(img, img + kDigitSide * kDigitSide);
  std::vector<uint8_t> out(kSmallSide * kSmallSide);
  for (int64_t r = 0; r < kSmallSide; ++r)
    for (int64_t c = 0; c < kSmallSide; ++c) {
      const uint8_t *p = img + 2 * r * kDigitSide + 2 * c;
      out[r * kSmallSide + c] =
          uint8_t((p[0] + p[1] + p[kDigitSide] + p[kDigitSide + 1] + 2) / 4);
    }
  return out;
}

std::vector<float> renderCanvas(const idx::Dataset &mnist,
                                const Scene &scene) {
  std::vector<float> canvas(kCanvasSide * kCanvasSide, 0.0f);
  for (const PlacedDigit &d : scene.digits) {
    const std::vector<uint8_t> px = digitPixels(mnist, d);
    const int64_t n = d.side();
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < n; ++c) {
        float &out = canvas[(d.y + r) * kCanvasSide + d.x + c];
        out = std::max(out, float(px[r * n + c]) / 255.0f);
      }
  }
  return canvas;
}

// Why pooled pixels, and why 2 x 2: the decoder's first layer is a
// trainable Linear (+ BatchNorm), so any fixed linear encoder is a
// restriction of raw pixels, and pooling only trades information for width.
// 2 x 2 keeps a small digit at 7 x 7 and a large one at 14 x 14 (both still
// legible as digits) and positions to 2 pixels, in 1024 floats, half the
// paper's 2048-wide ResNet features; 4 x 4 (256 floats) leaves a small
// digit 3.5 pixels wide, and raw pixels (4096) quadruple the projection's
// parameters for detail the captions do not name. A trained encoder would
// read identities better, but would be one more model to train, ship and
// justify: the pooled canvas is fixed by this one function.
std::vector<float> encodeCanvas(const std::vector<float> &canvas) {
  assert(int64_t(canvas.size()) == kCanvasSide * kCanvasSide);
  std::vector<float> f(kFeatureWidth, 0.0f);
  for (int64_t r = 0; r < kCanvasSide; ++r)
    for (int64_t c = 0; c < kCanvasSide; ++c)
      f[(r / kPool) * kFeatureSide + c / kPool] += canvas[r * kCanvasSide + c];
  for (float &v : f)
    v /= float(kPool * kPool);
  return f;
}

namespace {

const char *const kNames[10] = {"zero", "one", "two",   "three", "four",
                                "five", "six", "seven", "eight", "nine"};

/// "an" before a vowel: of the grammar's words, only "eight".
std::string withArticle(const std::string &words) {
  return (words.rfind("eight", 0) == 0 ? "an " : "a ") + words;
}

/// "a small three", or "a three" without the size.
std::string item(const PlacedDigit &d, bool withSize) {
  std::string name = kNames[d.label];
  return withArticle(withSize ? (d.large ? "large " : "small ") + name : name);
}

/// The third of the canvas (0, 1, 2) holding a centre given twice.
int third(int64_t center2) {
  return int(std::min<int64_t>(2, center2 * 3 / (2 * kCanvasSide)));
}

/// Where on the canvas, by the thirds holding the digit's centre.
std::string place(const PlacedDigit &d, bool wordingB) {
  static const char *const a[3][3] = {
      {"at the top left", "at the top", "at the top right"},
      {"on the left", "in the middle", "on the right"},
      {"at the bottom left", "at the bottom", "at the bottom right"}};
  static const char *const b[3][3] = {
      {"in the top left corner", "near the top", "in the top right corner"},
      {"on the left side", "in the center", "on the right side"},
      {"in the bottom left corner", "near the bottom",
       "in the bottom right corner"}};
  int v = third(d.centerY2()), h = third(d.centerX2());
  return wordingB ? b[v][h] : a[v][h];
}

/// Where `d` lies from `ref`: along the axis where the centres differ most,
/// the horizontal on a tie (diagonal neighbours on the grid). Never both
/// zero: two digits' boxes are disjoint.
enum class Dir { Right, Left, Below, Above };
Dir direction(const PlacedDigit &ref, const PlacedDigit &d) {
  int64_t dx = d.centerX2() - ref.centerX2();
  int64_t dy = d.centerY2() - ref.centerY2();
  if (std::llabs(dx) >= std::llabs(dy))
    return dx > 0 ? Dir::Right : Dir::Left;
  return dy > 0 ? Dir::Below : Dir::Above;
}

std::string pronounRelation(Dir dir) {
  static const char *const words[] = {"to its right", "to its left",
                                      "below it", "above it"};
  return words[int(dir)];
}

std::string namedRelation(Dir dir) {
  static const char *const words[] = {"to the right of", "to the left of",
                                      "below", "above"};
  return words[int(dir)];
}

std::vector<PlacedDigit> shuffled(std::vector<PlacedDigit> ds, Rng &rng) {
  for (size_t i = ds.size(); i > 1; --i)
    std::swap(ds[i - 1], ds[rng.below(i)]);
  return ds;
}

/// Top third before middle before bottom, then left to right.
std::vector<PlacedDigit> readingOrder(std::vector<PlacedDigit> ds) {
  std::stable_sort(ds.begin(), ds.end(),
                   [](const PlacedDigit &p, const PlacedDigit &q) {
                     int vp = third(p.centerY2()), vq = third(q.centerY2());
                     if (vp != vq)
                       return vp < vq;
                     return p.centerX2() < q.centerX2();
                   });
  return ds;
}

std::string joinAnd(const std::vector<std::string> &items) {
  std::string out;
  for (const std::string &s : items)
    out += (out.empty() ? "" : " and ") + s;
  return out;
}

} // namespace

std::string captionScene(const Scene &scene, CaptionKind kind, Rng &rng) {
  assert(!scene.digits.empty());
  std::vector<std::string> items;
  switch (kind) {
  case CaptionKind::Bare:
    for (const PlacedDigit &d : shuffled(scene.digits, rng))
      items.push_back(item(d, false));
    return joinAnd(items);
  case CaptionKind::Sized: {
    static const char *const openers[] = {"", "an image of ", "a picture of "};
    std::string opener = openers[rng.below(3)];
    for (const PlacedDigit &d : shuffled(scene.digits, rng))
      items.push_back(item(d, true));
    return opener + joinAnd(items);
  }
  case CaptionKind::Placed:
    for (const PlacedDigit &d : shuffled(scene.digits, rng))
      items.push_back(item(d, true) + " " + place(d, false));
    return joinAnd(items);
  case CaptionKind::Related: {
    // Wording B, so that a one-digit scene's Placed and Related differ.
    const std::vector<PlacedDigit> ds = readingOrder(scene.digits);
    items.push_back(item(ds[0], true) + " " + place(ds[0], true));
    for (size_t i = 1; i < ds.size(); ++i)
      items.push_back(item(ds[i], true) + " " +
                      pronounRelation(direction(ds[i - 1], ds[i])));
    return joinAnd(items);
  }
  case CaptionKind::Paired: {
    const std::vector<PlacedDigit> ds = shuffled(scene.digits, rng);
    if (ds.size() == 1)
      return item(ds[0], false) + " " + place(ds[0], rng.below(2) == 1);
    size_t i = 0;
    for (; i + 1 < ds.size(); i += 2)
      items.push_back(item(ds[i + 1], true) + " " +
                      namedRelation(direction(ds[i], ds[i + 1])) + " " +
                      item(ds[i], true));
    if (i < ds.size())
      items.push_back(item(ds[i], true) + " " +
                      place(ds[i], rng.below(2) == 1));
    return joinAnd(items);
  }
  }
  return {};
}

std::vector<std::string> captionsOf(const Scene &scene, Rng &rng) {
  std::vector<std::string> out;
  for (CaptionKind k : {CaptionKind::Bare, CaptionKind::Sized,
                        CaptionKind::Placed, CaptionKind::Related,
                        CaptionKind::Paired})
    out.push_back(captionScene(scene, k, rng));
  return out;
}

CaptionedImages makeScenes(const idx::Dataset &mnist,
                           const std::vector<int64_t> &pool, int64_t count,
                           uint64_t seed, const std::string &split,
                           int maxDigits) {
  if (count < 0)
    throw InputError("the " + split + " set of captioned scenes cannot have " +
                     std::to_string(count) + " images");
  if (maxDigits < 1 || maxDigits > kMaxDigits)
    throw InputError("a scene holds 1 to " + std::to_string(kMaxDigits) +
                     " digits, not up to " + std::to_string(maxDigits));
  if (mnist.images.rows != kDigitSide || mnist.images.cols != kDigitSide)
    throw InputError("the scenes need 28 x 28 MNIST images, got " +
                     std::to_string(mnist.images.rows) + " x " +
                     std::to_string(mnist.images.cols));
  if (count > 0 && pool.empty())
    throw InputError("the " + split +
                     " scenes need MNIST images, but their part of the "
                     "file holds none");
  CaptionedImages out;
  out.count = count;
  out.features.reserve(size_t(count * kFeatureWidth));
  for (int64_t i = 0; i < count; ++i) {
    Rng sceneRng(seed, "captioning." + split + ".scene", uint64_t(i));
    Scene s = sampleScene(mnist, pool, maxDigits, sceneRng);
    std::vector<float> f = encodeCanvas(renderCanvas(mnist, s));
    out.features.insert(out.features.end(), f.begin(), f.end());
    Rng captionRng(seed, "captioning." + split + ".captions", uint64_t(i));
    out.captions.push_back(captionsOf(s, captionRng));
    out.scenes.push_back(std::move(s));
  }
  return out;
}

SceneSplits makeSceneSplits(const idx::Dataset &mnistTrain,
                            const idx::Dataset &mnistTest, int64_t trainSize,
                            int64_t valSize, int64_t testSize, uint64_t seed,
                            int maxDigits) {
  std::vector<int64_t> trainPool(mnistTrain.labels.values.size());
  std::iota(trainPool.begin(), trainPool.end(), 0);
  // Halves of the test file: no digit image in both val and test scenes.
  const int64_t n = int64_t(mnistTest.labels.values.size());
  std::vector<int64_t> valPool(n / 2), testPool(n - n / 2);
  std::iota(valPool.begin(), valPool.end(), 0);
  std::iota(testPool.begin(), testPool.end(), n / 2);
  SceneSplits s;
  s.train = makeScenes(mnistTrain, trainPool, trainSize, seed, "train",
                       maxDigits);
  s.val = makeScenes(mnistTest, valPool, valSize, seed, "val", maxDigits);
  s.test = makeScenes(mnistTest, testPool, testSize, seed, "test", maxDigits);
  return s;
}

} // namespace ccrnn::driver::captioning
