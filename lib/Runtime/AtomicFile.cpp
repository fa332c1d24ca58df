//===- AtomicFile.cpp - Files replaced whole, never half-written -*- C++ -*-===//

#include "ccrnn/Runtime/AtomicFile.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ccrnn {

namespace {

[[noreturn]] void fail(const std::string &path, const std::string &what,
                       int err) {
  throw std::runtime_error(path + ": " + what + ": " + std::strerror(err));
}

// The process's umask, read without umask(2), which would change it for a
// moment under other threads.
mode_t processUmask() {
  static const mode_t mask = [] {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("Umask:", 0) == 0)
        return mode_t(std::strtol(line.c_str() + 6, nullptr, 8));
    return mode_t(022);
  }();
  return mask;
}

// The temporary of `path`, created and open as `fd`.
std::string createTemp(const std::string &path, int &fd) {
  std::string name = path + ".tmp-XXXXXX";
  std::vector<char> buf(name.begin(), name.end());
  buf.push_back('\0');
  fd = mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0)
    fail(path, "cannot create a temporary file", errno);
  name.assign(buf.data());
  // mkstemp's 0600 would make every output private; a new file's mode
  // is what the user's umask says.
  if (fchmod(fd, 0666 & ~processUmask()) != 0) {
    const int err = errno;
    close(fd);
    unlink(name.c_str());
    fail(path, "cannot create a temporary file", err);
  }
  return name;
}

} // namespace

std::string createTempFileFor(const std::string &path) {
  int fd;
  std::string name = createTemp(path, fd);
  close(fd);
  return name;
}

void renameOver(const std::string &tmp, const std::string &path) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    fail(path, "cannot rename " + tmp, err);
  }
}

void writeFileAtomic(const std::string &path, const std::string &bytes) {
  int fd;
  const std::string tmp = createTemp(path, fd);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      close(fd);
      unlink(tmp.c_str());
      fail(path, "cannot write " + tmp, err);
    }
    done += size_t(n);
  }
  if (close(fd) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    fail(path, "cannot write " + tmp, err);
  }
  renameOver(tmp, path);
}

} // namespace ccrnn
