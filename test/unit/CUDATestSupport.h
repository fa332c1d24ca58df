//===- CUDATestSupport.h - Shared by the CUDA trainer tests -----*- C++ -*-===//
//
// What CUDATrainerTest.cpp and CUDACaptionTrainerTest.cpp both need: why no
// device can be used, and the error measure of a CUDA trainer's output
// against its CPU twin's.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TEST_UNIT_CUDATESTSUPPORT_H
#define CCRNN_TEST_UNIT_CUDATESTSUPPORT_H

#include "ccrnn/Runtime/KernelsCUDA.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace ccrnn::test {

/// Empty when a device can be used, else why not.
inline std::string noCUDADevice() {
  std::string why;
  return ccrnn::rtcuda::deviceAvailable(why) ? std::string() : why;
}

/// max |a - b| / max(max |b|, floor); infinite when the sizes differ or a
/// is not finite (so an output never written, left NaN, fails).
inline double relativeError(const std::vector<float> &a,
                            const std::vector<float> &b,
                            double floor = 1e-6) {
  if (a.size() != b.size())
    return INFINITY;
  double diff = 0, scale = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!std::isfinite(a[i]))
      return INFINITY;
    diff = std::max(diff, std::abs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::abs(double(b[i])));
  }
  return diff / std::max(scale, floor);
}

} // namespace ccrnn::test

#endif // CCRNN_TEST_UNIT_CUDATESTSUPPORT_H
