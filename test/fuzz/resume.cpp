//===- resume.cpp - Fuzz harness: what --resume and --status read ---------===//
//
// A run directory made once per process (a run of two models on the unit
// tests' fake trainer, stopped after its first epoch: meta.json says
// "interrupted", resume.npz holds the results and the pair in training).
// The input replaces one of its files:
//   - meta.json when it starts with '{': read as --resume reads it
//     (readSavedRun: the settings, checked) and as --status and sweeps do
//     (readRunOutcome, readProgress);
//   - resume.npz otherwise: loaded into that run as --resume loads it
//     (Experiment::loadResume: the results tables, the pairs in training
//     and their optimizer states, each checked against the run).
// Each reader's error is an InputError naming the file.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

// Internal to the driver (readRunOutcome), by its path as the unit tests
// include it.
#include "../../lib/Driver/RunMeta.h"
#include "../unit/FakeTrainer.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/RunStore.h"
#include "ccrnn/Driver/Shards.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ccrnn::fuzz {

namespace {

struct Fixture {
  driver::TrainConfig config;
  std::vector<driver::ModelEntry> models;
  std::string dir, meta, resume;
};

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const Fixture &fixture() {
  static const Fixture f = [] {
    Fixture f;
    f.config = fake::smallConfig();
    f.config.epochs = 3;
    f.models = {fake::model("fake_a"), fake::model("fake_b")};
    f.dir = scratchDir() + "/run";
    std::atomic<bool> stop{false};
    driver::RunHooks hooks;
    hooks.gnuplot = "";
    hooks.stop = &stop;
    hooks.onEpoch = [&](const driver::EpochReport &) { stop = true; };
    if (driver::Experiment(f.config, f.models, f.dir, {"fuzz"}).run(hooks) !=
        driver::RunStatus::Interrupted)
      finding("resume", "the fixture run was not interrupted");
    f.meta = slurp(f.dir + "/meta.json");
    f.resume = slurp(f.dir + "/resume.npz");
    if (f.meta.empty() || f.resume.empty())
      finding("resume", "the fixture run left no meta.json or resume.npz");
    return f;
  }();
  return f;
}

void put(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

} // namespace

void writeResumeSeeds(const std::string &dir) {
  put(dir + "/meta.json", fixture().meta);
  put(dir + "/resume.npz", fixture().resume);
}

int resumeFiles(const uint8_t *data, size_t size) {
  const Fixture &f = fixture();
  const std::string input(reinterpret_cast<const char *>(data), size);
  const bool meta = !input.empty() && input[0] == '{';
  put(f.dir + "/meta.json", meta ? input : f.meta);
  put(f.dir + "/resume.npz", meta ? f.resume : input);
  try {
    if (meta) {
      try {
        driver::readSavedRun(f.dir);
      } catch (const driver::InputError &) {
      }
      try {
        driver::readRunOutcome(f.dir, "--status " + f.dir);
      } catch (const driver::InputError &) {
      }
      driver::readProgress(f.dir);
    } else {
      driver::Experiment(f.config, f.models, f.dir, {"fuzz"}).loadResume();
    }
  } catch (const driver::InputError &) {
    // The reader's own error: a one-line message naming the file.
  }
  return 0;
}

} // namespace ccrnn::fuzz
