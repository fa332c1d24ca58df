//===- npz.cpp - Fuzz harness: the .npy and .npz reader -------------------===//
//
// The input is a .npy file (it starts with "\x93NUMPY": parseNpy) or an .npz
// archive (anything else: written to a file and read by readNpz, through
// libzip). Whatever reads must also write: serializeNpy of each array is
// read back to the same dtype, shape and bits.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "ccrnn/Runtime/Npz.h"

#include <cstring>
#include <string>

namespace ccrnn::fuzz {

namespace {

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void roundTrip(const std::string &name, const npz::Array &a) {
  if (int64_t(a.data.size()) != a.numElements())
    finding("npz", name + ": " + std::to_string(a.data.size()) +
                       " values for " + std::to_string(a.numElements()) +
                       " elements");
  npz::Array back;
  try {
    back = npz::parseNpy(npz::serializeNpy(a, name), name);
  } catch (const npz::Error &e) {
    finding("npz", std::string("an array read does not write back: ") +
                       e.what());
  }
  bool same = back.dtype == a.dtype && back.shape == a.shape &&
              back.data.size() == a.data.size();
  for (size_t i = 0; same && i < a.data.size(); ++i)
    same = sameBits(back.data[i], a.data[i]) ||
           // float32 NaNs keep their payload only up to float's bits.
           (a.dtype == npz::DType::F32 && a.data[i] != a.data[i] &&
            back.data[i] != back.data[i]);
  if (!same)
    finding("npz", name + ": written and read back, the array differs");
}

} // namespace

int npzFile(const uint8_t *data, size_t size) {
  const std::string bytes(reinterpret_cast<const char *>(data), size);
  try {
    if (bytes.compare(0, 6, "\x93NUMPY") == 0) {
      roundTrip("input.npy", npz::parseNpy(bytes, "input.npy"));
    } else {
      const std::string path = writeScratchFile("input.npz", data, size);
      for (const auto &[name, array] : npz::readNpz(path))
        roundTrip(name, array);
    }
  } catch (const npz::Error &) {
    // The reader's own error: a one-line message naming the file.
  }
  return 0;
}

} // namespace ccrnn::fuzz
