//===- DriverSchedulerTest.cpp - Work items and worker threads -----------===//
//
// The scheduler of a run (lib/Driver/Scheduler.h): which pairs train
// together (full groups of an ensemble trainer's K seeds at the same
// epoch, the rest one by one) and how worker threads take the items: each
// exactly once, a stop request, and one worker's failure aborting the
// others and reaching the caller.
//
//===----------------------------------------------------------------------===//

#include "../../lib/Driver/Scheduler.h"

#include "FakeTrainer.h"

#include "gtest/gtest.h"

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

using namespace ccrnn::driver;

namespace {

using Items = std::vector<std::vector<size_t>>;

RunResults results(size_t seeds, size_t models) {
  return RunResults(seeds, models, 4, {"train_loss", "val_loss"}, 0, 0);
}

TEST(DriverScheduler, PairsOneByOneInSeedModelOrder) {
  const RunResults r = results(2, 2);
  const std::vector<ModelEntry> models = {ccrnn::fake::model("a"),
                                          ccrnn::fake::model("b")};
  EXPECT_EQ(workItems(r, models), (Items{{0}, {1}, {2}, {3}}));
}

TEST(DriverScheduler, FullGroupsOfAnEnsembleTrainerAtOneEpoch) {
  // Model 1 trains seeds two at a time (kPair: an ensemble of 2); five
  // seeds make groups {0, 1} and {2, 3}, and seed 4 alone.
  RunResults r = results(5, 2);
  ModelEntry grouped = ccrnn::fake::model("b");
  grouped.ensembleApi = &ccrnn::fake::kPair;
  const std::vector<ModelEntry> models = {ccrnn::fake::model("a"), grouped};
  EXPECT_EQ(workItems(r, models),
            (Items{{0}, {1, 3}, {2}, {4}, {5, 7}, {6}, {8}, {9}}));
  // Seeds at different epochs (a resumed run) do not group; finished
  // pairs are not work.
  r.epochsDone[r.pair(3, 1)] = 2;
  r.finished[r.pair(0, 0)] = 1;
  EXPECT_EQ(workItems(r, models),
            (Items{{1, 3}, {2}, {4}, {5}, {6}, {7}, {8}, {9}}));
}

TEST(DriverScheduler, EveryItemIsTrainedOnceWhateverTheJobs) {
  const Items items = {{0}, {1, 2}, {3}, {4}, {5}, {6}, {7}};
  for (int jobs : {1, 3, 16}) {
    std::mutex mutex;
    std::multiset<size_t> trained;
    std::set<std::thread::id> threads;
    EXPECT_TRUE(runWorkItems(items, jobs, 1, nullptr,
                             [&](Worker &, const std::vector<size_t> &item,
                                 const std::atomic<bool> &) {
                               std::lock_guard<std::mutex> lock(mutex);
                               trained.insert(item.begin(), item.end());
                               threads.insert(std::this_thread::get_id());
                               return true;
                             }));
    EXPECT_EQ(trained, (std::multiset<size_t>{0, 1, 2, 3, 4, 5, 6, 7}))
        << jobs << " jobs";
    EXPECT_LE(threads.size(), size_t(jobs));
  }
}

TEST(DriverScheduler, AStopRequestEndsTheRunBeforeTheNextItem) {
  const Items items = {{0}, {1}, {2}, {3}};
  std::atomic<bool> stop{false};
  std::vector<size_t> trained;
  EXPECT_FALSE(runWorkItems(items, 1, 1, &stop,
                            [&](Worker &, const std::vector<size_t> &item,
                                const std::atomic<bool> &) {
                              trained.push_back(item[0]);
                              stop = item[0] == 1;
                              return true;
                            }));
  EXPECT_EQ(trained, (std::vector<size_t>{0, 1}));
  // An item that stops part-way (false) ends the run too.
  trained.clear();
  EXPECT_FALSE(runWorkItems(items, 1, 1, nullptr,
                            [&](Worker &, const std::vector<size_t> &item,
                                const std::atomic<bool> &) {
                              trained.push_back(item[0]);
                              return item[0] != 2;
                            }));
  EXPECT_EQ(trained, (std::vector<size_t>{0, 1, 2}));
}

TEST(DriverScheduler, AFailureAbortsTheOtherWorkersAndIsRethrown) {
  // Item 0 waits until item 1 has failed; it sees the abort and returns.
  const Items items = {{0}, {1}, {2}, {3}};
  std::atomic<bool> sawAbort{false};
  std::atomic<int> started{0};
  try {
    runWorkItems(items, 2, 1, nullptr,
                 [&](Worker &, const std::vector<size_t> &item,
                     const std::atomic<bool> &abort) {
                   ++started;
                   if (item[0] == 1)
                     throw std::runtime_error("item 1 failed");
                   while (item[0] == 0 && !abort.load())
                     std::this_thread::yield();
                   sawAbort = sawAbort || abort.load();
                   return !abort.load();
                 });
    FAIL() << "the failure was not rethrown";
  } catch (const std::runtime_error &e) {
    EXPECT_STREQ(e.what(), "item 1 failed");
  }
  EXPECT_TRUE(sawAbort.load());
  // No worker takes an item after the abort: items 2 and 3 never start.
  EXPECT_EQ(started.load(), 2);
}

} // namespace
