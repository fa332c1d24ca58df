//===- Coco.cpp - COCO caption annotations and image features ---*- C++ -*-===//

#include "ccrnn/Driver/Captioning/Coco.h"

#include "../System.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Runtime/Npz.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <optional>
#include <stdexcept>

namespace ccrnn::driver::captioning {
namespace {

using Json = nlohmann::json;

constexpr const char *kCocoShape =
    "a COCO caption file: an object with arrays \"images\" (objects with an "
    "integer \"id\" and a \"file_name\") and \"annotations\" (objects with "
    "integers \"id\" and \"image_id\" and a string \"caption\")";

/// `j[key]` as an int64, or nothing when it is missing or not an integer
/// that fits.
std::optional<int64_t> integerField(const Json &j, const char *key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer())
    return std::nullopt;
  if (it->is_number_unsigned() &&
      it->get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  return it->get<int64_t>();
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

const char *dtypeName(npz::DType t) {
  switch (t) {
  case npz::DType::F32:
    return "float32";
  case npz::DType::F64:
    return "float64";
  case npz::DType::I64:
    return "int64";
  case npz::DType::I32:
    return "int32";
  case npz::DType::U8:
    return "uint8";
  }
  return "?";
}

npz::Array readArray(const std::string &path) {
  try {
    return npz::readNpy(path);
  } catch (const npz::Error &e) {
    throw InputError(e.what());
  }
}

} // namespace

CocoCaptions readCocoCaptions(const std::string &path) {
  std::string text;
  try {
    text = readWholeFile(path);
  } catch (const std::runtime_error &e) {
    throw InputError(std::string(e.what()) +
                     " (expected a COCO caption annotation file)");
  }
  // (A directory reads as empty.)
  if (text.empty())
    throw InputError(path + ": empty or not a file (expected a COCO caption "
                            "annotation file)");
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error &e) {
    // nlohmann's message without its "[json.exception.parse_error.101] ".
    std::string what = e.what();
    size_t cut = what.find("] ");
    throw InputError(path + ": not valid JSON (" +
                     (cut == std::string::npos ? what : what.substr(cut + 2)) +
                     ")");
  }
  if (!j.is_object())
    throw InputError(path + ": expected " + kCocoShape + "; the top level "
                     "is not an object");
  for (const char *key : {"images", "annotations"})
    if (!j.contains(key) || !j[key].is_array())
      throw InputError(path + ": expected " + kCocoShape + "; \"" + key +
                       "\" is " + (j.contains(key) ? "not an array" : "missing"));

  CocoCaptions out;
  out.path = path;
  std::unordered_map<int64_t, size_t> imageIndex;
  const Json &images = j["images"];
  for (size_t i = 0; i < images.size(); ++i) {
    const Json &im = images[i];
    std::string where = path + ": images[" + std::to_string(i) + "]";
    std::optional<int64_t> id;
    if (im.is_object())
      id = integerField(im, "id");
    if (!id)
      throw InputError(where + ": expected an object with an integer \"id\"");
    CocoImage image{*id, ""};
    if (im.contains("file_name")) {
      if (!im["file_name"].is_string())
        throw InputError(where + ": \"file_name\" is not a string");
      image.fileName = im["file_name"].get<std::string>();
    }
    auto [it, fresh] = imageIndex.emplace(*id, i);
    if (!fresh)
      throw InputError(where + ": image id " + std::to_string(*id) +
                       " occurs twice (also images[" +
                       std::to_string(it->second) + "])");
    out.images.push_back(std::move(image));
  }

  const Json &anns = j["annotations"];
  for (size_t i = 0; i < anns.size(); ++i) {
    const Json &a = anns[i];
    std::string where = path + ": annotations[" + std::to_string(i) + "]";
    std::optional<int64_t> id, imageId;
    if (a.is_object()) {
      id = integerField(a, "id");
      imageId = integerField(a, "image_id");
    }
    if (!id || !imageId || !a.contains("caption") || !a["caption"].is_string())
      throw InputError(where + ": expected an object with integers \"id\" "
                               "and \"image_id\" and a string \"caption\"");
    if (!imageIndex.count(*imageId))
      throw InputError(where + " (id " + std::to_string(*id) +
                       "): its image " + std::to_string(*imageId) +
                       " is not in \"images\"");
    out.captions.push_back({*id, *imageId, a["caption"].get<std::string>()});
  }
  if (out.captions.empty())
    throw InputError(path + ": no captions (\"annotations\" is empty)");
  return out;
}

int64_t ImageFeatures::row(int64_t imageId) const {
  auto it = rowOf.find(imageId);
  return it == rowOf.end() ? -1 : it->second;
}

ImageFeatures readImageFeatures(const std::string &featuresPath,
                                const std::string &idsPath,
                                int64_t expectedDim) {
  ImageFeatures f;
  f.path = featuresPath;
  f.idsPath = idsPath;
  {
    npz::Array a = readArray(featuresPath);
    if (a.dtype != npz::DType::F32 && a.dtype != npz::DType::F64)
      throw InputError(featuresPath + ": expected image features as float32, "
                                      "got " +
                       dtypeName(a.dtype));
    if (a.shape.size() != 2 || a.shape[0] < 1 || a.shape[1] < 1)
      throw InputError(featuresPath + ": expected image features of shape "
                                      "[N, D] with N, D >= 1, got shape " +
                       shapeString(a.shape));
    f.rows = a.shape[0];
    f.dim = a.shape[1];
    if (expectedDim > 0 && f.dim != expectedDim)
      throw InputError(featuresPath + ": the image features are " +
                       std::to_string(f.dim) + " wide (shape " +
                       shapeString(a.shape) + "), expected " +
                       std::to_string(expectedDim));
    f.data.assign(a.data.begin(), a.data.end());
  } // the doubles go here: they take twice the floats' memory

  npz::Array ids = readArray(idsPath);
  if (ids.dtype != npz::DType::I64 && ids.dtype != npz::DType::I32)
    throw InputError(idsPath + ": expected the image ids of " + featuresPath +
                     "'s rows as int64, got " + dtypeName(ids.dtype));
  if (ids.shape.size() != 1 || ids.shape[0] != f.rows)
    throw InputError(idsPath + ": expected the image ids of " + featuresPath +
                     "'s rows, shape [" + std::to_string(f.rows) +
                     "], got shape " + shapeString(ids.shape));
  f.imageIds.reserve(size_t(f.rows));
  for (int64_t r = 0; r < f.rows; ++r) {
    int64_t id = int64_t(ids.data[size_t(r)]);
    auto [it, fresh] = f.rowOf.emplace(id, r);
    if (!fresh)
      throw InputError(idsPath + ": image id " + std::to_string(id) +
                       " occurs twice (rows " + std::to_string(it->second) +
                       " and " + std::to_string(r) + ")");
    f.imageIds.push_back(id);
  }
  return f;
}

std::vector<CaptionSample> joinCaptions(const CocoCaptions &captions,
                                        const ImageFeatures &features) {
  std::vector<CaptionSample> out;
  out.reserve(captions.captions.size());
  const CocoCaption *firstMissing = nullptr;
  int64_t missing = 0;
  for (const CocoCaption &c : captions.captions) {
    int64_t r = features.row(c.imageId);
    if (r < 0) {
      if (!firstMissing)
        firstMissing = &c;
      ++missing;
      continue;
    }
    out.push_back({c.id, c.imageId, r, c.caption});
  }
  if (missing)
    throw InputError(
        features.idsPath + ": no features for image " +
        std::to_string(firstMissing->imageId) + " (caption id " +
        std::to_string(firstMissing->id) + " of " + captions.path + "); " +
        std::to_string(missing) + " of " +
        std::to_string(captions.captions.size()) +
        " captions have no row in " + features.path);
  return out;
}

} // namespace ccrnn::driver::captioning
