//===- TrainerOptionsTest.cpp - the trainer pipeline's options --*- C++ -*-===//
//
// TrainerOptions' text is the one grammar of the pipeline's options: it must
// read back as itself, and MLIR's parser of --ccrnn-trainer-pipeline must
// read it as the same values (the two bindings cannot drift apart).
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Support/TrainerOptions.h"
#include "ccrnn/Pipeline/Pipeline.h"

#include <gtest/gtest.h>

using ccrnn::TrainerOptions;

namespace {

std::vector<TrainerOptions> examples() {
  std::vector<TrainerOptions> all(1); // the defaults
  TrainerOptions paper;
  paper.interval = 2;
  all.push_back(paper);
  TrainerOptions everything;
  everything.sizes.hidden = 512;
  everything.sizes.layers = 2;
  everything.sizes.synthLayers = 0;
  everything.sizes.synthWidth = 1024;
  everything.sizes.synthScale = 0.123456789012345; // more digits than %g
  everything.sizes.context = "on";
  everything.bptt = 8;
  everything.interval = 3;
  everything.batch = 256;
  everything.steps = 64;
  everything.loss = "xent";
  everything.predictLast = true;
  everything.cerebellum = "frozen";
  everything.fibres = 4;
  everything.record = true;
  everything.firstWindow = true;
  everything.ensemble = 10;
  all.push_back(everything);
  TrainerOptions off = paper;
  off.cerebellum = "off";
  off.sizes.context = "off";
  all.push_back(off);
  return all;
}

TEST(TrainerOptions, TextReadsBackAsItself) {
  for (const TrainerOptions &o : examples()) {
    TrainerOptions back;
    std::string error;
    ASSERT_TRUE(TrainerOptions::parse(o.toString(), back, error))
        << o.toString() << ": " << error;
    EXPECT_EQ(back, o) << o.toString();
  }
}

TEST(TrainerOptions, MLIRParserReadsTheSameValues) {
  for (const TrainerOptions &o : examples()) {
    ccrnn::TrainerPipelineOptions mlirOptions;
    ASSERT_TRUE(succeeded(mlirOptions.parseFromString(o.toString())))
        << o.toString();
    EXPECT_EQ(mlirOptions.toTrainerOptions(), o) << o.toString();
  }
}

TEST(TrainerOptions, CanonicalText) {
  TrainerOptions o;
  EXPECT_EQ(o.toString(), "bptt=1 interval=1 batch=50 steps=10");
  o.interval = 2;
  o.predictLast = true;
  o.cerebellum = "off";
  o.fibres = 3;
  o.record = true;
  o.firstWindow = true;
  // The order trainers record and bundled trainers are found by.
  EXPECT_EQ(o.trainingString(),
            "bptt=1 interval=2 batch=50 steps=10 "
            "predict-last cerebellum=off fibres=3 record first-window");
  o.sizes.hidden = 30;
  o.sizes.synthScale = 0.5;
  o.ensemble = 4;
  EXPECT_EQ(o.sizes.toString(), "hidden=30 synth-scale=0.5");
  EXPECT_EQ(o.toString(),
            "hidden=30 synth-scale=0.5 " + o.trainingString() + " ensemble=4");
}

TEST(TrainerOptions, AnyOrderAndBooleanSpellings) {
  TrainerOptions a, b;
  std::string error;
  ASSERT_TRUE(TrainerOptions::parse("record=true steps=28 predict-last bptt=3",
                                    a, error));
  ASSERT_TRUE(TrainerOptions::parse("bptt=3  steps=28 predict-last=1 record", b,
                                    error));
  EXPECT_EQ(a, b);
  EXPECT_TRUE(a.record && a.predictLast);
  EXPECT_EQ(a.steps, 28);
}

TEST(TrainerOptions, BadWordsAreNamed) {
  auto errorOf = [](const std::string &text) {
    TrainerOptions o;
    std::string error;
    EXPECT_FALSE(TrainerOptions::parse(text, o, error)) << text;
    return error;
  };
  EXPECT_EQ(errorOf("bptt=1 speed=3").substr(0, 36),
            "option 'speed=3': unknown option (kn");
  EXPECT_EQ(errorOf("bptt=x"), "option 'bptt=x': expected an integer value");
  EXPECT_EQ(errorOf("bptt"), "option 'bptt': expected an integer value");
  EXPECT_EQ(errorOf("batch=5x"),
            "option 'batch=5x': expected an integer value");
  EXPECT_EQ(errorOf("loss=l1"), "option 'loss=l1': expected 'mse' or 'xent'");
  EXPECT_EQ(errorOf("cerebellum=gone"),
            "option 'cerebellum=gone': expected 'train', 'frozen' or 'off'");
  EXPECT_EQ(errorOf("record=maybe"),
            "option 'record=maybe': expected true or false");
  EXPECT_EQ(errorOf("synth-scale="),
            "option 'synth-scale=': expected a number");
  EXPECT_EQ(errorOf("context=both"),
            "option 'context=both': expected 'on', 'off' or 'keep'");
}

TEST(TrainerOptions, ShortestExactNumbers) {
  EXPECT_EQ(ccrnn::formatOptionNumber(0.1), "0.1");
  EXPECT_EQ(ccrnn::formatOptionNumber(2), "2");
  double x = 0.123456789012345;
  EXPECT_EQ(std::stod(ccrnn::formatOptionNumber(x)), x);
}

} // namespace
