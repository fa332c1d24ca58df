//===- NpzTest.cpp - NumPy .npy/.npz reading and writing --------*- C++ -*-===//
//
// Expected bytes are written out by hand from the format (numpy/lib/format.py)
// or, for the zip64 archive, produced by Python's zipfile exactly as
// numpy.savez calls it; numpy itself is not needed.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/Npz.h"
#include "ccrnn/Runtime/AtomicFile.h"

#include "gtest/gtest.h"

#include <zip.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <tuple>

using namespace ccrnn::npz;

namespace {

/// The message of the Error `f` throws.
std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const Error &e) {
    return e.what();
  }
  return "(no error)";
}

std::string fromHex(const std::string &hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

/// A version 1.0 .npy file with the header text `dict` (unpadded: readers
/// must not depend on the alignment) followed by `data`.
std::string npy(const std::string &dict, const std::string &data,
                int major = 1) {
  std::string out("\x93NUMPY", 6);
  out += char(major);
  out += '\0';
  size_t length = dict.size() + 1;
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i)
    out += char(length >> (8 * i));
  return out + dict + "\n" + data;
}

Array array(DType dtype, std::vector<int64_t> shape, std::vector<double> data) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data = std::move(data);
  return a;
}

void expectEqual(const Array &expected, const Array &actual) {
  EXPECT_EQ(expected.dtype, actual.dtype);
  EXPECT_EQ(expected.shape, actual.shape);
  EXPECT_EQ(expected.data, actual.data);
}

/// Arrays of every dtype, each as a scalar, 1-D and 3-D, with values at the
/// edges of what the dtype holds.
Archive everyDType() {
  const std::pair<const char *, std::pair<DType, std::vector<double>>>
      kValues[] = {
          {"f32",
           {DType::F32,
            {0.5, -3.25, double(1e-3f), INFINITY, 16777216.0,
             double(std::numeric_limits<float>::denorm_min())}}},
          {"f64",
           {DType::F64, {0.1, -1e300, 5e-324, -INFINITY, 123456789.125}}},
          {"i64", {DType::I64, {-0x1p63, -1, 0x1p53, 0x1p62, 0}}},
          {"i32", {DType::I32, {INT32_MIN, -7, INT32_MAX, 0, 42}}},
          {"u8", {DType::U8, {255, 0, 1, 128}}}};
  const std::pair<const char *, std::vector<int64_t>> kShapes[] = {
      {"scalar", {}}, {"vector", {5}}, {"cube", {2, 3, 2}}};
  Archive archive;
  for (const auto &[dtypeName, dtypeValues] : kValues) {
    for (const auto &[shapeName, shape] : kShapes) {
      Array a = array(dtypeValues.first, shape, {});
      for (int64_t i = 0; i < a.numElements(); ++i)
        a.data.push_back(dtypeValues.second[i % dtypeValues.second.size()]);
      archive[std::string(dtypeName) + "_" + shapeName] = a;
    }
  }
  return archive;
}

TEST(NpzTest, SerializeMatchesNumpySaveByteForByte) {
  // np.save of np.array([1.0, -2.5, 0.0]): the dict, 20 spaces of room for
  // shape[0] to grow to 21 digits, padding to 10 + 118 = 128 bytes, '\n'.
  std::string dict =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  ASSERT_EQ(dict.size(), 57u);
  std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                         std::string(20 + 40, ' ') + "\n" +
                         fromHex("000000000000f03f"   // 1.0
                                 "00000000000004c0"   // -2.5
                                 "0000000000000000"); // 0.0
  ASSERT_EQ(expected.size(), 128u + 24u);
  EXPECT_EQ(serializeNpy(array(DType::F64, {3}, {1.0, -2.5, 0.0})), expected);

  // A scalar gets no growth room: 55 + 62 spaces + '\n' = 118.
  std::string scalar = serializeNpy(array(DType::F64, {}, {2.0}));
  EXPECT_EQ(scalar,
            std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                "{'descr': '<f8', 'fortran_order': False, 'shape': (), }" +
                std::string(62, ' ') + "\n" + fromHex("0000000000000040"));
}

TEST(NpzTest, SerializePadsAnExactFitWith64Spaces) {
  // 10 + dict (97) + growth (20) + '\n' is exactly 128; numpy then still
  // adds 64 spaces rather than none, so the header length is 182, not 118.
  std::vector<int64_t> shape = {1, 10, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  std::string bytes =
      serializeNpy(array(DType::F64, shape, std::vector<double>(100, 0.0)));
  std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, "
                     "10, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), }";
  ASSERT_EQ(dict.size(), 97u);
  EXPECT_EQ(bytes.substr(0, 192), std::string("\x93NUMPY\x01\x00\xb6\x00", 10) +
                                      dict + std::string(20 + 64, ' ') + "\n");
  EXPECT_EQ(bytes.size(), 192u + 800u);
}

TEST(NpzTest, HeadersOfEveryDType) {
  auto dictOf = [](DType dtype, std::vector<int64_t> shape) {
    Array a = array(dtype, shape, {});
    a.data.resize(a.numElements());
    std::string bytes = serializeNpy(a);
    return bytes.substr(10, bytes.find('}') - 9);
  };
  EXPECT_EQ(dictOf(DType::F32, {2, 2}),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }");
  EXPECT_EQ(dictOf(DType::I64, {1}),
            "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }");
  EXPECT_EQ(dictOf(DType::I32, {}),
            "{'descr': '<i4', 'fortran_order': False, 'shape': (), }");
  EXPECT_EQ(dictOf(DType::U8, {2, 3, 4}),
            "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4), }");
}

TEST(NpzTest, RoundTripsEveryDTypeAndShape) {
  for (const auto &[name, a] : everyDType()) {
    SCOPED_TRACE(name);
    std::string bytes = serializeNpy(a);
    // The data starts 64-byte aligned, right after the header's '\n'.
    size_t dataStart = 10 + uint8_t(bytes[8]) + 256 * uint8_t(bytes[9]);
    EXPECT_EQ(dataStart % 64, 0u);
    EXPECT_EQ(bytes[dataStart - 1], '\n');
    expectEqual(a, parseNpy(bytes, name));
  }
}

TEST(NpzTest, IntegersAreLittleEndianTwosComplement) {
  EXPECT_EQ(serializeNpy(array(DType::I32, {2}, {-2, 258})).substr(128),
            fromHex("feffffff02010000")); // -2, 258
  EXPECT_EQ(serializeNpy(array(DType::I64, {1}, {-0x1p63})).substr(128),
            fromHex("0000000000000080"));
  EXPECT_EQ(serializeNpy(array(DType::F32, {1}, {-2})).substr(128),
            fromHex("000000c0"));
  EXPECT_EQ(serializeNpy(array(DType::U8, {2}, {255, 7})).substr(128),
            fromHex("ff07"));
}

TEST(NpzTest, ReadsWhatOtherWritersWrite) {
  // Keys in any order, double quotes, no trailing comma, no padding,
  // Python 2 longs, '<u1', extra spaces.
  Array a = parseNpy(
      npy("{\"shape\": (2L, 1L), 'fortran_order' : False,'descr':'<u1'}",
          fromHex("0309")),
      "other.npy");
  expectEqual(array(DType::U8, {2, 1}, {3, 9}), a);
  // A zero-size array has no data.
  expectEqual(array(DType::F32, {0, 3}, {}),
              parseNpy(npy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (0, 3), }",
                           ""),
                       "empty.npy"));
  // int64 beyond 2^53 is read when it is a double.
  EXPECT_EQ(parseNpy(npy("{'descr': '<i8', 'fortran_order': False, "
                         "'shape': (), }",
                         fromHex("0000000000000010")),
                     "big.npy")
                .data,
            std::vector<double>{0x1p60});
}

TEST(NpzTest, ReadsFormatVersions2And3) {
  std::string dict =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";
  std::string data = fromHex("000000000000f03f");
  for (int major : {2, 3}) {
    SCOPED_TRACE(major);
    expectEqual(array(DType::F64, {1}, {1.0}),
                parseNpy(npy(dict, data, major), "v.npy"));
  }
}

TEST(NpzTest, ParseErrorsNameTheFileAndWhatWasExpected) {
  auto parse = [](const std::string &dict, const std::string &data) {
    return errorOf([&] { parseNpy(npy(dict, data), "w.npy"); });
  };
  EXPECT_EQ(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (200,), }",
                  std::string(12, '\0')),
            "w.npy: truncated: header says 200 values of 4 bytes, file has 12 "
            "bytes of data");
  EXPECT_EQ(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                  std::string(12, '\0')),
            "w.npy: trailing data: header says 2 values of 4 bytes, file has "
            "12 bytes of data");
  EXPECT_EQ(parse("{'descr': '<c16', 'fortran_order': False, 'shape': (), }",
                  std::string(16, '\0')),
            "w.npy: unsupported dtype '<c16' (expected float32, float64, "
            "int64, int32 or uint8)");
  EXPECT_EQ(parse("{'descr': '>f8', 'fortran_order': False, 'shape': (), }",
                  std::string(8, '\0')),
            "w.npy: big-endian dtype '>f8' unsupported (expected "
            "little-endian '<')");
  EXPECT_EQ(parse("{'descr': [('a', '<f4')], 'fortran_order': False, "
                  "'shape': (), }",
                  std::string(4, '\0')),
            "w.npy: unsupported dtype: structured array (expected float32, "
            "float64, int64, int32 or uint8)");
  EXPECT_EQ(parse("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                  std::string(16, '\0')),
            "w.npy: fortran_order True unsupported (expected C order; save "
            "np.ascontiguousarray(x))");
  EXPECT_EQ(parse("{'descr': '<f4', 'fortran_order': False, }", ""),
            "w.npy: malformed header: missing key 'shape' at offset 43 of "
            "\"{'descr': '<f4', 'fortran_order': False, }\"");
  EXPECT_EQ(parse("{'descr': '<f4', 'descr': '<f4', }", ""),
            "w.npy: malformed header: unexpected or repeated key 'descr' at "
            "offset 25 of \"{'descr': '<f4', 'descr': '<f4', }\"");
  EXPECT_EQ(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (5), }",
                  std::string(20, '\0')),
            "w.npy: malformed header: expected ',' after the only dimension "
            "at offset 53 of \"{'descr': '<f4', 'fortran_order': False, "
            "'shape': (5), }\"");
  EXPECT_EQ(parse("{'descr': '<f4', 'fortran_order': False, 'shape': "
                  "(4294967296, 4294967296, 4294967296), }",
                  ""),
            "w.npy: invalid shape (4294967296, 4294967296, 4294967296)");
  EXPECT_EQ(parse("{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
                  fromHex("0100000000002000")),
            "w.npy: int64 value 9007199254740993 at index 0 is not exactly "
            "representable as a double");

  EXPECT_EQ(errorOf([] { parseNpy("PK\x03\x04 not npy", "w.npy"); }),
            "w.npy: bad magic (not a .npy file)");
  EXPECT_EQ(errorOf([] { parseNpy("", "w.npy"); }),
            "w.npy: bad magic (not a .npy file)");
  EXPECT_EQ(
      errorOf([] { parseNpy(std::string("\x93NUMPY\x04\x00", 8), "w.npy"); }),
      "w.npy: unsupported format version 4.0 (expected 1.0, 2.0 or 3.0)");
  EXPECT_EQ(errorOf([] {
              parseNpy(std::string("\x93NUMPY\x01\x00\x76\x00{'descr'", 17),
                       "w.npy");
            }),
            "w.npy: truncated: header length is 118 bytes, file has 7");
}

TEST(NpzTest, SerializeRejectsValuesTheDTypeCannotHold) {
  auto serialize = [](DType dtype, double v) {
    return errorOf([&] { serializeNpy(array(dtype, {2}, {0, v}), "w.npy"); });
  };
  EXPECT_EQ(serialize(DType::I32, 1.5),
            "w.npy: value 1.5 at index 1 is not representable as int32");
  EXPECT_EQ(serialize(DType::I32, 0x1p31),
            "w.npy: value 2147483648 at index 1 is not representable as int32");
  EXPECT_EQ(serialize(DType::U8, 256),
            "w.npy: value 256 at index 1 is not representable as uint8");
  EXPECT_EQ(serialize(DType::U8, -1),
            "w.npy: value -1 at index 1 is not representable as uint8");
  EXPECT_EQ(serialize(DType::I64, NAN),
            "w.npy: value nan at index 1 is not representable as int64");
  EXPECT_EQ(serialize(DType::I64, 0x1p63),
            "w.npy: value 9.2233720368547758e+18 at index 1 is not "
            "representable as int64");
  EXPECT_EQ(serialize(DType::F32, 1e300),
            "w.npy: value 1.0000000000000001e+300 at index 1 is not "
            "representable as float32");
  EXPECT_EQ(errorOf([] {
              serializeNpy(array(DType::F64, {2, 2}, {1, 2, 3}), "w.npy");
            }),
            "w.npy: shape (2, 2) has 4 elements, data has 3");
  EXPECT_EQ(errorOf([] { serializeNpy(array(DType::F64, {-1}, {}), "w.npy"); }),
            "w.npy: invalid shape (-1,)");
  // 30000 dimensions do not fit version 1.0's 16-bit header length.
  EXPECT_EQ(errorOf([] {
              serializeNpy(
                  array(DType::F64, std::vector<int64_t>(30000, 1), {0}),
                  "w.npy");
            }),
            "w.npy: header of 90102 bytes too long for format version 1.0");
}

class NpzFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "ccrnn-npz-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string path(const std::string &name) const { return dir + "/" + name; }

  /// Files in the directory that look like a temporary ("*.tmp*").
  int temporaries() const {
    int n = 0;
    for (const auto &entry : std::filesystem::directory_iterator(dir))
      n += entry.path().filename().string().find(".tmp") != std::string::npos;
    return n;
  }

  void writeBytes(const std::string &file, const std::string &bytes) const {
    std::ofstream(file, std::ios::binary) << bytes;
  }
  std::string readBytes(const std::string &file) const {
    std::ostringstream s;
    s << std::ifstream(file, std::ios::binary).rdbuf();
    return s.str();
  }

  /// Writes a zip archive with libzip directly: (member name, bytes,
  /// deflated?) for each member.
  void writeZip(const std::string &file,
                const std::vector<std::tuple<std::string, std::string, bool>>
                    &members) const {
    int code = 0;
    zip_t *zip = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    ASSERT_NE(zip, nullptr);
    for (const auto &[name, bytes, deflated] : members) {
      zip_source_t *source =
          zip_source_buffer(zip, bytes.data(), bytes.size(), 0);
      zip_int64_t index = zip_file_add(zip, name.c_str(), source, 0);
      ASSERT_GE(index, 0);
      ASSERT_EQ(zip_set_file_compression(
                    zip, index, deflated ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0),
                0);
    }
    ASSERT_EQ(zip_close(zip), 0);
  }

  std::string dir;
};

TEST_F(NpzFileTest, NpzRoundTripsEveryDTypeAndShape) {
  Archive archive = everyDType();
  writeNpz(path("all.npz"), archive);
  EXPECT_EQ(temporaries(), 0);
  Archive read = readNpz(path("all.npz"));
  ASSERT_EQ(read.size(), archive.size());
  for (const auto &[name, a] : archive) {
    SCOPED_TRACE(name);
    ASSERT_EQ(read.count(name), 1u);
    expectEqual(a, read.at(name));
  }

  // Members are "<name>.npy", in name order, stored like np.savez, holding
  // exactly serializeNpy's bytes.
  int code = 0;
  zip_t *zip = zip_open(path("all.npz").c_str(), ZIP_RDONLY, &code);
  ASSERT_NE(zip, nullptr);
  ASSERT_EQ(zip_get_num_entries(zip, 0), zip_int64_t(archive.size()));
  zip_uint64_t index = 0;
  for (const auto &[name, a] : archive) {
    zip_stat_t st;
    ASSERT_EQ(zip_stat_index(zip, index++, 0, &st), 0);
    EXPECT_EQ(std::string(st.name), name + ".npy");
    EXPECT_EQ(st.comp_method, ZIP_CM_STORE);
    EXPECT_EQ(st.size, serializeNpy(a).size());
    // A fixed time, so that equal archives are equal files.
    EXPECT_EQ(int64_t(st.mtime), kNpzMemberTime);
  }
  zip_discard(zip);
}

TEST_F(NpzFileTest, EqualArchivesAreEqualFiles) {
  const Archive archive = everyDType();
  writeNpz(path("a.npz"), archive);
  writeNpz(path("b.npz"), archive);
  auto bytes = [&](const std::string &name) {
    std::ifstream in(path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(bytes("a.npz"), bytes("b.npz"));
}

TEST_F(NpzFileTest, NpzOverwritesAndHandlesTheEmptyArchive) {
  writeNpz(path("a.npz"), {{"x", array(DType::F64, {1}, {1})}});
  writeNpz(path("a.npz"), {{"y", array(DType::I32, {}, {2})}});
  Archive read = readNpz(path("a.npz"));
  ASSERT_EQ(read.size(), 1u);
  expectEqual(array(DType::I32, {}, {2}), read.at("y"));

  writeNpz(path("a.npz"), {});
  EXPECT_EQ(std::filesystem::file_size(path("a.npz")), 22u);
  EXPECT_TRUE(readNpz(path("a.npz")).empty());
}

// Issue 17, class 7: a link planted where the temporary used to be
// ("<file>.tmp") by someone who can write to the directory must not make
// the writer overwrite the file it points to.
TEST_F(NpzFileTest, WritesDoNotFollowPlantedLinks) {
  writeBytes(path("victim"), "precious");
  for (const char *name : {"w.npy", "a.npz", "meta.json"})
    std::filesystem::create_symlink(path("victim"),
                                    path(std::string(name) + ".tmp"));
  Array a = array(DType::F32, {2}, {1, 2});
  writeNpy(path("w.npy"), a);
  writeNpz(path("a.npz"), {{"x", a}});
  ccrnn::writeFileAtomic(path("meta.json"), "{}\n");
  EXPECT_EQ(readBytes(path("victim")), "precious");
  expectEqual(a, readNpy(path("w.npy")));
  expectEqual(a, readNpz(path("a.npz")).at("x"));
  EXPECT_EQ(readBytes(path("meta.json")), "{}\n");
  EXPECT_EQ(temporaries(), 3); // the planted links, nothing else
}

// Written files get the mode the umask gives a new file, not mkstemp's
// 0600.
TEST_F(NpzFileTest, WrittenFilesHaveTheUmasksMode) {
  const mode_t mask = umask(022);
  umask(mask);
  ccrnn::writeFileAtomic(path("f"), "x");
  EXPECT_EQ(std::filesystem::status(path("f")).permissions(),
            std::filesystem::perms(0666 & ~mask));
}

TEST_F(NpzFileTest, NpyRoundTrips) {
  Array a = array(DType::F32, {2, 3}, {1, 2, 3, 4, 5, -6});
  writeNpy(path("w.npy"), a);
  EXPECT_EQ(temporaries(), 0);
  EXPECT_EQ(readBytes(path("w.npy")), serializeNpy(a));
  expectEqual(a, readNpy(path("w.npy")));
}

TEST_F(NpzFileTest, ReadsStoredAndDeflatedMembersWrittenByLibzip) {
  Array x = array(DType::F64, {3, 2}, {1, 2, 3, 4, 5, 6});
  Array y = array(DType::U8, {4}, {9, 8, 7, 6});
  writeZip(path("hand.npz"), {{"x.npy", serializeNpy(x), true},
                              {"y.npy", serializeNpy(y), false}});
  Archive read = readNpz(path("hand.npz"));
  ASSERT_EQ(read.size(), 2u);
  expectEqual(x, read.at("x"));
  expectEqual(y, read.at("y"));
}

TEST_F(NpzFileTest, ReadsZip64MembersAsNumpySavezWritesThem) {
  // Python's zipfile as numpy.savez drives it (allowZip64, and each member
  // opened with force_zip64=True): local headers carry 0xffffffff sizes and a
  // zip64 extra field. Member a.npy (stored): float32 (2, 2) [[1, -2],
  // [0.5, 3]]; b.npy (deflated, as savez_compressed): int64 [-1, 0, 2^40].
  std::string bytes = fromHex(
      "504b03042d0000000000000021583d5155acffffffffffffffff05001400612e6e707901"
      "00100090000000000000009000000000000000934e554d5059010076007b276465736372"
      "273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c202773"
      "68617065273a2028322c2032292c207d2020202020202020202020202020202020202020"
      "202020202020202020202020202020202020202020202020202020202020202020202020"
      "20200a0000803f000000c00000003f00004040504b03042d00000008000000215881ed89"
      "abffffffffffffffff05001400622e6e70790100100098000000000000004c0000000000"
      "00009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9369a1aea3a09e965f545294"
      "98179f5f94920a12774bcc294e058a17672416a402f91ac63a9a3a0ab50a1400aeff50c0"
      "800c18191800504b01022d032d0000000000000021583d5155ac90000000900000000500"
      "00000000000000000000800100000000612e6e7079504b01022d032d0000000800000021"
      "5881ed89ab4c000000980000000500000000000000000000008001c7000000622e6e7079"
      "504b05060000000002000200660000004a0100000000");
  ASSERT_EQ(bytes.substr(18, 8), std::string(8, '\xff'));
  writeBytes(path("py.npz"), bytes);
  Archive read = readNpz(path("py.npz"));
  ASSERT_EQ(read.size(), 2u);
  expectEqual(array(DType::F32, {2, 2}, {1, -2, 0.5, 3}), read.at("a"));
  expectEqual(array(DType::I64, {3}, {-1, 0, 0x1p40}), read.at("b"));
}

TEST_F(NpzFileTest, FileErrorsNameTheFile) {
  std::string missing = path("missing.npz");
  EXPECT_EQ(errorOf([&] { readNpz(missing); }),
            missing + ": cannot open: No such file or directory");
  EXPECT_EQ(errorOf([&] { readNpy(path("missing.npy")); }),
            path("missing.npy") + ": cannot open: No such file or directory");

  writeBytes(path("text.npz"), "hello, not a zip archive\n");
  EXPECT_EQ(errorOf([&] { readNpz(path("text.npz")); }),
            path("text.npz") + ": not a zip archive");
  writeBytes(path("empty.npz"), "");
  EXPECT_EQ(errorOf([&] { readNpz(path("empty.npz")); }),
            path("empty.npz") + ": empty file (not a zip archive)");
  EXPECT_EQ(errorOf([&] { readNpy(path("text.npz")); }),
            path("text.npz") + ": bad magic (not a .npy file)");

  std::string w = path("w.npy");
  writeBytes(w, npy("{'descr': '<f4', 'fortran_order': False, "
                    "'shape': (200,), }",
                    std::string(12, '\0')));
  EXPECT_EQ(errorOf([&] { readNpy(w); }),
            w + ": truncated: header says 200 values of 4 bytes, file has 12 "
                "bytes of data");

  std::string nowhere = path("no/such/dir/x.npz");
  EXPECT_EQ(errorOf([&] { writeNpz(nowhere, {}); }),
            nowhere + ": cannot create a temporary file: No such file or "
                      "directory");
  EXPECT_EQ(errorOf([&] {
              writeNpz(nowhere, {{"x", array(DType::F64, {}, {0})}});
            }),
            nowhere + ": cannot create a temporary file: No such file or "
                      "directory");
  EXPECT_EQ(
      errorOf([&] { writeNpy(path("no/x.npy"), array(DType::F64, {}, {0})); }),
      path("no/x.npy") +
          ": cannot create a temporary file: No such file or directory");
  EXPECT_EQ(errorOf([&] {
              writeNpz(path("bad.npz"), {{"x", array(DType::U8, {}, {-1})}});
            }),
            path("bad.npz") +
                ": array 'x': value -1 at index 0 is not representable as "
                "uint8");
  EXPECT_FALSE(std::filesystem::exists(path("bad.npz")));
}

TEST_F(NpzFileTest, MemberErrorsNameTheArchiveAndTheMember) {
  std::string file = path("data.npz");
  writeZip(file, {{"x.npy",
                   npy("{'descr': '<c16', 'fortran_order': False, "
                       "'shape': (), }",
                       std::string(16, '\0')),
                   false}});
  EXPECT_EQ(errorOf([&] { readNpz(file); }),
            file + ": member 'x.npy': unsupported dtype '<c16' (expected "
                   "float32, float64, int64, int32 or uint8)");

  writeZip(file, {{"notes.txt", "hello", true}});
  EXPECT_EQ(errorOf([&] { readNpz(file); }),
            file + ": member 'notes.txt': not a .npy file (expected "
                   "'<name>.npy' members, as numpy.savez writes)");

  writeZip(file, {{"x.npy", "not npy", true}});
  EXPECT_EQ(errorOf([&] { readNpz(file); }),
            file + ": member 'x.npy': bad magic (not a .npy file)");
}

TEST_F(NpzFileTest, CorruptArchivesAreReported) {
  std::string file = path("c.npz");
  Array x = array(DType::F64, {4}, {1, 2, 3, 4});
  writeNpz(file, {{"x", x}});
  std::string good = readBytes(file);

  // A flipped data byte of the stored member: the CRC no longer matches.
  std::string bad = good;
  size_t data = bad.find(serializeNpy(x));
  ASSERT_NE(data, std::string::npos);
  bad[data + 128 + 7] ^= 0x01;
  writeBytes(file, bad);
  EXPECT_EQ(errorOf([&] { readNpz(file); }),
            file + ": member 'x.npy': CRC error");

  // Cut short: the central directory at the end is gone.
  writeBytes(file, good.substr(0, good.size() / 2));
  EXPECT_EQ(errorOf([&] { readNpz(file); }), file + ": not a zip archive");

  // The end record points one byte past the central directory.
  bad = good;
  size_t end = bad.rfind(std::string("PK\x05\x06", 4));
  ASSERT_NE(end, std::string::npos);
  bad[end + 16] += 1;
  writeBytes(file, bad);
  std::string message = errorOf([&] { readNpz(file); });
  EXPECT_EQ(message.rfind(file + ": corrupt zip archive: ", 0), 0u) << message;

  // Two members of one name (zip allows it; an Archive cannot hold it).
  writeNpz(file, {{"x", x}, {"y", x}});
  bad = readBytes(file);
  for (size_t at; (at = bad.find("y.npy")) != std::string::npos;)
    bad[at] = 'x';
  writeBytes(file, bad);
  EXPECT_EQ(errorOf([&] { readNpz(file); }),
            file + ": member 'x.npy': appears twice");
}

} // namespace
