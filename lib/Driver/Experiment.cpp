//===- Experiment.cpp - Training runs: seeds x models x epochs --*- C++ -*-===//

#include "ccrnn/Driver/Experiment.h"

#include "System.h"
#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Feedback.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/Plots.h"
#include "ccrnn/Driver/Rng.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Driver/Trainers.h"
#include "ccrnn/Runtime/Kernels.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <array>
#include <map>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>
#include <thread>
#include <mutex>
#include <atomic>
#include <exception>

#include <sched.h>
#include <unistd.h>

#ifndef CCRNN_VERSION
#error "CCRNN_VERSION must be defined"
#endif

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace ccrnn::driver {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// 2: scores have the behavioural metric; meta.json has the schedules.
// 3: meta.json has the model sizes and the controls.
constexpr int kFormatVersion = 3;

/// The feedback recorded for one (seed, model) pair (--record-grads): per
/// recorded epoch, each array's [boundaries, layers, kept sequences,
/// width] values.
struct FeedbackLog {
  static constexpr const char *kNames[5] = {
      "state", "synthetic", "target_grad", "true_grad", "activity"};
  std::vector<int64_t> epochs;
  std::array<std::vector<float>, 5> arrays;
};

/// The synthesizer's first weight, the one sparse fibres mask.
bool isFirstSynthesizerWeight(const std::string &name) {
  const std::string suffix = "synthesizer.input_trigger.weight";
  return name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// What an epoch measured.
struct EpochOutcome {
  double trainLoss;
  const Evaluation &val;
  /// --record-grads: the recorded batch's mean cosine similarities with
  /// the true gradient (Feedback.h).
  double cosineSynthetic, cosineTarget;
};

/// A metric of the scores: its name, and its value from an epoch's training
/// loss and validation evaluation.
struct ScoreMetric {
  std::string name;
  std::function<double(const EpochOutcome &)> value;
};

// The metrics of the scores, in order: the losses, the task's, and the
// cosines of --record-grads (NaN for models without a cerebellum).
std::vector<ScoreMetric> scoreMetrics(const TrainConfig &c, const Task &task) {
  std::vector<ScoreMetric> metrics = {
      {"train_loss", [](const EpochOutcome &o) { return o.trainLoss; }},
      {"val_loss", [](const EpochOutcome &o) { return o.val.loss; }}};
  for (ValidationMetric v : task.validationMetrics())
    metrics.push_back(
        {v.name, [fn = v.value](const EpochOutcome &o) { return fn(o.val); }});
  if (c.recordGrads) {
    metrics.push_back({"cosine_synthetic_true", [](const EpochOutcome &o) {
                         return o.cosineSynthetic;
                       }});
    metrics.push_back({"cosine_target_true", [](const EpochOutcome &o) {
                         return o.cosineTarget;
                       }});
  }
  return metrics;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::vector<int64_t> paramShape(const ccrnn_param_info &p) {
  return std::vector<int64_t>(p.shape, p.shape + p.rank);
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

// Model names become parts of file names.
std::string fileSafe(const std::string &name) {
  std::string s = name;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' &&
        c != '.')
      c = '_';
  return s;
}

npz::Array f64Array(std::vector<int64_t> shape, std::vector<double> data) {
  npz::Array a;
  a.shape = std::move(shape);
  a.data = std::move(data);
  a.dtype = npz::DType::F64;
  return a;
}

template <typename T>
npz::Array typedArray(npz::DType dtype, std::vector<int64_t> shape,
                      const std::vector<T> &data) {
  npz::Array a;
  a.shape = std::move(shape);
  a.data.assign(data.begin(), data.end());
  a.dtype = dtype;
  return a;
}
npz::Array i64Array(std::vector<int64_t> shape,
                    const std::vector<int64_t> &data) {
  return typedArray(npz::DType::I64, std::move(shape), data);
}
npz::Array f32Array(std::vector<int64_t> shape,
                    const std::vector<float> &data) {
  return typedArray(npz::DType::F32, std::move(shape), data);
}

json nanToNull(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

} // namespace

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

void checkModels(const TrainConfig &c, const std::vector<ModelEntry> &models) {
  const ModelShape shape = findTask(c.task).modelShape(c);
  const bool classify = shape.classifies;
  const int64_t inSize = shape.inputSize, outSize = shape.outputSize;
  std::set<std::string> names;
  for (const ModelEntry &m : models) {
    if (!names.insert(m.name).second)
      throw InputError("model '" + m.name + "' is given twice");
    const ccrnn_trainer_desc &d = *m.api->desc;
    if (d.abi_version != CCRNN_TRAINER_ABI_VERSION)
      throw InputError("model " + m.name + ": trainer ABI version " +
                       std::to_string(d.abi_version) + ", expected " +
                       std::to_string(CCRNN_TRAINER_ABI_VERSION));
    if (d.ensemble > 1)
      throw InputError("model " + m.name + ": an ensemble trainer (" +
                       std::to_string(d.ensemble) +
                       " networks a call) where one network's is needed");
    if (m.ensembleApi &&
        (m.ensembleApi->desc->ensemble != ensembleSize(c) ||
         m.ensembleApi->desc->num_params != d.num_params))
      throw InputError("model " + m.name + ": its ensemble trainer does not "
                       "match the run (" +
                       std::to_string(m.ensembleApi->desc->ensemble) +
                       " networks, " + std::to_string(ensembleSize(c)) +
                       " seeds a call)");
    if (bool(d.classify) != classify)
      throw InputError(
          "model " + m.name +
          (d.classify ? " is a classifier (loss xent); the " + c.task +
                            " task needs a regression model (loss mse)"
                      : " is a regression model (loss mse); the " + c.task +
                            " task needs a classifier (loss xent)"));
    if (d.input_size != inSize || d.output_size != outSize)
      throw InputError("model " + m.name + " has input size " +
                       std::to_string(d.input_size) + " and output size " +
                       std::to_string(d.output_size) + "; the " + c.task +
                       " task needs input size " + std::to_string(inSize) +
                       (shape.inputSizeFlag.empty()
                            ? ""
                            : " (" + shape.inputSizeFlag + ")") +
                       " and output size " + std::to_string(outSize));
    // A classifier's trainer reads the last step only (predict_last).
    if (d.batch != c.batchSize || d.steps != c.data.seqLen ||
        (!classify && bool(d.predict_last) != c.predictLast))
      throw InputError(
          "model " + m.name + ": its trainer is built for batch " +
          std::to_string(d.batch) + ", length " + std::to_string(d.steps) +
          (d.predict_last ? ", predict-last" : "") +
          ", but the run needs batch " + std::to_string(c.batchSize) +
          ", length " + std::to_string(c.data.seqLen) +
          (c.predictLast ? ", predict-last" : ""));
  }
}

npz::Archive readInit(const std::string &path) {
  try {
    return npz::readNpz(path);
  } catch (const npz::Error &e) {
    throw InputError(std::string("--init: ") + e.what());
  }
}

void checkInit(const npz::Archive &init, const std::string &path,
               const ccrnn_trainer_desc &d, const std::string &model) {
  for (int32_t i = 0; i < d.num_params; ++i) {
    const ccrnn_param_info &p = d.params[i];
    auto it = init.find(p.name);
    if (it == init.end())
      throw InputError("--init " + path + ": no array '" + p.name +
                       "' (model " + model + " needs " +
                       shapeString(paramShape(p)) + ")");
    if (it->second.shape != paramShape(p))
      throw InputError("--init " + path + ": array '" + p.name +
                       "' has shape " + shapeString(it->second.shape) +
                       ", but model " + model + " needs " +
                       shapeString(paramShape(p)));
  }
}

Tensors initialParameters(const ccrnn_trainer_desc &d, uint64_t seed,
                          const npz::Archive *init) {
  Tensors params;
  for (int32_t i = 0; i < d.num_params; ++i) {
    const ccrnn_param_info &p = d.params[i];
    std::vector<float> t(numElements(paramShape(p)), 0.0f);
    if (init) {
      const npz::Array &a = init->at(p.name);
      std::transform(a.data.begin(), a.data.end(), t.begin(),
                     [](double v) { return float(v); });
    } else if (p.init == CCRNN_INIT_UNIFORM) {
      // The DNI wrapper nests the recurrent network one level deeper
      // (rnn.rnn.*); the stream is named without it, so that the cRNN and
      // the ccRNN of a seed start from the same weights.
      std::string name = p.name;
      if (name.rfind("rnn.rnn.", 0) == 0)
        name.erase(0, 4);
      Rng rng(seed, "init/" + name);
      for (float &x : t)
        x = float(rng.uniform(-p.bound, p.bound));
    }
    params.push_back(std::move(t));
  }
  return params;
}

npz::Archive parametersArchive(const ccrnn_trainer_desc &d,
                               const Tensors &params) {
  npz::Archive a;
  for (int32_t i = 0; i < d.num_params; ++i)
    a[d.params[i].name] = f32Array(paramShape(d.params[i]), params[i]);
  return a;
}

void checkOutputDirectory(const std::string &dir, bool overwrite) {
  std::error_code ec;
  fs::path path(dir);
  fs::path probeIn;
  if (fs::exists(path, ec)) {
    if (!fs::is_directory(path, ec))
      throw InputError("--out " + dir + ": exists and is not a directory");
    if (!overwrite)
      throw InputError("--out " + dir +
                       ": already exists (--overwrite replaces the files a run "
                       "writes; --resume " +
                       dir + " continues the run in it)");
    probeIn = path;
  } else {
    // The nearest existing ancestor is where directories get created.
    probeIn = fs::absolute(path, ec).parent_path();
    while (!probeIn.empty() && !fs::exists(probeIn, ec))
      probeIn = probeIn.parent_path();
    if (!fs::is_directory(probeIn, ec))
      throw InputError("--out " + dir + ": cannot create it: " +
                       probeIn.string() + " is not a directory");
  }
  // Permission bits say nothing for root or on read-only mounts: try it.
  std::string probe = (probeIn / ".ccrnn-train-probe-XXXXXX").string();
  if (!mkdtemp(probe.data()))
    throw InputError("--out " + dir + ": " + probeIn.string() +
                     " is not writable: " + std::strerror(errno));
  fs::remove(probe, ec);
}

//===----------------------------------------------------------------------===//
// The run
//===----------------------------------------------------------------------===//

namespace {
/// The training state of one (seed, model) pair, owned by the worker that
/// trains it.
struct PairRun {
  size_t s = 0, m = 0;
  Tensors params, best;
  std::unique_ptr<Optimizer> optim;
  std::unique_ptr<PlateauScheduler> plateau; ///< used with --decay-lr
  // Its fibre mask (empty: dense), the kept state (--keep-hidden), the
  // feedback recorded so far and the epoch's cosines.
  std::vector<float> fibreMask, hiddenState;
  FeedbackLog feedback;
  double epochCosineSynthetic = kNaN, epochCosineTarget = kNaN;
  double epochDataSeconds = 0; ///< of the epoch in progress
};

/// What a worker thread keeps from pair to pair: its trainer instances (a
/// trainer's oneDNN primitives run on the stream of the thread that made
/// them), one per program (a model's lesions are programs too), and the
/// fixed data sets of the seeds of the work item it trains (by seed index).
struct Worker {
  std::map<const ccrnn_trainer_api *, std::unique_ptr<TrainerInstance>>
      instances;
  std::map<size_t, SeedData> data;

  TrainerInstance &instance(const ccrnn_trainer_api *api) {
    std::unique_ptr<TrainerInstance> &t = instances[api];
    if (!t)
      t = std::make_unique<TrainerInstance>(api);
    return *t;
  }
};
} // namespace

struct Experiment::Impl {
  TrainConfig cfg;
  std::vector<ModelEntry> models;
  std::string dir;
  std::vector<std::string> commandLine;

  size_t S, M;
  int64_t E;
  int64_t Lt; ///< points of a class trajectory
  std::unique_ptr<Task> task;
  std::vector<ScoreMetric> scoreDefs;
  std::vector<std::string> metrics, testMetrics; ///< names
  int64_t C; ///< classes of the trajectories (0: none)

  // Progress and results; [S][M][...] in C order.
  std::vector<double> scores;       // [S][M][metric][E]
  std::vector<double> epochSeconds; // [S][M][E]
  std::vector<int64_t> epochsDone, finished, bestEpoch;
  std::vector<double> bestVal, testLoss, testDysmetria, trainSeconds;
  std::vector<double> testAccuracy;                 // [S][M]
  std::vector<double> dataSeconds, computeSeconds; // [S][M][E]
  std::vector<double> epochLr;                      // [S][M][E]
  std::vector<double> trajectories; // [S][M][class][Lt][2]

  npz::Archive init;
  /// The resume entries of each pair in training as of its last finished
  /// epoch (by pair index), so that a save by one worker never reads
  /// another's state mid-epoch.
  std::map<size_t, npz::Archive> snapshots;
  /// Pairs read from resume.npz, for the workers that take them up.
  std::map<size_t, std::unique_ptr<PairRun>> resumed;
  /// The sizes of the last data sets made (meta.json).
  std::array<int64_t, 3> lastSizes = {-1, -1, -1};
  /// Guards everything the workers share: the results, the snapshots,
  /// the files and the hooks.
  std::mutex mutex;

  std::string startedAt, status = "running", error;
  double previousSeconds = 0;
  std::chrono::steady_clock::time_point sessionStart, lastSave;

  Impl(TrainConfig c, std::vector<ModelEntry> m, std::string d,
       std::vector<std::string> cl)
      : cfg(std::move(c)), models(std::move(m)), dir(std::move(d)),
        commandLine(std::move(cl)) {
    S = cfg.seeds.size();
    M = models.size();
    E = cfg.epochs;
    // Reads the task's data files: a missing or bad file is an input error
    // before anything is written.
    task = makeTask(cfg);
    C = int64_t(task->classLabels().size());
    Lt = C ? int64_t(task->classTargets()[0].size()) / 2 : 1;
    scoreDefs = scoreMetrics(cfg, *task);
    for (const ScoreMetric &k : scoreDefs)
      metrics.push_back(k.name);
    testMetrics = task->testMetrics();
    scores.assign(S * M * metrics.size() * E, kNaN);
    epochSeconds.assign(S * M * E, kNaN);
    epochsDone.assign(S * M, 0);
    finished.assign(S * M, 0);
    bestEpoch.assign(S * M, 0);
    bestVal.assign(S * M, kNaN);
    testLoss.assign(S * M, kNaN);
    testDysmetria.assign(S * M, kNaN);
    testAccuracy.assign(S * M, kNaN);
    trainSeconds.assign(S * M, 0);
    dataSeconds.assign(S * M * E, kNaN);
    computeSeconds.assign(S * M * E, kNaN);
    epochLr.assign(S * M * E, kNaN);
    trajectories.assign(S * M * C * Lt * 2, kNaN);
    startedAt = isoTime(std::time(nullptr));
    sessionStart = std::chrono::steady_clock::now();
    if (!cfg.initFile.empty())
      init = readInit(cfg.initFile);
  }

  size_t pair(size_t s, size_t m) const { return s * M + m; }
  double &score(size_t s, size_t m, size_t k, int64_t e) {
    return scores[(pair(s, m) * metrics.size() + k) * E + e];
  }
  std::string checkpointName(size_t s, size_t m, const char *which) const {
    return "seed" + std::to_string(cfg.seeds[s]) + "_" +
           fileSafe(models[m].name) + "_" + which + ".npz";
  }
  std::string path(const std::string &file) const {
    return (fs::path(dir) / file).string();
  }
  double seconds() const {
    return previousSeconds +
           std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         sessionStart)
               .count();
  }

  /// The validation loss of pair k's last trained epoch (NaN before one).
  double finalValLoss(size_t k) const {
    return epochsDone[k]
               ? scores[(k * metrics.size() + 1) * E + epochsDone[k] - 1]
               : kNaN;
  }

  int64_t totalEpochsDone() const {
    int64_t done = 0;
    for (int64_t n : epochsDone)
      done += n;
    return done;
  }

  /// The program model m trains with in `epoch` (SPEC §4: epochs count
  /// from 1, a lesion applies from the start of its epoch on).
  const ccrnn_trainer_api *program(size_t m, int64_t epoch) const {
    const ModelEntry &me = models[m];
    if (me.ablatedApi && epoch >= cfg.ablationEpoch)
      return me.ablatedApi;
    if (me.frozenApi && epoch >= cfg.synthAblationEpoch)
      return me.frozenApi;
    return me.api;
  }

  /// Which parameters the optimizer leaves alone in `epoch`: the
  /// synthesizer's, whenever it is not learning.
  std::vector<bool> frozenParameters(size_t m, int64_t epoch) const {
    const ccrnn_trainer_desc &d = *models[m].api->desc;
    bool frozen = cfg.fixedSynth || program(m, epoch) != models[m].api;
    std::vector<bool> out(d.num_params, false);
    for (int32_t i = 0; i < d.num_params; ++i)
      out[i] = frozen && d.params[i].group == CCRNN_GROUP_SYNTHESIZER;
    return out;
  }

  /// The pair's fibre mask (SPEC §4 nfibres): each unit of the
  /// synthesizer's first layer keeps `nfibres` of its inputs, chosen from
  /// the seed's stream "synthesizer.fibres". Empty without --nfibres.
  std::vector<float> makeFibreMask(size_t s, size_t m) const {
    const ccrnn_trainer_desc &d = *models[m].api->desc;
    if (!d.fibre_mask_rows)
      return {};
    const int64_t rows = d.fibre_mask_rows, cols = d.fibre_mask_cols;
    std::vector<float> mask(rows * cols, 0.0f);
    Rng rng(cfg.seeds[s], "synthesizer.fibres");
    std::vector<int64_t> inputs(cols);
    for (int64_t r = 0; r < rows; ++r) {
      std::iota(inputs.begin(), inputs.end(), 0);
      // The first nfibres of a partial Fisher-Yates shuffle.
      for (int64_t i = 0; i < cfg.nfibres; ++i) {
        std::swap(inputs[i], inputs[i + rng.below(uint64_t(cols - i))]);
        mask[r * cols + inputs[i]] = 1.0f;
      }
    }
    return mask;
  }

  std::vector<int64_t> sizes(const ccrnn_trainer_desc &d) const {
    std::vector<int64_t> n;
    for (int32_t i = 0; i < d.num_params; ++i)
      n.push_back(numElements(paramShape(d.params[i])));
    return n;
  }

  std::unique_ptr<PairRun> startPair(size_t s, size_t m) const {
    const ccrnn_trainer_desc &d = *models[m].api->desc;
    auto p = std::make_unique<PairRun>();
    p->s = s;
    p->m = m;
    p->params =
        initialParameters(d, cfg.seeds[s], init.empty() ? nullptr : &init);
    // Masked fibres start at zero (and their gradient is zero).
    p->fibreMask = makeFibreMask(s, m);
    for (int32_t i = 0; i < d.num_params && !p->fibreMask.empty(); ++i)
      if (isFirstSynthesizerWeight(d.params[i].name))
        for (size_t j = 0; j < p->fibreMask.size(); ++j)
          p->params[i][j] *= p->fibreMask[j];
    p->best = p->params;
    p->optim = std::make_unique<Optimizer>(cfg.optim, cfg.lr, sizes(d));
    p->plateau = makePlateau();
    return p;
  }

  /// Pair k's state: as read from resume.npz, or a fresh start.
  std::unique_ptr<PairRun> takePair(size_t k) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (auto it = resumed.find(k); it != resumed.end()) {
        std::unique_ptr<PairRun> p = std::move(it->second);
        resumed.erase(it);
        return p;
      }
    }
    return startPair(k / M, k % M);
  }

  std::unique_ptr<PlateauScheduler> makePlateau() const {
    return std::make_unique<PlateauScheduler>(cfg.lrScale,
                                              cfg.lrDecayPatience);
  }

  /// Whether pair k stopped before its last epoch (--early-stopping).
  bool stoppedEarly(size_t k) const { return finished[k] && epochsDone[k] < E; }

  /// Keeps the fixed data sets of the seeds `ks` (pair indices) in w and
  /// drops the others'.
  void makeData(Worker &w, const std::vector<size_t> &ks) {
    std::set<size_t> seeds;
    for (size_t k : ks)
      seeds.insert(k / M);
    for (auto it = w.data.begin(); it != w.data.end();)
      it = seeds.count(it->first) ? std::next(it) : w.data.erase(it);
    for (size_t s : seeds) {
      if (w.data.count(s))
        continue;
      const SeedData &d = w.data[s] = task->seedData(cfg.seeds[s]);
      std::lock_guard<std::mutex> lock(mutex);
      lastSizes = {d.train.size, d.val.size, d.test.size};
    }
  }

  using Clock = std::chrono::steady_clock;
  static double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }

  /// Clipping, weight decay and the optimizer's step (SPEC §3). Without
  /// weight decay the clipping factor is applied as the optimizer reads
  /// the gradients: the same bits, one pass over them less.
  void update(PairRun &pr, Tensors &grads, const std::vector<bool> &frozen) {
    if (cfg.l2 == 0) {
      pr.optim->step(pr.params, grads, frozen, clipFactor(grads, cfg.clip));
      return;
    }
    clipGradNorm(grads, cfg.clip);
    addWeightDecay(grads, pr.params, cfg.l2);
    pr.optim->step(pr.params, grads, frozen);
  }

  /// One epoch of the pairs `runs`: one pair, or seeds of one model at the
  /// same epoch trained by the model's ensemble trainer (each batch one
  /// call for all of them, each seed with its own batch, clipping and
  /// optimizer, so that every pair gets the bits it gets alone). Their
  /// mean training losses.
  std::vector<double> trainEpoch(Worker &w, const std::vector<PairRun *> &runs,
                                 int64_t epoch, const RunHooks &hooks) {
    const size_t K = runs.size(), m = runs[0]->m;
    const bool single = K == 1;
    PairRun &first = *runs[0];
    TrainerInstance &trainer =
        w.instance(single ? program(m, epoch) : models[m].ensembleApi);
    const std::vector<bool> frozen = frozenParameters(m, epoch);
    const int64_t B = cfg.batchSize;
    const bool labelled = task->modelShape().classifies;
    auto tData = Clock::now();
    std::vector<EpochData> data;
    for (const PairRun *r : runs)
      data.push_back(
          task->epochData(w.data.at(r->s), cfg.seeds[r->s], epoch, B));
    const int64_t batches = data[0].numBatches(),
                  in = data[0].samples().sampleInputs(),
                  out = data[0].samples().targetSize;
    // The batch's inputs are always copied (seqmnist: converted from bytes).
    std::vector<float> inputs(K * B * in), targets(K * B * out), losses(K);
    std::vector<int64_t> labels(labelled ? K * B : 0);
    // The kept state (one network: --keep-hidden trains seeds one by one)
    // starts each epoch at zero.
    const int64_t stateSize = trainer.desc().state_size;
    if (cfg.keepHidden)
      first.hiddenState.assign(stateSize, 0.0f);
    std::vector<float> nextState(cfg.keepHidden ? stateSize : 0);
    for (PairRun *r : runs)
      r->epochCosineSynthetic = r->epochCosineTarget = kNaN;
    double dataSeconds = since(tData);
    // One network trains on its own arrays; K networks on theirs one after
    // the other, copied from and to each pair's.
    const size_t P = first.params.size();
    Tensors params(single ? 0 : P), grads = single ? first.params : Tensors(P);
    std::vector<Tensors> own(single ? 0 : K, first.params);
    for (size_t j = 0; j < P && !single; ++j) {
      params[j].resize(K * first.params[j].size());
      grads[j].resize(params[j].size());
    }
    std::vector<float> masks;
    for (const PairRun *r : runs)
      masks.insert(masks.end(), r->fibreMask.begin(), r->fibreMask.end());
    std::vector<const float *> p(P);
    std::vector<float *> g(P);
    for (size_t j = 0; j < P; ++j) {
      p[j] = single ? nullptr : params[j].data();
      g[j] = grads[j].data();
    }
    std::vector<double> sums(K, 0.0);
    for (int64_t b = 0; b < batches; ++b) {
      auto t0 = Clock::now();
      for (size_t i = 0; i < K; ++i) {
        data[i].gather(b, B, inputs.data() + i * B * in,
                       targets.data() + i * B * out,
                       labelled ? labels.data() + i * B : nullptr);
        for (size_t j = 0; j < P && !single; ++j)
          std::copy(runs[i]->params[j].begin(), runs[i]->params[j].end(),
                    params[j].begin() + i * runs[i]->params[j].size());
      }
      for (size_t j = 0; j < P && single; ++j)
        p[j] = first.params[j].data();
      dataSeconds += since(t0);
      ccrnn_batch batch{p.data(),
                        inputs.data(),
                        labelled ? static_cast<const void *>(labels.data())
                                 : targets.data(),
                        cfg.keepHidden ? first.hiddenState.data() : nullptr,
                        masks.empty() ? nullptr : masks.data(),
                        single ? nullptr : losses.data()};
      // The feedback of the epoch's first batch, before its update
      // (--record-grads trains seeds one by one).
      if (b == 0 && cfg.recordGrads && models[m].api->record)
        recordFeedback(w, first, epoch, batch);
      const float loss = trainer.train(
          batch, g.data(), cfg.keepHidden ? nextState.data() : nullptr);
      if (single)
        losses[0] = loss;
      if (cfg.keepHidden)
        first.hiddenState.swap(nextState);
      for (size_t i = 0; i < K; ++i) {
        PairRun &r = *runs[i];
        if (!std::isfinite(losses[i]))
          throw DivergedError(
              "training loss is " + formatNumber(losses[i]) + " at seed " +
              std::to_string(cfg.seeds[r.s]) + ", model " + models[m].name +
              ", epoch " + std::to_string(epoch) + ", batch " +
              std::to_string(b + 1) + " of " + std::to_string(batches));
        sums[i] += losses[i];
        if (single) {
          update(r, grads, frozen);
          continue;
        }
        for (size_t j = 0; j < P; ++j)
          std::copy_n(grads[j].begin() + i * own[i][j].size(),
                      own[i][j].size(), own[i][j].begin());
        update(r, own[i], frozen);
      }
      if (hooks.onBatch) {
        std::lock_guard<std::mutex> lock(mutex);
        hooks.onBatch({first.s, m, S, M, models[m].name, epoch, E, b + 1,
                       batches, totalEpochsDone(), int64_t(S * M) * E});
      }
    }
    std::vector<double> means;
    for (size_t i = 0; i < K; ++i) {
      runs[i]->epochDataSeconds = dataSeconds / double(K);
      means.push_back(sums[i] / double(batches));
    }
    return means;
  }

  /// Records the feedback of `batch` (SPEC §4 record_grads): the epoch's
  /// cosine similarities over the whole batch, and the first
  /// --record-samples sequences of every recorded array for the feedback
  /// file.
  void recordFeedback(Worker &w, PairRun &pr, int64_t epoch,
                      const ccrnn_batch &batch) {
    TrainerInstance &trainer = w.instance(models[pr.m].api);
    const ccrnn_trainer_desc &d = trainer.desc();
    const int64_t rows = d.record_boundaries * d.record_layers, B = d.batch,
                  S = d.record_state, W = d.record_width;
    std::vector<std::vector<float>> out(4, std::vector<float>(rows * B * S));
    std::vector<float> activity(rows * B * W);
    ccrnn_record record{out[0].data(), out[1].data(), out[2].data(),
                        out[3].data(), activity.data()};
    trainer.record(batch, record);
    pr.epochCosineSynthetic =
        meanCosine(out[1].data(), out[3].data(), rows * B, S);
    pr.epochCosineTarget =
        meanCosine(out[2].data(), out[3].data(), rows * B, S);
    const int64_t kept = std::min(cfg.recordSamples, B);
    auto keep = [&](const std::vector<float> &x, int64_t width,
                    std::vector<float> &to) {
      for (int64_t r = 0; r < rows; ++r)
        to.insert(to.end(), x.begin() + r * B * width,
                  x.begin() + (r * B + kept) * width);
    };
    pr.feedback.epochs.push_back(epoch);
    for (int i = 0; i < 4; ++i)
      keep(out[i], S, pr.feedback.arrays[i]);
    keep(activity, W, pr.feedback.arrays[4]);
  }

  // The trainer's batch size is fixed: the last batch is padded with zero
  // rows, whose predictions are ignored. The task's scorer computes the
  // scores from the float predictions, in double.
  Evaluation evaluate(Worker &w, size_t m, const Tensors &weights,
                      const Dataset &data, bool keepPredictions) {
    TrainerInstance &trainer = w.instance(models[m].api);
    const bool labelled = task->modelShape().classifies;
    const int64_t B = cfg.batchSize, in = data.sampleInputs(),
                  out = data.targetSize,
                  width = labelled ? trainer.desc().output_size : out;
    std::vector<float> inputs(B * in), targets(B * out), predictions(B * width);
    std::vector<int64_t> labels(labelled ? B : 0);
    std::vector<const float *> p;
    for (const auto &w : weights)
      p.push_back(w.data());
    std::unique_ptr<Scorer> scorer = task->scorer();
    std::vector<float> kept(keepPredictions ? data.size * width : 0);
    for (int64_t start = 0; start < data.size; start += B) {
      int64_t rows = std::min(B, data.size - start);
      std::fill(inputs.begin(), inputs.end(), 0.0f);
      std::fill(targets.begin(), targets.end(), 0.0f);
      std::fill(labels.begin(), labels.end(), 0);
      data.readInputs(start, rows, inputs.data());
      std::copy_n(data.targets.begin() + start * out, rows * out,
                  targets.begin());
      for (int64_t i = 0; i < rows && labelled; ++i)
        labels[i] = data.labels[start + i];
      trainer.eval(p.data(), inputs.data(),
                   labelled ? static_cast<const void *>(labels.data())
                            : targets.data(),
                   predictions.data());
      scorer->add(predictions.data(), width, rows, targets.data(),
                  labels.data());
      if (keepPredictions)
        std::copy_n(predictions.begin(), rows * width,
                    kept.begin() + start * width);
    }
    Evaluation result = scorer->finish(data.size);
    result.predictions = std::move(kept);
    return result;
  }

  // Test metrics, trajectories and checkpoints of a trained pair.
  void finishPair(Worker &w, PairRun &pr) {
    const size_t s = pr.s, m = pr.m, k = pair(s, m);
    const Dataset &test = w.data.at(s).test;
    Evaluation ev = evaluate(w, m, pr.params, test, /*keepPredictions=*/C > 0);
    const int64_t out = test.targetSize;
    std::vector<double> sums(C * out, 0.0);
    std::vector<int64_t> counts(C, 0);
    for (int64_t i = 0; i < (C ? test.size : 0); ++i) {
      const float *y = ev.predictions.data() + i * out;
      int c = test.labels[i];
      ++counts[c];
      for (int64_t j = 0; j < out; ++j)
        sums[c * out + j] += y[j];
    }
    const ccrnn_trainer_desc &d = *models[m].api->desc;
    npz::writeNpz(path(checkpointName(s, m, "final")),
                  parametersArchive(d, pr.params));
    npz::writeNpz(path(checkpointName(s, m, "best")),
                  parametersArchive(d, pr.best));
    writeFeedback(pr);

    std::lock_guard<std::mutex> lock(mutex);
    testLoss[k] = ev.loss;
    testAccuracy[k] = ev.accuracy;
    testDysmetria[k] = ev.behaviour();
    for (int c = 0; c < C; ++c)
      for (int64_t j = 0; j < out; ++j)
        trajectories[(k * C + c) * out + j] =
            counts[c] ? sums[c * out + j] / double(counts[c]) : kNaN;
    finished[k] = 1;
    snapshots.erase(k);
    save();
  }

  /// Trains a pair to the end (its last epoch, or an early stop); false
  /// when stopped after an epoch by hooks.stop or `abort` (another
  /// worker's failure).
  /// What ends a pair's epoch: its validation, scores, best parameters,
  /// schedule, snapshot and report; the stop request, and a save when one
  /// is due. `trainSeconds` is the epoch's training time (of this pair).
  enum class EpochEnd { Continue, StopEarly, Stopped };
  EpochEnd endEpoch(Worker &w, PairRun &pr, int64_t e, double lr,
                    double trainLoss, double trainSeconds,
                    const RunHooks &hooks, const std::atomic<bool> &abort) {
    const size_t s = pr.s, m = pr.m, k = pair(s, m);
    auto t0 = std::chrono::steady_clock::now();
    Evaluation valEval = evaluate(w, m, pr.params, w.data.at(s).val, false);
    double valLoss = valEval.loss;
    double dt = trainSeconds + std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - t0)
                                   .count();
    const EpochOutcome outcome{trainLoss, valEval, pr.epochCosineSynthetic,
                               pr.epochCosineTarget};
    // Only this worker writes pair k's entries: it reads them unlocked.
    // A NaN validation loss (not possible to rank) is best only until a
    // number comes.
    const bool improved =
        bestEpoch[k] == 0 || std::isnan(bestVal[k]) || valLoss < bestVal[k];
    if (improved)
      pr.best = pr.params;
    if (cfg.decayLr)
      pr.optim->setLr(pr.plateau->step(valLoss, lr));
    // Early stopping counts from the epoch of the best checkpoint: an
    // improvement is a strictly lower validation loss (ignite's
    // EarlyStopping with min_delta 0).
    const int64_t bestE = improved ? e : bestEpoch[k];
    const bool stopEarly =
        cfg.earlyStopping > 0 && e - bestE >= cfg.earlyStopping;
    npz::Archive snap = snapshot(pr);

    std::lock_guard<std::mutex> lock(mutex);
    for (size_t i = 0; i < scoreDefs.size(); ++i)
      score(s, m, i, e - 1) = scoreDefs[i].value(outcome);
    epochSeconds[k * E + e - 1] = dt;
    dataSeconds[k * E + e - 1] = pr.epochDataSeconds;
    computeSeconds[k * E + e - 1] = dt - pr.epochDataSeconds;
    epochLr[k * E + e - 1] = lr;
    this->trainSeconds[k] += dt;
    epochsDone[k] = e;
    if (improved) {
      bestVal[k] = valLoss;
      bestEpoch[k] = e;
    }
    snapshots[k] = std::move(snap);
    if (hooks.onEpoch)
      hooks.onEpoch(epochReport(pr, e, valEval, stopEarly));
    if (stopEarly)
      return EpochEnd::StopEarly;
    if ((hooks.stop && hooks.stop->load()) || abort.load()) {
      writeFeedback(pr);
      return EpochEnd::Stopped;
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                      lastSave)
            .count() >= hooks.saveEverySeconds) {
      writeFeedback(pr);
      save();
    }
    return EpochEnd::Continue;
  }

  /// Trains the pairs `ks` (one, or seeds of one model at the same epoch,
  /// see trainEpoch) to the end: their last epoch, or an early stop. False
  /// when stopped after an epoch by hooks.stop or `abort` (another worker's
  /// failure).
  bool trainItem(Worker &w, const std::vector<size_t> &ks,
                 const RunHooks &hooks, const std::atomic<bool> &abort) {
    std::vector<std::unique_ptr<PairRun>> owned;
    std::vector<PairRun *> runs;
    for (size_t k : ks) {
      owned.push_back(takePair(k));
      runs.push_back(owned.back().get());
    }
    makeData(w, ks);
    std::vector<PairRun *> training = runs;
    for (int64_t e = epochsDone[ks[0]] + 1; e <= E && !training.empty();
         ++e) {
      auto t0 = Clock::now();
      std::vector<double> lrs;
      for (const PairRun *r : training)
        lrs.push_back(r->optim->lr());
      std::vector<double> trainLoss = trainEpoch(w, training, e, hooks);
      const double seconds = since(t0) / double(training.size());
      std::vector<PairRun *> next;
      bool stopped = false;
      for (size_t i = 0; i < training.size(); ++i) {
        EpochEnd end = endEpoch(w, *training[i], e, lrs[i], trainLoss[i],
                                seconds, hooks, abort);
        stopped |= end == EpochEnd::Stopped;
        if (end == EpochEnd::Continue)
          next.push_back(training[i]);
      }
      if (stopped)
        return false;
      training = std::move(next);
    }
    for (PairRun *r : runs)
      finishPair(w, *r);
    return true;
  }

  /// The work of trainAll: single pairs, and groups of seeds of a model
  /// that train together (models with an ensemble trainer: full groups of
  /// unfinished pairs at the same epoch; the rest one by one).
  std::vector<std::vector<size_t>> workItems() const {
    std::vector<std::vector<size_t>> items;
    std::vector<bool> grouped(S * M, false);
    for (size_t m = 0; m < M; ++m) {
      if (!models[m].ensembleApi)
        continue;
      const size_t K = size_t(models[m].ensembleApi->desc->ensemble);
      for (size_t s0 = 0; s0 + K <= S; s0 += K) {
        std::vector<size_t> group;
        for (size_t s = s0; s < s0 + K; ++s) {
          size_t k = pair(s, m);
          if (finished[k] || epochsDone[k] != epochsDone[pair(s0, m)])
            break;
          group.push_back(k);
        }
        if (group.size() != K)
          continue;
        for (size_t k : group)
          grouped[k] = true;
        items.push_back(group);
      }
    }
    for (size_t k = 0; k < S * M; ++k)
      if (!finished[k] && !grouped[k])
        items.push_back({k});
    // Roughly (seed, model) order: by the first pair.
    std::stable_sort(items.begin(), items.end(),
                     [](const auto &a, const auto &b) { return a[0] < b[0]; });
    return items;
  }

  /// Trains every unfinished pair (or group of pairs, see workItems), up to
  /// `jobs` at once, each on one worker thread; false when stopped by
  /// hooks.stop. A worker's failure (a diverged loss, a file that cannot be
  /// written) stops the others after their epoch and is rethrown here.
  bool trainAll(const RunHooks &hooks) {
    const std::vector<std::vector<size_t>> todo = workItems();
    std::atomic<size_t> next{0};
    std::atomic<bool> abort{false}, stopped{false};
    std::exception_ptr failure;
    auto work = [&] {
      // OpenMP's thread count is per thread: a new one starts from the
      // process's default.
      rt::setNumThreads(cfg.threads);
      Worker w;
      try {
        for (size_t i; (i = next++) < todo.size();) {
          if (abort.load())
            break;
          const std::vector<size_t> &item = todo[i];
          if ((hooks.stop && hooks.stop->load()) ||
              !trainItem(w, item, hooks, abort)) {
            stopped = true;
            break;
          }
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure)
          failure = std::current_exception();
        abort = true;
      }
    };
    const size_t jobs = std::min(size_t(parallelJobs(cfg)), todo.size());
    if (jobs <= 1) {
      work();
    } else {
      std::vector<std::thread> threads;
      for (size_t j = 0; j < jobs; ++j)
        threads.emplace_back(work);
      for (std::thread &t : threads)
        t.join();
    }
    if (failure)
      std::rethrow_exception(failure);
    return !stopped.load();
  }

  EpochReport epochReport(const PairRun &pr, int64_t e,
                          const Evaluation &valEval, bool stopEarly) {
    const size_t s = pr.s, m = pr.m, k = pair(s, m);
    EpochReport r{s,
                  m,
                  S,
                  M,
                  cfg.seeds[s],
                  models[m].name,
                  e,
                  E,
                  score(s, m, 0, e - 1),
                  valEval.loss,
                  epochSeconds[k * E + e - 1],
                  totalEpochsDone(),
                  int64_t(S * M) * E};
    for (size_t i = 2; i < metrics.size(); ++i)
      r.moreScores.emplace_back(metrics[i], score(s, m, i, e - 1));
    if (cfg.decayLr) {
      r.lr = epochLr[k * E + e - 1];
      r.nextLr = pr.optim->lr();
    }
    r.bestEpoch = bestEpoch[k];
    r.stoppedEarly = stopEarly;
    return r;
  }

  //===--- Files ----------------------------------------------------------===//

  void writeScores() {
    npz::writeNpy(path("scores.npy"), f64Array({int64_t(S), int64_t(M),
                                                int64_t(metrics.size()), E},
                                               scores));
  }

  void writeResume() {
    npz::Archive a;
    int64_t s = S, m = M;
    a["scores"] = f64Array({s, m, int64_t(metrics.size()), E}, scores);
    a["data_seconds"] = f64Array({s, m, E}, dataSeconds);
    a["compute_seconds"] = f64Array({s, m, E}, computeSeconds);
    a["epoch_lr"] = f64Array({s, m, E}, epochLr);
    a["test_accuracy"] = f64Array({s, m}, testAccuracy);
    a["epoch_seconds"] = f64Array({s, m, E}, epochSeconds);
    a["epochs_done"] = i64Array({s, m}, epochsDone);
    a["finished"] = i64Array({s, m}, finished);
    a["best_epoch"] = i64Array({s, m}, bestEpoch);
    a["best_val_loss"] = f64Array({s, m}, bestVal);
    a["test_loss"] = f64Array({s, m}, testLoss);
    a["test_dysmetria"] = f64Array({s, m}, testDysmetria);
    a["train_seconds"] = f64Array({s, m}, trainSeconds);
    if (C)
      a["trajectories"] = f64Array({s, m, C, Lt, 2}, trajectories);
    a["training_seconds"] = f64Array({}, {seconds()});
    // The pairs in training: "current" lists them ([n, 2]: seed index,
    // model index), the state of the i-th under "pair<i>/".
    std::vector<int64_t> current;
    for (const auto &[k, snap] : snapshots) {
      const std::string prefix =
          "pair" + std::to_string(current.size() / 2) + "/";
      current.push_back(int64_t(k / M));
      current.push_back(int64_t(k % M));
      for (const auto &[name, array] : snap)
        a[prefix + name] = array;
    }
    if (!current.empty())
      a["current"] = i64Array({int64_t(current.size() / 2), 2}, current);
    npz::writeNpz(path("resume.npz"), a);
  }

  /// A pair's resume entries: parameters, best parameters, the optimizer's
  /// slots and the learning-rate schedule (a resumed run continues it).
  npz::Archive snapshot(const PairRun &pr) const {
    const ccrnn_trainer_desc &d = *models[pr.m].api->desc;
    npz::Archive a;
    a["optim_steps"] = i64Array({}, {pr.optim->steps()});
    a["optim_lr"] = f64Array({}, {pr.optim->lr()});
    a["plateau_best"] = f64Array({}, {pr.plateau->best()});
    a["plateau_bad_epochs"] = i64Array({}, {pr.plateau->badEpochs()});
    for (int32_t i = 0; i < d.num_params; ++i) {
      std::string name = d.params[i].name;
      auto shape = paramShape(d.params[i]);
      a["param/" + name] = f32Array(shape, pr.params[i]);
      a["best/" + name] = f32Array(shape, pr.best[i]);
      for (size_t j = 0; j < pr.optim->slotNames().size(); ++j)
        a["optim/" + pr.optim->slotNames()[j] + "/" + name] =
            f32Array(shape, pr.optim->slot(j)[i]);
    }
    return a;
  }

  std::vector<std::vector<double>> targetLines() const {
    std::vector<std::vector<double>> lines;
    for (const auto &t : task->classTargets())
      lines.emplace_back(t.begin(), t.end());
    return lines;
  }

  // Mean over the seeds that finished of each class's mean line.
  std::vector<std::vector<double>> meanLines(size_t m) const {
    const int64_t out = Lt * 2;
    std::vector<std::vector<double>> lines(C, std::vector<double>(out, 0.0));
    int64_t n = 0;
    for (size_t s = 0; s < S; ++s) {
      if (!finished[pair(s, m)])
        continue;
      ++n;
      for (int c = 0; c < C; ++c)
        for (int64_t j = 0; j < out; ++j)
          lines[c][j] += trajectories[(pair(s, m) * C + c) * out + j];
    }
    for (auto &line : lines)
      for (double &v : line)
        v = n ? v / double(n) : kNaN;
    return lines;
  }

  void writeTrajectories() {
    npz::Archive a;
    const int64_t out = Lt * 2;
    std::vector<double> target;
    for (const auto &line : targetLines())
      target.insert(target.end(), line.begin(), line.end());
    a["target"] = f64Array({C, Lt, 2}, target);
    a["classes"] = i64Array({C}, std::vector<int64_t>(task->classLabels().begin(),
                                                      task->classLabels().end()));
    for (size_t m = 0; m < M; ++m) {
      std::vector<double> mean;
      for (const auto &line : meanLines(m))
        mean.insert(mean.end(), line.begin(), line.end());
      a["pred/" + models[m].name] = f64Array({C, Lt, 2}, mean);
      std::vector<double> perSeed;
      for (size_t s = 0; s < S; ++s) {
        auto first = trajectories.begin() + pair(s, m) * C * out;
        perSeed.insert(perSeed.end(), first, first + C * out);
      }
      a["per_seed/" + models[m].name] =
          f64Array({int64_t(S), C, Lt, 2}, perSeed);
    }
    npz::writeNpz(path("trajectories.npz"), a);
  }

  json metaJson() const {
    json j;
    j["format"] = "ccrnn-train run";
    j["format_version"] = kFormatVersion;
    j["status"] = status;
    if (!error.empty())
      j["error"] = error;
    // The configuration (its codec: ConfigJson.h), then what follows from
    // it: the task's sizes and facts, the optimizer's constants.
    writeConfig(cfg, j);
    const ModelShape &shape = task->modelShape();
    json &t = j["task"];
    t["classes"] = shape.classifies ? shape.outputSize : C;
    t["input_size"] = shape.inputSize;
    t["output_size"] = shape.outputSize;
    t["train_samples_per_epoch"] = task->trainSamplesPerEpoch(lastSizes[0]);
    task->describe(t, lastSizes);
    json hyper = json::object();
    for (const auto &[k, v] : optimizerHyperparameters(cfg.optim))
      hyper[k] = v;
    j["training"]["optim_hyperparameters"] = hyper;
    j["training"]["lr_decay_threshold"] = PlateauScheduler::kThreshold;
    j["models"] = json::array();
    for (const ModelEntry &m : models) {
      const ccrnn_trainer_desc &d = *m.api->desc;
      json ps = json::array();
      int64_t total = 0;
      for (int32_t i = 0; i < d.num_params; ++i) {
        const ccrnn_param_info &p = d.params[i];
        total += numElements(paramShape(p));
        ps.push_back(
            {{"name", p.name},
             {"shape", paramShape(p)},
             {"init", p.init == CCRNN_INIT_ZEROS ? "zeros" : "uniform"},
             {"bound", p.bound},
             {"group", p.group == CCRNN_GROUP_RECURRENT ? "recurrent"
                       : p.group == CCRNN_GROUP_READOUT ? "readout"
                                                        : "synthesizer"}});
      }
      j["models"].push_back({{"name", m.name},
                             {"file", m.file},
                             {"symbol", d.model},
                             {"configure", m.configure},
                             {"options", m.options},
                             {"trainer", m.trainerId},
                             // The lesions' programs (SPEC §4), or null.
                             {"frozen_options",
                              m.frozenApi ? json(m.frozenApi->desc->options)
                                          : json(nullptr)},
                             {"ablated_options",
                              m.ablatedApi ? json(m.ablatedApi->desc->options)
                                           : json(nullptr)},
                             {"has_cerebellum", bool(d.has_cerebellum)},
                             {"num_parameters", total},
                             {"parameters", ps}});
    }
    j["metrics"] = metrics;
    j["scores"] = {{"file", "scores.npy"},
                   {"shape", {S, M, metrics.size(), E}},
                   {"axes", {"seed", "model", "metric", "epoch"}}};
    j["test_metrics"] = testMetrics;
    j["results"] = json::array();
    for (size_t s = 0; s < S; ++s)
      for (size_t m = 0; m < M; ++m) {
        size_t k = pair(s, m);
        json r = {{"seed", cfg.seeds[s]},
                  {"model", models[m].name},
                  {"epochs_completed", epochsDone[k]},
                  {"finished", bool(finished[k])},
                  {"early_stopped_at",
                   stoppedEarly(k) ? json(epochsDone[k]) : json(nullptr)},
                  {"final_val_loss", nanToNull(finalValLoss(k))},
                  {"best_epoch", bestEpoch[k]},
                  {"best_val_loss", nanToNull(bestVal[k])},
                  {"test_loss", nanToNull(testLoss[k])},
                  {"test_dysmetria", nanToNull(testDysmetria[k])},
                  {"train_seconds", trainSeconds[k]}};
        if (shape.classifies)
          r["test_accuracy"] = nanToNull(testAccuracy[k]);
        std::vector<json> secs, dataSecs, computeSecs;
        double dataTotal = 0, computeTotal = 0;
        for (int64_t e = 0; e < epochsDone[k]; ++e) {
          secs.push_back(epochSeconds[k * E + e]);
          dataSecs.push_back(nanToNull(dataSeconds[k * E + e]));
          computeSecs.push_back(nanToNull(computeSeconds[k * E + e]));
          if (std::isfinite(dataSeconds[k * E + e]))
            dataTotal += dataSeconds[k * E + e];
          if (std::isfinite(computeSeconds[k * E + e]))
            computeTotal += computeSeconds[k * E + e];
        }
        r["epoch_seconds"] = secs;
        if (cfg.decayLr)
          r["lr"] = std::vector<double>(epochLr.begin() + k * E,
                                        epochLr.begin() + k * E +
                                            epochsDone[k]);
        // Per epoch: preparing batches (data) and training steps plus
        // validation (compute).
        r["data_seconds"] = dataSecs;
        r["compute_seconds"] = computeSecs;
        r["data_seconds_total"] = dataTotal;
        r["compute_seconds_total"] = computeTotal;
        if (finished[k])
          r["checkpoints"] = {{"final", checkpointName(s, m, "final")},
                              {"best", checkpointName(s, m, "best")}};
        j["results"].push_back(r);
      }
    j["summary"] = json::array();
    for (const ModelSummary &ms : summarize())
      j["summary"].push_back(
          {{"model", ms.model},
           {"seeds", ms.seeds},
           {"final_val_loss",
            {{"mean", nanToNull(ms.valMean)}, {"sem", nanToNull(ms.valSem)}}},
           {"test_loss",
            {{"mean", nanToNull(ms.testMean)}, {"sem", nanToNull(ms.testSem)}}},
           {"test_accuracy",
            {{"mean", nanToNull(ms.testAccMean)},
             {"sem", nanToNull(ms.testAccSem)}}},
           {"test_dysmetria",
            {{"mean", nanToNull(ms.dysmetriaMean)},
             {"sem", nanToNull(ms.dysmetriaSem)}}}});
    j["files"] = {{"scores", "scores.npy"},
                  {"trajectories", C ? json("trajectories.npz") : json(nullptr)},
                  {"curves", "curves.png"},
                  {"lines", C ? json("lines.png") : json(nullptr)},
                  {"resume", "resume.npz"}};
    j["training_seconds"] = seconds();
    j["timestamp"] = startedAt;
    j["updated"] = isoTime(std::time(nullptr));
    j["versions"] = {{"ccrnn", CCRNN_VERSION},
                     {"trainer_abi", CCRNN_TRAINER_ABI_VERSION},
                     {"driver_compiler", __VERSION__}};
    j["rng"] =
        "std::mt19937_64 per stream, seeded with SplitMix64(seed, "
        "stream name, index): init/<parameter> (the DNI wrapper's "
        "rnn.rnn. read as rnn.), linedraw.{train,val,test}.{class,noise} "
        "(train: index = epoch), seqmnist.split (train/validation split), "
        "seqmnist.shuffle (index = epoch: the epoch's order, a Fisher-Yates "
        "shuffle), seqmnist.free_magnitude (of the first seed)";
    j["command_line"] = commandLine;
    return j;
  }

  void writeMeta() {
    writeFileAtomic(path("meta.json"), metaJson().dump(2) + "\n");
  }

  std::string feedbackName(size_t s, size_t m) const {
    return "feedback_seed" + std::to_string(cfg.seeds[s]) + "_" +
           fileSafe(models[m].name) + ".npz";
  }

  /// The feedback file of a pair (see FeedbackLog).
  void writeFeedback(const PairRun &pr) const {
    const FeedbackLog &feedback = pr.feedback;
    if (feedback.epochs.empty())
      return;
    const ccrnn_trainer_desc &d = *models[pr.m].api->desc;
    const int64_t R = int64_t(feedback.epochs.size()),
                  kept = std::min(cfg.recordSamples, d.batch);
    npz::Archive a;
    a["epoch"] = i64Array({R}, feedback.epochs);
    for (int i = 0; i < 5; ++i) {
      int64_t width = i == 4 ? d.record_width : d.record_state;
      if (width)
        a[FeedbackLog::kNames[i]] =
            f32Array({R, d.record_boundaries, d.record_layers, kept, width},
                     feedback.arrays[i]);
    }
    npz::writeNpz(path(feedbackName(pr.s, pr.m)), a);
  }

  /// Picks up the feedback recorded before an interruption.
  void readFeedback(PairRun &pr) const {
    FeedbackLog &feedback = pr.feedback;
    feedback = FeedbackLog();
    const std::string file = path(feedbackName(pr.s, pr.m));
    if (!cfg.recordGrads || !fs::exists(file))
      return;
    try {
      npz::Archive a = npz::readNpz(file);
      feedback.epochs.assign(a.at("epoch").data.begin(),
                             a.at("epoch").data.end());
      for (int i = 0; i < 5; ++i)
        if (auto it = a.find(FeedbackLog::kNames[i]); it != a.end())
          feedback.arrays[i].assign(it->second.data.begin(),
                                    it->second.data.end());
    } catch (const std::exception &e) {
      throw InputError("--resume: " + file + ": " + e.what());
    }
  }

  /// Writes the run's files (the caller holds `mutex` or runs alone).
  void save() {
    writeResume();
    writeScores();
    if (C && std::find(finished.begin(), finished.end(), 1) != finished.end())
      writeTrajectories();
    writeMeta();
    lastSave = std::chrono::steady_clock::now();
  }

  void plot(const RunHooks &hooks) {
    if (hooks.gnuplot.empty() || totalEpochsDone() == 0)
      return;
    auto warn = [&](const std::string &w) {
      if (!w.empty() && hooks.onWarning)
        hooks.onWarning(w);
    };
    std::vector<std::string> names;
    for (const ModelEntry &m : models)
      names.push_back(m.name);
    std::vector<std::vector<Curve>> curves(metrics.size());
    for (size_t k = 0; k < metrics.size(); ++k)
      for (size_t m = 0; m < M; ++m) {
        Curve c;
        for (int64_t e = 0; e < E; ++e) {
          std::vector<double> v;
          for (size_t s = 0; s < S; ++s)
            if (epochsDone[pair(s, m)] > e)
              v.push_back(score(s, m, k, e));
          c.mean.push_back(mean(v));
          c.sem.push_back(sem(v));
        }
        curves[k].push_back(std::move(c));
      }
    std::string w =
        plotCurves(hooks.gnuplot, path("curves.png"), metrics, names, curves);
    warn(w);
    // A missing gnuplot is said once.
    if (!w.empty() && findProgram(hooks.gnuplot).empty())
      return;
    if (!C || std::find(finished.begin(), finished.end(), 1) == finished.end())
      return;
    std::vector<std::vector<std::vector<double>>> lines;
    for (size_t m = 0; m < M; ++m)
      lines.push_back(meanLines(m));
    const TrajectoryPlot layout = task->trajectoryPlot();
    std::vector<std::string> labels;
    for (int k : task->classLabels())
      labels.push_back(layout.labelPrefix + std::to_string(k));
    warn(plotLines(hooks.gnuplot, path("lines.png"), names, labels, lines,
                   targetLines(), layout.box));
  }

  std::vector<ModelSummary> summarize() const {
    std::vector<ModelSummary> out;
    for (size_t m = 0; m < M; ++m) {
      std::vector<double> vals, tests, accs, dys;
      for (size_t s = 0; s < S; ++s) {
        size_t k = pair(s, m);
        if (!finished[k])
          continue;
        vals.push_back(finalValLoss(k));
        tests.push_back(testLoss[k]);
        accs.push_back(testAccuracy[k]);
        dys.push_back(testDysmetria[k]);
      }
      ModelSummary ms{models[m].name, int64_t(vals.size()),
                      mean(vals),     sem(vals),
                      mean(tests),    sem(tests),
                      mean(dys),      sem(dys)};
      if (task->modelShape().classifies) {
        ms.testAccMean = mean(accs);
        ms.testAccSem = sem(accs);
      }
      out.push_back(ms);
    }
    return out;
  }

  /// A seed of a model holds at least six arrays of its parameters' size:
  /// the parameters, the best ones, the gradients, two optimizer slots,
  /// and the trainer's arena, which is larger still. A model that cannot
  /// fit is refused before anything is written, naming its size, instead
  /// of failing to allocate in the middle of the run.
  void checkMemory() const {
    const double available = physicalMemoryBytes();
    for (const ModelEntry &m : models) {
      double floats = 0;
      for (int64_t n : sizes(*m.api->desc))
        floats += double(n);
      const double needed = 6 * sizeof(float) * floats;
      if (available > 0 && needed > available)
        throw InputError("model " + m.name + ": " +
                         formatFloatCount(floats) +
                         " parameters need at least " + formatBytes(needed) +
                         " of memory for one seed, more than this machine's " +
                         formatBytes(available));
    }
  }

  static std::string formatFloatCount(double n) {
    char text[32];
    std::snprintf(text, sizeof text, n < 1e15 ? "%.0f" : "%.3g", n);
    return text;
  }

  void createDirectory() {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      throw InputError("--out " + dir + ": cannot create: " + ec.message());
  }

  void loadResume();
};

Experiment::Experiment(TrainConfig config, std::vector<ModelEntry> models,
                       std::string dir, std::vector<std::string> commandLine)
    : impl(std::make_unique<Impl>(std::move(config), std::move(models),
                                  std::move(dir), std::move(commandLine))) {}

Experiment::~Experiment() = default;

void Experiment::loadResume() { impl->loadResume(); }

void Experiment::prepare() {
  Impl &r = *impl;
  r.createDirectory();
  r.status = "pending";
  r.save();
}

void Experiment::Impl::loadResume() {
  const std::string file = path("resume.npz");
  npz::Archive a;
  try {
    a = npz::readNpz(file);
  } catch (const npz::Error &e) {
    throw InputError(std::string("--resume: ") + e.what());
  }
  auto get = [&](const std::string &name,
                 const std::vector<int64_t> &shape) -> const npz::Array & {
    auto it = a.find(name);
    if (it == a.end())
      throw InputError("--resume: " + file + ": no array '" + name + "'");
    if (it->second.shape != shape)
      throw InputError("--resume: " + file + ": array '" + name +
                       "' has shape " + shapeString(it->second.shape) +
                       ", expected " + shapeString(shape) +
                       " (meta.json and resume.npz disagree)");
    return it->second;
  };
  auto asDouble = [](const npz::Array &x, std::vector<double> &to) {
    to.assign(x.data.begin(), x.data.end());
  };
  auto asInt = [](const npz::Array &x, std::vector<int64_t> &to) {
    to.assign(x.data.begin(), x.data.end());
  };
  auto asFloat = [](const npz::Array &x, std::vector<float> &to) {
    to.assign(x.data.begin(), x.data.end());
  };
  int64_t s = S, m = M;
  asDouble(get("scores", {s, m, int64_t(metrics.size()), E}), scores);
  asDouble(get("data_seconds", {s, m, E}), dataSeconds);
  asDouble(get("compute_seconds", {s, m, E}), computeSeconds);
  asDouble(get("epoch_lr", {s, m, E}), epochLr);
  asDouble(get("test_accuracy", {s, m}), testAccuracy);
  asDouble(get("epoch_seconds", {s, m, E}), epochSeconds);
  asInt(get("epochs_done", {s, m}), epochsDone);
  asInt(get("finished", {s, m}), finished);
  asInt(get("best_epoch", {s, m}), bestEpoch);
  asDouble(get("best_val_loss", {s, m}), bestVal);
  asDouble(get("test_loss", {s, m}), testLoss);
  asDouble(get("test_dysmetria", {s, m}), testDysmetria);
  asDouble(get("train_seconds", {s, m}), trainSeconds);
  if (C)
    asDouble(get("trajectories", {s, m, C, Lt, 2}), trajectories);
  previousSeconds = get("training_seconds", {}).data[0];
  // "current" is [n, 2] with each pair's state under "pair<i>/"; runs
  // saved before pairs trained in parallel have one pair, [2], unprefixed.
  if (auto it = a.find("current"); it != a.end()) {
    const npz::Array &cur = it->second;
    const bool single = cur.shape == std::vector<int64_t>{2};
    if (!single && (cur.shape.size() != 2 || cur.shape[1] != 2))
      throw InputError("--resume: " + file + ": array 'current' has shape " +
                       shapeString(cur.shape) + ", expected [n, 2]");
    for (size_t i = 0; i < cur.data.size() / 2; ++i) {
      const std::string prefix =
          single ? "" : "pair" + std::to_string(i) + "/";
      auto p = std::make_unique<PairRun>();
      p->s = size_t(cur.data[2 * i]);
      p->m = size_t(cur.data[2 * i + 1]);
      if (p->s >= S || p->m >= M)
        throw InputError("--resume: " + file + ": 'current' out of range");
      const ccrnn_trainer_desc &d = *models[p->m].api->desc;
      p->optim = std::make_unique<Optimizer>(cfg.optim, cfg.lr, sizes(d));
      p->optim->setSteps(int64_t(get(prefix + "optim_steps", {}).data[0]));
      p->optim->setLr(get(prefix + "optim_lr", {}).data[0]);
      p->fibreMask = makeFibreMask(p->s, p->m);
      readFeedback(*p);
      p->plateau = makePlateau();
      p->plateau->setState(
          get(prefix + "plateau_best", {}).data[0],
          int64_t(get(prefix + "plateau_bad_epochs", {}).data[0]));
      p->params.assign(d.num_params, {});
      p->best.assign(d.num_params, {});
      for (int32_t j = 0; j < d.num_params; ++j) {
        std::string name = d.params[j].name;
        auto shape = paramShape(d.params[j]);
        asFloat(get(prefix + "param/" + name, shape), p->params[j]);
        asFloat(get(prefix + "best/" + name, shape), p->best[j]);
        for (size_t o = 0; o < p->optim->slotNames().size(); ++o)
          asFloat(get(prefix + "optim/" + p->optim->slotNames()[o] + "/" +
                          name,
                      shape),
                  p->optim->slot(o)[j]);
      }
      const size_t k = pair(p->s, p->m);
      snapshots[k] = snapshot(*p);
      resumed[k] = std::move(p);
    }
  }
  try {
    json meta = json::parse(readWholeFile(path("meta.json")));
    startedAt = meta.value("timestamp", startedAt);
  } catch (const std::exception &) {
    // The start time is cosmetic; readSavedRun has checked meta.json.
  }
}

RunStatus Experiment::run(const RunHooks &hooks) {
  Impl &r = *impl;
  r.sessionStart = std::chrono::steady_clock::now();
  r.checkMemory();
  r.createDirectory();
  std::error_code ec;
  r.status = "running";
  r.save();
  try {
    if (!r.trainAll(hooks)) {
      r.status = "interrupted";
      r.save();
      r.plot(hooks);
      return RunStatus::Interrupted;
    }
  } catch (const DivergedError &e) {
    // Completed epochs and finished models stay. Resuming would only
    // diverge again: no resume.npz.
    r.status = "diverged";
    r.error = e.what();
    r.writeScores();
    r.writeMeta();
    fs::remove(r.path("resume.npz"), ec);
    r.plot(hooks);
    throw;
  }
  r.status = "complete";
  r.save();
  r.plot(hooks);
  // Nothing left to resume.
  fs::remove(r.path("resume.npz"), ec);
  return RunStatus::Complete;
}

std::vector<ModelSummary> Experiment::summary() const {
  return impl->summarize();
}

//===----------------------------------------------------------------------===//
// --resume
//===----------------------------------------------------------------------===//

SavedRun readSavedRun(const std::string &dir) {
  const std::string metaFile = (fs::path(dir) / "meta.json").string();
  if (!fs::is_directory(dir))
    throw InputError("--resume " + dir + ": no such directory");
  std::string text;
  try {
    text = readWholeFile(metaFile);
  } catch (const std::exception &) {
    throw InputError("--resume " + dir +
                     ": no meta.json (not a ccrnn-train run directory)");
  }
  SavedRun saved;
  try {
    json j = json::parse(text);
    if (j.at("format") != "ccrnn-train run" ||
        j.at("format_version").get<int>() != kFormatVersion)
      throw InputError("--resume " + dir +
                       ": meta.json is not from this version of ccrnn-train");
    std::string status = j.at("status");
    if (status == "complete")
      throw InputError("--resume " + dir +
                       ": the run is complete; nothing to resume");
    if (status == "diverged")
      throw InputError("--resume " + dir + ": the run diverged (" +
                       j.value("error", std::string("no message")) +
                       "); resuming would repeat it");
    saved.config = readConfig(j);
    for (const json &m : j.at("models")) {
      ModelEntry e;
      e.name = m.at("name");
      e.file = m.at("file");
      e.configure = m.at("configure");
      e.options = m.at("options");
      saved.models.push_back(e);
    }
    saved.commandLine = j.value("command_line", std::vector<std::string>{});
  } catch (const InputError &) {
    throw;
  } catch (const std::exception &e) {
    throw InputError("--resume " + dir + ": meta.json: " + e.what());
  }
  if (!fs::exists(fs::path(dir) / "resume.npz"))
    throw InputError("--resume " + dir + ": no resume.npz");
  validateConfig(saved.config);
  return saved;
}

//===----------------------------------------------------------------------===//
// --dump-step
//===----------------------------------------------------------------------===//

BatchFile readBatchFile(const std::string &path) {
  npz::Archive a;
  try {
    a = npz::readNpz(path);
  } catch (const npz::Error &e) {
    throw InputError(std::string("--batch: ") + e.what());
  }
  BatchFile b;
  if (!a.count("inputs"))
    throw InputError("--batch " + path +
                     ": no array 'inputs' ([batch, steps, inputs] float32)");
  if (!a.count("targets"))
    throw InputError("--batch " + path +
                     ": no array 'targets' ([batch, steps, outputs] float32 "
                     "or [batch] int64)");
  b.inputs = a.at("inputs");
  b.targets = a.at("targets");
  if (b.inputs.shape.size() != 3)
    throw InputError("--batch " + path + ": array 'inputs' has shape " +
                     shapeString(b.inputs.shape) +
                     "; expected [batch, steps, inputs]");
  return b;
}

npz::Archive dumpStep(const ccrnn_trainer_api *api, const Tensors &params,
                      const BatchFile &batch, const std::string &batchPath) {
  const ccrnn_trainer_desc &d = *api->desc;
  std::vector<int64_t> inShape = {d.batch, d.steps, d.input_size};
  std::vector<int64_t> tShape =
      d.classify       ? std::vector<int64_t>{d.batch}
      : d.predict_last ? std::vector<int64_t>{d.batch, d.output_size}
                       : std::vector<int64_t>{d.batch, d.steps, d.output_size};
  auto check = [&](const char *name, const npz::Array &a,
                   const std::vector<int64_t> &shape) {
    if (a.shape != shape)
      throw InputError("--batch " + batchPath + ": array '" + name +
                       "' has shape " + shapeString(a.shape) + ", but model " +
                       d.model + " needs " + shapeString(shape));
  };
  check("inputs", batch.inputs, inShape);
  check("targets", batch.targets, tShape);
  bool intTargets = batch.targets.dtype == npz::DType::I64 ||
                    batch.targets.dtype == npz::DType::I32 ||
                    batch.targets.dtype == npz::DType::U8;
  if (bool(d.classify) != intTargets)
    throw InputError("--batch " + batchPath + ": array 'targets' must be " +
                     (d.classify ? "int64 class indices" : "float32") +
                     " for model " + d.model);

  std::vector<float> inputs(batch.inputs.data.begin(), batch.inputs.data.end());
  std::vector<float> floatTargets;
  std::vector<int64_t> labels;
  const void *targets;
  if (d.classify) {
    for (double v : batch.targets.data) {
      if (v < 0 || v >= double(d.output_size))
        throw InputError("--batch " + batchPath + ": class index " + formatNumber(v) +
                         " out of range [0, " + std::to_string(d.output_size) +
                         ")");
      labels.push_back(int64_t(v));
    }
    targets = labels.data();
  } else {
    floatTargets.assign(batch.targets.data.begin(), batch.targets.data.end());
    targets = floatTargets.data();
  }

  TrainerInstance trainer(api);
  Tensors grads = params;
  std::vector<const float *> p;
  std::vector<float *> g;
  for (size_t i = 0; i < params.size(); ++i) {
    p.push_back(params[i].data());
    g.push_back(grads[i].data());
  }
  float loss = trainer.train(p.data(), inputs.data(), targets, g.data());
  npz::Archive out = parametersArchive(d, grads);
  out["loss"] = f64Array({}, {double(loss)});
  out["grad_norm"] = f64Array({}, {globalNorm(grads)});
  return out;
}

} // namespace ccrnn::driver
