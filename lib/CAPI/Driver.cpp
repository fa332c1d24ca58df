//===- Driver.cpp - The training driver's C API -----------------*- C++ -*-===//
//
// Thin wrappers: each function calls the driver's own code (TrainerSession,
// initialParameters, clipDecayStep, Task, evaluateDataset) and turns its
// exceptions into a NULL or 0 and the thread's last error.
//
//===----------------------------------------------------------------------===//

#include "ccrnn-c/Driver.h"

#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/DatasetEvaluation.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Driver/TrainerSession.h"
#include "ccrnn/Runtime/Kernels.h"

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace ccrnn;
using namespace ccrnn::driver;

struct ccrnn_session {
  TrainerSession trainers;
  /// Libraries loaded by path (ccrnn_session_load).
  std::vector<LoadedTrainer> loaded;
};

struct ccrnn_optimizer {
  Optimizer optimizer;
};

struct ccrnn_plateau {
  PlateauScheduler scheduler;
};

struct ccrnn_task {
  TrainConfig config;
  std::unique_ptr<Task> task;
  std::string description;
};

struct ccrnn_seed_data {
  SeedData sets;
};

struct ccrnn_epoch {
  EpochData batches;
  int64_t batchSize;
};

namespace {

thread_local std::string lastError;

/// Runs `body`, returning `failed` with the message kept when it throws.
template <typename T, typename Body> T guarded(T failed, Body body) {
  try {
    lastError.clear();
    return body();
  } catch (const std::exception &e) {
    lastError = e.what();
  } catch (...) {
    lastError = "unknown error";
  }
  return failed;
}

/// The file this code is in (the C API's shared library): the runtime that
/// the trainers it compiles link against when loaded.
std::string thisLibrary() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&ccrnn_c_api_version), &info) &&
      info.dli_fname)
    return info.dli_fname;
  return "/proc/self/exe";
}

const Dataset &dataset(const ccrnn_seed_data *data, int32_t which) {
  switch (which) {
  case 0:
    return data->sets.train;
  case 1:
    return data->sets.val;
  case 2:
    return data->sets.test;
  }
  throw InputError("data set " + std::to_string(which) +
                   ": expected 0 (training), 1 (validation) or 2 (test)");
}

/// Whether the user's task settings name a setting whose default is the
/// task's (applyTaskDefaults): its flag's key ("--train-size":
/// "train_size"); the batch size is always given.
bool givenSetting(const Json &user, TaskSetting s) {
  if (s == TaskSetting::BatchSize)
    return true;
  std::string key = taskSettingFlag(s) + 2; // without "--"
  std::replace(key.begin(), key.end(), '-', '_');
  return user.contains(key);
}

/// The task of meta.json-style settings (ccrnn_task_new).
std::unique_ptr<ccrnn_task> makeTaskOf(const char *settingsJson,
                                       int64_t batchSize) {
  Json user;
  try {
    user = Json::parse(settingsJson ? settingsJson : "{}");
  } catch (const std::exception &e) {
    throw InputError(std::string("task settings: not JSON: ") + e.what());
  }
  if (!user.is_object())
    throw InputError("task settings: expected a JSON object");
  auto t = std::make_unique<ccrnn_task>();
  TrainConfig &c = t->config;
  if (user.contains("name")) {
    if (!user["name"].is_string())
      throw InputError("task setting 'name': expected a string (" +
                       taskList() + ")");
    c.task = user["name"].get<std::string>();
  }
  if (findTask(c.task).trainsTokens) // InputError naming the tasks
    throw InputError("task " + c.task +
                     ": a task of token models trains window by window "
                     "through a loop of its own; the C API does not drive "
                     "it (train it with ccrnn-train)");
  Json full;
  writeConfig(c, full);
  Json &settings = full["task"];
  for (const auto &[key, value] : user.items()) {
    if (!settings.contains(key)) {
      std::string known;
      for (const auto &[k, v] : settings.items())
        known += (known.empty() ? "" : ", ") + k;
      throw InputError("task setting '" + key + "': task " + c.task +
                       " has no such setting (its settings: " + known + ")");
    }
    settings[key] = value;
  }
  try {
    c = readConfig(full);
  } catch (const InputError &) {
    throw;
  } catch (const std::exception &e) {
    throw InputError(std::string("task settings: ") + e.what());
  }
  c.batchSize = batchSize;
  applyTaskDefaults(c, [&](TaskSetting s) { return givenSetting(user, s); });
  validateConfig(c);
  t->task = makeTask(c);

  Json d;
  Json written;
  writeConfig(c, written);
  d["settings"] = written["task"];
  const ModelShape &shape = t->task->modelShape();
  d["classifies"] = shape.classifies;
  d["input_size"] = shape.inputSize;
  d["output_size"] = shape.outputSize;
  d["validation_metrics"] = Json::array();
  for (const ValidationMetric &m : t->task->validationMetrics())
    d["validation_metrics"].push_back(m.name);
  d["test_metrics"] = t->task->testMetrics();
  t->description = d.dump();
  return t;
}

} // namespace

extern "C" {

int32_t ccrnn_c_api_version(void) { return CCRNN_C_API_VERSION; }

const char *ccrnn_last_error(void) { return lastError.c_str(); }

int32_t ccrnn_set_threads(int32_t threads) {
  return guarded<int32_t>(0, [&] {
    if (threads < 1 || threads > 1024)
      throw InputError("threads must be in [1, 1024], got " +
                       std::to_string(threads));
    rt::setNumThreads(threads);
    return 1;
  });
}

ccrnn_session *ccrnn_session_new(const char *cacheDir, const char *toolsDir) {
  return guarded<ccrnn_session *>(nullptr, [&] {
    if (!toolsDir || !*toolsDir)
      throw InputError("ccrnn_session_new: no directory of the compiler's "
                       "tools (ccrnn-opt, ccrnn-translate)");
    TrainerHost host{toolsDir, thisLibrary()};
    auto log = [](const std::string &line) {
      std::fprintf(stderr, "%s\n", line.c_str());
    };
    return new ccrnn_session{
        TrainerSession(cacheDir ? cacheDir : "", log, host), {}};
  });
}

void ccrnn_session_free(ccrnn_session *session) { delete session; }

const ccrnn_trainer_api *ccrnn_session_trainer(ccrnn_session *session,
                                               const char *model,
                                               const char *options,
                                               const char *device,
                                               const char **id) {
  return guarded<const ccrnn_trainer_api *>(nullptr, [&] {
    const std::string dev = device ? device : "cpu";
    if (dev != "cpu" && dev != "cuda")
      throw InputError("device must be 'cpu' or 'cuda', got '" + dev + "'");
    requireDevice(dev);
    TrainerSpec spec;
    spec.model = resolveModel(model ? model : "");
    spec.cuda = dev == "cuda";
    std::string error;
    if (!TrainerOptions::parse(options ? options : "", spec.options, error))
      throw InputError("trainer options: " + error);
    session->trainers.facts(spec.model); // the model file verifies
    const LoadedTrainer &t = session->trainers.trainer(spec);
    if (id)
      *id = t.id.c_str();
    return t.api;
  });
}

const ccrnn_trainer_api *ccrnn_session_load(ccrnn_session *session,
                                            const char *path) {
  return guarded<const ccrnn_trainer_api *>(nullptr, [&] {
    session->loaded.push_back(loadTrainerLibrary(path, path));
    return session->loaded.back().api;
  });
}

int32_t ccrnn_init_params(const ccrnn_trainer_api *trainer, uint64_t seed,
                          float *const *out, float *mask) {
  return guarded<int32_t>(0, [&] {
    const ccrnn_trainer_desc &d = *trainer->desc;
    // Only the mask asked for: nothing else to draw.
    Tensors params = out ? initialParameters(d, seed, nullptr) : Tensors();
    if (d.fibre_mask_rows) {
      TrainerOptions options;
      std::string error;
      if (!TrainerOptions::parse(d.options, options, error))
        throw InputError(std::string("trainer options '") + d.options +
                         "': " + error);
      std::vector<float> m = fibreMask(d, seed, options.fibres);
      if (out)
        applyFibreMask(d, m, params);
      if (mask)
        std::copy(m.begin(), m.end(), mask);
    }
    for (size_t i = 0; i < params.size(); ++i)
      std::copy(params[i].begin(), params[i].end(), out[i]);
    return 1;
  });
}

ccrnn_optimizer *ccrnn_optimizer_new(const char *kind, double lr, int32_t n,
                                     const int64_t *sizes) {
  return guarded<ccrnn_optimizer *>(nullptr, [&] {
    std::optional<OptimKind> k = parseOptimizer(kind ? kind : "");
    if (!k)
      throw InputError(std::string("optimizer '") + (kind ? kind : "") +
                       "': expected one of " + optimizerList());
    if (!(std::isfinite(lr) && lr > 0))
      throw InputError("learning rate must be a positive number, got " +
                       formatOptionNumber(lr));
    return new ccrnn_optimizer{
        Optimizer(*k, lr, std::vector<int64_t>(sizes, sizes + n))};
  });
}

void ccrnn_optimizer_free(ccrnn_optimizer *optimizer) { delete optimizer; }

int32_t ccrnn_optimizer_step(ccrnn_optimizer *optimizer, float *const *params,
                             float *const *grads, const uint8_t *frozen,
                             double clip, double l2, double *norm) {
  return guarded<int32_t>(0, [&] {
    const size_t n = optimizer->optimizer.sizes().size();
    std::vector<bool> frozenParams(frozen ? n : 0);
    for (size_t i = 0; i < frozenParams.size(); ++i)
      frozenParams[i] = frozen[i] != 0;
    clipDecayStep(optimizer->optimizer, TensorPointers(params, params + n),
                  TensorPointers(grads, grads + n), frozenParams, clip, l2,
                  {}, norm);
    return 1;
  });
}

double ccrnn_optimizer_lr(const ccrnn_optimizer *optimizer) {
  return optimizer->optimizer.lr();
}

void ccrnn_optimizer_set_lr(ccrnn_optimizer *optimizer, double lr) {
  optimizer->optimizer.setLr(lr);
}

int64_t ccrnn_optimizer_steps(const ccrnn_optimizer *optimizer) {
  return optimizer->optimizer.steps();
}

ccrnn_plateau *ccrnn_plateau_new(double factor, int64_t patience) {
  return guarded<ccrnn_plateau *>(nullptr, [&] {
    if (!(factor > 0 && factor < 1))
      throw InputError("factor must be in (0, 1), got " +
                       formatOptionNumber(factor));
    if (patience < 0)
      throw InputError("patience must be >= 0, got " +
                       std::to_string(patience));
    return new ccrnn_plateau{PlateauScheduler(factor, patience)};
  });
}

void ccrnn_plateau_free(ccrnn_plateau *plateau) { delete plateau; }

double ccrnn_plateau_step(ccrnn_plateau *plateau, double loss, double lr) {
  return plateau->scheduler.step(loss, lr);
}

const char *ccrnn_task_settings(const char *name) {
  static thread_local std::string settings;
  return guarded<const char *>(nullptr, [&] {
    TrainConfig c;
    c.task = name ? name : "";
    findTask(c.task); // InputError naming the tasks
    applyTaskDefaults(c, [](TaskSetting) { return false; });
    Json j;
    writeConfig(c, j);
    settings = j["task"].dump();
    return settings.c_str();
  });
}

ccrnn_task *ccrnn_task_new(const char *settingsJson, int64_t batchSize) {
  return guarded<ccrnn_task *>(nullptr, [&] {
    return makeTaskOf(settingsJson, batchSize).release();
  });
}

void ccrnn_task_free(ccrnn_task *task) { delete task; }

const char *ccrnn_task_describe(const ccrnn_task *task) {
  return task->description.c_str();
}

ccrnn_seed_data *ccrnn_task_seed_data(const ccrnn_task *task, uint64_t seed) {
  return guarded<ccrnn_seed_data *>(nullptr, [&] {
    return new ccrnn_seed_data{task->task->seedData(seed)};
  });
}

void ccrnn_seed_data_free(ccrnn_seed_data *data) { delete data; }

int32_t ccrnn_dataset_shape(const ccrnn_seed_data *data, int32_t which,
                            int64_t *shape, int32_t *labelled) {
  return guarded<int32_t>(0, [&] {
    const Dataset &d = dataset(data, which);
    shape[0] = d.size;
    shape[1] = d.steps;
    shape[2] = d.inputSize;
    shape[3] = d.targetSize;
    *labelled = !d.labels.empty();
    return 1;
  });
}

int32_t ccrnn_dataset_read(const ccrnn_seed_data *data, int32_t which,
                           int64_t first, int64_t count, float *inputs,
                           float *targets, int64_t *labels) {
  return guarded<int32_t>(0, [&] {
    const Dataset &d = dataset(data, which);
    if (first < 0 || count < 0 || first + count > d.size)
      throw InputError("samples [" + std::to_string(first) + ", " +
                       std::to_string(first + count) + ") of a data set of " +
                       std::to_string(d.size));
    d.readInputs(first, count, inputs);
    std::copy_n(d.targets.begin() + first * d.targetSize,
                count * d.targetSize, targets);
    for (int64_t i = 0; labels && i < count && !d.labels.empty(); ++i)
      labels[i] = d.labels[first + i];
    return 1;
  });
}

ccrnn_epoch *ccrnn_task_epoch(const ccrnn_task *task,
                              const ccrnn_seed_data *data, uint64_t seed,
                              int64_t epoch) {
  return guarded<ccrnn_epoch *>(nullptr, [&] {
    if (epoch < 1)
      throw InputError("epoch " + std::to_string(epoch) +
                       ": epochs count from 1");
    const int64_t B = task->config.batchSize;
    return new ccrnn_epoch{
        task->task->epochData(data->sets, seed, epoch, B), B};
  });
}

void ccrnn_epoch_free(ccrnn_epoch *epoch) { delete epoch; }

int64_t ccrnn_epoch_batches(const ccrnn_epoch *epoch) {
  return epoch->batches.numBatches();
}

int32_t ccrnn_epoch_gather(const ccrnn_epoch *epoch, int64_t b, float *inputs,
                           float *targets, int64_t *labels) {
  return guarded<int32_t>(0, [&] {
    if (b < 0 || b >= epoch->batches.numBatches())
      throw InputError("batch " + std::to_string(b) + " of an epoch of " +
                       std::to_string(epoch->batches.numBatches()));
    epoch->batches.gather(b, epoch->batchSize, inputs, targets, labels);
    return 1;
  });
}

int32_t ccrnn_evaluate(const ccrnn_task *task,
                       const ccrnn_trainer_api *trainer, void *handle,
                       const float *const *params,
                       const ccrnn_seed_data *data, int32_t which,
                       double *fields, double *metrics, float *predictions) {
  return guarded<int32_t>(0, [&] {
    Evaluation ev = evaluateDataset(*task->task, *trainer, handle, params,
                                    dataset(data, which), predictions != nullptr);
    fields[0] = ev.loss;
    fields[1] = ev.accuracy;
    fields[2] = ev.uncertainty;
    fields[3] = ev.dysmetria;
    const std::vector<ValidationMetric> vm = task->task->validationMetrics();
    for (size_t i = 0; metrics && i < vm.size(); ++i)
      metrics[i] = vm[i].value(ev);
    if (predictions)
      std::copy(ev.predictions.begin(), ev.predictions.end(), predictions);
    return 1;
  });
}

} // extern "C"
