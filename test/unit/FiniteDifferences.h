//===- FiniteDifferences.h - gradient checks of the unit tests --*- C++ -*-===//
//
// What the whole-program gradient tests share: central finite differences
// of a scalar function of a tensor, and the inner product.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TEST_UNIT_FINITEDIFFERENCES_H
#define CCRNN_TEST_UNIT_FINITEDIFFERENCES_H

#include "ccrnn/Reference/Evaluator.h"

#include <functional>

namespace ccrnn::testing {

/// Central finite differences of `f` with respect to every element of `x`
/// (each element moved by +-step and restored).
inline reference::Tensor finiteDifference(reference::Tensor &x,
                                          const std::function<double()> &f,
                                          double step) {
  reference::Tensor grad{x.shape, std::vector<double>(x.data.size())};
  for (size_t i = 0; i < x.data.size(); ++i) {
    double saved = x.data[i];
    x.data[i] = saved + step;
    double up = f();
    x.data[i] = saved - step;
    double down = f();
    x.data[i] = saved;
    grad.data[i] = (up - down) / (2 * step);
  }
  return grad;
}

/// sum_i a_i b_i.
inline double dot(const reference::Tensor &a, const reference::Tensor &b) {
  double sum = 0;
  for (size_t i = 0; i < a.data.size(); ++i)
    sum += a.data[i] * b.data[i];
  return sum;
}

} // namespace ccrnn::testing

#endif // CCRNN_TEST_UNIT_FINITEDIFFERENCES_H
