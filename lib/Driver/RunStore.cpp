//===- RunStore.cpp - A run's directory and its files -----------*- C++ -*-===//

#include "ccrnn/Driver/RunStore.h"

#include "Arrays.h"
#include "System.h"
#include "ccrnn/Driver/Error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <filesystem>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ccrnn::driver {

/// Whether directory `path` holds a lock file and nothing else: what a run
/// killed before it wrote anything leaves (an empty directory is still
/// refused: someone made it for something).
static bool holdsOnlyLock(const fs::path &path) {
  std::error_code ec;
  bool lock = false;
  for (const auto &entry : fs::directory_iterator(path, ec)) {
    if (entry.path().filename() != ".lock")
      return false;
    lock = true;
  }
  return lock && !ec;
}

void checkOutputDirectory(const std::string &dir, bool overwrite) {
  std::error_code ec;
  fs::path path(dir);
  fs::path probeIn;
  if (fs::exists(path, ec)) {
    if (!fs::is_directory(path, ec))
      throw InputError("--out " + dir + ": exists and is not a directory");
    if (!overwrite && !holdsOnlyLock(path))
      throw InputError("--out " + dir +
                       ": already exists (--overwrite replaces the files a run "
                       "writes; --resume " +
                       dir + " continues the run in it)");
    probeIn = path;
  } else {
    // The nearest existing ancestor is where directories get created.
    probeIn = fs::absolute(path, ec).parent_path();
    while (!probeIn.empty() && !fs::exists(probeIn, ec))
      probeIn = probeIn.parent_path();
    if (!fs::is_directory(probeIn, ec))
      throw InputError("--out " + dir + ": cannot create it: " +
                       probeIn.string() + " is not a directory");
  }
  // Permission bits say nothing for root or on read-only mounts: try it.
  std::string probe = (probeIn / ".ccrnn-train-probe-XXXXXX").string();
  if (!mkdtemp(probe.data()))
    throw InputError("--out " + dir + ": " + probeIn.string() +
                     " is not writable: " + std::strerror(errno));
  fs::remove(probe, ec);
}

RunDirectoryLock::RunDirectoryLock(const std::string &flag,
                                   const std::string &dir, bool mayExist)
    : dir(dir) {
  checkOutputDirectory(dir, mayExist);
  std::error_code ec;
  const fs::path path(dir);
  if (!fs::exists(path, ec)) {
    if (path.has_parent_path())
      fs::create_directories(path.parent_path(), ec);
    // The directory itself exclusively: when two runs were started with
    // one new --out, one of them creates it.
    if (mkdir(dir.c_str(), 0777) == 0)
      created = true;
    else if (errno != EEXIST || !mayExist)
      throw InputError(flag + " " + dir + ": cannot create: " +
                       (errno == EEXIST ? "created by another run meanwhile"
                                        : std::strerror(errno)));
  }
  const std::string lockFile = (path / ".lock").string();
  fd = open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0)
    throw InputError(flag + " " + dir + ": cannot open " + lockFile + ": " +
                     std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    std::string holder(64, '\0');
    const ssize_t n = pread(fd, holder.data(), holder.size(), 0);
    holder.resize(n > 0 ? size_t(n) : 0);
    holder = printable(holder.substr(0, holder.find('\n')));
    close(fd);
    fd = -1;
    if (err == EWOULDBLOCK)
      throw InputError(flag + " " + dir + ": in use by another ccrnn-train" +
                       (holder.empty() ? "" : " (" + holder + ")"));
    throw InputError(flag + " " + dir + ": cannot lock " + lockFile + ": " +
                     std::strerror(err));
  }
  // Who holds it, for the message of a run refused.
  const std::string me =
      "pid " + std::to_string(getpid()) + " on " + hostName() + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The lock holds without the note.
  }
}

RunDirectoryLock::~RunDirectoryLock() {
  if (fd < 0)
    return;
  // A run that wrote nothing leaves nothing: not its lock file, and not the
  // directory when it created it.
  std::error_code ec;
  bool onlyLock = true;
  for (const auto &entry : fs::directory_iterator(dir, ec))
    onlyLock = onlyLock && entry.path().filename() == ".lock";
  if (onlyLock && !ec) {
    fs::remove(fs::path(dir) / ".lock", ec);
    if (created)
      fs::remove(dir, ec);
  }
  close(fd); // releases the lock
}

/// The array `name` of `shape` in `archive`, read from `file` for `flag`;
/// InputError naming the file otherwise.
static const npz::Array &checkedArray(const npz::Archive &archive,
                                      const std::string &flag,
                                      const std::string &file,
                                      const std::string &name,
                                      const std::vector<int64_t> &shape) {
  auto it = archive.find(name);
  if (it == archive.end())
    throw InputError(flag + ": " + file + ": no array '" + name + "'");
  if (it->second.shape != shape)
    throw InputError(flag + ": " + file + ": array '" + name +
                     "' has shape " + shapeString(it->second.shape) +
                     ", expected " + shapeString(shape) + " (meta.json and " +
                     fs::path(file).filename().string() + " disagree)");
  return it->second;
}

const npz::Array &ResumeFile::get(const std::string &name,
                                  const std::vector<int64_t> &shape) const {
  return checkedArray(archive, "--resume", file, name, shape);
}

std::string RunStore::path(const std::string &file) const {
  return (fs::path(dir_) / file).string();
}

// A temporary of writeFileAtomic's ("<file>.tmp-XXXXXX"), or libzip's for
// one of them ("<file>.tmp-XXXXXX.XXXXXX").
static bool isTemporaryName(const std::string &name) {
  const size_t at = name.rfind(".tmp-");
  if (at == std::string::npos || at == 0)
    return false;
  const size_t tail = name.size() - at;
  return tail == 11 || (tail == 18 && name[at + 11] == '.');
}

void RunStore::createDirectory() const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec)
    throw InputError("--out " + dir_ + ": cannot create: " + ec.message());
  // What a run killed mid-write left; no other run writes here (the
  // directory is held by this one: RunDirectoryLock).
  for (const auto &entry : fs::directory_iterator(dir_, ec))
    if (entry.is_regular_file(ec) &&
        isTemporaryName(entry.path().filename().string()))
      fs::remove(entry.path(), ec);
}

std::string RunStore::checkpointName(uint64_t seed, const std::string &model,
                                     const std::string &which) {
  return "seed" + std::to_string(seed) + "_" + fileSafe(model) + "_" + which +
         ".npz";
}

std::string RunStore::feedbackName(uint64_t seed, const std::string &model) {
  return "feedback_seed" + std::to_string(seed) + "_" + fileSafe(model) +
         ".npz";
}

void RunStore::writeScores(const RunResults &r) const {
  npz::writeNpy(path("scores.npy"),
                f64Array({int64_t(r.S), int64_t(r.M),
                          int64_t(r.metrics.size()), r.E},
                         r.scores));
}

void RunStore::writeResume(const RunResults &results, double trainingSeconds,
                           const std::map<size_t, npz::Archive> &pairs) const {
  npz::Archive a;
  results.write(a);
  a["training_seconds"] = f64Array({}, {trainingSeconds});
  // The pairs in training: "current" lists them ([n, 2]: seed index,
  // model index), the state of the i-th under "pair<i>/".
  std::vector<int64_t> current;
  for (const auto &[k, snap] : pairs) {
    const std::string prefix =
        "pair" + std::to_string(current.size() / 2) + "/";
    current.push_back(int64_t(k / results.M));
    current.push_back(int64_t(k % results.M));
    for (const auto &[name, array] : snap)
      a[prefix + name] = array;
  }
  if (!current.empty())
    a["current"] = i64Array({int64_t(current.size() / 2), 2}, current);
  npz::writeNpz(path("resume.npz"), a);
}

void RunStore::writeShardResults(const RunResults &results,
                                 double trainingSeconds,
                                 const std::array<int64_t, 3> &lastSizes) const {
  npz::Archive a;
  results.write(a);
  a["training_seconds"] = f64Array({}, {trainingSeconds});
  a["last_sizes"] = i64Array({3}, {lastSizes[0], lastSizes[1], lastSizes[2]});
  npz::writeNpz(path("shard.npz"), a);
}

RunStore::ShardResults RunStore::readShardResults(RunResults &results) const {
  const std::string file = path("shard.npz");
  npz::Archive a;
  try {
    a = npz::readNpz(file);
  } catch (const npz::Error &e) {
    throw InputError(std::string("--merge: ") + e.what());
  }
  auto get = [&](const std::string &name,
                 const std::vector<int64_t> &shape) -> const npz::Array & {
    return checkedArray(a, "--merge", file, name, shape);
  };
  results.read(get);
  results.checkValues("--merge: " + file);
  ShardResults r;
  r.trainingSeconds = get("training_seconds", {}).data[0];
  const npz::Array &sizes = get("last_sizes", {3});
  for (int i = 0; i < 3; ++i)
    r.lastSizes[i] = int64_t(sizes.data[i]);
  return r;
}

ResumeFile RunStore::readResume(const RunResults &results) const {
  ResumeFile r;
  r.file = path("resume.npz");
  try {
    r.archive = npz::readNpz(r.file);
  } catch (const npz::Error &e) {
    throw InputError(std::string("--resume: ") + e.what());
  }
  r.trainingSeconds = r.get("training_seconds", {}).data[0];
  // "current" is [n, 2] with each pair's state under "pair<i>/"; runs
  // saved before pairs trained in parallel have one pair, [2], unprefixed.
  auto it = r.archive.find("current");
  if (it == r.archive.end())
    return r;
  const npz::Array &cur = it->second;
  const bool single = cur.shape == std::vector<int64_t>{2};
  if (!single && (cur.shape.size() != 2 || cur.shape[1] != 2))
    throw InputError("--resume: " + r.file + ": array 'current' has shape " +
                     shapeString(cur.shape) + ", expected [n, 2]");
  for (size_t i = 0; i < cur.data.size() / 2; ++i) {
    const double sd = cur.data[2 * i], md = cur.data[2 * i + 1];
    // Checked as numbers before they become indices.
    if (!(sd >= 0 && sd < double(results.S) && md >= 0 &&
          md < double(results.M)) ||
        sd != std::floor(sd) || md != std::floor(md))
      throw InputError("--resume: " + r.file + ": 'current' out of range");
    const size_t s = size_t(sd), m = size_t(md);
    r.pairs.push_back({s, m, single ? "" : "pair" + std::to_string(i) + "/"});
  }
  return r;
}

void RunStore::removeResume() const {
  std::error_code ec;
  fs::remove(path("resume.npz"), ec);
}

void RunStore::writeTrajectories(const RunResults &r,
                                 const std::vector<int> &classes,
                                 const std::vector<std::vector<float>> &targets,
                                 const std::vector<std::string> &models) const {
  npz::Archive a;
  const int64_t C = r.C, Lt = r.Lt, out = Lt * 2;
  std::vector<double> target;
  for (const auto &line : targets)
    target.insert(target.end(), line.begin(), line.end());
  a["target"] = f64Array({C, Lt, 2}, target);
  a["classes"] =
      i64Array({C}, std::vector<int64_t>(classes.begin(), classes.end()));
  for (size_t m = 0; m < r.M; ++m) {
    std::vector<double> mean;
    for (const auto &line : r.meanLines(m))
      mean.insert(mean.end(), line.begin(), line.end());
    a["pred/" + models[m]] = f64Array({C, Lt, 2}, mean);
    std::vector<double> perSeed;
    for (size_t s = 0; s < r.S; ++s) {
      auto first = r.trajectories.begin() + r.pair(s, m) * C * out;
      perSeed.insert(perSeed.end(), first, first + C * out);
    }
    a["per_seed/" + models[m]] = f64Array({int64_t(r.S), C, Lt, 2}, perSeed);
  }
  npz::writeNpz(path("trajectories.npz"), a);
}

void RunStore::writeMeta(const Json &meta) const {
  writeFileAtomic(path("meta.json"), meta.dump(2) + "\n");
}

void RunStore::writeFile(const std::string &name,
                         const std::string &bytes) const {
  writeFileAtomic(path(name), bytes);
}

std::string RunStore::startedAt() const {
  try {
    return Json::parse(readWholeFile(path("meta.json")))
        .value("timestamp", std::string());
  } catch (const std::exception &) {
    return ""; // the start time is cosmetic
  }
}

void RunStore::writeCheckpoint(uint64_t seed, const std::string &model,
                               const std::string &which,
                               const npz::Archive &parameters) const {
  npz::writeNpz(path(checkpointName(seed, model, which)), parameters);
}

void RunStore::writeFeedback(uint64_t seed, const std::string &model,
                             const FeedbackLog &feedback,
                             const ccrnn_trainer_desc &d, int64_t kept) const {
  if (feedback.epochs.empty())
    return;
  const int64_t R = int64_t(feedback.epochs.size());
  npz::Archive a;
  a["epoch"] = i64Array({R}, feedback.epochs);
  for (int i = 0; i < 5; ++i) {
    int64_t width = i == 4 ? d.record_width : d.record_state;
    if (width)
      a[FeedbackLog::kNames[i]] =
          f32Array({R, d.record_boundaries, d.record_layers, kept, width},
                   feedback.arrays[i]);
  }
  npz::writeNpz(path(feedbackName(seed, model)), a);
}

FeedbackLog RunStore::readFeedback(uint64_t seed,
                                   const std::string &model) const {
  FeedbackLog feedback;
  const std::string file = path(feedbackName(seed, model));
  if (!fs::exists(file))
    return feedback;
  try {
    npz::Archive a = npz::readNpz(file);
    feedback.epochs.assign(a.at("epoch").data.begin(),
                           a.at("epoch").data.end());
    for (int i = 0; i < 5; ++i)
      if (auto it = a.find(FeedbackLog::kNames[i]); it != a.end())
        feedback.arrays[i].assign(it->second.data.begin(),
                                  it->second.data.end());
  } catch (const std::exception &e) {
    throw InputError("--resume: " + file + ": " + e.what());
  }
  return feedback;
}

} // namespace ccrnn::driver
