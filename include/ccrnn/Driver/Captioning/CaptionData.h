//===- CaptionData.h - A captioning run's data, ready to train ---*- C++ -*-===//
//
// What the captioning task trains and evaluates on: the images' feature
// vectors, their reference captions (tokenized), the vocabulary of the
// training captions, and the captions of the kept lengths as token ids.
// Made once per run (the data do not depend on the seed: the seeds vary the
// weights, the dropout masks and the batch order, as in the reference,
// whose COCO data are fixed) from
//  - COCO-format files (--captions, --features, --feature-ids and their
//    --val-* counterparts; Coco.h), or
//  - the bundled MNIST scenes (Scenes.h), made from the MNIST files with
//    data seed 0: --train-size training scenes and --val-size validation
//    scenes, five captions each.
// Every failure is an InputError naming the file or flag.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CAPTIONING_CAPTIONDATA_H
#define CCRNN_DRIVER_CAPTIONING_CAPTIONDATA_H

#include "ccrnn/Driver/Captioning/Bleu.h"
#include "ccrnn/Driver/Captioning/Vocabulary.h"
#include "ccrnn/Driver/TrainConfig.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ccrnn::driver::captioning {

/// Images with their feature vectors and reference captions.
struct CaptionImages {
  int64_t count = 0, width = 0;
  std::vector<float> features; ///< [count, width]
  /// The image's id (COCO's image id; the scene's index).
  std::vector<int64_t> ids;
  /// Every caption of each image, as text and tokenized.
  std::vector<std::vector<std::string>> texts;
  std::vector<std::vector<Tokens>> references;
};

/// A caption of a kept length as token ids: <start> ... <end>.
struct EncodedCaption {
  int64_t image = 0; ///< index into CaptionImages
  std::vector<int64_t> ids;
  int64_t length() const { return int64_t(ids.size()); }
};

struct CaptionSplit {
  CaptionImages images;
  std::vector<EncodedCaption> captions; ///< of the kept lengths
  int64_t allCaptions = 0;              ///< before the length filter
  /// Each kept caption's length (tokens with <start> and <end>).
  std::vector<int64_t> lengths() const;
  /// An image's length for BLEU by length: the (lower) median length of its
  /// reference captions, tokens with <start> and <end>.
  int64_t imageLength(int64_t image) const;
};

/// Raw data before the vocabulary: images with their captions as text.
struct RawCaptions {
  std::string source; ///< what it was read from, for messages
  CaptionImages images; ///< `references` not yet filled
};

struct CaptionCorpus {
  std::string source;      ///< "bundled MNIST scenes" or the COCO file
  bool bundled = false;
  std::optional<Vocabulary> vocab;
  CaptionSplit train, val;
  int64_t minLength = 0, maxLength = 0;
  /// BLEU's length buckets (image lengths, see imageLength).
  LengthBuckets buckets;
  int64_t featureWidth() const { return train.images.width; }
};

/// The caption-length range of a run: the flags, else the data's default
/// (COCO 11..15, the bundled scenes 6..24).
std::pair<int64_t, int64_t> lengthRange(const TrainConfig &config);
/// BLEU's buckets: COCO short <= 12, medium 13..14, long >= 15 tokens;
/// the bundled scenes short <= 10, medium 11..16, long >= 17.
LengthBuckets lengthBuckets(bool bundled);

/// The corpus of `train` and `val`: the vocabulary of the training
/// captions (count >= threshold), every caption tokenized, those of
/// lengths [minLength, maxLength] encoded. InputError when the vocabulary
/// is empty, or when a split keeps no caption (naming the range and the
/// lengths there are).
CaptionCorpus buildCorpus(RawCaptions train, RawCaptions val,
                          int64_t threshold, int64_t minLength,
                          int64_t maxLength, bool bundled);

/// The COCO files of one split: captions joined with their features (every
/// caption's image must have a row; `expectedWidth` > 0 checks D).
RawCaptions readCocoSplit(const std::string &captionsFlag,
                          const std::string &captions,
                          const std::string &features,
                          const std::string &featureIds,
                          int64_t expectedWidth);

/// The run's corpus (COCO files when --captions is given, else the bundled
/// scenes from the MNIST files of --data-dir).
CaptionCorpus loadCorpus(const TrainConfig &config);

/// Checks the flags that name data files (all three of a split or none;
/// validation files with training files; files readable), without reading
/// them whole: InputError naming the flag.
void checkCaptionFiles(const TrainConfig &config);

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_CAPTIONDATA_H
