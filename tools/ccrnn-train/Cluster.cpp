//===- Cluster.cpp - ccrnn-train on a cluster -------------------*- C++ -*-===//

#include "Cluster.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Slurm.h"

#include <cstdlib>
#include <filesystem>
#include <optional>

namespace ccrnn::train {

namespace {

/// This program's absolute path (the jobs run it from wherever they start).
std::string selfPath() {
  std::error_code ec;
  const std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("ccrnn-train") : self.string();
}

/// The shard directories of a run of `count` MPI ranks into `out`.
std::vector<std::string> rankDirectories(const std::string &out,
                                         int64_t count) {
  std::vector<std::string> dirs;
  for (int64_t i = 0; i < count; ++i)
    dirs.push_back(shardDirectory(out, i));
  return dirs;
}

/// Rank 0 of an MPI job: waits for every rank's shard, then merges them
/// into `out`.
int mergeRanks(Runner &runner, const std::string &out, int64_t size) {
  const std::vector<std::string> dirs = rankDirectories(out, size);
  runner.log("waiting for the other ranks' shards");
  waitForShards(dirs, 0.5, [] { return stopRequested.load(); });
  if (Sweep::isSweep(dirs.front()))
    return mergeSweep(runner, readSweepShards(dirs), out);
  return mergeShards(runner, readShards(dirs), out);
}

} // namespace

MpiWorld mpiWorld() {
  for (auto [rank, size] : {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                            std::pair{"PMI_RANK", "PMI_SIZE"}}) {
    const char *r = std::getenv(rank), *n = std::getenv(size);
    if (r && n && std::atoll(n) > 1)
      return {std::atoll(r), std::atoll(n)};
  }
  return {};
}

int runOnSlurm(Runner &runner, const CommandLine &cl, bool slurmGiven,
               const std::vector<ModelRef> &refs,
               const std::vector<SweepAxis> &axes, int argc, char **argv) {
  if (!slurmGiven)
    throw InputError("--slurm-opts and --emit-slurm go with --slurm N (N "
                     "shards)");
  if (cl.slurm < 1)
    throw InputError("--slurm must be a positive integer (the shards), got " +
                     std::to_string(cl.slurm));
  // A shard trains at least one (seed, model) pair: more shards would be
  // tasks (and directories) of nothing.
  const int64_t pairs = int64_t(cl.config.seeds.size()) * int64_t(refs.size());
  if (cl.slurm > pairs)
    throw InputError("--slurm " + std::to_string(cl.slurm) +
                     ": more shards than the run's " + std::to_string(pairs) +
                     " (seed, model) pairs");
  if (!cl.shard.empty())
    throw InputError("--shard cannot be combined with --slurm (each task of "
                     "the job array is a shard)");
  if (cl.out.empty())
    throw InputError("--slurm needs --out (where the merged run goes)");
  checkOutputDirectory(cl.out, cl.overwrite);
  if (axes.empty()) {
    runner.load(refs, cl.config);
  } else {
    std::vector<ModelEntry> entries;
    for (const ModelRef &ref : refs)
      entries.push_back({ref.name, ref.file, "", "", "", nullptr});
    const Sweep grid(axes, cl.config, entries, cl.out, {});
    for (const SweepPoint &p : grid.points())
      runner.load(refs, p.config);
  }
  SlurmJob job;
  job.dir = std::filesystem::absolute(cl.out).lexically_normal().string();
  job.shards = cl.slurm;
  job.threads = cl.config.threads;
  job.train = shardCommand(argc, argv, selfPath());
  if (!cl.cacheDir.empty())
    job.mergeFlags = {"--cache-dir", cl.cacheDir};
  job.sbatchOptions = cl.slurmOptions;
  if (cl.emitSlurm) {
    const std::vector<std::string> files = writeSlurmScripts(job);
    std::printf("wrote %s and %s; submit with:\n"
                "  array=$(sbatch --parsable %s)\n"
                "  sbatch --dependency=afterok:$array %s\n",
                files[0].c_str(), files[1].c_str(), files[0].c_str(),
                files[1].c_str());
    return 0;
  }
  const std::vector<std::string> ids = submitSlurmJob(job);
  std::printf("submitted job array %s (%" PRId64 " shards, in %s/shards) and "
              "merge job %s; the merged run will be in %s\n",
              ids[0].c_str(), cl.slurm, job.dir.c_str(), ids[1].c_str(),
              job.dir.c_str());
  return 0;
}

int runAsMpiRank(Runner &runner, const CommandLine &cl, const MpiWorld &mpi,
                 const std::vector<ModelRef> &refs,
                 const std::vector<SweepAxis> &axes, int argc, char **argv) {
  const bool resuming = !cl.resume.empty();
  const std::string out = resuming ? cl.resume : cl.out;
  mpiResumeCommand = "mpirun -np " + std::to_string(mpi.size) +
                     " ccrnn-train --resume " + out;
  if (out.empty())
    throw InputError("under mpirun, --out is needed (every rank writes its "
                     "shard into <out>/shards/<rank>)");
  if (!cl.shard.empty())
    throw InputError("--shard cannot be combined with mpirun (each rank is "
                     "a shard)");
  const std::string dir = rankDirectories(out, mpi.size)[size_t(mpi.rank)];
  int status = 0;
  std::optional<RunDirectoryLock> lock;
  if (resuming) {
    if (!std::filesystem::is_directory(std::filesystem::path(out) / "shards"))
      throw InputError("--resume " + out + ": not a run of MPI ranks (no " +
                       "shards/)");
    if (std::filesystem::is_directory(dir))
      lock.emplace("--resume", dir, /*mayExist=*/true);
    switch (nextShardStep(dir)) {
    case ShardStep::Done:
      runner.log("shard " + dir + " is complete");
      break;
    case ShardStep::Train:
      throw InputError("--resume " + out + ": nothing saved in " + dir +
                       " (as many ranks as the run had?)");
    case ShardStep::Resume:
      if (Sweep::isSweep(dir)) {
        Sweep sweep = Sweep::open(dir);
        status = trainSweep(runner, sweep, /*resuming=*/true);
      } else {
        SavedRun saved = readSavedRun(dir);
        status = trainRun(runner, saved.config,
                          resolveSavedModels(saved.models), dir,
                          saved.commandLine, /*resuming=*/true);
      }
    }
  } else {
    // Every rank holds its own directory: the ranks create <out> together.
    lock.emplace("--out", dir, cl.overwrite);
    TrainConfig cfg = cl.config;
    cfg.shardIndex = mpi.rank;
    cfg.shardCount = mpi.size;
    const std::vector<std::string> commandLine(argv, argv + argc);
    if (axes.empty()) {
      status = trainRun(runner, cfg, refs, dir, commandLine,
                        /*resuming=*/false);
    } else {
      std::vector<ModelEntry> entries;
      for (const ModelRef &ref : refs)
        entries.push_back({ref.name, ref.file, "", "", "", nullptr});
      Sweep sweep(axes, cfg, entries, dir, commandLine);
      status = trainSweep(runner, sweep, /*resuming=*/false);
    }
  }
  if (status != 0 || mpi.rank != 0)
    return status;
  return mergeRanks(runner, out, mpi.size);
}

} // namespace ccrnn::train
