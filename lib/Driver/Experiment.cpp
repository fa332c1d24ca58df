//===- Experiment.cpp - Training runs: seeds x models x epochs --*- C++ -*-===//
//
// The glue of a run: the scheduler's work items go through the training
// loop epoch by epoch; what an epoch measured goes into the results, what a
// pair reached into the store. The parts: Task (the data and its scores),
// TrainingLoop, Scheduler, RunResults, RunStore and RunMeta (the files),
// RunPlots.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Experiment.h"

#include "PairRun.h"
#include "RunMeta.h"
#include "RunPlots.h"
#include "Scheduler.h"
#include "System.h"
#include "TrainingLoop.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Task.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <mutex>
#include <set>

namespace ccrnn::driver {

namespace {

using Clock = std::chrono::steady_clock;

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

std::vector<std::string> namesOf(const std::vector<ScoreMetric> &metrics) {
  std::vector<std::string> names;
  for (const ScoreMetric &k : metrics)
    names.push_back(k.name);
  return names;
}

int64_t trajectoryPoints(const Task &task) {
  return task.classTargets().empty()
             ? 1
             : int64_t(task.classTargets()[0].size()) / 2;
}

} // namespace

struct Experiment::Impl {
  const TrainConfig cfg;
  const std::vector<ModelEntry> models;
  const RunStore store;
  const std::vector<std::string> commandLine;
  /// Reads the task's data files: a missing or bad file is an input error
  /// before anything is written.
  const std::unique_ptr<Task> task;
  const std::vector<ScoreMetric> scoreDefs;
  const size_t S, M;
  const int64_t E;
  const TrainingLoop loop;
  npz::Archive init;

  /// Guards everything the workers share: the results, the snapshots,
  /// the files and the hooks.
  std::mutex mutex;
  RunResults results;
  /// The resume entries of each pair in training as of its last finished
  /// epoch (by pair index), so that a save by one worker never reads
  /// another's state mid-epoch.
  std::map<size_t, npz::Archive> snapshots;
  /// Pairs read from resume.npz, for the workers that take them up.
  std::map<size_t, std::unique_ptr<PairRun>> resumed;
  /// The sizes of the last data sets made (meta.json).
  std::array<int64_t, 3> lastSizes = {-1, -1, -1};

  std::string startedAt, status = "running", error;
  double previousSeconds = 0;
  Clock::time_point sessionStart, lastSave;

  Impl(TrainConfig c, std::vector<ModelEntry> m, std::string dir,
       std::vector<std::string> cl)
      : cfg(std::move(c)), models(std::move(m)), store(std::move(dir)),
        commandLine(std::move(cl)), task(makeTask(cfg)),
        scoreDefs(scoreMetrics(cfg, *task)), S(cfg.seeds.size()),
        M(models.size()), E(cfg.epochs), loop(cfg, *task, models),
        results(S, M, E, namesOf(scoreDefs),
                int64_t(task->classLabels().size()), trajectoryPoints(*task)),
        startedAt(isoTime(std::time(nullptr))), sessionStart(Clock::now()) {
    if (!cfg.initFile.empty())
      init = readInit(cfg.initFile);
  }

  double seconds() const { return previousSeconds + secondsSince(sessionStart); }

  std::vector<std::string> modelNames() const {
    std::vector<std::string> names;
    for (const ModelEntry &m : models)
      names.push_back(m.name);
    return names;
  }

  /// The pairs this run trains (all but in a shard, see ownsPair).
  bool owns(size_t k) const { return ownsPair(cfg, k, M); }
  int64_t epochsToTrain() const {
    int64_t pairs = 0;
    for (size_t k = 0; k < S * M; ++k)
      pairs += owns(k);
    return pairs * E;
  }

  std::vector<ModelSummary> summarize() const {
    return results.summarize(modelNames(), task->modelShape().classifies);
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
    return startPair(cfg, *models[k % M].api->desc, k / M, k % M, init);
  }

  /// Keeps the fixed data sets of the seeds of the pairs `ks` in w and
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

  void writeFeedback(const PairRun &pr) const {
    const ccrnn_trainer_desc &d = *models[pr.m].api->desc;
    store.writeFeedback(cfg.seeds[pr.s], models[pr.m].name, pr.feedback, d,
                        std::min(cfg.recordSamples, d.batch));
  }

  /// Writes the run's files (the caller holds `mutex` or runs alone).
  void save() {
    store.writeResume(results, seconds(), snapshots);
    if (cfg.shardCount > 1)
      store.writeShardResults(results, seconds(), lastSizes);
    store.writeScores(results);
    if (results.C && results.anyFinished())
      store.writeTrajectories(results, task->classLabels(),
                              task->classTargets(), modelNames());
    writeMeta();
    lastSave = Clock::now();
  }

  void writeMeta() const {
    store.writeMeta(runMeta({cfg, *task, models, results, summarize(),
                             lastSizes, status, error, seconds(), startedAt,
                             commandLine}));
  }

  // Test metrics, trajectories and checkpoints of a trained pair.
  void finishPair(Worker &w, PairRun &pr) {
    const size_t s = pr.s, m = pr.m, k = results.pair(s, m);
    const int64_t C = results.C;
    const Dataset &test = w.data.at(s).test;
    Evaluation ev = loop.evaluate(w, m, pr.params, test, /*keep=*/C > 0);
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
    store.writeCheckpoint(cfg.seeds[s], models[m].name, "final",
                          parametersArchive(d, pr.params));
    store.writeCheckpoint(cfg.seeds[s], models[m].name, "best",
                          parametersArchive(d, pr.best));
    writeFeedback(pr);

    std::lock_guard<std::mutex> lock(mutex);
    results.testLoss[k] = ev.loss;
    results.testAccuracy[k] = ev.accuracy;
    results.testDysmetria[k] = ev.behaviour();
    for (int64_t c = 0; c < C; ++c)
      for (int64_t j = 0; j < out; ++j)
        results.trajectories[(k * C + c) * out + j] =
            counts[c] ? sums[c * out + j] / double(counts[c])
                      : RunResults::kNaN;
    results.finished[k] = 1;
    snapshots.erase(k);
    save();
  }

  /// What ends a pair's epoch: its validation, scores, best parameters,
  /// schedule, snapshot and report; the stop request, and a save when one
  /// is due. `trainSeconds` is the epoch's training time (of this pair).
  enum class EpochEnd { Continue, StopEarly, Stopped };
  EpochEnd endEpoch(Worker &w, PairRun &pr, int64_t e, double lr,
                    double trainLoss, double trainSeconds,
                    const RunHooks &hooks, const std::atomic<bool> &abort) {
    const size_t s = pr.s, m = pr.m, k = results.pair(s, m);
    auto t0 = Clock::now();
    Evaluation valEval =
        loop.evaluate(w, m, pr.params, w.data.at(s).val, false);
    const double valLoss = valEval.loss;
    const double dt = trainSeconds + secondsSince(t0);
    const EpochOutcome outcome{trainLoss, valEval, pr.epochCosineSynthetic,
                               pr.epochCosineTarget};
    // Only this worker writes pair k's entries: it reads them unlocked.
    // A NaN validation loss (not possible to rank) is best only until a
    // number comes.
    const bool improved = results.bestEpoch[k] == 0 ||
                          std::isnan(results.bestVal[k]) ||
                          valLoss < results.bestVal[k];
    if (improved)
      pr.best = pr.params;
    if (cfg.decayLr)
      pr.optim->setLr(pr.plateau->step(valLoss, lr));
    // Early stopping counts from the epoch of the best checkpoint: an
    // improvement is a strictly lower validation loss (ignite's
    // EarlyStopping with min_delta 0).
    const int64_t bestE = improved ? e : results.bestEpoch[k];
    const bool stopEarly =
        cfg.earlyStopping > 0 && e - bestE >= cfg.earlyStopping;
    npz::Archive snap = pairSnapshot(*models[m].api->desc, pr);

    std::lock_guard<std::mutex> lock(mutex);
    for (size_t i = 0; i < scoreDefs.size(); ++i)
      results.score(k, i, e - 1) = scoreDefs[i].value(outcome);
    const size_t ke = k * E + e - 1;
    results.epochSeconds[ke] = dt;
    results.dataSeconds[ke] = pr.epochDataSeconds;
    results.computeSeconds[ke] = dt - pr.epochDataSeconds;
    results.epochLr[ke] = lr;
    results.trainSeconds[k] += dt;
    results.epochsDone[k] = e;
    if (improved) {
      results.bestVal[k] = valLoss;
      results.bestEpoch[k] = e;
    }
    snapshots[k] = std::move(snap);
    if (hooks.onEpoch)
      hooks.onEpoch(epochReport(pr, e, valLoss, stopEarly));
    if (stopEarly)
      return EpochEnd::StopEarly;
    if ((hooks.stop && hooks.stop->load()) || abort.load()) {
      writeFeedback(pr);
      return EpochEnd::Stopped;
    }
    if (secondsSince(lastSave) >= hooks.saveEverySeconds) {
      writeFeedback(pr);
      save();
    }
    return EpochEnd::Continue;
  }

  EpochReport epochReport(const PairRun &pr, int64_t e, double valLoss,
                          bool stopEarly) const {
    const size_t s = pr.s, m = pr.m, k = results.pair(s, m);
    EpochReport r{s,
                  m,
                  S,
                  M,
                  cfg.seeds[s],
                  models[m].name,
                  e,
                  E,
                  results.score(k, 0, e - 1),
                  valLoss,
                  results.epochSeconds[k * E + e - 1],
                  results.totalEpochsDone(),
                  epochsToTrain()};
    for (size_t i = 2; i < results.metrics.size(); ++i)
      r.moreScores.emplace_back(results.metrics[i], results.score(k, i, e - 1));
    if (cfg.decayLr) {
      r.lr = results.epochLr[k * E + e - 1];
      r.nextLr = pr.optim->lr();
    }
    r.bestEpoch = results.bestEpoch[k];
    r.stoppedEarly = stopEarly;
    return r;
  }

  /// Trains the pairs `ks` (one, or seeds of one model at the same epoch,
  /// see TrainingLoop::trainEpoch) to the end: their last epoch, or an
  /// early stop. False when stopped after an epoch by hooks.stop or
  /// `abort` (another worker's failure).
  bool trainItem(Worker &w, const std::vector<size_t> &ks,
                 const RunHooks &hooks, const std::atomic<bool> &abort) {
    std::vector<std::unique_ptr<PairRun>> owned;
    std::vector<PairRun *> runs;
    for (size_t k : ks) {
      owned.push_back(takePair(k));
      runs.push_back(owned.back().get());
    }
    makeData(w, ks);
    const size_t first = ks[0], m = first % M;
    std::vector<PairRun *> training = runs;
    for (int64_t e = results.epochsDone[first] + 1;
         e <= E && !training.empty(); ++e) {
      auto t0 = Clock::now();
      std::vector<double> lrs;
      for (const PairRun *r : training)
        lrs.push_back(r->optim->lr());
      std::vector<double> trainLoss =
          loop.trainEpoch(w, training, e, [&](int64_t b, int64_t batches) {
            if (!hooks.onBatch)
              return;
            std::lock_guard<std::mutex> lock(mutex);
            hooks.onBatch({first / M, m, S, M, models[m].name, e, E, b,
                           batches, results.totalEpochsDone(),
                           epochsToTrain()});
          });
      const double seconds = secondsSince(t0) / double(training.size());
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

  void plot(const RunHooks &hooks) {
    for (const std::string &w :
         plotRun(hooks.gnuplot, store, results, modelNames(), *task))
      if (hooks.onWarning)
        hooks.onWarning(w);
  }

  void loadResume();
};

Experiment::Experiment(TrainConfig config, std::vector<ModelEntry> models,
                       std::string dir, std::vector<std::string> commandLine)
    : impl(std::make_unique<Impl>(std::move(config), std::move(models),
                                  std::move(dir), std::move(commandLine))) {}

Experiment::~Experiment() = default;

void Experiment::loadResume() { impl->loadResume(); }

void Experiment::Impl::loadResume() {
  ResumeFile file = store.readResume(results);
  auto get = [&](const std::string &name,
                 const std::vector<int64_t> &shape) -> const npz::Array & {
    return file.get(name, shape);
  };
  results.read(get);
  results.checkValues("--resume: " + file.file);
  previousSeconds = file.trainingSeconds;
  for (const ResumeFile::Pair &p : file.pairs) {
    if (results.finished[results.pair(p.s, p.m)])
      throw InputError("--resume: " + file.file + ": 'current' lists seed "
                       "index " + std::to_string(p.s) + ", model index " +
                       std::to_string(p.m) + ", which is finished");
    const ccrnn_trainer_desc &d = *models[p.m].api->desc;
    std::unique_ptr<PairRun> pr = restorePair(cfg, d, p.s, p.m, p.prefix, get);
    if (cfg.recordGrads)
      pr->feedback = store.readFeedback(cfg.seeds[p.s], models[p.m].name);
    const size_t k = results.pair(p.s, p.m);
    snapshots[k] = pairSnapshot(d, *pr);
    resumed[k] = std::move(pr);
  }
  if (std::string t = store.startedAt(); !t.empty())
    startedAt = t;
}

void Experiment::prepare() {
  Impl &r = *impl;
  r.store.createDirectory();
  r.status = "pending";
  r.save();
}

RunStatus Experiment::run(const RunHooks &hooks) {
  Impl &r = *impl;
  r.sessionStart = Clock::now();
  checkModelMemory(r.cfg, r.models);
  r.store.createDirectory();
  r.status = "running";
  r.save();
  try {
    const bool complete = runWorkItems(
        workItems(r.results, r.models, [&](size_t k) { return r.owns(k); }),
        parallelJobs(r.cfg), r.cfg.threads,
        hooks.stop,
        [&](Worker &w, const std::vector<size_t> &item,
            const std::atomic<bool> &abort) {
          return r.trainItem(w, item, hooks, abort);
        });
    if (!complete) {
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
    r.store.writeScores(r.results);
    r.writeMeta();
    r.store.removeResume();
    r.plot(hooks);
    throw;
  }
  // Everything saved and plotted before the status says complete: a run
  // killed while plotting is still "running" with its resume.npz, and
  // --resume finishes it (a complete run cannot be resumed).
  r.save();
  r.plot(hooks);
  r.status = "complete";
  r.writeMeta();
  // Nothing left to resume.
  r.store.removeResume();
  return RunStatus::Complete;
}

RunStatus Experiment::mergeShards(const std::vector<std::string> &shardDirs,
                                  const RunHooks &hooks) {
  Impl &r = *impl;
  r.store.createDirectory();
  RunSettings shard = r.cfg;
  shard.shardIndex = 0;
  shard.shardCount = int64_t(shardDirs.size());
  bool complete = true;
  for (const std::string &dir : shardDirs) {
    if (dir.empty()) { // --partial: a shard not given
      complete = false;
      ++shard.shardIndex;
      continue;
    }
    const RunStore from(dir);
    RunResults part(r.S, r.M, r.E, r.results.metrics, r.results.C,
                    r.results.Lt);
    const RunStore::ShardResults done = from.readShardResults(part);
    for (size_t k = 0; k < r.S * r.M; ++k) {
      if (!ownsPair(shard, k, r.M))
        continue;
      const uint64_t seed = r.cfg.seeds[k / r.M];
      const std::string &model = r.models[k % r.M].name;
      if (!part.finished[k]) {
        // A shard given with --partial: the pair stays untrained (NaN).
        complete = false;
        continue;
      }
      r.results.copyPair(part, k);
      // Its files, as the shard wrote them.
      std::vector<std::string> files = {
          RunStore::checkpointName(seed, model, "final"),
          RunStore::checkpointName(seed, model, "best")};
      if (r.cfg.recordGrads)
        files.push_back(RunStore::feedbackName(seed, model));
      for (const std::string &file : files) {
        std::string bytes;
        try {
          bytes = readWholeFile(from.path(file));
        } catch (const std::exception &e) {
          throw InputError(std::string("--merge: ") + e.what());
        }
        writeFileAtomic(r.store.path(file), bytes);
      }
    }
    r.previousSeconds += done.trainingSeconds;
    if (shard.shardIndex == 0)
      r.lastSizes = done.lastSizes;
    ++shard.shardIndex;
  }
  r.sessionStart = Clock::now();
  r.status = complete ? "complete" : "partial";
  r.save();
  r.plot(hooks);
  r.store.removeResume();
  return RunStatus::Complete;
}

std::vector<ModelSummary> Experiment::summary() const {
  return impl->summarize();
}

} // namespace ccrnn::driver
