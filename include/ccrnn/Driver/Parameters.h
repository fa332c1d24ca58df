//===- Parameters.h - A network's parameters --------------------*- C++ -*-===//
//
// Where a (seed, model) pair's parameters come from (an --init archive, or
// each parameter's own random stream of the seed), the sparse fibres of
// SPEC §4's nfibres control, and parameters as a checkpoint archive.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_PARAMETERS_H
#define CCRNN_DRIVER_PARAMETERS_H

#include "ccrnn/Driver/Optimizer.h"
#include "ccrnn/Runtime/Npz.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::driver {

/// Reads an --init archive (InputError when it cannot be read).
npz::Archive readInit(const std::string &path);
/// Checks that `init` has every parameter of `desc` with its shape.
void checkInit(const npz::Archive &init, const std::string &path,
               const ccrnn_trainer_desc &desc, const std::string &model);

/// The initial parameters: from `init` when given, else each parameter from
/// its own stream of `seed` (uniform(-bound, bound) or zeros).
Tensors initialParameters(const ccrnn_trainer_desc &desc, uint64_t seed,
                          const npz::Archive *init);

/// Parameters as a checkpoint: float32 arrays under their names and shapes.
npz::Archive parametersArchive(const ccrnn_trainer_desc &desc,
                               const Tensors &params);

/// The number of values of each parameter.
std::vector<int64_t> parameterSizes(const ccrnn_trainer_desc &desc);

/// SPEC §4's sparse mossy fibres: each unit of the synthesizer's first
/// layer keeps `nfibres` of its inputs, chosen from stream
/// "synthesizer.fibres" of `seed` ([rows, cols] of 0 and 1). Empty when
/// the trainer takes no mask.
std::vector<float> fibreMask(const ccrnn_trainer_desc &desc, uint64_t seed,
                             int64_t nfibres);
/// Zeroes the masked fibres of the synthesizer's first weight (they stay
/// zero: their gradient is zero).
void applyFibreMask(const ccrnn_trainer_desc &desc,
                    const std::vector<float> &mask, Tensors &params);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_PARAMETERS_H
