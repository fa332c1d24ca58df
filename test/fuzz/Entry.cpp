//===- Entry.cpp - libFuzzer's entry point of one harness -----------------===//
//
// Compiled once per harness with CCRNN_FUZZ_HARNESS naming its function
// (Harness.h), into the executable fuzz-<harness> (CMakeLists.txt, with
// -DCCRNN_FUZZ=ON); tools/fuzz.sh runs them.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#ifndef CCRNN_FUZZ_HARNESS
#error "CCRNN_FUZZ_HARNESS must name the harness function"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return ccrnn::fuzz::CCRNN_FUZZ_HARNESS(data, size);
}
