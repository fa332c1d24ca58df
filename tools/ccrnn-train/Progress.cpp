//===- Progress.cpp - ccrnn-train's progress on stderr ----------*- C++ -*-===//

#include "Progress.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace ccrnn::train {

using driver::BatchReport;
using driver::EpochReport;

namespace {

std::string duration(double seconds) {
  long s = long(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

/// The scores after the losses (accuracies as fractions), and the
/// learning rate when a schedule changes it.
std::string moreScores(const EpochReport &r) {
  std::string text;
  char buf[96];
  for (const auto &[name, value] : r.moreScores) {
    bool fraction = name.find("accuracy") != std::string::npos;
    std::snprintf(buf, sizeof buf, fraction ? " %s %.4f" : " %s %.6g",
                  name.c_str(), value);
    text += buf;
  }
  if (std::isfinite(r.lr)) {
    std::snprintf(buf, sizeof buf, " lr %g", r.lr);
    text += buf;
  }
  return text;
}

} // namespace

Progress::Progress(bool quiet) : quiet(quiet), tty(isatty(2)) {
  start = Clock::now();
}

void Progress::epoch(const EpochReport &r) {
  if (quiet)
    return;
  last = r;
  haveEpoch = true;
  // On a terminal the next batch redraws the bar.
  if (!tty)
    std::fprintf(stderr,
                 "seed %" PRIu64 " %s epoch %" PRId64 "/%" PRId64
                 ": train_loss %.6g val_loss %.6g%s (%.2f s)\n",
                 r.seed, r.model.c_str(), r.epoch, r.epochs, r.trainLoss,
                 r.valLoss, moreScores(r).c_str(), r.seconds);
  // Schedule events get a line of their own, also on a terminal.
  if (r.stoppedEarly) {
    finish();
    std::fprintf(stderr,
                 "seed %" PRIu64 " %s: early stopping after epoch %" PRId64
                 " (no lower val_loss since epoch %" PRId64 ")\n",
                 r.seed, r.model.c_str(), r.epoch, r.bestEpoch);
  } else if (r.nextLr < r.lr && r.epoch < r.epochs) {
    finish();
    std::fprintf(stderr,
                 "seed %" PRIu64 " %s: learning rate %g -> %g after epoch "
                 "%" PRId64 " (val_loss on a plateau)\n",
                 r.seed, r.model.c_str(), r.lr, r.nextLr, r.epoch);
  }
}

void Progress::batch(const BatchReport &r) {
  if (quiet || !tty)
    return;
  auto now = Clock::now();
  if (now - lastDraw < std::chrono::milliseconds(100) && r.batch != r.batches)
    return;
  lastDraw = now;
  if (firstDone < 0)
    firstDone = r.epochsDone; // a resumed run starts part-way
  double done = double(r.epochsDone) + double(r.batch) / double(r.batches);
  double frac = done / double(r.epochsTotal);
  double elapsed = std::chrono::duration<double>(now - start).count();
  double rate = (done - double(firstDone)) / elapsed;
  std::string eta = rate > 0 ? duration((double(r.epochsTotal) - done) / rate)
                             : std::string("?");
  const int width = 24;
  int fill = int(frac * width);
  std::string bar = std::string(fill, '#') + std::string(width - fill, '-');
  // The pairs in training (several with --jobs or --ensemble), each as its
  // batches last reported it; a pair not heard of for 2 s is done.
  char what[160];
  std::snprintf(what, sizeof what, "seed %zu/%zu %s epoch %" PRId64 "/%" PRId64,
                r.seedIndex + 1, r.seeds, r.model.c_str(), r.epoch, r.epochs);
  active[{r.seedIndex, r.modelIndex}] = {what, now};
  std::string label;
  for (auto it = active.begin(); it != active.end();) {
    if (now - it->second.second > std::chrono::seconds(2)) {
      it = active.erase(it);
      continue;
    }
    label += (label.empty() ? "" : ", ") + it->second.first;
    ++it;
  }
  // Shown one last time at its last batch.
  if (r.epoch == r.epochs && r.batch == r.batches)
    active.erase({r.seedIndex, r.modelIndex});
  // The losses of the model's last finished epoch (one pair in training).
  std::string losses;
  if (active.size() == 1 && haveEpoch && last.seedIndex == r.seedIndex &&
      last.modelIndex == r.modelIndex) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " train %.4g val %.4g", last.trainLoss,
                  last.valLoss);
    losses = buf;
  }
  std::fprintf(stderr, "\r%s [%s] %3.0f%%%s ETA %s\x1b[K", label.c_str(),
               bar.c_str(), 100 * frac, losses.c_str(), eta.c_str());
  std::fflush(stderr);
  drawn = true;
}

void Progress::finish() {
  if (drawn)
    std::fputc('\n', stderr);
  drawn = false;
}

} // namespace ccrnn::train
