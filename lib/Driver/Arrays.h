//===- Arrays.h - Shapes and npz arrays (internal to the driver) -*- C++ -*-===//
//
// The small helpers the run's parts share to name shapes in messages and to
// store tables and parameters as npz arrays.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_LIB_DRIVER_ARRAYS_H
#define CCRNN_LIB_DRIVER_ARRAYS_H

#include "ccrnn/Runtime/Npz.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace ccrnn::driver {

inline std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

inline std::vector<int64_t> paramShape(const ccrnn_param_info &p) {
  return std::vector<int64_t>(p.shape, p.shape + p.rank);
}

inline int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

// Model names become parts of file names.
inline std::string fileSafe(const std::string &name) {
  std::string s = name;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' &&
        c != '.')
      c = '_';
  return s;
}

inline npz::Array f64Array(std::vector<int64_t> shape, std::vector<double> data) {
  npz::Array a;
  a.shape = std::move(shape);
  a.data = std::move(data);
  a.dtype = npz::DType::F64;
  return a;
}

template <typename T>
inline npz::Array typedArray(npz::DType dtype, std::vector<int64_t> shape,
                      const std::vector<T> &data) {
  npz::Array a;
  a.shape = std::move(shape);
  a.data.assign(data.begin(), data.end());
  a.dtype = dtype;
  return a;
}
inline npz::Array i64Array(std::vector<int64_t> shape,
                    const std::vector<int64_t> &data) {
  return typedArray(npz::DType::I64, std::move(shape), data);
}
inline npz::Array f32Array(std::vector<int64_t> shape,
                    const std::vector<float> &data) {
  return typedArray(npz::DType::F32, std::move(shape), data);
}

} // namespace ccrnn::driver

#endif // CCRNN_LIB_DRIVER_ARRAYS_H
