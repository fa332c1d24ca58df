//===- NpzIO.h - the .npz calls of ccrnn-run --------------------*- C++ -*-===//
//
// The npz library reports errors with exceptions; ccrnn-run, like every LLVM
// tool, is compiled without them. NpzIO.cpp, compiled with exceptions, is the
// only caller and turns them into error messages.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TOOLS_CCRNN_RUN_NPZIO_H
#define CCRNN_TOOLS_CCRNN_RUN_NPZIO_H

#include "ccrnn/Runtime/Npz.h"

#include <string>

namespace ccrnn::run {

/// Reads the archive at `path` into `archive`; returns an error message,
/// empty on success.
std::string readArchive(const std::string &path, npz::Archive &archive);

/// Writes `archive` to `path` (atomically); returns an error message, empty
/// on success.
std::string writeArchive(const std::string &path, const npz::Archive &archive);

} // namespace ccrnn::run

#endif // CCRNN_TOOLS_CCRNN_RUN_NPZIO_H
