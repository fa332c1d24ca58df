//===- Batches.h - Captioning batches of one caption length -----*- C++ -*-===//
//
// How the reference feeds captions (my_sampler in other/image-captioning/
// data_loader.py): no padding, so every batch holds captions of one length
// (tokens counted with <start> and <end>), of the lengths in a range (11..15
// by default); within a length the captions are shuffled and cut into
// whole batches (a remainder is left out), the lengths take turns, and the
// batch order is shuffled. With `balance`, every length gets as many
// batches as the rarest one has (of the lengths with a whole batch: in the
// reference a length with none turns balancing off, silently).
//
// The randomness is the driver's (a named Rng stream per epoch), not
// numpy's: the same seed gives the same batches on every machine, and an
// epoch's batches do not depend on the epochs before it.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CAPTIONING_BATCHES_H
#define CCRNN_DRIVER_CAPTIONING_BATCHES_H

#include <cstdint>
#include <vector>

namespace ccrnn::driver {
class Rng;
}

namespace ccrnn::driver::captioning {

struct BatchSchedule {
  int64_t batchSize = 100;
  /// The caption lengths kept, inclusive (with <start> and <end>).
  int64_t minLength = 11, maxLength = 15;
  /// Every length gets the number of batches of the rarest length that
  /// has a whole batch.
  bool balance = false;
  /// Shuffle the captions within a length and the batch order (training);
  /// without it the batches are in the data's order, lengths taking turns.
  bool shuffle = true;
};

/// A batch: the indices of its captions, all of length `length`.
struct CaptionBatch {
  int64_t length = 0;
  std::vector<int64_t> captions;
};

/// The batches of one epoch over captions of the given `lengths` (index i:
/// caption i's length). `rng` is used only with `schedule.shuffle`. Throws
/// InputError for a batch size below 1 or an empty length range, and when
/// no length of the range has a whole batch (naming the counts).
std::vector<CaptionBatch> makeBatches(const std::vector<int64_t> &lengths,
                                      const BatchSchedule &schedule, Rng &rng);

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_BATCHES_H
