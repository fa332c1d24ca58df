//===- Batches.cpp - Captioning batches of one caption length ---*- C++ -*-===//

#include "ccrnn/Driver/Captioning/Batches.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"

#include <algorithm>
#include <string>
#include <utility>

namespace ccrnn::driver::captioning {
namespace {

/// Fisher-Yates with the driver's generator (std::shuffle's algorithm is
/// the standard library's choice).
template <typename T> void shuffleInPlace(std::vector<T> &items, Rng &rng) {
  for (size_t i = items.size(); i > 1; --i)
    std::swap(items[i - 1], items[rng.below(i)]);
}

} // namespace

std::vector<CaptionBatch> makeBatches(const std::vector<int64_t> &lengths,
                                      const BatchSchedule &schedule, Rng &rng) {
  if (schedule.batchSize < 1)
    throw InputError("captioning batches: the batch size must be at least "
                     "1, not " +
                     std::to_string(schedule.batchSize));
  if (schedule.minLength > schedule.maxLength)
    throw InputError("captioning batches: the caption lengths " +
                     std::to_string(schedule.minLength) + ".." +
                     std::to_string(schedule.maxLength) + " are empty");
  const int64_t span = schedule.maxLength - schedule.minLength + 1;
  std::vector<std::vector<int64_t>> byLength(span);
  for (size_t i = 0; i < lengths.size(); ++i)
    if (lengths[i] >= schedule.minLength && lengths[i] <= schedule.maxLength)
      byLength[lengths[i] - schedule.minLength].push_back(int64_t(i));
  if (schedule.shuffle)
    for (std::vector<int64_t> &captions : byLength)
      shuffleInPlace(captions, rng);

  std::vector<int64_t> whole(span);
  int64_t most = 0, fewest = -1;
  for (int64_t l = 0; l < span; ++l) {
    whole[l] = int64_t(byLength[l].size()) / schedule.batchSize;
    most = std::max(most, whole[l]);
    // A length with no whole batch has none either way: it does not set
    // the balance.
    if (whole[l] > 0)
      fewest = fewest < 0 ? whole[l] : std::min(fewest, whole[l]);
  }
  if (most == 0) {
    std::string counts;
    for (int64_t l = 0; l < span; ++l)
      counts += (l ? ", " : "") + std::to_string(byLength[l].size()) +
                " of length " + std::to_string(schedule.minLength + l);
    throw InputError("captioning batches: no caption length has a whole "
                     "batch of " +
                     std::to_string(schedule.batchSize) + " captions (" +
                     counts + ")");
  }
  // As the reference: lengths take turns, batch by batch.
  std::vector<CaptionBatch> batches;
  const int64_t rounds = schedule.balance ? fewest : most;
  for (int64_t b = 0; b < rounds; ++b)
    for (int64_t l = 0; l < span; ++l) {
      if (b >= whole[l])
        continue;
      auto first = byLength[l].begin() + b * schedule.batchSize;
      batches.push_back(
          {schedule.minLength + l,
           std::vector<int64_t>(first, first + schedule.batchSize)});
    }
  if (schedule.shuffle)
    shuffleInPlace(batches, rng);
  return batches;
}

} // namespace ccrnn::driver::captioning
