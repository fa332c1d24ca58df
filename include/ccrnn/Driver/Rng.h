//===- Rng.h - Seeded random streams of the driver --------------*- C++ -*-===//
//
// Everything random in a run derives from the run's seed through named
// streams: each stream is a std::mt19937_64 seeded with a SplitMix64 mix of
// (seed, stream name, index). Streams are independent of each other, so
// e.g. the validation set does not change when the number of epochs, the
// noise level or the model changes, and epoch e's training data does not
// depend on how epochs 1..e-1 went (a resumed run needs no generator state).
//
// The distributions are written out here instead of taking std::
// distributions, whose algorithms differ between standard libraries: the
// same seed gives the same numbers with any compiler.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_RNG_H
#define CCRNN_DRIVER_RNG_H

#include <cstdint>
#include <random>
#include <string_view>

namespace ccrnn::driver {

/// FNV-1a, 64 bits: a stable hash of names (stream names, parameter names).
uint64_t hashName(std::string_view name);

/// The seed of stream `name`, number `index`, of a run seeded with `seed`.
uint64_t streamSeed(uint64_t seed, std::string_view name, uint64_t index = 0);

class Rng {
public:
  explicit Rng(uint64_t seed) : engine(seed) {}
  Rng(uint64_t seed, std::string_view stream, uint64_t index = 0)
      : engine(streamSeed(seed, stream, index)) {}

  /// Uniform in [0, 1), 53 random bits.
  double uniform();
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n), n > 0, without modulo bias.
  uint64_t below(uint64_t n);
  /// Standard normal (Box-Muller; one draw per call).
  double normal();

private:
  std::mt19937_64 engine;
};

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_RNG_H
