//===- gpu_check.cpp - CUDA trainers against CPU gradients, and timed -----===//
//
// Built and run on a GPU machine from the bundle tools/gpu/make-bundle.sh
// makes (no LLVM, MLIR or oneDNN there): the generated CUDA trainers of the
// check's configurations are linked in (trainers.inc lists them), and
// data/<id>/ holds, as raw little-endian arrays, the parameters and the
// batch each configuration is checked with and the gradients and loss the
// CPU trainer computed from them on the machine that made the bundle.
//
//   gpu_check DATA_DIR
//
// prints one row per configuration: the largest relative difference of a
// gradient (max |cuda - cpu| / max |cpu| over each parameter) and of the
// loss, and the CUDA trainer's milliseconds per batch (its train() call:
// uploads, the step, the gradients' download), and for an ensemble
// trainer of K networks (all given the configuration's parameters and
// batch), its ms per call against K calls of the single-network trainer.
// Exit status 1 when a difference exceeds 1e-4 (float32), 2 on a bad
// bundle, 3 without a CUDA device.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/KernelsCUDA.h"
#include "ccrnn/Runtime/TrainerABI.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

// X(id, ensembleOf): ensembleOf is the single-network configuration an
// ensemble trainer is checked and timed against ("" for a plain one).
#define DECLARE(id, of)                                                        \
  extern "C" const ccrnn_trainer_api *ccrnn_trainer_##id();
#include "trainers.inc"
#undef DECLARE

namespace {

struct Config {
  const char *id, *ensembleOf;
  const ccrnn_trainer_api *(*entry)();
};

#define DECLARE(id, of) Config{#id, of, ccrnn_trainer_##id},
const Config kConfigs[] = {
#include "trainers.inc"
};
#undef DECLARE

template <typename T>
std::vector<T> readRaw(const std::string &path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(path + ": cannot open");
  std::vector<T> v(count);
  in.read(reinterpret_cast<char *>(v.data()),
          std::streamsize(count * sizeof(T)));
  if (size_t(in.gcount()) != count * sizeof(T))
    throw std::runtime_error(path + ": expected " + std::to_string(count) +
                             " elements");
  return v;
}

int64_t elements(const ccrnn_param_info &p) {
  int64_t n = 1;
  for (int32_t d = 0; d < p.rank; ++d)
    n *= p.shape[d];
  return n;
}

/// A configuration's data: parameters, batch, the CPU's gradients and loss.
struct Data {
  std::vector<std::vector<float>> params, grads;
  std::vector<float> inputs, targets;
  std::vector<int64_t> labels;
  float loss = 0;

  Data(const std::string &dir, const ccrnn_trainer_desc &d) {
    for (int32_t i = 0; i < d.num_params; ++i) {
      const std::string n = std::to_string(i);
      params.push_back(
          readRaw<float>(dir + "/param_" + n + ".bin", elements(d.params[i])));
      grads.push_back(
          readRaw<float>(dir + "/grad_" + n + ".bin", elements(d.params[i])));
    }
    inputs =
        readRaw<float>(dir + "/inputs.bin", d.batch * d.steps * d.input_size);
    if (d.classify)
      labels = readRaw<int64_t>(dir + "/targets.bin", d.batch);
    else
      targets = readRaw<float>(dir + "/targets.bin",
                               d.batch * (d.predict_last ? 1 : d.steps) *
                                   d.output_size);
    loss = readRaw<float>(dir + "/loss.bin", 1)[0];
  }
};

/// K copies of `v`, one after the other.
template <typename T>
std::vector<T> repeat(const std::vector<T> &v, int64_t k) {
  std::vector<T> out;
  for (int64_t e = 0; e < k; ++e)
    out.insert(out.end(), v.begin(), v.end());
  return out;
}

struct Result {
  double gradError = 0, lossError = 0, msPerBatch = 0;
};

/// Checks and times `api` (K networks, each given `data`).
Result run(const ccrnn_trainer_api *api, const Data &data, int64_t repeats) {
  const ccrnn_trainer_desc &d = *api->desc;
  const int64_t K = std::max<int64_t>(d.ensemble, 1);
  std::vector<std::vector<float>> params, grads;
  for (const auto &p : data.params) {
    params.push_back(repeat(p, K));
    grads.emplace_back(params.back().size(), NAN);
  }
  std::vector<float> inputs = repeat(data.inputs, K),
                     targets = repeat(data.targets, K), losses(K, NAN);
  std::vector<int64_t> labels = repeat(data.labels, K);
  std::vector<const float *> p;
  std::vector<float *> g;
  for (size_t i = 0; i < params.size(); ++i) {
    p.push_back(params[i].data());
    g.push_back(grads[i].data());
  }
  ccrnn_batch batch{p.data(),
                    inputs.data(),
                    d.classify ? static_cast<const void *>(labels.data())
                               : targets.data(),
                    nullptr,
                    nullptr,
                    losses.data()};
  void *t = api->create();
  if (!t)
    throw std::runtime_error(std::string("cannot create trainer ") + d.model);
  api->train(t, &batch, g.data(), nullptr);

  Result r;
  for (int64_t e = 0; e < K; ++e) {
    r.lossError =
        std::max(r.lossError, std::abs(double(losses[e]) - data.loss) /
                                  std::max(std::abs(double(data.loss)), 1e-6));
    for (size_t i = 0; i < grads.size(); ++i) {
      const std::vector<float> &cpu = data.grads[i];
      double diff = 0, scale = 0;
      for (size_t j = 0; j < cpu.size(); ++j) {
        float x = grads[i][e * cpu.size() + j];
        diff = std::isfinite(x) ? std::max(diff, std::abs(double(x) - cpu[j]))
                                : INFINITY;
        scale = std::max(scale, std::abs(double(cpu[j])));
      }
      r.gradError = std::max(r.gradError, diff / std::max(scale, 1e-6));
    }
  }

  // Warm-up, then the median of 3 timings of `repeats` calls.
  for (int i = 0; i < 3; ++i)
    api->train(t, &batch, g.data(), nullptr);
  std::vector<double> ms;
  for (int k = 0; k < 3; ++k) {
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < repeats; ++i)
      api->train(t, &batch, g.data(), nullptr);
    ccrnn::rtcuda::synchronize();
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - t0)
                     .count() /
                 double(repeats));
  }
  std::sort(ms.begin(), ms.end());
  r.msPerBatch = ms[1];
  api->destroy(t);
  return r;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gpu_check DATA_DIR\n");
    return 2;
  }
  std::string why;
  if (!ccrnn::rtcuda::deviceAvailable(why)) {
    std::fprintf(stderr, "gpu_check: no CUDA device found: %s\n", why.c_str());
    return 3;
  }
  bool ok = true;
  std::printf("| configuration | max rel. diff of a gradient | of the loss | "
              "CUDA ms/batch | networks | vs one network's trainer |\n"
              "| --- | ---: | ---: | ---: | ---: | ---: |\n");
  try {
    std::vector<std::pair<std::string, double>> single;
    for (const Config &c : kConfigs) {
      const ccrnn_trainer_api *api = c.entry();
      const ccrnn_trainer_desc &d = *api->desc;
      const std::string dataId = *c.ensembleOf ? c.ensembleOf : c.id;
      Data data(std::string(argv[1]) + "/" + dataId, d);
      const int64_t repeats = d.batch * d.steps > 5000 ? 5 : 50;
      Result r = run(api, data, repeats);
      ok = ok && r.gradError <= 1e-4 && r.lossError <= 1e-4;
      std::string versus = "—";
      if (*c.ensembleOf)
        for (const auto &[id, ms] : single)
          if (id == c.ensembleOf) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.2f× faster than %lld calls",
                          ms * double(d.ensemble) / r.msPerBatch,
                          (long long)d.ensemble);
            versus = buf;
          }
      if (!*c.ensembleOf)
        single.emplace_back(c.id, r.msPerBatch);
      std::printf("| %s (%s) | %.2e | %.2e | %.3f | %lld | %s |\n", c.id,
                  d.options, r.gradError, r.lossError, r.msPerBatch,
                  (long long)std::max<int64_t>(d.ensemble, 1), versus.c_str());
      std::fflush(stdout);
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "gpu_check: %s\n", e.what());
    return 2;
  }
  if (!ok)
    std::fprintf(stderr, "gpu_check: a difference exceeds 1e-4\n");
  return ok ? 0 : 1;
}
