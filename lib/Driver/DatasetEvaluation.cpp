//===- DatasetEvaluation.cpp - A model scored on a data set -----*- C++ -*-===//

#include "ccrnn/Driver/DatasetEvaluation.h"

#include <algorithm>
#include <memory>

namespace ccrnn::driver {

// The task's scorer computes the scores from the float predictions, in
// double.
Evaluation evaluateDataset(const Task &task, const ccrnn_trainer_api &api,
                           void *trainer, const float *const *params,
                           const Dataset &data, bool keepPredictions) {
  const ccrnn_trainer_desc &d = *api.desc;
  const bool labelled = task.modelShape().classifies;
  const int64_t B = d.batch, in = data.sampleInputs(), out = data.targetSize,
                width = labelled ? d.output_size : out;
  std::vector<float> inputs(B * in), targets(B * out), predictions(B * width);
  std::vector<int64_t> labels(labelled ? B : 0);
  std::unique_ptr<Scorer> scorer = task.scorer();
  std::vector<float> kept(keepPredictions ? data.size * width : 0);
  for (int64_t start = 0; start < data.size; start += B) {
    int64_t rows = std::min(B, data.size - start);
    std::fill(inputs.begin(), inputs.end(), 0.0f);
    std::fill(targets.begin(), targets.end(), 0.0f);
    std::fill(labels.begin(), labels.end(), 0);
    data.readInputs(start, rows, inputs.data());
    std::copy_n(data.targets.begin() + start * out, rows * out,
                targets.begin());
    for (int64_t i = 0; i < rows && labelled; ++i)
      labels[i] = data.labels[start + i];
    api.eval(trainer, params, inputs.data(),
             labelled ? static_cast<const void *>(labels.data())
                      : targets.data(),
             predictions.data());
    scorer->add(predictions.data(), width, rows, targets.data(),
                labels.data());
    if (keepPredictions)
      std::copy_n(predictions.begin(), rows * width,
                  kept.begin() + start * width);
  }
  Evaluation result = scorer->finish(data.size);
  result.predictions = std::move(kept);
  return result;
}

} // namespace ccrnn::driver
