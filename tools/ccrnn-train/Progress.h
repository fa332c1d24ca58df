//===- Progress.h - ccrnn-train's progress on stderr ------------*- C++ -*-===//
//
// A bar with an ETA on a terminal, one line per epoch otherwise, nothing
// with --quiet; schedule events (early stopping, a lower learning rate)
// get a line of their own.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TOOLS_CCRNN_TRAIN_PROGRESS_H
#define CCRNN_TOOLS_CCRNN_TRAIN_PROGRESS_H

#include "ccrnn/Driver/Experiment.h"

#include <chrono>
#include <map>
#include <string>
#include <utility>

namespace ccrnn::train {

class Progress {
public:
  explicit Progress(bool quiet);

  void epoch(const driver::EpochReport &r);
  void batch(const driver::BatchReport &r);
  /// Ends the bar's line (before other output).
  void finish();

private:
  using Clock = std::chrono::steady_clock;
  bool quiet, tty;
  bool haveEpoch = false, drawn = false;
  int64_t firstDone = -1;
  driver::EpochReport last{};
  Clock::time_point start, lastDraw;
  /// The pairs in training: what the bar says of each, and when it was
  /// last heard of.
  std::map<std::pair<size_t, size_t>, std::pair<std::string, Clock::time_point>>
      active;
};

} // namespace ccrnn::train

#endif // CCRNN_TOOLS_CCRNN_TRAIN_PROGRESS_H
