//===- DriverTaskTest.cpp - Tasks as plug-ins -----------------------------===//
//
// A task registered by a test (its own data, scorer and metrics) trains end
// to end through Experiment with the fake trainer (FakeTrainer.h); the
// built-in tasks' data sets, batches, metrics and scorers, the seqMNIST ones
// on tiny IDX files written here (the format as in IdxTest.cpp).
//
//===----------------------------------------------------------------------===//

#include "FakeTrainer.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Experiment.h"
#include "ccrnn/Driver/Metrics.h"
#include "ccrnn/Driver/SeqMnist.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Runtime/Idx.h"

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <set>

using namespace ccrnn::driver;
namespace fake = ccrnn::fake;
using fake::kBatch;
using fake::kSteps;

namespace {

//===--- A task registered by the test ------------------------------------===//

constexpr const char *kTestTask = "unit-test-lines";

/// `size` samples: sample i has first input x = first + 0.1 i (0 after)
/// and the target line from the origin to (10 x, 1 - x).
Dataset testSet(int64_t size, double first) {
  Dataset d;
  d.size = size, d.steps = kSteps, d.inputSize = 1, d.targetSize = kSteps * 2;
  for (int64_t i = 0; i < size; ++i) {
    const double x = first + 0.1 * double(i);
    for (int64_t t = 0; t < kSteps; ++t) {
      const double s = double(t) / double(kSteps - 1);
      d.inputs.push_back(t == 0 ? float(x) : 0.0f);
      d.targets.push_back(float(s * 10 * x));
      d.targets.push_back(float(s * (1 - x)));
    }
    d.labels.push_back(0);
  }
  return d;
}
SeedData testData(uint64_t seed) {
  return {testSet(6, 0.1 + 0.01 * double(seed)), testSet(5, 0.15),
          testSet(3, 0.05)};
}

/// The mean absolute error and, as its "dysmetria", the largest one.
class AbsScorer final : public Scorer {
public:
  void add(const float *p, int64_t width, int64_t rows, const float *y,
           const int64_t *) override {
    for (int64_t i = 0; i < rows * width; ++i) {
      sum += std::abs(double(p[i]) - double(y[i]));
      max = std::max(max, std::abs(double(p[i]) - double(y[i])));
    }
    this->width = width;
  }
  Evaluation finish(int64_t samples) const override {
    Evaluation e;
    e.loss = sum / double(samples * width);
    e.dysmetria = max;
    return e;
  }

private:
  double sum = 0, max = 0;
  int64_t width = 1;
};

/// Its training set in order, reversed in even epochs.
class TestTask final : public Task {
public:
  TestTask() : Task({false, 1, 2, ""}) {}
  std::vector<ValidationMetric> validationMetrics() const override {
    return {{"val_max_error", [](const Evaluation &e) { return e.dysmetria; }}};
  }
  std::vector<std::string> testMetrics() const override {
    return {"test_loss", "test_max_error"};
  }
  std::unique_ptr<Scorer> scorer() const override {
    return std::make_unique<AbsScorer>();
  }
  SeedData seedData(uint64_t seed) const override { return testData(seed); }
  EpochData epochData(const SeedData &d, uint64_t, int64_t epoch,
                      int64_t batchSize) const override {
    std::vector<int64_t> order = {0, 1, 2, 3, 4, 5};
    if (epoch % 2 == 0)
      std::reverse(order.begin(), order.end());
    return EpochData(d.train, order, (6 + batchSize - 1) / batchSize);
  }
  int64_t trainSamplesPerEpoch(int64_t) const override { return 8; }
  TrajectoryPlot trajectoryPlot() const override { return {"", {}}; }
  void describe(nlohmann::ordered_json &t,
                const std::array<int64_t, 3> &) const override {
    t["unit_test_note"] = "tiny";
  }
};

TaskKind testKind() {
  TaskKind k;
  k.name = kTestTask;
  k.modelShape = [](const TrainConfig &) {
    return ModelShape{false, 1, 2, ""};
  };
  k.validate = [](const TrainConfig &c) {
    if (c.data.seqLen != kSteps)
      throw InputError("unit-test-lines: --seq-len must be 5");
  };
  k.make = [](const TrainConfig &) { return std::make_unique<TestTask>(); };
  return k;
}

/// The test task's scores of a checkpoint's parameters on `set`,
/// predicted here.
Evaluation scoresOf(const std::string &checkpoint, const Dataset &set) {
  ccrnn::npz::Archive a = ccrnn::npz::readNpz(checkpoint);
  Tensors p;
  for (const char *name : {"linear.weight", "linear.bias"})
    p.emplace_back(a.at(name).data.begin(), a.at(name).data.end());
  AbsScorer scorer;
  for (int64_t i = 0; i < set.size; ++i)
    scorer.add(fake::predict(p, set.inputs[i * kSteps]).data(), kSteps * 2, 1,
               set.targets.data() + i * kSteps * 2, nullptr);
  return scorer.finish(set.size);
}

void runTestTask() {
  registerTask(testKind());
  EXPECT_EQ(taskNames().back(), kTestTask);
  EXPECT_EQ(findTask(kTestTask).name, kTestTask);
  EXPECT_NE(taskList().find(kTestTask), std::string::npos);
  EXPECT_THROW(registerTask(testKind()), InputError); // the name is taken
  TrainConfig c = fake::smallConfig();
  c.task = kTestTask;
  c.seeds = {3};
  const std::vector<ModelEntry> models = {fake::model("fake_a")};
  // The checks go through the task's kind: its validation, its shape.
  EXPECT_NO_THROW(validateConfig(c));
  EXPECT_NO_THROW(checkModels(c, models));
  TrainConfig bad = c;
  bad.data.seqLen = 6;
  EXPECT_THROW(validateConfig(bad), InputError);

  const std::string dir = fake::tempDir("plugin");
  fake::clearLog();
  RunHooks hooks;
  hooks.gnuplot = "";
  ASSERT_EQ(Experiment(c, models, dir, {"test"}).run(hooks),
            RunStatus::Complete);
  // The loop trained the task's samples in its order: 2 batches an epoch,
  // the second filled up from the start of the order.
  const Dataset train = testData(3).train;
  const std::vector<std::vector<int64_t>> want = {
      {0, 1, 2, 3}, {4, 5, 0, 1}, {5, 4, 3, 2}, {1, 0, 5, 4}};
  const std::vector<fake::TrainCall> log = fake::trainLog();
  ASSERT_EQ(log.size(), want.size());
  for (size_t b = 0; b < want.size(); ++b)
    for (int64_t i = 0; i < kBatch; ++i)
      EXPECT_EQ(log[b].firstInputs[i], train.inputs[want[b][i] * kSteps])
          << "batch " << b << " row " << i;

  auto meta = nlohmann::json::parse(fake::readFile(dir + "/meta.json"));
  EXPECT_EQ(meta["metrics"],
            nlohmann::json({"train_loss", "val_loss", "val_max_error"}));
  EXPECT_EQ(meta["test_metrics"],
            nlohmann::json({"test_loss", "test_max_error"}));
  EXPECT_EQ(meta["task"]["name"], kTestTask);
  EXPECT_EQ(meta["task"]["unit_test_note"], "tiny");
  EXPECT_EQ(meta["task"]["train_samples_per_epoch"], 8);
  // The last epoch's validation scores and the test scores are the task
  // scorer's, on its sets, with the final parameters.
  auto scores = ccrnn::npz::readNpy(dir + "/scores.npy");
  ASSERT_EQ(scores.shape, (std::vector<int64_t>{1, 1, 3, 2}));
  const std::string final = dir + "/seed3_fake_a_final.npz";
  const Evaluation val = scoresOf(final, testData(3).val),
                   test = scoresOf(final, testData(3).test);
  EXPECT_DOUBLE_EQ(scores.data[1 * 2 + 1], val.loss);
  EXPECT_DOUBLE_EQ(scores.data[2 * 2 + 1], val.dysmetria);
  EXPECT_DOUBLE_EQ(meta["results"][0]["test_loss"].get<double>(), test.loss);
  EXPECT_DOUBLE_EQ(meta["results"][0]["test_dysmetria"].get<double>(),
                   test.dysmetria);
}

/// Runs `f` in a death test's child: exits 0, or 1 with its failures on
/// stderr (where the parent shows them).
[[noreturn]] void exitWithFailuresOf(void (*f)()) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ALL_THREADS,
        &results);
    f();
  }
  int failures = 0;
  for (int i = 0; i < results.size(); ++i)
    if (results.GetTestPartResult(i).failed())
      std::cerr << results.GetTestPartResult(i) << "\n", ++failures;
  std::exit(failures ? 1 : 0);
}

// Registered tasks stay for the process (there is no unregistering), and
// DriverChecks.ConfigValues expects the built-in list: the task is
// registered and run in a child process (a death test that exits 0).
TEST(DriverTaskPluginDeathTest, ARegisteredTaskTrainsEndToEnd) {
  const std::string style = GTEST_FLAG_GET(death_test_style);
  GTEST_FLAG_SET(death_test_style, "threadsafe"); // a fresh exec: no threads
  EXPECT_EXIT(exitWithFailuresOf(runTestTask), ::testing::ExitedWithCode(0),
              "");
  GTEST_FLAG_SET(death_test_style, style);
  const std::vector<std::string> names = taskNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), kTestTask), 0);
}

//===--- The built-in tasks -----------------------------------------------===//

std::vector<std::string> namesOf(const std::vector<ValidationMetric> &v) {
  std::vector<std::string> names;
  for (const ValidationMetric &m : v)
    names.push_back(m.name);
  return names;
}
using Names = std::vector<std::string>;

/// The targets of sample i of `d`.
std::vector<float> targetsOf(const Dataset &d, int64_t i) {
  return {d.targets.begin() + i * d.targetSize,
          d.targets.begin() + (i + 1) * d.targetSize};
}

/// The scores of predictions equal to the targets of `d`.
Evaluation perfect(const Task &task, const Dataset &d) {
  std::unique_ptr<Scorer> s = task.scorer();
  s->add(d.targets.data(), d.targetSize, d.size, d.targets.data(), nullptr);
  return s->finish(d.size);
}

TEST(DriverTaskLineDraw, FixedSetsFreshBatchesAndMetrics) {
  const TrainConfig c = fake::smallConfig(); // 12 training samples, batch 4
  std::unique_ptr<Task> task = makeTask(c);
  EXPECT_FALSE(task->modelShape().classifies);
  EXPECT_EQ(task->modelShape().outputSize, 2);
  SeedData d = task->seedData(3);
  EXPECT_EQ(d.train.size, 0); // fresh samples every epoch
  EXPECT_EQ(d.test.size, 7);
  ASSERT_EQ(d.val.size, 6);
  // Each sample: 0.1 k first, the line of its class k as target.
  for (int64_t i = 0; i < d.val.size; ++i) {
    const int k = d.val.labels[i] - 3;
    EXPECT_FLOAT_EQ(d.val.inputs[i * kSteps], 0.1f * float(k));
    EXPECT_EQ(targetsOf(d.val, i), lineDrawTarget(k, kSteps));
  }
  EpochData e = task->epochData(d, 3, 1, kBatch);
  ASSERT_EQ(e.numBatches(), 3);
  EXPECT_EQ(task->trainSamplesPerEpoch(-1), 12);
  std::vector<float> in(kBatch * kSteps), out(kBatch * kSteps * 2);
  e.gather(2, kBatch, in.data(), out.data(), nullptr); // samples 8..11
  EXPECT_EQ(out, std::vector<float>(e.samples().targets.begin() + 8 * 10,
                                    e.samples().targets.end()));
  EXPECT_EQ(task->epochData(d, 3, 1, kBatch).samples().labels,
            e.samples().labels); // the same again
  EXPECT_NE(task->epochData(d, 3, 2, kBatch).samples().labels,
            e.samples().labels); // each epoch its own
  EXPECT_EQ(task->classLabels(), (std::vector<int>{-3, -2, -1, 0, 1, 2, 3}));
  EXPECT_EQ(task->classTargets()[5], lineDrawTarget(2, kSteps));
  EXPECT_EQ(namesOf(task->validationMetrics()), Names{"val_dysmetria"});
  EXPECT_EQ(task->testMetrics(), (Names{"test_loss", "test_dysmetria"}));
  // With --predict-last: the endpoints only, and no dysmetria.
  TrainConfig last = c;
  last.predictLast = true;
  task = makeTask(last);
  EXPECT_EQ(task->seedData(3).val.targetSize, 2);
  EXPECT_TRUE(task->validationMetrics().empty());
}

TEST(DriverTaskLineDraw, ScorerLossAndDysmetria) {
  std::unique_ptr<Task> task = makeTask(fake::smallConfig());
  Dataset d = task->seedData(3).val;
  Evaluation e = perfect(*task, d); // no loss, straight lines
  EXPECT_EQ(e.loss, 0.0);
  EXPECT_NEAR(e.dysmetria, 0.0, 1e-9);
  EXPECT_TRUE(std::isnan(e.accuracy));
  EXPECT_EQ(e.behaviour(), e.dysmetria);
  auto score = [&](const std::vector<float> &p, const Dataset &y) {
    std::unique_ptr<Scorer> s = task->scorer();
    s->add(p.data(), y.targetSize, y.size, y.targets.data(), nullptr);
    return s->finish(y.size);
  };
  // The origin (class 0) drawn with its middle point 1 up: distance 1 at
  // one of 5 points; second differences 1, -2, 1 over 3 inner points.
  Dataset origin;
  origin.size = 1, origin.targetSize = kSteps * 2;
  origin.targets.assign(kSteps * 2, 0.0f);
  std::vector<float> bent = origin.targets;
  bent[2 * 2 + 1] = 1.0f;
  e = score(bent, origin);
  EXPECT_DOUBLE_EQ(e.loss, 1.0 / 5);
  EXPECT_DOUBLE_EQ(e.dysmetria, 6.0 / 3);
}

/// 50 training and 10 test images, 28 x 28; image i's first pixel is i
/// (test: 100 + i), its label i % 5.
class DriverTaskSeqMnist : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir = fake::tempDir("seqmnist");
    ccrnn::idx::Paths p = ccrnn::idx::dataPaths(dir);
    // IDX: the magic and the dimensions big-endian, then the bytes.
    auto write = [](const std::string &path, std::vector<uint32_t> header,
                    const std::vector<uint8_t> &data) {
      std::string s;
      for (uint32_t v : header)
        for (int shift = 24; shift >= 0; shift -= 8)
          s += char((v >> shift) & 0xff);
      s.append(data.begin(), data.end());
      std::ofstream(path, std::ios::binary) << s;
    };
    for (uint32_t first : {0, 100}) {
      const uint32_t n = first ? 10 : 50;
      std::vector<uint8_t> px(n * 784), lb(n);
      for (uint32_t i = 0; i < n; ++i) {
        for (uint32_t j = 0; j < 784; ++j)
          px[i * 784 + j] = uint8_t(j ? (i * 7 + j) % 256 : first + i);
        lb[i] = uint8_t(i % 5);
      }
      write(first ? p.testImages : p.trainImages, {0x803, n, 28, 28}, px);
      write(first ? p.testLabels : p.trainLabels, {0x801, n}, lb);
    }
  }
  inline static std::string dir;

  static TrainConfig config(const std::string &task) {
    TrainConfig c;
    c.task = task, c.dataDir = dir, c.inputSize = 28, c.data.seqLen = 28;
    c.data.trainSize = c.data.valSize = 100; // all there are
    c.data.testSize = 4, c.batchSize = 8, c.seeds = {3};
    return c;
  }
  /// The image of sample i of `d` (its first pixel).
  static int image(const Dataset &d, int64_t i) { return d.pixels[i * 784]; }
  static std::vector<int> images(const Dataset &d) {
    std::vector<int> out;
    for (int64_t i = 0; i < d.size; ++i)
      out.push_back(image(d, i));
    return out;
  }
};

TEST_F(DriverTaskSeqMnist, ClassificationSplitBatchesAndMetrics) {
  TrainConfig c = config("seqmnist");
  c.data.trainSize = 30;
  std::unique_ptr<Task> task = makeTask(c);
  EXPECT_TRUE(task->modelShape().classifies);
  EXPECT_EQ(task->modelShape().outputSize, 10);
  SeedData d = task->seedData(3);
  // 4:1 split of the 50: 40 to take 30 training images from, 10 for
  // validation; the first 4 test images.
  ASSERT_EQ(d.train.size, 30);
  ASSERT_EQ(d.val.size, 10);
  EXPECT_EQ(images(d.test), (std::vector<int>{100, 101, 102, 103}));
  EXPECT_EQ(d.train.targetSize, 0);
  std::set<int> seen;
  for (const Dataset *set : {&d.train, &d.val})
    for (int64_t i = 0; i < set->size; ++i) {
      EXPECT_EQ(set->labels[i], image(*set, i) % 5);
      EXPECT_TRUE(seen.insert(image(*set, i)).second) << image(*set, i);
    }
  EXPECT_NE(images(task->seedData(4).val), images(d.val)); // seeded split
  // An epoch: each training sample once in a shuffled order, the last
  // batch filled up from the start; the labels with them.
  auto orderOf = [&](int64_t epoch) {
    EpochData e = task->epochData(d, 3, epoch, 8);
    EXPECT_EQ(e.numBatches(), 4);
    std::vector<float> in(8 * 784);
    std::vector<int64_t> labels(8);
    std::vector<int> order;
    for (int64_t b = 0; b < e.numBatches(); ++b) {
      e.gather(b, 8, in.data(), nullptr, labels.data());
      for (int64_t i = 0; i < 8; ++i) {
        order.push_back(int(std::lround(in[i * 784] * 255)));
        EXPECT_EQ(labels[i], order.back() % 5);
      }
    }
    return order;
  };
  const std::vector<int> order = orderOf(1), train = images(d.train);
  ASSERT_EQ(order.size(), 32u);
  EXPECT_EQ(task->trainSamplesPerEpoch(30), 32);
  EXPECT_EQ(std::set<int>(order.begin(), order.begin() + 30),
            std::set<int>(train.begin(), train.end()));
  EXPECT_EQ(order[30], order[0]);
  EXPECT_EQ(order[31], order[1]);
  EXPECT_NE(orderOf(2), order); // each epoch its own shuffle
  EXPECT_EQ(namesOf(task->validationMetrics()),
            (Names{"val_accuracy", "val_uncertainty"}));
  EXPECT_EQ(task->testMetrics(),
            (Names{"test_loss", "test_accuracy", "test_dysmetria"}));
  EXPECT_TRUE(task->classLabels().empty());
}

TEST_F(DriverTaskSeqMnist, ClassificationScorer) {
  std::unique_ptr<Task> task = makeTask(config("seqmnist"));
  const std::vector<int64_t> labels = {2, 0, 7};
  auto score = [&](float logit, int shift) { // logit at label + shift
    std::vector<float> z(3 * 10, 0.0f);
    for (int i = 0; i < 3; ++i)
      z[i * 10 + (labels[i] + shift) % 10] = logit;
    std::unique_ptr<Scorer> s = task->scorer();
    s->add(z.data(), 10, 3, nullptr, labels.data());
    return s->finish(3);
  };
  Evaluation e = score(50, 0); // sure and right
  EXPECT_NEAR(e.loss, 0.0, 1e-12);
  EXPECT_EQ(e.accuracy, 1.0);
  EXPECT_NEAR(e.uncertainty, 0.0, 1e-12);
  EXPECT_EQ(e.behaviour(), e.uncertainty);
  e = score(50, 1); // sure and wrong: the label's logit 50 below
  EXPECT_NEAR(e.loss, 50.0, 1e-9);
  EXPECT_EQ(e.accuracy, 0.0);
  e = score(0, 0); // no idea: ln 10, max softmax 1/10
  EXPECT_NEAR(e.loss, std::log(10.0), 1e-12);
  EXPECT_NEAR(e.uncertainty, 0.9, 1e-12);
}

// The digits 1 and 3 of the images: their class is their place in
// --numbers, their target the task's line or template.
TEST_F(DriverTaskSeqMnist, DrawingTasksTargetsAndScores) {
  for (const char *name : {"seqmnist-lines", "seqmnist-digits"}) {
    TrainConfig c = config(name);
    c.numbers = "1,3";
    std::unique_ptr<Task> task = makeTask(c);
    EXPECT_FALSE(task->modelShape().classifies);
    EXPECT_EQ(task->modelShape().outputSize, 2);
    EXPECT_EQ(task->classLabels(), (std::vector<int>{1, 3}));
    EXPECT_EQ(task->classTargets()[1], seqMnistTarget(name, 3, 28, {}));
    SeedData d = task->seedData(3);
    EXPECT_EQ(d.train.size + d.val.size, 20); // every 1 and 3
    EXPECT_EQ(images(d.test), (std::vector<int>{101, 103, 106, 108}));
    double dys = 0;
    for (const Dataset *set : {&d.train, &d.val})
      for (int64_t i = 0; i < set->size; ++i) {
        const int digit = image(*set, i) % 5;
        ASSERT_TRUE(digit == 1 || digit == 3) << name;
        EXPECT_EQ(set->labels[i], digit == 1 ? 0 : 1);
        EXPECT_EQ(targetsOf(*set, i), seqMnistTarget(name, digit, 28, {}));
        if (set == &d.val)
          dys += dysmetria(set->targets.data() + i * 56, 28, 2);
      }
    EXPECT_EQ(namesOf(task->validationMetrics()), Names{"val_dysmetria"});
    EXPECT_EQ(task->testMetrics(), (Names{"test_loss", "test_dysmetria"}));
    // Perfect drawings: no loss; the targets' own bends as dysmetria (none
    // for a line, some for a template).
    Evaluation e = perfect(*task, d.val);
    EXPECT_EQ(e.loss, 0.0);
    EXPECT_NEAR(e.dysmetria, dys / double(d.val.size), 1e-12);
    if (std::string(name) == "seqmnist-lines")
      EXPECT_NEAR(e.dysmetria, 0.0, 1e-9);
    else
      EXPECT_GT(e.dysmetria, 1e-4);
  }
}

} // namespace
