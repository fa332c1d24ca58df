//===- DriverRunTest.cpp - Training runs with a hand-written trainer -----===//
//
// A fake trainer implements the trainer ABI for a tiny linear model, so the
// epoch loop, the result files, resuming, determinism, divergence, --init,
// --dump-step, schedules, sweeps and the input checks are tested without
// the compiler:
//   prediction[b, t] = s_t (W x[b, 0] + bias),  s_t = t / (L - 1)
//   loss = mean over b, t of ||prediction - target||^2
// plus a "synthesizer" parameter whose gradient is a constant, so that
// clipping and the optimizer see a third group.
//
//===----------------------------------------------------------------------===//

#include "DriverTestSupport.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/DumpStep.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Sweep.h"
#include "ccrnn/Driver/Trainers.h"

#include "gtest/gtest.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <cstdlib>
#include <map>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

namespace fs = std::filesystem;
using namespace ccrnn::driver;
using ccrnn::npz::Archive;

namespace {

using ccrnn::test::inputErrorOf;
using ccrnn::test::readFile;
using ccrnn::test::tempDir;

//===--- The fake trainer
//---------------------------------------------------===//

constexpr int64_t kBatch = 10, kSteps = 5;
std::atomic<int> trainCalls{0};
int nanAtCall = -1; ///< the train() call (counted from 1) that returns NaN
/// Called by every train() (tests that pace the workers).
std::function<void()> beforeTrain;

const ccrnn_param_info kParams[] = {
    {"linear.weight",
     2,
     {2, 1, 0, 0},
     CCRNN_INIT_UNIFORM,
     0.5,
     CCRNN_GROUP_READOUT},
    {"linear.bias",
     1,
     {2, 0, 0, 0},
     CCRNN_INIT_UNIFORM,
     0.5,
     CCRNN_GROUP_READOUT},
    {"rnn.backward_interface.synthesizer.layers.0.weight",
     1,
     {3, 0, 0, 0},
     CCRNN_INIT_ZEROS,
     0.0,
     CCRNN_GROUP_SYNTHESIZER}};

const ccrnn_trainer_desc kDesc = {CCRNN_TRAINER_ABI_VERSION,
                                  "fake",
                                  "bptt=1 interval=2 batch=10 steps=5",
                                  kBatch,
                                  kSteps,
                                  1,
                                  2,
                                  1,
                                  0,
                                  0,
                                  3,
                                  kParams};

void *fakeCreate() { return new int(0); }
void fakeDestroy(void *t) { delete static_cast<int *>(t); }

float fakeForward(const float *const *params, const float *inputs,
                  const void *targets, float *predictions,
                  float *const *grads) {
  const float *w = params[0], *bias = params[1];
  const float *y = static_cast<const float *>(targets);
  double loss = 0;
  double gw[2] = {0, 0}, gb[2] = {0, 0};
  const double n = double(kBatch * kSteps);
  for (int64_t b = 0; b < kBatch; ++b) {
    float x = inputs[b * kSteps];
    for (int64_t t = 0; t < kSteps; ++t) {
      float s = float(t) / float(kSteps - 1);
      for (int o = 0; o < 2; ++o) {
        float p = s * (w[o] * x + bias[o]);
        if (predictions)
          predictions[(b * kSteps + t) * 2 + o] = p;
        double d = double(p) - y[(b * kSteps + t) * 2 + o];
        loss += d * d / n;
        gw[o] += 2 * d * s * x / n;
        gb[o] += 2 * d * s / n;
      }
    }
  }
  if (grads) {
    for (int o = 0; o < 2; ++o) {
      grads[0][o] = float(gw[o]);
      grads[1][o] = float(gb[o]);
    }
    for (int i = 0; i < 3; ++i)
      grads[2][i] = 0.01f * float(i + 1);
  }
  return float(loss);
}

float fakeTrain(void *, const ccrnn_batch *batch, float *const *grads,
                float *) {
  if (beforeTrain)
    beforeTrain();
  const int call = ++trainCalls;
  float loss = fakeForward(batch->params,
                           static_cast<const float *>(batch->inputs),
                           batch->targets,
                           nullptr, grads);
  return call == nanAtCall ? std::numeric_limits<float>::quiet_NaN()
                                 : loss;
}

float fakeEval(void *, const float *const *params, const float *inputs,
               const void *targets, float *predictions) {
  return fakeForward(params, inputs, targets, predictions, nullptr);
}

const ccrnn_trainer_api kFake = {&kDesc, fakeCreate, fakeDestroy, fakeTrain,
                                 fakeEval, nullptr};

/// The fake for two networks a call (an ensemble trainer): each network's
/// arrays follow the other's.
constexpr int64_t kNetworks = 2;
const ccrnn_trainer_desc kDescX2 = [] {
  ccrnn_trainer_desc d = kDesc;
  d.ensemble = kNetworks;
  return d;
}();

float fakeTrainX2(void *, const ccrnn_batch *batch, float *const *grads,
                  float *) {
  float first = 0;
  for (int64_t e = 0; e < kNetworks; ++e) {
    const float *params[3];
    float *g[3];
    for (int i = 0; i < 3; ++i) {
      int64_t n = 1;
      for (int32_t d = 0; d < kParams[i].rank; ++d)
        n *= kParams[i].shape[d];
      params[i] = batch->params[i] + e * n;
      g[i] = grads[i] + e * n;
    }
    float loss = fakeForward(
        params,
        static_cast<const float *>(batch->inputs) + e * kBatch * kSteps,
        static_cast<const float *>(batch->targets) + e * kBatch * kSteps * 2,
        nullptr, g);
    if (batch->losses)
      batch->losses[e] = loss;
    if (e == 0)
      first = loss;
  }
  return first;
}

const ccrnn_trainer_api kFakeX2 = {&kDescX2, fakeCreate, fakeDestroy,
                                   fakeTrainX2, fakeEval, nullptr};

//===--- Helpers
//--------------------------------------------------------------===//





/// What a result file holds: its bytes, or for an .npz (whose zip headers
/// carry modification times) the bytes of each member.
std::string contents(const std::string &path) {
  if (path.size() < 4 || path.substr(path.size() - 4) != ".npz")
    return readFile(path);
  std::string all;
  for (const auto &[name, array] : ccrnn::npz::readNpz(path))
    all += name + "\n" + ccrnn::npz::serializeNpy(array);
  return all;
}

TrainConfig smallConfig() {
  TrainConfig c;
  c.data.seqLen = kSteps;
  c.data.trainSize = 40;
  c.data.valSize = 25; // not a multiple of the batch: padded
  c.data.testSize = 35;
  c.epochs = 4;
  c.batchSize = kBatch;
  c.lr = 0.05;
  c.seeds = {3, 5};
  c.jobs = 1; // one pair after the other unless a test asks
  return c;
}

std::vector<ModelEntry> twoModels() {
  return {{"fake_a", "", "", kDesc.options, "test", &kFake},
          {"fake_b", "", "", kDesc.options, "test", &kFake}};
}

RunHooks quietHooks() {
  RunHooks h;
  h.gnuplot = ""; // no plots unless a test asks
  h.saveEverySeconds = 0;
  return h;
}


RunStatus runTo(const std::string &dir, const RunHooks &hooks,
                TrainConfig config = smallConfig()) {
  Experiment run(config, twoModels(), dir, {"test"});
  return run.run(hooks);
}

//===--- Results
//----------------------------------------------------------------===//

TEST(DriverRun, WritesScoresMetaCheckpointsTrajectories) {
  std::string dir = tempDir("files");
  ASSERT_EQ(runTo(dir, quietHooks()), RunStatus::Complete);

  auto scores = ccrnn::npz::readNpy(dir + "/scores.npy");
  EXPECT_EQ(scores.dtype, ccrnn::npz::DType::F64);
  EXPECT_EQ(scores.shape, (std::vector<int64_t>{2, 2, 3, 4}));
  for (double v : scores.data)
    EXPECT_TRUE(std::isfinite(v));
  // The fake model learns: the training loss falls.
  EXPECT_LT(scores.data[3], scores.data[0]);
  // It draws straight lines: no dysmetria.
  for (int e = 0; e < 4; ++e)
    EXPECT_NEAR(scores.data[2 * 4 + e], 0.0, 1e-9);

  auto meta = nlohmann::json::parse(readFile(dir + "/meta.json"));
  EXPECT_EQ(meta["metrics"], nlohmann::json::array(
                                 {"train_loss", "val_loss", "val_dysmetria"}));
  EXPECT_EQ(meta["status"], "complete");
  EXPECT_EQ(meta["seeds"], nlohmann::json::array({3, 5}));
  EXPECT_EQ(meta["models"][1]["name"], "fake_b");
  EXPECT_EQ(meta["models"][0]["parameters"][2]["group"], "synthesizer");
  EXPECT_EQ(meta["task"]["val_size"], 25);
  EXPECT_EQ(meta["training"]["optim"], "adam");
  EXPECT_EQ(meta["training"]["optim_hyperparameters"]["beta2"], 0.98);
  ASSERT_EQ(meta["results"].size(), 4u);
  EXPECT_EQ(meta["results"][0]["seed"], 3);
  EXPECT_TRUE(meta["results"][3]["test_loss"].is_number());
  EXPECT_EQ(meta["summary"][0]["seeds"], 2);
  EXPECT_EQ(meta["scores"]["shape"], nlohmann::json::array({2, 2, 3, 4}));
  EXPECT_TRUE(meta["results"][0]["early_stopped_at"].is_null());

  Archive final = ccrnn::npz::readNpz(dir + "/seed5_fake_b_final.npz");
  ASSERT_EQ(final.size(), 3u);
  EXPECT_EQ(final["linear.weight"].shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(final["linear.weight"].dtype, ccrnn::npz::DType::F32);
  // The synthesizer's constant gradient moved it away from zero.
  EXPECT_NE(final["rnn.backward_interface.synthesizer.layers.0.weight"].data[0],
            0.0);
  EXPECT_TRUE(fs::exists(dir + "/seed3_fake_a_best.npz"));

  Archive traj = ccrnn::npz::readNpz(dir + "/trajectories.npz");
  EXPECT_EQ(traj["pred/fake_a"].shape, (std::vector<int64_t>{7, kSteps, 2}));
  EXPECT_EQ(traj["per_seed/fake_a"].shape,
            (std::vector<int64_t>{2, 7, kSteps, 2}));
  EXPECT_EQ(traj["target"].shape, (std::vector<int64_t>{7, kSteps, 2}));
  EXPECT_EQ(traj["classes"].data.front(), -3);
  // A complete run leaves nothing to resume.
  EXPECT_FALSE(fs::exists(dir + "/resume.npz"));
}

TEST(DriverRun, AModelTooLargeForTheMachineIsRefusedBeforeAnyFile) {
  // 2^31 x 2^31 parameters: 4.6e18 floats, more than any machine holds.
  static const ccrnn_param_info huge[] = {{"linear.weight",
                                           2,
                                           {int64_t(1) << 31,
                                            int64_t(1) << 31, 0, 0},
                                           CCRNN_INIT_ZEROS,
                                           0.0,
                                           CCRNN_GROUP_READOUT}};
  static ccrnn_trainer_desc desc = kDesc;
  desc.num_params = 1;
  desc.params = huge;
  static const ccrnn_trainer_api api = {&desc,     fakeCreate, fakeDestroy,
                                        fakeTrain, fakeEval,   nullptr};
  std::string dir = tempDir("huge");
  Experiment run(smallConfig(), {{"huge", "", "", desc.options, "test", &api}},
                 dir, {"test"});
  std::string error = inputErrorOf([&] { run.run(quietHooks()); });
  EXPECT_EQ(error.rfind("model huge: 4.61e+18 parameters need at least "
                        "111 EB of memory for one seed, more than this "
                        "machine's ",
                        0),
            0u)
      << error;
  // (tempDir made the directory; nothing was written into it.)
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(DriverRun, ValidationLossIsMeanSquaredDistanceOverUnpaddedRows) {
  // With lr tiny the model hardly moves; the validation loss of epoch 1
  // equals SPEC §3's metric computed here from the same data and weights.
  TrainConfig c = smallConfig();
  c.seeds = {3};
  c.epochs = 1;
  c.lr = 1e-30;
  std::string dir = tempDir("valloss");
  Experiment run(c, {twoModels()[0]}, dir, {});
  ASSERT_EQ(run.run(quietHooks()), RunStatus::Complete);
  auto scores = ccrnn::npz::readNpy(dir + "/scores.npy");
  Tensors p = initialParameters(kDesc, 3, nullptr);
  Dataset val = makeLineDraw(c.data, 25, 3, "linedraw.val", 0, false);
  double sum = 0;
  for (int64_t b = 0; b < 25; ++b)
    for (int64_t t = 0; t < kSteps; ++t)
      for (int o = 0; o < 2; ++o) {
        double pred =
            double(float(t) / 4 * (p[0][o] * val.inputs[b * kSteps] + p[1][o]));
        double d = pred - val.targets[(b * kSteps + t) * 2 + o];
        sum += d * d;
      }
  EXPECT_NEAR(scores.data[1], sum / (25 * kSteps), 1e-4);
}

TEST(DriverRun, Plots) {
  std::string dir = tempDir("plots");
  RunHooks hooks = quietHooks();
  std::vector<std::string> warnings;
  hooks.onWarning = [&](const std::string &w) { warnings.push_back(w); };
  hooks.gnuplot = "ccrnn-no-such-gnuplot";
  ASSERT_EQ(runTo(dir, hooks), RunStatus::Complete);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("ccrnn-no-such-gnuplot not found"),
            std::string::npos)
      << warnings[0];
  EXPECT_FALSE(fs::exists(dir + "/curves.png"));

  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "gnuplot not installed";
  warnings.clear();
  dir = tempDir("plots-gnuplot");
  hooks.gnuplot = "gnuplot";
  ASSERT_EQ(runTo(dir, hooks), RunStatus::Complete);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  for (const char *png : {"/curves.png", "/lines.png"}) {
    std::string bytes = readFile(dir + png);
    ASSERT_GT(bytes.size(), 8u) << png;
    EXPECT_EQ(bytes.substr(1, 3), "PNG") << png;
    for (const auto &entry : fs::directory_iterator(dir))
      EXPECT_EQ(entry.path().filename().string().find(".tmp"),
                std::string::npos)
          << entry.path();
  }
}

//===--- Reproducibility and resuming
//---------------------------------------===//

const char *const kResultFiles[] = {"scores.npy",
                                    "trajectories.npz",
                                    "seed3_fake_a_final.npz",
                                    "seed3_fake_a_best.npz",
                                    "seed5_fake_b_final.npz",
                                    "seed5_fake_b_best.npz"};

TEST(DriverRun, SameSeedsSameBits) {
  std::string a = tempDir("det-a"), b = tempDir("det-b");
  ASSERT_EQ(runTo(a, quietHooks()), RunStatus::Complete);
  ASSERT_EQ(runTo(b, quietHooks()), RunStatus::Complete);
  for (const char *f : kResultFiles)
    EXPECT_EQ(contents(a + "/" + f), contents(b + "/" + f)) << f;
}

TEST(DriverRun, OtherSeedOtherResults) {
  TrainConfig c = smallConfig();
  std::string a = tempDir("seed-a"), b = tempDir("seed-b");
  ASSERT_EQ(runTo(a, quietHooks(), c), RunStatus::Complete);
  c.seeds = {3, 6};
  ASSERT_EQ(runTo(b, quietHooks(), c), RunStatus::Complete);
  auto sa = ccrnn::npz::readNpy(a + "/scores.npy");
  auto sb = ccrnn::npz::readNpy(b + "/scores.npy");
  // Seed 3 (first half) identical, seed 5 vs 6 not.
  size_t half = sa.data.size() / 2;
  EXPECT_TRUE(
      std::equal(sa.data.begin(), sa.data.begin() + half, sb.data.begin()));
  EXPECT_NE(sa.data.back(), sb.data.back());
}

/// Resumes the run interrupted in `parts` as --resume does (the settings
/// from meta.json, the fake trainers; `edit` may change what --resume may
/// change) and checks that every result file equals the uninterrupted
/// run's in `whole`.
void resumeAndCompare(const std::string &whole, const std::string &parts,
                      const std::function<void(SavedRun &)> &edit = {}) {
  SavedRun saved = readSavedRun(parts);
  for (ModelEntry &m : saved.models)
    m.api = &kFake;
  if (edit)
    edit(saved);
  Experiment resumed(saved.config, saved.models, parts, saved.commandLine);
  resumed.loadResume();
  ASSERT_EQ(resumed.run(quietHooks()), RunStatus::Complete);
  for (const char *f : kResultFiles)
    EXPECT_EQ(contents(whole + "/" + f), contents(parts + "/" + f)) << f;
}

/// Interrupts a run after epoch `epoch` of pair (seed index, model index),
/// resumes it (as --resume does: settings from meta.json) and checks that
/// every result is bit-identical to an uninterrupted run.
void resumeMatches(size_t seedIndex, size_t modelIndex, int64_t epoch,
                   const TrainConfig &config = smallConfig()) {
  std::string whole = tempDir("whole"), parts = tempDir("parts");
  ASSERT_EQ(runTo(whole, quietHooks(), config), RunStatus::Complete);

  std::atomic<bool> stop{false};
  RunHooks hooks = quietHooks();
  hooks.saveEverySeconds = 1e9; // only the stop saves the state
  hooks.stop = &stop;
  hooks.onEpoch = [&](const EpochReport &r) {
    if (r.seedIndex == seedIndex && r.modelIndex == modelIndex &&
        r.epoch == epoch)
      stop = true;
  };
  ASSERT_EQ(runTo(parts, hooks, config), RunStatus::Interrupted);
  EXPECT_TRUE(fs::exists(parts + "/resume.npz"));
  auto meta = nlohmann::json::parse(readFile(parts + "/meta.json"));
  EXPECT_EQ(meta["status"], "interrupted");

  SavedRun saved = readSavedRun(parts);
  EXPECT_EQ(saved.config.seeds, config.seeds);
  EXPECT_EQ(saved.config.lr, config.lr);
  EXPECT_EQ(saved.config.decayLr, config.decayLr);
  EXPECT_EQ(saved.config.lrScale, config.lrScale);
  EXPECT_EQ(saved.config.lrDecayPatience, config.lrDecayPatience);
  EXPECT_EQ(saved.config.earlyStopping, config.earlyStopping);
  ASSERT_EQ(saved.models.size(), 2u);
  resumeAndCompare(whole, parts);
  auto lrs = [](const std::string &dir) {
    auto meta = nlohmann::json::parse(readFile(dir + "/meta.json"));
    nlohmann::json all = nlohmann::json::array();
    for (const auto &r : meta["results"])
      all.push_back(r.value("lr", nlohmann::json()));
    return all;
  };
  EXPECT_EQ(lrs(whole), lrs(parts));
}

TEST(DriverRun, ResumeMidModelEqualsUninterrupted) { resumeMatches(0, 1, 2); }

//===--- Pairs in parallel (--jobs)
//------------------------------------------===//

TEST(DriverRun, PairsInParallelGiveTheSameBitsAsOneByOne) {
  TrainConfig c = smallConfig();
  c.seeds = {3, 5, 7};
  std::string one = tempDir("jobs-1"), three = tempDir("jobs-3");
  ASSERT_EQ(runTo(one, quietHooks(), c), RunStatus::Complete);
  c.jobs = 3;
  ASSERT_EQ(runTo(three, quietHooks(), c), RunStatus::Complete);
  for (const char *f : kResultFiles)
    EXPECT_EQ(contents(one + "/" + f), contents(three + "/" + f)) << f;
  EXPECT_EQ(contents(one + "/seed7_fake_b_best.npz"),
            contents(three + "/seed7_fake_b_best.npz"));
}

/// Seeds of a model trained together by an ensemble trainer (groups of
/// two; the third seed alone) give the bits of one by one.
TEST(DriverRun, SeedGroupsGiveTheSameBitsAsOneByOne) {
  TrainConfig c = smallConfig();
  c.seeds = {3, 5, 7};
  std::string one = tempDir("group-1"), grouped = tempDir("group-2");
  ASSERT_EQ(runTo(one, quietHooks(), c), RunStatus::Complete);
  c.ensemble = 2;
  c.jobs = 2;
  std::vector<ModelEntry> models = twoModels();
  for (ModelEntry &m : models)
    m.ensembleApi = &kFakeX2;
  Experiment run(c, models, grouped, {"test"});
  ASSERT_EQ(run.run(quietHooks()), RunStatus::Complete);
  for (const char *f : kResultFiles)
    EXPECT_EQ(contents(one + "/" + f), contents(grouped + "/" + f)) << f;
  EXPECT_EQ(contents(one + "/seed7_fake_b_final.npz"),
            contents(grouped + "/seed7_fake_b_final.npz"));
  auto meta = nlohmann::json::parse(readFile(grouped + "/meta.json"));
  EXPECT_EQ(meta["training"]["ensemble"], 2);
}

TEST(DriverRun, ResumeOfAGroupStoppedMidwayEqualsUninterrupted) {
  TrainConfig c = smallConfig();
  std::string whole = tempDir("grp-whole"), parts = tempDir("grp-parts");
  ASSERT_EQ(runTo(whole, quietHooks(), c), RunStatus::Complete);
  c.ensemble = 2;
  std::vector<ModelEntry> models = twoModels();
  for (ModelEntry &m : models)
    m.ensembleApi = &kFakeX2;
  std::atomic<bool> stop{false};
  RunHooks hooks = quietHooks();
  hooks.saveEverySeconds = 1e9;
  hooks.stop = &stop;
  hooks.onEpoch = [&](const EpochReport &r) {
    stop = stop || (r.modelIndex == 1 && r.epoch == 2);
  };
  {
    Experiment run(c, models, parts, {"test"});
    ASSERT_EQ(run.run(hooks), RunStatus::Interrupted);
  }
  // Both seeds of fake_b's group were in training.
  Archive resume = ccrnn::npz::readNpz(parts + "/resume.npz");
  EXPECT_EQ(resume.at("current").shape, (std::vector<int64_t>{2, 2}));
  resumeAndCompare(whole, parts, [](SavedRun &saved) {
    EXPECT_EQ(saved.config.ensemble, 2);
    for (ModelEntry &m : saved.models)
      m.ensembleApi = &kFakeX2;
  });
}

TEST(DriverRun, EnsembleSizeAndWhatBlocksIt) {
  TrainConfig c = smallConfig();
  c.seeds = {0, 1, 2, 3, 4};
  c.ensemble = 0;
  EXPECT_EQ(ensembleSize(c), 1); // the CPU's default
  c.device = "cuda";
  EXPECT_EQ(ensembleSize(c), 5); // a GPU's: all seeds
  c.ensemble = 8;
  EXPECT_EQ(ensembleSize(c), 5); // at most the seeds
  c.ensemble = 2;
  EXPECT_EQ(ensembleSize(c), 2);
  c.keepHidden = true;
  c.earlyStopping = 3;
  EXPECT_EQ(ensembleBlockers(c), "--keep-hidden, --early-stopping");
  EXPECT_EQ(ensembleSize(c), 1);
  EXPECT_EQ(inputErrorOf([&] { validateConfig(c); }),
            "--ensemble 2: seeds train together only without --keep-hidden, "
            "--early-stopping");
  c.keepHidden = false;
  c.earlyStopping = 0;
  c.ensemble = -1;
  EXPECT_EQ(inputErrorOf([&] { validateConfig(c); }),
            "--ensemble must be a positive integer, got -1");
}

TEST(DriverRun, ParallelJobsDefaultToCoresOverThreads) {
  TrainConfig c = smallConfig();
  c.jobs = 5;
  EXPECT_EQ(parallelJobs(c), 5);
  c.jobs = 0;
  const int cores = parallelJobs(c);
  EXPECT_GE(cores, 1);
  c.threads = 2 * cores;
  EXPECT_EQ(parallelJobs(c), 1);
}

/// Two workers are stopped while each is inside a pair: resume.npz holds
/// both pairs, and resuming with one worker gives the uninterrupted bits.
TEST(DriverRun, ResumeOfPairsStoppedInParallelEqualsUninterrupted) {
  TrainConfig c = smallConfig();
  c.epochs = 6;
  std::string whole = tempDir("par-whole"), parts = tempDir("par-parts");
  ASSERT_EQ(runTo(whole, quietHooks(), c), RunStatus::Complete);

  c.jobs = 2;
  std::atomic<bool> stop{false};
  RunHooks hooks = quietHooks();
  hooks.saveEverySeconds = 1e9;
  hooks.stop = &stop;
  // No batch runs until both workers are in their first pair; then the
  // stop is asked, and each stops after that pair's first epoch.
  std::mutex mutex;
  std::condition_variable bothIn;
  std::set<std::thread::id> workers;
  beforeTrain = [&] {
    std::unique_lock<std::mutex> lock(mutex);
    workers.insert(std::this_thread::get_id());
    if (workers.size() == 2) {
      stop = true;
      bothIn.notify_all();
    }
    bothIn.wait(lock, [&] { return workers.size() >= 2; });
  };
  RunStatus status = runTo(parts, hooks, c);
  beforeTrain = nullptr;
  ASSERT_EQ(status, RunStatus::Interrupted);
  Archive resume = ccrnn::npz::readNpz(parts + "/resume.npz");
  ASSERT_TRUE(resume.count("current"));
  EXPECT_EQ(resume.at("current").shape, (std::vector<int64_t>{2, 2}));
  EXPECT_TRUE(resume.count("pair1/param/linear.weight"));

  resumeAndCompare(whole, parts, [](SavedRun &saved) {
    saved.config.jobs = 1; // resumed by one worker
  });
}

/// resume.npz of a run saved before pairs trained in parallel: one pair,
/// "current" of shape [2] and its state unprefixed.
TEST(DriverRun, ResumesTheSinglePairFormat) {
  std::string whole = tempDir("old-whole"), parts = tempDir("old-parts");
  ASSERT_EQ(runTo(whole, quietHooks()), RunStatus::Complete);
  std::atomic<bool> stop{false};
  RunHooks hooks = quietHooks();
  hooks.saveEverySeconds = 1e9;
  hooks.stop = &stop;
  hooks.onEpoch = [&](const EpochReport &r) {
    stop = r.seedIndex == 1 && r.modelIndex == 0 && r.epoch == 2;
  };
  ASSERT_EQ(runTo(parts, hooks), RunStatus::Interrupted);
  Archive now = ccrnn::npz::readNpz(parts + "/resume.npz"), old;
  for (auto &[name, array] : now)
    if (name == "current")
      old[name] = ccrnn::npz::Array{{2}, array.data, array.dtype};
    else
      old[name.rfind("pair0/", 0) == 0 ? name.substr(6) : name] = array;
  ccrnn::npz::writeNpz(parts + "/resume.npz", old);
  resumeAndCompare(whole, parts);
}

TEST(DriverRun, ADivergingPairStopsTheParallelRun) {
  TrainConfig c = smallConfig();
  c.jobs = 2;
  std::string dir = tempDir("par-nan");
  trainCalls = 0;
  nanAtCall = 7;
  EXPECT_THROW(runTo(dir, quietHooks(), c), DivergedError);
  nanAtCall = -1;
  auto meta = nlohmann::json::parse(readFile(dir + "/meta.json"));
  EXPECT_EQ(meta["status"], "diverged");
  EXPECT_FALSE(fs::exists(dir + "/resume.npz"));
}
TEST(DriverRun, ResumeAtFirstEpochEqualsUninterrupted) {
  resumeMatches(0, 0, 1);
}
TEST(DriverRun, ResumeAfterLastEpochEqualsUninterrupted) {
  resumeMatches(1, 0, 4);
}

/// A schedule on a plateau: at lr 1e-6 the fake's validation loss moves by
/// far less than the threshold (1e-4 relative), so the learning rate is
/// halved after every second epoch.
TrainConfig plateauConfig() {
  TrainConfig c = smallConfig();
  c.lr = 1e-6;
  c.epochs = 6;
  c.decayLr = true;
  c.lrScale = 0.5;
  c.lrDecayPatience = 1;
  return c;
}

TEST(DriverRun, DecayLrHalvesTheRateOnAPlateau) {
  std::string dir = tempDir("plateau");
  ASSERT_EQ(runTo(dir, quietHooks(), plateauConfig()), RunStatus::Complete);
  auto meta = nlohmann::json::parse(readFile(dir + "/meta.json"));
  EXPECT_EQ(meta["training"]["decay_lr"], true);
  EXPECT_EQ(meta["training"]["lr_scale"], 0.5);
  EXPECT_EQ(meta["training"]["lr_decay_patience"], 1);
  for (const auto &r : meta["results"])
    EXPECT_EQ(r["lr"], nlohmann::json::array(
                           {1e-6, 1e-6, 1e-6, 5e-7, 5e-7, 2.5e-7}));
}

// Stopped with the plateau counter at 1 (epoch 2) and after the first
// reduction (epoch 3): a resumed run that restarted the schedule would
// differ.
TEST(DriverRun, ResumeContinuesTheLearningRateSchedule) {
  resumeMatches(0, 1, 2, plateauConfig());
  resumeMatches(1, 0, 3, plateauConfig());
}

TEST(DriverRun, EarlyStoppingEndsAPairAfterPatienceEpochs) {
  // lr 1e-30: the weights do not move, the validation loss is flat, so the
  // best epoch is the first and training stops after epoch 1 + 2.
  TrainConfig c = smallConfig();
  c.lr = 1e-30;
  c.epochs = 6;
  c.earlyStopping = 2;
  std::vector<int64_t> stoppedAt;
  RunHooks hooks = quietHooks();
  hooks.onEpoch = [&](const EpochReport &r) {
    if (r.stoppedEarly)
      stoppedAt.push_back(r.epoch);
  };
  std::string dir = tempDir("early");
  ASSERT_EQ(runTo(dir, hooks, c), RunStatus::Complete);
  EXPECT_EQ(stoppedAt, (std::vector<int64_t>{3, 3, 3, 3}));
  auto scores = ccrnn::npz::readNpy(dir + "/scores.npy");
  ASSERT_EQ(scores.shape, (std::vector<int64_t>{2, 2, 3, 6}));
  for (int64_t series = 0; series < 2 * 2 * 3; ++series)
    for (int64_t e = 0; e < 6; ++e)
      EXPECT_EQ(std::isnan(scores.data[series * 6 + e]), e >= 3)
          << "series " << series << " epoch " << e + 1;
  auto meta = nlohmann::json::parse(readFile(dir + "/meta.json"));
  EXPECT_EQ(meta["training"]["early_stopping"], 2);
  for (const auto &r : meta["results"]) {
    EXPECT_EQ(r["early_stopped_at"], 3);
    EXPECT_EQ(r["epochs_completed"], 3);
    EXPECT_EQ(r["best_epoch"], 1);
    EXPECT_TRUE(r["finished"].get<bool>());
  }
  EXPECT_TRUE(fs::exists(dir + "/seed5_fake_b_best.npz"));
}

TEST(DriverRun, ResumeRefusesCompleteRun) {
  std::string dir = tempDir("complete");
  ASSERT_EQ(runTo(dir, quietHooks()), RunStatus::Complete);
  EXPECT_NE(inputErrorOf([&] {
              readSavedRun(dir);
            }).find("the run is complete; nothing to resume"),
            std::string::npos);
  EXPECT_NE(inputErrorOf([&] {
              readSavedRun(dir + "/none");
            }).find("no such directory"),
            std::string::npos);
}

//===--- Divergence
//---------------------------------------------------------===//

TEST(DriverRun, NanLossStopsNamingSeedModelEpochBatch) {
  std::string dir = tempDir("nan");
  trainCalls = 0;
  // 4 batches per epoch, 4 epochs per model: call 23 is seed 3, fake_b,
  // epoch 2, batch 3.
  nanAtCall = 23;
  std::string message;
  try {
    runTo(dir, quietHooks());
  } catch (const DivergedError &e) {
    message = e.what();
  }
  nanAtCall = -1;
  EXPECT_EQ(message,
            "training loss is nan at seed 3, model fake_b, epoch 2, batch 3 "
            "of 4");
  auto meta = nlohmann::json::parse(readFile(dir + "/meta.json"));
  EXPECT_EQ(meta["status"], "diverged");
  EXPECT_EQ(meta["results"][1]["epochs_completed"], 1);
  // The finished model's files stay.
  EXPECT_TRUE(fs::exists(dir + "/seed3_fake_a_final.npz"));
  auto scores = ccrnn::npz::readNpy(dir + "/scores.npy");
  EXPECT_TRUE(std::isfinite(scores.data[12])); // fake_b, train, epoch 1
  EXPECT_TRUE(std::isnan(scores.data[13]));    // fake_b, train, epoch 2
  EXPECT_NE(inputErrorOf([&] { readSavedRun(dir); }).find("diverged"),
            std::string::npos);
}

//===--- Initialisation and --init
//-------------------------------------------===//

TEST(DriverInit, SeededUniformAndZeros) {
  Tensors a = initialParameters(kDesc, 1, nullptr);
  Tensors b = initialParameters(kDesc, 1, nullptr);
  Tensors c = initialParameters(kDesc, 2, nullptr);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (float x : a[0]) {
    EXPECT_GE(x, -0.5f);
    EXPECT_LE(x, 0.5f);
  }
  EXPECT_EQ(a[2], std::vector<float>(3, 0.0f));
}

TEST(DriverInit, CrnnAndCcrnnShareRecurrentWeights) {
  ccrnn_param_info crnn[] = {{"rnn.weight_hh_l0",
                              1,
                              {8},
                              CCRNN_INIT_UNIFORM,
                              0.3,
                              CCRNN_GROUP_RECURRENT}};
  ccrnn_param_info ccrnn[] = {{"rnn.rnn.weight_hh_l0",
                               1,
                               {8},
                               CCRNN_INIT_UNIFORM,
                               0.3,
                               CCRNN_GROUP_RECURRENT}};
  ccrnn_trainer_desc d1 = kDesc, d2 = kDesc;
  d1.num_params = d2.num_params = 1;
  d1.params = crnn;
  d2.params = ccrnn;
  EXPECT_EQ(initialParameters(d1, 4, nullptr),
            initialParameters(d2, 4, nullptr));
}

TEST(DriverInit, NormalAndOnes) {
  // A caption model's embedding (N(0, 1)) and batch norm weight (ones).
  ccrnn_param_info params[] = {
      {"embed.weight", 2, {100, 40}, CCRNN_INIT_NORMAL, 2.0, CCRNN_GROUP_INPUT},
      {"encoder.bn.weight", 1, {5}, CCRNN_INIT_ONES, 0.0, CCRNN_GROUP_INPUT}};
  ccrnn_trainer_desc d = kDesc;
  d.num_params = 2;
  d.params = params;
  Tensors a = initialParameters(d, 5, nullptr);
  EXPECT_EQ(a, initialParameters(d, 5, nullptr));
  EXPECT_NE(a[0], initialParameters(d, 6, nullptr)[0]);
  double sum = 0, squares = 0;
  for (float x : a[0]) {
    sum += x;
    squares += double(x) * x;
  }
  double n = a[0].size(), mean = sum / n;
  // 4000 draws: the mean is within 4 standard errors (0.13) of 0, the
  // deviation within 5 % of the bound.
  EXPECT_NEAR(mean, 0.0, 0.13);
  EXPECT_NEAR(std::sqrt(squares / n - mean * mean), 2.0, 0.1);
  EXPECT_EQ(a[1], std::vector<float>(5, 1.0f));
}

TEST(DriverInit, FromArchiveAndChecks) {
  std::string dir = tempDir("init");
  Tensors p = {{1, 2}, {3, 4}, {5, 6, 7}};
  Archive a = parametersArchive(kDesc, p);
  ccrnn::npz::writeNpz(dir + "/w.npz", a);
  Archive read = readInit(dir + "/w.npz");
  checkInit(read, "w.npz", kDesc, "fake");
  EXPECT_EQ(initialParameters(kDesc, 9, &read), p);

  Archive missing = read;
  missing.erase("linear.bias");
  EXPECT_EQ(inputErrorOf([&] { checkInit(missing, "w.npz", kDesc, "fake"); }),
            "--init w.npz: no array 'linear.bias' (model fake needs [2])");
  Archive shaped = read;
  shaped["linear.weight"].shape = {1, 2};
  EXPECT_EQ(inputErrorOf([&] { checkInit(shaped, "w.npz", kDesc, "fake"); }),
            "--init w.npz: array 'linear.weight' has shape [1, 2], but model "
            "fake needs [2, 1]");
  EXPECT_NE(inputErrorOf([&] {
              readInit(dir + "/none.npz");
            }).find("--init: " + dir + "/none.npz: cannot open"),
            std::string::npos);
}

TEST(DriverRun, InitGivesEverySeedTheSameStart) {
  std::string dir = tempDir("init-run");
  Tensors p = {{0.1f, -0.2f}, {0.3f, 0.4f}, {0, 0, 0}};
  ccrnn::npz::writeNpz(dir + "/w.npz", parametersArchive(kDesc, p));
  TrainConfig c = smallConfig();
  c.initFile = dir + "/w.npz";
  c.lr = 1e-30; // the weights stay (numerically) where they start
  ASSERT_EQ(runTo(dir + "/out", quietHooks(), c), RunStatus::Complete);
  Archive f = ccrnn::npz::readNpz(dir + "/out/seed5_fake_a_final.npz");
  EXPECT_FLOAT_EQ(float(f["linear.bias"].data[1]), 0.4f);
}

//===--- --dump-step
//----------------------------------------------------------===//

TEST(DriverDumpStep, GradientsLossAndNorm) {
  std::string dir = tempDir("dump");
  Dataset d = makeLineDraw(smallConfig().data, kBatch, 1, "x", 0, false);
  Archive batch;
  batch["inputs"] = {{kBatch, kSteps, 1},
                     std::vector<double>(d.inputs.begin(), d.inputs.end()),
                     ccrnn::npz::DType::F32};
  batch["targets"] = {{kBatch, kSteps, 2},
                      std::vector<double>(d.targets.begin(), d.targets.end()),
                      ccrnn::npz::DType::F32};
  ccrnn::npz::writeNpz(dir + "/b.npz", batch);
  BatchFile b = readBatchFile(dir + "/b.npz");
  Tensors p = initialParameters(kDesc, 0, nullptr);
  Archive out = dumpStep(&kFake, p, b, "b.npz");

  // The fake's own gradient, written under the parameter names.
  Tensors g = p;
  std::vector<const float *> pp = {p[0].data(), p[1].data(), p[2].data()};
  std::vector<float *> gp = {g[0].data(), g[1].data(), g[2].data()};
  float loss = fakeForward(pp.data(), d.inputs.data(), d.targets.data(),
                           nullptr, gp.data());
  EXPECT_EQ(out["loss"].data[0], double(loss));
  EXPECT_EQ(out["linear.weight"].dtype, ccrnn::npz::DType::F32);
  EXPECT_EQ(out["linear.weight"].shape, (std::vector<int64_t>{2, 1}));
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(out["linear.bias"].data[i], double(g[1][i]));
  EXPECT_DOUBLE_EQ(out["grad_norm"].data[0], globalNorm(g));

  Archive wrong = batch;
  wrong["inputs"].shape = {kBatch, kSteps + 1, 1};
  wrong["inputs"].data.resize(kBatch * (kSteps + 1));
  ccrnn::npz::writeNpz(dir + "/wrong.npz", wrong);
  BatchFile w = readBatchFile(dir + "/wrong.npz");
  EXPECT_EQ(inputErrorOf([&] { dumpStep(&kFake, p, w, "wrong.npz"); }),
            "--batch wrong.npz: array 'inputs' has shape [10, 6, 1], but "
            "model fake needs [10, 5, 1]");
  Archive noTargets = batch;
  noTargets.erase("targets");
  ccrnn::npz::writeNpz(dir + "/nt.npz", noTargets);
  EXPECT_NE(inputErrorOf([&] {
              readBatchFile(dir + "/nt.npz");
            }).find("no array 'targets'"),
            std::string::npos);
}

//===--- Input checks
//---------------------------------------------------------===//

TEST(DriverChecks, ConfigValues) {
  auto errorFor = [](const std::function<void(TrainConfig &)> &edit) {
    TrainConfig c;
    edit(c);
    return inputErrorOf([&] { validateConfig(c); });
  };
  EXPECT_EQ(errorFor([](TrainConfig &) {}), "(no error)");
  EXPECT_EQ(errorFor([](TrainConfig &c) { c.bptt = 0; }),
            "--bptt must be a positive integer, got 0");
  EXPECT_EQ(errorFor([](TrainConfig &c) { c.data.trainSize = -5; }),
            "--train-size must be a positive integer, got -5");
  EXPECT_EQ(errorFor([](TrainConfig &c) { c.lr = 0; }),
            "--lr must be positive, got 0");
  EXPECT_EQ(errorFor([](TrainConfig &c) { c.lr = std::nan(""); }),
            "--lr must be positive, got nan");
  EXPECT_EQ(errorFor([](TrainConfig &c) { c.clip = -1; }),
            "--clip must be >= 0 (0 disables clipping), got -1");
  EXPECT_EQ(errorFor([](TrainConfig &c) { c.task = "copy"; }),
            "unknown task 'copy' (valid: linedraw, seqmnist, "
            "seqmnist-lines, seqmnist-digits, captioning)");
  EXPECT_EQ(errorFor([](TrainConfig &c) { c.data.seqLen = 1; }),
            "--seq-len must be at least 2 (a line has its origin and its "
            "endpoint), got 1");
  EXPECT_EQ(errorFor([](TrainConfig &c) {
              c.seeds = {1, 2, 1};
            }),
            "--seed-list: seed 1 appears twice");
  EXPECT_EQ(errorFor([](TrainConfig &c) { c.predictLast = true; }),
            "--interval applies to per-step targets and cannot be combined "
            "with --predict-last");
}

TEST(DriverChecks, ModelsMustFitTheTask) {
  TrainConfig c = smallConfig();
  EXPECT_EQ(inputErrorOf([&] { checkModels(c, twoModels()); }), "(no error)");
  c.batchSize = 20;
  EXPECT_EQ(inputErrorOf([&] { checkModels(c, twoModels()); }),
            "model fake_a: its trainer is built for batch 10, length 5, but "
            "the run needs batch 20, length 5");
  c = smallConfig();
  auto same = twoModels();
  same[1].name = "fake_a";
  EXPECT_EQ(inputErrorOf([&] { checkModels(c, same); }),
            "model 'fake_a' is given twice");
  ccrnn_trainer_desc classifier = kDesc;
  classifier.classify = 1;
  ccrnn_trainer_api api = kFake;
  api.desc = &classifier;
  EXPECT_NE(inputErrorOf([&] {
              checkModels(c, {{"xent", "", "", "", "", &api}});
            }).find("is a classifier"),
            std::string::npos);
  // An ensemble trainer where one network's is needed, and one of another
  // size than the run's groups.
  EXPECT_EQ(inputErrorOf([&] {
              checkModels(c, {{"x2", "", "", "", "", &kFakeX2}});
            }),
            "model x2: an ensemble trainer (2 networks a call) where one "
            "network's is needed");
  c.ensemble = 3;
  c.seeds = {1, 2, 3};
  auto grouped = twoModels();
  grouped[0].ensembleApi = &kFakeX2;
  EXPECT_EQ(inputErrorOf([&] { checkModels(c, grouped); }),
            "model fake_a: its ensemble trainer does not match the run (2 "
            "networks, 3 seeds a call)");
}

TEST(DriverChecks, Devices) {
  EXPECT_EQ(inputErrorOf([] { requireDevice("cpu"); }), "(no error)");
  EXPECT_EQ(inputErrorOf([] { requireDevice("tpu"); }),
            "--device must be cpu or cuda, got 'tpu'");
  // Without a GPU (or a CUDA build) CUDA is refused, saying why.
  std::string cuda = inputErrorOf([] { requireDevice("cuda"); });
  if (cuda != "(no error)") {
    EXPECT_EQ(cuda.rfind("--device cuda: ", 0), 0u) << cuda;
  }
}

TEST(DriverChecks, OutputDirectory) {
  std::string dir = tempDir("outdir");
  EXPECT_EQ(
      inputErrorOf([&] { checkOutputDirectory(dir + "/new/run", false); }),
      "(no error)");
  EXPECT_FALSE(fs::exists(dir + "/new")); // nothing created
  EXPECT_NE(inputErrorOf([&] {
              checkOutputDirectory(dir, false);
            }).find("already exists"),
            std::string::npos);
  EXPECT_EQ(inputErrorOf([&] { checkOutputDirectory(dir, true); }),
            "(no error)");
  std::ofstream(dir + "/file") << "x";
  EXPECT_NE(inputErrorOf([&] {
              checkOutputDirectory(dir + "/file/run", false);
            }).find("is not a directory"),
            std::string::npos);
  EXPECT_EQ(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()),
      1); // no probe left behind
  // Only a lock file: a run killed before it wrote anything; reused.
  fs::create_directories(dir + "/killed");
  std::ofstream(dir + "/killed/.lock") << "pid 1 on host\n";
  EXPECT_EQ(inputErrorOf([&] { checkOutputDirectory(dir + "/killed", false); }),
            "(no error)");
}

TEST(DriverTrainers, ModelNames) {
  auto bundled = bundledModelNames();
  EXPECT_NE(std::find(bundled.begin(), bundled.end(), "dni_lstm"),
            bundled.end());
  ModelRef r = resolveModel("DNI_LSTM"); // the reference's spelling
  EXPECT_EQ(r.name, "dni_lstm");
  EXPECT_TRUE(r.bundled);
  EXPECT_NE(inputErrorOf([] {
              resolveModel("gru");
            }).find("unknown model 'gru' (bundled models: caption_dni_lstm, caption_lstm, cdni_lstm"),
            std::string::npos);
  std::string dir = tempDir("models");
  EXPECT_EQ(inputErrorOf([&] { resolveModel(dir + "/none.mlir"); }),
            "--model " + dir + "/none.mlir: no such file");
  std::ofstream(dir + "/empty.mlir") << "// nothing\n";
  EXPECT_NE(inputErrorOf([&] {
              resolveModel(dir + "/empty.mlir");
            }).find("is not a model file"),
            std::string::npos);
}

//===--- Sweeps
//----------------------------------------------------------------===//

TEST(DriverSweep, ListValues) {
  // Items over every occurrence of the flag; an empty one is refused.
  EXPECT_EQ(splitFlagList("--bptt", {"1,28", "3"}),
            (std::vector<std::string>{"1", "28", "3"}));
  for (const char *bad : {"1,,2", "1,", ",1", ","})
    EXPECT_EQ(inputErrorOf([&] { splitFlagList("--bptt", {bad}); }),
              "--bptt: '" + std::string(bad) +
                  "' has an empty item (a comma-separated list has a value "
                  "between every two commas)");
  EXPECT_EQ(parseFlagList("--bptt", {"1,28", "3"}, true),
            (std::vector<double>{1, 28, 3}));
  EXPECT_EQ(parseFlagList("--bptt", {"1", "28", "3"}, true),
            (std::vector<double>{1, 28, 3}));
  EXPECT_EQ(parseFlagList("--lr", {"1e-3", "0.5"}, false),
            (std::vector<double>{1e-3, 0.5}));
  EXPECT_EQ(inputErrorOf([] { parseFlagList("--bptt", {"1", "2.5"}, true); }),
            "--bptt: '2.5' is not an integer (one value, or a comma-separated "
            "list for a sweep, e.g. --bptt 1,2,3)");
  EXPECT_EQ(inputErrorOf([] { parseFlagList("--lr", {"inf"}, false); }),
            "--lr: 'inf' is not a number (one value, or a comma-separated "
            "list for a sweep, e.g. --lr 1e-3,1e-4)");
  EXPECT_EQ(
      inputErrorOf([] { parseFlagList("--interval", {"2", "2"}, true); }),
      "--interval: 2 is given twice");
  EXPECT_EQ(formatValue(28), "28");
  EXPECT_EQ(formatValue(1e-3), "0.001");
  EXPECT_EQ(formatValue(1e-5), "1e-05");
}

TEST(DriverSweep, GridOfEveryCombination) {
  Sweep sweep({{"bptt", {1, 3}}, {"lr", {0.05, 0.01}}}, smallConfig(),
              twoModels(), "unused", {});
  std::vector<std::string> dirs;
  for (const SweepPoint &p : sweep.points())
    dirs.push_back(p.dir);
  EXPECT_EQ(dirs, (std::vector<std::string>{"bptt=1,lr=0.05", "bptt=1,lr=0.01",
                                            "bptt=3,lr=0.05",
                                            "bptt=3,lr=0.01"}));
  EXPECT_EQ(sweep.points()[2].config.bptt, 3);
  EXPECT_EQ(sweep.points()[2].config.lr, 0.05);
  EXPECT_EQ(sweep.points()[2].status, "pending");
  // Every point is checked when the sweep is made.
  EXPECT_EQ(inputErrorOf([] {
              Sweep({{"interval", {2, 0}}}, smallConfig(), twoModels(), "x",
                    {});
            }),
            "--interval must be a positive integer, got 0");
}

// A cRNN version of the fake: no synthesizer parameter. With clipping on,
// the ccRNN fake's constant synthesizer gradient scales its other
// gradients, so the two learn differently.
const ccrnn_trainer_desc kCrnnDesc = [] {
  ccrnn_trainer_desc d = kDesc;
  d.has_cerebellum = 0;
  d.num_params = 2;
  return d;
}();
float fakeCrnnTrain(void *t, const ccrnn_batch *batch, float *const *grads,
                    float *finalState) {
  float synthesizer[3];
  float *const all[3] = {grads[0], grads[1], synthesizer};
  return fakeTrain(t, batch, all, finalState);
}
const ccrnn_trainer_api kFakeCrnn = {&kCrnnDesc, fakeCreate, fakeDestroy,
                                     fakeCrnnTrain, fakeEval, nullptr};

TrainConfig sweepConfig() {
  TrainConfig c = smallConfig();
  c.clip = 0.02;
  return c;
}

Sweep crnnVsCcrnnSweep(const std::string &dir) {
  return Sweep({{"lr", {0.05, 0.01}}}, sweepConfig(),
               {{"fake", "", "", kDesc.options, "test", &kFakeCrnn},
                {"dni_fake", "", "", kDesc.options, "test", &kFake}},
               dir, {"test"});
}

RunStatus runSweep(Sweep &sweep, const SweepHooks &hooks) {
  sweep.prepare(hooks);
  return sweep.run(hooks);
}

TEST(DriverSweep, GathersScoresAndRelativePerformance) {
  std::string dir = tempDir("sweep");
  Sweep sweep = crnnVsCcrnnSweep(dir);
  SweepHooks hooks;
  hooks.run = quietHooks();
  ASSERT_EQ(runSweep(sweep, hooks), RunStatus::Complete);

  // The points' scores, stacked along a leading axis.
  auto scores = ccrnn::npz::readNpy(dir + "/scores.npy");
  EXPECT_EQ(scores.shape, (std::vector<int64_t>{2, 2, 2, 3, 4}));
  std::vector<double> stacked;
  for (const char *point : {"/lr=0.05", "/lr=0.01"}) {
    auto a = ccrnn::npz::readNpy(dir + point + "/scores.npy");
    stacked.insert(stacked.end(), a.data.begin(), a.data.end());
  }
  EXPECT_EQ(scores.data, stacked);

  auto j = nlohmann::json::parse(readFile(dir + "/sweep.json"));
  EXPECT_EQ(j["format"], "ccrnn-train sweep");
  EXPECT_EQ(j["status"], "complete");
  EXPECT_EQ(j["axes"], nlohmann::json::parse(
                           R"([{"name": "lr", "values": [0.05, 0.01]}])"));
  EXPECT_EQ(j["scores"]["axes"],
            nlohmann::json::array({"point", "seed", "model", "metric",
                                   "epoch"}));
  EXPECT_EQ(j["metrics"], nlohmann::json::array(
                              {"train_loss", "val_loss", "val_dysmetria"}));
  ASSERT_EQ(j["points"].size(), 2u);
  for (size_t p = 0; p < 2; ++p) {
    const auto &point = j["points"][p];
    EXPECT_EQ(point["status"], "complete");
    auto meta = nlohmann::json::parse(
        readFile(dir + "/" + point["dir"].get<std::string>() + "/meta.json"));
    EXPECT_EQ(meta["training"]["lr"], point["values"]["lr"]);
    EXPECT_EQ(point["summary"], meta["summary"]);
    // dni_fake against fake, per seed: results are [seed][model].
    double ratios = 0;
    for (size_t s = 0; s < 2; ++s)
      ratios += meta["results"][s * 2 + 1]["final_val_loss"].get<double>() /
                meta["results"][s * 2]["final_val_loss"].get<double>();
    const auto &relative = point["relative"][0];
    EXPECT_EQ(relative["model"], "dni_fake");
    EXPECT_EQ(relative["baseline"], "fake");
    EXPECT_EQ(relative["seeds"], 2);
    EXPECT_NEAR(relative["final_val_loss_ratio"]["mean"].get<double>(),
                ratios / 2, 1e-12);
    EXPECT_NE(relative["final_val_loss_ratio"]["mean"].get<double>(), 1.0);
  }
  EXPECT_EQ(j["plot"]["y"], "final_val_loss"); // not a horizon sweep
  EXPECT_EQ(sweep.summaries().size(), 2u);
  EXPECT_EQ(sweep.relatives()[1][0].model, "dni_fake");
  EXPECT_NE(inputErrorOf([&] { Sweep::open(dir); })
                .find("the sweep is complete; nothing to resume"),
            std::string::npos);
}

TEST(DriverSweep, ADivergingPointDoesNotStopTheOthers) {
  std::string dir = tempDir("sweep-nan");
  SweepHooks hooks;
  hooks.run = quietHooks();
  std::vector<std::string> warnings;
  hooks.run.onWarning = [&](const std::string &w) { warnings.push_back(w); };
  trainCalls = 0;
  nanAtCall = 2; // the first point's first model, epoch 1, batch 2
  std::string message;
  Sweep sweep = crnnVsCcrnnSweep(dir);
  try {
    runSweep(sweep, hooks);
  } catch (const DivergedError &e) {
    message = e.what();
  }
  nanAtCall = -1;
  EXPECT_EQ(message, "grid point lr=0.05: training loss is nan at seed 3, "
                     "model fake, epoch 1, batch 2 of 4 (the other grid "
                     "points were trained)");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("going on with the next grid point"),
            std::string::npos);
  auto j = nlohmann::json::parse(readFile(dir + "/sweep.json"));
  EXPECT_EQ(j["status"], "diverged");
  EXPECT_EQ(j["points"][0]["status"], "diverged");
  EXPECT_EQ(j["points"][1]["status"], "complete");
  EXPECT_EQ(inputErrorOf([&] { Sweep::open(dir); }),
            "--resume " + dir +
                ": the sweep is finished (grid point lr=0.05 diverged); "
                "nothing to resume");
}

/// The sweep run whole into `whole`, and into `parts` stopped in its second
/// point (the first complete, the second to resume mid-run).
void runWholeAndStoppedSweeps(const std::string &whole,
                              const std::string &parts) {
  SweepHooks hooks;
  hooks.run = quietHooks();
  Sweep a = crnnVsCcrnnSweep(whole);
  ASSERT_EQ(runSweep(a, hooks), RunStatus::Complete);
  std::atomic<bool> stop{false};
  size_t point = 0;
  hooks.onPointStart = [&](size_t i, const SweepPoint &) { point = i; };
  hooks.run.stop = &stop;
  hooks.run.saveEverySeconds = 1e9;
  hooks.run.onEpoch = [&](const EpochReport &r) {
    if (point == 1 && r.seedIndex == 1 && r.modelIndex == 0 && r.epoch == 2)
      stop = true;
  };
  Sweep b = crnnVsCcrnnSweep(parts);
  ASSERT_EQ(runSweep(b, hooks), RunStatus::Interrupted);
}

TEST(DriverSweep, ResumeSkipsFinishedPointsAndMatches) {
  std::string whole = tempDir("sweep-whole"), parts = tempDir("sweep-parts");
  ASSERT_NO_FATAL_FAILURE(runWholeAndStoppedSweeps(whole, parts));
  auto j = nlohmann::json::parse(readFile(parts + "/sweep.json"));
  EXPECT_EQ(j["status"], "interrupted");
  EXPECT_EQ(j["points"][0]["status"], "complete");
  EXPECT_EQ(j["points"][1]["status"], "interrupted");

  Sweep resumed = Sweep::open(parts);
  ASSERT_EQ(resumed.points().size(), 2u);
  EXPECT_TRUE(resumed.points()[0].done());
  EXPECT_FALSE(resumed.points()[1].done());
  EXPECT_EQ(resumed.points()[1].config.lr, 0.01);
  for (ModelEntry &m : resumed.points()[1].models)
    m.api = m.name == "fake" ? &kFakeCrnn : &kFake;
  std::vector<size_t> started;
  SweepHooks quiet;
  quiet.run = quietHooks();
  quiet.onPointStart = [&](size_t i, const SweepPoint &) {
    started.push_back(i);
  };
  ASSERT_EQ(resumed.run(quiet), RunStatus::Complete);
  EXPECT_EQ(started, std::vector<size_t>{1});
  for (const char *f : {"scores.npy", "lr=0.05/scores.npy",
                        "lr=0.01/scores.npy", "lr=0.01/trajectories.npz",
                        "lr=0.01/seed5_dni_fake_final.npz"})
    EXPECT_EQ(contents(whole + "/" + f), contents(parts + "/" + f)) << f;
  EXPECT_EQ(nlohmann::json::parse(readFile(parts + "/sweep.json"))["status"],
            "complete");
}

TEST(DriverSweep, ResumingOnePointUpdatesTheSweepsFiles) {
  std::string whole = tempDir("sweep-whole2"), parts = tempDir("sweep-point");
  ASSERT_NO_FATAL_FAILURE(runWholeAndStoppedSweeps(whole, parts));
  // The second point is resumed on its own (as --resume <sweep>/lr=0.01
  // does), not through the sweep.
  const std::string pointDir = parts + "/lr=0.01/";
  SavedRun saved = readSavedRun(pointDir);
  for (ModelEntry &m : saved.models)
    m.api = m.name == "fake" ? &kFakeCrnn : &kFake;
  Experiment run(saved.config, saved.models, pointDir, saved.commandLine);
  run.loadResume();
  ASSERT_EQ(run.run(quietHooks()), RunStatus::Complete);
  SweepHooks quiet;
  quiet.run = quietHooks();
  EXPECT_EQ(Sweep::updateContaining(pointDir, quiet), parts);
  EXPECT_EQ(contents(whole + "/scores.npy"), contents(parts + "/scores.npy"));
  auto j = nlohmann::json::parse(readFile(parts + "/sweep.json"));
  EXPECT_EQ(j["status"], "complete");
  EXPECT_EQ(j["points"][1]["status"], "complete");
  // A run that is not a grid point has no sweep to update.
  EXPECT_EQ(Sweep::updateContaining(whole, quiet), "");
}

} // namespace
