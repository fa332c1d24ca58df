//===- ccrnn-train.cpp - The training driver --------------------*- C++ -*-===//
//
// Trains the models of a task for a list of seeds and writes scores,
// metadata, checkpoints, trajectories and plots (docs/UserGuide.md,
// "Training: ccrnn-train"). The tool parses the command line (Options.h)
// into a configuration and hands it to the runs (Runner.h: the library's
// plan, run, sweep and merge with progress and signals) or to a cluster
// (Cluster.h: Slurm, MPI); here the flags become a run, and errors exit
// codes.
//
// Exit status: 0 done, 2 bad input (nothing written), 3 a NaN/Inf loss,
// 128 + signal when stopped by SIGINT/SIGTERM (resumable), 1 other errors
// (e.g. a failed write).
//
//===----------------------------------------------------------------------===//

#include "Cluster.h"
#include "Options.h"
#include "Runner.h"
#include "Summary.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Driver/TrainerCache.h"

#include <cstdio>
#include <filesystem>
#include <optional>

using namespace ccrnn::driver;
using namespace ccrnn::train;

namespace {

int realMain(int argc, char **argv) {
  CLI::App app{"ccrnn-train: trains cerebro-cerebellar RNNs (cRNN / ccRNN) "
               "on a task for a list of seeds and writes scores, metadata, "
               "checkpoints and plots."};
  app.option_defaults()->always_capture_default();
  CommandLine cl;
  addTaskOptions(app, cl);
  addModelOptions(app, cl);
  addControlOptions(app, cl);
  addOptimizerOptions(app, cl);
  addRunOptions(app, cl);
  addFileOptions(app, cl);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    throw InputError(describeParseError(app, e));
  }
  checkCommonFlags(app, cl);
  const MpiWorld mpi = mpiWorld();
  if (mpi.size > 1)
    programName = "ccrnn-train (rank " + std::to_string(mpi.rank) + ")";
  Runner runner(cl.quiet, cl.cacheDir);

  if (!cl.status.empty()) {
    checkStatusFlags(app);
    printProgress(readProgress(cl.status));
    return 0;
  }

  if (app.count("--prune-cache") > 0) {
    checkPruneFlags(app);
    const std::string dir = runner.trainerSession().cacheDirectory();
    const CachePruning p =
        pruneTrainerCache(dir, parseByteSize("--prune-cache", cl.pruneCache));
    if (!cl.quiet)
      std::printf("%s\n", describe(dir, p).c_str());
    return 0;
  }

  if (!cl.merge.empty()) {
    checkMergeFlags(app, cl);
    const RunDirectoryLock lock("--out", cl.out, cl.overwrite);
    if (Sweep::isSweep(cl.merge.front()))
      return mergeSweep(runner, readSweepShards(cl.merge, cl.partial),
                        cl.out);
    return mergeShards(runner, readShards(cl.merge, cl.partial), cl.out);
  }

  if (!cl.resume.empty()) {
    // The settings are the saved run's; only how it runs may change.
    checkResumeFlags(app, cl);
    if (mpi.size > 1)
      return runAsMpiRank(runner, cl, mpi, {}, {}, argc, argv);
    // Held before anything is read: a second --resume of the directory is
    // refused, not run from the same saved state. (A missing directory is
    // reported by the reading.)
    // A grid point's run also writes its sweep's files: the sweep is held
    // too, so a point is never resumed beside its sweep.
    std::optional<RunDirectoryLock> sweepLock, lock;
    std::filesystem::path point =
        std::filesystem::absolute(cl.resume).lexically_normal();
    if (!point.has_filename()) // "dir/"
      point = point.parent_path();
    const std::string parent = point.parent_path();
    if (Sweep::isSweep(parent))
      sweepLock.emplace("--resume", parent, /*mayExist=*/true);
    if (std::filesystem::is_directory(cl.resume))
      lock.emplace("--resume", cl.resume, /*mayExist=*/true);
    if (Sweep::isSweep(cl.resume)) {
      Sweep sweep = Sweep::open(cl.resume);
      for (SweepPoint &p : sweep.points())
        applyRunFlags(app, cl, p.config);
      return trainSweep(runner, sweep, /*resuming=*/true);
    }
    SavedRun saved = readSavedRun(cl.resume);
    applyRunFlags(app, cl, saved.config);
    return trainRun(runner, saved.config, resolveSavedModels(saved.models),
                    cl.resume, saved.commandLine, /*resuming=*/true);
  }

  const std::vector<SweepAxis> axes = finishConfig(app, cl);
  const TrainConfig &cfg = cl.config;
  std::vector<ModelRef> refs =
      resolveModels(splitFlagList("--model", cl.models), cfg.task);

  // A task of tokens (captioning) runs one run at a time, on this machine.
  if (findTask(cfg.task).trainsTokens) {
    const char *other = !axes.empty()                       ? "a sweep"
                        : !cl.dumpStep.empty()              ? "--dump-step"
                        : mpi.size > 1                      ? "mpirun"
                        : app.count("--slurm") > 0 || cl.emitSlurm ? "--slurm"
                                                            : nullptr;
    if (other)
      throw InputError(std::string("--task ") + cfg.task + ": " + other +
                       " is not supported for it yet");
  }
  if (!cl.dumpStep.empty() || !cl.batchFile.empty()) {
    if (cl.dumpStep.empty() || cl.batchFile.empty())
      throw InputError("--dump-step and --batch go together");
    if (refs.size() != 1)
      throw InputError("--dump-step takes exactly one model (--model)");
    if (!axes.empty())
      throw InputError("--dump-step takes one value of --" + axes[0].name);
    return writeDumpStep(runner, cfg, refs[0], cl.dumpStep, cl.batchFile);
  }

  if (mpi.size > 1)
    return runAsMpiRank(runner, cl, mpi, refs, axes, argc, argv);
  if (app.count("--slurm") > 0 || cl.emitSlurm || !cl.slurmOptions.empty())
    return runOnSlurm(runner, cl, app.count("--slurm") > 0, refs, axes, argc,
                      argv);

  const std::string outDir = cl.out.empty() ? defaultOutDir(cfg.task) : cl.out;
  std::vector<std::string> commandLine(argv, argv + argc);
  if (axes.empty()) {
    const RunDirectoryLock lock("--out", outDir, cl.overwrite);
    return trainRun(runner, cfg, refs, outDir, commandLine,
                    /*resuming=*/false);
  }
  // Every grid point's settings are checked before anything is written.
  std::vector<ModelEntry> entries;
  for (const ModelRef &ref : refs)
    entries.push_back({ref.name, ref.file, "", "", "", nullptr});
  Sweep sweep(axes, cfg, entries, outDir, commandLine);
  const RunDirectoryLock lock("--out", outDir, cl.overwrite);
  return trainSweep(runner, sweep, /*resuming=*/false);
}

} // namespace

int main(int argc, char **argv) {
  commandArgv = argv;
  try {
    return realMain(argc, argv);
  } catch (const InputError &e) {
    std::fprintf(stderr, "%s: error: %s\n", programName.c_str(), e.what());
    return 2;
  } catch (const DivergedError &e) {
    std::fprintf(stderr, "%s: error: %s\n", programName.c_str(), e.what());
    return 3;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: error: %s\n", programName.c_str(), e.what());
    return 1;
  }
}
