//===- LineDrawTask.cpp - The line-drawing task (SPEC §5) --------*- C++ -*-===//
//
// Seven lines from the origin, the class given by the input's first value;
// fresh training samples every epoch (stream "linedraw.train", index the
// epoch), fixed validation and test sets per seed.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Task.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Metrics.h"

namespace ccrnn::driver {
namespace {

ModelShape lineDrawShape(const TrainConfig &) {
  return {false, kLineDrawInputSize, kLineDrawOutputSize, ""};
}

class LineDraw final : public Task {
public:
  explicit LineDraw(const TrainConfig &c) : Task(lineDrawShape(c)), cfg(c) {
    const int64_t points = c.predictLast ? 1 : c.data.seqLen;
    for (int k = -3; k <= 3; ++k) {
      labels.push_back(k);
      std::vector<float> line = lineDrawTarget(k, c.data.seqLen);
      targets.emplace_back(line.end() - points * 2, line.end());
    }
  }

  // Dysmetria needs three drawn points (so not with --predict-last).
  std::vector<ValidationMetric> validationMetrics() const override {
    if (cfg.predictLast || cfg.data.seqLen < 3)
      return {};
    return {{"val_dysmetria", [](const Evaluation &e) { return e.dysmetria; }}};
  }
  std::vector<std::string> testMetrics() const override {
    return {"test_loss", "test_dysmetria"};
  }
  std::unique_ptr<Scorer> scorer() const override { return drawingScorer(); }

  SeedData seedData(uint64_t seed) const override {
    SeedData d;
    d.val = makeLineDraw(cfg.data, cfg.data.valSize, seed, "linedraw.val", 0,
                         cfg.predictLast);
    d.test = makeLineDraw(cfg.data, cfg.data.testSize, seed, "linedraw.test",
                          0, cfg.predictLast);
    return d;
  }

  EpochData epochData(const SeedData &, uint64_t seed, int64_t epoch,
                      int64_t batchSize) const override {
    const int64_t batches = driver::trainSamplesPerEpoch(cfg) / batchSize;
    return EpochData(makeLineDraw(cfg.data, batches * batchSize, seed,
                                  "linedraw.train", uint64_t(epoch),
                                  cfg.predictLast),
                     batches);
  }

  int64_t trainSamplesPerEpoch(int64_t) const override {
    return driver::trainSamplesPerEpoch(cfg);
  }

  TrajectoryPlot trajectoryPlot() const override {
    // The lines end within radius 10.
    return {"k = ", {-12, 12, -12, 12}};
  }

  void describe(nlohmann::ordered_json &,
                const std::array<int64_t, 3> &) const override {}

private:
  const TrainConfig cfg;
};

void validate(const TrainConfig &c) {
  const TrainConfig defaults;
  if (c.inputSize != defaults.inputSize || !c.numbers.empty() ||
      c.freeMagnitude || !c.dataDir.empty() || c.dataset != defaults.dataset)
    throw InputError("--input-size, --numbers, --free-magnitude, "
                     "--data-dir and --dataset apply to the seqmnist tasks");
  if (c.data.seqLen < 2)
    throw InputError("--seq-len must be at least 2 (a line has its origin and "
                     "its endpoint), got " +
                     std::to_string(c.data.seqLen));
}

} // namespace

TaskKind lineDrawTask() {
  TaskKind k;
  k.name = "linedraw";
  k.modelShape = lineDrawShape;
  k.validate = validate;
  k.make = [](const TrainConfig &c) { return std::make_unique<LineDraw>(c); };
  return k;
}

} // namespace ccrnn::driver
