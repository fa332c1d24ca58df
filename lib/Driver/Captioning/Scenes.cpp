//===- Scenes.cpp - The bundled captioning data set: MNIST scenes -*- C++ -*-=//

#include "ccrnn/Driver/Captioning/Scenes.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <limits>
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

namespace {

void requireMnistSize(const idx::Dataset &mnist) {
  if (mnist.images.rows != kDigitSide || mnist.images.cols != kDigitSide)
    throw InputError("the scenes need 28 x 28 MNIST images, got " +
                     std::to_string(mnist.images.rows) + " x " +
                     std::to_string(mnist.images.cols));
}

/// acc[l] += v * t[l] for Lanes lanes, four at a time (GCC's and Clang's
/// vector extension: element-wise IEEE operations, the same results as the
/// scalar loop, which GCC leaves scalar here).
template <int Lanes> inline void axpy(float *acc, float v, const float *t) {
  static_assert(Lanes % 4 == 0, "whole vectors");
  typedef float Float4 __attribute__((vector_size(16)));
  for (int l = 0; l < Lanes; l += 4) {
    Float4 a, b;
    std::memcpy(&a, acc + l, sizeof a);
    std::memcpy(&b, t + l, sizeof b);
    a += v * b;
    std::memcpy(acc + l, &a, sizeof a);
  }
}

} // namespace

ClassTemplates buildTemplates(const idx::Dataset &mnistTrain) {
  requireMnistSize(mnistTrain);
  constexpr int64_t kLarge = kDigitSide * kDigitSide;
  constexpr int64_t kSmall = kSmallSide * kSmallSide;
  // Byte sums, exact.
  std::vector<int64_t> large(kClasses * kLarge, 0), small(kClasses * kSmall, 0);
  int64_t count[kClasses] = {};
  const int64_t n = int64_t(mnistTrain.labels.values.size());
  assert(int64_t(mnistTrain.images.pixels.size()) == n * kLarge);
  for (int64_t i = 0; i < n; ++i) {
    const int k = mnistTrain.labels.values[i];
    assert(k < kClasses);
    ++count[k];
    const uint8_t *img = mnistTrain.images.pixels.data() + i * kLarge;
    int64_t *l = large.data() + k * kLarge;
    for (int64_t p = 0; p < kLarge; ++p)
      l[p] += img[p];
    PlacedDigit d;
    d.image = i;
    d.large = false;
    const std::vector<uint8_t> px = digitPixels(mnistTrain, d);
    int64_t *s = small.data() + k * kSmall;
    for (int64_t p = 0; p < kSmall; ++p)
      s[p] += px[p];
  }
  ClassTemplates t;
  t.large.assign(kClasses * kLarge, 0.0f);
  t.small.assign(kClasses * kSmall, 0.0f);
  for (int k = 0; k < kClasses; ++k) {
    if (count[k] == 0)
      continue;
    for (int64_t p = 0; p < kLarge; ++p)
      t.large[k * kLarge + p] =
          float(double(large[k * kLarge + p]) / double(count[k]) / 255.0);
    for (int64_t p = 0; p < kSmall; ++p)
      t.small[k * kSmall + p] =
          float(double(small[k * kSmall + p]) / double(count[k]) / 255.0);
  }
  return t;
}

SceneEncoder::SceneEncoder(ClassTemplates templates)
    : templates_(std::move(templates)) {
  auto interleave = [](const std::vector<float> &t, int64_t side,
                       std::vector<float> &lanes, double *norm) {
    const int64_t area = side * side;
    assert(int64_t(t.size()) == kClasses * area);
    lanes.assign(area * kLanes, 0.0f);
    for (int k = 0; k < kClasses; ++k) {
      norm[k] = 0;
      for (int64_t p = 0; p < area; ++p) {
        const float v = t[k * area + p];
        lanes[p * kLanes + k] = v;
        norm[k] += double(v) * double(v);
      }
    }
  };
  interleave(templates_.small, kSmallSide, smallLanes_, smallNorm_);
  interleave(templates_.large, kDigitSide, largeLanes_, largeNorm_);
}

std::vector<float>
SceneEncoder::encode(const std::vector<float> &canvas) const {
  assert(int64_t(canvas.size()) == kCanvasSide * kCanvasSide);
  std::vector<float> f(kFeatureWidth);
  encode(canvas.data(), f.data());
  return f;
}

// How: D_k = |w|^2 - 2 w.m_k + |m_k|^2 for each window w (as the Python
// measurement computed it). The cross terms of all windows are accumulated
// pixel by pixel, in canvas order, skipping the blank pixels (most of the
// canvas; a zero adds nothing): each pixel adds its value times the
// template pixel it meets to every window that holds it, for all classes
// at once. A typical scene (about 240 inked pixels) takes 0.14 M
// multiply-adds instead of the 2 M of the direct sums: 20,000 scenes in
// about 0.5 s on one core. |w|^2 comes from a summed-area table of the
// squares, in double.
void SceneEncoder::encode(const float *canvas, float *features) const {
  constexpr int64_t W = kCanvasSide;
  constexpr int kCellOffsets = int((kCellSlack + 1) * (kCellSlack + 1));
  constexpr int kBlockOffsets = int((kBlockSlack + 1) * (kBlockSlack + 1));
  constexpr int kCells = kGridCells * kGridCells;
  constexpr int kBlocks = kGridBlocks * kGridBlocks;
  alignas(64) float cellDot[kCells][kCellOffsets][kLanes] = {};
  alignas(64) float blockDot[kBlocks][kBlockOffsets][kLanes] = {};
  // sq[(y + 1) * (W + 1) + x + 1]: the sum of squares above and left of
  // (y, x), inclusive.
  std::vector<double> sq((W + 1) * (W + 1), 0.0);
  for (int64_t y = 0; y < W; ++y) {
    double row = 0;
    for (int64_t x = 0; x < W; ++x) {
      const float v = canvas[y * W + x];
      row += double(v) * double(v);
      sq[(y + 1) * (W + 1) + x + 1] = sq[y * (W + 1) + x + 1] + row;
      if (v == 0.0f)
        continue;
      // Its cell, and the offsets whose window holds it.
      {
        const int64_t ry = y % kCellSide, rx = x % kCellSide;
        float(*acc)[kLanes] =
            cellDot[(y / kCellSide) * kGridCells + x / kCellSide];
        for (int64_t dy = std::max<int64_t>(0, ry - kSmallSide + 1),
                     dyEnd = std::min(kCellSlack, ry);
             dy <= dyEnd; ++dy)
          for (int64_t dx = std::max<int64_t>(0, rx - kSmallSide + 1),
                       dxEnd = std::min(kCellSlack, rx);
               dx <= dxEnd; ++dx)
            axpy<kLanes>(
                acc[dy * (kCellSlack + 1) + dx], v,
                &smallLanes_[((ry - dy) * kSmallSide + rx - dx) * kLanes]);
      }
      // Its blocks (one or two per axis).
      for (int64_t br = std::max<int64_t>(0, y / kCellSide - 1),
                   brEnd = std::min<int64_t>(kGridBlocks - 1, y / kCellSide);
           br <= brEnd; ++br)
        for (int64_t bc = std::max<int64_t>(0, x / kCellSide - 1),
                     bcEnd = std::min<int64_t>(kGridBlocks - 1, x / kCellSide);
             bc <= bcEnd; ++bc) {
          const int64_t ry = y - br * kCellSide, rx = x - bc * kCellSide;
          float(*acc)[kLanes] = blockDot[br * kGridBlocks + bc];
          for (int64_t dy = std::max<int64_t>(0, ry - kDigitSide + 1),
                       dyEnd = std::min(kBlockSlack, ry);
               dy <= dyEnd; ++dy)
            for (int64_t dx = std::max<int64_t>(0, rx - kDigitSide + 1),
                         dxEnd = std::min(kBlockSlack, rx);
                 dx <= dxEnd; ++dx)
              axpy<kLanes>(
                  acc[dy * (kBlockSlack + 1) + dx], v,
                  &largeLanes_[((ry - dy) * kDigitSide + rx - dx) * kLanes]);
        }
    }
  }
  auto windowSquares = [&](int64_t y, int64_t x, int64_t side) {
    return sq[(y + side) * (W + 1) + x + side] - sq[y * (W + 1) + x + side] -
           sq[(y + side) * (W + 1) + x] + sq[y * (W + 1) + x];
  };
  // The least distance over the offsets, per class, then relative to the
  // nearest class.
  auto place = [&](const float(*dot)[kLanes], int64_t y0, int64_t x0,
                   int64_t side, int64_t slack, const double *norm,
                   float *out) {
    double best[kClasses];
    std::fill(best, best + kClasses, std::numeric_limits<double>::infinity());
    for (int64_t dy = 0; dy <= slack; ++dy)
      for (int64_t dx = 0; dx <= slack; ++dx) {
        const double ww = windowSquares(y0 + dy, x0 + dx, side);
        const float *d = dot[dy * (slack + 1) + dx];
        for (int k = 0; k < kClasses; ++k)
          best[k] = std::min(best[k], ww - 2.0 * double(d[k]) + norm[k]);
      }
    const double nearest = *std::min_element(best, best + kClasses);
    for (int k = 0; k < kClasses; ++k)
      out[k] = float((nearest - best[k]) / double(side * side) * kMatchScale);
  };
  for (int r = 0; r < kGridCells; ++r)
    for (int c = 0; c < kGridCells; ++c)
      place(cellDot[r * kGridCells + c], r * kCellSide, c * kCellSide,
            kSmallSide, kCellSlack, smallNorm_,
            features + cellFeature(r, c, 0));
  for (int r = 0; r < kGridBlocks; ++r)
    for (int c = 0; c < kGridBlocks; ++c)
      place(blockDot[r * kGridBlocks + c], r * kCellSide, c * kCellSide,
            kDigitSide, kBlockSlack, largeNorm_,
            features + blockFeature(r, c, 0));
  // The pooled canvas: each block's sum in row-major order.
  for (int r = 0; r < kPooledSide; ++r)
    for (int c = 0; c < kPooledSide; ++c) {
      float sum = 0;
      for (int64_t i = 0; i < kPool; ++i)
        for (int64_t j = 0; j < kPool; ++j)
          sum += canvas[(r * kPool + i) * W + c * kPool + j];
      features[pooledFeature(r, c)] = sum / float(kPool * kPool);
    }
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
                           const SceneEncoder &encoder,
                           const std::vector<int64_t> &pool, int64_t count,
                           uint64_t seed, const std::string &split,
                           int maxDigits) {
  if (count < 0)
    throw InputError("the " + split + " set of captioned scenes cannot have " +
                     std::to_string(count) + " images");
  if (maxDigits < 1 || maxDigits > kMaxDigits)
    throw InputError("a scene holds 1 to " + std::to_string(kMaxDigits) +
                     " digits, not up to " + std::to_string(maxDigits));
  requireMnistSize(mnist);
  if (count > 0 && pool.empty())
    throw InputError("the " + split +
                     " scenes need MNIST images, but their part of the "
                     "file holds none");
  CaptionedImages out;
  out.count = count;
  out.features.resize(size_t(count * kFeatureWidth));
  for (int64_t i = 0; i < count; ++i) {
    Rng sceneRng(seed, "captioning." + split + ".scene", uint64_t(i));
    Scene s = sampleScene(mnist, pool, maxDigits, sceneRng);
    encoder.encode(renderCanvas(mnist, s).data(),
                   out.features.data() + i * kFeatureWidth);
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
  const SceneEncoder encoder(buildTemplates(mnistTrain));
  SceneSplits s;
  s.train = makeScenes(mnistTrain, encoder, trainPool, trainSize, seed, "train",
                       maxDigits);
  s.val =
      makeScenes(mnistTest, encoder, valPool, valSize, seed, "val", maxDigits);
  s.test = makeScenes(mnistTest, encoder, testPool, testSize, seed, "test",
                      maxDigits);
  return s;
}

} // namespace ccrnn::driver::captioning
