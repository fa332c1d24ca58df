//===- Bleu.cpp - Corpus BLEU of decoded captions ---------------*- C++ -*-===//

#include "ccrnn/Driver/Captioning/Bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace ccrnn::driver::captioning {
namespace {

using Ids = std::vector<int32_t>;
using NgramCounts = std::map<Ids, int64_t>;

/// Words as small integers, so that n-grams compare as integer vectors.
class Interner {
public:
  Ids operator()(const Tokens &tokens) {
    Ids ids;
    ids.reserve(tokens.size());
    for (const std::string &t : tokens)
      ids.push_back(ids_.emplace(t, int32_t(ids_.size())).first->second);
    return ids;
  }

private:
  std::unordered_map<std::string, int32_t> ids_;
};

NgramCounts countNgrams(const Ids &words, size_t n) {
  NgramCounts counts;
  for (size_t i = 0; i + n <= words.size(); ++i)
    ++counts[Ids(words.begin() + i, words.begin() + i + n)];
  return counts;
}

void checkSizes(size_t hypotheses, const std::vector<std::vector<Tokens>> &refs,
                const char *what) {
  if (refs.size() != hypotheses)
    throw std::invalid_argument(std::string(what) + ": " +
                                std::to_string(hypotheses) +
                                " hypotheses but references for " +
                                std::to_string(refs.size()));
  for (size_t i = 0; i < refs.size(); ++i)
    if (refs[i].empty())
      throw std::invalid_argument(std::string(what) + ": hypothesis " +
                                  std::to_string(i) + " has no reference");
}

/// The statistics of one hypothesis, added to `s`.
void accumulate(const Ids &hyp, const std::vector<Ids> &refs, BleuScores &s) {
  for (size_t n = 1; n <= size_t(kBleuOrders); ++n) {
    NgramCounts hypCounts = countNgrams(hyp, n);
    NgramCounts maxRef;
    for (const Ids &ref : refs)
      for (const auto &[ngram, count] : countNgrams(ref, n))
        if (hypCounts.count(ngram)) {
          int64_t &m = maxRef[ngram];
          m = std::max(m, count);
        }
    int64_t matches = 0, total = 0;
    for (const auto &[ngram, count] : hypCounts) {
      total += count;
      auto it = maxRef.find(ngram);
      if (it != maxRef.end())
        matches += std::min(count, it->second);
    }
    s.matches[n - 1] += matches;
    s.ngrams[n - 1] += std::max<int64_t>(1, total); // as nltk
  }
  const int64_t c = int64_t(hyp.size());
  int64_t closest = int64_t(refs.front().size());
  for (const Ids &ref : refs) {
    int64_t r = int64_t(ref.size());
    if (std::llabs(r - c) < std::llabs(closest - c) ||
        (std::llabs(r - c) == std::llabs(closest - c) && r < closest))
      closest = r;
  }
  s.hypothesisLength += c;
  s.referenceLength += closest;
}

void finish(BleuScores &s) {
  for (int n = 0; n < kBleuOrders; ++n)
    s.precision[n] =
        s.ngrams[n] == 0 ? 0.0 : double(s.matches[n]) / double(s.ngrams[n]);
  const double c = double(s.hypothesisLength), r = double(s.referenceLength);
  s.brevityPenalty = c > r ? 1.0 : c == 0 ? 0.0 : std::exp(1.0 - r / c);
  double logSum = 0;
  bool zero = false;
  for (int n = 0; n < kBleuOrders; ++n) {
    zero = zero || s.precision[n] == 0;
    if (!zero)
      logSum += std::log(s.precision[n]);
    s.bleu[n] = zero ? 0.0 : s.brevityPenalty * std::exp(logSum / (n + 1));
  }
}

BleuScores bleuOf(const std::vector<size_t> &which,
                  const std::vector<Tokens> &hypotheses,
                  const std::vector<std::vector<Tokens>> &references) {
  Interner intern;
  BleuScores s;
  std::vector<Ids> refs;
  for (size_t i : which) {
    refs.clear();
    for (const Tokens &ref : references[i])
      refs.push_back(intern(ref));
    accumulate(intern(hypotheses[i]), refs, s);
  }
  finish(s);
  return s;
}

} // namespace

BleuScores corpusBleu(const std::vector<Tokens> &hypotheses,
                      const std::vector<std::vector<Tokens>> &references) {
  checkSizes(hypotheses.size(), references, "corpusBleu");
  std::vector<size_t> all(hypotheses.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  return bleuOf(all, hypotheses, references);
}

std::array<BucketBleu, 3>
bleuByLength(const std::vector<Tokens> &hypotheses,
             const std::vector<std::vector<Tokens>> &references,
             const std::vector<int64_t> &lengths, LengthBuckets buckets) {
  checkSizes(hypotheses.size(), references, "bleuByLength");
  if (lengths.size() != hypotheses.size())
    throw std::invalid_argument("bleuByLength: " +
                                std::to_string(hypotheses.size()) +
                                " hypotheses but " +
                                std::to_string(lengths.size()) + " lengths");
  if (buckets.mediumMax < buckets.shortMax)
    throw std::invalid_argument(
        "bleuByLength: the medium bucket's bound " +
        std::to_string(buckets.mediumMax) + " is below the short one's " +
        std::to_string(buckets.shortMax));
  constexpr int64_t lo = std::numeric_limits<int64_t>::min();
  constexpr int64_t hi = std::numeric_limits<int64_t>::max();
  std::array<BucketBleu, 3> out = {
      BucketBleu{"short", lo, buckets.shortMax, 0, {}},
      BucketBleu{"medium", buckets.shortMax + 1, buckets.mediumMax, 0, {}},
      BucketBleu{"long", buckets.mediumMax + 1, hi, 0, {}}};
  for (BucketBleu &b : out) {
    std::vector<size_t> which;
    for (size_t i = 0; i < lengths.size(); ++i)
      if (lengths[i] >= b.minLength && lengths[i] <= b.maxLength)
        which.push_back(i);
    b.count = int64_t(which.size());
    if (which.empty()) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      b.scores.bleu.fill(nan);
      b.scores.precision.fill(nan);
      b.scores.brevityPenalty = nan;
    } else {
      b.scores = bleuOf(which, hypotheses, references);
    }
  }
  return out;
}

} // namespace ccrnn::driver::captioning
