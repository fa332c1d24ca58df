//===- Options.h - ccrnn-train's command line -------------------*- C++ -*-===//
//
// The flags of ccrnn-train in groups (task, model, controls, optimizer,
// runs, files), each bound by its own function, and what the command
// line asks for once parsed: a run's configuration (TrainConfig, with the
// task's defaults for what was not given), its models, the sweep axes of
// list-valued flags, and where the run goes. Flag spellings stay here;
// the library takes TaskSetting values.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TOOLS_CCRNN_TRAIN_OPTIONS_H
#define CCRNN_TOOLS_CCRNN_TRAIN_OPTIONS_H

#include "ccrnn/Driver/Sweep.h"
#include "ccrnn/Driver/TrainConfig.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::train {

/// The flags as given (lists unsplit) and the configuration they fill.
struct CommandLine {
  driver::TrainConfig config;
  std::vector<std::string> models = {"lstm", "dni_lstm"};
  int64_t seeds = 1;
  std::vector<std::string> seedList;
  std::string optimizer = "adam";
  /// A list of several values makes a sweep axis (Sweep.h).
  std::vector<std::string> bptt, interval, lr;
  std::string shard, status;
  std::vector<std::string> merge;
  int64_t slurm = 0; ///< shards of a Slurm job array (0: not on Slurm)
  std::string slurmOptions;
  bool emitSlurm = false;
  std::string out, resume, dumpStep, batchFile, cacheDir, pruneCache;
  bool overwrite = false, quiet = false, partial = false;
};

/// Each binds the flags of one group of settings (TrainConfig.h) to its
/// fields in cl.config, or to cl's lists where a list makes a sweep axis.
void addTaskOptions(CLI::App &app, CommandLine &cl);
void addModelOptions(CLI::App &app, CommandLine &cl);
void addControlOptions(CLI::App &app, CommandLine &cl);
void addOptimizerOptions(CLI::App &app, CommandLine &cl);
void addRunOptions(CLI::App &app, CommandLine &cl);
/// What the tool does with the run: where it goes, resuming, --dump-step.
void addFileOptions(CLI::App &app, CommandLine &cl);

/// Checks of flags that hold whatever the run is (InputError).
/// CLI11's parse error as one line naming the flag and what it takes:
/// "--epochs: '1e30' is not an integer (or out of range)" rather than
/// "Could not convert: --epochs = 1e30".
std::string describeParseError(const CLI::App &app, const CLI::ParseError &e);

void checkCommonFlags(const CLI::App &app, const CommandLine &cl);

/// --resume: InputError for a flag that would change the saved run's
/// settings (only how it runs may change).
void checkResumeFlags(const CLI::App &app, const CommandLine &cl);
/// --merge: InputError for a flag other than the merge's own (the merged
/// run's settings are the shards').
void checkMergeFlags(const CLI::App &app, const CommandLine &cl);

/// --status: InputError for any other flag.
void checkStatusFlags(const CLI::App &app);
void checkPruneFlags(const CLI::App &app);

/// The settings of how a run runs (--threads, --jobs, --ensemble) that
/// were given, into a saved run's `config`.
void applyRunFlags(const CLI::App &app, const CommandLine &cl,
                   driver::TrainConfig &config);

/// Completes cl.config from the flags of a new run: optimizer, seeds, the
/// single values of list-valued flags, the task's defaults for the
/// settings not given; checks every value. Returns the sweep axes (list
/// flags with several values).
std::vector<driver::SweepAxis> finishConfig(const CLI::App &app,
                                            CommandLine &cl);

/// The command line of one shard of a --slurm run: `argv` without the
/// flags of the Slurm job itself and of where the run goes (--slurm,
/// --slurm-opts, --emit-slurm, --out, --overwrite), with this program's
/// absolute path first.
std::vector<std::string> shardCommand(int argc, char **argv,
                                      const std::string &program);

/// results/<task>-<local time>.
std::string defaultOutDir(const std::string &task);

} // namespace ccrnn::train

#endif // CCRNN_TOOLS_CCRNN_TRAIN_OPTIONS_H
