//===- Coco.h - COCO caption annotations and image features -----*- C++ -*-===//
//
// The captioning task's real data, brought by the user (issue 15): a COCO
// caption annotation file
//
//   {"images": [{"id": 9, "file_name": "COCO_train2014_...jpg"}, ...],
//    "annotations": [{"image_id": 9, "id": 48, "caption": "A ..."}, ...]}
//
// (other keys are ignored), the image features as a NumPy file F.npy of
// shape [N, D] (float32, as tools/extract-features.py writes; float64 is
// read too), and the image ids of F's rows as a second NumPy file of shape
// [N], int64 (or int32). The ids are a .npy rather than a text file because
// the script that writes the features writes them with the same call
// (np.save), the reader is the one F already needs, and the row count is
// checked against F's exactly.
//
// Every failure is an InputError whose message starts with the file and
// says what was expected.
//
// The features go through the project's .npy reader (ccrnn/Runtime/Npz.h),
// which holds values as double: reading F takes about three times F's size
// at its peak (the file's bytes, the doubles, then the floats kept), e.g.
// about 2 GB for COCO train2014's 82,783 x 2048 float32 features.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CAPTIONING_COCO_H
#define CCRNN_DRIVER_CAPTIONING_COCO_H

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ccrnn::driver::captioning {

struct CocoImage {
  int64_t id = 0;
  std::string fileName; ///< "" when the file gives none.
};

struct CocoCaption {
  int64_t id = 0; ///< The annotation's id.
  int64_t imageId = 0;
  std::string caption; ///< As in the file (not tokenized).
};

struct CocoCaptions {
  std::string path;
  std::vector<CocoImage> images;     ///< In file order.
  std::vector<CocoCaption> captions; ///< In file order.
};

/// Reads a COCO caption annotation file. InputError when it cannot be read,
/// is not JSON, has no "images" or "annotations" array, has an image
/// without an integer "id" (or a non-string "file_name") or an annotation
/// without integer "id" and "image_id" and a string "caption", has an image
/// id twice, has an annotation whose image is not in "images", or has no
/// annotations.
CocoCaptions readCocoCaptions(const std::string &path);

struct ImageFeatures {
  std::string path, idsPath;
  int64_t rows = 0, dim = 0;
  std::vector<float> data;       ///< [rows, dim], row-major.
  std::vector<int64_t> imageIds; ///< The image of each row.

  /// The row of `imageId`, -1 when it has none.
  int64_t row(int64_t imageId) const;

  /// imageIds inverted: image id -> row.
  std::unordered_map<int64_t, int64_t> rowOf;
};

/// Reads the features [N, D] and the image id of each row. InputError when
/// either file cannot be read or is not .npy, the features are not a 2-D
/// float32/float64 array with N >= 1 and D >= 1, D differs from
/// `expectedDim` (when > 0), the ids are not a 1-D int64/int32 array of N
/// values, or an image id occurs twice.
ImageFeatures readImageFeatures(const std::string &featuresPath,
                                const std::string &idsPath,
                                int64_t expectedDim = 0);

/// One caption with the feature row of its image.
struct CaptionSample {
  int64_t captionId = 0;
  int64_t imageId = 0;
  int64_t row = 0; ///< In ImageFeatures::data.
  std::string caption;
};

/// Every caption of `captions` with its image's feature row, in the
/// annotation file's order. InputError when a caption's image has no row
/// (the message names both files, the first such image and how many
/// captions lack features).
std::vector<CaptionSample> joinCaptions(const CocoCaptions &captions,
                                        const ImageFeatures &features);

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_COCO_H
