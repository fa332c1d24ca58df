//===- TrainerSession.cpp - What a process loads once -----------*- C++ -*-===//

#include "ccrnn/Driver/TrainerSession.h"

#include "ccrnn/Driver/Parameters.h"

namespace ccrnn::driver {

TrainerSession::TrainerSession(const std::string &cacheDir, Log log,
                               TrainerHost host)
    : cacheDir(cacheDir.empty() ? defaultCacheDir() : cacheDir),
      log(log ? std::move(log) : [](const std::string &) {}),
      host(std::move(host)) {}

const ModelFacts &TrainerSession::facts(const ModelRef &model) {
  const std::string key = model.name + "\n" + model.file;
  auto it = modelFacts.find(key);
  if (it == modelFacts.end())
    it = modelFacts.emplace(key, describeModel(model, host)).first;
  return it->second;
}

const LoadedTrainer &TrainerSession::trainer(const TrainerSpec &spec) {
  auto key = std::make_pair(spec.model.name + "\n" + spec.model.file,
                            spec.options.toString() +
                                (spec.cuda ? "\ncuda" : ""));
  auto it = trainers.find(key);
  if (it == trainers.end())
    it = trainers.emplace(key, getTrainer(spec, cacheDir, log, host)).first;
  return it->second;
}

const npz::Archive &TrainerSession::initArchive(const std::string &path) {
  auto it = inits.find(path);
  if (it == inits.end())
    it = inits.emplace(path, path.empty() ? npz::Archive{} : readInit(path))
             .first;
  return it->second;
}

} // namespace ccrnn::driver
