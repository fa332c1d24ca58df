//===- SeqMnistData.cpp - What the sequential-MNIST tasks share -*- C++ -*-===//

#include "SeqMnistData.h"

#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"
#include "ccrnn/Driver/SeqMnist.h"

#include <numeric>
#include <stdexcept>

#include <unistd.h>

namespace ccrnn::driver {

// Before anything is written: a missing or bad file is an input error
// naming the file and the command that installs the data.
SeqMnistBase::SeqMnistBase(const TrainConfig &config, ModelShape shape)
    : Task(std::move(shape)), cfg(config) {
  const std::string dir = dataDirectory(cfg);
  try {
    train = idx::readTrain(dir);
    test = idx::readTest(dir);
  } catch (const idx::Error &e) {
    throw InputError(e.what());
  }
  if (train.images.rows * train.images.cols != kMnistPixels ||
      test.images.rows * test.images.cols != kMnistPixels)
    throw InputError(dir + ": the images are not 28 x 28 pixels");
}

/// The samples of `indices` whose digit is used, at most `limit`.
std::vector<int64_t> SeqMnistBase::select(const idx::Dataset &data,
                                          const std::vector<int64_t> &indices,
                                          int64_t limit) const {
  std::vector<int64_t> out;
  for (int64_t i : indices) {
    if (int64_t(out.size()) >= limit)
      break;
    if (classOf(data.labels.values[i]) >= 0)
      out.push_back(i);
  }
  return out;
}

Dataset SeqMnistBase::makeSet(const idx::Dataset &data,
                              const std::vector<int64_t> &indices,
                              const char *what) const {
  if (indices.empty())
    throw std::runtime_error(std::string("the ") + what +
                             " set is empty (no image of the digits used)");
  Dataset d = makeSeqMnist(data.images.pixels, data.labels.values, indices,
                           cfg.inputSize, digitTargets());
  for (int &label : d.labels)
    label = classOf(label);
  return d;
}

// The training images split 4:1 into training and validation by a
// permutation from stream "seqmnist.split" (48000/12000 for MNIST's
// 60000), then filtered by the digits used and capped by the sizes; the
// first test-size test images.
SeqMnistBase::Pools SeqMnistBase::pools(uint64_t seed) const {
  const int64_t n = int64_t(train.labels.values.size());
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(seed, "seqmnist.split");
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(perm[i], perm[rng.below(uint64_t(i + 1))]);
  const int64_t nTrain = n - n / 5;
  Pools p{std::vector<int64_t>(perm.begin(), perm.begin() + nTrain),
          std::vector<int64_t>(perm.begin() + nTrain, perm.end()),
          std::vector<int64_t>(test.labels.values.size())};
  std::iota(p.test.begin(), p.test.end(), 0);
  return p;
}

SeedData SeqMnistBase::seedData(uint64_t seed) const {
  const Pools p = pools(seed);
  SeedData d;
  d.train = makeSet(train, select(train, p.train, cfg.data.trainSize),
                    "training");
  d.val = makeSet(train, select(train, p.val, cfg.data.valSize),
                  "validation");
  d.test = makeSet(test, select(test, p.test, cfg.data.testSize), "test");
  return d;
}

void SeqMnistBase::checkData(const std::vector<uint64_t> &seeds) const {
  const idx::Paths paths = idx::dataPaths(dataDirectory(cfg));
  const std::string digits =
      cfg.numbers.empty() ? "" : " (--numbers " + cfg.numbers + ")";
  for (uint64_t seed : seeds) {
    const Pools p = pools(seed);
    auto check = [&](const idx::Dataset &data,
                     const std::vector<int64_t> &pool, const char *what,
                     const std::string &file, const char *part) {
      // select() stops at the first used image for a limit of 1.
      if (!select(data, pool, 1).empty())
        return;
      const size_t n = data.labels.values.size();
      if (n == 0)
        throw InputError(file + ": no images (an IDX file of 0 items); the " +
                         what + " set needs at least one");
      throw InputError(
          file + ": the " + what + " set of seed " + std::to_string(seed) +
          " would be empty: " +
          (pool.empty() ? std::string("its part of the file (") + part +
                              " of " + std::to_string(n) +
                              " images) holds none"
                        : "none of the " + std::to_string(pool.size()) +
                              " images of its part (" + part +
                              " of the file) is of a digit used" + digits));
    };
    check(train, p.train, "training", paths.trainImages, "4/5");
    check(train, p.val, "validation", paths.trainImages, "1/5");
    check(test, p.test, "test", paths.testImages, "all");
  }
}

// Each epoch's order is a shuffle from stream "seqmnist.shuffle", index
// the epoch; the last batch is filled up from the start of the order.
EpochData SeqMnistBase::epochData(const SeedData &data, uint64_t seed,
                                  int64_t epoch, int64_t batchSize) const {
  const int64_t n = data.train.size;
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed, "seqmnist.shuffle", uint64_t(epoch));
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[i], order[rng.below(uint64_t(i + 1))]);
  return EpochData(data.train, std::move(order), (n + batchSize - 1) / batchSize);
}

int64_t SeqMnistBase::trainSamplesPerEpoch(int64_t lastTrainSize) const {
  if (lastTrainSize < 0)
    return driver::trainSamplesPerEpoch(cfg);
  return (lastTrainSize + cfg.batchSize - 1) / cfg.batchSize * cfg.batchSize;
}

void SeqMnistBase::describe(nlohmann::ordered_json &t,
                            const std::array<int64_t, 3> &lastSizes) const {
  t["split"] = "the training images permuted by stream seqmnist.split, "
               "first 4/5 training, last 1/5 validation (48000/12000 "
               "for MNIST), then filtered by numbers and capped by "
               "train_size/val_size; test: the first test_size test "
               "images of the digits used";
  t["pixel_scale"] = "byte / 255";
  if (lastSizes[0] >= 0)
    t["sizes_of_last_seed"] = {{"train", lastSizes[0]},
                               {"val", lastSizes[1]},
                               {"test", lastSizes[2]}};
}

void applySeqMnistDefaults(TrainConfig &c,
                           const std::function<bool(TaskSetting)> &given) {
  // SPEC §5: H = 30, T = 3, Adam lr 1e-4, 40 epochs, batch 50; the
  // 48000/12000 split of the training images, the 10000 test images.
  if (!given(TaskSetting::Bptt))
    c.bptt = 3;
  if (!given(TaskSetting::Lr))
    c.lr = 1e-4;
  if (!given(TaskSetting::Epochs))
    c.epochs = 40;
  if (!given(TaskSetting::Interval))
    c.interval = 1;
  if (!given(TaskSetting::TrainSize))
    c.data.trainSize = 48000;
  if (!given(TaskSetting::ValSize))
    c.data.valSize = 12000;
  if (!given(TaskSetting::TestSize))
    c.data.testSize = 10000;
  if (c.inputSize >= 1 && kMnistPixels % c.inputSize == 0)
    c.data.seqLen = kMnistPixels / c.inputSize;
}

void validateSeqMnist(const TrainConfig &c) {
  if (c.dataset != "mnist" && c.dataset != "fashion-mnist")
    throw InputError("--dataset must be mnist or fashion-mnist, got '" +
                     c.dataset + "'");
  if (seqMnistSteps(c.inputSize) != c.data.seqLen)
    throw InputError("--seq-len does not apply to " + c.task +
                     ": the length is 784 / --input-size");
  if (c.predictLast)
    throw InputError("--predict-last applies to linedraw only");
}

/// A missing data file is reported before any trainer is compiled.
void checkSeqMnistFiles(const TrainConfig &c) {
  idx::Paths paths = idx::dataPaths(dataDirectory(c));
  for (const std::string &file : {paths.trainImages, paths.trainLabels,
                                  paths.testImages, paths.testLabels})
    if (access(file.c_str(), R_OK) != 0) {
      try {
        idx::readLabels(file); // throws the message naming the file
      } catch (const idx::Error &e) {
        throw InputError(e.what());
      }
      throw InputError(file + ": cannot be read");
    }
  // Readable: no seed's data set may come out empty (an IDX file of no
  // images, digits of --numbers that are not there).
  findTask(c.task).make(c)->checkData(c.seeds);
}

TaskKind seqMnistKind(const std::string &name) {
  TaskKind k;
  k.name = name;
  k.applyDefaults = applySeqMnistDefaults;
  // Each seed has its own training set (37 MB of images): K of them at
  // once are not worth the memory.
  k.ensembleBlocker = "the seqmnist tasks";
  k.checkDataFiles = checkSeqMnistFiles;
  k.settings = seqMnistSettings();
  return k;
}

} // namespace ccrnn::driver
