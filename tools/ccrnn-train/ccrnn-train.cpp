//===- ccrnn-train.cpp - The training driver --------------------*- C++ -*-===//
//
// Trains the models of a task for a list of seeds and writes scores,
// metadata, checkpoints, trajectories and plots (docs/UserGuide.md,
// "Training: ccrnn-train"). The tool parses the command line (Options.h)
// into a configuration, has the library plan and run it (TrainingPlan.h,
// Experiment.h, Sweep.h), shows progress (Progress.h) and maps errors to
// exit codes.
//
// Exit status: 0 done, 2 bad input (nothing written), 3 a NaN/Inf loss,
// 128 + signal when stopped by SIGINT/SIGTERM (resumable), 1 other errors
// (e.g. a failed write).
//
//===----------------------------------------------------------------------===//

#include "Options.h"
#include "Progress.h"
#include "Summary.h"

#include "ccrnn/Driver/DumpStep.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/Shards.h"
#include "ccrnn/Driver/Slurm.h"
#include "ccrnn/Driver/Sweep.h"
#include "ccrnn/Driver/TrainingPlan.h"
#include "ccrnn/Runtime/Kernels.h"

#include <atomic>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include <unistd.h>

using namespace ccrnn::driver;
using namespace ccrnn::train;

namespace {

std::atomic<bool> stopRequested{false};
std::atomic<int> stopSignal{0};

void onSignal(int sig) {
  stopSignal = sig;
  stopRequested = true;
  const char msg[] = "\nccrnn-train: stopping after this epoch (signal again "
                     "to abort)\n";
  (void)!write(2, msg, sizeof msg - 1);
}

void installSignalHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = onSignal;
  // A second signal gets the default action: the user can still abort.
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

/// How messages name this process: "ccrnn-train", or "ccrnn-train (rank
/// R)" as one of the processes of an MPI job.
std::string programName = "ccrnn-train";
/// How an MPI job is continued (all ranks at once); "" outside one.
std::string mpiResumeCommand;

/// The processes of an MPI job (mpirun, mpiexec) and this one's rank, as
/// the launcher says in the environment (Open MPI; MPICH and Intel MPI);
/// a size of 1 outside one. No MPI library is needed: the ranks share
/// nothing but the output directory.
struct MpiWorld {
  int64_t rank = 0, size = 1;
};
MpiWorld mpiWorld() {
  for (auto [rank, size] : {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                            std::pair{"PMI_RANK", "PMI_SIZE"}}) {
    const char *r = std::getenv(rank), *n = std::getenv(size);
    if (r && n && std::atoll(n) > 1)
      return {std::atoll(r), std::atoll(n)};
  }
  return {};
}

/// The command line, for re-executing with sleeping threads.
char **commandArgv = nullptr;

/// The kernels' threads, idle ones sleeping (see preferSleepingThreads).
void setThreads(int threads) {
  ccrnn::rt::preferSleepingThreads(threads, commandArgv);
  ccrnn::rt::setNumThreads(threads);
}

/// What runs need besides their settings: the session (trainers, --init),
/// progress and the stop on SIGINT/SIGTERM.
class Runner {
public:
  Runner(bool quiet, const std::string &cacheDir)
      : quiet(quiet),
        session(cacheDir, [this](const std::string &line) { log(line); }) {}

  bool isQuiet() const { return quiet; }

  void log(const std::string &line) const {
    if (!quiet)
      std::fprintf(stderr, "%s: %s\n", programName.c_str(), line.c_str());
  }

  /// `refs` with their trainers for a run of `cfg`; the input errors come
  /// before anything is written.
  std::vector<ModelEntry> load(const std::vector<ModelRef> &refs,
                               const TrainConfig &cfg) {
    setThreads(cfg.threads);
    return planTrainers(session, refs, cfg);
  }

  TrainerSession &trainerSession() { return session; }

  /// "training linedraw: lstm, dni_lstm; 2 seeds, 100 epochs -> DIR".
  void announce(const std::string &prefix, const TrainConfig &cfg,
                const std::vector<ModelEntry> &models, const std::string &dir,
                bool resuming) const {
    if (quiet)
      return;
    std::string names;
    for (const ModelEntry &m : models)
      names += (names.empty() ? "" : ", ") + m.name;
    std::fprintf(stderr,
                 "%s: %s%s %s: %s; %zu seed%s, %" PRId64 " epochs -> %s\n",
                 programName.c_str(), prefix.c_str(), resuming ? "resuming" : "training",
                 cfg.task.c_str(), names.c_str(), cfg.seeds.size(),
                 cfg.seeds.size() == 1 ? "" : "s", cfg.epochs, dir.c_str());
  }

  /// The hooks of a run's progress; restart() starts the progress of the
  /// next run (its ETA counts from there).
  RunHooks hooks() {
    RunHooks h;
    h.onEpoch = [this](const EpochReport &r) { progress->epoch(r); };
    h.onBatch = [this](const BatchReport &r) { progress->batch(r); };
    h.onWarning = [this](const std::string &w) {
      progress->finish();
      std::fprintf(stderr, "%s: warning: %s\n", programName.c_str(),
                   w.c_str());
    };
    h.stop = &stopRequested;
    return h;
  }
  void restart() { progress = std::make_unique<Progress>(quiet); }

  /// Runs `train` with the signal handlers installed and the progress bar
  /// ended afterwards; the exit status of an interrupted run.
  std::optional<int> run(const std::function<RunStatus()> &train,
                         const std::string &dir) {
    installSignalHandlers();
    RunStatus status;
    try {
      status = train();
    } catch (...) {
      progress->finish();
      throw;
    }
    progress->finish();
    if (status == RunStatus::Complete)
      return std::nullopt;
    const std::string how = mpiResumeCommand.empty()
                                ? "ccrnn-train --resume " + dir
                                : mpiResumeCommand;
    std::fprintf(stderr, "%s: stopped; continue with: %s\n",
                 programName.c_str(), how.c_str());
    return 128 + stopSignal.load();
  }

private:
  bool quiet;
  TrainerSession session;
  std::unique_ptr<Progress> progress = std::make_unique<Progress>(quiet);
};

/// --dump-step: one batch's gradients from the initial weights.
int writeDumpStep(Runner &runner, const TrainConfig &cfg, const ModelRef &ref,
                  const std::string &out, const std::string &batchFile) {
  setThreads(cfg.threads);
  ccrnn::npz::writeNpz(
      out, dumpStepOfBatchFile(runner.trainerSession(), ref, cfg, batchFile));
  return 0;
}

/// One run of `cfg` into `dir` (continued when `resuming`).
int trainRun(Runner &runner, const TrainConfig &cfg,
             const std::vector<ModelRef> &refs, const std::string &dir,
             const std::vector<std::string> &commandLine, bool resuming) {
  std::vector<ModelEntry> models = runner.load(refs, cfg);
  Experiment run(cfg, models, dir, commandLine);
  if (resuming)
    run.loadResume();
  runner.announce("", cfg, models, dir, resuming);
  RunHooks hooks = runner.hooks();
  // A grid point resumed on its own: its sweep's files follow it, however
  // the run ends.
  auto updateSweep = [&] {
    if (!resuming)
      return;
    SweepHooks sweepHooks;
    sweepHooks.run = runner.hooks();
    std::string sweep = Sweep::updateContaining(dir, sweepHooks);
    if (!sweep.empty())
      runner.log("updated the sweep's files in " + sweep);
  };
  std::optional<int> status;
  try {
    status = runner.run([&] { return run.run(hooks); }, dir);
  } catch (const DivergedError &) {
    updateSweep();
    throw;
  }
  updateSweep();
  if (status)
    return *status;
  if (!runner.isQuiet()) {
    printSummary(run.summary());
    std::printf("results in %s\n", dir.c_str());
  }
  return 0;
}

/// The grid points of `sweep` that are not done, one after the other. A new
/// sweep's points are all prepared first (after every trainer is loaded).
int trainSweep(Runner &runner, Sweep &sweep, bool resuming) {
  for (SweepPoint &p : sweep.points())
    if (!p.done())
      p.models = runner.load(resolveSavedModels(p.models), p.config);
  SweepHooks hooks;
  hooks.run = runner.hooks();
  if (!resuming)
    sweep.prepare(hooks);
  std::string axes;
  for (const SweepAxis &a : sweep.axes()) {
    axes += (axes.empty() ? "" : " x ") + a.name + " ";
    for (size_t i = 0; i < a.values.size(); ++i)
      axes += (i ? "," : "") + formatValue(a.values[i]);
  }
  runner.log(std::string(resuming ? "resuming" : "running") + " a sweep of " +
             std::to_string(sweep.points().size()) + " grid points (" + axes +
             ") -> " + sweep.dir());
  const size_t count = sweep.points().size();
  hooks.onPointStart = [&](size_t i, const SweepPoint &p) {
    runner.restart();
    runner.announce("grid point " + std::to_string(i + 1) + "/" +
                        std::to_string(count) + " " + p.dir + ": ",
                    p.config, p.models,
                    (std::filesystem::path(sweep.dir()) / p.dir).string(),
                    p.status != "pending");
  };
  if (auto status = runner.run([&] { return sweep.run(hooks); }, sweep.dir()))
    return *status;
  if (!runner.isQuiet()) {
    printSweepSummary(sweep);
    std::printf("results in %s\n", sweep.dir().c_str());
  }
  return 0;
}

/// --merge: the shards of `run` into `out`.
int mergeShards(Runner &runner, const ShardedRun &run, const std::string &out) {
  std::vector<ModelEntry> models =
      runner.load(resolveSavedModels(run.models), run.config);
  Experiment merged(run.config, models, out, run.commandLine);
  merged.mergeShards(run.shardDirs, runner.hooks());
  if (!runner.isQuiet()) {
    printSummary(merged.summary());
    std::printf("merged %zu shards; results in %s\n", run.shardDirs.size(),
                out.c_str());
  }
  return 0;
}

/// --merge of sweeps: every grid point's shards, then the sweep's files.
int mergeSweep(Runner &runner, const ShardedSweep &shards,
               const std::string &out) {
  std::vector<std::vector<ModelEntry>> models;
  for (const ShardedRun &point : shards.points)
    models.push_back(
        runner.load(resolveSavedModels(point.models), point.config));
  SweepHooks hooks;
  hooks.run = runner.hooks();
  Sweep merged = mergeSweepShards(shards, models, out, hooks);
  if (!runner.isQuiet()) {
    printSweepSummary(merged);
    std::printf("merged %zu shards; results in %s\n",
                shards.points.front().shardDirs.size(), out.c_str());
  }
  return 0;
}

/// This program's absolute path (the jobs run it from wherever they start).
std::string selfPath() {
  std::error_code ec;
  const std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("ccrnn-train") : self.string();
}

/// --slurm: the run as a job array of shards and a merge job, after the
/// checks a run makes before it writes anything (trainers compiled here:
/// on a cluster the cache is shared, and an error shows now, not in a job).
int runOnSlurm(Runner &runner, const CommandLine &cl, bool slurmGiven,
               const std::vector<ModelRef> &refs,
               const std::vector<SweepAxis> &axes, int argc, char **argv) {
  if (!slurmGiven)
    throw InputError("--slurm-opts and --emit-slurm go with --slurm N (N "
                     "shards)");
  if (cl.slurm < 1)
    throw InputError("--slurm must be a positive integer (the shards), got " +
                     std::to_string(cl.slurm));
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

/// The shard directories of a run of `count` MPI ranks into `out`.
std::vector<std::string> rankDirectories(const std::string &out,
                                         int64_t count) {
  SlurmJob layout;
  layout.dir = out;
  std::vector<std::string> dirs;
  for (int64_t i = 0; i < count; ++i)
    dirs.push_back(shardDirectory(layout, i));
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

/// One rank of `mpirun -np N ccrnn-train ... --out OUT`: shard R/N into
/// OUT/shards/R (the --slurm layout); rank 0 then merges the shards into
/// OUT. With `resuming` (--resume OUT), each rank continues its shard.
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
  if (resuming) {
    if (!std::filesystem::is_directory(std::filesystem::path(out) / "shards"))
      throw InputError("--resume " + out + ": not a run of MPI ranks (no " +
                       "shards/)");
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
    // Every rank checks its own directory: the ranks create <out> together.
    checkOutputDirectory(dir, cl.overwrite);
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
    throw InputError(e.what());
  }
  checkCommonFlags(app, cl);
  const MpiWorld mpi = mpiWorld();
  if (mpi.size > 1)
    programName = "ccrnn-train (rank " + std::to_string(mpi.rank) + ")";
  Runner runner(cl.quiet, cl.cacheDir);

  if (!cl.merge.empty()) {
    checkMergeFlags(app, cl);
    checkOutputDirectory(cl.out, cl.overwrite);
    if (Sweep::isSweep(cl.merge.front()))
      return mergeSweep(runner, readSweepShards(cl.merge), cl.out);
    return mergeShards(runner, readShards(cl.merge), cl.out);
  }

  if (!cl.resume.empty()) {
    // The settings are the saved run's; only how it runs may change.
    checkResumeFlags(app, cl);
    if (mpi.size > 1)
      return runAsMpiRank(runner, cl, mpi, {}, {}, argc, argv);
    if (Sweep::isSweep(cl.resume)) {
      Sweep sweep = Sweep::open(cl.resume);
      for (SweepPoint &p : sweep.points())
        applyRunFlags(app, cl, p.config);
      checkOutputDirectory(cl.resume, /*overwrite=*/true);
      return trainSweep(runner, sweep, /*resuming=*/true);
    }
    SavedRun saved = readSavedRun(cl.resume);
    applyRunFlags(app, cl, saved.config);
    checkOutputDirectory(cl.resume, /*overwrite=*/true);
    return trainRun(runner, saved.config, resolveSavedModels(saved.models),
                    cl.resume, saved.commandLine, /*resuming=*/true);
  }

  const std::vector<SweepAxis> axes = finishConfig(app, cl);
  const TrainConfig &cfg = cl.config;
  std::vector<ModelRef> refs =
      resolveModels(splitFlagList("--model", cl.models), cfg.task);

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
    checkOutputDirectory(outDir, cl.overwrite);
    return trainRun(runner, cfg, refs, outDir, commandLine,
                    /*resuming=*/false);
  }
  // Every grid point's settings are checked before anything is written.
  std::vector<ModelEntry> entries;
  for (const ModelRef &ref : refs)
    entries.push_back({ref.name, ref.file, "", "", "", nullptr});
  Sweep sweep(axes, cfg, entries, outDir, commandLine);
  checkOutputDirectory(outDir, cl.overwrite);
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
