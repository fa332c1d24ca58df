//===- CUDALibrary.cpp - The entry points of libccrnn_cuda.so ------------===//
//
// ccrnn-train and ccrnn-bench do not link the CUDA runtime: its libraries
// (cuBLAS alone is half a gigabyte) would be loaded, and their pages
// touched, by every run, GPU or not. They load libccrnn_cuda.so — the CUDA
// kernels, the bundled CUDA trainers and the CUDA libraries — with dlopen
// when --device cuda asks for it, and find these two functions in it.
// Trainers compiled on the fly for CUDA link against it.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/KernelsCUDA.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include <cstring>
#include <string>

extern "C" const ccrnn_trainer_api *const ccrnn_bundled_cuda_trainers[];

extern "C" {

/// The bundled CUDA trainers, NULL-terminated.
__attribute__((visibility("default"))) const ccrnn_trainer_api *const *
ccrnn_cuda_bundled_trainers(void) {
  return ccrnn_bundled_cuda_trainers;
}

/// 1 when a CUDA device can be used, else 0 with the reason in `why`
/// (`size` bytes, NUL-terminated).
__attribute__((visibility("default"))) int
ccrnn_cuda_device_available(char *why, size_t size) {
  std::string reason;
  bool ok = ccrnn::rtcuda::deviceAvailable(reason);
  if (size) {
    std::strncpy(why, reason.c_str(), size - 1);
    why[size - 1] = '\0';
  }
  return ok ? 1 : 0;
}
}
