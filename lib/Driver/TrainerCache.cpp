//===- TrainerCache.cpp - The cache of compiled trainers --------*- C++ -*-===//

#include "ccrnn/Driver/TrainerCache.h"

#include "System.h"
#include "ccrnn/Driver/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace ccrnn::driver {

std::string cacheEntryLockPath(const std::string &cacheDir,
                               const std::string &entry) {
  return (fs::path(cacheDir) / ("." + entry + ".lock")).string();
}

void removeStaleBuilds(const std::string &cacheDir, const std::string &entry) {
  std::error_code ec;
  const std::string prefix = entry + ".tmp-";
  for (const auto &item : fs::directory_iterator(cacheDir, ec))
    if (item.path().filename().string().rfind(prefix, 0) == 0)
      fs::remove_all(item.path(), ec);
}

void markCacheEntryUsed(const std::string &entryDir) {
  // The key file's modification time: the entry's last use.
  utimensat(AT_FDCWD, (fs::path(entryDir) / "key.txt").c_str(), nullptr, 0);
}

namespace {

double treeBytes(const fs::path &dir) {
  double bytes = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec))
      bytes += double(it->file_size(ec));
  return bytes;
}

struct Entry {
  std::string name;
  fs::path path;
  double bytes = 0;
  fs::file_time_type lastUse;
};

} // namespace

CachePruning pruneTrainerCache(const std::string &cacheDir, double maxBytes) {
  std::error_code ec;
  if (!fs::is_directory(cacheDir, ec))
    throw InputError("--prune-cache: " + cacheDir + " is not a directory");
  CachePruning result;
  std::vector<Entry> entries;
  std::vector<std::pair<std::string, fs::path>> builds; // (entry, path)
  for (const auto &item : fs::directory_iterator(cacheDir, ec)) {
    const std::string name = item.path().filename().string();
    if (item.is_symlink(ec) || !item.is_directory(ec))
      continue;
    const double bytes = treeBytes(item.path());
    result.bytesBefore += bytes;
    if (const size_t tmp = name.find(".tmp-"); tmp != std::string::npos) {
      builds.push_back({name.substr(0, tmp), item.path()});
      continue;
    }
    Entry e{name, item.path(), bytes, {}};
    e.lastUse = fs::last_write_time(item.path() / "key.txt", ec);
    if (ec)
      e.lastUse = fs::file_time_type::min(); // incomplete: the first to go
    entries.push_back(e);
  }
  result.bytesAfter = result.bytesBefore;
  // Builds a killed process left: their entry's lock is free.
  for (const auto &[entry, path] : builds) {
    const FileLock lock(cacheEntryLockPath(cacheDir, entry), /*wait=*/false);
    if (!lock.held())
      continue;
    result.bytesAfter -= treeBytes(path);
    fs::remove_all(path, ec);
  }
  // The least recently used entries first.
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.lastUse < b.lastUse; });
  for (const Entry &e : entries) {
    if (result.bytesAfter <= maxBytes) {
      ++result.entriesKept;
      continue;
    }
    const FileLock lock(cacheEntryLockPath(cacheDir, e.name), /*wait=*/false);
    if (!lock.held()) {
      ++result.entriesKept; // being built or rebuilt now
      continue;
    }
    // A process that loaded the trainer keeps its mapping: removing the
    // files is safe while it runs.
    fs::remove_all(e.path, ec);
    if (ec) {
      ++result.entriesKept;
      continue;
    }
    fs::remove(cacheEntryLockPath(cacheDir, e.name), ec);
    result.bytesAfter -= e.bytes;
    ++result.entriesRemoved;
  }
  return result;
}

std::string describe(const std::string &cacheDir, const CachePruning &p) {
  return cacheDir + ": removed " + std::to_string(p.entriesRemoved) +
         " trainers, kept " + std::to_string(p.entriesKept) + "; " +
         formatBytes(p.bytesBefore) + " -> " + formatBytes(p.bytesAfter);
}

double parseByteSize(const std::string &flag, const std::string &text) {
  const char *begin = text.c_str();
  char *end = nullptr;
  const double value = std::strtod(begin, &end);
  std::string unit = end ? std::string(end) : "";
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b'))
    unit.pop_back();
  static const std::pair<const char *, double> units[] = {
      {"", 1}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}};
  if (end != begin && std::isfinite(value) && value >= 0)
    for (const auto &[name, scale] : units)
      if (unit == name)
        return value * scale;
  throw InputError(flag + " must be a size in bytes such as 500M, 2G or 0, "
                          "got '" + printable(text) + "'");
}

} // namespace ccrnn::driver
