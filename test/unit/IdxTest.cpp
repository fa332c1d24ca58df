//===- IdxTest.cpp - MNIST's IDX files ----------------------------*- C++ -*-===//
//
// Small IDX files written by hand from the format (big-endian magic and
// dimensions, then unsigned bytes), valid and corrupt; every error message
// must name the file. The real MNIST files are checked by
// test/Tools/mnist-data.test (ccrnn-data check) when they are installed.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/Idx.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

using namespace ccrnn::idx;
namespace fs = std::filesystem;

namespace {

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const Error &e) {
    return e.what();
  }
  return "(no error)";
}

void put32(std::string &s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    s += char((v >> shift) & 0xff);
}

std::string idx(uint32_t magic, std::vector<uint32_t> dims,
                const std::vector<uint8_t> &data) {
  std::string s;
  put32(s, magic);
  for (uint32_t d : dims)
    put32(s, d);
  s.append(data.begin(), data.end());
  return s;
}

class IdxTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("ccrnn-idx-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string &name, const std::string &bytes) {
    std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  /// Two 2x3 images with pixels 0..11.
  std::string images() {
    std::vector<uint8_t> px;
    for (int i = 0; i < 12; ++i)
      px.push_back(uint8_t(i * 20));
    return idx(0x803, {2, 2, 3}, px);
  }

  fs::path dir;
};

TEST_F(IdxTest, ReadsImagesAndLabels) {
  std::string ip = write("img", images());
  std::string lp = write("lab", idx(0x801, {2}, {7, 0}));
  Images im = readImages(ip);
  EXPECT_EQ(im.count, 2);
  EXPECT_EQ(im.rows, 2);
  EXPECT_EQ(im.cols, 3);
  ASSERT_EQ(im.pixels.size(), 12u);
  EXPECT_EQ(im.pixels[0], 0);
  EXPECT_EQ(im.pixels[5], 100);  // image 0, row 1, col 2
  EXPECT_EQ(im.pixels[11], 220); // image 1, row 1, col 2
  Labels lb = readLabels(lp);
  EXPECT_EQ(lb.values, (std::vector<uint8_t>{7, 0}));
  Dataset d = readDataset(ip, lp);
  EXPECT_EQ(d.images.count, 2);
  EXPECT_EQ(d.labels.values.size(), 2u);
}

TEST_F(IdxTest, EmptyFilesAreValid) {
  Dataset d = readDataset(write("img", idx(0x803, {0, 28, 28}, {})),
                          write("lab", idx(0x801, {0}, {})));
  EXPECT_EQ(d.images.count, 0);
  EXPECT_EQ(d.images.rows, 28);
  EXPECT_TRUE(d.labels.values.empty());
}

TEST_F(IdxTest, MissingFileSaysWhatToRun) {
  std::string path = (dir / "train-images-idx3-ubyte").string();
  std::string msg = errorOf([&] { readImages(path); });
  EXPECT_NE(msg.find(path + ": not found"), std::string::npos) << msg;
  EXPECT_NE(msg.find("run tools/install-data.sh"), std::string::npos) << msg;
}

TEST_F(IdxTest, OnlyGzippedFileSaysToDecompress) {
  write("train-labels-idx1-ubyte.gz", "\x1f\x8b");
  std::string path = (dir / "train-labels-idx1-ubyte").string();
  std::string msg = errorOf([&] { readLabels(path); });
  EXPECT_NE(msg.find(path + ": not found, but " + path + ".gz is"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("gunzip -k"), std::string::npos) << msg;
}

TEST_F(IdxTest, BadMagic) {
  // A label file where images are expected, and vice versa.
  std::string lp = write("lab", idx(0x801, {2}, {1, 2}));
  std::string msg = errorOf([&] { readImages(lp); });
  EXPECT_EQ(msg, lp + ": bad magic number 0x00000801, expected 0x00000803 "
                      "(IDX images file, unsigned bytes)");
  std::string ip = write("img", images());
  msg = errorOf([&] { readLabels(ip); });
  EXPECT_EQ(msg, ip + ": bad magic number 0x00000803, expected 0x00000801 "
                      "(IDX labels file, unsigned bytes)");
  // A gzip file read as IDX.
  std::string gz = write("gz", std::string("\x1f\x8b\x08\x00\x00\x00", 6));
  msg = errorOf([&] { readImages(gz); });
  EXPECT_NE(msg.find(gz + ": bad magic number 0x1f8b0800"), std::string::npos)
      << msg;
}

TEST_F(IdxTest, Truncated) {
  std::string all = images();
  std::string p = write("img", all.substr(0, all.size() - 1));
  EXPECT_EQ(errorOf([&] { readImages(p); }),
            p + ": truncated: 27 bytes, expected 28 for 2x2x3 images");
  p = write("short-header", all.substr(0, 10));
  EXPECT_EQ(errorOf([&] { readImages(p); }),
            p + ": truncated: 10 bytes, expected a header of 16 bytes");
  p = write("empty", "");
  EXPECT_EQ(errorOf([&] { readLabels(p); }),
            p + ": truncated: 0 bytes, expected an IDX labels file (magic "
                "0x00000801)");
}

TEST_F(IdxTest, TrailingBytes) {
  std::string p = write("lab", idx(0x801, {2}, {1, 2, 3}));
  EXPECT_EQ(errorOf([&] { readLabels(p); }),
            p + ": 1 trailing bytes: 11 bytes, expected 10 for 2 labels");
}

// A header's dimensions are bounded before they are multiplied (issue 17,
// class 9): both files below were accepted, the first leaving rows * cols
// to overflow int64_t in the tasks, the second (its product wrapped to 0)
// claiming 2^20 images of 2^20 x 2^24 pixels in a 16-byte file.
TEST_F(IdxTest, HugeDimensionsAreRefused) {
  std::string p = write("huge", idx(0x803, {0, 0xffffffffu, 0xffffffffu}, {}));
  EXPECT_EQ(errorOf([&] { readImages(p); }),
            p + ": dimensions 0x4294967295x4294967295 too large for an IDX "
                "images file: over 2^40 values (an empty axis counted as 1)");
  p = write("wraps", idx(0x803, {1u << 20, 1u << 20, 1u << 24}, {}));
  EXPECT_EQ(errorOf([&] { readImages(p); }),
            p + ": dimensions 1048576x1048576x16777216 too large for an IDX "
                "images file: over 2^40 values (an empty axis counted as 1)");
  // The largest product allowed is fine (and then the file is truncated).
  p = write("bound", idx(0x803, {1u << 8, 1u << 16, 1u << 16}, {}));
  EXPECT_EQ(errorOf([&] { readImages(p); }),
            p + ": truncated: 16 bytes, expected 1099511627792 for "
                "256x65536x65536 images");
}

TEST_F(IdxTest, CountMismatch) {
  std::string ip = write("img", images());
  std::string lp = write("lab", idx(0x801, {3}, {1, 2, 3}));
  EXPECT_EQ(errorOf([&] { readDataset(ip, lp); }),
            lp + ": 3 labels, expected 2, one per image of " + ip);
}

TEST_F(IdxTest, LabelOutOfRange) {
  std::string ip = write("img", images());
  std::string lp = write("lab", idx(0x801, {2}, {9, 10}));
  EXPECT_EQ(readLabels(lp).values[1], 10); // the file itself is well-formed
  EXPECT_EQ(errorOf([&] { readDataset(ip, lp); }),
            lp + ": label 10 at index 1, expected a digit class in 0..9");
}

TEST_F(IdxTest, DataPathsAndTrainTest) {
  Paths p = dataPaths("/d/mnist/");
  EXPECT_EQ(p.trainImages, "/d/mnist/train-images-idx3-ubyte");
  EXPECT_EQ(p.trainLabels, "/d/mnist/train-labels-idx1-ubyte");
  EXPECT_EQ(p.testImages, "/d/mnist/t10k-images-idx3-ubyte");
  EXPECT_EQ(p.testLabels, "/d/mnist/t10k-labels-idx1-ubyte");

  write("train-images-idx3-ubyte", images());
  write("train-labels-idx1-ubyte", idx(0x801, {2}, {3, 4}));
  Dataset train = readTrain(dir.string());
  EXPECT_EQ(train.labels.values, (std::vector<uint8_t>{3, 4}));
  std::string msg = errorOf([&] { readTest(dir.string()); });
  EXPECT_NE(msg.find((dir / "t10k-images-idx3-ubyte").string() +
                     ": not found; run tools/install-data.sh"),
            std::string::npos)
      << msg;
}

TEST_F(IdxTest, DefaultDataDir) {
  const char *oldEnv = std::getenv("CCRNN_DATA_DIR");
  std::string saved = oldEnv ? oldEnv : "";
  ::setenv("CCRNN_DATA_DIR", "/data", 1);
  EXPECT_EQ(defaultDataDir("mnist"), "/data/mnist");
  EXPECT_EQ(defaultDataDir("fashion-mnist"), "/data/fashion-mnist");
  ::unsetenv("CCRNN_DATA_DIR");
  const char *home = std::getenv("HOME");
  if (home && *home) {
    EXPECT_EQ(defaultDataDir("mnist"),
              std::string(home) + "/.cache/ccrnn/data/mnist");
  }
  if (oldEnv)
    ::setenv("CCRNN_DATA_DIR", saved.c_str(), 1);
}

TEST_F(IdxTest, Sha256) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(sha256File(write("empty", "")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256File(write("abc", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // More than one read buffer (64 KiB): a million a's.
  EXPECT_EQ(sha256File(write("big", std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  std::string missing = (dir / "nope").string();
  EXPECT_EQ(errorOf([&] { sha256File(missing); }),
            missing + ": not found; run tools/install-data.sh (MNIST; add "
                      "--fashion for Fashion-MNIST, --data-dir DIR for another "
                      "directory)");
}

} // namespace
