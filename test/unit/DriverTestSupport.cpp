//===- DriverTestSupport.cpp - What the driver's tests share -------------===//

#include "DriverTestSupport.h"

#include "ccrnn/Driver/Error.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace ccrnn::test {
namespace {

std::vector<std::string> &createdDirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

void removeCreatedDirs() {
  for (const std::string &dir : createdDirs())
    fs::remove_all(dir);
}

} // namespace

std::string tempDir(const std::string &name) {
  // The list exists before the handler is registered, so it is destroyed
  // after the handler has run.
  static const bool registered =
      (createdDirs(), std::atexit(removeCreatedDirs) == 0);
  (void)registered;
  fs::path dir = fs::path(::testing::TempDir()) /
                 ("ccrnn-driver-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  createdDirs().push_back(dir.string());
  return dir.string();
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string inputErrorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const driver::InputError &e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace ccrnn::test
