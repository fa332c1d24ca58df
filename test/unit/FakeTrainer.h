//===- FakeTrainer.h - A hand-written trainer for the driver's tests -----===//
//
// A trainer of the trainer ABI (ccrnn/Runtime/TrainerABI.h) for a tiny
// linear model, so that the driver's parts are tested without the compiler:
//   prediction[b, t] = s_t (W x[b, 0] + bias),  s_t = t / (steps - 1)
//   loss = mean over b, t of ||prediction - target||^2
// plus a "synthesizer" parameter whose gradient is a constant, so that the
// optimizer moves it unless it is frozen. Every train() call is logged (the
// parameters it was given, the gradients it wrote, its loss and inputs), so
// that a test can replay the updates the driver should have made.
// (DriverRunTest.cpp has its own copy of this model, in its file.)
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TEST_UNIT_FAKETRAINER_H
#define CCRNN_TEST_UNIT_FAKETRAINER_H

#include "DriverTestSupport.h"
#include "ccrnn/Driver/Optimizer.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/Trainers.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::fake {

constexpr int64_t kBatch = 4, kSteps = 5, kNumParams = 3;
/// The synthesizer parameter's index (the other two are the readout's).
constexpr int kSynth = 2;

/// One network a call; two networks a call (an ensemble trainer, each
/// network's arrays after the other's).
extern const ccrnn_trainer_desc kDesc, kPairDesc;
extern const ccrnn_trainer_api kTrainer, kPair;
/// The same model as other programs (a lesion's): same parameters, but
/// calls are logged under their own table.
extern const ccrnn_trainer_api kFrozen, kAblated;

/// The prediction for first-step input x: [kSteps, 2].
std::vector<float> predict(const driver::Tensors &params, float x);

/// A network's share of one train() call.
struct TrainCall {
  const ccrnn_trainer_api *api;
  int call;    ///< from 1, since the last clearLog()
  int network; ///< 0, or its place in an ensemble call
  driver::Tensors params, grads;
  float loss;
  std::vector<float> firstInputs; ///< x[b, 0] of each row
};
/// The calls since the last clearLog(), network after network.
std::vector<TrainCall> trainLog();
/// Clears the log and the failure asked for by failAt.
void clearLog();
/// The `call`-th train() call (from 1, after clearLog) reports a NaN loss
/// for network `network`.
void failAt(int call, int network = 0);

/// A line-drawing run that fits the trainer: kSteps steps, batch kBatch,
/// 3 training batches an epoch, validation and test sets not multiples of
/// the batch, 2 epochs, seeds 3 and 5, one pair at a time.
driver::TrainConfig smallConfig();
/// A model of the models axis trained by `api`.
driver::ModelEntry model(const std::string &name,
                         const ccrnn_trainer_api *api = &kTrainer);

// The helpers every driver test has (DriverTestSupport.h).
using test::readFile;
using test::tempDir;

} // namespace ccrnn::fake

#endif // CCRNN_TEST_UNIT_FAKETRAINER_H
