//===- Harness.h - The fuzz harnesses' bodies -------------------*- C++ -*-===//
//
// One function per harness (one .cpp each in this directory), called by
// libFuzzer's entry point (Entry.cpp, built with -DCCRNN_FUZZ=ON) and by
// ccrnn-fuzz-replay (Replay.cpp, built everywhere), which runs the seed
// corpus (corpus/<harness>/) and every input a fuzzer once crashed on
// (regressions/<harness>/) in the normal test suite (replay.test).
//
// A harness feeds its input to one reader the way the tools do and accepts
// the reader's own error (an exception of its documented type: a one-line
// message naming the file); anything else is a finding: a crash, a
// sanitizer report, or an exception of another type (finding() aborts).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TEST_FUZZ_HARNESS_H
#define CCRNN_TEST_FUZZ_HARNESS_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace ccrnn::fuzz {

/// Model text through parse, verify, the trainer pipeline and the C++
/// emitter, with small sizes (model.cpp).
int modelText(const uint8_t *data, size_t size);
/// A .npy file (input starting with "\x93NUMPY") or an .npz archive
/// (npz.cpp).
int npzFile(const uint8_t *data, size_t size);
/// An IDX image or label file (idx.cpp).
int idxFile(const uint8_t *data, size_t size);
/// A run directory's meta.json (input starting with '{') or resume.npz
/// (otherwise), as --resume and --status read them (resume.cpp).
int resumeFiles(const uint8_t *data, size_t size);
/// A feedback file, as ccrnn-analyze feedback reads it (feedback.cpp).
int feedbackFile(const uint8_t *data, size_t size);

/// Writes the resume harness's run files (meta.json, resume.npz) into
/// `dir`: its seed corpus (make-corpus.sh).
void writeResumeSeeds(const std::string &dir);

/// A directory of this process's own for the files the readers read
/// (under $TMPDIR or /tmp), removed at exit.
const std::string &scratchDir();
/// Writes `size` bytes to scratchDir()/name and returns its path.
std::string writeScratchFile(const std::string &name, const uint8_t *data,
                             size_t size);
/// Reports a finding of `harness` (a reader broke its contract) and aborts.
[[noreturn]] void finding(const char *harness, const std::string &what);

} // namespace ccrnn::fuzz

#endif // CCRNN_TEST_FUZZ_HARNESS_H
