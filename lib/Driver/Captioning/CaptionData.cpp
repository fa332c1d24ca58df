//===- CaptionData.cpp - A captioning run's data, ready to train -*- C++ -*-===//

#include "ccrnn/Driver/Captioning/CaptionData.h"

#include "ccrnn/Driver/Captioning/Coco.h"
#include "ccrnn/Driver/Captioning/Scenes.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Runtime/Idx.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <unistd.h>

namespace ccrnn::driver::captioning {

std::vector<int64_t> CaptionSplit::lengths() const {
  std::vector<int64_t> out;
  out.reserve(captions.size());
  for (const EncodedCaption &c : captions)
    out.push_back(c.length());
  return out;
}

int64_t CaptionSplit::imageLength(int64_t image) const {
  std::vector<int64_t> lengths;
  for (const Tokens &t : images.references[image])
    lengths.push_back(int64_t(t.size()) + 2);
  if (lengths.empty())
    return 0;
  std::sort(lengths.begin(), lengths.end());
  return lengths[(lengths.size() - 1) / 2];
}

std::pair<int64_t, int64_t> lengthRange(const TrainConfig &c) {
  const bool bundled = c.captioning.captions.empty();
  int64_t lo = c.captioning.minLength, hi = c.captioning.maxLength;
  if (lo == 0)
    lo = bundled ? 6 : 11;
  if (hi == 0)
    hi = bundled ? 24 : 15;
  return {lo, hi};
}

LengthBuckets lengthBuckets(bool bundled) {
  return bundled ? LengthBuckets{10, 16} : LengthBuckets{12, 14};
}

namespace {

CaptionSplit encodeSplit(CaptionImages images, const Vocabulary &vocab,
                         int64_t lo, int64_t hi) {
  CaptionSplit s;
  for (int64_t i = 0; i < images.count; ++i)
    for (const Tokens &t : images.references[i]) {
      ++s.allCaptions;
      const int64_t length = int64_t(t.size()) + 2;
      if (length < lo || length > hi)
        continue;
      s.captions.push_back({i, vocab.encode(t)});
    }
  s.images = std::move(images);
  return s;
}

void tokenizeAll(CaptionImages &images) {
  images.references.assign(images.count, {});
  for (int64_t i = 0; i < images.count; ++i)
    for (const std::string &text : images.texts[i])
      images.references[i].push_back(tokenize(text));
}

std::string lengthCounts(const CaptionImages &images) {
  std::map<int64_t, int64_t> counts;
  for (const auto &refs : images.references)
    for (const Tokens &t : refs)
      ++counts[int64_t(t.size()) + 2];
  if (counts.empty())
    return "none";
  return std::to_string(counts.begin()->first) + " to " +
         std::to_string(counts.rbegin()->first);
}

} // namespace

CaptionCorpus buildCorpus(RawCaptions train, RawCaptions val,
                          int64_t threshold, int64_t lo, int64_t hi,
                          bool bundled) {
  CaptionCorpus c;
  c.source = train.source;
  c.bundled = bundled;
  c.minLength = lo;
  c.maxLength = hi;
  c.buckets = lengthBuckets(bundled);
  tokenizeAll(train.images);
  tokenizeAll(val.images);
  std::vector<Tokens> all;
  for (const auto &refs : train.images.references)
    all.insert(all.end(), refs.begin(), refs.end());
  try {
    c.vocab = Vocabulary::build(all, threshold);
  } catch (const InputError &e) {
    throw InputError(train.source + ": " + e.what() +
                     " (--vocab-threshold " + std::to_string(threshold) +
                     ")");
  }
  const std::string trainLengths = lengthCounts(train.images),
                    valLengths = lengthCounts(val.images);
  c.train = encodeSplit(std::move(train.images), *c.vocab, lo, hi);
  c.val = encodeSplit(std::move(val.images), *c.vocab, lo, hi);
  auto none = [&](const CaptionSplit &s, const std::string &source,
                  const std::string &lengths, const char *what) {
    if (s.captions.empty())
      throw InputError(source + ": no " + what + " caption of " +
                       std::to_string(lo) + " to " + std::to_string(hi) +
                       " tokens (--min-length, --max-length; its captions "
                       "have " +
                       lengths + " tokens with <start> and <end>)");
  };
  none(c.train, train.source, trainLengths, "training");
  none(c.val, val.source, valLengths, "validation");
  return c;
}

RawCaptions readCocoSplit(const std::string &captionsFlag,
                          const std::string &captions,
                          const std::string &features,
                          const std::string &featureIds,
                          int64_t expectedWidth) {
  const CocoCaptions coco = readCocoCaptions(captions);
  const ImageFeatures f = readImageFeatures(features, featureIds, expectedWidth);
  const std::vector<CaptionSample> samples = joinCaptions(coco, f);
  RawCaptions raw;
  raw.source = captions;
  CaptionImages &im = raw.images;
  im.width = f.dim;
  std::unordered_map<int64_t, int64_t> index; // feature row -> image
  for (const CaptionSample &s : samples) {
    auto [it, added] = index.emplace(s.row, im.count);
    if (added) {
      ++im.count;
      im.ids.push_back(s.imageId);
      im.texts.emplace_back();
      im.features.insert(im.features.end(), f.data.begin() + s.row * f.dim,
                         f.data.begin() + (s.row + 1) * f.dim);
    }
    im.texts[it->second].push_back(s.caption);
  }
  (void)captionsFlag;
  return raw;
}

namespace {
RawCaptions fromScenes(CaptionedImages scenes, const std::string &source) {
  RawCaptions raw;
  raw.source = source;
  raw.images.count = scenes.count;
  raw.images.width = scenes.featureWidth;
  raw.images.features = std::move(scenes.features);
  raw.images.texts = std::move(scenes.captions);
  for (int64_t i = 0; i < scenes.count; ++i)
    raw.images.ids.push_back(i);
  return raw;
}
} // namespace

void checkCaptionFiles(const TrainConfig &c) {
  const auto &k = c.captioning;
  struct Split {
    const char *prefix;
    const std::string *captions, *features, *ids;
  };
  const bool coco = !k.captions.empty() || !k.features.empty() ||
                    !k.featureIds.empty() || !k.valCaptions.empty() ||
                    !k.valFeatures.empty() || !k.valFeatureIds.empty();
  if (!coco)
    return;
  for (Split s : {Split{"--", &k.captions, &k.features, &k.featureIds},
                  Split{"--val-", &k.valCaptions, &k.valFeatures,
                        &k.valFeatureIds}}) {
    const std::string p = s.prefix;
    if (s.captions->empty() || s.features->empty() || s.ids->empty())
      throw InputError("COCO-format data need " + p + "captions, " + p +
                       "features and " + p +
                       "feature-ids together (missing: " +
                       (s.captions->empty() ? p + "captions " : "") +
                       (s.features->empty() ? p + "features " : "") +
                       (s.ids->empty() ? p + "feature-ids" : "") + ")");
    for (auto [flag, path] :
         {std::pair<std::string, const std::string *>{p + "captions",
                                                      s.captions},
          {p + "features", s.features},
          {p + "feature-ids", s.ids}})
      if (access(path->c_str(), R_OK) != 0)
        throw InputError(flag + " " + *path + ": cannot be read (not found "
                         "or not readable)");
  }
}

CaptionCorpus loadCorpus(const TrainConfig &c) {
  checkCaptionFiles(c);
  const auto &k = c.captioning;
  const auto [lo, hi] = lengthRange(c);
  if (!k.captions.empty()) {
    RawCaptions train =
        readCocoSplit("--captions", k.captions, k.features, k.featureIds, 0);
    RawCaptions val = readCocoSplit("--val-captions", k.valCaptions,
                                    k.valFeatures, k.valFeatureIds,
                                    train.images.width);
    return buildCorpus(std::move(train), std::move(val), k.vocabThreshold, lo,
                       hi, /*bundled=*/false);
  }
  const std::string dir = dataDirectory(c);
  idx::Dataset mnistTrain, mnistTest;
  try {
    mnistTrain = idx::readTrain(dir);
    mnistTest = idx::readTest(dir);
  } catch (const idx::Error &e) {
    throw InputError(std::string(e.what()) +
                     " (the bundled captioning scenes are made from MNIST; "
                     "or give COCO-format data with --captions)");
  }
  SceneSplits scenes =
      makeSceneSplits(mnistTrain, mnistTest, c.data.trainSize,
                      c.data.valSize, 0, /*seed=*/0);
  const std::string source = "bundled MNIST scenes (" + dir + ")";
  return buildCorpus(fromScenes(std::move(scenes.train), source),
                     fromScenes(std::move(scenes.val), source),
                     k.vocabThreshold, lo, hi, /*bundled=*/true);
}

} // namespace ccrnn::driver::captioning
