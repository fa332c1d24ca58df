//===- CaptionLoop.h - The captioning task's training loop ------*- C++ -*-===//
//
// The captioning task trains as the reference's other/image-captioning does,
// which differs from SPEC §3's loop of the drawing tasks enough to be a loop
// of its own (docs/Rationale.md, "Captioning"):
//
//  - A batch holds B captions of one length T (tokens with <start> and
//    <end>; Batches.h). Its sequence is [image, w0 ... w(T-2)] with targets
//    w0 ... w(T-1), cut into windows of --bptt steps: window 0 (a
//    first-window trainer) holds the image step and n0 - 1 tokens,
//    n0 = min(bptt, T); each later window min(bptt, steps left) tokens.
//    Each window shape is a trainer of its own (one window per program, see
//    TrainerABI.h), compiled once through the trainer cache.
//  - The state is carried from window to window (final_state ->
//    initial_state; zero at the start of a batch). Window 0 also updates
//    the batch norm's running statistics (new_statistics).
//  - After EVERY window: the optimizer steps on that window's gradients
//    (zero_grad + step per window). No clipping (unless --clip > 0), Adam
//    with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8). Every parameter
//    steps in every window, also with a zero gradient, once it has had a
//    non-zero gradient (PyTorch's grad is None until the first backward
//    that reaches it; a step count per parameter).
//  - Dropout: the mask of every window, 0 or 1/(1-p) per input feature of
//    each step, drawn from stream "captioning.dropout" (index: the epoch),
//    window after window; the batch order from "captioning.batches".
//
// Evaluation: teacher-forced (running statistics, no dropout, no
// synthesizer), the same windows with the state carried, so the whole
// sequence as one; cross-entropy per word in bits (nats / ln 2), in total
// and per position (step t of the sequence predicts w(t)). Greedy decoding
// of every image (the decoder's program, --decode-steps tokens or to
// <end>), BLEU-1..4 against all its reference captions, overall and by
// length (CaptionData.h's buckets).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CAPTIONING_CAPTIONLOOP_H
#define CCRNN_DRIVER_CAPTIONING_CAPTIONLOOP_H

#include "ccrnn/Driver/Captioning/Bleu.h"
#include "ccrnn/Driver/Captioning/CaptionData.h"
#include "ccrnn/Driver/Optimizer.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/Trainers.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ccrnn::driver::captioning {

/// A window of a caption's sequence.
struct CaptionWindow {
  bool first = false;
  int64_t start = 0; ///< its first step in [image, w0 ... w(T-2)]
  int64_t steps = 0;
  /// The tokens it reads (the first window's image step is not one).
  int64_t tokenSteps() const { return first ? steps - 1 : steps; }
  bool operator==(const CaptionWindow &o) const {
    return first == o.first && start == o.start && steps == o.steps;
  }
};

/// The windows of a caption of `length` tokens (>= 2) with truncation
/// `bptt` (>= 2: a first window holds the image and at least one token).
std::vector<CaptionWindow> captionWindows(int64_t length, int64_t bptt);

/// A trainer shape: first window or not, and its steps.
using WindowShape = std::pair<bool, int64_t>;
/// The shapes captions of lengths [minLength, maxLength] need.
std::set<WindowShape> windowShapes(int64_t minLength, int64_t maxLength,
                                   int64_t bptt);

/// Window `w`'s inputs and targets of a caption `ids` (<start> ... <end>):
/// w.tokenSteps() tokens and w.steps targets.
void windowTokens(const CaptionWindow &w, const std::vector<int64_t> &ids,
                  int64_t *tokens, int64_t *targets);

/// nats / ln 2 / words; NaN for no words.
double bitsPerWord(double nats, int64_t words);
/// -log softmax(scores)[target] in double (nats).
double crossEntropy(const float *scores, int64_t vocab, int64_t target);

/// A caption model with its trainers: one per window shape, and the greedy
/// decoder (a first-window trainer built with decode=N, also one of the
/// window trainers). They share the parameters and statistics.
struct CaptionModel {
  std::string name, file, configure;
  bool hasCerebellum = false;
  double dropout = 0; ///< the model's dropout rate
  std::map<WindowShape, const ccrnn_trainer_api *> windows;
  std::map<WindowShape, std::string> trainerIds, options;
  const ccrnn_trainer_api *decoder = nullptr;
  const ccrnn_trainer_desc &desc() const { return *decoder->desc; }
  /// InputError when the shape has no trainer.
  const ccrnn_trainer_api *window(const CaptionWindow &w) const;
};

/// A thread's trainer instances (a trainer's kernels belong to the thread
/// that created it).
struct TrainerInstances {
  std::map<const ccrnn_trainer_api *, std::unique_ptr<TrainerInstance>> all;
  TrainerInstance &get(const ccrnn_trainer_api *api);
};

/// A (seed, model) pair's training state.
struct CaptionState {
  Tensors params;
  /// The batch norm's running mean then variance (0 and 1 at the start).
  std::vector<float> statistics;
  int64_t batchesTracked = 0; ///< num_batches_tracked
  std::unique_ptr<Optimizer> optim;
  /// Parameters that have had a non-zero gradient (the others skip steps).
  std::vector<bool> seen;
  std::vector<float> fibreMask; ///< empty: dense
};

/// Teacher-forced cross-entropy, summed per position of the sequence.
struct TeacherForced {
  double nats = 0;
  int64_t words = 0;
  std::vector<double> natsAt;  ///< by step (predicting w(t))
  std::vector<int64_t> wordsAt;
  double bits() const { return bitsPerWord(nats, words); }
  std::vector<double> bitsAt() const;
};

/// Decoded captions and their BLEU.
struct DecodeScores {
  std::vector<Tokens> hypotheses; ///< per image
  BleuScores bleu;
  std::array<BucketBleu, 3> byLength;
};

class CaptionLoop {
public:
  CaptionLoop(const TrainConfig &config, const CaptionCorpus &corpus)
      : cfg(config), corpus(corpus) {}

  /// A pair's first state: parameters from their streams (or --init),
  /// running mean 0 and variance 1, Adam with PyTorch's defaults.
  CaptionState start(const CaptionModel &model, uint64_t seed) const;

  /// Called after each batch with its number (from 1) and the count.
  using BatchDone = std::function<void(int64_t batch, int64_t batches)>;
  /// One epoch (from 1) of the training captions; the mean training
  /// cross-entropy in bits per word (dropout on). DivergedError on a loss
  /// that is not finite.
  double trainEpoch(TrainerInstances &t, const CaptionModel &model,
                    CaptionState &state, uint64_t seed, int64_t epoch,
                    const BatchDone &onBatch) const;

  /// Teacher-forced cross-entropy of every caption of `split`.
  TeacherForced evaluate(TrainerInstances &t, const CaptionModel &model,
                         const Tensors &params,
                         const std::vector<float> &statistics,
                         const CaptionSplit &split) const;

  /// Greedy decoding of every image of `split`, with BLEU.
  DecodeScores decode(TrainerInstances &t, const CaptionModel &model,
                      const Tensors &params,
                      const std::vector<float> &statistics,
                      const CaptionSplit &split) const;

private:
  const TrainConfig &cfg;
  const CaptionCorpus &corpus;
};

/// The control of issue 15 ("a real test of the image"): `split` with
/// every image's features replaced by another image's (a cycle through a
/// random order from stream "captioning.shuffled_images" of `seed`), its
/// captions and references left in place.
CaptionSplit shuffledImages(const CaptionSplit &split, uint64_t seed);

/// The examples file: for the first `count` images of `split`, the image
/// id, the decoded caption and the references, e.g.
///   image 42
///     decoded:   a small three at the top left
///     reference: a three at the top left
///     reference: ...
std::string examplesText(const CaptionSplit &split,
                         const std::vector<Tokens> &hypotheses,
                         int64_t count);

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_CAPTIONLOOP_H
