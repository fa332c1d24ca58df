//===- SeqMnistData.h - What the sequential-MNIST tasks share ---*- C++ -*-===//
//
// The images (read when the task is made), each seed's split of the
// training images into training and validation sets, the shuffled order of
// each epoch, and the settings and checks common to the three seqMNIST
// tasks. The tasks differ in their targets: the digit's class, or a line
// or template per digit (SeqMnistTask.cpp, SeqMnistDrawTask.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_LIB_DRIVER_TASKS_SEQMNISTDATA_H
#define CCRNN_LIB_DRIVER_TASKS_SEQMNISTDATA_H

#include "ccrnn/Driver/Task.h"
#include "ccrnn/Runtime/Idx.h"

namespace ccrnn::driver {

class SeqMnistBase : public Task {
public:
  SeqMnistBase(const TrainConfig &config, ModelShape shape);

  SeedData seedData(uint64_t seed) const override;
  void checkData(const std::vector<uint64_t> &seeds) const override;
  EpochData epochData(const SeedData &data, uint64_t seed, int64_t epoch,
                      int64_t batchSize) const override;
  int64_t trainSamplesPerEpoch(int64_t lastTrainSize) const override;
  void describe(nlohmann::ordered_json &task,
                const std::array<int64_t, 3> &lastSizes) const override;

protected:
  /// The class index of a digit, -1 when the task does not use it.
  virtual int classOf(int digit) const = 0;
  /// Each digit's target line ([points * 2]); empty when classifying.
  virtual std::vector<std::vector<float>> digitTargets() const = 0;

  const TrainConfig cfg;

private:
  /// The candidate samples of `seed`: its training and validation pools
  /// (a split of the training file) and the test file's.
  struct Pools {
    std::vector<int64_t> train, val, test;
  };
  Pools pools(uint64_t seed) const;
  std::vector<int64_t> select(const idx::Dataset &data,
                              const std::vector<int64_t> &indices,
                              int64_t limit) const;
  Dataset makeSet(const idx::Dataset &data,
                  const std::vector<int64_t> &indices, const char *what) const;

  idx::Dataset train, test;
};

/// The defaults, checks and data files of every seqMNIST kind.
void applySeqMnistDefaults(TrainConfig &config,
                           const std::function<bool(TaskSetting)> &given);
void validateSeqMnist(const TrainConfig &config);
void checkSeqMnistFiles(const TrainConfig &config);
/// A seqMNIST kind named `name`, with the common parts set.
TaskKind seqMnistKind(const std::string &name);

} // namespace ccrnn::driver

#endif // CCRNN_LIB_DRIVER_TASKS_SEQMNISTDATA_H
