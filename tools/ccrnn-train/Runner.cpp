//===- Runner.cpp - How ccrnn-train runs the library's work -----*- C++ -*-===//

#include "Runner.h"

#include "Summary.h"

#include "ccrnn/Driver/Captioning/CaptionRun.h"
#include "ccrnn/Driver/DumpStep.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Runtime/Kernels.h"

#include <csignal>
#include <filesystem>

#include <unistd.h>

namespace ccrnn::train {

std::atomic<bool> stopRequested{false};
std::string programName = "ccrnn-train";
std::string mpiResumeCommand;
char **commandArgv = nullptr;

namespace {

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

} // namespace

std::optional<int> Runner::run(const std::function<RunStatus()> &train,
                               const std::string &dir, bool resumable) {
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
  if (!resumable) {
    std::fprintf(stderr,
                 "%s: stopped; this run cannot be resumed (its pairs "
                 "finished so far are in %s); run it again to train it "
                 "anew\n",
                 programName.c_str(), dir.c_str());
    return 128 + stopSignal.load();
  }
  const std::string how = mpiResumeCommand.empty()
                              ? "ccrnn-train --resume " + dir
                              : mpiResumeCommand;
  std::fprintf(stderr, "%s: stopped; continue with: %s\n",
               programName.c_str(), how.c_str());
  return 128 + stopSignal.load();
}

void setThreads(int threads) {
  ccrnn::rt::preferSleepingThreads(threads, commandArgv);
  ccrnn::rt::setNumThreads(threads);
}

int writeDumpStep(Runner &runner, const TrainConfig &cfg, const ModelRef &ref,
                  const std::string &out, const std::string &batchFile) {
  setThreads(cfg.threads);
  ccrnn::npz::writeNpz(
      out, dumpStepOfBatchFile(runner.trainerSession(), ref, cfg, batchFile));
  return 0;
}

/// A run of a task of tokens (captioning): its data read and its trainers
/// compiled before anything is written, then its own run.
static int trainCaptionRun(Runner &runner, const TrainConfig &cfg,
                           const std::vector<ModelRef> &refs,
                           const std::string &dir,
                           const std::vector<std::string> &commandLine,
                           bool resuming) {
  if (resuming)
    throw InputError("--resume: a captioning run cannot be resumed yet");
  setThreads(cfg.threads);
  findTask(cfg.task).checkDataFiles(cfg);
  auto corpus = std::make_shared<const captioning::CaptionCorpus>(
      captioning::loadCorpus(cfg));
  std::vector<captioning::CaptionModel> models = captioning::planCaptionModels(
      runner.trainerSession(), refs, cfg, *corpus);
  std::vector<ModelEntry> entries;
  for (const captioning::CaptionModel &m : models)
    entries.push_back({m.name, m.file, m.configure, "", "", nullptr});
  runner.announce("", cfg, entries, dir, false);
  captioning::CaptionRun run(cfg, std::move(models), corpus, dir, commandLine);
  RunHooks hooks = runner.hooks();
  // Not resumable (yet): the hint says so rather than --resume.
  if (auto status = runner.run([&] { return run.run(hooks); }, dir,
                               /*resumable=*/false))
    return *status;
  if (!runner.isQuiet()) {
    std::printf("%s", run.summaryTable().c_str());
    std::printf("results in %s\n", dir.c_str());
  }
  return 0;
}

int trainRun(Runner &runner, const TrainConfig &cfg,
             const std::vector<ModelRef> &refs, const std::string &dir,
             const std::vector<std::string> &commandLine, bool resuming) {
  if (findTask(cfg.task).trainsTokens)
    return trainCaptionRun(runner, cfg, refs, dir, commandLine, resuming);
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

} // namespace ccrnn::train
