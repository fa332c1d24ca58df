//===- TrainingPlan.cpp - A run's configuration to its trainers -*- C++ -*-===//

#include "ccrnn/Driver/TrainingPlan.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Task.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace ccrnn::driver {

/// A model's name goes into its files' names (seed<S>_<name>_final.npz,
/// feedback_seed<S>_<name>.npz): it must leave them within NAME_MAX.
static void checkModelName(const std::string &what, const std::string &name) {
  constexpr size_t kMaxModelName = 200;
  if (name.size() > kMaxModelName)
    throw InputError(what + ": the model name '" + name.substr(0, 24) +
                     "...' is " + std::to_string(name.size()) +
                     " bytes; at most " + std::to_string(kMaxModelName) +
                     " (its files are named after it)");
}

std::vector<ModelRef> resolveModels(const std::vector<std::string> &specs,
                                    const std::string &task) {
  if (specs.empty())
    throw InputError("--model: no model given");
  const auto &aliases = findTask(task).modelAliases;
  std::vector<ModelRef> refs;
  std::set<std::string> names;
  for (std::string spec : specs) {
    checkPathLength("--model", spec);
    std::string lower;
    for (char ch : spec)
      lower += char(std::tolower(static_cast<unsigned char>(ch)));
    const auto alias = aliases.find(lower);
    const bool shortName = alias != aliases.end();
    if (shortName)
      spec = alias->second;
    refs.push_back(resolveModel(spec));
    if (shortName)
      refs.back().name = lower;
    checkModelName("--model", refs.back().name);
    if (!names.insert(refs.back().name).second)
      throw InputError("model '" + refs.back().name + "' is given twice");
  }
  return refs;
}

std::vector<ModelRef>
resolveSavedModels(const std::vector<ModelEntry> &models) {
  std::vector<ModelRef> refs;
  for (const ModelEntry &m : models) {
    checkModelName("meta.json: model", m.name);
    checkPathLength("meta.json: the file of model '" + m.name + "'", m.file);
    refs.push_back(resolveModel(m.file));
    refs.back().name = m.name;
  }
  return refs;
}

std::vector<ModelEntry> planTrainers(TrainerSession &session,
                                     const std::vector<ModelRef> &refs,
                                     const TrainConfig &cfg) {
  // The data files are read when the run starts: a missing one is reported
  // before any trainer is compiled.
  if (const TaskKind &kind = findTask(cfg.task); kind.checkDataFiles)
    kind.checkDataFiles(cfg);
  requireDevice(cfg.device);
  checkRunMemory(cfg, refs.size());
  const npz::Archive &init = session.initArchive(cfg.initFile);
  std::vector<bool> cerebellums;
  for (const ModelRef &ref : refs) {
    // Said before compiling: only the captioning task feeds tokens.
    if (session.facts(ref).readsTokens)
      throw InputError("--model " + ref.name +
                       ": a captioning model (its input is tokens); task '" +
                       cfg.task + "' feeds sequences of vectors (use --task "
                       "captioning)");
    cerebellums.push_back(session.facts(ref).hasCerebellum);
  }
  if (usesCerebellumSettings(cfg) &&
      std::find(cerebellums.begin(), cerebellums.end(), true) ==
          cerebellums.end())
    throw InputError("the synthesizer's settings and the controls "
                     "(--synth-*, --context, --ablation-epoch, "
                     "--synth-ablation-epoch, --fixed-synth, --olive-lesion, "
                     "--nfibres, --record-grads) apply to models with a "
                     "cerebellum, and no model of --model has one");
  const bool cuda = cfg.device == "cuda";
  std::vector<ModelEntry> models;
  for (size_t i = 0; i < refs.size(); ++i) {
    const ModelRef &ref = refs[i];
    const TrainerPrograms programs =
        trainerPrograms(cfg, cfg.batchSize, cfg.data.seqLen, cerebellums[i]);
    const LoadedTrainer &t = session.trainer({ref, programs.main, cuda});
    ModelEntry entry{ref.name,
                     ref.file,
                     programs.main.sizes.toString(),
                     programs.main.trainingString(),
                     t.id,
                     t.api};
    if (programs.frozen)
      entry.frozenApi = session.trainer({ref, *programs.frozen, cuda}).api;
    if (programs.ablated)
      entry.ablatedApi = session.trainer({ref, *programs.ablated, cuda}).api;
    // Seeds trained together: the same program for K networks.
    if (int k = ensembleSize(cfg); k > 1) {
      TrainerOptions group = programs.main;
      group.ensemble = k;
      entry.ensembleApi = session.trainer({ref, group, cuda}).api;
    }
    models.push_back(entry);
  }
  checkModels(cfg, models);
  checkModelMemory(cfg, models);
  checkTrainersCreate(models);
  if (!init.empty())
    for (const ModelEntry &m : models)
      checkInit(init, cfg.initFile, *m.api->desc, m.name);
  return models;
}

const ccrnn_trainer_api *planDumpStepTrainer(TrainerSession &session,
                                             const ModelRef &ref,
                                             const TrainConfig &cfg,
                                             int64_t batch, int64_t steps) {
  const npz::Archive &init = session.initArchive(cfg.initFile);
  const TrainerPrograms programs =
      trainerPrograms(cfg, batch, steps, session.facts(ref).hasCerebellum);
  requireDevice(cfg.device);
  const ccrnn_trainer_api *api =
      session.trainer({ref, programs.main, cfg.device == "cuda"}).api;
  if (!init.empty())
    checkInit(init, cfg.initFile, *api->desc, ref.name);
  return api;
}

} // namespace ccrnn::driver
