//===- feedback.cpp - Fuzz harness: the feedback-file loader --------------===//
//
// The input is a feedback file (feedback_seed<S>_<model>.npz, written by
// ccrnn-train --record-grads), measured as `ccrnn-analyze feedback` does
// (analyzeFeedbackFile: the shapes are checked before the measures divide
// or index with them).
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Feedback.h"

namespace ccrnn::fuzz {

int feedbackFile(const uint8_t *data, size_t size) {
  const std::string path = writeScratchFile("feedback.npz", data, size);
  try {
    driver::analyzeFeedbackFile(path);
  } catch (const driver::InputError &) {
    // The reader's own error: a one-line message naming the file.
  }
  return 0;
}

} // namespace ccrnn::fuzz
