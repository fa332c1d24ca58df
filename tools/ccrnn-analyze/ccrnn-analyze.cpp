//===- ccrnn-analyze.cpp - Measures on recorded feedback ------------------===//
//
// ccrnn-analyze feedback FILE.npz... [--json OUT]
//
// Reads the feedback files ccrnn-train --record-grads writes
// (feedback_seed<S>_<model>.npz: per recorded batch its epoch, and at every
// window boundary the state, the synthetic gradient, the target gradient,
// the true full-BPTT gradient and the synthesizer's hidden activity) and
// prints, per recorded batch, the cosine similarities of the synthetic and
// of the target gradient with the true one, and the population correlation
// and sparsity of the synthesizer's hidden layer (Feedback.h). Errors:
// "ccrnn-analyze: error: ..." and exit status 2.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Feedback.h"
#include "ccrnn/Runtime/AtomicFile.h"
#include "ccrnn/Runtime/Npz.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace ccrnn;
using json = nlohmann::json;

namespace {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

/// One file's measures, per recorded batch (analyzeFeedbackFile).
std::vector<driver::FeedbackRecord> analyze(const std::string &file) {
  try {
    return driver::analyzeFeedbackFile(file);
  } catch (const driver::InputError &e) {
    throw Failure(e.what());
  }
}

void printTable(const std::string &file,
                const std::vector<driver::FeedbackRecord> &records) {
  std::printf("%s\n%6s %22s %19s %22s %9s %13s\n", file.c_str(), "epoch",
              "cosine_synthetic_true", "cosine_target_true",
              "population_correlation", "sparsity", "active_units");
  for (const driver::FeedbackRecord &r : records)
    std::printf("%6lld %22.4f %19.4f %22.4f %9.4f %13.4f\n",
                (long long)r.epoch, r.cosineSynthetic, r.cosineTarget,
                r.activity.populationCorrelation, r.activity.sparsity,
                r.activity.activeUnits);
}

json toJson(const std::string &file,
            const std::vector<driver::FeedbackRecord> &records) {
  json rows = json::array();
  for (const driver::FeedbackRecord &r : records) {
    const driver::ActivityStats &stats = r.activity;
    rows.push_back({{"epoch", r.epoch},
                    {"cosine_synthetic_true", number(r.cosineSynthetic)},
                    {"cosine_target_true", number(r.cosineTarget)},
                    {"population_correlation",
                     number(stats.populationCorrelation)},
                    {"sparsity", number(stats.sparsity)},
                    {"active_units", number(stats.activeUnits)}});
  }
  return {{"file", file}, {"records", rows}};
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"ccrnn-analyze: measures on the files ccrnn-train writes"};
  app.require_subcommand(1);
  CLI::App *feedback = app.add_subcommand(
      "feedback",
      "Cosine similarity of the synthetic and the target gradient with the "
      "true full-BPTT gradient, and the population correlation and sparsity "
      "of the synthesizer's hidden layer, per recorded batch of the "
      "feedback files of ccrnn-train --record-grads");
  std::vector<std::string> files;
  std::string jsonOut;
  feedback->add_option("files", files, "feedback_seed<S>_<model>.npz files")
      ->required()
      ->check(CLI::ExistingFile);
  feedback->add_option("--json", jsonOut, "Also write the measures as JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    // One line, as every other error.
    std::fprintf(stderr, "ccrnn-analyze: error: %s\n", e.what());
    return 2;
  }
  try {
    // Every file is read and the JSON written before anything is printed:
    // a bad file or an unwritable --json prints no table.
    std::vector<std::vector<driver::FeedbackRecord>> measures;
    for (const std::string &file : files)
      measures.push_back(analyze(file));
    if (!jsonOut.empty()) {
      json all = json::array();
      for (size_t i = 0; i < files.size(); ++i)
        all.push_back(toJson(files[i], measures[i]));
      try {
        writeFileAtomic(jsonOut, all.dump(2) + "\n");
      } catch (const std::runtime_error &e) {
        throw Failure(e.what());
      }
    }
    for (size_t i = 0; i < files.size(); ++i)
      printTable(files[i], measures[i]);
  } catch (const Failure &e) {
    std::fprintf(stderr, "ccrnn-analyze: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
