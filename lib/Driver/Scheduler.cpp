//===- Scheduler.cpp - Who trains what, on which thread ---------*- C++ -*-===//

#include "Scheduler.h"

#include "ccrnn/Runtime/Kernels.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace ccrnn::driver {

std::vector<std::vector<size_t>>
workItems(const RunResults &r, const std::vector<ModelEntry> &models,
          const std::function<bool(size_t)> &owned) {
  auto todo = [&](size_t k) { return !r.finished[k] && (!owned || owned(k)); };
  std::vector<std::vector<size_t>> items;
  std::vector<bool> grouped(r.S * r.M, false);
  for (size_t m = 0; m < r.M; ++m) {
    if (!models[m].ensembleApi)
      continue;
    const size_t K = size_t(models[m].ensembleApi->desc->ensemble);
    for (size_t s0 = 0; s0 + K <= r.S; s0 += K) {
      std::vector<size_t> group;
      for (size_t s = s0; s < s0 + K; ++s) {
        size_t k = r.pair(s, m);
        if (!todo(k) || r.epochsDone[k] != r.epochsDone[r.pair(s0, m)])
          break;
        group.push_back(k);
      }
      if (group.size() != K)
        continue;
      for (size_t k : group)
        grouped[k] = true;
      items.push_back(group);
    }
  }
  for (size_t k = 0; k < r.S * r.M; ++k)
    if (todo(k) && !grouped[k])
      items.push_back({k});
  // Roughly (seed, model) order: by the first pair.
  std::stable_sort(items.begin(), items.end(),
                   [](const auto &a, const auto &b) { return a[0] < b[0]; });
  return items;
}

bool runWorkItems(const std::vector<std::vector<size_t>> &items, int jobs,
                  int threads, const std::atomic<bool> *stop,
                  const TrainItem &train) {
  std::atomic<size_t> next{0};
  std::atomic<bool> abort{false}, stopped{false};
  std::mutex failureMutex;
  std::exception_ptr failure;
  auto work = [&] {
    // OpenMP's thread count is per thread: a new one starts from the
    // process's default.
    rt::setNumThreads(threads);
    Worker w;
    try {
      for (size_t i; (i = next++) < items.size();) {
        if (abort.load())
          break;
        if ((stop && stop->load()) || !train(w, items[i], abort)) {
          stopped = true;
          break;
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failureMutex);
      if (!failure)
        failure = std::current_exception();
      abort = true;
    }
  };
  const size_t n = std::min(size_t(std::max(jobs, 1)), items.size());
  if (n <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (size_t j = 0; j < n; ++j)
      pool.emplace_back(work);
    for (std::thread &t : pool)
      t.join();
  }
  if (failure)
    std::rethrow_exception(failure);
  return !stopped.load();
}

} // namespace ccrnn::driver
