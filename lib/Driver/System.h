//===- System.h - Processes and files (internal to the driver) --*- C++ -*-===//

#ifndef CCRNN_LIB_DRIVER_SYSTEM_H
#define CCRNN_LIB_DRIVER_SYSTEM_H

#include "ccrnn/Runtime/AtomicFile.h" // writeFileAtomic, for the driver

#include <ctime>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// runProgram's status when the program ran out of time (as timeout(1)).
constexpr int kTimedOut = 124;

/// Runs argv[0] (looked up in PATH when it has no '/') with `argv`, with
/// stdout and stderr collected into `output`; stdin from `input` when not
/// null. Returns the exit status, 127 when it could not be started, 128 + n
/// when killed by signal n, kTimedOut when it ran longer than
/// `timeoutSeconds` (> 0) and was killed, with its process group. The
/// program is killed when this process dies.
int runProgram(const std::vector<std::string> &argv, std::string &output,
               const std::string *input = nullptr, int timeoutSeconds = 0);

/// `name` found in PATH (or `name` itself when it has a '/' and exists);
/// empty when not found.
std::string findProgram(const std::string &name);

/// The directory of the running executable.
std::string selfDirectory();

/// The whole file; throws std::runtime_error naming it.
std::string readWholeFile(const std::string &path);

/// `t` in UTC as ISO 8601, e.g. "2024-05-01T12:00:00Z".
std::string isoTime(std::time_t t);

/// The machine's physical memory in bytes (0 when unknown).
double physicalMemoryBytes();

/// A number as iostreams print it (6 significant digits), for messages.
std::string formatNumber(double value);

/// A byte count for messages, e.g. "1.6 PB", "512 MB".
std::string formatBytes(double bytes);

/// A command line for messages: arguments quoted where a shell needs it.
std::string shellJoin(const std::vector<std::string> &argv);

/// Flushes `path`'s data to the disk (fsync); std::runtime_error when it
/// cannot.
void syncFile(const std::string &path);

/// Whether `s` has a control character (a line break, ...): such text must
/// not reach a script line (gnuplot's, a job script's) or a one-line
/// message as it is.
bool hasControlCharacter(const std::string &s);
/// `s` with each control character shown as '?'.
std::string printable(const std::string &s);

/// Creates `path` and its missing parents with mode 0700 (only the user may
/// read or write them, as a cache of code must be). Throws
/// std::runtime_error naming the path.
void makePrivateDirectories(const std::string &path);

/// Why `path` cannot be trusted to hold code that only this user wrote, or
/// empty when it can: it must exist, not be a symbolic link, be owned by
/// this user (or root) and be writable by no one else. A directory in
/// `path`'s ancestry must be owned by this user or root and be writable by
/// no one else unless it is sticky (as /tmp): otherwise another user could
/// put their directory in its place.
std::string untrustedReason(const std::string &path);

/// This machine's name ("host" when it has none).
std::string hostName();

/// An exclusive flock(2) on `path` (created when missing), held for the
/// object's life; the constructor waits for it. When the file cannot be
/// opened or locked (a read-only cache, a file system without locks) the
/// object holds nothing and the caller goes on unlocked.
class FileLock {
public:
  /// Without `wait`, holds nothing when another process holds the lock.
  explicit FileLock(const std::string &path, bool wait = true);
  ~FileLock();
  bool held() const { return fd >= 0; }
  FileLock(const FileLock &) = delete;
  FileLock &operator=(const FileLock &) = delete;

private:
  int fd = -1;
};

} // namespace ccrnn::driver

#endif // CCRNN_LIB_DRIVER_SYSTEM_H
