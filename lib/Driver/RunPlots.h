//===- RunPlots.h - A run's plots -------------------------------*- C++ -*-===//
//
// curves.png (each score's mean and SEM over the seeds, per model and
// epoch) and, for tasks with class trajectories, lines.png (internal to the
// driver).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_LIB_DRIVER_RUNPLOTS_H
#define CCRNN_LIB_DRIVER_RUNPLOTS_H

#include "ccrnn/Driver/RunResults.h"
#include "ccrnn/Driver/RunStore.h"
#include "ccrnn/Driver/Task.h"

#include <string>
#include <vector>

namespace ccrnn::driver {

/// Draws the plots of `results` into the store's directory with `gnuplot`;
/// the warnings of what could not be drawn.
std::vector<std::string> plotRun(const std::string &gnuplot,
                                 const RunStore &store,
                                 const RunResults &results,
                                 const std::vector<std::string> &models,
                                 const Task &task);

} // namespace ccrnn::driver

#endif // CCRNN_LIB_DRIVER_RUNPLOTS_H
