//===- System.cpp - Processes and files -------------------------*- C++ -*-===//

#include "System.h"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ccrnn::driver {

int runProgram(const std::vector<std::string> &argv, std::string &output,
               const std::string *input, int timeoutSeconds) {
  output.clear();
  const pid_t parent = getpid();
  int out[2], in[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) != 0)
    return 127;
  if (input && pipe2(in, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return 127;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(out[0]);
    close(out[1]);
    if (input) {
      close(in[0]);
      close(in[1]);
    }
    return 127;
  }
  if (pid == 0) {
    // Killed with its parent (a killed ccrnn-train leaves no compiler
    // running on), and in a process group of its own, which a timeout
    // kills whole (the compiler driver's own children too).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    setpgid(0, 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    if (input)
      dup2(in[0], 0);
    else if (int devNull = open("/dev/null", O_RDONLY); devNull >= 0)
      dup2(devNull, 0);
    std::vector<char *> args;
    for (const std::string &a : argv)
      args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::string msg = "cannot run " + argv[0] + ": " + std::strerror(errno);
    (void)!write(2, msg.data(), msg.size());
    _exit(127);
  }
  close(out[1]);
  if (input) {
    close(in[0]);
    // A child that exits early must not kill us with SIGPIPE.
    struct sigaction ignore = {}, old;
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old);
    (void)!write(in[1], input->data(), input->size());
    sigaction(SIGPIPE, &old, nullptr);
    close(in[1]);
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::seconds(timeoutSeconds);
  bool timedOut = false;
  char buf[4096];
  while (true) {
    int wait = -1;
    if (timeoutSeconds > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - Clock::now());
      wait = int(std::max<int64_t>(0, left.count()));
    }
    struct pollfd readable = {out[0], POLLIN, 0};
    const int ready = poll(&readable, 1, wait);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready == 0) {
      timedOut = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      break;
    }
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    output.append(buf, size_t(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return 127;
  if (timedOut)
    return kTimedOut;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string findProgram(const std::string &name) {
  if (name.find('/') != std::string::npos)
    return access(name.c_str(), X_OK) == 0 ? name : "";
  const char *path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

std::string selfDirectory() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return ".";
  std::string exe(buf, size_t(n));
  size_t slash = exe.rfind('/');
  return slash == std::string::npos ? "." : exe.substr(0, slash);
}

std::string readWholeFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    throw std::runtime_error(path + ": cannot read");
  return ss.str();
}

std::string shellJoin(const std::vector<std::string> &argv) {
  std::string s;
  for (const std::string &a : argv) {
    if (!s.empty())
      s += ' ';
    bool plain = !a.empty() &&
                 a.find_first_not_of(
                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                     "QRSTUVWXYZ0123456789-_./=+:,@%") == std::string::npos;
    if (plain) {
      s += a;
      continue;
    }
    s += '\'';
    for (char c : a)
      s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    s += '\'';
  }
  return s;
}

std::string isoTime(std::time_t t) {
  char buf[32];
  std::tm tm;
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double physicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? double(pages) * double(size) : 0;
}

std::string formatNumber(double value) {
  std::ostringstream s;
  s << value;
  return s.str();
}

std::string formatBytes(double bytes) {
  static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 6) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, bytes < 10 && unit ? "%.1f %s" : "%.0f %s",
                bytes, units[unit]);
  return text;
}

static bool isControl(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool hasControlCharacter(const std::string &s) {
  return std::any_of(s.begin(), s.end(), isControl);
}

std::string printable(const std::string &s) {
  std::string out = s;
  std::replace_if(out.begin(), out.end(), isControl, '?');
  return out;
}

void syncFile(const std::string &path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0)
      close(fd);
    throw std::runtime_error(path + ": cannot sync: " + std::strerror(err));
  }
  close(fd);
}

void makePrivateDirectories(const std::string &path) {
  std::string prefix;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos)
      slash = path.size();
    prefix = path.substr(0, slash);
    start = slash + 1;
    if (prefix.empty() || prefix == "." || prefix == "..")
      continue;
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      throw std::runtime_error(prefix + ": cannot create: " +
                               std::strerror(errno));
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error(path + ": cannot create: not a directory");
}

// Owned by this user or root.
static bool ownedByUs(const struct stat &st) {
  return st.st_uid == geteuid() || st.st_uid == 0;
}

static std::string modeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", unsigned(mode & 07777));
  return text;
}

std::string untrustedReason(const std::string &path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0)
    return path + ": " + std::strerror(errno);
  if (S_ISLNK(st.st_mode))
    return path + " is a symbolic link";
  if (!ownedByUs(st))
    return path + " is owned by user " + std::to_string(st.st_uid) +
           ", not by you";
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return path + " is writable by others (mode " + modeText(st.st_mode) +
           ")";
  // The directories above: followed as the kernel resolves the path.
  char resolved[PATH_MAX];
  if (!realpath(path.c_str(), resolved))
    return path + ": " + std::strerror(errno);
  std::string dir = resolved;
  while (true) {
    const size_t slash = dir.rfind('/');
    if (slash == std::string::npos)
      break;
    dir = slash == 0 ? "/" : dir.substr(0, slash);
    if (stat(dir.c_str(), &st) != 0)
      return dir + ": " + std::strerror(errno);
    if (!ownedByUs(st))
      return dir + " is owned by user " + std::to_string(st.st_uid) +
             ", not by you";
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
      return dir + " is writable by others (mode " + modeText(st.st_mode) +
             ")";
    if (dir == "/")
      break;
  }
  return "";
}

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || !name[0])
    return "host";
  return name;
}

FileLock::FileLock(const std::string &path, bool wait) {
  fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return;
  while (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0)
    if (errno != EINTR) {
      close(fd);
      fd = -1;
      return;
    }
}

FileLock::~FileLock() {
  if (fd >= 0)
    close(fd); // releases the lock
}

} // namespace ccrnn::driver
