//===- DriverPlotsTest.cpp - What reaches gnuplot ------------------------===//
//
// Titles and labels come from model names, task settings and files a run
// reads back (meta.json on --resume); none may reach gnuplot in a form it
// executes (issue 17, class 1): a line break in a title would end the
// command and run the next line, and '!' runs a shell command. Runs
// gnuplot when it is installed (gnuplot-nox) and says so when not.
//
//===----------------------------------------------------------------------===//

#include "DriverTestSupport.h"

#include "ccrnn/Driver/Plots.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;
using namespace ccrnn::driver;
using ccrnn::test::tempDir;

namespace {

bool haveGnuplot() { return std::system("command -v gnuplot >/dev/null") == 0; }

TEST(DriverPlots, ALineBreakInATitleRunsNothing) {
  if (!haveGnuplot())
    GTEST_SKIP() << "gnuplot is not installed (tools/install-deps.sh)";
  const std::string dir = tempDir("plots-injection");
  const std::string marker = dir + "/ran";
  const std::string attack = "x\n!touch " + marker + "\n";
  SweepPlot plot;
  plot.title = attack;
  plot.xLabel = "bptt' \n!touch " + marker + "\n'";
  plot.yLabel = "loss";
  plot.series = {{attack, {1, 2}, {0.5, 0.25}, {0.1, 0.1}}};
  const std::string warning = plotSweep("gnuplot", dir + "/sweep.png", plot);
  EXPECT_EQ(warning, "");
  EXPECT_TRUE(fs::exists(dir + "/sweep.png"));
  EXPECT_FALSE(fs::exists(marker)) << "gnuplot ran a command from a title";
}

TEST(DriverPlots, APathWithALineBreakIsNotPlotted) {
  if (!haveGnuplot())
    GTEST_SKIP() << "gnuplot is not installed (tools/install-deps.sh)";
  const std::string dir = tempDir("plots-path") + "/a\n!touch ran\n";
  fs::create_directories(dir);
  SweepPlot plot;
  plot.series = {{"m", {1, 2}, {0.5, 0.25}, {0.1, 0.1}}};
  const std::string warning = plotSweep("gnuplot", dir + "/sweep.png", plot);
  EXPECT_NE(warning.find("has a control character; sweep.png not written"),
            std::string::npos)
      << warning;
  EXPECT_FALSE(fs::exists(dir + "/sweep.png"));
}

} // namespace
