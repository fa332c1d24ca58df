//===- Replay.cpp - The fuzz harnesses over files, without libFuzzer ------===//
//
// ccrnn-fuzz-replay DIR...
//   Each DIR holds a directory per harness (model, npz, idx, resume,
//   feedback) of inputs: the seed corpus (test/fuzz/corpus) or the inputs
//   a fuzzer crashed on once (test/fuzz/regressions). Every input is run
//   through its harness (Harness.h), in file-name order; a line per
//   directory says how many ran ("corpus/npz: 5 inputs"). A finding
//   aborts (the test fails, naming the harness); the last "replaying" line
//   on stderr names the input.
// ccrnn-fuzz-replay --harness NAME FILE...
//   The given files through one harness (a crash input to debug).
// ccrnn-fuzz-replay --write-resume-seeds DIR
//   The resume harness's run files, for its seed corpus (make-corpus.sh).
//
// Built in every build (g++ included), so that the normal test suite
// (replay.test) runs every regression input; in the sanitizer build the
// same run is checked by ASan and UBSan.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace ccrnn::fuzz;

namespace {

struct NamedHarness {
  const char *name;
  int (*run)(const uint8_t *, size_t);
};

const NamedHarness kHarnesses[] = {{"model", modelText},
                                   {"npz", npzFile},
                                   {"idx", idxFile},
                                   {"resume", resumeFiles},
                                   {"feedback", feedbackFile}};

const NamedHarness *find(const std::string &name) {
  for (const NamedHarness &h : kHarnesses)
    if (name == h.name)
      return &h;
  return nullptr;
}

void replay(const NamedHarness &h, const fs::path &file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "ccrnn-fuzz-replay: cannot read %s\n",
                 file.c_str());
    std::exit(2);
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replaying %s: %s\n", h.name, file.c_str());
  h.run(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
}

std::vector<fs::path> filesIn(const fs::path &dir) {
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

int main(int argc, char **argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write-resume-seeds") == 0) {
    writeResumeSeeds(argv[2]);
    return 0;
  }
  if (argc >= 3 && std::strcmp(argv[1], "--harness") == 0) {
    const NamedHarness *h = find(argv[2]);
    if (!h) {
      std::fprintf(stderr, "ccrnn-fuzz-replay: no harness '%s'\n", argv[2]);
      return 2;
    }
    for (int i = 3; i < argc; ++i)
      replay(*h, argv[i]);
    std::printf("%s: %d inputs\n", h->name, argc - 3);
    return 0;
  }
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: ccrnn-fuzz-replay DIR...\n"
                 "       ccrnn-fuzz-replay --harness NAME FILE...\n"
                 "       ccrnn-fuzz-replay --write-resume-seeds DIR\n");
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    const fs::path root = argv[i];
    if (!fs::is_directory(root)) {
      std::fprintf(stderr, "ccrnn-fuzz-replay: %s: not a directory\n",
                   argv[i]);
      return 2;
    }
    for (const NamedHarness &h : kHarnesses) {
      const fs::path dir = root / h.name;
      if (!fs::is_directory(dir))
        continue;
      const std::vector<fs::path> files = filesIn(dir);
      for (const fs::path &file : files)
        replay(h, file);
      std::printf("%s/%s: %zu inputs\n", root.filename().c_str(), h.name,
                  files.size());
    }
  }
  return 0;
}
