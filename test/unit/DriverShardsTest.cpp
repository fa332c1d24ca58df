//===- DriverShardsTest.cpp - Runs trained in shards and merged ----------===//
//
// --shard I/N and --merge (Shards.h): how the pairs are dealt, that the
// merged shards are the run trained in one piece bit for bit, and the
// refusals of --merge (each a one-line input error, nothing written).
//
//===----------------------------------------------------------------------===//

#include "FakeTrainer.h"

#include "ccrnn/Driver/ConfigJson.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/RunStore.h"
#include "ccrnn/Driver/Shards.h"
#include "ccrnn/Driver/Sweep.h"

#include "gtest/gtest.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>

namespace fs = std::filesystem;
using namespace ccrnn::driver;
using ccrnn::test::inputErrorOf;
using ccrnn::test::readFile;
using ccrnn::test::tempDir;

namespace {

TrainConfig threeSeeds() {
  TrainConfig c = ccrnn::fake::smallConfig();
  c.seeds = {3, 5, 8};
  return c;
}

const std::vector<ModelEntry> &twoModels() {
  static const std::vector<ModelEntry> models = {ccrnn::fake::model("a"),
                                                 ccrnn::fake::model("b")};
  return models;
}

RunHooks quiet() {
  RunHooks h;
  h.gnuplot = "";
  return h;
}

TrainConfig shard(TrainConfig c, int64_t index, int64_t count) {
  c.shardIndex = index;
  c.shardCount = count;
  return c;
}

/// Trains shard `index` of `count` of `c` into a fresh directory.
std::string trainShard(const TrainConfig &c, int64_t index, int64_t count,
                       const std::string &name) {
  const std::string dir = tempDir(name);
  fs::remove_all(dir);
  EXPECT_EQ(Experiment(shard(c, index, count), twoModels(), dir, {"test"})
                .run(quiet()),
            RunStatus::Complete);
  return dir;
}

/// meta.json's results without the times, which differ from run to run.
nlohmann::json resultsOf(const std::string &dir) {
  nlohmann::json results =
      nlohmann::json::parse(readFile(dir + "/meta.json"))["results"];
  for (nlohmann::json &r : results)
    for (const char *key :
         {"epoch_seconds", "data_seconds", "compute_seconds",
          "data_seconds_total", "compute_seconds_total", "train_seconds"})
      r.erase(key);
  return results;
}

/// The arrays of an .npz (its zip headers carry the time it was written).
std::string arraysOf(const std::string &file) {
  std::string all;
  for (const auto &[name, array] : ccrnn::npz::readNpz(file))
    all += name + "\n" + ccrnn::npz::serializeNpy(array);
  return all;
}

TEST(DriverShards, EachPairIsDealtToOneShardInTurnModelByModel) {
  RunSettings run;
  run.seeds = {0, 1, 2, 3, 4};
  const size_t models = 2, pairs = 10;
  for (int64_t count : {1, 2, 3, 4, 7}) {
    std::vector<int> owners(pairs, 0);
    std::vector<std::vector<int>> perModel(size_t(count),
                                           std::vector<int>(models, 0));
    for (int64_t i = 0; i < count; ++i) {
      run.shardIndex = i;
      run.shardCount = count;
      for (size_t k = 0; k < pairs; ++k)
        if (ownsPair(run, k, models)) {
          ++owners[k];
          ++perModel[size_t(i)][k % models];
        }
    }
    for (size_t k = 0; k < pairs; ++k)
      EXPECT_EQ(owners[k], 1) << "pair " << k << " of " << count << " shards";
    // Of each model, a shard has as many seeds as any other, or one more.
    for (size_t m = 0; m < models; ++m) {
      int least = 100, most = 0;
      for (const auto &counts : perModel) {
        least = std::min(least, counts[m]);
        most = std::max(most, counts[m]);
      }
      EXPECT_LE(most - least, 1) << count << " shards, model " << m;
    }
  }
  // Shard 0 of 2 of 5 seeds: model 0's seeds 0, 2, 4, model 1's 1, 3.
  run.shardIndex = 0;
  run.shardCount = 2;
  std::vector<size_t> owned;
  for (size_t k = 0; k < pairs; ++k)
    if (ownsPair(run, k, models))
      owned.push_back(k);
  EXPECT_EQ(owned, (std::vector<size_t>{0, 3, 4, 7, 8}));
}

TEST(DriverShards, ShardSpellings) {
  RunSettings run;
  parseShard("2/5", run);
  EXPECT_EQ(run.shardIndex, 2);
  EXPECT_EQ(run.shardCount, 5);
  for (const char *bad : {"5/5", "1/0", "-1/2", "1", "a/2", "1/2/3", "/2", ""})
    EXPECT_EQ(inputErrorOf([&] { parseShard(bad, run); }),
              std::string("--shard: '") + bad +
                  "' is not I/N (shard I of N, 0 <= I < N; e.g. 0/4)");
  // Only a shard's meta.json says so.
  Json j;
  writeConfig(threeSeeds(), j);
  EXPECT_FALSE(j["training"].contains("shard"));
  writeConfig(shard(threeSeeds(), 1, 2), j);
  EXPECT_EQ(j["training"]["shard"], "1/2");
}

TEST(DriverShards, MergedShardsAreTheRunTrainedInOnePiece) {
  const TrainConfig c = threeSeeds();
  const std::string whole = tempDir("shards-whole");
  fs::remove_all(whole);
  ASSERT_EQ(Experiment(c, twoModels(), whole, {"test"}).run(quiet()),
            RunStatus::Complete);
  // Given in any order.
  const std::vector<std::string> dirs = {trainShard(c, 1, 2, "shard1"),
                                         trainShard(c, 0, 2, "shard0")};
  // A shard trains its own pairs only.
  EXPECT_TRUE(fs::exists(dirs[1] + "/seed3_a_final.npz"));
  EXPECT_FALSE(fs::exists(dirs[1] + "/seed3_b_final.npz"));
  EXPECT_TRUE(fs::exists(dirs[0] + "/seed3_b_final.npz"));

  const ShardedRun run = readShards(dirs);
  EXPECT_EQ(run.shardDirs, (std::vector<std::string>{dirs[1], dirs[0]}));
  EXPECT_EQ(run.config.shardCount, 1);
  const std::string merged = tempDir("shards-merged");
  fs::remove_all(merged);
  ASSERT_EQ(Experiment(run.config, twoModels(), merged, run.commandLine)
                .mergeShards(run.shardDirs, quiet()),
            RunStatus::Complete);

  EXPECT_EQ(readFile(merged + "/scores.npy"), readFile(whole + "/scores.npy"));
  for (uint64_t seed : c.seeds)
    for (const char *model : {"a", "b"})
      for (const char *which : {"final", "best"}) {
        const std::string name = RunStore::checkpointName(seed, model, which);
        EXPECT_EQ(arraysOf(merged + "/" + name), arraysOf(whole + "/" + name))
            << name;
      }
  EXPECT_EQ(arraysOf(merged + "/trajectories.npz"),
            arraysOf(whole + "/trajectories.npz"));
  EXPECT_EQ(resultsOf(merged), resultsOf(whole));
  const auto meta = nlohmann::json::parse(readFile(merged + "/meta.json"));
  EXPECT_EQ(meta["status"], "complete");
  EXPECT_FALSE(meta["training"].contains("shard"));
  EXPECT_EQ(meta["summary"],
            nlohmann::json::parse(readFile(whole + "/meta.json"))["summary"]);
  EXPECT_FALSE(fs::exists(merged + "/resume.npz"));
}

/// A sweep of two learning rates of `c` into a fresh directory, trained.
std::string trainSweep(const TrainConfig &c, const std::string &name) {
  const std::string dir = tempDir(name);
  fs::remove_all(dir);
  Sweep sweep({{"lr", {0.05, 0.01}}}, c, twoModels(), dir, {"test"});
  SweepHooks hooks;
  hooks.run = quiet();
  sweep.prepare(hooks);
  EXPECT_EQ(sweep.run(hooks), RunStatus::Complete);
  return dir;
}

TEST(DriverShards, MergedShardsOfASweepAreTheSweep) {
  const TrainConfig c = threeSeeds();
  const std::string whole = trainSweep(c, "sweep-whole");
  const std::vector<std::string> dirs = {
      trainSweep(shard(c, 0, 2), "sweep-shard0"),
      trainSweep(shard(c, 1, 2), "sweep-shard1")};
  const ShardedSweep shards = readSweepShards(dirs);
  ASSERT_EQ(shards.pointDirs, (std::vector<std::string>{"lr=0.05", "lr=0.01"}));
  const std::string merged = tempDir("sweep-merged");
  fs::remove_all(merged);
  SweepHooks hooks;
  hooks.run = quiet();
  mergeSweepShards(shards, {twoModels(), twoModels()}, merged, hooks);
  EXPECT_EQ(readFile(merged + "/scores.npy"), readFile(whole + "/scores.npy"));
  for (const char *point : {"/lr=0.05", "/lr=0.01"}) {
    EXPECT_EQ(resultsOf(merged + point), resultsOf(whole + point)) << point;
    EXPECT_EQ(arraysOf(merged + point + "/seed8_b_final.npz"),
              arraysOf(whole + point + "/seed8_b_final.npz"))
        << point;
  }
  auto points = [](const std::string &dir) {
    return nlohmann::json::parse(readFile(dir + "/sweep.json"))["points"];
  };
  EXPECT_EQ(points(merged), points(whole));
  // Shards of another grid are not one sweep.
  TrainConfig other = shard(c, 1, 2);
  const std::string odd = tempDir("sweep-odd");
  fs::remove_all(odd);
  Sweep grid({{"lr", {0.05, 0.02}}}, other, twoModels(), odd, {"test"});
  grid.prepare(hooks);
  EXPECT_EQ(inputErrorOf([&] { readSweepShards({dirs[0], odd}); }),
            "--merge: " + odd + ": its grid differs from " + dirs[0] + "'s");
}

TEST(DriverShards, APartialMergeTakesWhatIsFinished) {
  const TrainConfig c = threeSeeds();
  const std::string s0 = trainShard(c, 0, 3, "partial0");
  // Shard 1 stopped after its first epoch: nothing of it is finished.
  const std::string s1 = tempDir("partial1");
  fs::remove_all(s1);
  std::atomic<bool> stop{true};
  RunHooks hooks = quiet();
  hooks.stop = &stop;
  Experiment(shard(c, 1, 3), twoModels(), s1, {"test"}).run(hooks);
  // Shard 2 is not given.
  const ShardedRun run = readShards({s1, s0}, /*partial=*/true);
  EXPECT_EQ(run.shardDirs, (std::vector<std::string>{s0, s1, ""}));
  const std::string merged = tempDir("partial-merged");
  fs::remove_all(merged);
  Experiment(run.config, twoModels(), merged, run.commandLine)
      .mergeShards(run.shardDirs, quiet());
  const auto meta = nlohmann::json::parse(readFile(merged + "/meta.json"));
  EXPECT_EQ(meta["status"], "partial");
  // Shard 0 of 3 of 3 seeds x 2 models: model a's seed 3 and b's seed 3
  // (j = 0, 3); only they are finished.
  RunSettings owner = c;
  owner.shardCount = 3;
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(meta["results"][k]["finished"].get<bool>(), ownsPair(owner, k, 2))
        << "pair " << k;
  }
  EXPECT_TRUE(fs::exists(merged + "/seed3_a_final.npz"));
  EXPECT_FALSE(fs::exists(merged + "/seed5_a_final.npz"));
  EXPECT_EQ(inputErrorOf([&] { readSavedRun(merged); }),
            "--resume " + merged +
                ": the run is a partial merge of shards; finish the shards, "
                "then merge them again");
}

TEST(DriverShards, MergeRefusesShardsThatDoNotMakeOneRun) {
  const TrainConfig c = threeSeeds();
  const std::string s0 = trainShard(c, 0, 3, "refuse0"),
                    s1 = trainShard(c, 1, 3, "refuse1"),
                    s2 = trainShard(c, 2, 3, "refuse2");
  EXPECT_EQ(inputErrorOf([&] { readShards({s0, s2}); }),
            "--merge: shard 1 of 3 not given");
  EXPECT_EQ(inputErrorOf([&] { readShards({s0, s1, s1, s2}); }),
            "--merge: " + s1 + ": shard 1/3 is given twice (also " + s1 + ")");
  TrainConfig other = c;
  other.lr = 0.5;
  const std::string odd = tempDir("refuse-lr");
  fs::remove_all(odd);
  Experiment(shard(other, 1, 3), twoModels(), odd, {"test"}).run(quiet());
  EXPECT_EQ(inputErrorOf([&] { readShards({s0, odd, s2}); }),
            "--merge: " + odd +
                ": its setting training.lr differs from " + s0 +
                "'s (the shards of one run share every setting)");
  const std::string half = tempDir("refuse-half");
  fs::remove_all(half);
  Experiment(shard(c, 1, 2), twoModels(), half, {"test"}).run(quiet());
  EXPECT_EQ(inputErrorOf([&] { readShards({s0, half}); }),
            "--merge: " + half + ": a shard of 2, " + s0 +
                " is a shard of 3");
  // A shard stopped after its first epoch is not finished.
  const std::string stopped = tempDir("refuse-stopped");
  fs::remove_all(stopped);
  std::atomic<bool> stop{true};
  RunHooks hooks = quiet();
  hooks.stop = &stop;
  EXPECT_EQ(Experiment(shard(c, 1, 3), twoModels(), stopped, {"test"})
                .run(hooks),
            RunStatus::Interrupted);
  EXPECT_EQ(inputErrorOf([&] { readShards({s0, stopped, s2}); }),
            "--merge: " + stopped +
                ": shard 1/3 is interrupted; finish it with --resume " +
                stopped);
  const std::string whole = tempDir("refuse-whole");
  fs::remove_all(whole);
  Experiment(c, twoModels(), whole, {"test"}).run(quiet());
  EXPECT_EQ(inputErrorOf([&] { readShards({whole}); }),
            "--merge: " + whole + ": not a shard (a run without --shard)");
  EXPECT_EQ(inputErrorOf([] { readShards({}); }),
            "--merge: no shard directory given");
}

} // namespace
