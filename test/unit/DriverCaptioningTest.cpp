//===- DriverCaptioningTest.cpp - The captioning task's driver ------------===//
//
// The captioning loop's pieces (window schedule, tokens of a window, bits
// per word, the examples file, the checkpoint's names) and a whole run on
// a COCO-format fixture made here (a few dozen captions, a features file
// and its ids), trained for one epoch with the test's bundled caption
// trainers (tiny_caption_first: a first window of 3 steps with a decoder
// of 5 tokens; tiny_caption_later: a later window of 2 steps; vocabulary 6,
// image features 5, batch 4).
//
//===----------------------------------------------------------------------===//

#include "DriverTestSupport.h"

#include "ccrnn/Driver/Captioning/CaptionData.h"
#include "ccrnn/Driver/Captioning/CaptionLoop.h"
#include "ccrnn/Driver/Captioning/CaptionRun.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Runtime/Npz.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

extern "C" {
const ccrnn_trainer_api *ccrnn_trainer_tiny_caption_first(void);
const ccrnn_trainer_api *ccrnn_trainer_tiny_caption_later(void);
}

using namespace ccrnn;
using namespace ccrnn::driver;
using namespace ccrnn::driver::captioning;
using namespace ccrnn::test;

namespace {

TEST(CaptionLoop, WindowSchedule) {
  // T = 9 tokens, T = 4: [image w0 w1 w2] [w3 w4 w5 w6] [w7].
  std::vector<CaptionWindow> w = captionWindows(9, 4);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], (CaptionWindow{true, 0, 4}));
  EXPECT_EQ(w[1], (CaptionWindow{false, 4, 4}));
  EXPECT_EQ(w[2], (CaptionWindow{false, 8, 1}));
  EXPECT_EQ(w[0].tokenSteps(), 3);
  EXPECT_EQ(w[2].tokenSteps(), 1);
  // A caption shorter than the window: one first window of T steps.
  w = captionWindows(3, 5);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], (CaptionWindow{true, 0, 3}));
  // Exactly two windows.
  w = captionWindows(8, 4);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[1], (CaptionWindow{false, 4, 4}));
  // The shapes of lengths 6..9 with T = 4: first 4, later 2, 3, 4, 1.
  std::set<WindowShape> shapes = windowShapes(6, 9, 4);
  EXPECT_EQ(shapes, (std::set<WindowShape>{
                        {true, 4}, {false, 1}, {false, 2}, {false, 3},
                        {false, 4}}));
  EXPECT_EQ(windowShapes(2, 3, 5),
            (std::set<WindowShape>{{true, 2}, {true, 3}}));
}

TEST(CaptionLoop, WindowTokens) {
  // <start> a b c <end>: the sequence [image, <start>, a, b, c] predicts
  // <start>, a, b, c, <end>.
  const std::vector<int64_t> ids = {1, 10, 11, 12, 2};
  std::vector<CaptionWindow> w = captionWindows(5, 3);
  int64_t tokens[3], targets[3];
  windowTokens(w[0], ids, tokens, targets);
  EXPECT_EQ(std::vector<int64_t>(tokens, tokens + 2),
            (std::vector<int64_t>{1, 10}));
  EXPECT_EQ(std::vector<int64_t>(targets, targets + 3),
            (std::vector<int64_t>{1, 10, 11}));
  windowTokens(w[1], ids, tokens, targets);
  EXPECT_EQ(std::vector<int64_t>(tokens, tokens + 2),
            (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(std::vector<int64_t>(targets, targets + 2),
            (std::vector<int64_t>{12, 2}));
}

TEST(CaptionLoop, BitsPerWord) {
  EXPECT_DOUBLE_EQ(bitsPerWord(10 * std::log(2.0), 10), 1.0);
  EXPECT_DOUBLE_EQ(bitsPerWord(3 * std::log(8.0), 3), 3.0);
  EXPECT_TRUE(std::isnan(bitsPerWord(0, 0)));
  // Equal scores: log V nats, whatever their value.
  const float equal[8] = {5, 5, 5, 5, 5, 5, 5, 5};
  EXPECT_NEAR(crossEntropy(equal, 8, 3), std::log(8.0), 1e-12);
  // Large scores do not overflow: -log softmax of [1000, 0] at 1.
  const float big[2] = {1000, 0};
  EXPECT_NEAR(crossEntropy(big, 2, 1), 1000.0, 1e-9);
  EXPECT_NEAR(crossEntropy(big, 2, 0), 0.0, 1e-12);
  TeacherForced tf;
  tf.natsAt = {std::log(2.0) * 4, 0};
  tf.wordsAt = {2, 0};
  EXPECT_DOUBLE_EQ(tf.bitsAt()[0], 2.0);
  EXPECT_TRUE(std::isnan(tf.bitsAt()[1]));
}

TEST(CaptionLoop, ExamplesFile) {
  CaptionSplit split;
  split.images.count = 2;
  split.images.ids = {42, 7};
  split.images.references = {{{"a", "red", "dog"}, {"one", "dog"}},
                             {{"a", "cat"}}};
  const std::string text =
      examplesText(split, {{"a", "dog"}, {"a", "<unk>"}}, 1);
  EXPECT_EQ(text, "image 42\n"
                  "  decoded:   a dog\n"
                  "  reference: a red dog\n"
                  "  reference: one dog\n");
  EXPECT_EQ(examplesText(split, {{"a", "dog"}, {}}, 5),
            text + "image 7\n  decoded:   \n  reference: a cat\n");
}

TEST(CaptionLoop, ImageLength) {
  CaptionSplit split;
  split.images.count = 1;
  // 1, 2, 3 and 4 words: 3..6 tokens; the lower median is 4.
  split.images.references = {{{"a"}, {"a", "b"}, {"a", "b", "c"},
                              {"a", "b", "c", "d"}}};
  EXPECT_EQ(split.imageLength(0), 4);
}

TEST(CaptionLoop, ShuffledImages) {
  CaptionSplit split;
  split.images.count = 5;
  split.images.width = 2;
  for (int i = 0; i < 10; ++i)
    split.images.features.push_back(float(i / 2));
  split.images.references.assign(5, {{"x"}});
  const CaptionSplit s = shuffledImages(split, 3);
  // Every image has another image's features; together, all of them.
  std::vector<float> firsts;
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_NE(s.images.features[2 * i], float(i));
    EXPECT_EQ(s.images.features[2 * i], s.images.features[2 * i + 1]);
    firsts.push_back(s.images.features[2 * i]);
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(firsts, (std::vector<float>{0, 1, 2, 3, 4}));
  EXPECT_EQ(s.images.references, split.images.references);
  EXPECT_EQ(shuffledImages(split, 3).images.features, s.images.features);
}

TEST(CaptionLoop, CheckpointNames) {
  const ccrnn_trainer_desc &d = *ccrnn_trainer_tiny_caption_first()->desc;
  Tensors params;
  for (int32_t i = 0; i < d.num_params; ++i) {
    int64_t n = 1;
    for (int32_t r = 0; r < d.params[i].rank; ++r)
      n *= d.params[i].shape[r];
    params.emplace_back(n, 0.5f);
  }
  std::vector<float> stats(d.statistics_size, 0.25f);
  npz::Archive a = captionCheckpoint(d, params, stats, 7);
  EXPECT_TRUE(a.count("encoder.linear.weight"));
  EXPECT_TRUE(a.count("encoder.bn.weight"));
  EXPECT_TRUE(a.count("decoder.embed.weight"));
  EXPECT_TRUE(a.count("decoder.linear.weight"));
  EXPECT_TRUE(a.count("decoder.rnn.rnn.weight_ih_l0"));
  EXPECT_TRUE(
      a.count("decoder.rnn.backward_interface.synthesizer.input_trigger.weight"));
  ASSERT_TRUE(a.count("encoder.bn.running_mean"));
  EXPECT_EQ(a.at("encoder.bn.running_var").shape,
            (std::vector<int64_t>{d.statistics_size / 2}));
  EXPECT_EQ(a.at("encoder.bn.num_batches_tracked").dtype, npz::DType::I64);
  EXPECT_EQ(a.at("encoder.bn.num_batches_tracked").data[0], 7.0);
}

// --- A run on a COCO-format fixture -------------------------------------

/// A .npy of float32 [rows, cols] or int64 [rows].
void writeNpy(const std::string &path, std::vector<int64_t> shape,
              const std::vector<double> &values, npz::DType dtype) {
  npz::Array a;
  a.shape = std::move(shape);
  a.data = values;
  a.dtype = dtype;
  std::ofstream(path, std::ios::binary) << npz::serializeNpy(a);
}

/// `images` images with 3 captions of three words each, from "red" and
/// "blue" (frequent) and a rare word per image (below the threshold 4):
/// the vocabulary is the 4 specials and the two colours, 6 ids.
struct Fixture {
  std::string captions, features, ids;
};

Fixture writeFixture(const std::string &dir, const std::string &name,
                     int64_t images, int64_t firstId, int64_t width = 5) {
  nlohmann::json j;
  j["images"] = nlohmann::json::array();
  j["annotations"] = nlohmann::json::array();
  std::vector<double> features, ids;
  int64_t annotation = 1;
  for (int64_t i = 0; i < images; ++i) {
    const int64_t id = firstId + i;
    j["images"].push_back({{"id", id}, {"file_name", "img.jpg"}});
    const bool red = i % 2 == 0;
    const std::string a = red ? "Red" : "Blue", b = red ? "blue" : "red";
    for (const std::string &c :
         {a + " " + a + " " + b, a + " " + b + " " + a,
          a + " " + a + " rare" + std::to_string(i)})
      j["annotations"].push_back(
          {{"id", annotation++}, {"image_id", id}, {"caption", c}});
    ids.push_back(double(id));
    for (int64_t k = 0; k < width; ++k)
      features.push_back(red ? 1.0 - 0.1 * double(k) : -0.2 * double(k));
  }
  Fixture f{dir + "/" + name + ".json", dir + "/" + name + ".features.npy",
            dir + "/" + name + ".ids.npy"};
  std::ofstream(f.captions) << j.dump();
  writeNpy(f.features, {images, width}, features, npz::DType::F32);
  writeNpy(f.ids, {images}, ids, npz::DType::I64);
  return f;
}

TrainConfig fixtureConfig(const Fixture &train, const Fixture &val) {
  TrainConfig c;
  c.task = "captioning";
  c.captioning.captions = train.captions;
  c.captioning.features = train.features;
  c.captioning.featureIds = train.ids;
  c.captioning.valCaptions = val.captions;
  c.captioning.valFeatures = val.features;
  c.captioning.valFeatureIds = val.ids;
  c.captioning.minLength = c.captioning.maxLength = 5;
  c.captioning.vocabThreshold = 4;
  c.captioning.decodeSteps = 5;
  c.captioning.examples = 3;
  c.bptt = 3;
  c.batchSize = 4;
  c.epochs = 1;
  c.clip = 0;
  c.interval = 1;
  c.jobs = 1;
  c.seeds = {0, 1};
  return c;
}

TEST(CaptionData, CocoFixture) {
  const std::string dir = tempDir("caption-data");
  const Fixture train = writeFixture(dir, "train", 12, 100),
                val = writeFixture(dir, "val", 5, 900);
  const TrainConfig c = fixtureConfig(train, val);
  const CaptionCorpus corpus = loadCorpus(c);
  EXPECT_EQ(corpus.vocab->size(), 6);
  EXPECT_EQ(corpus.vocab->words(), (std::vector<std::string>{"red", "blue"}));
  EXPECT_EQ(corpus.featureWidth(), 5);
  EXPECT_EQ(corpus.train.images.count, 12);
  EXPECT_EQ(corpus.train.captions.size(), 36u);
  EXPECT_EQ(corpus.val.images.ids, (std::vector<int64_t>{900, 901, 902, 903, 904}));
  // <start> red red blue <end>, the rare word as <unk>.
  EXPECT_EQ(corpus.train.captions[0].ids,
            (std::vector<int64_t>{1, 4, 4, 5, 2}));
  EXPECT_EQ(corpus.train.captions[2].ids,
            (std::vector<int64_t>{1, 4, 4, 3, 2}));

  // The data's errors name the file or the flag.
  TrainConfig bad = c;
  bad.captioning.vocabThreshold = 1000;
  EXPECT_NE(inputErrorOf([&] { loadCorpus(bad); })
                .find("captioning vocabulary is empty"),
            std::string::npos);
  bad = c;
  bad.captioning.minLength = bad.captioning.maxLength = 9;
  EXPECT_NE(inputErrorOf([&] { loadCorpus(bad); })
                .find("no training caption of 9 to 9 tokens"),
            std::string::npos);
  const Fixture wide = writeFixture(dir, "wide", 5, 900, 7);
  bad = c;
  bad.captioning.valFeatures = wide.features;
  bad.captioning.valFeatureIds = wide.ids;
  EXPECT_NE(inputErrorOf([&] { loadCorpus(bad); }).find(wide.features),
            std::string::npos);
  bad = c;
  bad.captioning.featureIds = "";
  EXPECT_NE(inputErrorOf([&] { loadCorpus(bad); })
                .find("missing: --feature-ids"),
            std::string::npos);
}

TEST(CaptionRun, TrainsAndDecodesCocoFixture) {
  const std::string dir = tempDir("caption-run");
  const Fixture train = writeFixture(dir, "train", 12, 100),
                val = writeFixture(dir, "val", 5, 900);
  const TrainConfig c = fixtureConfig(train, val);
  auto corpus = std::make_shared<const CaptionCorpus>(loadCorpus(c));
  CaptionModel m;
  m.name = "tiny";
  m.file = "tiny_caption_dni_lstm.mlir";
  m.hasCerebellum = true;
  m.dropout = 0.5;
  m.decoder = ccrnn_trainer_tiny_caption_first();
  m.windows = {{{true, 3}, m.decoder},
               {{false, 2}, ccrnn_trainer_tiny_caption_later()}};
  for (const auto &[shape, api] : m.windows) {
    m.trainerIds[shape] = "bundled";
    m.options[shape] = api->desc->options;
  }
  // Every window's shape of the run has its trainer.
  EXPECT_EQ(windowShapes(5, 5, 3),
            (std::set<WindowShape>{{true, 3}, {false, 2}}));

  // The loop alone: training changes the parameters and the running
  // statistics; evaluation counts every word of every caption.
  CaptionLoop loop(c, *corpus);
  TrainerInstances instances;
  CaptionState state = loop.start(m, 0);
  const Tensors initial = state.params;
  const std::vector<float> stats0 = state.statistics;
  int64_t batches = 0;
  const double bits = loop.trainEpoch(instances, m, state, 0, 1,
                                      [&](int64_t, int64_t) { ++batches; });
  EXPECT_EQ(batches, 9); // 36 captions of one length, 4 a batch
  EXPECT_TRUE(std::isfinite(bits));
  EXPECT_GT(bits, 0);
  EXPECT_NE(state.params, initial);
  EXPECT_NE(state.statistics, stats0);
  EXPECT_EQ(state.batchesTracked, 9);
  EXPECT_EQ(state.optim->steps(), 18); // two windows a batch
  const TeacherForced tf =
      loop.evaluate(instances, m, state.params, state.statistics, corpus->val);
  EXPECT_EQ(tf.words, 15 * 5); // 15 captions of 5 targets (no padding rows)
  for (int64_t t = 0; t < 5; ++t)
    EXPECT_EQ(tf.wordsAt[t], 15);
  EXPECT_TRUE(std::isfinite(tf.bits()));
  const DecodeScores dec =
      loop.decode(instances, m, state.params, state.statistics, corpus->val);
  ASSERT_EQ(dec.hypotheses.size(), 5u);
  for (const Tokens &h : dec.hypotheses)
    EXPECT_LE(h.size(), 5u); // the decoder's steps, to <end>
  // The same seed gives the same bits.
  CaptionState again = loop.start(m, 0);
  TrainerInstances other;
  EXPECT_EQ(loop.trainEpoch(other, m, again, 0, 1, {}), bits);
  EXPECT_EQ(again.params, state.params);

  // The whole run: its files.
  const std::string out = dir + "/run";
  CaptionRun run(c, {m}, corpus, out, {"ccrnn-train", "--task", "captioning"});
  RunHooks hooks;
  hooks.gnuplot = "";
  ASSERT_EQ(run.run(hooks), RunStatus::Complete);
  for (const char *file :
       {"scores.npy", "meta.json", "vocabulary.txt", "seed0_tiny_final.npz",
        "seed0_tiny_best.npz", "seed1_tiny_best.npz", "seed0_tiny_examples.txt",
        "seed1_tiny_examples.txt"})
    EXPECT_TRUE(std::filesystem::exists(out + "/" + file)) << file;
  const npz::Array scores = npz::readNpy(out + "/scores.npy");
  EXPECT_EQ(scores.shape, (std::vector<int64_t>{2, 1, 6, 1}));
  EXPECT_EQ(scores.data[0], bits); // seed 0's train_loss: the loop's
  const auto meta = nlohmann::json::parse(readFile(out + "/meta.json"));
  EXPECT_EQ(meta["status"], "complete");
  EXPECT_EQ(meta["metrics"][1], "val_loss");
  EXPECT_EQ(meta["data"]["vocabulary"], 6);
  EXPECT_EQ(meta["task"]["name"], "captioning");
  EXPECT_EQ(meta["task"]["captions"], train.captions);
  EXPECT_EQ(meta["results"][0]["val_bits_per_word_by_position"].size(), 5u);
  EXPECT_EQ(meta["results"][0]["val_bleu_by_length"].size(), 3u);
  EXPECT_EQ(meta["summary"][0]["seeds"], 2);
  EXPECT_TRUE(meta["results"][0]["val_shuffled_images"]["bits_per_word"]
                  .is_number());
  EXPECT_EQ(readFile(out + "/vocabulary.txt"),
            "<pad>\n<start>\n<end>\n<unk>\nred\nblue\n");
  const std::string examples = readFile(out + "/seed0_tiny_examples.txt");
  EXPECT_EQ(examples.rfind("image 900\n  decoded:   ", 0), 0u) << examples;
  EXPECT_NE(examples.find("  reference: red red blue\n"), std::string::npos);
  EXPECT_NE(examples.find("image 902\n"), std::string::npos);
  EXPECT_EQ(examples.find("image 903\n"), std::string::npos); // 3 examples
  const npz::Archive best = npz::readNpz(out + "/seed1_tiny_best.npz");
  EXPECT_TRUE(best.count("encoder.bn.running_mean"));
  EXPECT_TRUE(best.count("decoder.embed.weight"));
}

} // namespace
