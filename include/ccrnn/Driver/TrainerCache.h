//===- TrainerCache.h - The cache of compiled trainers ----------*- C++ -*-===//
//
// The directory of trainers compiled on the fly (getTrainer): one entry
// directory per trainer, named by its key's hash, built under the lock
// file ".<entry>.lock" in a private "<entry>.tmp-<host>-<pid>" directory
// and renamed into place.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_TRAINERCACHE_H
#define CCRNN_DRIVER_TRAINERCACHE_H

#include <cstdint>
#include <string>

namespace ccrnn::driver {

/// The lock file of cache entry `entry` (its directory's name).
std::string cacheEntryLockPath(const std::string &cacheDir,
                               const std::string &entry);

/// Removes the build directories of `entry` that a killed build left
/// ("<entry>.tmp-*"); the caller holds the entry's lock, so no build of it
/// is running.
void removeStaleBuilds(const std::string &cacheDir, const std::string &entry);

/// Marks entry `entryDir` as used now (what pruneTrainerCache keeps).
void markCacheEntryUsed(const std::string &entryDir);

struct CachePruning {
  int64_t entriesRemoved = 0, entriesKept = 0;
  double bytesBefore = 0, bytesAfter = 0;
};

/// Removes the least recently used entries of `cacheDir` until the cache
/// holds at most `maxBytes`, and every build a killed process left. An
/// entry being built or loaded for a build (its lock held) is kept.
/// InputError when `cacheDir` is not a trainer cache directory.
CachePruning pruneTrainerCache(const std::string &cacheDir, double maxBytes);

/// "<dir>: removed N trainers, kept M; 12 MB -> 3.1 MB".
std::string describe(const std::string &cacheDir, const CachePruning &p);

/// "500M", "2G", "10k", "0", "1.5GB" (powers of 1000, as formatBytes
/// prints): the byte count; InputError naming `flag` otherwise.
double parseByteSize(const std::string &flag, const std::string &text);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_TRAINERCACHE_H
