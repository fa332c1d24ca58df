//===- RunStore.h - A run's directory and its files -------------*- C++ -*-===//
//
// Where a run keeps what it has done (SPEC §7): scores.npy, resume.npz (the
// results tables, the time trained and the state of the pairs in training),
// trajectories.npz, meta.json, the checkpoints and feedback files of each
// (seed, model) pair; and reading a saved run back for --resume. Every file
// is written to "<name>.tmp" and renamed. The store writes what it is
// given: what goes into meta.json is decided by RunMeta.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_RUNSTORE_H
#define CCRNN_DRIVER_RUNSTORE_H

#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/Feedback.h"
#include "ccrnn/Driver/RunResults.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/Trainers.h"
#include "ccrnn/Runtime/Npz.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// InputError unless `dir` can be created (or, with `overwrite`, exists as a
/// writable directory; or holds only the lock file of a run that wrote
/// nothing). Creates nothing.
void checkOutputDirectory(const std::string &dir, bool overwrite);

/// A run directory held by one process for a run's life, so that two runs
/// (two with one --out, two --resume of one directory, a run and a merge)
/// never write into it together: the second is refused at once instead of
/// mixing its files with the first's.
class RunDirectoryLock {
public:
  /// checkOutputDirectory(dir, mayExist); creates `dir` when it is missing
  /// (a directory that appears meanwhile is another run's: refused unless
  /// `mayExist`) and takes an exclusive lock on its `.lock` file without
  /// waiting. InputError ("<flag> <dir>: in use by another ccrnn-train (pid
  /// P on H)") when another process holds it.
  RunDirectoryLock(const std::string &flag, const std::string &dir,
                   bool mayExist);
  /// Releases the lock. When the run wrote nothing (it failed first), the
  /// lock file is removed, and the directory when this object created it.
  ~RunDirectoryLock();
  RunDirectoryLock(const RunDirectoryLock &) = delete;
  RunDirectoryLock &operator=(const RunDirectoryLock &) = delete;

private:
  std::string dir;
  int fd = -1;
  bool created = false;
};

/// resume.npz as read back: the results tables are read by RunResults, the
/// pairs in training by restorePair, each array through `get`.
struct ResumeFile {
  std::string file;
  npz::Archive archive;
  double trainingSeconds = 0;
  /// The pairs in training: seed index, model index and the prefix of
  /// their entries.
  struct Pair {
    size_t s, m;
    std::string prefix;
  };
  std::vector<Pair> pairs;

  /// The array `name` of `shape`; InputError naming the file otherwise.
  const npz::Array &get(const std::string &name,
                        const std::vector<int64_t> &shape) const;
};

/// The run saved in `dir`, for --resume: its settings and models (trainers
/// not loaded: ModelEntry::api is null). InputError when `dir` holds no run
/// that can be resumed.
struct SavedRun {
  TrainConfig config;
  std::vector<ModelEntry> models;
  std::vector<std::string> commandLine;
};
SavedRun readSavedRun(const std::string &dir);

class RunStore {
public:
  explicit RunStore(std::string dir) : dir_(std::move(dir)) {}

  const std::string &dir() const { return dir_; }
  std::string path(const std::string &file) const;
  /// Creates the directory (InputError when it cannot) and removes the
  /// temporaries a run killed mid-write left in it.
  void createDirectory() const;

  /// seed<S>_<model>_<which>.npz and feedback_seed<S>_<model>.npz.
  static std::string checkpointName(uint64_t seed, const std::string &model,
                                    const std::string &which);
  static std::string feedbackName(uint64_t seed, const std::string &model);

  void writeScores(const RunResults &results) const;
  /// resume.npz: the results, the seconds trained so far and the entries of
  /// each pair in training (by pair index, as pairSnapshot makes them).
  void writeResume(const RunResults &results, double trainingSeconds,
                   const std::map<size_t, npz::Archive> &pairs) const;
  /// InputError when resume.npz cannot be read or does not fit the run.
  ResumeFile readResume(const RunResults &results) const;
  void removeResume() const;

  /// shard.npz, kept by a run that is one shard of several (--shard): its
  /// results tables, the seconds trained and the sizes of the last data
  /// sets made, what merging the shards reads.
  void writeShardResults(const RunResults &results, double trainingSeconds,
                         const std::array<int64_t, 3> &lastSizes) const;
  struct ShardResults {
    double trainingSeconds = 0;
    std::array<int64_t, 3> lastSizes = {-1, -1, -1};
  };
  /// Reads shard.npz into `results` (of the run's dimensions). InputError
  /// naming the file when it is missing or does not fit.
  ShardResults readShardResults(RunResults &results) const;

  /// trajectories.npz: the target line and label of each class, and per
  /// model (named `models`) the mean and per-seed predicted lines.
  void writeTrajectories(const RunResults &results,
                         const std::vector<int> &classes,
                         const std::vector<std::vector<float>> &targets,
                         const std::vector<std::string> &models) const;
  void writeMeta(const Json &meta) const;
  /// Any other file of the run (e.g. a text file), written atomically.
  void writeFile(const std::string &name, const std::string &bytes) const;
  /// meta.json's start time ("" when it cannot be read).
  std::string startedAt() const;

  void writeCheckpoint(uint64_t seed, const std::string &model,
                       const std::string &which,
                       const npz::Archive &parameters) const;
  /// The feedback file of a pair (see FeedbackLog): `kept` sequences of
  /// each recorded array of the shapes of `desc`; nothing when empty.
  void writeFeedback(uint64_t seed, const std::string &model,
                     const FeedbackLog &feedback,
                     const ccrnn_trainer_desc &desc, int64_t kept) const;
  /// The feedback recorded before an interruption (empty when none).
  FeedbackLog readFeedback(uint64_t seed, const std::string &model) const;

private:
  std::string dir_;
};

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_RUNSTORE_H
