//===- RunResults.cpp - What a run has measured -----------------*- C++ -*-===//

#include "ccrnn/Driver/RunResults.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Metrics.h"

#include <algorithm>
#include <type_traits>

namespace ccrnn::driver {

RunResults::RunResults(size_t S, size_t M, int64_t E,
                       std::vector<std::string> metrics, int64_t C, int64_t Lt)
    : S(S), M(M), E(E), metrics(std::move(metrics)), C(C), Lt(Lt) {
  const size_t pairs = S * M;
  scores.assign(pairs * this->metrics.size() * E, kNaN);
  for (std::vector<double> *perEpoch :
       {&epochSeconds, &dataSeconds, &computeSeconds, &epochLr})
    perEpoch->assign(pairs * E, kNaN);
  for (std::vector<int64_t> *perPair : {&epochsDone, &finished, &bestEpoch})
    perPair->assign(pairs, 0);
  for (std::vector<double> *perPair :
       {&bestVal, &testLoss, &testDysmetria, &testAccuracy})
    perPair->assign(pairs, kNaN);
  trainSeconds.assign(pairs, 0);
  trajectories.assign(pairs * C * Lt * 2, kNaN);
}

double RunResults::finalValLoss(size_t k) const {
  return epochsDone[k] ? score(k, 1, epochsDone[k] - 1) : kNaN;
}

int64_t RunResults::totalEpochsDone() const {
  int64_t done = 0;
  for (int64_t n : epochsDone)
    done += n;
  return done;
}

bool RunResults::anyFinished() const {
  return std::find(finished.begin(), finished.end(), 1) != finished.end();
}

std::vector<std::vector<double>> RunResults::meanLines(size_t m) const {
  const int64_t out = Lt * 2;
  std::vector<std::vector<double>> lines(C, std::vector<double>(out, 0.0));
  int64_t n = 0;
  for (size_t s = 0; s < S; ++s) {
    if (!finished[pair(s, m)])
      continue;
    ++n;
    for (int64_t c = 0; c < C; ++c)
      for (int64_t j = 0; j < out; ++j)
        lines[c][j] += trajectories[(pair(s, m) * C + c) * out + j];
  }
  for (auto &line : lines)
    for (double &v : line)
      v = n ? v / double(n) : kNaN;
  return lines;
}

std::vector<ModelSummary>
RunResults::summarize(const std::vector<std::string> &models,
                      bool classifies) const {
  std::vector<ModelSummary> out;
  for (size_t m = 0; m < M; ++m) {
    std::vector<double> vals, tests, accs, dys;
    for (size_t s = 0; s < S; ++s) {
      size_t k = pair(s, m);
      if (!finished[k])
        continue;
      vals.push_back(finalValLoss(k));
      tests.push_back(testLoss[k]);
      accs.push_back(testAccuracy[k]);
      dys.push_back(testDysmetria[k]);
    }
    ModelSummary ms{models[m], int64_t(vals.size()), mean(vals), sem(vals),
                    mean(tests), sem(tests),          mean(dys),  sem(dys)};
    if (classifies) {
      ms.testAccMean = mean(accs);
      ms.testAccSem = sem(accs);
    }
    out.push_back(ms);
  }
  return out;
}

/// Calls fn(name, shape, table) for every table of `r` (const or not), in
/// the order of resume.npz.
template <typename Results, typename Fn>
static void forEachTable(Results &r, Fn fn) {
  const int64_t s = int64_t(r.S), m = int64_t(r.M), E = r.E;
  fn("scores", {s, m, int64_t(r.metrics.size()), E}, r.scores);
  fn("epoch_seconds", {s, m, E}, r.epochSeconds);
  fn("data_seconds", {s, m, E}, r.dataSeconds);
  fn("compute_seconds", {s, m, E}, r.computeSeconds);
  fn("epoch_lr", {s, m, E}, r.epochLr);
  fn("epochs_done", {s, m}, r.epochsDone);
  fn("finished", {s, m}, r.finished);
  fn("best_epoch", {s, m}, r.bestEpoch);
  fn("best_val_loss", {s, m}, r.bestVal);
  fn("test_loss", {s, m}, r.testLoss);
  fn("test_dysmetria", {s, m}, r.testDysmetria);
  fn("test_accuracy", {s, m}, r.testAccuracy);
  fn("train_seconds", {s, m}, r.trainSeconds);
  if (r.C)
    fn("trajectories", {s, m, r.C, r.Lt, 2}, r.trajectories);
}

void RunResults::write(npz::Archive &archive) const {
  forEachTable(*this, [&](const char *name, std::vector<int64_t> shape,
                          const auto &table) {
    npz::Array &a = archive[name];
    a.shape = std::move(shape);
    a.dtype = std::is_same_v<std::decay_t<decltype(table)>,
                             std::vector<double>>
                  ? npz::DType::F64
                  : npz::DType::I64;
    a.data.assign(table.begin(), table.end());
  });
}

void RunResults::checkValues(const std::string &what) const {
  for (size_t k = 0; k < S * M; ++k) {
    const std::string pair = "seed index " + std::to_string(k / M) +
                             ", model index " + std::to_string(k % M);
    auto bad = [&](const char *table, int64_t value, const std::string &want) {
      throw InputError(what + ": " + table + " of " + pair + " is " +
                       std::to_string(value) + ", expected " + want);
    };
    if (epochsDone[k] < 0 || epochsDone[k] > E)
      bad("epochs_done", epochsDone[k], "0 to " + std::to_string(E));
    if (finished[k] != 0 && finished[k] != 1)
      bad("finished", finished[k], "0 or 1");
    if (bestEpoch[k] < 0 || bestEpoch[k] > epochsDone[k])
      bad("best_epoch", bestEpoch[k],
          "0 to its epochs done (" + std::to_string(epochsDone[k]) + ")");
  }
}

void RunResults::copyPair(const RunResults &from, size_t k) {
  // Every table is pair-major: pair k's rows are the k-th of S * M equal
  // parts.
  std::vector<const void *> sources;
  forEachTable(from, [&](const char *, std::vector<int64_t>,
                         const auto &table) { sources.push_back(&table); });
  size_t i = 0;
  forEachTable(*this, [&](const char *, std::vector<int64_t>, auto &table) {
    using Table = std::decay_t<decltype(table)>;
    const Table &source = *static_cast<const Table *>(sources[i++]);
    const size_t stride = table.size() / (S * M);
    std::copy_n(source.begin() + k * stride, stride,
                table.begin() + k * stride);
  });
}

void RunResults::read(const ArrayGetter &get) {
  forEachTable(*this, [&](const char *name, std::vector<int64_t> shape,
                          auto &table) {
    const npz::Array &a = get(name, shape);
    table.assign(a.data.begin(), a.data.end());
  });
}

} // namespace ccrnn::driver
