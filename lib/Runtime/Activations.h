//===- Activations.h - exp, sigmoid and tanh that vectorize ------*- C++
//-*-===//
//
// Shared by the element-wise kernels and the recurrent cells, so that a
// fused cell computes exactly what the separate kernels compute.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_RUNTIME_ACTIVATIONS_H
#define CCRNN_RUNTIME_ACTIVATIONS_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace ccrnn::rt {
/// exp in plain float arithmetic, Cephes' expf (range reduction by ln 2, a
/// degree-6 polynomial; within 2 ulp): loops calling std::exp or std::tanh
/// do not vectorize without -ffast-math, and glibc's tanhf is slow. These
/// two took most of an LSTM step's time. Saturates instead of overflowing.
inline float expApprox(float x) {
  x = x < -87.3f ? -87.3f : x; // Not std::min/max: their references do
  x = x > 88.3f ? 88.3f : x;   // not vectorize.
  // Adding 1.5 * 2^23 rounds x / ln 2 to the integer n, which lands in the
  // low mantissa bits of the sum.
  const float shifter = 12582912.f;
  float t = x * 1.44269504f + shifter, n = t - shifter;
  // In unsigned arithmetic: for x in the clamped range the exponent n + 127
  // is in [1, 254] and the bits are those of the signed computation, but a
  // NaN (which the clamps let through) would shift a negative or too large
  // int32_t, which is undefined; unsigned, it yields some scale, and NaN
  // times it is NaN.
  uint32_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  uint32_t scaleBits = (bits - 0x4B400000u + 127u) << 23; // 2^n
  float scale;
  std::memcpy(&scale, &scaleBits, sizeof scale);
  float r = x - n * 0.693359375f + n * 2.12194440e-4f; // x - n ln 2
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  return (p * r * r + r + 1.f) * scale;
}

/// Cephes' tanhf: an odd polynomial below 0.625, where 1 - 2 / (e^2x + 1)
/// would cancel, that formula above.
inline float tanhApprox(float x) {
  float a = std::abs(x), s = x * x;
  float p = -5.70498872745e-3f;
  p = p * s + 2.06390887954e-2f;
  p = p * s - 5.37397155531e-2f;
  p = p * s + 1.33314422036e-1f;
  p = p * s - 3.33332819422e-1f;
  float small = x + x * s * p;
  float large = 1.f - 2.f / (expApprox(2.f * a) + 1.f);
  return a < 0.625f ? small : (x < 0.f ? -large : large);
}

inline float sigmoidApprox(float x) { return 1.f / (1.f + expApprox(-x)); }

} // namespace ccrnn::rt

#endif // CCRNN_RUNTIME_ACTIVATIONS_H
