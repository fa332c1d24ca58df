//===- DriverRunStoreTest.cpp - A run's files, written and read back -----===//
//
// RunStore and RunResults (RunStore.h, RunResults.h): what is written is
// what is read. The results tables and the pairs' states through
// resume.npz, scores.npy, checkpoints, feedback files and trajectories;
// and meta.json, written by a prepared Experiment, read by readSavedRun.
// Every table is filled with values unlike the empty tables' (NaN, 0), so
// that an equal table read back was read.
//
//===----------------------------------------------------------------------===//

// Internal to the driver (a pair's state in resume.npz); by its path, see
// DriverTrainingLoopTest.cpp.
#include "../../lib/Driver/PairRun.h"

#include "FakeTrainer.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/RunStore.h"

#include "gtest/gtest.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <type_traits>

using namespace ccrnn::driver;
namespace fake = ccrnn::fake;
namespace npz = ccrnn::npz;

namespace {

using ccrnn::test::inputErrorOf;

/// Calls fn on every table of `r`.
template <typename Results, typename Fn> void eachTable(Results &r, Fn fn) {
  fn(r.scores), fn(r.epochSeconds), fn(r.dataSeconds), fn(r.computeSeconds);
  fn(r.epochLr), fn(r.epochsDone), fn(r.finished), fn(r.bestEpoch);
  fn(r.bestVal), fn(r.testLoss), fn(r.testDysmetria), fn(r.testAccuracy);
  fn(r.trainSeconds), fn(r.trajectories);
}

/// Distinct values in every table (halves in the float ones), one NaN.
RunResults filled(size_t S, size_t M, int64_t E, int64_t C, int64_t Lt) {
  RunResults r(S, M, E, {"train_loss", "val_loss", "val_dysmetria"}, C, Lt);
  int64_t v = 1;
  eachTable(r, [&](auto &table) {
    for (auto &x : table)
      x = std::is_floating_point_v<std::decay_t<decltype(x)>> ? v++ + 0.5 : v++;
  });
  r.scores[3] = RunResults::kNaN;
  return r;
}

/// Each table's values, NaN as a string of its own.
std::vector<std::string> tablesOf(const RunResults &r) {
  std::vector<std::string> out;
  eachTable(r, [&](const auto &table) {
    std::string s;
    for (double x : table)
      s += (std::isnan(x) ? std::string("nan") : std::to_string(x)) + " ";
    out.push_back(s);
  });
  return out;
}

TEST(DriverRunStore, ResultsTablesRoundTripThroughResumeFile) {
  const RunStore store(fake::tempDir("store-results"));
  const RunResults r = filled(2, 3, 4, 2, 5);
  store.writeResume(r, 12.5, {});
  RunResults back(2, 3, 4, r.metrics, 2, 5);
  ResumeFile file = store.readResume(back);
  EXPECT_EQ(file.trainingSeconds, 12.5);
  EXPECT_TRUE(file.pairs.empty());
  back.read([&](const std::string &name,
                const std::vector<int64_t> &shape) -> const npz::Array & {
    return file.get(name, shape);
  });
  const std::vector<std::string> want = tablesOf(r), got = tablesOf(back);
  ASSERT_EQ(got.size(), 14u);
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(got[i], want[i]) << "table " << i;
  // A run of other dimensions does not fit: the message names the file.
  RunResults other(3, 3, 4, r.metrics, 2, 5);
  try {
    other.read([&](const std::string &name,
                   const std::vector<int64_t> &shape) -> const npz::Array & {
      return file.get(name, shape);
    });
    ADD_FAILURE() << "read a table of another shape";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find(store.path("resume.npz")),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("has shape [2, 3, 3, 4], expected "
                                         "[3, 3, 3, 4]"),
              std::string::npos)
        << e.what();
  }
}

TEST(DriverRunStore, PairStatesRoundTripThroughResumeFile) {
  TrainConfig c = fake::smallConfig();
  // With the reference's olive lesion, the synthesizer's kept gradients too.
  c.synthAblationEpoch = 2;
  c.oliveLesion = "reference";
  const RunStore store(fake::tempDir("store-pairs"));
  // Two pairs in training (of 2 seeds x 3 models: pairs 1 and 4, both of
  // model 1), each moved off its start: parameters, slots, schedule.
  std::map<size_t, std::unique_ptr<PairRun>> pairs;
  std::map<size_t, npz::Archive> snaps;
  for (size_t k : {1, 4}) {
    auto p = startPair(c, fake::kDesc, k / 3, k % 3, {});
    Tensors g = p->params;
    for (auto &t : g)
      for (float &x : t)
        x = 0.125f * float(k) + x;
    p->optim->step(p->params, g);
    p->optim->step(p->params, g);
    p->best = g;
    p->optim->setLr(0.007 * double(k));
    p->plateau->setState(0.3 * double(k), int64_t(k));
    ASSERT_EQ(p->frozenGradients[fake::kSynth].size(), g[fake::kSynth].size());
    p->frozenGradients[fake::kSynth] = g[fake::kSynth];
    snaps[k] = pairSnapshot(fake::kDesc, *p);
    pairs[k] = std::move(p);
  }
  const RunResults r = filled(2, 3, 4, 0, 1);
  store.writeResume(r, 1.5, snaps);
  ResumeFile file = store.readResume(r);
  ASSERT_EQ(file.pairs.size(), 2u);
  EXPECT_EQ(file.archive.at("current").shape, (std::vector<int64_t>{2, 2}));
  for (size_t i = 0; i < 2; ++i) {
    const ResumeFile::Pair &fp = file.pairs[i];
    const size_t k = i == 0 ? 1 : 4;
    EXPECT_EQ(fp.s, k / 3);
    EXPECT_EQ(fp.m, k % 3);
    EXPECT_EQ(fp.prefix, "pair" + std::to_string(i) + "/");
    auto back = restorePair(
        c, fake::kDesc, fp.s, fp.m, fp.prefix,
        [&](const std::string &name, const std::vector<int64_t> &shape)
            -> const npz::Array & { return file.get(name, shape); });
    const PairRun &p = *pairs[k];
    EXPECT_EQ(back->params, p.params);
    EXPECT_EQ(back->best, p.best);
    EXPECT_EQ(back->optim->steps(), 2);
    EXPECT_EQ(back->optim->lr(), p.optim->lr());
    EXPECT_EQ(back->plateau->best(), p.plateau->best());
    EXPECT_EQ(back->plateau->badEpochs(), int64_t(k));
    for (size_t s = 0; s < p.optim->slotNames().size(); ++s)
      EXPECT_EQ(back->optim->slot(s), p.optim->slot(s)) << s;
    EXPECT_EQ(back->frozenGradients, p.frozenGradients);
  }
  // A frozen lesion keeps no gradients, and saves none.
  const auto frozen = startPair(fake::smallConfig(), fake::kDesc, 0, 1, {});
  EXPECT_TRUE(frozen->frozenGradients.empty());
  for (const auto &entry : pairSnapshot(fake::kDesc, *frozen))
    EXPECT_EQ(entry.first.rfind("frozen_grads/", 0), std::string::npos)
        << entry.first;
}

TEST(DriverRunStore, ScoresFileIsTheScoresTable) {
  const RunStore store(fake::tempDir("store-scores"));
  const RunResults r = filled(2, 3, 4, 0, 1);
  store.writeScores(r);
  npz::Array a = npz::readNpy(store.path("scores.npy"));
  EXPECT_EQ(a.dtype, npz::DType::F64);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3, 3, 4}));
  ASSERT_EQ(a.data.size(), r.scores.size());
  for (size_t i = 0; i < a.data.size(); ++i)
    if (std::isnan(r.scores[i]))
      EXPECT_TRUE(std::isnan(a.data[i])) << i;
    else
      EXPECT_EQ(a.data[i], r.scores[i]) << i;
}

TEST(DriverRunStore, CheckpointsAndFeedbackRoundTrip) {
  const RunStore store(fake::tempDir("store-files"));
  const Tensors params = initialParameters(fake::kDesc, 7, nullptr);
  const npz::Archive ck = parametersArchive(fake::kDesc, params);
  store.writeCheckpoint(3, "a/b", "final", ck);
  EXPECT_EQ(RunStore::checkpointName(3, "a/b", "final"), "seed3_a_b_final.npz");
  npz::Archive back = npz::readNpz(store.path("seed3_a_b_final.npz"));
  ASSERT_EQ(back.size(), size_t(fake::kNumParams));
  for (int i = 0; i < fake::kNumParams; ++i) {
    const npz::Array &a = back.at(fake::kDesc.params[i].name);
    EXPECT_EQ(a.dtype, npz::DType::F32);
    EXPECT_EQ(a.shape, ck.at(fake::kDesc.params[i].name).shape);
    EXPECT_EQ(std::vector<float>(a.data.begin(), a.data.end()), params[i]);
  }

  // Feedback of 2 epochs: [2 boundaries, 1 layer, 2 kept, width] each.
  ccrnn_trainer_desc d = fake::kDesc;
  d.record_boundaries = 2, d.record_layers = 1;
  d.record_state = 3, d.record_width = 2;
  FeedbackLog log;
  log.epochs = {1, 3};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 2 * 2 * 1 * 2 * (i == 4 ? 2 : 3); ++j)
      log.arrays[i].push_back(float(i) + 0.25f * float(j));
  EXPECT_TRUE(store.readFeedback(3, "m").epochs.empty()); // none yet
  store.writeFeedback(3, "m", log, d, 2);
  FeedbackLog got = store.readFeedback(3, "m");
  EXPECT_EQ(got.epochs, log.epochs);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(got.arrays[i], log.arrays[i]) << FeedbackLog::kNames[i];
  npz::Archive file = npz::readNpz(store.path(RunStore::feedbackName(3, "m")));
  EXPECT_EQ(file.at("activity").shape, (std::vector<int64_t>{2, 2, 1, 2, 2}));
  store.writeFeedback(5, "m", FeedbackLog(), d, 2); // nothing recorded
  EXPECT_FALSE(
      std::filesystem::exists(store.path(RunStore::feedbackName(5, "m"))));
}

TEST(DriverRunStore, TrajectoriesAreMeansOverTheFinishedSeeds) {
  const RunStore store(fake::tempDir("store-lines"));
  RunResults r(3, 1, 1, {"train_loss", "val_loss"}, 2, 2); // 2 classes
  for (size_t i = 0; i < r.trajectories.size(); ++i)
    r.trajectories[i] = double(i);
  r.finished = {1, 0, 1};
  const std::vector<std::vector<float>> targets = {{0, 0, 1, 1}, {0, 0, -1, 2}};
  store.writeTrajectories(r, {4, 7}, targets, {"m"});
  npz::Archive a = npz::readNpz(store.path("trajectories.npz"));
  EXPECT_EQ(a.at("classes").data, (std::vector<double>{4, 7}));
  EXPECT_EQ(a.at("target").data,
            (std::vector<double>{0, 0, 1, 1, 0, 0, -1, 2}));
  // Seeds 0 and 2 (values j and 16 + j): j + 8; seed 1 left out.
  std::vector<double> mean;
  for (int j = 0; j < 8; ++j)
    mean.push_back(j + 8);
  EXPECT_EQ(a.at("pred/m").data, mean);
  EXPECT_EQ(a.at("per_seed/m").shape, (std::vector<int64_t>{3, 2, 2, 2}));
  EXPECT_EQ(a.at("per_seed/m").data, r.trajectories);
}


Json configJson(const TrainConfig &c) {
  Json j;
  writeConfig(c, j);
  return j;
}

// meta.json as Experiment writes it for a run not started, read back for
// --resume: the configuration, the models and the command line.
TEST(DriverRunStore, SavedRunReadsBackWhatThePreparedRunWrote) {
  TrainConfig c = fake::smallConfig();
  c.epochs = 4, c.bptt = 2, c.interval = 1, c.lr = 0.02;
  c.optim = OptimKind::RMSprop, c.clip = 0.5, c.l2 = 0.001;
  c.decayLr = true, c.lrScale = 0.5, c.lrDecayPatience = 3;
  c.earlyStopping = 2, c.seeds = {3, 5, 9}, c.data.inputNoise = 0.1;
  c.nhid = 8, c.nlayers = 2, c.synthNlayers = 1, c.synthNhid = 6;
  c.synthScale = 0.5, c.context = "on", c.ablationEpoch = 3;
  c.synthAblationEpoch = 2, c.nfibres = 2, c.keepHidden = true;
  c.recordGrads = true, c.recordSamples = 4;
  ASSERT_NO_THROW(validateConfig(c));
  std::vector<ModelEntry> models = {fake::model("fake_a"),
                                    fake::model("fake_b")};
  models[0].file = "/models/a.mlir";
  models[1].configure = "--nhid 8";
  const std::vector<std::string> commandLine = {"ccrnn-train", "--epochs", "4"};
  const std::string dir = fake::tempDir("store-saved");
  Experiment(c, models, dir, commandLine).prepare();

  SavedRun saved = readSavedRun(dir);
  EXPECT_EQ(configJson(saved.config), configJson(c));
  ASSERT_EQ(saved.models.size(), 2u);
  for (size_t m = 0; m < 2; ++m) {
    EXPECT_EQ(saved.models[m].name, models[m].name);
    EXPECT_EQ(saved.models[m].file, models[m].file);
    EXPECT_EQ(saved.models[m].configure, models[m].configure);
    EXPECT_EQ(saved.models[m].options, models[m].options);
    EXPECT_EQ(saved.models[m].api, nullptr); // not loaded
  }
  EXPECT_EQ(saved.commandLine, commandLine);

  // What cannot be resumed: a complete run, a run without resume.npz.
  const RunStore store(dir);
  Json meta = Json::parse(fake::readFile(store.path("meta.json")));
  EXPECT_EQ(meta["status"], "pending");
  meta["status"] = "complete";
  store.writeMeta(meta);
  EXPECT_NE(inputErrorOf([&] { readSavedRun(dir); }).find("nothing to resume"),
            std::string::npos);
  meta["status"] = "interrupted";
  store.writeMeta(meta);
  EXPECT_EQ(inputErrorOf([&] { readSavedRun(dir); }), "(no error)");
  store.removeResume();
  EXPECT_EQ(inputErrorOf([&] { readSavedRun(dir); }),
            "--resume " + dir + ": no resume.npz");
}

} // namespace

namespace {

// A resume.npz that was damaged or edited must not index out of the
// tables: every value the run counts on is checked (issue 17, class 4).
TEST(DriverRunStore, DamagedResumeValuesAreInputErrors) {
  TrainConfig c = fake::smallConfig();
  c.epochs = 3;
  const std::vector<ModelEntry> models = {fake::model("fake_a")};
  const std::string dir = fake::tempDir("store-damaged");
  std::filesystem::remove_all(dir);
  std::atomic<bool> stop{false};
  RunHooks hooks;
  hooks.gnuplot = "";
  hooks.stop = &stop; // after the first epoch of seed 3
  hooks.onEpoch = [&](const EpochReport &) { stop = true; };
  ASSERT_EQ(Experiment(c, models, dir, {"test"}).run(hooks),
            RunStatus::Interrupted);
  const std::string file = dir + "/resume.npz";
  const npz::Archive saved = npz::readNpz(file);
  auto resumeWith = [&](const std::string &name, size_t i, double value) {
    npz::Archive a = saved;
    a.at(name).data.at(i) = value;
    if (value != std::floor(value)) // stored as float64, as an edit may
      a.at(name).dtype = npz::DType::F64;
    npz::writeNpz(file, a);
    return inputErrorOf(
        [&] { Experiment(c, models, dir, {"test"}).loadResume(); });
  };
  EXPECT_EQ(resumeWith("epochs_done", 0, 1), "(no error)");
  EXPECT_EQ(resumeWith("epochs_done", 0, -1),
            "--resume: " + file +
                ": epochs_done of seed index 0, model index 0 is -1, "
                "expected 0 to 3");
  EXPECT_EQ(resumeWith("epochs_done", 1, 1000000),
            "--resume: " + file +
                ": epochs_done of seed index 1, model index 0 is 1000000, "
                "expected 0 to 3");
  EXPECT_EQ(resumeWith("finished", 0, 2),
            "--resume: " + file +
                ": finished of seed index 0, model index 0 is 2, expected "
                "0 or 1");
  EXPECT_EQ(resumeWith("best_epoch", 0, 2),
            "--resume: " + file +
                ": best_epoch of seed index 0, model index 0 is 2, "
                "expected 0 to its epochs done (1)");
  EXPECT_EQ(resumeWith("current", 0, -1),
            "--resume: " + file + ": 'current' out of range");
  EXPECT_EQ(resumeWith("current", 0, 0.5),
            "--resume: " + file + ": 'current' out of range");
  EXPECT_EQ(resumeWith("finished", 0, 1),
            "--resume: " + file +
                ": 'current' lists seed index 0, model index 0, which is "
                "finished");
  EXPECT_EQ(resumeWith("pair0/optim_steps", 0, -5),
            "--resume: pair0/optim_steps is -5.000000, expected a count");
  EXPECT_EQ(resumeWith("pair0/optim_lr", 0, std::nan("")),
            "--resume: pair0/optim_lr is nan, expected a positive number");
}

} // namespace
