//===- UserDirs.h - The user's home and cache directories -------*- C++ -*-===//
//
// Where ccrnn keeps per-user files (the data sets, the trainer cache). A
// directory that cannot be found is empty, never ".": with HOME unset a
// cache of code that is later loaded must not land in whatever directory the
// program was started from.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_RUNTIME_USERDIRS_H
#define CCRNN_RUNTIME_USERDIRS_H

#include <string>

namespace ccrnn {

/// $HOME when it is an absolute path, else the user's home directory in the
/// password database; empty when neither gives one.
std::string homeDirectory();

/// $XDG_CACHE_HOME when it is an absolute path (the XDG specification
/// ignores a relative one), else homeDirectory() + "/.cache"; empty when
/// there is no home directory.
std::string userCacheDirectory();

} // namespace ccrnn

#endif // CCRNN_RUNTIME_USERDIRS_H
