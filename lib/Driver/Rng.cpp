//===- Rng.cpp - Seeded random streams of the driver ------------*- C++ -*-===//

#include "ccrnn/Driver/Rng.h"

#include <cmath>

namespace ccrnn::driver {

uint64_t hashName(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {
// SplitMix64's finaliser: consecutive inputs give unrelated outputs, so
// seeds 1, 2, 3 do not seed similar-looking Mersenne twisters.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
} // namespace

uint64_t streamSeed(uint64_t seed, std::string_view name, uint64_t index) {
  return mix(mix(mix(seed) ^ hashName(name)) ^ index);
}

double Rng::uniform() { return double(engine() >> 11) * 0x1.0p-53; }

uint64_t Rng::below(uint64_t n) {
  // Reject the top partial range so every residue is equally likely.
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do
    x = engine();
  while (x >= limit);
  return x % n;
}

double Rng::normal() {
  double u1 = 1.0 - uniform(); // (0, 1]: log(u1) is finite
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

} // namespace ccrnn::driver
