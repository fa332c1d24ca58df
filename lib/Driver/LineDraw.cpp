//===- LineDraw.cpp - The line-drawing task (SPEC §5) -----------*- C++ -*-===//

#include "ccrnn/Driver/LineDraw.h"

#include "ccrnn/Driver/Rng.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

namespace ccrnn::driver {

std::array<double, 2> lineDrawEndpoint(int k) {
  assert(k >= -3 && k <= 3 && "class out of range");
  if (k == 0)
    return {0.0, 0.0};
  // Multiples of 60 degrees, written out so that e.g. sin(180) is exactly 0.
  const double s = std::sqrt(3.0) / 2;
  static const std::array<double, 2> unit[6] = {{0, 1},  {s, 0.5},   {s, -0.5},
                                                {0, -1}, {-s, -0.5}, {-s, 0.5}};
  int sixth = k > 0 ? 3 - k : 2 - k; // angle / 60 degrees
  return {10 * unit[sixth][0], 10 * unit[sixth][1]};
}

std::vector<float> lineDrawTarget(int k, int64_t seqLen) {
  assert(seqLen >= 2 && "a line needs its origin and its endpoint");
  auto end = lineDrawEndpoint(k);
  std::vector<float> line(seqLen * 2);
  for (int64_t t = 0; t < seqLen; ++t) {
    double f = double(t) / double(seqLen - 1);
    line[2 * t] = float(end[0] * f);
    line[2 * t + 1] = float(end[1] * f);
  }
  return line;
}

void Dataset::readInputs(int64_t first, int64_t count, float *out) const {
  assert(first >= 0 && count >= 0 && first + count <= size && "bad range");
  const int64_t n = count * sampleInputs(), at = first * sampleInputs();
  if (pixels.empty()) {
    std::copy_n(inputs.begin() + at, n, out);
    return;
  }
  // Division, not a product with 1/255: the floats the sets held before.
  const uint8_t *px = pixels.data() + at;
  for (int64_t i = 0; i < n; ++i)
    out[i] = float(px[i]) / 255.0f;
}

Dataset makeLineDraw(const LineDrawParams &params, int64_t size, uint64_t seed,
                     std::string_view stream, uint64_t index,
                     bool predictLast) {
  const int64_t L = params.seqLen;
  Dataset d;
  d.size = size;
  d.steps = L;
  d.inputSize = kLineDrawInputSize;
  d.targetSize = predictLast ? 2 : L * 2;
  d.inputs.assign(size * L, 0.0f);
  d.targets.resize(size * d.targetSize);
  d.labels.resize(size);

  std::vector<std::vector<float>> lines;
  for (int k = -3; k <= 3; ++k)
    lines.push_back(lineDrawTarget(k, L));

  Rng classes(seed, std::string(stream) + ".class", index);
  Rng noise(seed, std::string(stream) + ".noise", index);
  for (int64_t i = 0; i < size; ++i) {
    int c = int(classes.below(kLineDrawClasses));
    d.labels[i] = c;
    float *in = &d.inputs[i * L];
    in[0] = float(0.1 * (c - 3));
    if (params.inputNoise > 0)
      for (int64_t t = 1; t < L; ++t)
        in[t] = float(params.inputNoise * noise.normal());
    const std::vector<float> &line = lines[c];
    std::copy(line.end() - d.targetSize, line.end(),
              d.targets.begin() + i * d.targetSize);
  }
  return d;
}

} // namespace ccrnn::driver
