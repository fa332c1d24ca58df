//===- Parameters.cpp - A network's parameters ------------------*- C++ -*-===//

#include "ccrnn/Driver/Parameters.h"

#include "Arrays.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"

#include <algorithm>
#include <numeric>

namespace ccrnn::driver {

npz::Archive readInit(const std::string &path) {
  try {
    return npz::readNpz(path);
  } catch (const npz::Error &e) {
    throw InputError(std::string("--init: ") + e.what());
  }
}

void checkInit(const npz::Archive &init, const std::string &path,
               const ccrnn_trainer_desc &d, const std::string &model) {
  for (int32_t i = 0; i < d.num_params; ++i) {
    const ccrnn_param_info &p = d.params[i];
    auto it = init.find(p.name);
    if (it == init.end())
      throw InputError("--init " + path + ": no array '" + p.name +
                       "' (model " + model + " needs " +
                       shapeString(paramShape(p)) + ")");
    if (it->second.shape != paramShape(p))
      throw InputError("--init " + path + ": array '" + p.name +
                       "' has shape " + shapeString(it->second.shape) +
                       ", but model " + model + " needs " +
                       shapeString(paramShape(p)));
  }
}

Tensors initialParameters(const ccrnn_trainer_desc &d, uint64_t seed,
                          const npz::Archive *init) {
  Tensors params;
  for (int32_t i = 0; i < d.num_params; ++i) {
    const ccrnn_param_info &p = d.params[i];
    std::vector<float> t(numElements(paramShape(p)), 0.0f);
    if (init) {
      const npz::Array &a = init->at(p.name);
      std::transform(a.data.begin(), a.data.end(), t.begin(),
                     [](double v) { return float(v); });
    } else if (p.init == CCRNN_INIT_ONES) {
      std::fill(t.begin(), t.end(), 1.0f);
    } else if (p.init == CCRNN_INIT_NORMAL) {
      Rng rng(seed, std::string("init/") + p.name);
      for (float &x : t)
        x = float(p.bound * rng.normal());
    } else if (p.init == CCRNN_INIT_UNIFORM) {
      // The DNI wrapper nests the recurrent network one level deeper
      // (rnn.rnn.*); the stream is named without it, so that the cRNN and
      // the ccRNN of a seed start from the same weights.
      std::string name = p.name;
      if (name.rfind("rnn.rnn.", 0) == 0)
        name.erase(0, 4);
      Rng rng(seed, "init/" + name);
      for (float &x : t)
        x = float(rng.uniform(-p.bound, p.bound));
    }
    params.push_back(std::move(t));
  }
  return params;
}

npz::Archive parametersArchive(const ccrnn_trainer_desc &d,
                               const Tensors &params) {
  npz::Archive a;
  for (int32_t i = 0; i < d.num_params; ++i)
    a[d.params[i].name] = f32Array(paramShape(d.params[i]), params[i]);
  return a;
}

std::vector<int64_t> parameterSizes(const ccrnn_trainer_desc &d) {
  std::vector<int64_t> n;
  for (int32_t i = 0; i < d.num_params; ++i)
    n.push_back(numElements(paramShape(d.params[i])));
  return n;
}

std::vector<float> fibreMask(const ccrnn_trainer_desc &d, uint64_t seed,
                             int64_t nfibres) {
  if (!d.fibre_mask_rows)
    return {};
  const int64_t rows = d.fibre_mask_rows, cols = d.fibre_mask_cols;
  std::vector<float> mask(rows * cols, 0.0f);
  Rng rng(seed, "synthesizer.fibres");
  std::vector<int64_t> inputs(cols);
  for (int64_t r = 0; r < rows; ++r) {
    std::iota(inputs.begin(), inputs.end(), 0);
    // The first nfibres of a partial Fisher-Yates shuffle.
    for (int64_t i = 0; i < nfibres; ++i) {
      std::swap(inputs[i], inputs[i + rng.below(uint64_t(cols - i))]);
      mask[r * cols + inputs[i]] = 1.0f;
    }
  }
  return mask;
}

/// The synthesizer's first weight, the one sparse fibres mask.
static bool isFirstSynthesizerWeight(const std::string &name) {
  const std::string suffix = "synthesizer.input_trigger.weight";
  return name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void applyFibreMask(const ccrnn_trainer_desc &d, const std::vector<float> &mask,
                    Tensors &params) {
  for (int32_t i = 0; i < d.num_params && !mask.empty(); ++i)
    if (isFirstSynthesizerWeight(d.params[i].name))
      for (size_t j = 0; j < mask.size(); ++j)
        params[i][j] *= mask[j];
}

} // namespace ccrnn::driver
