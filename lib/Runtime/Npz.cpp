//===- Npz.cpp - NumPy .npy and .npz files ----------------------*- C++ -*-===//
//
// The .npy format: numpy/lib/format.py. Values are encoded byte by byte, so
// the files are little-endian whatever the host.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/Npz.h"

#include "ccrnn/Runtime/AtomicFile.h"

#include <zip.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>

namespace ccrnn::npz {

Error::~Error() = default;

int64_t Array::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {

[[noreturn]] void fail(const std::string &name, const std::string &what) {
  throw Error(name + ": " + what);
}

struct DTypeInfo {
  const char *descr; // as numpy writes it
  const char *name;
  size_t size;
};

// Indexed by DType.
constexpr DTypeInfo kDTypes[] = {{"<f4", "float32", 4},
                                 {"<f8", "float64", 8},
                                 {"<i8", "int64", 8},
                                 {"<i4", "int32", 4},
                                 {"|u1", "uint8", 1}};

const DTypeInfo &info(DType t) { return kDTypes[static_cast<size_t>(t)]; }

DType parseDescr(const std::string &descr, const std::string &name) {
  for (size_t i = 0; i < std::size(kDTypes); ++i)
    if (descr == kDTypes[i].descr)
      return static_cast<DType>(i);
  // A byte has no byte order: numpy writes '|u1', other writers '<u1'.
  if (descr == "<u1")
    return DType::U8;
  if (!descr.empty() && descr[0] == '>')
    fail(name, "big-endian dtype '" + descr +
                   "' unsupported (expected little-endian '<')");
  fail(name, "unsupported dtype '" + descr +
                 "' (expected float32, float64, int64, int32 or uint8)");
}

template <typename To, typename From> To bitCast(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof to);
  return to;
}

uint64_t getLE(const char *p, size_t size) {
  uint64_t bits = 0;
  for (size_t i = 0; i < size; ++i)
    bits |= uint64_t(uint8_t(p[i])) << (8 * i);
  return bits;
}

void putLE(std::string &out, uint64_t bits, size_t size) {
  for (size_t i = 0; i < size; ++i)
    out.push_back(char(bits >> (8 * i)));
}

std::string formatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

/// Python's repr of the shape tuple: (), (5,), (3, 4).
std::string shapeRepr(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

/// The number of elements of `shape`, failing on negative dimensions and
/// overflow (a corrupt header must not wrap around to a small size).
int64_t countElements(const std::vector<int64_t> &shape,
                      const std::string &name) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      fail(name, "invalid shape " + shapeRepr(shape));
  return n;
}

struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Parses the header's Python dict literal, in the subset numpy writes:
/// string keys; a string, a bool or a tuple of ints as values. Keys may come
/// in any order; each must appear once.
class HeaderParser {
public:
  HeaderParser(const std::string &text, const std::string &name)
      : text(text), name(name) {}

  Header parse() {
    Header h;
    bool seenDescr = false, seenOrder = false, seenShape = false;
    expect('{');
    while (!consume('}')) {
      std::string key = parseString();
      expect(':');
      if (key == "descr" && !seenDescr) {
        skipSpace();
        if (pos < text.size() && text[pos] == '[')
          fail(name, "unsupported dtype: structured array (expected float32, "
                     "float64, int64, int32 or uint8)");
        h.descr = parseString();
        seenDescr = true;
      } else if (key == "fortran_order" && !seenOrder) {
        h.fortranOrder = parseBool();
        seenOrder = true;
      } else if (key == "shape" && !seenShape) {
        h.shape = parseShape();
        seenShape = true;
      } else {
        error("unexpected or repeated key '" + key + "'");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    skipSpace();
    if (pos != text.size())
      error("text after '}'");
    if (!seenDescr || !seenOrder || !seenShape)
      error(std::string("missing key '") +
            (!seenDescr   ? "descr"
             : !seenOrder ? "fortran_order"
                          : "shape") +
            "'");
    return h;
  }

private:
  [[noreturn]] void error(const std::string &what) {
    std::string shown = text.substr(0, text.find_last_not_of(" \n") + 1);
    fail(name, "malformed header: " + what + " at offset " +
                   std::to_string(pos) + " of \"" + shown + "\"");
  }

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n'))
      ++pos;
  }

  bool consume(char c) {
    skipSpace();
    if (pos == text.size() || text[pos] != c)
      return false;
    ++pos;
    return true;
  }

  void expect(char c) {
    if (!consume(c))
      error(std::string("expected '") + c + "'");
  }

  bool isDigit() const {
    return pos < text.size() && text[pos] >= '0' && text[pos] <= '9';
  }

  std::string parseString() {
    skipSpace();
    char quote = pos < text.size() ? text[pos] : 0;
    size_t end = quote == '\'' || quote == '"' ? text.find(quote, pos + 1)
                                               : std::string::npos;
    if (end == std::string::npos)
      error("expected a quoted string");
    std::string s = text.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return s;
  }

  bool parseBool() {
    skipSpace();
    for (bool value : {true, false}) {
      std::string word = value ? "True" : "False";
      if (text.compare(pos, word.size(), word) == 0) {
        pos += word.size();
        return value;
      }
    }
    error("expected True or False");
  }

  std::vector<int64_t> parseShape() {
    std::vector<int64_t> shape;
    bool trailingComma = false;
    expect('(');
    while (!consume(')')) {
      skipSpace();
      if (!isDigit())
        error("expected a dimension");
      int64_t d = 0;
      for (; isDigit(); ++pos)
        if (__builtin_mul_overflow(d, 10, &d) ||
            __builtin_add_overflow(d, text[pos] - '0', &d))
          error("dimension too large");
      // Python 2 longs (3L) in headers written by old numpy.
      if (pos < text.size() && text[pos] == 'L')
        ++pos;
      shape.push_back(d);
      trailingComma = consume(',');
      if (!trailingComma) {
        expect(')');
        break;
      }
    }
    // (5) is the integer 5 in Python, not a tuple.
    if (shape.size() == 1 && !trailingComma)
      error("expected ',' after the only dimension");
    return shape;
  }

  const std::string &text;
  const std::string &name;
  size_t pos = 0;
};

/// Whether `v` can be written as `t`: floats may round (not overflow),
/// integers must be exact.
bool representable(double v, DType t) {
  switch (t) {
  case DType::F32:
    return !std::isfinite(v) ||
           std::fabs(v) <= std::numeric_limits<float>::max();
  case DType::F64:
    return true;
  case DType::I64:
    return std::trunc(v) == v && v >= -0x1p63 && v < 0x1p63;
  case DType::I32:
    return std::trunc(v) == v && v >= INT32_MIN && v <= INT32_MAX;
  case DType::U8:
    return std::trunc(v) == v && v >= 0 && v <= 255;
  }
  return false;
}

struct FileCloser {
  void operator()(std::FILE *f) const { std::fclose(f); }
};
struct ZipDiscarder {
  void operator()(zip_t *z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t *f) const { zip_fclose(f); }
};

std::string readFile(const std::string &path) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f)
    fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::string bytes;
  char buf[1 << 16];
  while (size_t n = std::fread(buf, 1, sizeof buf, f.get()))
    bytes.append(buf, n);
  if (std::ferror(f.get()))
    fail(path, std::string("cannot read: ") + std::strerror(errno));
  return bytes;
}

// The atomic file functions' errors as this library's.
template <typename Write> void asNpzError(Write write) {
  try {
    write();
  } catch (const Error &) {
    throw;
  } catch (const std::runtime_error &e) {
    throw Error(e.what());
  }
}

std::string zipErrorString(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string s = zip_error_strerror(&error);
  zip_error_fini(&error);
  return s;
}

} // namespace

Array parseNpy(const std::string &bytes, const std::string &name) {
  if (bytes.compare(0, 6, "\x93NUMPY") != 0)
    fail(name, "bad magic (not a .npy file)");
  if (bytes.size() < 8)
    fail(name, "truncated: no format version");
  int major = uint8_t(bytes[6]), minor = uint8_t(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    fail(name, "unsupported format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  // 1.0 stores the header length in 2 bytes; 2.0 and 3.0 (UTF-8 header) in 4.
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t headerStart = 8 + lengthSize;
  if (bytes.size() < headerStart)
    fail(name, "truncated: no header length");
  uint64_t headerSize = getLE(bytes.data() + 8, lengthSize);
  if (bytes.size() - headerStart < headerSize)
    fail(name, "truncated: header length is " + std::to_string(headerSize) +
                   " bytes, file has " +
                   std::to_string(bytes.size() - headerStart));
  Header h = HeaderParser(bytes.substr(headerStart, headerSize), name).parse();
  if (h.fortranOrder)
    fail(name, "fortran_order True unsupported (expected C order; save "
               "np.ascontiguousarray(x))");
  Array a;
  a.dtype = parseDescr(h.descr, name);
  a.shape = std::move(h.shape);
  int64_t n = countElements(a.shape, name);

  size_t size = info(a.dtype).size;
  uint64_t dataSize = bytes.size() - headerStart - headerSize;
  bool truncated = uint64_t(n) > dataSize / size;
  if (truncated || uint64_t(n) * size != dataSize)
    fail(name, std::string(truncated ? "truncated" : "trailing data") +
                   ": header says " + std::to_string(n) + " values of " +
                   std::to_string(size) + " bytes, file has " +
                   std::to_string(dataSize) + " bytes of data");

  a.data.resize(n);
  const char *p = bytes.data() + headerStart + headerSize;
  for (int64_t i = 0; i < n; ++i, p += size) {
    uint64_t bits = getLE(p, size);
    switch (a.dtype) {
    case DType::F32:
      a.data[i] = bitCast<float>(uint32_t(bits));
      break;
    case DType::F64:
      a.data[i] = bitCast<double>(bits);
      break;
    case DType::I64: {
      int64_t v = int64_t(bits);
      a.data[i] = double(v);
      // Beyond 2^53 only some integers are doubles; never round silently.
      if (a.data[i] >= 0x1p63 || int64_t(a.data[i]) != v)
        fail(name, "int64 value " + std::to_string(v) + " at index " +
                       std::to_string(i) +
                       " is not exactly representable as a double");
      break;
    }
    case DType::I32:
      a.data[i] = int32_t(uint32_t(bits));
      break;
    case DType::U8:
      a.data[i] = double(bits);
      break;
    }
  }
  return a;
}

std::string serializeNpy(const Array &a, const std::string &name) {
  int64_t n = countElements(a.shape, name);
  if (a.data.size() != uint64_t(n))
    fail(name, "shape " + shapeRepr(a.shape) + " has " + std::to_string(n) +
                   " elements, data has " + std::to_string(a.data.size()));
  const DTypeInfo &t = info(a.dtype);

  // Exactly numpy's header: the dict with sorted keys, then room for the
  // first dimension to grow to 21 digits (numpy rewrites headers in place
  // when appending), then spaces and '\n' up to a multiple of 64 bytes
  // counting the 10 bytes before it. Like numpy, an exact fit still gets 64
  // spaces.
  std::string header =
      std::string("{'descr': '") + t.descr +
      "', 'fortran_order': False, 'shape': " + shapeRepr(a.shape) + ", }";
  if (!a.shape.empty())
    header.append(21 - std::to_string(a.shape[0]).size(), ' ');
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  if (header.size() > 0xffff)
    fail(name, "header of " + std::to_string(header.size()) +
                   " bytes too long for format version 1.0");

  std::string out("\x93NUMPY\x01\x00", 8);
  putLE(out, header.size(), 2);
  out += header;
  out.reserve(out.size() + n * t.size);
  for (int64_t i = 0; i < n; ++i) {
    double v = a.data[i];
    if (!representable(v, a.dtype))
      fail(name, "value " + formatDouble(v) + " at index " + std::to_string(i) +
                     " is not representable as " + t.name);
    uint64_t bits;
    switch (a.dtype) {
    case DType::F32:
      bits = bitCast<uint32_t>(float(v));
      break;
    case DType::F64:
      bits = bitCast<uint64_t>(v);
      break;
    default: // integers: the low bytes of the two's complement
      bits = uint64_t(int64_t(v));
      break;
    }
    putLE(out, bits, t.size);
  }
  return out;
}

Array readNpy(const std::string &path) {
  return parseNpy(readFile(path), path);
}

void writeNpy(const std::string &path, const Array &a) {
  asNpzError([&] { writeFileAtomic(path, serializeNpy(a, path)); });
}

Archive readNpz(const std::string &path) {
  std::string bytes = readFile(path);
  // libzip opens an empty file as an empty archive; an empty .npz is a
  // failed write.
  if (bytes.empty())
    fail(path, "empty file (not a zip archive)");

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t *source =
      zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  zip_t *raw =
      source ? zip_open_from_source(source, ZIP_RDONLY, &error) : nullptr;
  if (!raw) {
    zip_source_free(source);
    std::string what =
        zip_error_code_zip(&error) == ZIP_ER_NOZIP
            ? "not a zip archive"
            : std::string("corrupt zip archive: ") + zip_error_strerror(&error);
    zip_error_fini(&error);
    fail(path, what);
  }
  std::unique_ptr<zip_t, ZipDiscarder> zip(raw);

  Archive archive;
  zip_int64_t count = zip_get_num_entries(zip.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char *memberName = zip_get_name(zip.get(), i, ZIP_FL_ENC_GUESS);
    if (!memberName)
      fail(path, zip_strerror(zip.get()));
    std::string member = memberName;
    std::string where = path + ": member '" + member + "'";
    if (member.size() < 4 || member.compare(member.size() - 4, 4, ".npy") != 0)
      fail(where, "not a .npy file (expected '<name>.npy' members, as "
                  "numpy.savez writes)");

    std::unique_ptr<zip_file_t, ZipFileCloser> file(
        zip_fopen_index(zip.get(), i, 0));
    if (!file)
      fail(where, zip_strerror(zip.get()));
    std::string data;
    char buf[1 << 16];
    zip_int64_t n;
    while ((n = zip_fread(file.get(), buf, sizeof buf)) > 0)
      data.append(buf, n);
    // Also where a CRC mismatch shows: libzip checks it at the member's end.
    if (n < 0)
      fail(where, zip_file_strerror(file.get()));
    std::string key = member.substr(0, member.size() - 4);
    if (!archive.emplace(key, parseNpy(data, where)).second)
      fail(where, "appears twice");
  }
  return archive;
}

void writeNpz(const std::string &path, const Archive &archive) {
  // Serialized up front: libzip reads the buffers only in zip_close.
  std::vector<std::string> members;
  for (const auto &[name, a] : archive)
    members.push_back(serializeNpy(a, path + ": array '" + name + "'"));
  // libzip deletes an archive left without members instead of writing it;
  // an empty zip (what np.savez writes) is just the end-of-central-directory
  // record.
  if (archive.empty())
    return asNpzError([&] {
      writeFileAtomic(path, std::string("PK\x05\x06", 4) + std::string(18, 0));
    });

  // libzip writes the archive into its own temporary and renames it over
  // `tmp`, a file of ours that no one could have planted.
  std::string tmp;
  asNpzError([&] { tmp = createTempFileFor(path); });
  int code = 0;
  zip_t *zip = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (!zip) {
    std::remove(tmp.c_str());
    fail(path, "cannot create " + tmp + ": " + zipErrorString(code));
  }
  auto abandon = [&](const std::string &what) {
    std::string message = what + ": " + zip_strerror(zip);
    zip_discard(zip);
    std::remove(tmp.c_str());
    fail(path, message);
  };
  auto member = members.begin();
  for (const auto &entry : archive) {
    std::string name = entry.first + ".npy";
    zip_source_t *source =
        zip_source_buffer(zip, member->data(), member->size(), 0);
    zip_int64_t index =
        source ? zip_file_add(zip, name.c_str(), source, ZIP_FL_ENC_GUESS) : -1;
    if (index < 0) {
      zip_source_free(source);
      abandon("cannot add '" + name + "'");
    }
    // Stored like np.savez: members read without inflating.
    if (zip_set_file_compression(zip, index, ZIP_CM_STORE, 0) < 0)
      abandon("cannot store '" + name + "'");
    if (zip_file_set_mtime(zip, index, time_t(kNpzMemberTime), 0) < 0)
      abandon("cannot date '" + name + "'");
    ++member;
  }
  if (zip_close(zip) < 0)
    abandon("cannot write " + tmp);
  asNpzError([&] { renameOver(tmp, path); });
}

} // namespace ccrnn::npz
