//===- CaptionLoop.cpp - The captioning task's training loop ----*- C++ -*-===//

#include "ccrnn/Driver/Captioning/CaptionLoop.h"

#include "../System.h"
#include "ccrnn/Driver/Captioning/Batches.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Rng.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ccrnn::driver::captioning {

std::vector<CaptionWindow> captionWindows(int64_t length, int64_t bptt) {
  std::vector<CaptionWindow> windows;
  const int64_t first = std::min(bptt, length);
  windows.push_back({true, 0, first});
  for (int64_t s = first; s < length; s += bptt)
    windows.push_back({false, s, std::min(bptt, length - s)});
  return windows;
}

std::set<WindowShape> windowShapes(int64_t lo, int64_t hi, int64_t bptt) {
  std::set<WindowShape> shapes;
  for (int64_t T = lo; T <= hi; ++T)
    for (const CaptionWindow &w : captionWindows(T, bptt))
      shapes.insert({w.first, w.steps});
  return shapes;
}

void windowTokens(const CaptionWindow &w, const std::vector<int64_t> &ids,
                  int64_t *tokens, int64_t *targets) {
  // Step t reads w(t-1) (the image at t = 0) and predicts w(t).
  const int64_t from = w.first ? w.start : w.start - 1;
  for (int64_t j = 0; j < w.tokenSteps(); ++j)
    tokens[j] = ids[from + j];
  for (int64_t j = 0; j < w.steps; ++j)
    targets[j] = ids[w.start + j];
}

double bitsPerWord(double nats, int64_t words) {
  return words ? nats / std::log(2.0) / double(words)
               : std::numeric_limits<double>::quiet_NaN();
}

double crossEntropy(const float *scores, int64_t vocab, int64_t target) {
  double max = scores[0];
  for (int64_t v = 1; v < vocab; ++v)
    max = std::max(max, double(scores[v]));
  double sum = 0;
  for (int64_t v = 0; v < vocab; ++v)
    sum += std::exp(double(scores[v]) - max);
  return max + std::log(sum) - double(scores[target]);
}

std::vector<double> TeacherForced::bitsAt() const {
  std::vector<double> out;
  for (size_t t = 0; t < natsAt.size(); ++t)
    out.push_back(bitsPerWord(natsAt[t], wordsAt[t]));
  return out;
}

const ccrnn_trainer_api *CaptionModel::window(const CaptionWindow &w) const {
  auto it = windows.find({w.first, w.steps});
  if (it == windows.end())
    throw InputError("model " + name + ": no trainer for a " +
                     (w.first ? "first" : "later") + " window of " +
                     std::to_string(w.steps) + " steps");
  return it->second;
}

TrainerInstance &TrainerInstances::get(const ccrnn_trainer_api *api) {
  std::unique_ptr<TrainerInstance> &t = all[api];
  if (!t)
    t = std::make_unique<TrainerInstance>(api);
  return *t;
}

// PyTorch's Adam defaults (torch.optim.Adam), as the reference uses them.
constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;

CaptionState CaptionLoop::start(const CaptionModel &model,
                                uint64_t seed) const {
  const ccrnn_trainer_desc &d = model.desc();
  CaptionState s;
  s.params = initialParameters(d, seed, nullptr);
  s.fibreMask = fibreMask(d, seed, cfg.nfibres);
  if (!s.fibreMask.empty())
    applyFibreMask(d, s.fibreMask, s.params);
  const int64_t half = d.statistics_size / 2;
  s.statistics.assign(d.statistics_size, 0.0f);
  std::fill(s.statistics.begin() + half, s.statistics.end(), 1.0f);
  s.optim = std::make_unique<Optimizer>(cfg.optim, cfg.lr, parameterSizes(d));
  s.optim->setAdamHyperparameters(kBeta1, kBeta2, kEps);
  s.optim->countStepsPerParameter();
  s.seen.assign(s.params.size(), false);
  return s;
}

namespace {

/// The arrays of one window call, sized for the largest window.
struct WindowArrays {
  std::vector<int64_t> tokens, targets;
  std::vector<float> vectors, mask, state, next;
  std::vector<const float *> params;

  WindowArrays(const ccrnn_trainer_desc &d, int64_t B, int64_t maxSteps)
      : tokens(B * maxSteps), targets(B * maxSteps),
        vectors(B * d.vector_size), mask(B * maxSteps * d.dropout_features),
        state(d.state_size), next(d.state_size) {}

  /// Window w of the captions `rows` (indices into `captions`; B of them).
  void fill(const CaptionWindow &w, const std::vector<EncodedCaption> &captions,
            const std::vector<int64_t> &rows, const CaptionImages &images) {
    const int64_t B = int64_t(rows.size()), ts = w.tokenSteps();
    for (int64_t b = 0; b < B; ++b)
      windowTokens(w, captions[rows[b]].ids, tokens.data() + b * ts,
                   targets.data() + b * w.steps);
    if (!w.first)
      return;
    const int64_t D = images.width;
    for (int64_t b = 0; b < B; ++b) {
      const float *f = images.features.data() + captions[rows[b]].image * D;
      std::copy(f, f + D, vectors.begin() + b * D);
    }
  }
};

} // namespace

double CaptionLoop::trainEpoch(TrainerInstances &t, const CaptionModel &model,
                               CaptionState &s, uint64_t seed, int64_t epoch,
                               const BatchDone &onBatch) const {
  const ccrnn_trainer_desc &d = model.desc();
  const int64_t B = cfg.batchSize;
  BatchSchedule schedule;
  schedule.batchSize = B;
  schedule.minLength = corpus.minLength;
  schedule.maxLength = corpus.maxLength;
  schedule.balance = cfg.captioning.balance;
  Rng order(seed, "captioning.batches", uint64_t(epoch));
  const std::vector<CaptionBatch> batches =
      makeBatches(corpus.train.lengths(), schedule, order);
  Rng dropout(seed, "captioning.dropout", uint64_t(epoch));
  const double p = model.dropout;
  const float keep = p > 0 ? float(1.0 / (1.0 - p)) : 1.0f;
  WindowArrays a(d, B, cfg.bptt);
  const size_t P = s.params.size();
  Tensors grads(P);
  std::vector<float *> g(P);
  for (size_t i = 0; i < P; ++i) {
    grads[i].resize(s.params[i].size());
    g[i] = grads[i].data();
  }
  a.params.resize(P);
  std::vector<bool> frozen(P);
  double nats = 0;
  int64_t words = 0;
  for (size_t bi = 0; bi < batches.size(); ++bi) {
    const CaptionBatch &batch = batches[bi];
    const std::vector<CaptionWindow> windows =
        captionWindows(batch.length, cfg.bptt);
    for (size_t wi = 0; wi < windows.size(); ++wi) {
      const CaptionWindow &w = windows[wi];
      TrainerInstance &trainer = t.get(model.window(w));
      a.fill(w, corpus.train.captions, batch.captions, corpus.train.images);
      const int64_t maskSize = B * w.steps * d.dropout_features;
      if (p > 0)
        for (int64_t i = 0; i < maskSize; ++i)
          a.mask[i] = dropout.uniform() < p ? 0.0f : keep;
      for (size_t i = 0; i < P; ++i)
        a.params[i] = s.params[i].data();
      ccrnn_batch cb{};
      cb.params = a.params.data();
      cb.inputs = a.tokens.data();
      cb.targets = a.targets.data();
      cb.initial_state = wi == 0 ? nullptr : a.state.data();
      cb.fibre_mask = s.fibreMask.empty() ? nullptr : s.fibreMask.data();
      cb.vector_input = w.first ? a.vectors.data() : nullptr;
      cb.dropout_mask = p > 0 && d.dropout_features ? a.mask.data() : nullptr;
      cb.statistics = w.first ? s.statistics.data() : nullptr;
      cb.new_statistics = w.first ? s.statistics.data() : nullptr;
      const float loss = trainer.train(cb, g.data(), a.next.data());
      if (!std::isfinite(loss))
        throw DivergedError("training loss is " + formatNumber(loss) +
                            " at seed " + std::to_string(seed) + ", model " +
                            model.name + ", epoch " + std::to_string(epoch) +
                            ", batch " + std::to_string(bi + 1) + " of " +
                            std::to_string(batches.size()) + ", window " +
                            std::to_string(wi + 1));
      if (w.first)
        ++s.batchesTracked;
      nats += double(loss) * double(B * w.steps);
      words += B * w.steps;
      a.state.swap(a.next);
      // zero_grad + step after every window; a parameter joins the
      // optimizer's steps with its first gradient.
      for (size_t i = 0; i < P; ++i) {
        if (!s.seen[i])
          s.seen[i] = std::any_of(grads[i].begin(), grads[i].end(),
                                  [](float x) { return x != 0.0f; });
        frozen[i] = !s.seen[i];
      }
      s.optim->step(s.params, grads, frozen,
                    cfg.clip > 0 ? clipFactor(grads, cfg.clip) : 1.0f);
    }
    if (onBatch)
      onBatch(int64_t(bi + 1), int64_t(batches.size()));
  }
  return bitsPerWord(nats, words);
}

namespace {

/// The captions of `split` by length, in chunks of at most B (the last of
/// a length padded by the trainer call with copies of its first row).
std::vector<std::vector<int64_t>> evalChunks(const CaptionSplit &split,
                                             int64_t B) {
  std::map<int64_t, std::vector<int64_t>> byLength;
  for (size_t i = 0; i < split.captions.size(); ++i)
    byLength[split.captions[i].length()].push_back(int64_t(i));
  std::vector<std::vector<int64_t>> chunks;
  for (auto &[length, rows] : byLength)
    for (size_t i = 0; i < rows.size(); i += size_t(B))
      chunks.emplace_back(rows.begin() + i,
                          rows.begin() + std::min(rows.size(), i + size_t(B)));
  return chunks;
}

} // namespace

TeacherForced CaptionLoop::evaluate(TrainerInstances &t,
                                    const CaptionModel &model,
                                    const Tensors &params,
                                    const std::vector<float> &statistics,
                                    const CaptionSplit &split) const {
  const ccrnn_trainer_desc &d = model.desc();
  const int64_t B = cfg.batchSize, V = d.vocab;
  WindowArrays a(d, B, cfg.bptt);
  for (const auto &p : params)
    a.params.push_back(p.data());
  std::vector<float> scores(B * cfg.bptt * V);
  TeacherForced out;
  out.natsAt.assign(corpus.maxLength, 0.0);
  out.wordsAt.assign(corpus.maxLength, 0);
  for (std::vector<int64_t> rows : evalChunks(split, B)) {
    const int64_t used = int64_t(rows.size());
    rows.resize(B, rows[0]);
    const int64_t T = split.captions[rows[0]].length();
    const std::vector<CaptionWindow> windows = captionWindows(T, cfg.bptt);
    for (size_t wi = 0; wi < windows.size(); ++wi) {
      const CaptionWindow &w = windows[wi];
      a.fill(w, split.captions, rows, split.images);
      ccrnn_batch cb{};
      cb.params = a.params.data();
      cb.inputs = a.tokens.data();
      cb.targets = a.targets.data();
      cb.initial_state = wi == 0 ? nullptr : a.state.data();
      cb.vector_input = w.first ? a.vectors.data() : nullptr;
      cb.statistics = w.first ? statistics.data() : nullptr;
      t.get(model.window(w)).evalWindow(cb, scores.data(), a.next.data());
      a.state.swap(a.next);
      for (int64_t b = 0; b < used; ++b)
        for (int64_t j = 0; j < w.steps; ++j) {
          const double ce =
              crossEntropy(scores.data() + (b * w.steps + j) * V, V,
                           a.targets[b * w.steps + j]);
          out.nats += ce;
          out.natsAt[w.start + j] += ce;
          ++out.wordsAt[w.start + j];
          ++out.words;
        }
    }
  }
  return out;
}

DecodeScores CaptionLoop::decode(TrainerInstances &t,
                                 const CaptionModel &model,
                                 const Tensors &params,
                                 const std::vector<float> &statistics,
                                 const CaptionSplit &split) const {
  const ccrnn_trainer_desc &d = model.desc();
  // The decoder was built with decode=N (planCaptionModels checks it); the
  // buffer is sized by what it writes.
  TrainerInstance &decoder = t.get(model.decoder);
  const int64_t B = cfg.batchSize, N = decoder.desc().decode_steps,
                D = split.images.width;
  std::vector<const float *> p;
  for (const auto &x : params)
    p.push_back(x.data());
  std::vector<float> vectors(B * D);
  std::vector<int64_t> tokens(B * std::max<int64_t>(d.token_steps, 1), 0),
      targets(B * d.steps, 0), out(N * B);
  DecodeScores scores;
  const Vocabulary &vocab = *corpus.vocab;
  for (int64_t start = 0; start < split.images.count; start += B) {
    const int64_t used = std::min(B, split.images.count - start);
    for (int64_t b = 0; b < B; ++b) {
      const float *f =
          split.images.features.data() + (start + (b < used ? b : 0)) * D;
      std::copy(f, f + D, vectors.begin() + b * D);
    }
    ccrnn_batch cb{};
    cb.params = p.data();
    cb.inputs = tokens.data();
    cb.targets = targets.data();
    cb.vector_input = vectors.data();
    cb.statistics = statistics.data();
    decoder.decode(cb, out.data());
    for (int64_t b = 0; b < used; ++b) {
      std::vector<int64_t> ids;
      for (int64_t s = 0; s < N; ++s) {
        const int64_t id = out[s * B + b];
        ids.push_back(id >= 0 && id < vocab.size() ? id : Vocabulary::kUnk);
      }
      scores.hypotheses.push_back(vocab.decode(ids));
    }
  }
  std::vector<int64_t> lengths;
  for (int64_t i = 0; i < split.images.count; ++i)
    lengths.push_back(split.imageLength(i));
  scores.bleu = corpusBleu(scores.hypotheses, split.images.references);
  scores.byLength = bleuByLength(scores.hypotheses, split.images.references,
                                 lengths, corpus.buckets);
  return scores;
}

CaptionSplit shuffledImages(const CaptionSplit &split, uint64_t seed) {
  CaptionSplit out = split;
  const int64_t n = split.images.count, D = split.images.width;
  if (n < 2)
    return out;
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed, "captioning.shuffled_images");
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[i], order[rng.below(uint64_t(i + 1))]);
  for (int64_t i = 0; i < n; ++i) {
    const float *from = split.images.features.data() + order[(i + 1) % n] * D;
    std::copy(from, from + D, out.images.features.begin() + order[i] * D);
  }
  return out;
}

static std::string joined(const Tokens &t) {
  std::string s;
  for (const std::string &w : t)
    s += (s.empty() ? "" : " ") + w;
  return s;
}

std::string examplesText(const CaptionSplit &split,
                         const std::vector<Tokens> &hypotheses,
                         int64_t count) {
  std::string text;
  const int64_t n = std::min<int64_t>(count, int64_t(hypotheses.size()));
  for (int64_t i = 0; i < n; ++i) {
    text += "image " + std::to_string(split.images.ids[i]) + "\n";
    text += "  decoded:   " + joined(hypotheses[i]) + "\n";
    for (const Tokens &r : split.images.references[i])
      text += "  reference: " + joined(r) + "\n";
  }
  return text;
}

} // namespace ccrnn::driver::captioning
