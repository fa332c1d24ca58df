//===- Summary.h - ccrnn-train's closing tables on stdout -------*- C++ -*-===//
//
// The table of a finished run (final validation loss, test loss and, for
// classification, test accuracy: mean +- SEM over the seeds) and of a
// sweep (one table per grid point, then each model with a cerebellum
// against its baseline).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TOOLS_CCRNN_TRAIN_SUMMARY_H
#define CCRNN_TOOLS_CCRNN_TRAIN_SUMMARY_H

#include "ccrnn/Driver/RunResults.h"
#include "ccrnn/Driver/Shards.h"
#include "ccrnn/Driver/Sweep.h"

#include <vector>

namespace ccrnn::train {

void printSummary(const std::vector<driver::ModelSummary> &summary);
void printSweepSummary(const driver::Sweep &sweep);
/// --status: a line per run of `progress` (epochs done of all, status).
void printProgress(const std::vector<driver::RunProgress> &progress);

} // namespace ccrnn::train

#endif // CCRNN_TOOLS_CCRNN_TRAIN_SUMMARY_H
