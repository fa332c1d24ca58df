//===- CaptioningBatchesTest.cpp - batches of one caption length ----------===//

#include "ccrnn/Driver/Captioning/Batches.h"
#include "ccrnn/Driver/Rng.h"

#include "DriverTestSupport.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace ccrnn::driver;
using namespace ccrnn::driver::captioning;
using ccrnn::test::inputErrorOf;

namespace {

/// Lengths 11..15 with 5, 7, 2, 0 and 9 captions (and some out of range).
std::vector<int64_t> someLengths() {
  std::vector<int64_t> lengths;
  const std::pair<int64_t, int> counts[] = {{11, 5}, {12, 7}, {13, 2},
                                            {15, 9}, {10, 3}, {16, 4}};
  for (int round = 0; round < 9; ++round)
    for (auto [length, count] : counts)
      if (round < count)
        lengths.push_back(length);
  return lengths;
}

BatchSchedule schedule(int64_t batchSize, bool balance, bool shuffle) {
  BatchSchedule s;
  s.batchSize = batchSize;
  s.balance = balance;
  s.shuffle = shuffle;
  return s;
}

} // namespace

TEST(CaptioningBatches, WholeBatchesOfOneLengthInTurns) {
  std::vector<int64_t> lengths = someLengths();
  Rng rng(1);
  std::vector<CaptionBatch> batches =
      makeBatches(lengths, schedule(2, false, false), rng);
  // Whole batches of 2: 2 of length 11, 3 of 12, 1 of 13, 4 of 15; the
  // lengths take turns, in the data's order without shuffling.
  std::vector<int64_t> order;
  for (const CaptionBatch &b : batches)
    order.push_back(b.length);
  EXPECT_EQ(order,
            (std::vector<int64_t>{11, 12, 13, 15, 11, 12, 15, 12, 15, 15}));
  std::set<int64_t> used;
  for (const CaptionBatch &b : batches) {
    ASSERT_EQ(b.captions.size(), 2u);
    for (int64_t i : b.captions) {
      EXPECT_EQ(lengths[i], b.length);
      EXPECT_TRUE(used.insert(i).second) << "caption " << i << " twice";
    }
  }
  // The first batch of length 11 is its first two captions in data order.
  std::vector<int64_t> elevens;
  for (size_t i = 0; i < lengths.size(); ++i)
    if (lengths[i] == 11)
      elevens.push_back(int64_t(i));
  EXPECT_EQ(batches[0].captions,
            (std::vector<int64_t>{elevens[0], elevens[1]}));
}

TEST(CaptioningBatches, BalanceGivesEachLengthTheRarestCount) {
  Rng rng(1);
  std::vector<CaptionBatch> batches =
      makeBatches(someLengths(), schedule(2, true, false), rng);
  // Length 13 has one whole batch, length 14 none: a length without a
  // whole batch does not count, the rarest of the others gives 1 each.
  std::map<int64_t, int> perLength;
  for (const CaptionBatch &b : batches)
    ++perLength[b.length];
  EXPECT_EQ(perLength,
            (std::map<int64_t, int>{{11, 1}, {12, 1}, {13, 1}, {15, 1}}));
}

TEST(CaptioningBatches, ShuffledDeterministicAndComplete) {
  std::vector<int64_t> lengths = someLengths();
  Rng a(7, "captioning.batches", 3), b(7, "captioning.batches", 3),
      c(7, "captioning.batches", 4);
  auto first = makeBatches(lengths, schedule(2, false, true), a);
  auto again = makeBatches(lengths, schedule(2, false, true), b);
  auto other = makeBatches(lengths, schedule(2, false, true), c);
  auto flat = [](const std::vector<CaptionBatch> &batches) {
    std::vector<int64_t> all;
    for (const CaptionBatch &batch : batches)
      all.insert(all.end(), batch.captions.begin(), batch.captions.end());
    return all;
  };
  EXPECT_EQ(flat(first), flat(again));
  EXPECT_NE(flat(first), flat(other));
  // Shuffling changes the order, not how many batches of each length.
  std::map<int64_t, int> counts, unshuffled;
  for (const CaptionBatch &batch : first)
    ++counts[batch.length];
  Rng unused(0);
  for (const CaptionBatch &batch :
       makeBatches(lengths, schedule(2, false, false), unused))
    ++unshuffled[batch.length];
  EXPECT_EQ(counts, unshuffled);
  for (const CaptionBatch &batch : first)
    for (int64_t i : batch.captions)
      EXPECT_EQ(lengths[i], batch.length);
}

TEST(CaptioningBatches, Errors) {
  Rng rng(1);
  std::vector<int64_t> lengths = someLengths();
  EXPECT_EQ(inputErrorOf(
                [&] { makeBatches(lengths, schedule(0, false, true), rng); }),
            "captioning batches: the batch size must be at least 1, not 0");
  BatchSchedule empty = schedule(2, false, true);
  empty.minLength = 15;
  empty.maxLength = 11;
  EXPECT_EQ(inputErrorOf([&] { makeBatches(lengths, empty, rng); }),
            "captioning batches: the caption lengths 15..11 are empty");
  EXPECT_EQ(inputErrorOf(
                [&] { makeBatches(lengths, schedule(10, false, true), rng); }),
            "captioning batches: no caption length has a whole batch of 10 "
            "captions (5 of length 11, 7 of length 12, 2 of length 13, 0 of "
            "length 14, 9 of length 15)");
}
