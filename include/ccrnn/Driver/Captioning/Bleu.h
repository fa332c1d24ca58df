//===- Bleu.h - Corpus BLEU of decoded captions -----------------*- C++ -*-===//
//
// BLEU-1 ... BLEU-4 (Papineni et al. 2002) at corpus level, computed as
// nltk.translate.bleu_score.corpus_bleu with uniform weights (1/n each) and
// no smoothing:
//
//   p_n  = sum over hypotheses of the clipped n-gram matches
//          / sum over hypotheses of max(1, number of n-grams)
//   where a hypothesis n-gram's count is clipped to the largest count it has
//   in any one reference of that hypothesis;
//   BP   = 1 when c > r, else exp(1 - r / c) (0 when c = 0), with c the
//          total hypothesis length and r the sum over hypotheses of the
//          reference length closest to the hypothesis's (ties: the shorter);
//   BLEU-n = BP * exp((log p_1 + ... + log p_n) / n), and 0 when any of
//          p_1 ... p_n is 0.
//
// Two details follow nltk rather than the paper: the max(1, ...) (a
// hypothesis too short to have an n-gram still adds 1 to p_n's
// denominator), and a zero p_n giving 0 (nltk returns 0 when p_1 = 0 and,
// for a higher order, a value below 1e-70 with a warning).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CAPTIONING_BLEU_H
#define CCRNN_DRIVER_CAPTIONING_BLEU_H

#include "ccrnn/Driver/Captioning/Vocabulary.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::driver::captioning {

constexpr int kBleuOrders = 4;

struct BleuScores {
  /// bleu[n - 1] is BLEU-n.
  std::array<double, kBleuOrders> bleu{};
  /// precision[n - 1] is p_n (0 / 0 counts as 0).
  std::array<double, kBleuOrders> precision{};
  /// The clipped matches and n-gram counts (with nltk's max(1, ...)) behind
  /// each p_n.
  std::array<int64_t, kBleuOrders> matches{}, ngrams{};
  double brevityPenalty = 0;
  int64_t hypothesisLength = 0; ///< c
  int64_t referenceLength = 0;  ///< r
};

/// Corpus BLEU of `hypotheses` against `references` (references[i] holds
/// every reference of hypotheses[i]). std::invalid_argument when the sizes
/// differ or a hypothesis has no reference. No hypotheses: all zero.
BleuScores corpusBleu(const std::vector<Tokens> &hypotheses,
                      const std::vector<std::vector<Tokens>> &references);

/// Caption-length buckets: short = [min, shortMax], medium = [shortMax + 1,
/// mediumMax], long = [mediumMax + 1, max]. What a length counts is the
/// caller's choice (the reference counts a caption's tokens with <start>
/// and <end>).
struct LengthBuckets {
  int64_t shortMax = 0;
  int64_t mediumMax = 0;
};

struct BucketBleu {
  std::string name;  ///< "short", "medium", "long"
  int64_t minLength; ///< Inclusive; INT64_MIN for "short".
  int64_t maxLength; ///< Inclusive; INT64_MAX for "long".
  int64_t count;     ///< Hypotheses in the bucket.
  /// Corpus BLEU over the bucket's hypotheses alone (brevity penalty
  /// included); every field NaN or 0 when count = 0: bleu, precision and
  /// brevityPenalty NaN, the counts 0.
  BleuScores scores;
};

/// BLEU per length bucket: hypothesis i goes to the bucket of lengths[i].
/// std::invalid_argument when the sizes differ, a hypothesis has no
/// reference, or mediumMax < shortMax.
std::array<BucketBleu, 3>
bleuByLength(const std::vector<Tokens> &hypotheses,
             const std::vector<std::vector<Tokens>> &references,
             const std::vector<int64_t> &lengths, LengthBuckets buckets);

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_BLEU_H
