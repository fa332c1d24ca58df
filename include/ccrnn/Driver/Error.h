//===- Error.h - Errors of the training driver ------------------*- C++ -*-===//

#ifndef CCRNN_DRIVER_ERROR_H
#define CCRNN_DRIVER_ERROR_H

#include <stdexcept>

namespace ccrnn::driver {

/// Bad input (a flag value, a model, an --init file, the output directory):
/// ccrnn-train prints "ccrnn-train: error: <what>" and exits with status 2,
/// before anything is written.
class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  // Out of line: the vtable and type info then live in the library, which
  // is compiled with RTTI; the unit tests, compiled without, can catch it.
  ~InputError() override;
};

/// A NaN or infinite training loss (exit status 3). The message names the
/// seed, model, epoch and batch.
class DivergedError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  ~DivergedError() override;
};

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_ERROR_H
