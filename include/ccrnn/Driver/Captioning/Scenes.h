//===- Scenes.h - The bundled captioning data set: MNIST scenes -*- C++ -*-===//
//
// The captioning task's default data, made on the fly from the MNIST files
// the project already installs, so that `--task captioning` needs no
// download. A scene is 1..4 MNIST digits on a 64 x 64 canvas, each small
// (the 28 x 28 image averaged 2 x 2 down to 14 x 14) or large (28 x 28).
// The canvas is a 4 x 4 grid of 16-pixel cells: a small digit takes one
// free cell, a large one a free 2 x 2 block of cells, anywhere inside it
// (0..2 or 0..4 pixels of slack), so no two digits overlap at all. Each
// scene has five captions, generated from its true content by the grammar
// below.
//
// Its image features (kFeatureWidth = 506 floats) are fixed, a function of
// the canvas and of the MNIST training images only (SceneEncoder): at each
// of the 25 places a digit can take, the 16 cells (small) and the 9 2 x 2
// blocks of cells (large), how far the best-aligned window (over the
// place's slack) is from each class's mean training image at that size
// (ClassTemplates), as 0 for the nearest class and negative for the others
// (250 floats); then the canvas averaged over 4 x 4 pixels (256 floats),
// for where the ink is and what the templates miss.
//
// Why cells and templates: the decoder reads the image through one
// trainable Linear layer, which can learn a template per place but not
// translation invariance. On the grid each digit sits within a few pixels
// of one of the 25 places, as aligned as MNIST itself; the encoder takes
// the best of those few alignments, which a linear layer cannot, against
// the class means of all the MNIST training images, so the identities
// reach the decoder already read: with the reference's decoder it names
// exactly the scene's digits twice as often as from the canvas pooled
// 2 x 2 (docs/Rationale.md, "Captioning", has the numbers).
//
// The grammar (lower-case words separated by single spaces, no punctuation,
// digits spelled "zero".."nine"; "a" becomes "an" before "eight", and the
// opener "an image of" keeps its "an"):
//
//   item     := article [size] name [where]
//   size     := "small" | "large"
//   where    := place | relation
//   place    := wording A: "at the top left" | "at the top" | "on the left"
//               | "in the middle" | ... (thirds of the canvas, by the
//               digit's centre)
//               wording B: "in the top left corner" | "near the top"
//               | "on the left side" | "in the center" | ...
//   relation := "to its right" | "to its left" | "above it" | "below it"
//               (from the previous item's digit, along the axis on which
//               the centres differ most; the horizontal on a tie)
//   caption  := [opener] item ("and" item)*
//   opener   := "an image of" | "a picture of"
//
// Each scene's five captions are of five kinds, one of each (the digits in
// a fresh random order unless said otherwise):
//   1 bare     "a three and a five"                                3n - 1
//   2 sized    [opener] "a small three and a large five"    4n - 1 (+3)
//   3 placed   every item with its place (wording A)          ~7n - 1
//   4 related  reading order (top to bottom, then left to right); the
//              first item placed (wording B), each other item related
//              to the one before: "a small three in the top left corner
//              and a large five to its right and a small one below it"
//                                                             ~6.5n
//   5 paired   consecutive pairs "a large five below a small three"
//              joined by "and"; an odd last item is placed (wording A
//              or B). One digit: "a three at the top left" (no size).
// so that caption length grows with the number of digits and the detail:
// 2..8 words for one digit, up to ~35 for four. Every caption names
// exactly the digits of its scene (the only number words in the grammar).
//
// Data splits: the training scenes are made of MNIST training images; the
// validation scenes of the first half of the MNIST test images and the
// test scenes of the second half, so that no digit image is shared between
// the splits. Everything is deterministic given the seed: scene i of split
// s comes from streams "captioning.<s>.scene" and "captioning.<s>.captions",
// index i, so it does not depend on the sizes of the splits.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CAPTIONING_SCENES_H
#define CCRNN_DRIVER_CAPTIONING_SCENES_H

#include "ccrnn/Runtime/Idx.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::driver {
class Rng;
}

namespace ccrnn::driver::captioning {

constexpr int64_t kCanvasSide = 64;
constexpr int64_t kDigitSide = 28; ///< a large digit: MNIST's own size
constexpr int64_t kSmallSide = 14; ///< a small digit: averaged 2 x 2
constexpr int64_t kCellSide = 16;  ///< the placement grid's cells
constexpr int kGridCells = 4;      ///< per side: kCanvasSide / kCellSide
constexpr int kClasses = 10;       ///< digit classes, 0..9
/// The encoder's places (header comment): kGridCells^2 cells, each with
/// kCellSlack + 1 offsets per axis, and kGridBlocks^2 2 x 2 blocks of
/// cells, each with kBlockSlack + 1.
constexpr int kGridBlocks = kGridCells - 1;                 // 3 per side
constexpr int64_t kCellSlack = kCellSide - kSmallSide;      // 2 pixels
constexpr int64_t kBlockSlack = 2 * kCellSide - kDigitSide; // 4 pixels
/// The encoder's pooling window, and the feature vector: kCellFeatures,
/// then kBlockFeatures, then kPooledWidth (the *Feature functions below).
constexpr int64_t kPool = 4;
constexpr int64_t kPooledSide = kCanvasSide / kPool;                     // 16
constexpr int64_t kPooledWidth = kPooledSide * kPooledSide;              // 256
constexpr int64_t kCellFeatures = kGridCells * kGridCells * kClasses;    // 160
constexpr int64_t kBlockFeatures = kGridBlocks * kGridBlocks * kClasses; // 90
constexpr int64_t kFeatureWidth =
    kCellFeatures + kBlockFeatures + kPooledWidth; // 506
/// The template features' scale: a mean squared difference per pixel
/// 1 / kMatchScale above the nearest class's reads as -1 (SceneEncoder).
constexpr double kMatchScale = 20;

/// The feature of class k at cell (row r, column c), r, c < kGridCells.
constexpr int64_t cellFeature(int r, int c, int k) {
  return (r * kGridCells + c) * kClasses + k;
}
/// The feature of class k at the block of cells whose top-left cell is
/// (r, c), r, c < kGridBlocks.
constexpr int64_t blockFeature(int r, int c, int k) {
  return kCellFeatures + (r * kGridBlocks + c) * kClasses + k;
}
/// The mean of the canvas's kPool x kPool block (r, c), r, c < kPooledSide.
constexpr int64_t pooledFeature(int r, int c) {
  return kCellFeatures + kBlockFeatures + r * kPooledSide + c;
}

constexpr int kMaxDigits = 4;
constexpr int kCaptionsPerScene = 5;

struct PlacedDigit {
  int label = 0;     ///< 0..9
  int64_t image = 0; ///< the MNIST image (index into its file)
  bool large = false;
  int64_t x = 0, y = 0; ///< top-left corner on the canvas (y downwards)

  int64_t side() const { return large ? kDigitSide : kSmallSide; }
  /// Twice the centre (integers): x + side / 2, y + side / 2.
  int64_t centerX2() const { return 2 * x + side(); }
  int64_t centerY2() const { return 2 * y + side(); }
};

/// The true content of a canvas: what the captions describe.
struct Scene {
  std::vector<PlacedDigit> digits;
};

/// Whether the two digits' boxes intersect (never, in a sampled scene).
bool overlaps(const PlacedDigit &a, const PlacedDigit &b);

/// A random scene: 1..maxDigits digits (uniform), each large with
/// probability 1/2, its image drawn uniformly from `pool` (indices into
/// `mnist`); in turn, each takes a free block of cells drawn uniformly
/// (header comment). A large digit that finds no free 2 x 2 block (after
/// a central one, or three) becomes small.
Scene sampleScene(const idx::Dataset &mnist,
                  const std::vector<int64_t> &pool, int maxDigits, Rng &rng);

/// The image of a digit at its size, side x side bytes: the MNIST image, or
/// its 2 x 2 averages (rounded to nearest) for a small digit.
std::vector<uint8_t> digitPixels(const idx::Dataset &mnist,
                                 const PlacedDigit &d);

/// The canvas of a scene, kCanvasSide^2 floats row-major, byte / 255 in
/// [0, 1]; where two digits' margins overlap, the brighter pixel wins.
std::vector<float> renderCanvas(const idx::Dataset &mnist, const Scene &scene);

/// Each digit class's mean image over the MNIST training images: what the
/// encoder matches.
struct ClassTemplates {
  /// [kClasses][kDigitSide^2], row-major: the mean of byte / 255 over the
  /// class's images.
  std::vector<float> large;
  /// [kClasses][kSmallSide^2]: the same of the images as small digits
  /// (digitPixels' rounded 2 x 2 averages).
  std::vector<float> small;
};

/// The class means of `mnistTrain` (sums exact, the mean in double, stored
/// as float). A class without images has the blank template (all zeros).
/// InputError unless the images are 28 x 28.
ClassTemplates buildTemplates(const idx::Dataset &mnistTrain);

/// The fixed image encoder (header comment). Of a canvas (kCanvasSide^2
/// floats, row-major), kFeatureWidth floats:
///  - cellFeature(r, c, k): D_k, the least sum of squared differences
///    between templates.small[k] and a kSmallSide^2 window of the canvas
///    whose top-left corner is (kCellSide r + dy, kCellSide c + dx),
///    0 <= dy, dx <= kCellSlack; as (min_j D_j - D_k) / kSmallSide^2 *
///    kMatchScale, in [-kMatchScale, 0], 0 for the nearest class;
///  - blockFeature(r, c, k): the same with templates.large, kDigitSide^2
///    windows at (kCellSide r + dy, kCellSide c + dx), 0 <= dy, dx <=
///    kBlockSlack;
///  - pooledFeature(r, c): the mean of the canvas's kPool x kPool block,
///    in [0, 1].
/// Deterministic: the same canvas gives the same bits (a fixed order of
/// operations, no threads).
class SceneEncoder {
public:
  explicit SceneEncoder(ClassTemplates templates);

  const ClassTemplates &templates() const { return templates_; }

  std::vector<float> encode(const std::vector<float> &canvas) const;
  /// The same into features[0, kFeatureWidth).
  void encode(const float *canvas, float *features) const;

private:
  /// Classes padded to a whole number of SIMD vectors.
  static constexpr int kLanes = 12;
  ClassTemplates templates_;
  /// The templates pixel-major: [side^2][kLanes], lanes past kClasses 0.
  std::vector<float> smallLanes_, largeLanes_;
  /// Each template's squared norm.
  double smallNorm_[kClasses] = {}, largeNorm_[kClasses] = {};
};

/// The caption kinds of the grammar (header comment), in scene order.
enum class CaptionKind { Bare, Sized, Placed, Related, Paired };

/// One caption of `kind` for `scene`; the free choices (order, wording,
/// opener) are drawn from `rng`.
std::string captionScene(const Scene &scene, CaptionKind kind, Rng &rng);

/// The kCaptionsPerScene captions of a scene, one of each kind.
std::vector<std::string> captionsOf(const Scene &scene, Rng &rng);

/// Images with their reference captions, the shape the captioning task
/// trains on.
struct CaptionedImages {
  int64_t count = 0;
  int64_t featureWidth = kFeatureWidth;
  std::vector<float> features;                    ///< [count, featureWidth]
  std::vector<std::vector<std::string>> captions; ///< per image
  std::vector<Scene> scenes;                      ///< the truth, per image
};

/// `count` scenes of digits drawn from `pool` of `mnist`, with their
/// captions and their features by `encoder`; scene i from streams
/// "captioning.<split>.scene" and "captioning.<split>.captions" of `seed`,
/// index i.
CaptionedImages makeScenes(const idx::Dataset &mnist,
                           const SceneEncoder &encoder,
                           const std::vector<int64_t> &pool, int64_t count,
                           uint64_t seed, const std::string &split,
                           int maxDigits = kMaxDigits);

struct SceneSplits {
  CaptionedImages train, val, test;
};

/// The three splits (header comment): training scenes from `mnistTrain`
/// (all its images), validation scenes from the first half of `mnistTest`,
/// test scenes from the second half; all encoded with the templates of
/// `mnistTrain`. InputError on a negative size or an
/// empty pool for a split that needs scenes.
SceneSplits makeSceneSplits(const idx::Dataset &mnistTrain,
                            const idx::Dataset &mnistTest, int64_t trainSize,
                            int64_t valSize, int64_t testSize, uint64_t seed,
                            int maxDigits = kMaxDigits);

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_SCENES_H
