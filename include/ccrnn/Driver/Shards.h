//===- Shards.h - A run trained in shards and merged ------------*- C++ -*-===//
//
// `ccrnn-train ... --shard I/N` trains one slice of a run's (seed, model)
// pairs (ownsPair: dealt in turn, model by model) into a directory of its own, a
// run like any other (resumable, with its scores, checkpoints and plots)
// that also keeps its results tables in shard.npz. `ccrnn-train --merge
// DIR... --out OUT` gathers the N finished shards into one run directory,
// bit for bit the run trained in one piece (Experiment::mergeShards).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_SHARDS_H
#define CCRNN_DRIVER_SHARDS_H

#include "ccrnn/Driver/RunStore.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/Trainers.h"

#include <string>
#include <vector>

namespace ccrnn::driver {

/// The shards of a run, as --merge finds them.
struct ShardedRun {
  TrainConfig config;                   ///< the run's, unsharded
  std::vector<ModelEntry> models;       ///< trainers not loaded
  std::vector<std::string> commandLine; ///< shard 0's
  std::vector<std::string> shardDirs;   ///< by shard index
};

/// The shards in `dirs`, in any order. InputError naming the directory
/// when one is not a finished shard (not a run, not sharded, still running,
/// interrupted or diverged), when shards differ in a setting or their
/// models, or when a shard is given twice or missing; nothing is written.
ShardedRun readShards(const std::vector<std::string> &dirs);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_SHARDS_H
