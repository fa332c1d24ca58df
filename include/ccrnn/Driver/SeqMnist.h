//===- SeqMnist.h - The sequential-MNIST tasks (SPEC §5) --------*- C++ -*-===//
//
// seqmnist (classify the digit at the last step), seqmnist-lines (draw a
// straight line per digit) and seqmnist-digits (draw the digit's template).
// The images are fed `inputSize` pixels per step (row-major, scaled to
// [0, 1]), so a sequence has 784 / inputSize steps; the drawing targets have
// one 2-D point per step.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_SEQMNIST_H
#define CCRNN_DRIVER_SEQMNIST_H

#include "ccrnn/Driver/LineDraw.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::driver {

constexpr int kMnistClasses = 10;
constexpr int64_t kMnistPixels = 784;

/// Steps of a sequence fed `inputSize` pixels per step: 784 / inputSize.
/// InputError unless inputSize is positive and divides 784.
int64_t seqMnistSteps(int64_t inputSize);

/// Parses --numbers ("0,1,2"): distinct digits 0..9, sorted. InputError
/// otherwise. An empty string means all ten digits.
std::vector<int> parseNumbers(const std::string &spec);

/// seqmnist-lines: the endpoint of digit d, 10 (sin t, cos t), t = 36 d deg.
std::array<double, 2> seqMnistLineEndpoint(int digit);

/// seqmnist-lines --free-magnitude: ten distinct endpoints (one per digit)
/// from the grid {0, 1/3, 2/3, 1}^2 scaled by 10, drawn once per run from
/// stream "seqmnist.free_magnitude" of `seed` (a partial Fisher-Yates
/// shuffle of the 16 grid points, in row-major order i*4+j -> (i/3, j/3)).
std::vector<std::array<double, 2>> freeMagnitudeEndpoints(uint64_t seed);

/// The straight line of `steps` points from the origin to `end` [steps, 2].
std::vector<float> straightLine(std::array<double, 2> end, int64_t steps);

/// The SPEC §5 waypoints of digit d's template (x and y in [0, 1]).
std::vector<std::array<double, 2>> digitWaypoints(int digit);

/// Resamples a polyline to `steps` points by SPEC §5's rule: each of the
/// m = p - 1 segments gets steps div m points; when r = steps mod m > 0 the
/// first r - 1 segments get one more, else the last segment gets one fewer;
/// segment j's points are evenly spaced from its start (inclusive) towards
/// its end (exclusive); the final waypoint is appended last. [steps, 2].
/// Requires steps >= p - 1 (so that no segment gets a negative count).
std::vector<float> resamplePolyline(
    const std::vector<std::array<double, 2>> &waypoints, int64_t steps);

/// The target of digit d for a drawing task [steps, 2].
/// `freeEndpoints`: for seqmnist-lines with --free-magnitude, else empty.
std::vector<float>
seqMnistTarget(const std::string &task, int digit, int64_t steps,
               const std::vector<std::array<double, 2>> &freeEndpoints);

/// Samples from MNIST images: `indices` select images of `pixels` (count x
/// 784 bytes) and `labels`. Inputs [n, 784 / inputSize, inputSize], kept as
/// the images' bytes (Dataset::pixels; readInputs scales them to [0, 1]);
/// labels the digits; for drawing tasks the targets are `targets[label]`
/// ([steps, 2] each), for seqmnist none.
Dataset makeSeqMnist(const std::vector<uint8_t> &pixels,
                     const std::vector<uint8_t> &labels,
                     const std::vector<int64_t> &indices, int64_t inputSize,
                     const std::vector<std::vector<float>> &targets);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_SEQMNIST_H
