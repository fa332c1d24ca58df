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
// below; its image features are the canvas averaged over 2 x 2 pixels
// (1024 floats).
//
// Why cells rather than free positions: the decoder reads the image through
// one trainable Linear layer, which can learn a template per place but not
// translation invariance. On the grid each digit sits within a few pixels
// of one of 25 places (16 small, 9 large), as aligned as MNIST itself.
// (With the reference's decoder trained on these features, shuffling the
// images doubles the bits per word, but the digits' identities are read
// weakly: docs/Rationale.md, "Captioning", has the numbers and the
// template encoder that reads them twice as well.)
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
/// The encoder's pooling window and the feature vector's width.
constexpr int64_t kPool = 2;
constexpr int64_t kFeatureSide = kCanvasSide / kPool;
constexpr int64_t kFeatureWidth = kFeatureSide * kFeatureSide; // 1024
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

/// The fixed image encoder: the mean of each kPool x kPool block of the
/// canvas, row-major: kFeatureWidth floats in [0, 1].
std::vector<float> encodeCanvas(const std::vector<float> &canvas);

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
/// features and captions; scene i from streams "captioning.<split>.scene"
/// and "captioning.<split>.captions" of `seed`, index i.
CaptionedImages makeScenes(const idx::Dataset &mnist,
                           const std::vector<int64_t> &pool, int64_t count,
                           uint64_t seed, const std::string &split,
                           int maxDigits = kMaxDigits);

struct SceneSplits {
  CaptionedImages train, val, test;
};

/// The three splits (header comment): training scenes from `mnistTrain`
/// (all its images), validation scenes from the first half of `mnistTest`,
/// test scenes from the second half. InputError on a negative size or an
/// empty pool for a split that needs scenes.
SceneSplits makeSceneSplits(const idx::Dataset &mnistTrain,
                            const idx::Dataset &mnistTest, int64_t trainSize,
                            int64_t valSize, int64_t testSize, uint64_t seed,
                            int maxDigits = kMaxDigits);

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_SCENES_H
