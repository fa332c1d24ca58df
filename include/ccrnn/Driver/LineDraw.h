//===- LineDraw.h - The line-drawing task (SPEC §5) -------------*- C++ -*-===//
//
// Seven classes k in {-3, ..., 3}. The input (size 1) is 0.1 k at t = 0 and
// 0 afterwards, plus optional Gaussian noise at t >= 1; the target is the
// straight line of L points from the origin to the class's endpoint on the
// circle of radius 10 (the origin for k = 0).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_LINEDRAW_H
#define CCRNN_DRIVER_LINEDRAW_H

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ccrnn::driver {

constexpr int kLineDrawClasses = 7;
constexpr int64_t kLineDrawInputSize = 1, kLineDrawOutputSize = 2;

struct LineDrawParams {
  int64_t seqLen = 10;
  double inputNoise = 0.0; ///< standard deviation, at t >= 1 only
  int64_t trainSize = 800; ///< fresh samples every epoch
  int64_t valSize = 200;   ///< fixed per seed
  int64_t testSize = 10000;
};

/// Samples of a task, batch-first, in the layout the trainers take. The
/// inputs are held either as floats or, for the image tasks, as bytes that
/// readInputs converts per batch (MNIST's training set would take 150 MB as
/// floats, 38 MB as bytes).
struct Dataset {
  int64_t size = 0, steps = 0, inputSize = 0;
  /// Target floats per sample: steps * outputs, or outputs with predict-last.
  int64_t targetSize = 0;
  std::vector<float> inputs;   ///< [size, steps, inputSize]; empty if pixels
  std::vector<uint8_t> pixels; ///< [size, steps, inputSize]; input = p / 255
  std::vector<float> targets;  ///< [size, steps, 2] or [size, 2]
  std::vector<int> labels;     ///< class index c = k + 3 in [0, 7)

  /// Input floats per sample: steps * inputSize.
  int64_t sampleInputs() const { return steps * inputSize; }
  /// Writes the float inputs of samples [first, first + count) to `out`
  /// (count * sampleInputs() floats), from `pixels` when it is non-empty.
  void readInputs(int64_t first, int64_t count, float *out) const;
};

/// The endpoint of class k (-3 <= k <= 3): 10 (sin t, cos t), t = 0 deg for
/// k = 3, 60 for 2, 120 for 1, 180 for -1, 240 for -2, 300 for -3; (0, 0)
/// for k = 0.
std::array<double, 2> lineDrawEndpoint(int k);

/// The target line of class k: L points [L, 2], evenly spaced from the
/// origin (t = 0) to the endpoint (t = L - 1).
std::vector<float> lineDrawTarget(int k, int64_t seqLen);

/// `size` samples drawn from the streams "<stream>.class" and
/// "<stream>.noise" (index `index`) of `seed`: classes uniformly at random;
/// noise from its own stream, so the classes do not depend on the noise
/// level. With `predictLast` the targets are the endpoints only.
Dataset makeLineDraw(const LineDrawParams &params, int64_t size, uint64_t seed,
                     std::string_view stream, uint64_t index, bool predictLast);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_LINEDRAW_H
