//===- VectorClones.h - Element-wise loops for the CPU they run on -*- C++
//-*-===//
//
// The runtime is compiled for baseline x86-64 (SSE2), so that its programs
// run on any x86-64 machine; its element-wise loops then vectorize 4 floats
// wide. CCRNN_VECTOR_CLONES compiles a function also for AVX2 and AVX-512
// and picks the widest the CPU has when the program loads (GCC's
// target_clones, an ifunc). The element-wise results do not depend on the
// width: each element is computed by the same IEEE operations (the runtime
// is compiled with -ffp-contract=off, so no clone fuses a multiply and an
// add, and GCC does not reorder float reductions without -ffast-math).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_RUNTIME_VECTORCLONES_H
#define CCRNN_RUNTIME_VECTORCLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CCRNN_VECTOR_CLONES                                                    \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CCRNN_VECTOR_CLONES
#endif

#endif // CCRNN_RUNTIME_VECTORCLONES_H
