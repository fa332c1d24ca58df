//===- DumpStep.cpp - The gradients of one batch (--dump-step) --*- C++ -*-===//

#include "ccrnn/Driver/DumpStep.h"

#include "Arrays.h"
#include "System.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Trainers.h"
#include "ccrnn/Driver/TrainingPlan.h"

namespace ccrnn::driver {

BatchFile readBatchFile(const std::string &path) {
  npz::Archive a;
  try {
    a = npz::readNpz(path);
  } catch (const npz::Error &e) {
    throw InputError(std::string("--batch: ") + e.what());
  }
  BatchFile b;
  if (!a.count("inputs"))
    throw InputError("--batch " + path +
                     ": no array 'inputs' ([batch, steps, inputs] float32)");
  if (!a.count("targets"))
    throw InputError("--batch " + path +
                     ": no array 'targets' ([batch, steps, outputs] float32 "
                     "or [batch] int64)");
  b.inputs = a.at("inputs");
  b.targets = a.at("targets");
  if (b.inputs.shape.size() != 3)
    throw InputError("--batch " + path + ": array 'inputs' has shape " +
                     shapeString(b.inputs.shape) +
                     "; expected [batch, steps, inputs]");
  return b;
}

npz::Archive dumpStep(const ccrnn_trainer_api *api, const Tensors &params,
                      const BatchFile &batch, const std::string &batchPath) {
  const ccrnn_trainer_desc &d = *api->desc;
  std::vector<int64_t> inShape = {d.batch, d.steps, d.input_size};
  std::vector<int64_t> tShape =
      d.classify       ? std::vector<int64_t>{d.batch}
      : d.predict_last ? std::vector<int64_t>{d.batch, d.output_size}
                       : std::vector<int64_t>{d.batch, d.steps, d.output_size};
  auto check = [&](const char *name, const npz::Array &a,
                   const std::vector<int64_t> &shape) {
    if (a.shape != shape)
      throw InputError("--batch " + batchPath + ": array '" + name +
                       "' has shape " + shapeString(a.shape) + ", but model " +
                       d.model + " needs " + shapeString(shape));
  };
  check("inputs", batch.inputs, inShape);
  check("targets", batch.targets, tShape);
  bool intTargets = batch.targets.dtype == npz::DType::I64 ||
                    batch.targets.dtype == npz::DType::I32 ||
                    batch.targets.dtype == npz::DType::U8;
  if (bool(d.classify) != intTargets)
    throw InputError("--batch " + batchPath + ": array 'targets' must be " +
                     (d.classify ? "int64 class indices" : "float32") +
                     " for model " + d.model);

  std::vector<float> inputs(batch.inputs.data.begin(), batch.inputs.data.end());
  std::vector<float> floatTargets;
  std::vector<int64_t> labels;
  const void *targets;
  if (d.classify) {
    for (double v : batch.targets.data) {
      if (v < 0 || v >= double(d.output_size))
        throw InputError("--batch " + batchPath + ": class index " + formatNumber(v) +
                         " out of range [0, " + std::to_string(d.output_size) +
                         ")");
      labels.push_back(int64_t(v));
    }
    targets = labels.data();
  } else {
    floatTargets.assign(batch.targets.data.begin(), batch.targets.data.end());
    targets = floatTargets.data();
  }

  TrainerInstance trainer(api);
  Tensors grads = params;
  std::vector<const float *> p;
  std::vector<float *> g;
  for (size_t i = 0; i < params.size(); ++i) {
    p.push_back(params[i].data());
    g.push_back(grads[i].data());
  }
  float loss = trainer.train(p.data(), inputs.data(), targets, g.data());
  npz::Archive out = parametersArchive(d, grads);
  out["loss"] = f64Array({}, {double(loss)});
  out["grad_norm"] = f64Array({}, {globalNorm(grads)});
  return out;
}

npz::Archive dumpStepOfBatchFile(TrainerSession &session, const ModelRef &model,
                                 const TrainConfig &config,
                                 const std::string &batchFile) {
  const BatchFile batch = readBatchFile(batchFile);
  const ccrnn_trainer_api *api =
      planDumpStepTrainer(session, model, config, batch.inputs.shape[0],
                          batch.inputs.shape[1]);
  const npz::Archive &init = session.initArchive(config.initFile);
  const Tensors params = initialParameters(*api->desc, config.seeds[0],
                                           init.empty() ? nullptr : &init);
  return dumpStep(api, params, batch, batchFile);
}

} // namespace ccrnn::driver
