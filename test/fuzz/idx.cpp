//===- idx.cpp - Fuzz harness: the IDX reader (MNIST's files) -------------===//
//
// The input is an IDX file: read as images (magic 0x00000803) or labels
// (any other magic: the reader says why not). A file that reads is paired
// with a made-up file of the other kind, so that readDataset's checks run
// too, and what was read must hold together the way the tasks use it
// (SeqMnistData.cpp multiplies rows and cols in int64_t).
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "ccrnn/Runtime/Idx.h"

#include <string>
#include <vector>

namespace ccrnn::fuzz {

namespace {

void bigEndian32(std::vector<uint8_t> &out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(uint8_t(v >> shift));
}

/// An IDX file of `count` zero images of 1 x 1 pixel, or `count` zero
/// labels.
std::string companion(const char *name, bool images, uint32_t count) {
  std::vector<uint8_t> bytes;
  bigEndian32(bytes, images ? 0x00000803 : 0x00000801);
  bigEndian32(bytes, count);
  if (images) {
    bigEndian32(bytes, 1);
    bigEndian32(bytes, 1);
  }
  bytes.resize(bytes.size() + count, 0);
  return writeScratchFile(name, bytes.data(), bytes.size());
}

} // namespace

int idxFile(const uint8_t *data, size_t size) {
  const std::string path = writeScratchFile("input-idx", data, size);
  const bool images = size >= 4 && data[3] == 0x03;
  try {
    if (images) {
      idx::Images im = idx::readImages(path);
      // As the tasks use them: an image's pixels (SeqMnistData.cpp), then
      // all of them.
      const int64_t plane = im.rows * im.cols;
      uint64_t all = 0;
      if (im.count < 0 || plane < 0 ||
          __builtin_mul_overflow(uint64_t(plane), uint64_t(im.count), &all) ||
          all != im.pixels.size())
        finding("idx", "images of " + std::to_string(im.count) + " x " +
                           std::to_string(im.rows) + " x " +
                           std::to_string(im.cols) + " with " +
                           std::to_string(im.pixels.size()) + " pixels");
      if (im.count <= (1 << 20))
        idx::readDataset(path, companion("labels", false, uint32_t(im.count)));
    } else {
      idx::Labels labels = idx::readLabels(path);
      if (labels.values.size() <= (1 << 20))
        idx::readDataset(companion("images", true,
                                   uint32_t(labels.values.size())),
                         path);
    }
  } catch (const idx::Error &) {
    // The reader's own error: a one-line message naming the file.
  }
  return 0;
}

} // namespace ccrnn::fuzz
