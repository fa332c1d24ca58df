//===- Idx.cpp - MNIST's IDX files ----------------------------------------===//

#include "ccrnn/Runtime/Idx.h"
#include "ccrnn/Runtime/UserDirs.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sys/stat.h>

namespace ccrnn::idx {

Error::~Error() = default;

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;

[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw Error(path + ": " + what);
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

/// A missing file names the command that installs the data; a directory with
/// only the .gz file says to decompress it.
[[noreturn]] void cannotOpen(const std::string &path, int err) {
  if (err == ENOENT) {
    if (exists(path + ".gz"))
      fail(path, "not found, but " + path +
                     ".gz is; decompress it (gunzip -k " + path +
                     ".gz) or run tools/install-data.sh");
    fail(path,
         "not found; run tools/install-data.sh (MNIST; add --fashion for "
         "Fashion-MNIST, --data-dir DIR for another directory)");
  }
  fail(path, std::string("cannot open: ") + std::strerror(err));
}

/// The whole file.
std::vector<uint8_t> readFile(const std::string &path) {
  std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "rb"),
                                           &std::fclose);
  if (!f)
    cannotOpen(path, errno);
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0)
    bytes.insert(bytes.end(), buf, buf + n);
  if (std::ferror(f.get()))
    fail(path, "read error");
  return bytes;
}

uint32_t bigEndian32(const std::vector<uint8_t> &b, size_t at) {
  return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) |
         (uint32_t(b[at + 2]) << 8) | uint32_t(b[at + 3]);
}

std::string hex32(uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "0x%08x", v);
  return s;
}

/// Checks the magic number and that the file holds exactly the header and
/// payload bytes; returns the dimensions.
std::vector<uint32_t> readHeader(const std::string &path,
                                 const std::vector<uint8_t> &bytes,
                                 uint32_t magic, const char *kind,
                                 uint64_t &payload) {
  size_t rank = magic & 0xff;
  size_t header = 4 + 4 * rank;
  if (bytes.size() < 4)
    fail(path, "truncated: " + std::to_string(bytes.size()) +
                   " bytes, expected an IDX " + kind + " file (magic " +
                   hex32(magic) + ")");
  uint32_t got = bigEndian32(bytes, 0);
  if (got != magic)
    fail(path, "bad magic number " + hex32(got) + ", expected " +
                   hex32(magic) + " (IDX " + kind + " file, unsigned bytes)");
  if (bytes.size() < header)
    fail(path, "truncated: " + std::to_string(bytes.size()) +
                   " bytes, expected a header of " + std::to_string(header) +
                   " bytes");
  std::vector<uint32_t> dims;
  std::string dimText;
  for (size_t i = 0; i < rank; ++i) {
    dims.push_back(bigEndian32(bytes, 4 + 4 * i));
    dimText += (i ? "x" : "") + std::to_string(dims.back());
  }
  // The dimensions' product is bounded before anything multiplies them
  // (the tasks multiply rows by cols in int64_t): at most 2^40, an empty
  // axis counted as 1, so that 0 images of 2^32-1 x 2^32-1 pixels (which
  // overflowed rows * cols) or 2^20 x 2^20 x 2^24 (whose product wrapped
  // to 0 in 64 bits, so that a 16-byte file passed) are refused.
  constexpr uint64_t kMaxValues = uint64_t(1) << 40;
  uint64_t bound = 1;
  payload = 1;
  for (uint32_t d : dims) {
    const uint64_t factor = d ? d : 1;
    if (bound > kMaxValues / factor)
      fail(path, "dimensions " + dimText + " too large for an IDX " +
                     kind + " file: over 2^40 values (an empty axis " +
                     "counted as 1)");
    bound *= factor;
    payload *= d;
  }
  uint64_t expected = header + payload;
  if (bytes.size() < expected)
    fail(path, "truncated: " + std::to_string(bytes.size()) +
                   " bytes, expected " + std::to_string(expected) + " for " +
                   dimText + " " + kind);
  if (bytes.size() > expected)
    fail(path, std::to_string(bytes.size() - expected) +
                   " trailing bytes: " + std::to_string(bytes.size()) +
                   " bytes, expected " + std::to_string(expected) + " for " +
                   dimText + " " + kind);
  return dims;
}

} // namespace

Images readImages(const std::string &path) {
  std::vector<uint8_t> bytes = readFile(path);
  uint64_t payload;
  std::vector<uint32_t> dims =
      readHeader(path, bytes, kImagesMagic, "images", payload);
  Images images;
  images.count = dims[0];
  images.rows = dims[1];
  images.cols = dims[2];
  images.pixels.assign(bytes.begin() + 16, bytes.end());
  return images;
}

Labels readLabels(const std::string &path) {
  std::vector<uint8_t> bytes = readFile(path);
  uint64_t payload;
  readHeader(path, bytes, kLabelsMagic, "labels", payload);
  Labels labels;
  labels.values.assign(bytes.begin() + 8, bytes.end());
  return labels;
}

Dataset readDataset(const std::string &imagesPath,
                    const std::string &labelsPath) {
  Dataset d;
  d.images = readImages(imagesPath);
  d.labels = readLabels(labelsPath);
  if (int64_t(d.labels.values.size()) != d.images.count)
    fail(labelsPath, std::to_string(d.labels.values.size()) +
                         " labels, expected " +
                         std::to_string(d.images.count) +
                         ", one per image of " + imagesPath);
  for (size_t i = 0; i < d.labels.values.size(); ++i)
    if (d.labels.values[i] > 9)
      fail(labelsPath, "label " + std::to_string(d.labels.values[i]) +
                           " at index " + std::to_string(i) +
                           ", expected a digit class in 0..9");
  return d;
}

std::string defaultDataDir(const std::string &name) {
  const char *env = std::getenv("CCRNN_DATA_DIR");
  if (env && *env)
    return std::string(env) + "/" + name;
  // HOME's .cache, not XDG_CACHE_HOME: tools/install-data.sh and
  // test/lit.cfg.py put the files there.
  const std::string home = homeDirectory();
  if (home.empty())
    throw std::runtime_error(
        "no directory for the data sets: HOME is not set and the user has "
        "no home directory; set CCRNN_DATA_DIR or pass --data-dir");
  return home + "/.cache/ccrnn/data/" + name;
}

Paths dataPaths(const std::string &dir) {
  std::string d = dir.empty() ? "." : dir;
  if (d.size() > 1 && d.back() == '/')
    d.pop_back();
  return {d + "/train-images-idx3-ubyte", d + "/train-labels-idx1-ubyte",
          d + "/t10k-images-idx3-ubyte", d + "/t10k-labels-idx1-ubyte"};
}

Dataset readTrain(const std::string &dir) {
  Paths p = dataPaths(dir);
  return readDataset(p.trainImages, p.trainLabels);
}

Dataset readTest(const std::string &dir) {
  Paths p = dataPaths(dir);
  return readDataset(p.testImages, p.testLabels);
}

std::string sha256File(const std::string &path) {
  std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "rb"),
                                           &std::fclose);
  if (!f)
    cannotOpen(path, errno);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)> ctx(EVP_MD_CTX_new(),
                                                          &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    fail(path, "cannot start SHA-256 (OpenSSL)");
  unsigned char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0)
    if (EVP_DigestUpdate(ctx.get(), buf, n) != 1)
      fail(path, "SHA-256 failed (OpenSSL)");
  if (std::ferror(f.get()))
    fail(path, "read error");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    fail(path, "SHA-256 failed (OpenSSL)");
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += digits[md[i] >> 4];
    hex += digits[md[i] & 15];
  }
  return hex;
}

} // namespace ccrnn::idx
