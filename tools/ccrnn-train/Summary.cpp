//===- Summary.cpp - ccrnn-train's closing tables on stdout -----*- C++ -*-===//

#include "Summary.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace ccrnn::train {

using namespace driver;

void printSummary(const std::vector<ModelSummary> &summary) {
  size_t w = 5;
  bool accuracy = false;
  for (const ModelSummary &m : summary) {
    w = std::max(w, m.model.size());
    accuracy = accuracy || std::isfinite(m.testAccMean);
  }
  if (accuracy) {
    std::printf("%-*s  %5s  %-23s  %-23s  %-23s\n", int(w), "model", "seeds",
                "final val loss", "test loss", "test accuracy");
    for (const ModelSummary &m : summary)
      std::printf("%-*s  %5" PRId64
                  "  %10.6g +- %-9.3g  %10.6g +- %-9.3g  %10.4f +- %-9.3g\n",
                  int(w), m.model.c_str(), m.seeds, m.valMean, m.valSem,
                  m.testMean, m.testSem, m.testAccMean, m.testAccSem);
    std::fflush(stdout);
    return;
  }
  std::printf("%-*s  %5s  %-23s  %-23s\n", int(w), "model", "seeds",
              "final val loss", "test loss");
  for (const ModelSummary &m : summary)
    std::printf("%-*s  %5" PRId64 "  %10.6g +- %-9.3g  %10.6g +- %-9.3g\n",
                int(w), m.model.c_str(), m.seeds, m.valMean, m.valSem,
                m.testMean, m.testSem);
  std::fflush(stdout);
}

/// Per grid point its summary table; then, for the models with a
/// cerebellum, their final validation loss relative to their baseline.
void printSweepSummary(const Sweep &sweep) {
  const auto &points = sweep.points();
  for (size_t i = 0; i < points.size(); ++i) {
    std::printf("%s%s\n", i ? "\n" : "", points[i].dir.c_str());
    printSummary(sweep.summaries()[i]);
  }
  bool header = false;
  for (size_t i = 0; i < points.size(); ++i)
    for (const SweepRelative &r : sweep.relatives()[i]) {
      if (!header)
        std::printf("\nfinal val loss ratio (below 1: the model with a "
                    "cerebellum ends lower)\n");
      header = true;
      std::printf("%s  %s / %s  %.6g +- %.3g\n", points[i].dir.c_str(),
                  r.model.c_str(), r.baseline.c_str(), r.mean, r.sem);
    }
  std::fflush(stdout);
}
void printProgress(const std::vector<RunProgress> &progress) {
  size_t w = 0;
  for (const RunProgress &p : progress)
    w = std::max(w, p.name.size());
  for (const RunProgress &p : progress) {
    const double percent =
        p.epochsTotal > 0 ? 100.0 * double(p.epochsDone) / double(p.epochsTotal)
                          : 0.0;
    const std::string label =
        w ? p.name + std::string(w - p.name.size() + 2, ' ') : "";
    std::printf("%sepochs %" PRId64 "/%" PRId64 " (%.0f%%)  %s\n",
                label.c_str(), p.epochsDone, p.epochsTotal, percent,
                p.status.c_str());
  }
  std::fflush(stdout);
}

} // namespace ccrnn::train
