//===- TrainingPlan.h - A run's configuration to its trainers ---*- C++ -*-===//
//
// One call turns a run's configuration and its models into the trainers the
// run needs, all loaded through the session: per model the run's program,
// the lesions' programs (cerebellum frozen or removed, SPEC §4) and the
// program that trains seeds together (ensembleSize); and checks them
// against the task, its data files, the device and --init, so that every
// input error comes before anything is written.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_TRAININGPLAN_H
#define CCRNN_DRIVER_TRAININGPLAN_H

#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/TrainerSession.h"
#include "ccrnn/Driver/Trainers.h"

#include <string>
#include <vector>

namespace ccrnn::driver {

/// The models of the models axis: bundled names, the reference's spellings
/// or files (resolveModel). The short names of `task`'s model aliases
/// (TaskKind::modelAliases; e.g. lstm for seqmnist_lstm) name its models,
/// and the axis keeps the short name. InputError when there is none or a
/// name is given twice.
std::vector<ModelRef> resolveModels(const std::vector<std::string> &specs,
                                    const std::string &task);

/// The models of a saved run or of a sweep's grid point, resolved again
/// from their files.
std::vector<ModelRef> resolveSavedModels(const std::vector<ModelEntry> &models);

/// The models of a run of `config` with their trainers, loaded through
/// `session`. InputError when a data file is missing, the device cannot
/// run trainers, the cerebellum's settings are given and no model has one,
/// a model does not fit the task (checkModels) or this machine's memory
/// (checkModelMemory), or --init lacks a parameter.
std::vector<ModelEntry> planTrainers(TrainerSession &session,
                                     const std::vector<ModelRef> &models,
                                     const TrainConfig &config);

/// The trainer of --dump-step: `model`'s run program for batches of
/// `batch` sequences of `steps` steps, checked against --init.
const ccrnn_trainer_api *planDumpStepTrainer(TrainerSession &session,
                                             const ModelRef &model,
                                             const TrainConfig &config,
                                             int64_t batch, int64_t steps);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_TRAININGPLAN_H
