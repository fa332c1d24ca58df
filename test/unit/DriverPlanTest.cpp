//===- DriverPlanTest.cpp - From a configuration to its trainers ---------===//
//
// The parts of TrainingPlan.h and TrainerSession.h that need no compiler:
// the models of --model with each task's aliases, the models of a saved
// run, the checks that come before any trainer is compiled, and the
// session's --init archives. Planning with compiled trainers is covered by
// the lit tests of ccrnn-train (test/Driver), which have ccrnn-opt at hand.
//
//===----------------------------------------------------------------------===//

#include "DriverTestSupport.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/TrainerSession.h"
#include "ccrnn/Driver/TrainingPlan.h"

#include "gtest/gtest.h"

#include <filesystem>
#include <functional>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace ccrnn::driver;

namespace {

using ccrnn::test::inputErrorOf;

/// A path in the temp directory of this process (tests run in parallel).
std::string tempPath(const std::string &name) {
  return (fs::temp_directory_path() /
          ("ccrnn-plan-" + std::to_string(getpid()) + "-" + name))
      .string();
}


TEST(DriverPlan, ModelsOfTheLinedrawTaskKeepTheirNames) {
  std::vector<ModelRef> refs = resolveModels({"LSTM", "dni_lstm"}, "linedraw");
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].name, "lstm");
  EXPECT_EQ(fs::path(refs[0].file).filename(), "lstm.mlir");
  EXPECT_EQ(refs[1].name, "dni_lstm");
  EXPECT_TRUE(refs[1].bundled);
}

TEST(DriverPlan, ShortNamesNameTheTasksModels) {
  // The seqmnist tasks map the short names to their own models; the
  // models axis keeps the short name.
  std::vector<ModelRef> refs = resolveModels({"lstm", "DNI_LSTM"}, "seqmnist");
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].name, "lstm");
  EXPECT_EQ(fs::path(refs[0].file).filename(), "seqmnist_lstm.mlir");
  EXPECT_EQ(refs[1].name, "dni_lstm");
  EXPECT_EQ(fs::path(refs[1].file).filename(), "seqmnist_dni_lstm.mlir");
  refs = resolveModels({"dni_lstm"}, "seqmnist-lines");
  EXPECT_EQ(fs::path(refs[0].file).filename(),
            "seqmnist_draw_dni_lstm.mlir");
}

TEST(DriverPlan, NoModelOrOneTwiceIsAnInputError) {
  EXPECT_EQ(inputErrorOf([] { resolveModels({}, "linedraw"); }),
            "--model: no model given");
  EXPECT_EQ(inputErrorOf([] { resolveModels({"lstm", "LSTM"}, "linedraw"); }),
            "model 'lstm' is given twice");
  EXPECT_NE(inputErrorOf([] { resolveModels({"gru"}, "linedraw"); })
                .find("unknown model 'gru'"),
            std::string::npos);
}

TEST(DriverPlan, AModelFileNameWithAControlCharacterIsRefused) {
  // The name goes into file names, messages and plot titles (issue 17).
  const std::string file = tempPath("a\n!touch x\n.mlir");
  fs::copy_file(resolveModel("lstm").file, file,
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(inputErrorOf([&] { resolveModels({file}, "linedraw"); }),
            "--model: the file name of '" + tempPath("a?!touch x?.mlir") +
                "' has a control character (a model is named by its file's "
                "name; rename the file)");
  fs::remove(file);
}

TEST(DriverPlan, SavedModelsAreResolvedFromTheirFilesUnderTheirNames) {
  const ModelRef lstm = resolveModel("seqmnist_lstm");
  ModelEntry saved;
  saved.name = "lstm";
  saved.file = lstm.file;
  std::vector<ModelRef> refs = resolveSavedModels({saved});
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].name, "lstm");
  EXPECT_EQ(refs[0].file, lstm.file);
}

TEST(DriverPlan, AMissingDataFileIsReportedBeforeAnyTrainer) {
  TrainConfig c;
  c.task = "seqmnist";
  c.dataDir = tempPath("no-data");
  fs::remove_all(c.dataDir);
  // The model is never described or compiled: the data check comes first.
  ModelRef none{"none", "/nonexistent/none.mlir", false};
  TrainerSession session(tempPath("cache"));
  const std::string error =
      inputErrorOf([&] { planTrainers(session, {none}, c); });
  EXPECT_NE(error.find(c.dataDir), std::string::npos) << error;
}

TEST(DriverPlan, TheSessionReadsAnInitArchiveOnce) {
  TrainerSession session(tempPath("cache"));
  EXPECT_TRUE(session.initArchive("").empty());
  const std::string path = tempPath("init.npz");
  ccrnn::npz::Archive a;
  a["linear.weight"] = {{2, 1}, {0.5, -0.5}, ccrnn::npz::DType::F32};
  ccrnn::npz::writeNpz(path, a);
  const ccrnn::npz::Archive &first = session.initArchive(path);
  ASSERT_EQ(first.count("linear.weight"), 1u);
  EXPECT_EQ(first.at("linear.weight").data[1], -0.5);
  // A second run of the process gets the same archive, not the file again.
  fs::remove(path);
  EXPECT_EQ(&session.initArchive(path), &first);
  EXPECT_NE(inputErrorOf([&] { session.initArchive(path + ".none"); }),
            "(no error)");
}

} // namespace
