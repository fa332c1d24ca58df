//===- Idx.h - MNIST's IDX files ---------------------------------*- C++ -*-===//
//
// Reads the IDX files of MNIST and Fashion-MNIST (SPEC §6): unsigned-byte
// images (magic 0x00000803: count, rows, cols, then the pixels row-major) and
// labels (magic 0x00000801: count, then one byte per label), all dimensions
// big-endian 32-bit. Uncompressed files only (tools/install-data.sh
// decompresses). No MLIR here: the driver uses it.
//
// Every failure throws Error, whose message starts with the file and says
// what was expected: a missing file (and the command that installs it), a
// wrong magic number, a size that does not match the dimensions (truncated
// or trailing bytes), image and label counts that differ, a label outside
// 0..9.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_RUNTIME_IDX_H
#define CCRNN_RUNTIME_IDX_H

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ccrnn::idx {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  // Out of line so that the vtable and type info live in Idx.cpp, compiled
  // with RTTI; the unit tests, compiled without, can still catch Error.
  ~Error() override;
};

/// count images of rows x cols pixels; pixels holds count*rows*cols bytes,
/// image after image, each row-major.
struct Images {
  int64_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;
};

struct Labels {
  std::vector<uint8_t> values;
};

/// Reads an IDX image file (magic 0x00000803).
Images readImages(const std::string &path);
/// Reads an IDX label file (magic 0x00000801).
Labels readLabels(const std::string &path);

struct Dataset {
  Images images;
  Labels labels;
};

/// Reads an image file and its label file; checks that the counts are equal
/// and that every label is in 0..9.
Dataset readDataset(const std::string &imagesPath,
                    const std::string &labelsPath);

/// The default directory of a data set (name "mnist" or "fashion-mnist"):
/// $CCRNN_DATA_DIR/<name> when CCRNN_DATA_DIR is set and not empty, else
/// ~/.cache/ccrnn/data/<name> (homeDirectory(); std::runtime_error when
/// there is none, rather than the current directory). A --data-dir
/// flag, when given, replaces this and names the directory of the files
/// itself. tools/install-data.sh and test/lit.cfg.py compute the same.
std::string defaultDataDir(const std::string &name);

/// The four files of a data set directory, with the standard (uncompressed)
/// names.
struct Paths {
  std::string trainImages; // <dir>/train-images-idx3-ubyte
  std::string trainLabels; // <dir>/train-labels-idx1-ubyte
  std::string testImages;  // <dir>/t10k-images-idx3-ubyte
  std::string testLabels;  // <dir>/t10k-labels-idx1-ubyte
};

/// The paths of the four files under dir. Does not look at the disk; the
/// readers report a missing file. Only the uncompressed names: a directory
/// that holds only the .gz files is reported as missing files (with a hint
/// to decompress them).
Paths dataPaths(const std::string &dir);

/// The training set (60000 images for MNIST) of the data set in dir.
Dataset readTrain(const std::string &dir);
/// The test set (10000 images for MNIST) of the data set in dir.
Dataset readTest(const std::string &dir);

/// The SHA-256 of a file, as 64 lowercase hex digits (OpenSSL's EVP API).
std::string sha256File(const std::string &path);

} // namespace ccrnn::idx

#endif // CCRNN_RUNTIME_IDX_H
