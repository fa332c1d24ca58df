//===- FakeTrainer.cpp - A hand-written trainer for the driver's tests ---===//

#include "FakeTrainer.h"

#include <limits>
#include <mutex>

namespace ccrnn::fake {
namespace {

const ccrnn_param_info kParams[kNumParams] = {
    {"linear.weight",
     2,
     {2, 1, 0, 0},
     CCRNN_INIT_UNIFORM,
     0.5,
     CCRNN_GROUP_READOUT},
    {"linear.bias",
     1,
     {2, 0, 0, 0},
     CCRNN_INIT_UNIFORM,
     0.5,
     CCRNN_GROUP_READOUT},
    {"rnn.backward_interface.synthesizer.layers.0.weight",
     1,
     {3, 0, 0, 0},
     CCRNN_INIT_ZEROS,
     0.0,
     CCRNN_GROUP_SYNTHESIZER}};
const int64_t kSizes[kNumParams] = {2, 2, 3};

ccrnn_trainer_desc makeDesc(int64_t networks) {
  ccrnn_trainer_desc d{};
  d.abi_version = CCRNN_TRAINER_ABI_VERSION;
  d.model = "fake";
  d.options = "bptt=1 interval=2 batch=4 steps=5";
  d.batch = kBatch;
  d.steps = kSteps;
  d.input_size = 1;
  d.output_size = 2;
  d.has_cerebellum = 1;
  d.num_params = kNumParams;
  d.params = kParams;
  d.ensemble = networks;
  return d;
}

std::mutex logMutex;
std::vector<TrainCall> calls;
int callCount = 0, nanCall = -1, nanNetwork = 0;

/// The created trainer remembers its table, so that calls are logged
/// under the program that made them.
struct Handle {
  const ccrnn_trainer_api *api;
};

driver::Tensors copyOf(const float *const *arrays) {
  driver::Tensors t;
  for (int i = 0; i < kNumParams; ++i)
    t.emplace_back(arrays[i], arrays[i] + kSizes[i]);
  return t;
}

float forward(const float *const *params, const float *inputs,
              const float *targets, float *predictions, float *const *grads) {
  const driver::Tensors p = copyOf(params);
  double loss = 0, gw[2] = {0, 0}, gb[2] = {0, 0};
  const double n = double(kBatch * kSteps);
  for (int64_t b = 0; b < kBatch; ++b) {
    const float x = inputs[b * kSteps];
    const std::vector<float> y = predict(p, x);
    for (int64_t t = 0; t < kSteps; ++t) {
      const float s = float(t) / float(kSteps - 1);
      for (int o = 0; o < 2; ++o) {
        const int64_t at = (b * kSteps + t) * 2 + o;
        if (predictions)
          predictions[at] = y[t * 2 + o];
        const double d = double(y[t * 2 + o]) - targets[at];
        loss += d * d / n;
        gw[o] += 2 * d * s * x / n;
        gb[o] += 2 * d * s / n;
      }
    }
  }
  if (grads) {
    for (int o = 0; o < 2; ++o) {
      grads[0][o] = float(gw[o]);
      grads[1][o] = float(gb[o]);
    }
    for (int i = 0; i < 3; ++i)
      grads[kSynth][i] = 0.01f * float(i + 1);
  }
  return float(loss);
}

void *create(const ccrnn_trainer_api *api) { return new Handle{api}; }
void *createTrainer() { return create(&kTrainer); }
void *createPair() { return create(&kPair); }
void *createFrozen() { return create(&kFrozen); }
void *createAblated() { return create(&kAblated); }
void destroy(void *h) { delete static_cast<Handle *>(h); }

float train(void *h, const ccrnn_batch *batch, float *const *grads, float *) {
  const ccrnn_trainer_api *api = static_cast<Handle *>(h)->api;
  std::lock_guard<std::mutex> lock(logMutex);
  const int call = ++callCount;
  float first = 0;
  for (int64_t e = 0; e < api->desc->ensemble; ++e) {
    const float *p[kNumParams];
    float *g[kNumParams];
    for (int i = 0; i < kNumParams; ++i) {
      p[i] = batch->params[i] + e * kSizes[i];
      g[i] = grads[i] + e * kSizes[i];
    }
    const float *x =
        static_cast<const float *>(batch->inputs) + e * kBatch * kSteps;
    float loss = forward(p, x,
                         static_cast<const float *>(batch->targets) +
                             e * kBatch * kSteps * 2,
                         nullptr, g);
    if (call == nanCall && e == nanNetwork)
      loss = std::numeric_limits<float>::quiet_NaN();
    if (batch->losses)
      batch->losses[e] = loss;
    if (e == 0)
      first = loss;
    TrainCall c{api, call, int(e), copyOf(p), copyOf(g), loss, {}};
    for (int64_t b = 0; b < kBatch; ++b)
      c.firstInputs.push_back(x[b * kSteps]);
    calls.push_back(std::move(c));
  }
  return first;
}

float eval(void *, const float *const *params, const float *inputs,
           const void *targets, float *predictions) {
  return forward(params, inputs, static_cast<const float *>(targets),
                 predictions, nullptr);
}


} // namespace

const ccrnn_trainer_desc kDesc = makeDesc(1), kPairDesc = makeDesc(2);
const ccrnn_trainer_api kTrainer = {&kDesc, createTrainer, destroy,
                                    train,  eval,          nullptr};
const ccrnn_trainer_api kPair = {&kPairDesc, createPair, destroy,
                                 train,      eval,       nullptr};
const ccrnn_trainer_api kFrozen = {&kDesc, createFrozen, destroy,
                                   train,  eval,         nullptr};
const ccrnn_trainer_api kAblated = {&kDesc, createAblated, destroy,
                                    train,  eval,          nullptr};

std::vector<float> predict(const driver::Tensors &params, float x) {
  std::vector<float> y(kSteps * 2);
  for (int64_t t = 0; t < kSteps; ++t) {
    const float s = float(t) / float(kSteps - 1);
    for (int o = 0; o < 2; ++o)
      y[t * 2 + o] = s * (params[0][o] * x + params[1][o]);
  }
  return y;
}

std::vector<TrainCall> trainLog() {
  std::lock_guard<std::mutex> lock(logMutex);
  return calls;
}

void clearLog() {
  std::lock_guard<std::mutex> lock(logMutex);
  calls.clear();
  callCount = 0;
  nanCall = -1;
}

void failAt(int call, int network) {
  std::lock_guard<std::mutex> lock(logMutex);
  nanCall = call;
  nanNetwork = network;
}

driver::TrainConfig smallConfig() {
  driver::TrainConfig c;
  c.data.seqLen = kSteps;
  c.data.trainSize = 3 * kBatch;
  c.data.valSize = 6;
  c.data.testSize = 7;
  c.epochs = 2;
  c.batchSize = kBatch;
  c.lr = 0.05;
  c.seeds = {3, 5};
  c.jobs = 1;
  return c;
}

driver::ModelEntry model(const std::string &name,
                         const ccrnn_trainer_api *api) {
  driver::ModelEntry m;
  m.name = name;
  m.options = api->desc->options;
  m.trainerId = "test";
  m.api = api;
  return m;
}

} // namespace ccrnn::fake
