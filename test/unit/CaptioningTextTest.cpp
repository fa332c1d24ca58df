//===- CaptioningTextTest.cpp - The captioning task's text side ----------===//
//
// The tokenizer (against nltk 3.8's word tokenizer on the same captions),
// the vocabulary (threshold, order, specials, unknown words, errors), corpus
// BLEU-1..4 against values worked out by hand (and confirmed with nltk's
// corpus_bleu), BLEU by caption length, and reading COCO caption files and
// image features with every error they can give.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Captioning/Bleu.h"
#include "ccrnn/Driver/Captioning/Coco.h"
#include "ccrnn/Driver/Captioning/Vocabulary.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Runtime/Npz.h"

#include "DriverTestSupport.h"

#include "gtest/gtest.h"

#include <cmath>
#include <fstream>
#include <stdexcept>

using namespace ccrnn::driver::captioning;
using ccrnn::test::inputErrorOf;
using ccrnn::test::tempDir;
namespace npz = ccrnn::npz;

namespace {

Tokens words(const std::string &s) {
  Tokens out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string::npos)
      j = s.size();
    if (j > i)
      out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Tokenizer
//===----------------------------------------------------------------------===//

// Each expected list is what nltk 3.8 gives for word_tokenize(s.lower())
// (NLTKWordTokenizer on each sentence of punkt's split).
TEST(CaptionTokenizer, MatchesNltkOnCaptions) {
  struct Case {
    const char *caption;
    Tokens want;
  };
  const std::vector<Case> cases = {
      {"A Man riding a wave on top of a surfboard.",
       {"a", "man", "riding", "a", "wave", "on", "top", "of", "a",
        "surfboard", "."}},
      {"A woman's hand, holding a cell phone!",
       {"a", "woman", "'s", "hand", ",", "holding", "a", "cell", "phone",
        "!"}},
      {"A man in a t-shirt doesn't like 1,000 hot-dogs at 10:30 ... really?",
       {"a", "man", "in", "a", "t-shirt", "does", "n't", "like", "1,000",
        "hot-dogs", "at", "10:30", "...", "really", "?"}},
      {"The dogs' toys; they're on the floor -- 2.5 m away.",
       {"the", "dogs", "'", "toys", ";", "they", "'re", "on", "the", "floor",
        "--", "2.5", "m", "away", "."}},
      {"A \"red\" bus (double decker) & a car: parked.",
       {"a", "``", "red", "''", "bus", "(", "double", "decker", ")", "&", "a",
        "car", ":", "parked", "."}},
      {"A man. A dog.", {"a", "man", ".", "a", "dog", "."}},
      {"I cannot believe we're gonna eat 'a pie",
       {"i", "can", "not", "believe", "we", "'re", "gon", "na", "eat", "'",
        "a", "pie"}},
      {"o'clock rock'n'roll and/or x+y `quoted' *star* #1 50% $3 @home",
       {"o'clock", "rock'n'roll", "and/or", "x+y", "`", "quoted", "'", "*",
        "star", "*", "#", "1", "50", "%", "$", "3", "@", "home"}},
      {"  spaces\tand\ttabs  ", {"spaces", "and", "tabs"}},
      {"tom said ''hi'' to (''them'')",
       {"tom", "said", "``", "hi", "''", "to", "(", "``", "them", "''", ")"}},
      {"words (in parens.)", {"words", "(", "in", "parens", ".", ")"}},
      {"caf\xc3\xa9 na\xc3\xafve", {"caf\xc3\xa9", "na\xc3\xafve"}},
  };
  for (const Case &c : cases)
    EXPECT_EQ(tokenize(c.caption), c.want) << c.caption;
}

TEST(CaptionTokenizer, EdgeCases) {
  EXPECT_TRUE(tokenize("").empty());
  EXPECT_TRUE(tokenize(" \t\n ").empty());
  EXPECT_EQ(tokenize("DOG"), Tokens{"dog"});
  EXPECT_EQ(tokenize("."), Tokens{"."});
  // The specials cannot be produced: '<' and '>' are tokens of their own.
  EXPECT_EQ(tokenize("<unk>"), (Tokens{"<", "unk", ">"}));
  // A clitic needs a word before it.
  EXPECT_EQ(tokenize("'s"), Tokens{"'s"});
  EXPECT_EQ(tokenize("n't"), Tokens{"n't"});
  EXPECT_EQ(tokenize("can't"), (Tokens{"ca", "n't"}));
  // ',' before a digit stays; a chunk-final '.' after a number splits.
  EXPECT_EQ(tokenize("3,5 and 7."), (Tokens{"3,5", "and", "7", "."}));
}

//===----------------------------------------------------------------------===//
// Vocabulary
//===----------------------------------------------------------------------===//

TEST(CaptionVocabulary, ThresholdAndFirstAppearanceOrder) {
  // Counts: a 4, dog 4, cat 3, runs 4, the 1. Threshold 4 keeps a, dog and
  // runs, in the order they first appear (dog before a).
  std::vector<Tokens> caps = {words("dog a cat"), words("a dog runs"),
                              words("runs a dog cat"), words("the dog a"),
                              words("runs cat runs")};
  Vocabulary v = Vocabulary::build(caps);
  EXPECT_EQ(v.size(), 4 + 3);
  EXPECT_EQ(v.words(), (std::vector<std::string>{"dog", "a", "runs"}));
  EXPECT_EQ(v.word(0), "<pad>");
  EXPECT_EQ(v.word(1), "<start>");
  EXPECT_EQ(v.word(2), "<end>");
  EXPECT_EQ(v.word(3), "<unk>");
  EXPECT_EQ(v.id("dog"), 4);
  EXPECT_EQ(v.id("a"), 5);
  EXPECT_EQ(v.id("runs"), 6);
  EXPECT_EQ(v.id("cat"), Vocabulary::kUnk); // 3 < 4
  EXPECT_EQ(v.id("zebra"), Vocabulary::kUnk);
  EXPECT_EQ(v.id("<end>"), Vocabulary::kEnd);

  // Threshold 3 adds cat (first seen before runs); 1 adds "the" too.
  EXPECT_EQ(Vocabulary::build(caps, 3).words(),
            (std::vector<std::string>{"dog", "a", "cat", "runs"}));
  EXPECT_EQ(Vocabulary::build(caps, 1).words(),
            (std::vector<std::string>{"dog", "a", "cat", "runs", "the"}));
}

TEST(CaptionVocabulary, EncodeDecode) {
  Vocabulary v = Vocabulary::build({words("a dog runs")}, 1);
  // a = 4, dog = 5, runs = 6.
  EXPECT_EQ(v.encode(words("a cat runs")),
            (std::vector<int64_t>{1, 4, Vocabulary::kUnk, 6, 2}));
  EXPECT_EQ(v.encode({}), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(v.decode({1, 4, 3, 6, 2, 5, 5}), (Tokens{"a", "<unk>", "runs"}));
  EXPECT_EQ(v.decode({0, 5, 1, 0, 6}), (Tokens{"dog", "runs"}));
  EXPECT_EQ(v.decode({2, 4}), Tokens{});
  EXPECT_EQ(v.decode(v.encode(words("dog a"))), words("dog a"));
  EXPECT_THROW(v.decode({4, 7}), std::out_of_range);
  EXPECT_THROW(v.decode({-1}), std::out_of_range);
  EXPECT_THROW(v.word(7), std::out_of_range);
}

TEST(CaptionVocabulary, Errors) {
  std::string msg = inputErrorOf(
      [] { Vocabulary::build({words("a b"), words("b c")}, 4); });
  EXPECT_NE(msg.find("vocabulary is empty"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at least 4 times in the 2 training captions"),
            std::string::npos)
      << msg;
  EXPECT_NE(inputErrorOf([] { Vocabulary::build({}, 1); }), "(no error)");
  EXPECT_NE(inputErrorOf([] { Vocabulary::build({words("a")}, 0); })
                .find("at least 1"),
            std::string::npos);

  EXPECT_EQ(Vocabulary::fromWords({"x", "y"}).id("y"), 5);
  EXPECT_NE(inputErrorOf([] { Vocabulary::fromWords({}); })
                .find("vocabulary is empty"),
            std::string::npos);
  EXPECT_NE(inputErrorOf([] { Vocabulary::fromWords({"x", "x"}); })
                .find("'x' occurs twice"),
            std::string::npos);
  EXPECT_NE(inputErrorOf([] { Vocabulary::fromWords({"x", "<unk>"}); })
                .find("'<unk>' is a special token"),
            std::string::npos);
  EXPECT_NE(inputErrorOf([] { Vocabulary::fromWords({""}); }), "(no error)");
}

//===----------------------------------------------------------------------===//
// BLEU
//===----------------------------------------------------------------------===//

// The corpus, worked out by hand (nltk's corpus_bleu gives the same):
//
//  h1 "the cat is on the mat" (6)
//     r "the cat sat on the mat" (6), "there is a cat on the mat" (7)
//     1-grams 6/6 ("the" x2 is clipped to 2, r1 has two); 2-grams: the cat,
//     on the, the mat of 5 -> 3/5; 3-grams: on the mat -> 1/4; 4-grams 0/3.
//     Closest reference length 6.
//  h2 "a dog runs" (3)
//     r "a dog is running" (4), "the dog runs fast today" (5)
//     1-grams 3/3; 2-grams "a dog" (r1), "dog runs" (r2) -> 2/2; 3-grams 0/1;
//     4-grams 0 of none: 0/1 (nltk's max(1, ...)). Closest length 4.
//  h3 "birds" (1)  r "two birds fly" (3), "birds" (1)
//     1-grams 1/1; 2-, 3-, 4-grams 0/1 each. Closest length 1.
//
//  p1 = 10/10, p2 = 5/8, p3 = 1/6, p4 = 0/5; c = 10, r = 11,
//  BP = exp(1 - 11/10) = exp(-0.1) = 0.904837418;
//  BLEU-1 = BP = 0.904837418, BLEU-2 = BP sqrt(5/8) = 0.715336788,
//  BLEU-3 = BP (5/48)^(1/3) = 0.425742305, BLEU-4 = 0 (p4 = 0).
struct Corpus {
  std::vector<Tokens> hyps = {words("the cat is on the mat"),
                              words("a dog runs"), words("birds")};
  std::vector<std::vector<Tokens>> refs = {
      {words("the cat sat on the mat"), words("there is a cat on the mat")},
      {words("a dog is running"), words("the dog runs fast today")},
      {words("two birds fly"), words("birds")}};
};

TEST(CaptionBleu, HandComputedCorpus) {
  Corpus c;
  BleuScores s = corpusBleu(c.hyps, c.refs);
  EXPECT_EQ(s.matches, (std::array<int64_t, 4>{10, 5, 1, 0}));
  EXPECT_EQ(s.ngrams, (std::array<int64_t, 4>{10, 8, 6, 5}));
  EXPECT_EQ(s.hypothesisLength, 10);
  EXPECT_EQ(s.referenceLength, 11);
  EXPECT_DOUBLE_EQ(s.precision[0], 1.0);
  EXPECT_DOUBLE_EQ(s.precision[1], 5.0 / 8);
  EXPECT_DOUBLE_EQ(s.precision[2], 1.0 / 6);
  EXPECT_DOUBLE_EQ(s.precision[3], 0.0);
  EXPECT_NEAR(s.brevityPenalty, 0.9048374180359595, 1e-12);
  EXPECT_NEAR(s.bleu[0], 0.9048374180359595, 1e-12);
  EXPECT_NEAR(s.bleu[1], 0.7153367882848879, 1e-12);
  EXPECT_NEAR(s.bleu[2], 0.42574230532576124, 1e-12);
  EXPECT_EQ(s.bleu[3], 0.0);
}

TEST(CaptionBleu, BrevityPenalty) {
  // Hypothesis longer than its closest reference: BP = 1.
  // "a b c d e" against lengths 4 and 6: both 1 away, the shorter (4)
  // counts, so c = 5 > r = 4 (taking 6 would give exp(1 - 6/5)).
  BleuScores tie = corpusBleu({words("a b c d e")},
                              {{words("a b c d e f"), words("a b c d")}});
  EXPECT_EQ(tie.referenceLength, 4);
  EXPECT_EQ(tie.brevityPenalty, 1.0);
  for (double b : tie.bleu)
    EXPECT_DOUBLE_EQ(b, 1.0);

  // Equal lengths: exp(0) = 1.
  EXPECT_EQ(corpusBleu({words("a b")}, {{words("a b")}}).brevityPenalty, 1.0);

  // Shorter: 4 words against 8: BP = exp(1 - 8/4) = e^-1, every p_n = 1.
  BleuScores shortHyp =
      corpusBleu({words("a b c d")}, {{words("a b c d e f g h")}});
  for (double b : shortHyp.bleu)
    EXPECT_NEAR(b, std::exp(-1.0), 1e-15);

  // The penalty is the corpus's, not a mean of the sentences': lengths
  // 2 + 4 against 4 + 4 give exp(1 - 8/6), though the second alone has
  // none.
  BleuScores corpus = corpusBleu({words("a b"), words("c d e f")},
                                 {{words("a b x y")}, {words("c d e f")}});
  EXPECT_NEAR(corpus.brevityPenalty, std::exp(1 - 8.0 / 6), 1e-15);

  // An empty hypothesis: c = 0, BP = 0, and BLEU 0.
  BleuScores empty = corpusBleu({Tokens{}}, {{words("a")}});
  EXPECT_EQ(empty.brevityPenalty, 0.0);
  EXPECT_EQ(empty.ngrams[0], 1);
  EXPECT_EQ(empty.bleu[0], 0.0);
}

TEST(CaptionBleu, ClippingUsesMaxOverReferences) {
  // "the the the the": "the" occurs at most 2 times in one reference (not 3
  // over both): p1 = 2/4.
  BleuScores s = corpusBleu({words("the the the the")},
                            {{words("the cat the mat"), words("the dog")}});
  EXPECT_EQ(s.matches[0], 2);
  EXPECT_EQ(s.ngrams[0], 4);
  EXPECT_DOUBLE_EQ(s.bleu[0], 0.5);
  EXPECT_EQ(s.bleu[1], 0.0); // "the the" occurs in no reference
}

TEST(CaptionBleu, EmptyCorpusAndBadInput) {
  BleuScores none = corpusBleu({}, {});
  for (double b : none.bleu)
    EXPECT_EQ(b, 0.0);
  EXPECT_THROW(corpusBleu({words("a")}, {}), std::invalid_argument);
  EXPECT_THROW(corpusBleu({words("a")}, {{}}), std::invalid_argument);
}

TEST(CaptionBleu, ByLengthBuckets) {
  // Lengths 8, 5, 3 with bounds short <= 4, medium 5..6, long >= 7: each
  // hypothesis of the corpus above is a bucket alone.
  //  long (h1): p = 1, 3/5, 1/4, 0; c = r = 6, BP = 1: BLEU-1 = 1,
  //    BLEU-2 = sqrt(3/5) = 0.774596669, BLEU-3 = (3/20)^(1/3) =
  //    0.531329285, BLEU-4 = 0.
  //  medium (h2): p = 1, 1, 0, 0; c = 3, r = 4, BP = exp(-1/3) =
  //    0.716531311 = BLEU-1 = BLEU-2; BLEU-3 = BLEU-4 = 0.
  //  short (h3): p = 1, 0, 0, 0; BP = 1: BLEU-1 = 1, the others 0.
  Corpus c;
  auto b = bleuByLength(c.hyps, c.refs, {8, 5, 3}, {4, 6});
  EXPECT_EQ(b[0].name, "short");
  EXPECT_EQ(b[1].name, "medium");
  EXPECT_EQ(b[2].name, "long");
  EXPECT_EQ(b[1].minLength, 5);
  EXPECT_EQ(b[1].maxLength, 6);
  EXPECT_EQ(b[2].minLength, 7);
  for (const BucketBleu &x : b)
    EXPECT_EQ(x.count, 1);

  EXPECT_DOUBLE_EQ(b[2].scores.bleu[0], 1.0);
  EXPECT_NEAR(b[2].scores.bleu[1], 0.7745966692414834, 1e-12);
  EXPECT_NEAR(b[2].scores.bleu[2], 0.5313292845913056, 1e-12);
  EXPECT_EQ(b[2].scores.bleu[3], 0.0);

  EXPECT_NEAR(b[1].scores.bleu[0], 0.7165313105737893, 1e-12);
  EXPECT_NEAR(b[1].scores.bleu[1], 0.7165313105737893, 1e-12);
  EXPECT_EQ(b[1].scores.bleu[2], 0.0);

  EXPECT_DOUBLE_EQ(b[0].scores.bleu[0], 1.0);
  EXPECT_EQ(b[0].scores.bleu[1], 0.0);

  // Bounds are inclusive: lengths 4 and 6 are short and medium; 7 is long.
  auto edges = bleuByLength(c.hyps, c.refs, {4, 6, 7}, {4, 6});
  EXPECT_EQ(edges[0].scores.hypothesisLength, 6); // h1
  EXPECT_EQ(edges[1].scores.hypothesisLength, 3); // h2
  EXPECT_EQ(edges[2].scores.hypothesisLength, 1); // h3

  // Two in one bucket: the same as their corpus BLEU; an empty bucket is
  // NaN with count 0.
  auto two = bleuByLength(c.hyps, c.refs, {9, 9, 2}, {2, 2});
  EXPECT_EQ(two[0].count, 1);
  EXPECT_EQ(two[1].count, 0);
  EXPECT_TRUE(std::isnan(two[1].scores.bleu[0]));
  EXPECT_TRUE(std::isnan(two[1].scores.brevityPenalty));
  EXPECT_EQ(two[2].count, 2);
  BleuScores both = corpusBleu({c.hyps[0], c.hyps[1]}, {c.refs[0], c.refs[1]});
  EXPECT_EQ(two[2].scores.bleu, both.bleu);

  EXPECT_THROW(bleuByLength(c.hyps, c.refs, {1, 2}, {4, 6}),
               std::invalid_argument);
  EXPECT_THROW(bleuByLength(c.hyps, c.refs, {1, 2, 3}, {6, 4}),
               std::invalid_argument);
}

//===----------------------------------------------------------------------===//
// COCO files
//===----------------------------------------------------------------------===//

void writeText(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary) << text;
}

const char *kCocoJson = R"({
  "info": {"description": "fixture"},
  "images": [{"id": 9, "file_name": "a.jpg"}, {"id": 4, "file_name": "b.jpg"},
             {"id": 7}],
  "annotations": [
    {"image_id": 4, "id": 100, "caption": "A dog runs."},
    {"image_id": 9, "id": 101, "caption": "A cat sits"},
    {"image_id": 4, "id": 102, "caption": "the dog"}]
})";

/// Features [rows, dim] with value r * 10 + d, and the ids of the rows.
void writeFeatures(const std::string &dir, const std::vector<int64_t> &ids,
                   int64_t dim, npz::DType dtype = npz::DType::F32,
                   npz::DType idType = npz::DType::I64) {
  npz::Array f;
  f.dtype = dtype;
  f.shape = {int64_t(ids.size()), dim};
  for (size_t r = 0; r < ids.size(); ++r)
    for (int64_t d = 0; d < dim; ++d)
      f.data.push_back(double(r * 10 + d));
  npz::writeNpy(dir + "/f.npy", f);
  npz::Array i;
  i.dtype = idType;
  i.shape = {int64_t(ids.size())};
  for (int64_t id : ids)
    i.data.push_back(double(id));
  npz::writeNpy(dir + "/ids.npy", i);
}

bool contains(const std::string &msg, const std::string &part) {
  return msg.find(part) != std::string::npos;
}

TEST(CaptionCoco, ReadsAndJoins) {
  std::string dir = tempDir("coco-ok");
  writeText(dir + "/c.json", kCocoJson);
  CocoCaptions c = readCocoCaptions(dir + "/c.json");
  ASSERT_EQ(c.images.size(), 3u);
  EXPECT_EQ(c.images[0].id, 9);
  EXPECT_EQ(c.images[0].fileName, "a.jpg");
  EXPECT_EQ(c.images[2].fileName, "");
  ASSERT_EQ(c.captions.size(), 3u);
  EXPECT_EQ(c.captions[0].id, 100);
  EXPECT_EQ(c.captions[0].imageId, 4);
  EXPECT_EQ(c.captions[0].caption, "A dog runs.");

  // Rows: image 4, 9, 7 (any order; 7 has no caption).
  writeFeatures(dir, {4, 9, 7}, 3);
  ImageFeatures f = readImageFeatures(dir + "/f.npy", dir + "/ids.npy", 3);
  EXPECT_EQ(f.rows, 3);
  EXPECT_EQ(f.dim, 3);
  EXPECT_EQ(f.imageIds, (std::vector<int64_t>{4, 9, 7}));
  EXPECT_EQ(f.row(9), 1);
  EXPECT_EQ(f.row(5), -1);
  EXPECT_EQ(f.data[1 * 3 + 2], 12.0f);

  auto samples = joinCaptions(c, f);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0].captionId, 100);
  EXPECT_EQ(samples[0].row, 0);
  EXPECT_EQ(samples[1].imageId, 9);
  EXPECT_EQ(samples[1].row, 1);
  EXPECT_EQ(samples[2].row, 0);
  EXPECT_EQ(samples[2].caption, "the dog");

  // Any width when none is expected; float64 features and int32 ids too.
  writeFeatures(dir, {4, 9}, 5, npz::DType::F64, npz::DType::I32);
  ImageFeatures g = readImageFeatures(dir + "/f.npy", dir + "/ids.npy");
  EXPECT_EQ(g.dim, 5);
  EXPECT_EQ(g.data[9], 14.0f);
}

TEST(CaptionCoco, JsonErrors) {
  std::string dir = tempDir("coco-json");
  auto err = [&](const std::string &text) {
    writeText(dir + "/c.json", text);
    return inputErrorOf([&] { readCocoCaptions(dir + "/c.json"); });
  };
  std::string path = dir + "/c.json";

  std::string missing =
      inputErrorOf([&] { readCocoCaptions(dir + "/none.json"); });
  EXPECT_TRUE(contains(missing, dir + "/none.json: cannot open")) << missing;
  EXPECT_TRUE(contains(missing, "COCO caption annotation file")) << missing;

  std::string corrupt = err(R"({"images": [)");
  EXPECT_TRUE(contains(corrupt, path + ": not valid JSON (parse error at "
                                       "line 1, column 13"))
      << corrupt;
  std::string notFile = inputErrorOf([&] { readCocoCaptions(dir); });
  EXPECT_TRUE(contains(notFile, dir + ": empty or not a file")) << notFile;
  EXPECT_TRUE(contains(err(""), path + ": empty or not a file"));

  EXPECT_TRUE(contains(err("[1, 2]"), "the top level is not an object"));
  std::string noImages = err(R"({"annotations": []})");
  EXPECT_TRUE(contains(noImages, path + ": expected a COCO caption file"))
      << noImages;
  EXPECT_TRUE(contains(noImages, "\"images\" is missing")) << noImages;
  EXPECT_TRUE(contains(err(R"({"images": [], "annotations": 3})"),
                       "\"annotations\" is not an array"));

  EXPECT_TRUE(contains(err(R"({"images": [{"id": "9"}], "annotations": []})"),
                       path + ": images[0]: expected an object with an "
                              "integer \"id\""));
  EXPECT_TRUE(contains(
      err(R"({"images": [{"id": 9, "file_name": 3}], "annotations": []})"),
      "images[0]: \"file_name\" is not a string"));
  std::string dup = err(
      R"({"images": [{"id": 9}, {"id": 4}, {"id": 9}], "annotations": []})");
  EXPECT_TRUE(contains(dup, path + ": images[2]: image id 9 occurs twice "
                                   "(also images[0])"))
      << dup;

  EXPECT_TRUE(contains(
      err(R"({"images": [{"id": 9}],
              "annotations": [{"image_id": 9, "id": 1, "caption": 5}]})"),
      path + ": annotations[0]: expected an object with integers \"id\" and "
             "\"image_id\" and a string \"caption\""));
  EXPECT_TRUE(contains(
      err(R"({"images": [{"id": 9}],
              "annotations": [{"image_id": 9, "id": 1, "caption": "a"},
                              {"image_id": 9.5, "id": 2, "caption": "b"}]})"),
      "annotations[1]: expected"));
  std::string orphan =
      err(R"({"images": [{"id": 9}],
              "annotations": [{"image_id": 8, "id": 1, "caption": "a"}]})");
  EXPECT_TRUE(contains(orphan, path + ": annotations[0] (id 1): its image 8 "
                                      "is not in \"images\""))
      << orphan;
  EXPECT_TRUE(contains(err(R"({"images": [{"id": 9}], "annotations": []})"),
                       path + ": no captions"));
}

TEST(CaptionCoco, FeatureErrors) {
  std::string dir = tempDir("coco-features");
  const std::string f = dir + "/f.npy", ids = dir + "/ids.npy";
  auto err = [&](int64_t expectedDim) {
    return inputErrorOf([&] { readImageFeatures(f, ids, expectedDim); });
  };

  // Missing files: the features, then the ids.
  EXPECT_TRUE(contains(err(0), f + ":")) << err(0);
  writeFeatures(dir, {4, 9}, 3);
  std::remove(ids.c_str());
  EXPECT_TRUE(contains(err(0), ids + ":")) << err(0);

  // Not a .npy file.
  writeFeatures(dir, {4, 9}, 3);
  writeText(f, "not numpy");
  EXPECT_TRUE(contains(err(0), f + ":")) << err(0);

  // Wrong width.
  writeFeatures(dir, {4, 9}, 3);
  std::string width = err(2048);
  EXPECT_TRUE(contains(width, f + ": the image features are 3 wide (shape "
                                  "[2, 3]), expected 2048"))
      << width;

  // Not 2-D, not float.
  npz::Array a;
  a.dtype = npz::DType::F32;
  a.shape = {6};
  a.data.assign(6, 0.0);
  npz::writeNpy(f, a);
  EXPECT_TRUE(contains(err(0), f + ": expected image features of shape "
                                   "[N, D] with N, D >= 1, got shape [6]"))
      << err(0);
  a.shape = {0, 3};
  a.data.clear();
  npz::writeNpy(f, a);
  EXPECT_TRUE(contains(err(0), "got shape [0, 3]")) << err(0);
  writeFeatures(dir, {4, 9}, 3, npz::DType::U8);
  EXPECT_TRUE(contains(err(0), f + ": expected image features as float32, "
                                   "got uint8"))
      << err(0);

  // Ids: wrong dtype, wrong count, duplicates.
  writeFeatures(dir, {4, 9}, 3, npz::DType::F32, npz::DType::F64);
  EXPECT_TRUE(contains(err(0), ids + ": expected the image ids of " + f +
                                   "'s rows as int64, got float64"))
      << err(0);
  writeFeatures(dir, {4, 9}, 3);
  npz::Array three;
  three.dtype = npz::DType::I64;
  three.shape = {3};
  three.data = {4, 9, 7};
  npz::writeNpy(ids, three);
  EXPECT_TRUE(contains(err(0), ids + ": expected the image ids of " + f +
                                   "'s rows, shape [2], got shape [3]"))
      << err(0);
  writeFeatures(dir, {4, 9, 4}, 3);
  EXPECT_TRUE(contains(err(0), ids + ": image id 4 occurs twice (rows 0 "
                                     "and 2)"))
      << err(0);
}

TEST(CaptionCoco, CaptionWithoutFeatures) {
  std::string dir = tempDir("coco-join");
  writeText(dir + "/c.json", kCocoJson);
  writeFeatures(dir, {9, 7}, 2); // image 4 (captions 100, 102) has no row
  CocoCaptions c = readCocoCaptions(dir + "/c.json");
  ImageFeatures f = readImageFeatures(dir + "/f.npy", dir + "/ids.npy");
  std::string msg = inputErrorOf([&] { joinCaptions(c, f); });
  EXPECT_TRUE(contains(msg, dir + "/ids.npy: no features for image 4 "
                                  "(caption id 100 of " +
                                  dir + "/c.json); 2 of 3 captions have no "
                                        "row in " +
                                  dir + "/f.npy"))
      << msg;
}

} // namespace
