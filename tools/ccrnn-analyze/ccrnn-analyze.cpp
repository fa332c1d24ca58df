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

#include "ccrnn/Driver/Feedback.h"
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

const npz::Array &member(const npz::Archive &a, const std::string &file,
                         const std::string &name, size_t rank) {
  auto it = a.find(name);
  if (it == a.end())
    throw Failure(file + ": no array '" + name +
                  "' (not a feedback file of ccrnn-train --record-grads?)");
  if (it->second.shape.size() != rank)
    throw Failure(file + ": '" + name + "' has rank " +
                  std::to_string(it->second.shape.size()) + ", expected " +
                  std::to_string(rank));
  return it->second;
}

std::vector<float> slice(const npz::Array &a, int64_t record) {
  int64_t n = a.numElements() / a.shape[0];
  return {a.data.begin() + record * n, a.data.begin() + (record + 1) * n};
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

/// One file's measures, per recorded batch; prints the table.
json analyze(const std::string &file) {
  npz::Archive a;
  try {
    a = npz::readNpz(file);
  } catch (const npz::Error &e) {
    throw Failure(e.what());
  }
  const npz::Array &epoch = member(a, file, "epoch", 1);
  const npz::Array &synthetic = member(a, file, "synthetic", 5);
  const npz::Array &target = member(a, file, "target_grad", 5);
  const npz::Array &truth = member(a, file, "true_grad", 5);
  int64_t records = epoch.shape[0], dim = synthetic.shape[4];
  for (const npz::Array *x : {&synthetic, &target, &truth})
    if (x->shape != synthetic.shape || x->shape[0] != records)
      throw Failure(file + ": the gradient arrays disagree in shape");
  // The shapes are the file's, not to be trusted: every axis the measures
  // divide by or index with is checked first.
  auto nonEmpty = [&](const npz::Array &x, const char *name) {
    for (int64_t n : x.shape)
      if (n < 1)
        throw Failure(file + ": '" + name + "' has an empty axis (shape " +
                      shapeText(x.shape) + ")");
  };
  nonEmpty(synthetic, "synthetic");
  for (double e : epoch.data)
    if (!(e >= 0 && e <= 1e9 && e == std::floor(e)))
      throw Failure(file + ": 'epoch' holds " + std::to_string(e) +
                    ", not an epoch");
  const npz::Array *activity = nullptr;
  if (a.count("activity")) {
    activity = &member(a, file, "activity", 5);
    nonEmpty(*activity, "activity");
    if (activity->shape[0] != records)
      throw Failure(file + ": 'activity' has " +
                    std::to_string(activity->shape[0]) +
                    " records, the gradients " + std::to_string(records));
  }

  std::printf("%s\n%6s %22s %19s %22s %9s %13s\n", file.c_str(), "epoch",
              "cosine_synthetic_true", "cosine_target_true",
              "population_correlation", "sparsity", "active_units");
  json rows = json::array();
  for (int64_t r = 0; r < records; ++r) {
    std::vector<float> s = slice(synthetic, r), g = slice(target, r),
                       t = slice(truth, r);
    int64_t vectors = int64_t(s.size()) / dim;
    double cosSynth = driver::meanCosine(s.data(), t.data(), vectors, dim);
    double cosTarget = driver::meanCosine(g.data(), t.data(), vectors, dim);
    driver::ActivityStats stats{NAN, NAN, NAN};
    if (activity) {
      std::vector<float> act = slice(*activity, r);
      int64_t units = activity->shape[4];
      stats = driver::activityStats(act.data(), int64_t(act.size()) / units,
                                    units);
    }
    std::printf("%6lld %22.4f %19.4f %22.4f %9.4f %13.4f\n",
                (long long)epoch.data[r], cosSynth, cosTarget,
                stats.populationCorrelation, stats.sparsity,
                stats.activeUnits);
    rows.push_back({{"epoch", int64_t(epoch.data[r])},
                    {"cosine_synthetic_true", number(cosSynth)},
                    {"cosine_target_true", number(cosTarget)},
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
  } catch (const CLI::ParseError &e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    json all = json::array();
    for (const std::string &file : files)
      all.push_back(analyze(file));
    if (!jsonOut.empty()) {
      std::string tmp = jsonOut + ".tmp";
      std::ofstream out(tmp);
      out << all.dump(2) << "\n";
      out.close();
      if (!out || std::rename(tmp.c_str(), jsonOut.c_str()) != 0)
        throw Failure(jsonOut + ": cannot write");
    }
  } catch (const Failure &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "ccrnn-analyze: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
