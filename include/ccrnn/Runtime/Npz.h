//===- Npz.h - NumPy .npy and .npz files ------------------------*- C++ -*-===//
//
// Reads and writes NumPy's .npy format and .npz archives (zip files of .npy
// members, as np.savez and np.savez_compressed write them), so that
// checkpoints and data sets are exchanged with the Python reference as they
// are. No MLIR here: the runtime and the driver use it.
//
// Values are held as double whatever the dtype on disk: every supported dtype
// converts to double exactly (int64 up to 2^53, beyond which reading fails
// rather than round). Writing converts back to the array's dtype; a value the
// dtype cannot hold exactly (1.5 as int32, 300 as uint8) is an error.
//
// Every failure throws Error, whose message starts with the file (and, inside
// an .npz, the member) and says what was expected.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_RUNTIME_NPZ_H
#define CCRNN_RUNTIME_NPZ_H

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ccrnn::npz {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  // Out of line so that the vtable and type info live in Npz.cpp, compiled
  // with RTTI; the unit tests, compiled without, can still catch Error.
  ~Error() override;
};

/// The dtypes we read and write: little-endian '<f4', '<f8', '<i8', '<i4'
/// and '|u1'.
enum class DType { F32, F64, I64, I32, U8 };

struct Array {
  std::vector<int64_t> shape; ///< C order; {} is a scalar (1 element).
  std::vector<double> data;   ///< numElements() values in C order.
  DType dtype = DType::F64;   ///< As read from disk; as it will be written.

  int64_t numElements() const;
};

/// Arrays by name. Written in name order (a std::map), so equal archives give
/// equal member lists whatever order the caller built them in.
using Archive = std::map<std::string, Array>;

/// Parses the bytes of one .npy file (format version 1.0, 2.0 or 3.0).
/// `nameForErrors` starts every error message.
Array parseNpy(const std::string &bytes, const std::string &nameForErrors);
/// The bytes numpy.save writes for the same array (format version 1.0).
/// Fails when `a` is inconsistent (data size against shape) or holds a value
/// its dtype cannot represent; `nameForErrors` starts the message.
std::string serializeNpy(const Array &a,
                         const std::string &nameForErrors = "array");

Array readNpy(const std::string &path);
/// Writes "<path>.tmp" and renames it, so `path` is never half written.
void writeNpy(const std::string &path, const Array &a);

/// Reads an np.savez / np.savez_compressed archive (stored or deflated
/// members, zip64 or not); keys are member names without ".npy".
Archive readNpz(const std::string &path);
/// Writes members "<name>.npy", stored (not compressed) like np.savez, to
/// "<path>.tmp" and renames it, so `path` is never half written. Every
/// member has the modification time kNpzMemberTime, not the clock's, so
/// that equal archives are equal files (`cmp` compares runs).
void writeNpz(const std::string &path, const Archive &archive);
/// 1980-01-02 00:00 UTC: the zip format's (DOS) time starts in 1980, in
/// local time, so a day after the epoch stays valid in every time zone.
constexpr int64_t kNpzMemberTime = 315619200;

} // namespace ccrnn::npz

#endif // CCRNN_RUNTIME_NPZ_H
