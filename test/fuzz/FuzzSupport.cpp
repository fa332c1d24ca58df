//===- FuzzSupport.cpp - What the fuzz harnesses share --------------------===//

#include "Harness.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <unistd.h>

namespace fs = std::filesystem;

namespace ccrnn::fuzz {

const std::string &scratchDir() {
  // Never destroyed: the exit handler that removes the directory runs after
  // the destructors of statics made before it.
  static const std::string *dir = [] {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec)
      base = "/tmp";
    fs::path d = base / ("ccrnn-fuzz-" + std::to_string(getpid()));
    fs::remove_all(d, ec);
    fs::create_directories(d);
    auto *path = new std::string(d.string());
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(*dir, ignored);
    });
    return path;
  }();
  return *dir;
}

std::string writeScratchFile(const std::string &name, const uint8_t *data,
                             size_t size) {
  const std::string path = (fs::path(scratchDir()) / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(data), std::streamsize(size));
  out.close();
  if (!out)
    finding("support", "cannot write " + path);
  return path;
}

void finding(const char *harness, const std::string &what) {
  std::fprintf(stderr, "ccrnn-fuzz: %s: %s\n", harness, what.c_str());
  std::fflush(stderr);
  std::abort();
}

} // namespace ccrnn::fuzz
