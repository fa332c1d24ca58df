//===- AtomicFile.h - Files replaced whole, never half-written --*- C++ -*-===//
//
// Every file ccrnn writes is written to a temporary file in its directory
// and renamed over it, so a reader (or a crash) never sees half of one. The
// temporary's name is unpredictable and it is created exclusively (mkstemp:
// O_CREAT|O_EXCL), so a file or symbolic link planted under the name by
// someone who can write to the directory is never written through.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_RUNTIME_ATOMICFILE_H
#define CCRNN_RUNTIME_ATOMICFILE_H

#include <string>

namespace ccrnn {

/// Creates a new empty file "<path>.tmp-XXXXXX" (a random suffix) in
/// `path`'s directory, exclusively, with the mode a new file gets (0666
/// less the umask), and returns its name. Throws std::runtime_error
/// ("<path>: cannot create a temporary file: <why>").
std::string createTempFileFor(const std::string &path);

/// Renames `tmp` over `path`. On failure removes `tmp` and throws
/// std::runtime_error ("<path>: cannot rename <tmp>: <why>").
void renameOver(const std::string &tmp, const std::string &path);

/// `bytes` written to a temporary file and renamed over `path`; on failure
/// the temporary is removed and std::runtime_error names `path`.
void writeFileAtomic(const std::string &path, const std::string &bytes);

} // namespace ccrnn

#endif // CCRNN_RUNTIME_ATOMICFILE_H
