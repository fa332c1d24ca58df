//===- ActivationsTest.cpp - exp, sigmoid, tanh on odd values ---*- C++ -*-===//
//
// The vectorizing activations of the kernels (lib/Runtime/Activations.h) on
// NaN, infinities and huge values, and bit for bit on finite values against
// the formula as it was before it computed its exponent in unsigned
// arithmetic. This file is compiled with UBSan's shift and signed-overflow
// checks, fatal (test/unit/CMakeLists.txt: CCRNNActivationsTests): a shift
// of a negative value, which a NaN used to cause in every diverging run,
// fails the test in every build, not only in a sanitizer build.
//
//===----------------------------------------------------------------------===//

#include "../../lib/Runtime/Activations.h"

#include "ccrnn/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

using namespace ccrnn::rt;

namespace {

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint32_t bitsOf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

/// expApprox as it was (signed exponent arithmetic), for finite x only: its
/// shift is defined there (n + 127 is in [1, 254]).
float expReference(float x) {
  x = x < -87.3f ? -87.3f : x;
  x = x > 88.3f ? 88.3f : x;
  const float shifter = 12582912.f;
  float t = x * 1.44269504f + shifter, n = t - shifter;
  int32_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  int32_t scaleBits = (bits - 0x4B400000 + 127) << 23;
  float scale;
  std::memcpy(&scale, &scaleBits, sizeof scale);
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  return (p * r * r + r + 1.f) * scale;
}

const float kInf = std::numeric_limits<float>::infinity();

/// Quiet and signalling NaNs of both signs (a negative NaN's bits are a
/// negative int32_t).
std::vector<float> nans() {
  return {std::numeric_limits<float>::quiet_NaN(),
          -std::numeric_limits<float>::quiet_NaN(), fromBits(0x7F800001u),
          fromBits(0xFF800001u), fromBits(0x7FFFFFFFu), fromBits(0xFFFFFFFFu)};
}

} // namespace

TEST(Activations, NaNGivesNaN) {
  for (float x : nans()) {
    EXPECT_TRUE(std::isnan(expApprox(x))) << bitsOf(x);
    EXPECT_TRUE(std::isnan(sigmoidApprox(x))) << bitsOf(x);
    EXPECT_TRUE(std::isnan(tanhApprox(x))) << bitsOf(x);
  }
}

TEST(Activations, InfinitiesAndHugeValuesSaturate) {
  for (float x : {kInf, 1e38f, 3.4e38f, 1e30f, 89.f}) {
    EXPECT_EQ(bitsOf(expApprox(x)), bitsOf(expApprox(88.3f))) << x;
    EXPECT_TRUE(std::isfinite(expApprox(x))) << x;
    EXPECT_EQ(sigmoidApprox(x), 1.f) << x;
    EXPECT_GE(sigmoidApprox(-x), 0.f) << x;
    EXPECT_LT(sigmoidApprox(-x), 1e-37f) << x;
    EXPECT_EQ(tanhApprox(x), 1.f) << x;
    EXPECT_EQ(tanhApprox(-x), -1.f) << x;
  }
  for (float x : {-kInf, -1e38f, -3.4e38f, -1e30f, -88.f}) {
    EXPECT_EQ(bitsOf(expApprox(x)), bitsOf(expApprox(-87.3f))) << x;
    EXPECT_GT(expApprox(x), 0.f) << x;
  }
}

TEST(Activations, FiniteValuesBitIdenticalToTheSignedFormula) {
  // Every 257th bit pattern (all exponents, both signs), NaNs skipped.
  int64_t compared = 0;
  for (uint64_t bits = 0; bits <= 0xFFFFFFFFu; bits += 257) {
    float x = fromBits(uint32_t(bits));
    if (std::isnan(x))
      continue;
    ASSERT_EQ(bitsOf(expApprox(x)), bitsOf(expReference(x))) << x;
    ++compared;
  }
  EXPECT_GT(compared, 16000000);
}

TEST(Activations, KernelsPassNaNThrough) {
  std::vector<float> in = nans(), out(in.size());
  in.push_back(kInf);
  in.push_back(-kInf);
  out.resize(in.size());
  sigmoid(int64_t(in.size()), in.data(), out.data());
  for (size_t i = 0; i + 2 < in.size(); ++i)
    EXPECT_TRUE(std::isnan(out[i])) << i;
  EXPECT_EQ(out[in.size() - 2], 1.f);
  EXPECT_GE(out[in.size() - 1], 0.f);
  EXPECT_LT(out[in.size() - 1], 1e-37f);
  tanh(int64_t(in.size()), in.data(), out.data());
  for (size_t i = 0; i + 2 < in.size(); ++i)
    EXPECT_TRUE(std::isnan(out[i])) << i;
  EXPECT_EQ(out[in.size() - 2], 1.f);
  EXPECT_EQ(out[in.size() - 1], -1.f);
}
