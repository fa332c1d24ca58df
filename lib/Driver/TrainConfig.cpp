//===- TrainConfig.cpp - A run's configuration -------------------*- C++ -*-===//

#include "ccrnn/Driver/TrainConfig.h"

#include "System.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Runtime/Idx.h"
#include "ccrnn/Support/SizeLimits.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <set>
#include <thread>

#include <sched.h>

namespace ccrnn::driver {

const char *taskSettingFlag(TaskSetting setting) {
  switch (setting) {
  case TaskSetting::Bptt:
    return "--bptt";
  case TaskSetting::Lr:
    return "--lr";
  case TaskSetting::Epochs:
    return "--epochs";
  case TaskSetting::Interval:
    return "--interval";
  case TaskSetting::TrainSize:
    return "--train-size";
  case TaskSetting::ValSize:
    return "--val-size";
  case TaskSetting::TestSize:
    return "--test-size";
  case TaskSetting::BatchSize:
    return "--batch-size";
  case TaskSetting::Clip:
    return "--clip";
  }
  return "";
}

void applyTaskDefaults(TrainConfig &c,
                       const std::function<bool(TaskSetting)> &given) {
  for (const std::string &name : taskNames())
    if (name == c.task) {
      if (const TaskKind &kind = findTask(name); kind.applyDefaults)
        kind.applyDefaults(c, given);
      return;
    }
}

std::string dataDirectory(const TrainConfig &c) {
  return c.dataDir.empty() ? idx::defaultDataDir(c.dataset) : c.dataDir;
}

/// InputError "<flag> must be <what>, got <v>" when v < min.
static void atLeast(const char *flag, int64_t v, int64_t min,
                    const char *what) {
  if (v < min)
    throw InputError(std::string(flag) + " must be " + what + ", got " +
                     std::to_string(v));
}

/// InputError "<flag> must be at most <max> (the limit of ccrnn-train),
/// got <v>" when v > max: sizes and counts beyond ccrnn's limits
/// (ccrnn/Support/SizeLimits.h) are refused before anything is compiled or
/// allocated.
static void atMost(const char *flag, int64_t v, int64_t max) {
  if (v > max)
    throw InputError(std::string(flag) + " must be at most " +
                     std::to_string(max) + " (ccrnn's limit), got " +
                     std::to_string(v));
}

/// The model sizes and SPEC §4's controls.
static void validateControls(const TrainConfig &c) {
  atLeast("--nhid", c.nhid, 0, "a positive integer");
  atMost("--nhid", c.nhid, kMaxUnits);
  atLeast("--nlayers", c.nlayers, 0, "a positive integer");
  atMost("--nlayers", c.nlayers, kMaxLayers);
  atLeast("--synth-nlayers", c.synthNlayers, -1, "an integer >= 0");
  atMost("--synth-nlayers", c.synthNlayers, kMaxLayers);
  atLeast("--synth-nhid", c.synthNhid, 0, "a positive integer");
  atMost("--synth-nhid", c.synthNhid, kMaxUnits);
  if (!std::isfinite(c.synthScale) || (c.synthScale < 0 && c.synthScale != -1))
    throw InputError("--synth-scale must be >= 0, got " +
                     formatNumber(c.synthScale));
  if (!c.context.empty() && c.context != "on" && c.context != "off")
    throw InputError("--context must be 'on' or 'off', got '" + c.context +
                     "'");
  auto epoch = [&](const char *flag, int64_t e) {
    if (e != 0 && (e < 1 || e > c.epochs))
      throw InputError(std::string(flag) + " must be an epoch from 1 to " +
                       std::to_string(c.epochs) + " (--epochs), got " +
                       std::to_string(e));
  };
  epoch("--ablation-epoch", c.ablationEpoch);
  epoch("--synth-ablation-epoch", c.synthAblationEpoch);
  if (c.fixedSynth && c.synthAblationEpoch)
    throw InputError("--fixed-synth freezes the synthesizer from the start; "
                     "it cannot be combined with --synth-ablation-epoch");
  if (c.oliveLesion != "freeze" && c.oliveLesion != "reference")
    throw InputError("--olive-lesion must be 'freeze' or 'reference', got '" +
                     c.oliveLesion + "'");
  if (c.oliveLesion == "reference" && !c.fixedSynth && !c.synthAblationEpoch)
    throw InputError("--olive-lesion reference changes how a cerebellum that "
                     "no longer learns is treated: it needs "
                     "--synth-ablation-epoch or --fixed-synth");
  atLeast("--nfibres", c.nfibres, 0, "a positive integer");
  atMost("--nfibres", c.nfibres, kMaxUnits);
  atLeast("--record-samples", c.recordSamples, 1, "a positive integer");
  atMost("--record-samples", c.recordSamples, kMaxBatch);
  if (c.recordGrads && std::min(c.bptt, c.data.seqLen) >= c.data.seqLen)
    throw InputError("--record-grads compares feedback at the boundaries "
                     "between windows: --bptt must be shorter than the "
                     "sequence (" +
                     std::to_string(c.data.seqLen) + " steps)");
}

void validateConfig(const TrainConfig &c) {
  auto positive = [](const char *flag, int64_t v) {
    atLeast(flag, v, 1, "a positive integer");
  };
  const TaskKind &kind = findTask(c.task); // unknown: names the valid ones
  if (kind.validate)
    kind.validate(c);
  if (!(c.data.inputNoise >= 0) || !std::isfinite(c.data.inputNoise))
    throw InputError("--input-noise must be a standard deviation >= 0, got " +
                     formatNumber(c.data.inputNoise));
  positive("--train-size", c.data.trainSize);
  positive("--val-size", c.data.valSize);
  positive("--test-size", c.data.testSize);
  atMost("--train-size", c.data.trainSize, kMaxSamples);
  atMost("--val-size", c.data.valSize, kMaxSamples);
  atMost("--test-size", c.data.testSize, kMaxSamples);
  atMost("--seq-len", c.data.seqLen, kMaxSteps);
  positive("--bptt", c.bptt);
  positive("--interval", c.interval);
  if (c.predictLast && c.interval != 1)
    throw InputError("--interval applies to per-step targets and cannot be "
                     "combined with --predict-last");
  positive("--epochs", c.epochs);
  atMost("--epochs", c.epochs, kMaxEpochs);
  positive("--batch-size", c.batchSize);
  atMost("--batch-size", c.batchSize, kMaxBatch);
  if (!(c.lr > 0) || !std::isfinite(c.lr))
    throw InputError("--lr must be positive, got " + formatNumber(c.lr));
  if (!(c.clip >= 0) || !std::isfinite(c.clip))
    throw InputError("--clip must be >= 0 (0 disables clipping), got " +
                     formatNumber(c.clip));
  if (!(c.l2 >= 0) || !std::isfinite(c.l2))
    throw InputError("--l2 must be >= 0, got " + formatNumber(c.l2));
  if (!(c.lrScale > 0 && c.lrScale < 1))
    throw InputError("--lr-scale must be a factor between 0 and 1 "
                     "(exclusive), got " +
                     formatNumber(c.lrScale));
  if (c.lrDecayPatience < 0)
    throw InputError("--lr-decay-patience must be an integer >= 0, got " +
                     std::to_string(c.lrDecayPatience));
  atMost("--lr-decay-patience", c.lrDecayPatience, kMaxEpochs);
  if (c.earlyStopping < 0)
    throw InputError("--early-stopping must be a positive integer, got " +
                     std::to_string(c.earlyStopping));
  atMost("--early-stopping", c.earlyStopping, kMaxEpochs);
  if (c.seeds.empty())
    throw InputError("no seeds (--seeds must be positive)");
  if (int64_t(c.seeds.size()) > kMaxSeeds)
    throw InputError("at most " + std::to_string(kMaxSeeds) +
                     " seeds (ccrnn's limit), got " +
                     std::to_string(c.seeds.size()));
  std::set<uint64_t> seen;
  for (uint64_t s : c.seeds)
    if (!seen.insert(s).second)
      throw InputError("--seed-list: seed " + std::to_string(s) +
                       " appears twice");
  positive("--threads", c.threads);
  atMost("--threads", c.threads, kMaxThreads);
  if (c.jobs < 0)
    throw InputError("--jobs must be a positive integer, got " +
                     std::to_string(c.jobs));
  atMost("--jobs", c.jobs, kMaxThreads);
  if (c.ensemble < 0)
    throw InputError("--ensemble must be a positive integer, got " +
                     std::to_string(c.ensemble));
  atMost("--ensemble", c.ensemble, kMaxEnsemble);
  if (c.ensemble > 1)
    if (std::string blockers = ensembleBlockers(c); !blockers.empty())
      throw InputError("--ensemble " + std::to_string(c.ensemble) +
                       ": seeds train together only without " + blockers);
  validateControls(c);
}

std::string ensembleBlockers(const TrainConfig &c) {
  std::vector<std::string> b;
  if (const std::string &task = findTask(c.task).ensembleBlocker;
      !task.empty())
    b.push_back(task);
  if (c.keepHidden)
    b.push_back("--keep-hidden");
  if (c.recordGrads)
    b.push_back("--record-grads");
  if (c.ablationEpoch)
    b.push_back("--ablation-epoch");
  if (c.synthAblationEpoch)
    b.push_back("--synth-ablation-epoch");
  if (c.oliveLesion == "reference")
    b.push_back("--olive-lesion reference");
  if (c.earlyStopping)
    b.push_back("--early-stopping");
  std::string text;
  for (const std::string &s : b)
    text += (text.empty() ? "" : ", ") + s;
  return text;
}

int ensembleSize(const TrainConfig &c) {
  if (!ensembleBlockers(c).empty())
    return 1;
  const int seeds = int(c.seeds.size());
  if (c.ensemble > 0)
    return std::min(c.ensemble, seeds);
  return c.device == "cuda" ? std::min(seeds, 16) : 1;
}

void parseShard(const std::string &text, RunSettings &run) {
  const size_t slash = text.find('/');
  auto number = [](const std::string &s, int64_t &out) {
    if (s.empty() || s.size() > 9 ||
        s.find_first_not_of("0123456789") != std::string::npos)
      return false;
    out = std::stoll(s);
    return true;
  };
  int64_t index = 0, count = 0;
  if (slash == std::string::npos || !number(text.substr(0, slash), index) ||
      !number(text.substr(slash + 1), count) || count < 1 || index >= count)
    throw InputError("--shard: '" + text +
                     "' is not I/N (shard I of N, 0 <= I < N; e.g. 0/4)");
  run.shardIndex = index;
  run.shardCount = count;
}

bool ownsPair(const RunSettings &run, size_t k, size_t models) {
  if (run.shardCount <= 1)
    return true;
  const size_t j = (k % models) * run.seeds.size() + k / models;
  return int64_t(j % size_t(run.shardCount)) == run.shardIndex;
}

bool usesCerebellumSettings(const TrainConfig &c) {
  return c.synthNlayers >= 0 || c.synthNhid > 0 || c.synthScale >= 0 ||
         !c.context.empty() || c.ablationEpoch || c.synthAblationEpoch ||
         c.fixedSynth || c.nfibres || c.recordGrads ||
         c.oliveLesion != "freeze";
}

TrainerPrograms trainerPrograms(const TrainConfig &c, int64_t batch,
                                int64_t steps, bool hasCerebellum) {
  TrainerOptions base;
  base.sizes.hidden = c.nhid;
  base.sizes.layers = c.nlayers;
  base.bptt = c.bptt;
  base.interval = c.interval;
  base.batch = batch;
  base.steps = steps;
  base.predictLast = c.predictLast;
  if (!hasCerebellum)
    return {base, std::nullopt, std::nullopt};
  base.sizes.synthLayers = c.synthNlayers;
  base.sizes.synthWidth = c.synthNhid;
  base.sizes.synthScale = c.synthScale < 0 ? -1 : c.synthScale;
  if (!c.context.empty())
    base.sizes.context = c.context;
  // Every program of a model takes the same arguments: the fibre mask too.
  base.fibres = c.nfibres;
  TrainerPrograms t{base, std::nullopt, std::nullopt};
  // The reference's lesion still computes the cerebellum's gradients: its
  // programs are the intact one.
  const bool freeze = c.oliveLesion == "freeze";
  if (c.fixedSynth && freeze)
    t.main.cerebellum = "frozen";
  t.main.record = c.recordGrads;
  if (c.synthAblationEpoch && !c.fixedSynth && freeze) {
    t.frozen = base;
    t.frozen->cerebellum = "frozen";
  }
  if (c.ablationEpoch) {
    t.ablated = base;
    t.ablated->cerebellum = "off";
  }
  return t;
}

int parallelJobs(const TrainConfig &c) {
  if (c.jobs > 0)
    return c.jobs;
  cpu_set_t set;
  int cores = sched_getaffinity(0, sizeof set, &set) == 0
                  ? CPU_COUNT(&set)
                  : int(std::thread::hardware_concurrency());
  return std::max(1, cores / std::max(1, c.threads));
}

/// The first `n` bytes of `text` (not splitting a UTF-8 sequence), and
/// "..." when there is more.
static std::string abbreviated(const std::string &text, size_t n = 24) {
  if (text.size() <= n)
    return text;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    --n;
  return text.substr(0, n) + "...";
}

void checkPathLength(const std::string &flag, const std::string &path,
                     size_t reserve) {
  const size_t maxPath = PATH_MAX - 1 - reserve;
  if (path.size() > maxPath)
    throw InputError(flag + ": a path of " + std::to_string(path.size()) +
                     " bytes ('" + abbreviated(path) + "'); at most " +
                     std::to_string(maxPath) + " are accepted (PATH_MAX " +
                     std::to_string(PATH_MAX) +
                     (reserve ? ", less room for the files written in it)"
                              : ")"));
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos)
      end = path.size();
    if (end - start > NAME_MAX)
      throw InputError(flag + ": the name '" +
                       abbreviated(path.substr(start, end - start)) +
                       "' in its path is " + std::to_string(end - start) +
                       " bytes, longer than a file name may be (NAME_MAX, " +
                       std::to_string(NAME_MAX) + ")");
    start = end + 1;
  }
}

int64_t trainSamplesPerEpoch(const TrainConfig &c) {
  return (c.data.trainSize + c.batchSize - 1) / c.batchSize * c.batchSize;
}

} // namespace ccrnn::driver
