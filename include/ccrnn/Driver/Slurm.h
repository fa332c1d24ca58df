//===- Slurm.h - A run as a Slurm job array ---------------------*- C++ -*-===//
//
// `ccrnn-train ... --slurm N --out DIR` runs the run (or sweep) as a Slurm
// job array of N shards (Shards.h) and a merge job that waits for them:
//   DIR/slurm/shard.sh   the array's script: task I trains shard I/N into
//                        DIR/shards/I, or resumes it (after a requeue:
//                        preemption, node failure), or does nothing when
//                        it is complete
//   DIR/slurm/merge.sh   the merge job's script: --merge of the shards into
//                        DIR (the result, as a run in one piece writes it)
//   DIR/slurm/*.out      the jobs' output
// Slurm starts, requeues and orders the jobs; ccrnn has no scheduler of its
// own.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_SLURM_H
#define CCRNN_DRIVER_SLURM_H

#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::driver {

struct SlurmJob {
  std::string dir;                 ///< the run's --out (absolute)
  int64_t shards = 1;
  int threads = 1;                 ///< CPUs per task
  /// ccrnn-train and the run's flags, without --out and the Slurm flags:
  /// each task adds --shard and --out.
  std::vector<std::string> train;
  /// The merge's flags besides --merge, --out and --overwrite (e.g.
  /// --cache-dir).
  std::vector<std::string> mergeFlags;
  /// More sbatch options for both jobs, separated by white space
  /// (--slurm-opts, e.g. "--partition=long --time=2:00:00").
  std::string sbatchOptions;
};

/// The directory of shard `i` of a run (--slurm, or MPI ranks) in `dir`.
std::string shardDirectory(const std::string &dir, int64_t i);

/// Writes DIR/slurm/shard.sh and merge.sh; returns their paths. InputError
/// when DIR has a control character: it is written into #SBATCH lines,
/// which sbatch reads without the shell's quoting, so a line break there
/// would start a shell command of the script.
std::vector<std::string> writeSlurmScripts(const SlurmJob &job);

/// Submits the array, then the merge (afterok of the array); their job
/// ids. InputError with sbatch's output when a submission fails.
std::vector<std::string> submitSlurmJob(const SlurmJob &job);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_SLURM_H
