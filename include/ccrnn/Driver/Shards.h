//===- Shards.h - A run trained in shards and merged ------------*- C++ -*-===//
//
// `ccrnn-train ... --shard I/N` trains one slice of a run's (seed, model)
// pairs (ownsPair: dealt in turn, model by model) into a directory of its own, a
// run like any other (resumable, with its scores, checkpoints and plots)
// that also keeps its results tables in shard.npz. `ccrnn-train --merge
// DIR... --out OUT` gathers the N finished shards into one run directory,
// bit for bit the run trained in one piece (Experiment::mergeShards). A
// sweep is sharded point by point and merged likewise.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_SHARDS_H
#define CCRNN_DRIVER_SHARDS_H

#include "ccrnn/Driver/RunStore.h"
#include "ccrnn/Driver/Sweep.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/Trainers.h"

#include <functional>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// The shards of a run, as --merge finds them.
struct ShardedRun {
  TrainConfig config;                   ///< the run's, unsharded
  std::vector<ModelEntry> models;       ///< trainers not loaded
  std::vector<std::string> commandLine; ///< shard 0's
  std::vector<std::string> shardDirs;   ///< by shard index ("": missing)
};

/// The shards in `dirs`, in any order. InputError naming the directory
/// when one is not a finished shard (not a run, not sharded, still running,
/// interrupted or diverged), when shards differ in a setting or their
/// models, or when a shard is given twice or missing; nothing is written.
/// With `partial` (--partial), unfinished and missing shards are allowed
/// (a missing one's directory is ""): the merge takes the pairs that are
/// finished.
ShardedRun readShards(const std::vector<std::string> &dirs,
                      bool partial = false);

/// What the task of a shard (an MPI rank) does with the shard's directory:
/// train it (nothing saved there yet), resume it (saved, not finished), or
/// nothing (complete). DivergedError when it diverged (resuming would
/// repeat it).
enum class ShardStep { Train, Resume, Done };
ShardStep nextShardStep(const std::string &dir);

/// Waits until the shards in `dirs` (shard i in dirs[i]) are complete,
/// looking every `pollSeconds`. DivergedError naming the shard when one
/// diverged; InputError when `giveUp` says so (e.g. the job was stopped).
void waitForShards(const std::vector<std::string> &dirs, double pollSeconds,
                   const std::function<bool()> &giveUp);

/// How far a run is, for `ccrnn-train --status`: one line per run it is
/// made of (a sweep's grid points; a cluster run's shards, each a run or a
/// sweep, and the merged result once it is there).
struct RunProgress {
  std::string name;   ///< "bptt=3", "shard 1", "merged"; "" for a run
  std::string status; ///< as its meta.json / sweep.json says
  int64_t epochsDone = 0, epochsTotal = 0;
};
/// InputError when `dir` holds no run, sweep or shards.
std::vector<RunProgress> readProgress(const std::string &dir);

/// The shards of a sweep (`--shard I/N` with a list flag: every grid point
/// is sharded the same way, each shard directory a sweep of shard runs).
struct ShardedSweep {
  std::vector<SweepAxis> axes;
  std::vector<std::string> commandLine;
  std::vector<std::string> pointDirs; ///< the grid points' directories
  std::vector<ShardedRun> points;     ///< per point, its shards
};

/// The sweeps in `dirs` (InputError as readShards, for each grid point, or
/// when their grids differ).
ShardedSweep readSweepShards(const std::vector<std::string> &dirs,
                             bool partial = false);

/// Writes the sweep of `shards` into `dir`: each grid point merged
/// (Experiment::mergeShards) with its models `models[i]` (trainers
/// loaded), then the sweep's files.
Sweep mergeSweepShards(const ShardedSweep &shards,
                       const std::vector<std::vector<ModelEntry>> &models,
                       const std::string &dir, const SweepHooks &hooks);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_SHARDS_H
