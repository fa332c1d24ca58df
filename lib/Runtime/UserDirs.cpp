//===- UserDirs.cpp - The user's home and cache directories -----*- C++ -*-===//

#include "ccrnn/Runtime/UserDirs.h"

#include <cstdlib>
#include <vector>

#include <pwd.h>
#include <unistd.h>

namespace ccrnn {

static std::string absoluteEnv(const char *name) {
  const char *value = std::getenv(name);
  return value && value[0] == '/' ? value : "";
}

std::string homeDirectory() {
  if (std::string home = absoluteEnv("HOME"); !home.empty())
    return home;
  // As ssh does: the password database knows the home of a user whose
  // environment lost HOME (a cron job, `env -i`).
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? size_t(size) : 16384);
  struct passwd pw, *found = nullptr;
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &found) == 0 &&
      found && found->pw_dir && found->pw_dir[0] == '/')
    return found->pw_dir;
  return "";
}

std::string userCacheDirectory() {
  if (std::string xdg = absoluteEnv("XDG_CACHE_HOME"); !xdg.empty())
    return xdg;
  std::string home = homeDirectory();
  return home.empty() ? "" : home + "/.cache";
}

} // namespace ccrnn
