//===- ModelParameters.h - parameter layout of a model ----------*- C++ -*-===//
//
// The one place that names a model's parameters, their shapes and their
// initialisation. Names and shapes are those of the reference PyTorch model's
// state_dict (SPEC §7), so checkpoints load into the reference code.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_MODELPARAMETERS_H
#define CCRNN_MODELPARAMETERS_H

#include "ccrnn/CCRNNOps.h"

#include <string>
#include <vector>

namespace ccrnn {

/// How a parameter is initialised (PyTorch defaults, SPEC §2).
struct ParameterInit {
  using Kind = InitKind; // ODS: CCRNNAttrs.td
  Kind kind = Kind::Zeros;
  /// For Uniform: values ~ U(-bound, bound); for Normal: N(0, bound^2).
  double bound = 0.0;

  static ParameterInit uniform(double bound) { return {Kind::Uniform, bound}; }
  static ParameterInit normal(double stddev) { return {Kind::Normal, stddev}; }
  static ParameterInit zeros() { return {Kind::Zeros, 0.0}; }
  static ParameterInit ones() { return {Kind::Ones, 0.0}; }
};

struct ParameterInfo {
  std::string name;
  std::vector<int64_t> shape;
  ParameterInit init;
  ParameterGroup group;

  int64_t getNumElements() const;
};

/// The parameters of a verified model, in state_dict order.
std::vector<ParameterInfo> getModelParameters(ModelOp model);

} // namespace ccrnn

#endif // CCRNN_MODELPARAMETERS_H
