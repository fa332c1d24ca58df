//===- DumpStep.h - The gradients of one batch (--dump-step) ----*- C++ -*-===//
//
// One training batch from given parameters, for checking the generated
// trainers against another implementation (tools/bench/crosscheck-*.sh).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_DUMPSTEP_H
#define CCRNN_DRIVER_DUMPSTEP_H

#include "ccrnn/Driver/Optimizer.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/TrainerSession.h"
#include "ccrnn/Runtime/Npz.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include <string>

namespace ccrnn::driver {

/// A batch file of --dump-step: "inputs" [B, L, I] and "targets" [B, L, O],
/// [B, O] or int64 [B]. InputError when it cannot be read or lacks them.
struct BatchFile {
  npz::Array inputs, targets;
};
BatchFile readBatchFile(const std::string &path);

/// One training batch from `params`: the pre-clip gradient of every
/// parameter under its name (float32), "loss" (the trainer's reported loss)
/// and "grad_norm" (the global L2 norm). InputError when the batch does not
/// fit the trainer.
npz::Archive dumpStep(const ccrnn_trainer_api *api, const Tensors &params,
                      const BatchFile &batch, const std::string &batchPath);

/// --dump-step: the step of `dumpStep` on the batch in `batchFile` from
/// `model`'s initial parameters for the first seed of `config` (or --init),
/// with the trainer of that batch's shape.
npz::Archive dumpStepOfBatchFile(TrainerSession &session, const ModelRef &model,
                                 const TrainConfig &config,
                                 const std::string &batchFile);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_DUMPSTEP_H
