//===- ccrnn-train.cpp - The training driver --------------------*- C++ -*-===//
//
// Trains the models of a task for a list of seeds and writes scores,
// metadata, checkpoints, trajectories and plots (docs/UserGuide.md,
// "Training: ccrnn-train"). The command line lives here; everything else
// is in lib/Driver.
//
// Exit status: 0 done, 2 bad input (nothing written), 3 a NaN/Inf loss,
// 128 + signal when stopped by SIGINT/SIGTERM (resumable), 1 other errors
// (e.g. a failed write).
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/DumpStep.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Driver/Sweep.h"
#include "ccrnn/Driver/Trainers.h"
#include "ccrnn/Runtime/Kernels.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <cmath>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <unistd.h>

using namespace ccrnn::driver;
using ccrnn::TrainerOptions;

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

std::string duration(double seconds) {
  long s = long(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

/// Progress on stderr: a bar with an ETA on a terminal, one line per epoch
/// otherwise, nothing with --quiet.
class Progress {
public:
  Progress(bool quiet) : quiet(quiet), tty(isatty(2)) {
    start = std::chrono::steady_clock::now();
  }

  void epoch(const EpochReport &r) {
    if (quiet)
      return;
    last = r;
    haveEpoch = true;
    // On a terminal the next batch redraws the bar.
    if (!tty)
      std::fprintf(stderr,
                   "seed %" PRIu64 " %s epoch %" PRId64 "/%" PRId64
                   ": train_loss %.6g val_loss %.6g%s (%.2f s)\n",
                   r.seed, r.model.c_str(), r.epoch, r.epochs, r.trainLoss,
                   r.valLoss, moreScores(r).c_str(), r.seconds);
    // Schedule events get a line of their own, also on a terminal.
    if (r.stoppedEarly) {
      finish();
      std::fprintf(stderr,
                   "seed %" PRIu64 " %s: early stopping after epoch %" PRId64
                   " (no lower val_loss since epoch %" PRId64 ")\n",
                   r.seed, r.model.c_str(), r.epoch, r.bestEpoch);
    } else if (r.nextLr < r.lr && r.epoch < r.epochs) {
      finish();
      std::fprintf(stderr,
                   "seed %" PRIu64 " %s: learning rate %g -> %g after epoch "
                   "%" PRId64 " (val_loss on a plateau)\n",
                   r.seed, r.model.c_str(), r.lr, r.nextLr, r.epoch);
    }
  }

  void batch(const BatchReport &r) {
    if (quiet || !tty)
      return;
    auto now = std::chrono::steady_clock::now();
    if (now - lastDraw < std::chrono::milliseconds(100) && r.batch != r.batches)
      return;
    lastDraw = now;
    if (firstDone < 0)
      firstDone = r.epochsDone; // a resumed run starts part-way
    double done = double(r.epochsDone) + double(r.batch) / double(r.batches);
    double frac = done / double(r.epochsTotal);
    double elapsed = std::chrono::duration<double>(now - start).count();
    double rate = (done - double(firstDone)) / elapsed;
    std::string eta = rate > 0 ? duration((double(r.epochsTotal) - done) / rate)
                               : std::string("?");
    const int width = 24;
    int fill = int(frac * width);
    std::string bar = std::string(fill, '#') + std::string(width - fill, '-');
    // The pairs in training (several with --jobs or --ensemble), each as its
    // batches last reported it; a pair not heard of for 2 s is done.
    char what[160];
    std::snprintf(what, sizeof what, "seed %zu/%zu %s epoch %" PRId64 "/%" PRId64,
                  r.seedIndex + 1, r.seeds, r.model.c_str(), r.epoch, r.epochs);
    active[{r.seedIndex, r.modelIndex}] = {what, now};
    std::string label;
    for (auto it = active.begin(); it != active.end();) {
      if (now - it->second.second > std::chrono::seconds(2)) {
        it = active.erase(it);
        continue;
      }
      label += (label.empty() ? "" : ", ") + it->second.first;
      ++it;
    }
    // Shown one last time at its last batch.
    if (r.epoch == r.epochs && r.batch == r.batches)
      active.erase({r.seedIndex, r.modelIndex});
    // The losses of the model's last finished epoch (one pair in training).
    std::string losses;
    if (active.size() == 1 && haveEpoch && last.seedIndex == r.seedIndex &&
        last.modelIndex == r.modelIndex) {
      char buf[64];
      std::snprintf(buf, sizeof buf, " train %.4g val %.4g", last.trainLoss,
                    last.valLoss);
      losses = buf;
    }
    std::fprintf(stderr, "\r%s [%s] %3.0f%%%s ETA %s\x1b[K", label.c_str(),
                 bar.c_str(), 100 * frac, losses.c_str(), eta.c_str());
    std::fflush(stderr);
    drawn = true;
  }

  /// The scores after the losses (accuracies as fractions), and the
  /// learning rate when a schedule changes it.
  static std::string moreScores(const EpochReport &r) {
    std::string text;
    char buf[96];
    for (const auto &[name, value] : r.moreScores) {
      bool fraction = name.find("accuracy") != std::string::npos;
      std::snprintf(buf, sizeof buf, fraction ? " %s %.4f" : " %s %.6g",
                    name.c_str(), value);
      text += buf;
    }
    if (std::isfinite(r.lr)) {
      std::snprintf(buf, sizeof buf, " lr %g", r.lr);
      text += buf;
    }
    return text;
  }

  /// Ends the bar's line (before other output).
  void finish() {
    if (drawn)
      std::fputc('\n', stderr);
    drawn = false;
  }

private:
  bool quiet, tty;
  bool haveEpoch = false, drawn = false;
  int64_t firstDone = -1;
  EpochReport last{};
  std::chrono::steady_clock::time_point start, lastDraw;
  std::map<std::pair<size_t, size_t>,
           std::pair<std::string, std::chrono::steady_clock::time_point>>
      active;
};

std::string defaultOutDir(const std::string &task) {
  char buf[32];
  std::time_t t = std::time(nullptr);
  std::tm tm;
  localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return "results/" + task + "-" + buf;
}

uint64_t parseSeed(const std::string &s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos ||
      s.size() > 19)
    throw InputError("--seed-list: '" + s +
                     "' is not a seed (a non-negative integer)");
  return std::stoull(s);
}

void printSummary(const std::vector<ModelSummary> &summary) {
  size_t w = 5;
  bool accuracy = false;
  for (const ModelSummary &m : summary) {
    w = std::max(w, m.model.size());
    accuracy = accuracy || std::isfinite(m.testAccMean);
  }
  if (accuracy) {
    std::printf("%-*s  %5s  %-23s  %-23s  %-23s\n", int(w), "model", "seeds",
                "final val loss", "test loss", "test accuracy");
    for (const ModelSummary &m : summary)
      std::printf("%-*s  %5" PRId64
                  "  %10.6g +- %-9.3g  %10.6g +- %-9.3g  %10.4f +- %-9.3g\n",
                  int(w), m.model.c_str(), m.seeds, m.valMean, m.valSem,
                  m.testMean, m.testSem, m.testAccMean, m.testAccSem);
    std::fflush(stdout);
    return;
  }
  std::printf("%-*s  %5s  %-23s  %-23s\n", int(w), "model", "seeds",
              "final val loss", "test loss");
  for (const ModelSummary &m : summary)
    std::printf("%-*s  %5" PRId64 "  %10.6g +- %-9.3g  %10.6g +- %-9.3g\n",
                int(w), m.model.c_str(), m.seeds, m.valMean, m.valSem,
                m.testMean, m.testSem);
  std::fflush(stdout);
}

/// Per grid point its summary table; then, for the models with a
/// cerebellum, their final validation loss relative to their baseline.
void printSweepSummary(const Sweep &sweep) {
  const auto &points = sweep.points();
  for (size_t i = 0; i < points.size(); ++i) {
    std::printf("%s%s\n", i ? "\n" : "", points[i].dir.c_str());
    printSummary(sweep.summaries()[i]);
  }
  bool header = false;
  for (size_t i = 0; i < points.size(); ++i)
    for (const SweepRelative &r : sweep.relatives()[i]) {
      if (!header)
        std::printf("\nfinal val loss ratio (below 1: the model with a "
                    "cerebellum ends lower)\n");
      header = true;
      std::printf("%s  %s / %s  %.6g +- %.3g\n", points[i].dir.c_str(),
                  r.model.c_str(), r.baseline.c_str(), r.mean, r.sem);
    }
  std::fflush(stdout);
}

/// The models of --model: bundled names, the reference's spellings or
/// files. For the seqmnist tasks the short names lstm and dni_lstm (also
/// LSTM, DNI_LSTM) name the task's models, seqmnist_{lstm,dni_lstm} for
/// seqmnist and seqmnist_draw_{lstm,dni_lstm} for the drawing tasks; the
/// models axis keeps the short name.
std::vector<ModelRef> modelRefs(const std::vector<std::string> &specs,
                                const std::string &task) {
  if (specs.empty())
    throw InputError("--model: no model given");
  std::vector<ModelRef> refs;
  std::set<std::string> names;
  for (std::string spec : specs) {
    std::string lower;
    for (char ch : spec)
      lower += char(std::tolower(static_cast<unsigned char>(ch)));
    const auto &aliases = findTask(task).modelAliases;
    const auto alias = aliases.find(lower);
    const bool shortName = alias != aliases.end();
    if (shortName)
      spec = alias->second;
    refs.push_back(resolveModel(spec));
    if (shortName)
      refs.back().name = lower;
    if (!names.insert(refs.back().name).second)
      throw InputError("model '" + refs.back().name + "' is given twice");
  }
  return refs;
}

/// The models of a saved run or of a sweep's point, resolved again from
/// their files.
std::vector<ModelRef> refsOf(const std::vector<ModelEntry> &models) {
  std::vector<ModelRef> refs;
  for (const ModelEntry &m : models) {
    refs.push_back(resolveModel(m.file));
    refs.back().name = m.name;
  }
  return refs;
}

/// A missing data file is reported before any trainer is compiled (the
/// files are read when the run starts).
void checkDataFiles(const TrainConfig &cfg) {
  if (const TaskKind &kind = findTask(cfg.task); kind.checkDataFiles)
    kind.checkDataFiles(cfg);
}

/// The command line, for re-executing with sleeping threads.
char **commandArgv = nullptr;

/// The kernels' threads, idle ones sleeping (see preferSleepingThreads).
void setThreads(int threads) {
  ccrnn::rt::preferSleepingThreads(threads, commandArgv);
  ccrnn::rt::setNumThreads(threads);
}

/// What runs need besides their settings: trainers, --init, progress and
/// the stop on SIGINT/SIGTERM.
class Runner {
public:
  Runner(bool quiet, const std::string &cacheDir)
      : quiet(quiet),
        cacheDir(cacheDir.empty() ? defaultCacheDir() : cacheDir) {}

  bool isQuiet() const { return quiet; }

  void log(const std::string &line) const {
    if (!quiet)
      std::fprintf(stderr, "ccrnn-train: %s\n", line.c_str());
  }

  /// `refs` with their trainers for a run of `cfg` (each trainer loaded
  /// once), checked against the task and --init: the input errors come
  /// before anything is written.
  std::vector<ModelEntry> load(const std::vector<ModelRef> &refs,
                               const TrainConfig &cfg) {
    checkDataFiles(cfg);
    requireDevice(cfg.device);
    const ccrnn::npz::Archive &init = initArchive(cfg);
    setThreads(cfg.threads);
    std::vector<bool> cerebellums;
    for (const ModelRef &ref : refs)
      cerebellums.push_back(describeModel(ref).hasCerebellum);
    if (usesCerebellumSettings(cfg) &&
        std::find(cerebellums.begin(), cerebellums.end(), true) ==
            cerebellums.end())
      throw InputError("the synthesizer's settings and the controls "
                       "(--synth-*, --context, --ablation-epoch, "
                       "--synth-ablation-epoch, --fixed-synth, --nfibres, "
                       "--record-grads) apply to models with a cerebellum, "
                       "and no model of --model has one");
    std::vector<ModelEntry> models;
    for (size_t i = 0; i < refs.size(); ++i) {
      const ModelRef &ref = refs[i];
      bool cerebellum = cerebellums[i];
      const TrainerPrograms programs =
          trainerPrograms(cfg, cfg.batchSize, cfg.data.seqLen, cerebellum);
      const bool cuda = cfg.device == "cuda";
      const LoadedTrainer &t = trainer({ref, programs.main, cuda});
      ModelEntry entry{ref.name,
                       ref.file,
                       programs.main.sizes.toString(),
                       programs.main.trainingString(),
                       t.id,
                       t.api};
      // The lesions' programs, compiled before anything is written.
      if (programs.frozen)
        entry.frozenApi = trainer({ref, *programs.frozen, cuda}).api;
      if (programs.ablated)
        entry.ablatedApi = trainer({ref, *programs.ablated, cuda}).api;
      // Seeds trained together: the same program for K networks.
      if (int k = ensembleSize(cfg); k > 1) {
        TrainerOptions group = programs.main;
        group.ensemble = k;
        entry.ensembleApi = trainer({ref, group, cuda}).api;
      }
      models.push_back(entry);
    }
    checkModels(cfg, models);
    for (const ModelEntry &m : models)
      if (!init.empty())
        checkInit(init, cfg.initFile, *m.api->desc, m.name);
    return models;
  }

  const LoadedTrainer &trainer(const TrainerSpec &spec) {
    auto key = std::make_pair(spec.model.name + "\n" + spec.model.file,
                              spec.options.toString() +
                                  (spec.cuda ? "\ncuda" : ""));
    auto it = trainers.find(key);
    if (it == trainers.end())
      it = trainers
               .emplace(key, getTrainer(spec, cacheDir,
                                        [this](const std::string &line) {
                                          log(line);
                                        }))
               .first;
    return it->second;
  }

  const ccrnn::npz::Archive &initArchive(const TrainConfig &cfg) {
    if (!cfg.initFile.empty() && init.empty())
      init = readInit(cfg.initFile);
    return init;
  }

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
                 "ccrnn-train: %s%s %s: %s; %zu seed%s, %" PRId64
                 " epochs -> %s\n",
                 prefix.c_str(), resuming ? "resuming" : "training",
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
      std::fprintf(stderr, "ccrnn-train: warning: %s\n", w.c_str());
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
    std::fprintf(stderr,
                 "ccrnn-train: stopped; continue with: ccrnn-train --resume "
                 "%s\n",
                 dir.c_str());
    return 128 + stopSignal.load();
  }

private:
  bool quiet;
  std::string cacheDir;
  std::map<std::pair<std::string, std::string>, LoadedTrainer> trainers;
  ccrnn::npz::Archive init;
  std::unique_ptr<Progress> progress = std::make_unique<Progress>(quiet);
};

/// --dump-step: one batch's gradients from the initial weights.
int writeDumpStep(Runner &runner, const TrainConfig &cfg, const ModelRef &ref,
                  const std::string &out, const std::string &batchFile) {
  BatchFile batch = readBatchFile(batchFile);
  const ccrnn::npz::Archive &init = runner.initArchive(cfg);
  setThreads(cfg.threads);
  const TrainerPrograms programs =
      trainerPrograms(cfg, batch.inputs.shape[0], batch.inputs.shape[1],
                      describeModel(ref).hasCerebellum);
  requireDevice(cfg.device);
  const ccrnn_trainer_api *api =
      runner.trainer({ref, programs.main, cfg.device == "cuda"}).api;
  if (!init.empty())
    checkInit(init, cfg.initFile, *api->desc, ref.name);
  Tensors params = initialParameters(*api->desc, cfg.seeds[0],
                                     init.empty() ? nullptr : &init);
  ccrnn::npz::writeNpz(out, dumpStep(api, params, batch, batchFile));
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
      p.models = runner.load(refsOf(p.models), p.config);
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

int realMain(int argc, char **argv) {
  CLI::App app{"ccrnn-train: trains cerebro-cerebellar RNNs (cRNN / ccRNN) "
               "on a task for a list of seeds and writes scores, metadata, "
               "checkpoints and plots."};
  app.option_defaults()->always_capture_default();
  TrainConfig cfg;
  std::vector<std::string> modelSpecs = {"lstm", "dni_lstm"};
  int64_t nseeds = 1;
  std::vector<std::string> seedList;
  std::string out, resume, initFile, dumpStep, batchFile, cacheDir,
      optim = "adam";
  bool overwrite = false, quiet = false;
  // A list makes a sweep axis (Sweep.h).
  std::vector<std::string> bpttList, intervalList, lrList;

  const char *task = "Task (SPEC §5)", *model = "Model",
             *train = "Training (SPEC §3)", *files = "Files and runs";
  app.add_option("--task", cfg.task, "The task: " + taskList())->group(task);
  app.add_option("--seq-len,--seqlen", cfg.data.seqLen,
                 "Sequence length L (points of a line)")
      ->group(task);
  app.add_option("--input-noise", cfg.data.inputNoise,
                 "Standard deviation of the Gaussian input noise at t >= 1")
      ->group(task);
  app.add_option("--train-size", cfg.data.trainSize,
                 "Training samples per epoch (fresh each epoch; rounded up "
                 "to whole batches)")
      ->group(task);
  app.add_option("--val-size", cfg.data.valSize,
                 "Validation samples (fixed per seed)")
      ->group(task);
  app.add_option("--test-size", cfg.data.testSize,
                 "Test samples (fixed per seed)")
      ->group(task);
  app.add_option("--input-size", cfg.inputSize,
                 "seqmnist tasks: pixels per step (must divide 784; the "
                 "length is 784 / input size; the model's input size must "
                 "match)")
      ->group(task);
  app.add_option("--numbers", cfg.numbers,
                 "seqmnist-lines/-digits: the digits used, comma-separated "
                 "(default: all)")
      ->group(task);
  app.add_flag("--free-magnitude", cfg.freeMagnitude,
               "seqmnist-lines: endpoints drawn once per run from the grid "
               "{0,1/3,2/3,1}^2 x 10, distinct per digit")
      ->group(task);
  app.add_option("--dataset", cfg.dataset,
                 "seqmnist tasks: mnist or fashion-mnist")
      ->group(task);
  app.add_option("--data-dir", cfg.dataDir,
                 "seqmnist tasks: the directory of the IDX files (default: "
                 "$CCRNN_DATA_DIR/<dataset> or ~/.cache/ccrnn/data/<dataset>; "
                 "install with tools/install-data.sh)")
      ->group(task);
  app.add_option("--interval,--spars-int,--spars_int", intervalList,
                 "Feedback interval k: only steps t with t % k == 0 are "
                 "supervised; a comma-separated list runs a sweep")
      ->type_name("INT[,INT...]")
      ->default_str("2 (seqmnist tasks: 1)")
      ->group(task);
  app.add_option("--model", modelSpecs,
                 "Models (the models axis), comma-separated: bundled names "
                 "(lstm, dni_lstm, tanh, dni_tanh; also LSTM, DNI_LSTM, ...) "
                 "or paths to .mlir files")
      ->group(model);
  app.add_option("--bptt", bpttList,
                 "Truncation window T in steps (feedback horizon); T >= L is "
                 "full BPTT. A comma-separated list (e.g. 1,2,3,5,7,28) runs "
                 "a sweep: one run per value in <out>/bptt=<T>/, gathered in "
                 "<out>/scores.npy, sweep.json and sweep.png")
      ->type_name("INT[,INT...]")
      ->default_str("1 (seqmnist tasks: 3)")
      ->group(model);
  app.add_flag("--predict-last", cfg.predictLast,
               "Train and evaluate the last step only (the endpoint)")
      ->group(model);
  // Sizes: the model file's unless given (ccrnn-configure-model).
  app.add_option("--nhid", cfg.nhid, "Hidden units of each recurrent layer")
      ->default_str("the model file's")
      ->group(model);
  app.add_option("--nlayers", cfg.nlayers,
                 "Stacked recurrent layers; one synthesizer serves every "
                 "layer's state (SPEC §2)")
      ->default_str("the model file's")
      ->group(model);
  app.add_option("--synth-nlayers,--synth_nlayers", cfg.synthNlayers,
                 "Hidden layers of the cerebellum (0: one linear map)")
      ->default_str("the model file's")
      ->group(model);
  app.add_option("--synth-nhid,--synth_nhid", cfg.synthNhid,
                 "Width of the cerebellum's hidden layers")
      ->default_str("the model file's")
      ->group(model);
  app.add_option("--synth-scale", cfg.synthScale,
                 "Scale of the synthetic gradient")
      ->default_str("the model file's (0.1)")
      ->group(model);
  app.add_option("--context", cfg.context,
                 "on: the cerebellum also receives the target (cDNI: the "
                 "one-hot class, or the endpoint); off: it does not")
      ->default_str("the model file's")
      ->group(model);
  const char *controls = "Controls (SPEC §4; models with a cerebellum)";
  app.add_option("--ablation-epoch,--ablation_epoch", cfg.ablationEpoch,
                 "Remove the cerebellum from this epoch on: the model trains "
                 "as a cRNN with the same truncation")
      ->default_str("off")
      ->group(controls);
  app.add_option("--synth-ablation-epoch,--synth_ablation_epoch",
                 cfg.synthAblationEpoch,
                 "Inferior-olive lesion from this epoch on: the cerebellum "
                 "still injects its predictions but no longer learns")
      ->default_str("off")
      ->group(controls);
  app.add_flag("--fixed-synth,--fixed_synth", cfg.fixedSynth,
               "The cerebellum never learns (its initial predictions are "
               "injected throughout)")
      ->group(controls);
  app.add_option("--nfibres", cfg.nfibres,
                 "Sparse mossy fibres: each unit of the cerebellum's first "
                 "layer keeps this many random inputs (drawn from the seed); "
                 "the others are zero and stay zero")
      ->default_str("all")
      ->group(controls);
  app.add_flag("--keep-hidden,--keep_hidden", cfg.keepHidden,
               "Each batch starts from the previous batch's final state "
               "(detached; zero at the start of an epoch)")
      ->group(controls);
  app.add_flag("--record-grads,--record_grads", cfg.recordGrads,
               "Per epoch, on its first batch: the synthetic, target and "
               "true full-BPTT gradients at the window boundaries; adds the "
               "scores cosine_synthetic_true and cosine_target_true and "
               "writes feedback_seed<S>_<model>.npz (see ccrnn-analyze)")
      ->group(controls);
  app.add_option("--record-samples", cfg.recordSamples,
                 "--record-grads: sequences of the recorded batch kept in "
                 "the feedback files")
      ->group(controls);
  app.add_option("--epochs", cfg.epochs, "Epochs")->group(train);
  app.add_option("--batch-size,--batch_size", cfg.batchSize, "Batch size")
      ->group(train);
  app.add_option("--lr", lrList,
                 "Learning rate; a comma-separated list runs a sweep")
      ->type_name("FLOAT[,FLOAT...]")
      ->default_str("1e-3 (seqmnist tasks: 1e-4)")
      ->group(train);
  app.add_option("--optim", optim, "Optimizer: " + optimizerList())
      ->group(train);
  app.add_option("--clip", cfg.clip,
                 "Clip the global L2 norm of all gradients (synthesizer "
                 "included) to this; 0 disables")
      ->group(train);
  app.add_option("--l2,--l2-norm", cfg.l2,
                 "Weight decay, added to the gradient after clipping "
                 "(PyTorch's weight_decay)")
      ->group(train);
  app.add_flag("--decay-lr,--decay_lr", cfg.decayLr,
               "Reduce the learning rate on a plateau of the validation loss "
               "(PyTorch's ReduceLROnPlateau: mode min, threshold 1e-4 rel)")
      ->group(train);
  app.add_option("--lr-scale,--lr_scale", cfg.lrScale,
                 "--decay-lr: the factor applied to the learning rate")
      ->group(train);
  app.add_option("--lr-decay-patience,--lr_decay_patience",
                 cfg.lrDecayPatience,
                 "--decay-lr: epochs without improvement before a "
                 "reduction")
      ->group(train);
  app.add_option("--early-stopping,--early_stopping", cfg.earlyStopping,
                 "Stop training a (seed, model) pair after this many epochs "
                 "without a lower validation loss (its remaining epochs are "
                 "NaN in the scores)")
      ->default_str("off")
      ->group(train);
  app.add_option("--seeds,--nseeds", nseeds, "Seeds 0 .. N-1")->group(train);
  app.add_option("--seed-list", seedList,
                 "Seeds, comma-separated (instead of --seeds)")
      ->group(train);
  app.add_option("--threads", cfg.threads,
                 "Threads of the trainers' kernels (results are "
                 "bit-identical for the same seed and thread count)")
      ->group(train);
  app.add_option("--device", cfg.device,
                 "Where the trainers run: cpu, or cuda (generated CUDA "
                 "trainers; needs a build with nvcc and a GPU)")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->group(train);
  app.add_option("--ensemble", cfg.ensemble,
                 "Seeds of a model trained by one call of a trainer for K "
                 "networks (results do not depend on it); 1: one network a "
                 "call")
      ->default_str("all seeds (at most 16) with --device cuda, else 1")
      ->group(train);
  app.add_option("--jobs,-j", cfg.jobs,
                 "(seed, model) pairs trained at once, each on its own "
                 "thread; results do not depend on it")
      ->default_str("cores / --threads")
      ->group(train);
  app.add_option("--init", initFile,
                 "Initial parameters (.npz with the state_dict names), the "
                 "same for every seed")
      ->group(train);
  app.add_option("--out", out,
                 "Output directory (default: results/<task>-"
                 "<timestamp>)")
      ->group(files);
  app.add_flag("--overwrite", overwrite,
               "Write into an existing output directory, replacing files of "
               "the same names")
      ->group(files);
  app.add_option("--resume", resume,
                 "Continue the interrupted run in this directory")
      ->group(files);
  app.add_flag("--quiet", quiet, "No progress and no summary")->group(files);
  app.add_option("--dump-step", dumpStep,
                 "Write the gradients of one training batch (--batch) from "
                 "the initial weights to this .npz, then exit")
      ->group(files);
  app.add_option("--batch", batchFile,
                 "The batch of --dump-step: 'inputs' [B, L, I] float32, "
                 "'targets' [B, L, O] float32 or [B] int64")
      ->group(files);
  app.add_option("--cache-dir", cacheDir,
                 "Cache of compiled trainers (default: $CCRNN_CACHE_DIR, "
                 "$XDG_CACHE_HOME/ccrnn/trainers or ~/.cache/ccrnn/trainers)")
      ->group(files);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    throw InputError(e.what());
  }
  auto given = [&](const char *name) { return app.count(name) > 0; };

  if (given("--context") && cfg.context.empty())
    throw InputError("--context must be 'on' or 'off', got ''");

  if (given("--jobs") && cfg.jobs < 1)
    throw InputError("--jobs must be a positive integer, got " +
                     std::to_string(cfg.jobs));
  Runner runner(quiet, cacheDir);
  if (!resume.empty()) {
    // The settings are the saved run's; only how it runs may change.
    static const std::set<std::string> allowed = {
        "--resume", "--threads", "--jobs", "--ensemble", "--quiet",
        "--cache-dir", "--help"};
    for (const CLI::Option *opt : app.get_options())
      if (opt->count() > 0 && !allowed.count(opt->get_name()))
        throw InputError(opt->get_name() +
                         " cannot be combined with --resume (the run's "
                         "settings come from " +
                         resume + "/meta.json)");
    if (given("--threads") && cfg.threads < 1)
      throw InputError("--threads must be a positive integer");
    auto setThreads = [&](TrainConfig &c) {
      if (given("--threads"))
        c.threads = cfg.threads;
      if (given("--jobs"))
        c.jobs = cfg.jobs;
      if (given("--ensemble"))
        c.ensemble = cfg.ensemble;
    };
    if (Sweep::isSweep(resume)) {
      Sweep sweep = Sweep::open(resume);
      for (SweepPoint &p : sweep.points())
        setThreads(p.config);
      checkOutputDirectory(resume, /*overwrite=*/true);
      return trainSweep(runner, sweep, /*resuming=*/true);
    }
    SavedRun saved = readSavedRun(resume);
    setThreads(saved.config);
    checkOutputDirectory(resume, /*overwrite=*/true);
    return trainRun(runner, saved.config, refsOf(saved.models), resume,
                    saved.commandLine, /*resuming=*/true);
  }

  auto kind = parseOptimizer(optim);
  if (!kind)
    throw InputError("unknown optimizer '" + optim +
                     "' (valid: " + optimizerList() + ")");
  cfg.optim = *kind;
  if (given("--seeds") && given("--seed-list"))
    throw InputError("--seeds and --seed-list exclude each other");
  if (given("--seed-list")) {
    cfg.seeds.clear();
    for (const std::string &s : splitFlagList("--seed-list", seedList))
      cfg.seeds.push_back(parseSeed(s));
  } else {
    if (nseeds < 1)
      throw InputError("--seeds must be a positive integer, got " +
                       std::to_string(nseeds));
    cfg.seeds.clear();
    for (int64_t s = 0; s < nseeds; ++s)
      cfg.seeds.push_back(uint64_t(s));
  }
  cfg.initFile = initFile;
  if (given("--early-stopping") && cfg.earlyStopping < 1)
    throw InputError("--early-stopping must be a positive integer, got " +
                     std::to_string(cfg.earlyStopping));
  for (const char *flag : {"--lr-scale", "--lr-decay-patience"})
    if (given(flag) && !cfg.decayLr)
      throw InputError(std::string(flag) + " applies with --decay-lr");

  // One value of a list-valued flag sets it; several make a sweep axis.
  std::vector<SweepAxis> axes;
  struct ListFlag {
    const char *flag, *axis;
    const std::vector<std::string> &items;
  };
  for (const ListFlag &f : {ListFlag{"--bptt", "bptt", bpttList},
                            ListFlag{"--interval", "interval", intervalList},
                            ListFlag{"--lr", "lr", lrList}}) {
    if (!given(f.flag))
      continue;
    std::vector<double> values =
        parseFlagList(f.flag, f.items, std::string(f.axis) != "lr");
    if (values.size() == 1)
      setSweepValue(cfg, f.axis, values[0]);
    else
      axes.push_back({f.axis, values});
  }
  applyTaskDefaults(cfg, [&](TaskSetting setting) {
    return given(taskSettingFlag(setting));
  });
  validateConfig(cfg);
  std::vector<ModelRef> refs =
      modelRefs(splitFlagList("--model", modelSpecs), cfg.task);

  if (!dumpStep.empty() || !batchFile.empty()) {
    if (dumpStep.empty() || batchFile.empty())
      throw InputError("--dump-step and --batch go together");
    if (refs.size() != 1)
      throw InputError("--dump-step takes exactly one model (--model)");
    if (!axes.empty())
      throw InputError("--dump-step takes one value of --" + axes[0].name);
    return writeDumpStep(runner, cfg, refs[0], dumpStep, batchFile);
  }

  const std::string outDir = out.empty() ? defaultOutDir(cfg.task) : out;
  std::vector<std::string> commandLine(argv, argv + argc);
  if (axes.empty()) {
    checkOutputDirectory(outDir, overwrite);
    return trainRun(runner, cfg, refs, outDir, commandLine,
                    /*resuming=*/false);
  }
  // Every grid point's settings are checked before anything is written.
  std::vector<ModelEntry> entries;
  for (const ModelRef &ref : refs)
    entries.push_back({ref.name, ref.file, "", "", "", nullptr});
  Sweep sweep(axes, cfg, entries, outDir, commandLine);
  checkOutputDirectory(outDir, overwrite);
  return trainSweep(runner, sweep, /*resuming=*/false);
}

} // namespace

int main(int argc, char **argv) {
  commandArgv = argv;
  try {
    return realMain(argc, argv);
  } catch (const InputError &e) {
    std::fprintf(stderr, "ccrnn-train: error: %s\n", e.what());
    return 2;
  } catch (const DivergedError &e) {
    std::fprintf(stderr, "ccrnn-train: error: %s\n", e.what());
    return 3;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "ccrnn-train: error: %s\n", e.what());
    return 1;
  }
}
