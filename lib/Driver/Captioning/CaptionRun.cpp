//===- CaptionRun.cpp - A captioning run: seeds x models x epochs -*- C++ -*-===//

#include "ccrnn/Driver/Captioning/CaptionRun.h"

#include "../Arrays.h"
#include "../Scheduler.h"
#include "../System.h"
#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Plots.h"
#include "ccrnn/Driver/RunResults.h"
#include "ccrnn/Driver/RunStore.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>

namespace ccrnn::driver::captioning {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = RunResults::kNaN;

std::vector<std::string> metricNames() {
  return {"train_loss", "val_loss",  "val_bleu1",
          "val_bleu2",  "val_bleu3", "val_bleu4"};
}

} // namespace

std::vector<CaptionModel> planCaptionModels(TrainerSession &session,
                                            const std::vector<ModelRef> &refs,
                                            const TrainConfig &cfg,
                                            const CaptionCorpus &corpus) {
  requireDevice(cfg.device);
  const bool cuda = cfg.device == "cuda";
  const int64_t V = corpus.vocab->size(), D = corpus.featureWidth();
  const std::set<WindowShape> shapes =
      windowShapes(corpus.minLength, corpus.maxLength, cfg.bptt);
  // The decoder is the first window of the longest captions.
  const WindowShape decoderShape{true,
                                 std::min(cfg.bptt, corpus.maxLength)};
  std::vector<CaptionModel> models;
  for (const ModelRef &ref : refs) {
    const ModelFacts &facts = session.facts(ref);
    if (!facts.readsTokens)
      throw InputError("--model " + ref.name +
                       ": the captioning task needs a model of tokens "
                       "(e.g. caption_lstm, caption_dni_lstm); " + ref.file +
                       " reads sequences of vectors");
    CaptionModel m;
    m.name = ref.name;
    m.file = ref.file;
    m.hasCerebellum = facts.hasCerebellum;
    m.dropout = facts.dropout;
    for (const WindowShape &shape : shapes) {
      TrainerOptions o =
          trainerPrograms(cfg, cfg.batchSize, shape.second, facts.hasCerebellum)
              .main;
      o.bptt = shape.second;
      o.interval = 1;
      o.predictLast = false;
      o.record = false;
      o.sizes.vocab = V;
      o.sizes.vectorInputs = D;
      o.firstWindow = shape.first;
      if (shape == decoderShape)
        o.decode = cfg.captioning.decodeSteps;
      const LoadedTrainer &t = session.trainer({ref, o, cuda});
      m.windows[shape] = t.api;
      m.trainerIds[shape] = t.id;
      m.options[shape] = o.trainingString();
      m.configure = o.sizes.toString();
      if (shape == decoderShape)
        m.decoder = t.api;
    }
    // Every trainer fits the data and the others' parameters.
    const ccrnn_trainer_desc &d0 = m.desc();
    for (const auto &[shape, api] : m.windows) {
      const ccrnn_trainer_desc &d = *api->desc;
      if (d.abi_version != CCRNN_TRAINER_ABI_VERSION)
        throw InputError("model " + m.name + ": trainer ABI version " +
                         std::to_string(d.abi_version) + ", expected " +
                         std::to_string(CCRNN_TRAINER_ABI_VERSION));
      if (d.vocab != V || d.vector_size != (shape.first ? D : d.vector_size) ||
          d.batch != cfg.batchSize || d.steps != shape.second ||
          d.num_params != d0.num_params || d.state_size != d0.state_size)
        throw InputError(
            "model " + m.name + ": its trainer (" + m.options[shape] +
            ") has vocabulary " + std::to_string(d.vocab) +
            ", vector input " + std::to_string(d.vector_size) + ", batch " +
            std::to_string(d.batch) + ", " + std::to_string(d.steps) +
            " steps; the run needs vocabulary " + std::to_string(V) +
            ", image features " + std::to_string(D) + ", batch " +
            std::to_string(cfg.batchSize));
      if (!api->eval_window || !api->train)
        throw InputError("model " + m.name + ": its trainer (" +
                         m.options[shape] + ") has no window evaluation");
    }
    if (!m.decoder->decode || d0.statistics_size % 2)
      throw InputError("model " + m.name + ": its decoder trainer has no "
                       "decode function");
    if (m.decoder->desc->decode_steps != cfg.captioning.decodeSteps)
      throw InputError("model " + m.name + ": its decoder trainer decodes " +
                       std::to_string(m.decoder->desc->decode_steps) +
                       " steps; the run needs " +
                       std::to_string(cfg.captioning.decodeSteps));
    models.push_back(std::move(m));
  }
  return models;
}

npz::Archive captionCheckpoint(const ccrnn_trainer_desc &d,
                               const Tensors &params,
                               const std::vector<float> &statistics,
                               int64_t batchesTracked) {
  npz::Archive a;
  for (const auto &[name, array] : parametersArchive(d, params))
    a[name.rfind("encoder.", 0) == 0 ? name : "decoder." + name] = array;
  const int64_t F = int64_t(statistics.size()) / 2;
  if (F > 0) {
    a["encoder.bn.running_mean"] =
        f32Array({F}, std::vector<float>(statistics.begin(),
                                         statistics.begin() + F));
    a["encoder.bn.running_var"] = f32Array(
        {F}, std::vector<float>(statistics.begin() + F, statistics.end()));
    a["encoder.bn.num_batches_tracked"] = i64Array({}, {batchesTracked});
  }
  return a;
}

/// What a pair reached: the validation scores of its best checkpoint.
struct PairOutcome {
  bool finished = false;
  std::vector<double> bitsAt;
  BleuScores bleu;
  std::array<BucketBleu, 3> byLength;
  /// The same checkpoint with the validation images shuffled
  /// (shuffledImages): how much of the score is the image's.
  double shuffledBits = kNaN;
  BleuScores shuffledBleu;
};

struct CaptionRun::Impl {
  const TrainConfig cfg;
  const std::vector<CaptionModel> models;
  const std::shared_ptr<const CaptionCorpus> corpus;
  const RunStore store;
  const std::vector<std::string> commandLine;
  const size_t S, M;
  const int64_t E;
  const CaptionLoop loop;
  std::mutex mutex;
  RunResults results;
  std::vector<PairOutcome> outcomes;
  std::string status = "running", error, startedAt;
  Clock::time_point start = Clock::now();

  Impl(TrainConfig c, std::vector<CaptionModel> m,
       std::shared_ptr<const CaptionCorpus> corp, std::string dir,
       std::vector<std::string> cl)
      : cfg(std::move(c)), models(std::move(m)), corpus(std::move(corp)),
        store(std::move(dir)), commandLine(std::move(cl)),
        S(cfg.seeds.size()), M(models.size()), E(cfg.epochs),
        loop(cfg, *corpus), results(S, M, E, metricNames(), 0, 1),
        outcomes(S * M), startedAt(isoTime(std::time(nullptr))) {}

  std::string examplesName(uint64_t seed, const std::string &model) const {
    return "seed" + std::to_string(seed) + "_" + fileSafe(model) +
           "_examples.txt";
  }

  /// Trains pair k to its end; false when stopped after an epoch.
  bool trainPair(size_t k, const RunHooks &hooks,
                 const std::atomic<bool> &abort) {
    const size_t s = k / M, mi = k % M;
    const uint64_t seed = cfg.seeds[s];
    const CaptionModel &model = models[mi];
    TrainerInstances instances;
    CaptionState state = loop.start(model, seed);
    Tensors best = state.params;
    std::vector<float> bestStats = state.statistics;
    int64_t bestTracked = 0;
    PairOutcome outcome;
    for (int64_t e = 1; e <= E; ++e) {
      const auto t0 = Clock::now();
      const double trainBits = loop.trainEpoch(
          instances, model, state, seed, e, [&](int64_t b, int64_t n) {
            if (!hooks.onBatch)
              return;
            std::lock_guard<std::mutex> lock(mutex);
            hooks.onBatch({s, mi, S, M, model.name, e, E, b, n,
                           results.totalEpochsDone(), int64_t(S * M) * E});
          });
      const double trainSeconds = secondsSince(t0);
      const TeacherForced val = loop.evaluate(
          instances, model, state.params, state.statistics, corpus->val);
      DecodeScores dec = loop.decode(instances, model, state.params,
                                     state.statistics, corpus->val);
      const double seconds = secondsSince(t0);
      const double valBits = val.bits();
      const bool improved = results.bestEpoch[k] == 0 ||
                            std::isnan(results.bestVal[k]) ||
                            valBits < results.bestVal[k];
      if (improved) {
        best = state.params;
        bestStats = state.statistics;
        bestTracked = state.batchesTracked;
        outcome.bitsAt = val.bitsAt();
        outcome.bleu = dec.bleu;
        outcome.byLength = dec.byLength;
        store.writeFile(examplesName(seed, model.name),
                        examplesText(corpus->val, dec.hypotheses,
                                     cfg.captioning.examples));
      }
      std::lock_guard<std::mutex> lock(mutex);
      const double scores[] = {trainBits,        valBits,
                               dec.bleu.bleu[0], dec.bleu.bleu[1],
                               dec.bleu.bleu[2], dec.bleu.bleu[3]};
      for (size_t i = 0; i < 6; ++i)
        results.score(k, i, e - 1) = scores[i];
      const size_t ke = k * E + e - 1;
      results.epochSeconds[ke] = seconds;
      results.computeSeconds[ke] = trainSeconds;
      results.dataSeconds[ke] = 0;
      results.epochLr[ke] = cfg.lr;
      results.trainSeconds[k] += seconds;
      results.epochsDone[k] = e;
      if (improved) {
        results.bestVal[k] = valBits;
        results.bestEpoch[k] = e;
      }
      if (hooks.onEpoch) {
        EpochReport r{s, mi, S, M, seed, model.name, e, E, trainBits,
                      valBits, seconds, results.totalEpochsDone(),
                      int64_t(S * M) * E};
        for (size_t i = 2; i < 6; ++i)
          r.moreScores.emplace_back(results.metrics[i], scores[i]);
        r.bestEpoch = results.bestEpoch[k];
        hooks.onEpoch(r);
      }
      save();
      if (e < E && ((hooks.stop && hooks.stop->load()) || abort.load()))
        return false;
    }
    {
      const CaptionSplit shuffled = shuffledImages(corpus->val, seed);
      outcome.shuffledBits =
          loop.evaluate(instances, model, best, bestStats, shuffled).bits();
      outcome.shuffledBleu =
          loop.decode(instances, model, best, bestStats, shuffled).bleu;
    }
    const ccrnn_trainer_desc &d = model.desc();
    store.writeCheckpoint(seed, model.name, "final",
                          captionCheckpoint(d, state.params, state.statistics,
                                            state.batchesTracked));
    store.writeCheckpoint(seed, model.name, "best",
                          captionCheckpoint(d, best, bestStats, bestTracked));
    std::lock_guard<std::mutex> lock(mutex);
    outcome.finished = true;
    outcomes[k] = std::move(outcome);
    results.finished[k] = 1;
    results.testLoss[k] = results.bestVal[k];
    save();
    return true;
  }

  std::vector<CaptionSummary> summarize() const {
    std::vector<CaptionSummary> out;
    for (size_t m = 0; m < M; ++m) {
      std::vector<double> bits;
      std::array<std::vector<double>, kBleuOrders> bleu;
      std::array<std::vector<double>, 3> buckets;
      std::vector<double> shuffledBits, shuffledBleu4;
      for (size_t s = 0; s < S; ++s) {
        const size_t k = results.pair(s, m);
        if (!outcomes[k].finished)
          continue;
        bits.push_back(results.bestVal[k]);
        for (int n = 0; n < kBleuOrders; ++n)
          bleu[n].push_back(outcomes[k].bleu.bleu[n]);
        for (int b = 0; b < 3; ++b)
          buckets[b].push_back(outcomes[k].byLength[b].scores.bleu[3]);
        shuffledBits.push_back(outcomes[k].shuffledBits);
        shuffledBleu4.push_back(outcomes[k].shuffledBleu.bleu[3]);
      }
      CaptionSummary c;
      c.model = models[m].name;
      c.seeds = int64_t(bits.size());
      c.bitsMean = mean(bits);
      c.bitsSem = sem(bits);
      for (int n = 0; n < kBleuOrders; ++n) {
        c.bleuMean[n] = mean(bleu[n]);
        c.bleuSem[n] = sem(bleu[n]);
      }
      for (int b = 0; b < 3; ++b) {
        c.bucketBleu4Mean[b] = mean(buckets[b]);
        c.bucketBleu4Sem[b] = sem(buckets[b]);
      }
      c.shuffledBitsMean = mean(shuffledBits);
      c.shuffledBitsSem = sem(shuffledBits);
      c.shuffledBleu4Mean = mean(shuffledBleu4);
      c.shuffledBleu4Sem = sem(shuffledBleu4);
      out.push_back(c);
    }
    return out;
  }

  static Json bleuJson(const BleuScores &b) {
    Json j;
    for (int n = 0; n < kBleuOrders; ++n)
      j["bleu" + std::to_string(n + 1)] = b.bleu[n];
    j["brevity_penalty"] = b.brevityPenalty;
    j["hypothesis_length"] = b.hypothesisLength;
    j["reference_length"] = b.referenceLength;
    return j;
  }

  static Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

  Json meta() const {
    Json j;
    j["format"] = "ccrnn-captioning-run";
    j["status"] = status;
    if (!error.empty())
      j["error"] = error;
    writeConfig(cfg, j);
    const CaptionCorpus &c = *corpus;
    j["data"] = {{"source", c.source},
                 {"bundled", c.bundled},
                 {"vocabulary", c.vocab->size()},
                 {"feature_width", c.featureWidth()},
                 {"min_length", c.minLength},
                 {"max_length", c.maxLength},
                 {"train_images", c.train.images.count},
                 {"train_captions", c.train.allCaptions},
                 {"train_captions_kept", c.train.captions.size()},
                 {"val_images", c.val.images.count},
                 {"val_captions", c.val.allCaptions},
                 {"val_captions_kept", c.val.captions.size()},
                 {"length_buckets",
                  {{"short", {nullptr, c.buckets.shortMax}},
                   {"medium", {c.buckets.shortMax + 1, c.buckets.mediumMax}},
                   {"long", {c.buckets.mediumMax + 1, nullptr}}}},
                 {"vocabulary_file", "vocabulary.txt"}};
    j["training"]["loop"] =
        "captioning: an optimizer step after every window (CaptionLoop.h)";
    j["training"]["optimizer_hyperparameters"] = {
        {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}};
    Json ms = Json::array();
    for (const CaptionModel &m : models) {
      Json tr = Json::array();
      for (const auto &[shape, api] : m.windows)
        tr.push_back({{"options", m.options.at(shape)},
                      {"trainer", m.trainerIds.at(shape)}});
      ms.push_back({{"name", m.name},
                    {"file", m.file},
                    {"configure", m.configure},
                    {"has_cerebellum", m.hasCerebellum},
                    {"dropout", m.dropout},
                    {"trainers", tr}});
    }
    j["models"] = ms;
    j["metrics"] = results.metrics;
    j["metric_units"] = "train_loss, val_loss: bits per word "
                        "(cross-entropy / ln 2, weighted by words); "
                        "val_bleu<n>: corpus BLEU-n of greedy decoding";
    Json rs = Json::array();
    for (size_t s = 0; s < S; ++s)
      for (size_t m = 0; m < M; ++m) {
        const size_t k = results.pair(s, m);
        const PairOutcome &o = outcomes[k];
        Json r = {{"seed", cfg.seeds[s]},
                  {"model", models[m].name},
                  {"epochs_completed", results.epochsDone[k]},
                  {"finished", bool(results.finished[k])},
                  {"best_epoch", results.bestEpoch[k]},
                  {"best_val_bits_per_word", number(results.bestVal[k])},
                  {"final_val_bits_per_word", number(results.finalValLoss(k))},
                  {"train_seconds", results.trainSeconds[k]}};
        if (o.finished) {
          Json at = Json::array();
          for (double b : o.bitsAt)
            at.push_back(number(b));
          r["val_bits_per_word_by_position"] = at;
          r["val_bleu"] = bleuJson(o.bleu);
          Json by = Json::array();
          for (const BucketBleu &b : o.byLength) {
            Json x = bleuJson(b.scores);
            for (auto &[key, v] : x.items())
              if (v.is_number_float() && !std::isfinite(v.get<double>()))
                v = nullptr;
            x["bucket"] = b.name;
            x["images"] = b.count;
            by.push_back(x);
          }
          r["val_bleu_by_length"] = by;
          r["val_shuffled_images"] = {
              {"bits_per_word", number(o.shuffledBits)},
              {"bleu", bleuJson(o.shuffledBleu)}};
          r["checkpoints"] = {
              {"final", RunStore::checkpointName(cfg.seeds[s],
                                                 models[m].name, "final")},
              {"best", RunStore::checkpointName(cfg.seeds[s], models[m].name,
                                                "best")}};
          r["examples"] = examplesName(cfg.seeds[s], models[m].name);
        }
        rs.push_back(r);
      }
    j["results"] = rs;
    Json sum = Json::array();
    for (const CaptionSummary &c : summarize()) {
      Json x = {{"model", c.model},
                {"seeds", c.seeds},
                {"best_val_bits_per_word", {number(c.bitsMean), number(c.bitsSem)}}};
      for (int n = 0; n < kBleuOrders; ++n)
        x["val_bleu" + std::to_string(n + 1)] = {number(c.bleuMean[n]),
                                                 number(c.bleuSem[n])};
      const char *names[] = {"short", "medium", "long"};
      for (int b = 0; b < 3; ++b)
        x[std::string("val_bleu4_") + names[b]] = {
            number(c.bucketBleu4Mean[b]), number(c.bucketBleu4Sem[b])};
      x["val_bits_per_word_shuffled_images"] = {number(c.shuffledBitsMean),
                                                number(c.shuffledBitsSem)};
      x["val_bleu4_shuffled_images"] = {number(c.shuffledBleu4Mean),
                                        number(c.shuffledBleu4Sem)};
      sum.push_back(x);
    }
    j["summary"] = sum;
    j["summary_format"] = "[mean, SEM] over the seeds that finished";
    j["training_seconds"] = secondsSince(start);
    j["timestamp"] = startedAt;
    j["updated"] = isoTime(std::time(nullptr));
    j["versions"] = {{"ccrnn", CCRNN_VERSION},
                     {"trainer_abi", CCRNN_TRAINER_ABI_VERSION}};
    j["rng"] = "std::mt19937_64 per stream, seeded with SplitMix64(seed, "
               "stream name, index): init/<parameter>, synthesizer.fibres, "
               "captioning.batches (index = epoch: the batch order), "
               "captioning.dropout (index = epoch: the masks, window after "
               "window); the bundled scenes: captioning.<split>.scene and "
               ".captions of data seed 0";
    j["command_line"] = commandLine;
    return j;
  }

  /// Writes scores.npy and meta.json (the caller holds `mutex`).
  void save() const {
    store.writeScores(results);
    store.writeMeta(meta());
  }

  std::vector<std::string> plot(const std::string &gnuplot) const {
    if (gnuplot.empty() || results.totalEpochsDone() == 0)
      return {};
    std::vector<std::vector<Curve>> curves(results.metrics.size());
    std::vector<std::string> names;
    for (const CaptionModel &m : models)
      names.push_back(m.name);
    for (size_t i = 0; i < results.metrics.size(); ++i)
      for (size_t m = 0; m < M; ++m) {
        Curve c;
        for (int64_t e = 0; e < E; ++e) {
          std::vector<double> v;
          for (size_t s = 0; s < S; ++s)
            if (results.epochsDone[results.pair(s, m)] > e)
              v.push_back(results.score(results.pair(s, m), i, e));
          c.mean.push_back(mean(v));
          c.sem.push_back(sem(v));
        }
        curves[i].push_back(std::move(c));
      }
    std::string w = plotCurves(gnuplot, store.path("curves.png"),
                               results.metrics, names, curves);
    return w.empty() ? std::vector<std::string>{}
                     : std::vector<std::string>{w};
  }
};

CaptionRun::CaptionRun(TrainConfig config, std::vector<CaptionModel> models,
                       std::shared_ptr<const CaptionCorpus> corpus,
                       std::string dir, std::vector<std::string> commandLine)
    : impl(std::make_unique<Impl>(std::move(config), std::move(models),
                                  std::move(corpus), std::move(dir),
                                  std::move(commandLine))) {}

CaptionRun::~CaptionRun() = default;

RunStatus CaptionRun::run(const RunHooks &hooks) {
  Impl &r = *impl;
  r.store.createDirectory();
  {
    std::string words;
    for (int64_t i = 0; i < r.corpus->vocab->size(); ++i)
      words += r.corpus->vocab->word(i) + "\n";
    r.store.writeFile("vocabulary.txt", words);
  }
  r.save();
  std::vector<std::vector<size_t>> items;
  for (size_t k = 0; k < r.S * r.M; ++k)
    items.push_back({k});
  bool complete;
  try {
    complete = runWorkItems(
        items, parallelJobs(r.cfg), r.cfg.threads, hooks.stop,
        [&](Worker &, const std::vector<size_t> &item,
            const std::atomic<bool> &abort) {
          return r.trainPair(item[0], hooks, abort);
        });
  } catch (const DivergedError &e) {
    std::lock_guard<std::mutex> lock(r.mutex);
    r.status = "diverged";
    r.error = e.what();
    r.save();
    throw;
  }
  for (const std::string &w : r.plot(hooks.gnuplot))
    if (hooks.onWarning)
      hooks.onWarning(w);
  r.status = complete ? "complete" : "interrupted";
  r.save();
  return complete ? RunStatus::Complete : RunStatus::Interrupted;
}

std::vector<CaptionSummary> CaptionRun::summary() const {
  return impl->summarize();
}

std::string CaptionRun::summaryTable() const {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "%-20s %5s %16s %16s %16s %16s %16s %16s %16s\n", "model",
                "seeds", "val bits/word", "BLEU-4", "BLEU-4 short",
                "BLEU-4 medium", "BLEU-4 long", "shuffled: bits", "BLEU-4");
  out += line;
  auto pm = [](double m, double s) {
    char b[64];
    std::snprintf(b, sizeof b, "%.4f ± %.4f", m, s);
    return std::string(b);
  };
  for (const CaptionSummary &c : summary()) {
    std::snprintf(line, sizeof line,
                  "%-20s %5lld %16s %16s %16s %16s %16s %16s %16s\n",
                  c.model.c_str(), (long long)c.seeds,
                  pm(c.bitsMean, c.bitsSem).c_str(),
                  pm(c.bleuMean[3], c.bleuSem[3]).c_str(),
                  pm(c.bucketBleu4Mean[0], c.bucketBleu4Sem[0]).c_str(),
                  pm(c.bucketBleu4Mean[1], c.bucketBleu4Sem[1]).c_str(),
                  pm(c.bucketBleu4Mean[2], c.bucketBleu4Sem[2]).c_str(),
                  pm(c.shuffledBitsMean, c.shuffledBitsSem).c_str(),
                  pm(c.shuffledBleu4Mean, c.shuffledBleu4Sem).c_str());
    out += line;
  }
  return out;
}

} // namespace ccrnn::driver::captioning
