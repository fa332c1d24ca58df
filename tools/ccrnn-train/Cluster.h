//===- Cluster.h - ccrnn-train on a cluster ---------------------*- C++ -*-===//
//
// A run on more than one machine: as a Slurm job array and a merge job
// (--slurm, Slurm.h), or as the ranks of an MPI job (mpirun), rank R
// training shard R/N and rank 0 merging (Shards.h).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TOOLS_CCRNN_TRAIN_CLUSTER_H
#define CCRNN_TOOLS_CCRNN_TRAIN_CLUSTER_H

#include "Options.h"
#include "Runner.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::train {

/// The processes of an MPI job (mpirun, mpiexec) and this one's rank, as
/// the launcher says in the environment (Open MPI; MPICH and Intel MPI);
/// a size of 1 outside one. No MPI library is needed: the ranks share
/// nothing but the output directory.
struct MpiWorld {
  int64_t rank = 0, size = 1;
};
MpiWorld mpiWorld();

/// --slurm: the run as a job array of shards and a merge job, after the
/// checks a run makes before it writes anything (trainers compiled here:
/// on a cluster the cache is shared, and an error shows now, not in a job).
int runOnSlurm(Runner &runner, const CommandLine &cl, bool slurmGiven,
               const std::vector<ModelRef> &refs,
               const std::vector<SweepAxis> &axes, int argc, char **argv);

/// One rank of `mpirun -np N ccrnn-train ... --out OUT`: shard R/N into
/// OUT/shards/R (the --slurm layout); rank 0 then merges the shards into
/// OUT. With --resume OUT, each rank continues its shard.
int runAsMpiRank(Runner &runner, const CommandLine &cl, const MpiWorld &mpi,
                 const std::vector<ModelRef> &refs,
                 const std::vector<SweepAxis> &axes, int argc, char **argv);

} // namespace ccrnn::train

#endif // CCRNN_TOOLS_CCRNN_TRAIN_CLUSTER_H
