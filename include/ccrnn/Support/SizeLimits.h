//===- SizeLimits.h - the largest sizes ccrnn accepts -----------*- C++ -*-===//
//
// Every size a model file, a compiler option or a ccrnn-train flag gives is
// bounded here, once, so that a typo (`layers = 4294967296`, `--nhid 1e9`)
// is one clear error up front instead of a compile that never ends, element
// counts that overflow int64_t, or an allocation that fails after a run has
// started. The dialect's verifiers, ccrnn-configure-model,
// ccrnn-build-training, ccrnn-ensemble, ccrnn-plan-memory and ccrnn-train's
// option checks use these constants; docs/UserGuide.md ("Limits") and the
// dialect reference list them.
//
// The bounds are far above any model that fits a machine (whether one does
// is checked separately, against its memory): with them, every parameter's
// element count stays below 2^43, and the compiler's products of batch,
// steps, units and networks are computed with overflow checks
// (getCheckedNumElements) against kMaxProgramFloats.
//
// No MLIR: the driver uses them too.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_SUPPORT_SIZELIMITS_H
#define CCRNN_SUPPORT_SIZELIMITS_H

#include <cstdint>

namespace ccrnn {

/// Units of a layer: `hidden` of a recurrent layer, `features` of a
/// sequence or readout, `width` of the cerebellum. (2^20.)
constexpr int64_t kMaxUnits = int64_t(1) << 20;
/// Stacked recurrent layers, and hidden layers of the cerebellum: the
/// training program is built layer by layer, so its size (and the time to
/// compile it) grows with them.
constexpr int64_t kMaxLayers = 256;
/// Sequences of a batch (ccrnn-build-training's `batch`, --batch-size).
constexpr int64_t kMaxBatch = int64_t(1) << 20;
/// Steps of a sequence (`steps`, --seq-len). (2^20.)
constexpr int64_t kMaxSteps = int64_t(1) << 20;
/// Networks of an ensemble trainer (ccrnn-ensemble's `size`, --ensemble).
constexpr int64_t kMaxEnsemble = 1024;
/// Floats a training program may need in all (its arena, staging buffer,
/// or any one tensor of all its networks): 2^42, 16 TiB.
constexpr int64_t kMaxProgramFloats = int64_t(1) << 42;

/// Elements of one tensor the reference evaluator (ccrnn-run) computes, in
/// doubles: 2^30, 8 GB.
constexpr int64_t kMaxEvaluatedElements = int64_t(1) << 30;

/// ccrnn-train's counts: epochs (and the epoch counts of --early-stopping,
/// --lr-decay-patience), seeds, samples of a data set, threads and jobs.
/// Whether a run within them fits the machine's memory is checked against
/// it before anything is written.
constexpr int64_t kMaxEpochs = 1000000;
constexpr int64_t kMaxSeeds = 1000000;
constexpr int64_t kMaxSamples = 1000000000;
constexpr int64_t kMaxThreads = 4096;
/// Grid points of a sweep (the product of its lists' lengths).
constexpr int64_t kMaxGridPoints = 10000;

} // namespace ccrnn

#endif // CCRNN_SUPPORT_SIZELIMITS_H
