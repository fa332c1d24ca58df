//===- BundledTrainers.cpp - The empty bundled-trainer list -----*- C++ -*-===//
//
// The build generates the real list of bundled trainers (a strong
// definition). Until it links one in, this weak empty list does, so the
// driver links and compiles every trainer on the fly. In a file of its own
// so that the compiler cannot fold the lookups against this empty list.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Trainers.h"

extern "C" __attribute__((weak))
const ccrnn_trainer_api *const ccrnn_bundled_trainers[] = {nullptr};

