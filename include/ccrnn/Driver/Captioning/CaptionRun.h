//===- CaptionRun.h - A captioning run: seeds x models x epochs -*- C++ -*-===//
//
// The captioning task's run (ccrnn-train --task captioning): its trainers
// (planCaptionModels: every window shape of every model, and the greedy
// decoder, through the session's trainer cache), the (seed, model) pairs
// trained on the scheduler's worker threads with CaptionLoop, and its files
// in the run directory (docs/UserGuide.md, "The captioning task"):
//   scores.npy       float64 (seeds, models, metrics, epochs): train_loss
//                    and val_loss in bits per word, val_bleu1 .. val_bleu4
//   meta.json        the settings, the data, the models and their
//                    trainers, each pair's results (best epoch, bits per
//                    word per position, BLEU overall and by length, of the
//                    best-validation checkpoint, and of it with the
//                    validation images shuffled), the summary over seeds
//   seed<S>_<model>_{final,best}.npz   parameters under the reference's
//                    names (encoder.*, decoder.*), with the batch norm's
//                    running statistics and num_batches_tracked
//   seed<S>_<model>_examples.txt       decoded validation captions of the
//                    best checkpoint next to their references
//   vocabulary.txt   the words by id, one a line (<pad> <start> <end> <unk>
//                    first)
//   curves.png       every metric per epoch, mean +- SEM over seeds
// Every file is written to "<name>.tmp" and renamed. A captioning run is
// not resumable yet: a stopped run keeps its finished files.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CAPTIONING_CAPTIONRUN_H
#define CCRNN_DRIVER_CAPTIONING_CAPTIONRUN_H

#include "ccrnn/Driver/Captioning/CaptionData.h"
#include "ccrnn/Driver/Captioning/CaptionLoop.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/TrainerSession.h"

#include <memory>
#include <string>
#include <vector>

namespace ccrnn::driver::captioning {

/// The models of `refs` with every trainer a run of `config` on `corpus`
/// needs, loaded through `session`. InputError when a model does not read
/// tokens, or a trainer does not fit (vocabulary, feature width, batch).
std::vector<CaptionModel> planCaptionModels(TrainerSession &session,
                                            const std::vector<ModelRef> &refs,
                                            const TrainConfig &config,
                                            const CaptionCorpus &corpus);

/// The checkpoint of a pair: the parameters under the reference's names
/// (the encoder's with "encoder.", the others with "decoder." before the
/// model's name), the running statistics and num_batches_tracked.
npz::Archive captionCheckpoint(const ccrnn_trainer_desc &desc,
                               const Tensors &params,
                               const std::vector<float> &statistics,
                               int64_t batchesTracked);

/// Per model, over the seeds: the mean and SEM of the best validation bits
/// per word and of BLEU-4, overall and per length bucket.
struct CaptionSummary {
  std::string model;
  int64_t seeds = 0;
  double bitsMean, bitsSem;
  std::array<double, kBleuOrders> bleuMean, bleuSem;
  std::array<double, 3> bucketBleu4Mean, bucketBleu4Sem;
  /// The same with the validation images shuffled (shuffledImages).
  double shuffledBitsMean, shuffledBitsSem, shuffledBleu4Mean,
      shuffledBleu4Sem;
};

class CaptionRun {
public:
  CaptionRun(TrainConfig config, std::vector<CaptionModel> models,
             std::shared_ptr<const CaptionCorpus> corpus, std::string dir,
             std::vector<std::string> commandLine);
  ~CaptionRun();

  /// Trains every pair and writes the files. DivergedError on a NaN or
  /// infinite loss (after writing what is finished).
  RunStatus run(const RunHooks &hooks);

  std::vector<CaptionSummary> summary() const;
  /// The summary as a table for stdout.
  std::string summaryTable() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_CAPTIONRUN_H
