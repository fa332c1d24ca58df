//===- NpzIO.cpp - the .npz calls of ccrnn-run, with exceptions -*- C++ -*-===//

#include "NpzIO.h"

#include <exception>

namespace ccrnn::run {

std::string readArchive(const std::string &path, npz::Archive &archive) {
  try {
    archive = npz::readNpz(path);
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

std::string writeArchive(const std::string &path, const npz::Archive &archive) {
  try {
    npz::writeNpz(path, archive);
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

} // namespace ccrnn::run
