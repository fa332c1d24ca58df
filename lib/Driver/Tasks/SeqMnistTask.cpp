//===- SeqMnistTask.cpp - Sequential-MNIST classification -------*- C++ -*-===//
//
// SPEC §5: the image read a few pixels a step, the digit's class predicted
// at the last step (loss: cross-entropy of the logits); scored by accuracy
// and by the uncertainty 1 - mean max softmax (SPEC §4's behavioural
// score for a classifier).
//
//===----------------------------------------------------------------------===//

#include "SeqMnistData.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/SeqMnist.h"

namespace ccrnn::driver {
namespace {

ModelShape classifierShape(const TrainConfig &c) {
  return {true, c.inputSize, kMnistClasses, "--input-size"};
}

class SeqMnistClassification final : public SeqMnistBase {
public:
  explicit SeqMnistClassification(const TrainConfig &c)
      : SeqMnistBase(c, classifierShape(c)) {}

  std::vector<ValidationMetric> validationMetrics() const override {
    return {{"val_accuracy", [](const Evaluation &e) { return e.accuracy; }},
            {"val_uncertainty",
             [](const Evaluation &e) { return e.uncertainty; }}};
  }
  std::vector<std::string> testMetrics() const override {
    return {"test_loss", "test_accuracy", "test_dysmetria"};
  }
  std::unique_ptr<Scorer> scorer() const override {
    return classificationScorer();
  }
  TrajectoryPlot trajectoryPlot() const override { return {"", {}}; }

  void describe(nlohmann::ordered_json &t,
                const std::array<int64_t, 3> &lastSizes) const override {
    SeqMnistBase::describe(t, lastSizes);
    t["numbers"] = nullptr;
  }

protected:
  int classOf(int digit) const override { return digit; }
  std::vector<std::vector<float>> digitTargets() const override { return {}; }
};

} // namespace

TaskKind seqMnistTask() {
  TaskKind k = seqMnistKind("seqmnist");
  k.modelAliases = {{"lstm", "seqmnist_lstm"}, {"dni_lstm", "seqmnist_dni_lstm"}};
  k.modelShape = classifierShape;
  k.validate = [](const TrainConfig &c) {
    validateSeqMnist(c);
    if (!c.numbers.empty())
      throw InputError("--numbers applies to the drawing tasks "
                       "(seqmnist-lines, seqmnist-digits)");
    if (c.freeMagnitude)
      throw InputError("--free-magnitude applies to seqmnist-lines only");
  };
  k.make = [](const TrainConfig &c) {
    return std::make_unique<SeqMnistClassification>(c);
  };
  return k;
}

} // namespace ccrnn::driver
