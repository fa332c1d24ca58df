//===- TrainerSession.h - What a process loads once -------------*- C++ -*-===//
//
// A session holds what every run of a process shares and loads only once:
// the compiler's facts of each model file, the trainers (each found,
// compiled into the cache or loaded once per model and program, see
// getTrainer) and the --init archives. ccrnn-train's runs and sweeps,
// ccrnn-bench and the C API (the Python package) go through one.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_TRAINERSESSION_H
#define CCRNN_DRIVER_TRAINERSESSION_H

#include "ccrnn/Driver/Trainers.h"
#include "ccrnn/Runtime/Npz.h"

#include <functional>
#include <map>
#include <string>
#include <utility>

namespace ccrnn::driver {

class TrainerSession {
public:
  using Log = std::function<void(const std::string &)>;

  /// Compiled trainers are cached in `cacheDir` (empty: defaultCacheDir());
  /// `log` hears of each compilation before it starts; `host` says where
  /// the compiler's tools are (Trainers.h).
  explicit TrainerSession(const std::string &cacheDir = "", Log log = {},
                          TrainerHost host = executableHost());

  /// describeModel(model), asked of the compiler once per file.
  const ModelFacts &facts(const ModelRef &model);

  /// The trainer of `spec` (getTrainer), loaded on first use; it stays
  /// loaded as long as the session lives.
  const LoadedTrainer &trainer(const TrainerSpec &spec);

  /// The --init archive at `path` (readInit), read on first use; an empty
  /// archive for "".
  const npz::Archive &initArchive(const std::string &path);

  const std::string &cacheDirectory() const { return cacheDir; }

private:
  std::string cacheDir;
  Log log;
  TrainerHost host;
  /// By model (name, file): messages name the model.
  std::map<std::string, ModelFacts> modelFacts;
  /// By model (name, file) and program (options, device).
  std::map<std::pair<std::string, std::string>, LoadedTrainer> trainers;
  std::map<std::string, npz::Archive> inits;
};

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_TRAINERSESSION_H
