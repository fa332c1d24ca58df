//===- SeqMnistDrawTask.cpp - Drawing from sequential MNIST -----*- C++ -*-===//
//
// SPEC §5's drawing variants: the image read a few pixels a step, the
// network draws at every step a line per digit (seqmnist-lines: to a fixed
// endpoint, or with --free-magnitude to one of the grid drawn once per
// run) or the digit's template (seqmnist-digits). Scored like line
// drawing: squared distance per point and dysmetria.
//
//===----------------------------------------------------------------------===//

#include "SeqMnistData.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/SeqMnist.h"

#include <algorithm>

namespace ccrnn::driver {
namespace {

ModelShape drawingShape(const TrainConfig &c) {
  return {false, c.inputSize, kLineDrawOutputSize, "--input-size"};
}

class SeqMnistDraw final : public SeqMnistBase {
public:
  explicit SeqMnistDraw(const TrainConfig &c)
      : SeqMnistBase(c, drawingShape(c)) {
    // Drawn once per run, from the run's first seed.
    if (c.freeMagnitude)
      freeEndpoints = freeMagnitudeEndpoints(c.seeds[0]);
    labels = parseNumbers(c.numbers);
    for (int d : labels)
      targets.push_back(
          seqMnistTarget(c.task, d, c.data.seqLen, freeEndpoints));
  }

  std::vector<ValidationMetric> validationMetrics() const override {
    if (cfg.data.seqLen < 3)
      return {};
    return {{"val_dysmetria", [](const Evaluation &e) { return e.dysmetria; }}};
  }
  std::vector<std::string> testMetrics() const override {
    return {"test_loss", "test_dysmetria"};
  }
  std::unique_ptr<Scorer> scorer() const override { return drawingScorer(); }

  // The digit templates lie in [0, 1]^2; the lines within radius 10, the
  // free endpoints in [0, 10]^2.
  TrajectoryPlot trajectoryPlot() const override {
    if (cfg.task == "seqmnist-digits")
      return {"digit ", {-0.25, 1.25, -0.25, 1.25}};
    if (cfg.freeMagnitude)
      return {"digit ", {-1, 11, -1, 11}};
    return {"digit ", {-12, 12, -12, 12}};
  }

  void describe(nlohmann::ordered_json &t,
                const std::array<int64_t, 3> &lastSizes) const override {
    SeqMnistBase::describe(t, lastSizes);
    if (cfg.freeMagnitude) {
      nlohmann::ordered_json ends = nlohmann::ordered_json::array();
      for (int d : labels)
        ends.push_back({freeEndpoints[d][0], freeEndpoints[d][1]});
      t["endpoints"] = ends;
    }
  }

protected:
  // The class of a digit is its place in --numbers.
  int classOf(int digit) const override {
    auto it = std::find(labels.begin(), labels.end(), digit);
    return it == labels.end() ? -1 : int(it - labels.begin());
  }
  std::vector<std::vector<float>> digitTargets() const override {
    std::vector<std::vector<float>> byDigit(
        kMnistClasses, std::vector<float>(cfg.data.seqLen * 2, 0.0f));
    for (size_t c = 0; c < labels.size(); ++c)
      byDigit[labels[c]] = targets[c];
    return byDigit;
  }

private:
  std::vector<std::array<double, 2>> freeEndpoints;
};

TaskKind drawKind(const std::string &name) {
  TaskKind k = seqMnistKind(name);
  k.modelShape = drawingShape;
  k.settings.push_back(numbersSetting());
  k.modelAliases = {{"lstm", "seqmnist_draw_lstm"},
                    {"dni_lstm", "seqmnist_draw_dni_lstm"}};
  k.make = [](const TrainConfig &c) { return std::make_unique<SeqMnistDraw>(c); };
  return k;
}

} // namespace

TaskKind seqMnistLinesTask() {
  TaskKind k = drawKind("seqmnist-lines");
  k.validate = [](const TrainConfig &c) {
    validateSeqMnist(c);
    parseNumbers(c.numbers);
    if (c.data.seqLen < 2)
      throw InputError("seqmnist-lines needs at least 2 steps (--input-size "
                       "at most 392)");
  };
  return k;
}

TaskKind seqMnistDigitsTask() {
  TaskKind k = drawKind("seqmnist-digits");
  k.validate = [](const TrainConfig &c) {
    validateSeqMnist(c);
    parseNumbers(c.numbers);
    if (c.freeMagnitude)
      throw InputError("--free-magnitude applies to seqmnist-lines only");
    if (c.data.seqLen < 10)
      throw InputError("seqmnist-digits needs at least 10 steps (the "
                       "templates' segments), got " +
                       std::to_string(c.data.seqLen) +
                       " (--input-size at most 78)");
  };
  return k;
}

} // namespace ccrnn::driver
