//===- Scorers.cpp - Scores of an evaluation --------------------*- C++ -*-===//
//
// Every score is accumulated in double, batch by batch in the order of the
// samples, from the float predictions of the trainer's eval().
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/Task.h"

#include <algorithm>
#include <cmath>

namespace ccrnn::driver {
namespace {

// SPEC §3's loss: the mean squared distance per 2-D point; SPEC §4's
// dysmetria: the mean over the drawn trajectories.
class DrawingScorer final : public Scorer {
public:
  void add(const float *predictions, int64_t width, int64_t rows,
           const float *targets, const int64_t *) override {
    sum += sumSquaredDistance(predictions, targets, rows * width / 2, 2);
    for (int64_t i = 0; i < rows; ++i)
      dys += dysmetria(predictions + i * width, width / 2, 2);
    points = width / 2;
  }
  Evaluation finish(int64_t samples) const override {
    Evaluation e;
    e.loss = sum / double(samples * points);
    e.dysmetria = dys / double(samples);
    return e;
  }

private:
  double sum = 0, dys = 0;
  int64_t points = 0;
};

// Classification (SPEC §3): the mean cross-entropy of the logits, the
// accuracy, and 1 - mean max softmax.
class ClassificationScorer final : public Scorer {
public:
  void add(const float *logits, int64_t K, int64_t rows, const float *,
           const int64_t *labels) override {
    for (int64_t i = 0; i < rows; ++i) {
      const float *z = logits + i * K;
      int64_t arg = std::max_element(z, z + K) - z;
      double mx = z[arg], sum = 0;
      for (int64_t k = 0; k < K; ++k)
        sum += std::exp(double(z[k]) - mx);
      double lse = mx + std::log(sum);
      xent += lse - double(z[labels[i]]);
      correct += arg == labels[i];
      maxProb += 1.0 / sum;
    }
  }
  Evaluation finish(int64_t samples) const override {
    Evaluation e;
    e.loss = xent / double(samples);
    e.accuracy = correct / double(samples);
    e.uncertainty = 1.0 - maxProb / double(samples);
    return e;
  }

private:
  double xent = 0, correct = 0, maxProb = 0;
};

} // namespace

std::unique_ptr<Scorer> drawingScorer() {
  return std::make_unique<DrawingScorer>();
}
std::unique_ptr<Scorer> classificationScorer() {
  return std::make_unique<ClassificationScorer>();
}

} // namespace ccrnn::driver
