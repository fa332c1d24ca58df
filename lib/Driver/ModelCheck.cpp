//===- ModelCheck.cpp - Do the models fit the run and the machine -*- C++ -*-===//

#include "ccrnn/Driver/Experiment.h"

#include "System.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Task.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace ccrnn::driver {

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

static std::string formatFloatCount(double n) {
  char text[32];
  std::snprintf(text, sizeof text, n < 1e15 ? "%.0f" : "%.3g", n);
  return text;
}

void checkModelMemory(const TrainConfig &c,
                      const std::vector<ModelEntry> &models) {
  const double available = physicalMemoryBytes();
  if (available <= 0)
    return;
  // Seeds trained at once: each job holds a pair, or an ensemble's K.
  const double pairs = double(c.seeds.size()) * double(models.size());
  const double atOnce = std::min(
      pairs, double(parallelJobs(c)) * double(std::max(1, ensembleSize(c))));
  for (const ModelEntry &m : models) {
    double floats = 0;
    for (int64_t n : parameterSizes(*m.api->desc))
      floats += double(n);
    const double needed = 6 * sizeof(float) * floats;
    if (needed > available)
      throw InputError("model " + m.name + ": " + formatFloatCount(floats) +
                       " parameters need at least " + formatBytes(needed) +
                       " of memory for one seed, more than this machine's " +
                       formatBytes(available));
    const double seedsHere = std::min(atOnce, double(c.seeds.size()));
    if (needed * seedsHere > available)
      throw InputError(
          "model " + m.name + ": " + formatFloatCount(floats) +
          " parameters need at least " + formatBytes(needed) +
          " of memory per seed; " + formatFloatCount(seedsHere) +
          " seeds trained at once (--jobs, --ensemble) need " +
          formatBytes(needed * seedsHere) + ", more than this machine's " +
          formatBytes(available));
  }
}

void checkRunMemory(const TrainConfig &c, size_t models) {
  const double available = physicalMemoryBytes();
  if (available <= 0)
    return;
  // The results tables: scores of every seed, model, metric (at most about
  // ten) and epoch, in doubles, held and copied when saved.
  const double seeds = double(c.seeds.size()), pairs = seeds * double(models);
  const double results = pairs * double(c.epochs) * 10 * 8 * 2;
  if (results > available)
    throw InputError(
        "the results of " + formatFloatCount(seeds) + " seed(s) x " +
        std::to_string(models) + " model(s) x " + std::to_string(c.epochs) +
        " epochs (--seeds, --model, --epochs) need at least " +
        formatBytes(results) + " of memory, more than this machine's " +
        formatBytes(available));
  // The data sets of a seed, as floats: the training set made each epoch
  // (whole batches), the fixed validation and test sets; each worker holds
  // its seed's.
  const ModelShape shape = findTask(c.task).modelShape(c);
  const double samples = double(trainSamplesPerEpoch(c)) +
                         double(c.data.valSize) + double(c.data.testSize);
  const double perSeed = samples * double(c.data.seqLen) *
                         double(shape.inputSize + shape.outputSize) * 4;
  const double workers = std::min(seeds, double(parallelJobs(c)));
  if (perSeed * workers > available)
    throw InputError(
        "the data sets (--train-size " + std::to_string(c.data.trainSize) +
        ", --val-size " + std::to_string(c.data.valSize) + ", --test-size " +
        std::to_string(c.data.testSize) + " of " +
        std::to_string(c.data.seqLen) + " steps" +
        (workers > 1 ? ", for each of " + formatFloatCount(workers) +
                           " jobs at once"
                     : std::string()) +
        ") need at least " + formatBytes(perSeed * workers) +
        " of memory, more than this machine's " + formatBytes(available));
}

void checkTrainersCreate(const std::vector<ModelEntry> &models) {
  for (const ModelEntry &m : models)
    for (const ccrnn_trainer_api *api : {m.api, m.ensembleApi}) {
      if (!api)
        continue;
      // Allocates the trainer's buffers (its arena) and kernels once, as
      // every pair will: a batch too large for the memory fails here,
      // before the run writes anything.
      try {
        TrainerInstance probe(api);
      } catch (const InputError &) {
        const ccrnn_trainer_desc &d = *api->desc;
        throw InputError("model " + m.name +
                         ": cannot create its trainer (batch " +
                         std::to_string(d.batch) + ", length " +
                         std::to_string(d.steps) +
                         (d.ensemble > 1 ? ", " + std::to_string(d.ensemble) +
                                               " networks"
                                         : std::string()) +
                         "): its buffers do not fit in this machine's memory");
      }
    }
}

} // namespace ccrnn::driver
