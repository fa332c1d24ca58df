//===- Kernels.cpp - Matmul, element-wise, layout and loss kernels --------===//
//
// The semantics are those of the ccrnn tensor ops as the reference evaluator
// (lib/Reference/Evaluator.cpp) implements them, in float32. The recurrent
// windows are in KernelsRecurrent.cpp.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/Kernels.h"
#include "Activations.h"
#include "VectorClones.h"

#include <cstdlib>
#include <unistd.h>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace ccrnn::rt {

void setNumThreads(int threads) { omp_set_num_threads(threads); }

void preferSleepingThreads(int threads, char **argv) {
  if (threads <= 1 || std::getenv("OMP_WAIT_POLICY") ||
      std::getenv("GOMP_SPINCOUNT"))
    return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  execv("/proc/self/exe", argv);
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

namespace {
/// The CPU engine and stream of the calling thread. oneDNN streams are not
/// meant to be shared between threads; primitives run on the stream of the
/// thread that created them.
struct Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

Context &context() {
  thread_local Context ctx;
  return ctx;
}

/// A [rows, cols] float matrix, stored transposed ([cols, rows] row-major)
/// when `transposed`: a transpose is only a change of strides.
dnnl::memory::desc matrix(int64_t rows, int64_t cols, bool transposed) {
  return dnnl::memory::desc({rows, cols}, dnnl::memory::data_type::f32,
                            transposed ? dnnl::memory::dims{1, rows}
                                       : dnnl::memory::dims{cols, 1});
}
} // namespace

/// Products below this many FLOPs run on the calling thread alone. Waking
/// a second thread for them costs more than it saves (measured on the
/// 2-core development machine: a linedraw ccRNN batch, whose largest
/// product is 16 MFLOP, took 25 ms with two sleeping-when-idle threads and
/// 10-11 ms with one), while products of the large model (100+ MFLOP)
/// gain 1.5x from a second thread.
constexpr double kParallelMatmulFlops = 64e6;

/// Sets the calling thread's OpenMP thread count for a scope: oneDNN sizes
/// a primitive's parallelism when it is created and runs it with as many
/// threads when executed.
class ThreadScope {
public:
  explicit ThreadScope(bool single)
      : previous(single ? omp_get_max_threads() : 0) {
    if (single)
      omp_set_num_threads(1);
  }
  ~ThreadScope() {
    if (previous)
      omp_set_num_threads(previous);
  }

private:
  int previous;
};

struct Matmul::Impl {
  int64_t m, n;
  bool hasBias, relu, accumulate;
  /// The products of a batch run one after the other on one primitive:
  /// oneDNN's batched matmul rounds some shapes differently from the
  /// single product (seen on small ones), and an ensemble's networks must
  /// get the bits they get alone. (It was not faster either: see
  /// docs/Benchmarks.md, Seed-parallel training.)
  int64_t batch;
  int64_t k = 0;
  /// Small enough to run single-threaded (kParallelMatmulFlops).
  bool single = false;
  dnnl::engine engine;
  dnnl::stream stream;
  dnnl::memory::desc a, b, bias, c;
  dnnl::matmul primitive; ///< Empty when k = 0 or c is empty.
  /// The execution arguments, made once: run() only points them at the
  /// caller's buffers, so executing allocates nothing.
  std::unordered_map<int, dnnl::memory> args;
  /// oneDNN's temporary space, owned here (user scratchpad mode).
  std::vector<uint8_t> scratchpad;

  /// c = [c +] relu?(bias or 0): the result of an empty contraction.
  void runEmpty(const float *biasData, float *cData) const {
    for (int64_t e = 0; e < batch; ++e)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          float v = hasBias ? biasData[e * n + j] : 0.f;
          v = relu && v < 0.f ? 0.f : v;
          float &out = cData[(e * m + i) * n + j];
          out = accumulate ? out + v : v;
        }
  }
};

Matmul::Matmul(int64_t m, int64_t n, int64_t k, bool transposeA,
               bool transposeB, bool hasBias, bool relu, bool accumulate,
               int64_t batch)
    : impl(new Impl{m, n, hasBias, relu, accumulate, batch}) {
  Context &ctx = context();
  impl->engine = ctx.engine;
  impl->stream = ctx.stream;
  // oneDNN 2.6 divides by zero on some empty shapes; runEmpty does those.
  if (m == 0 || n == 0 || k == 0 || batch == 0)
    return;
  impl->k = k;
  impl->single = 2.0 * double(m) * double(n) * double(k) < kParallelMatmulFlops;
  ThreadScope threads(impl->single);
  impl->a = matrix(m, k, transposeA);
  impl->b = matrix(k, n, transposeB);
  impl->c = matrix(m, n, false);
  // Post-ops apply in order: relu on the product, then the sum adds the old
  // contents of c, so c += relu(a b + bias).
  dnnl::post_ops ops;
  if (relu)
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  if (accumulate)
    ops.append_sum(1.f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc desc;
  if (hasBias) {
    impl->bias = matrix(1, n, false);
    desc = dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(impl->a, impl->b, impl->bias, impl->c), attr,
        impl->engine);
  } else {
    desc = dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(impl->a, impl->b, impl->c), attr, impl->engine);
  }
  impl->primitive = dnnl::matmul(desc);
  auto unbound = [&](const dnnl::memory::desc &d) {
    return dnnl::memory(d, impl->engine, DNNL_MEMORY_NONE);
  };
  impl->args = {{DNNL_ARG_SRC, unbound(impl->a)},
                {DNNL_ARG_WEIGHTS, unbound(impl->b)},
                {DNNL_ARG_DST, unbound(impl->c)}};
  if (hasBias)
    impl->args.emplace(DNNL_ARG_BIAS, unbound(impl->bias));
  impl->scratchpad.resize(desc.scratchpad_desc().get_size());
  impl->args.emplace(DNNL_ARG_SCRATCHPAD,
                     dnnl::memory(desc.scratchpad_desc(), impl->engine,
                                  impl->scratchpad.data()));
}

Matmul::~Matmul() = default;
Matmul::Matmul(Matmul &&) noexcept = default;
Matmul &Matmul::operator=(Matmul &&) noexcept = default;

void Matmul::run(const float *a, const float *b, const float *bias,
                 float *c) const {
  if (!impl->primitive)
    return impl->runEmpty(bias, c);
  // oneDNN takes non-const pointers but does not write inputs.
  auto bind = [&](int arg, const float *data) {
    impl->args.find(arg)->second.set_data_handle(const_cast<float *>(data));
  };
  ThreadScope threads(impl->single);
  const int64_t m = impl->m, n = impl->n, k = impl->k;
  for (int64_t e = 0; e < impl->batch; ++e) {
    bind(DNNL_ARG_SRC, a + e * m * k);
    bind(DNNL_ARG_WEIGHTS, b + e * k * n);
    bind(DNNL_ARG_DST, c + e * m * n);
    if (impl->hasBias)
      bind(DNNL_ARG_BIAS, bias + e * n);
    impl->primitive.execute(impl->stream, impl->args);
  }
  impl->stream.wait();
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

void fill(int64_t n, float value, float *out) { std::fill_n(out, n, value); }

void copy(int64_t n, const float *in, float *out) { std::copy_n(in, n, out); }
void copyLabels(int64_t n, const int64_t *in, int64_t *out) {
  std::copy_n(in, n, out);
}

CCRNN_VECTOR_CLONES
void add(int64_t n, const float *a, const float *b, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i] + b[i];
}

CCRNN_VECTOR_CLONES
void sub(int64_t n, const float *a, const float *b, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i] - b[i];
}

CCRNN_VECTOR_CLONES
void mul(int64_t n, const float *a, const float *b, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = a[i] * b[i];
}

CCRNN_VECTOR_CLONES
void scale(int64_t n, const float *in, float factor, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = factor * in[i];
}


CCRNN_VECTOR_CLONES
void sigmoid(int64_t n, const float *in, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = sigmoidApprox(in[i]);
}

CCRNN_VECTOR_CLONES
void tanh(int64_t n, const float *in, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = tanhApprox(in[i]);
}

CCRNN_VECTOR_CLONES
void relu(int64_t n, const float *in, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = in[i] > 0.f ? in[i] : 0.f;
}

CCRNN_VECTOR_CLONES
void step(int64_t n, const float *in, float *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = in[i] > 0.f ? 1.f : 0.f;
}

CCRNN_VECTOR_CLONES
void reluGrad(int64_t n, const float *cotangent, const float *in,
              float *out) {
  // A product, as ccrnn.mul of the step would give (c * 0 is -0 for a
  // negative c, and NaN for an infinite one).
  for (int64_t i = 0; i < n; ++i)
    out[i] = cotangent[i] * (in[i] > 0.f ? 1.f : 0.f);
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

void broadcastRows(int64_t rows, int64_t n, const float *in, float *out) {
  for (int64_t r = 0; r < rows; ++r)
    std::copy_n(in, n, out + r * n);
}

CCRNN_VECTOR_CLONES
void reduceRows(int64_t rows, int64_t n, const float *in, float *out) {
  std::fill_n(out, n, 0.f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < n; ++i)
      out[i] += in[r * n + i];
}

void concat(int64_t outer, int count, const float *const *pieces,
            const int64_t *widths, float *out) {
  for (int64_t o = 0; o < outer; ++o)
    for (int p = 0; p < count; ++p)
      out = std::copy_n(pieces[p] + o * widths[p], widths[p], out);
}

void split(int64_t outer, int count, const float *in, float *const *pieces,
           const int64_t *widths) {
  for (int64_t o = 0; o < outer; ++o)
    for (int p = 0; p < count; ++p) {
      std::copy_n(in, widths[p], pieces[p] + o * widths[p]);
      in += widths[p];
    }
}

void timeSlice(int64_t batch, int64_t length, int64_t features, int64_t start,
               int64_t steps, const float *x, float *out) {
  for (int64_t b = 0; b < batch; ++b)
    std::copy_n(x + (b * length + start) * features, steps * features,
                out + b * steps * features);
}

void oneHot(int64_t batch, int64_t classes, const int64_t *labels,
            float *out) {
  std::fill_n(out, batch * classes, 0.0f);
  for (int64_t b = 0; b < batch; ++b)
    if (labels[b] >= 0 && labels[b] < classes)
      out[b * classes + labels[b]] = 1.0f;
}

void gatherRows(int64_t rows, int64_t n, int64_t features, const float *table,
                const int64_t *indices, float *out) {
  for (int64_t i = 0; i < n; ++i) {
    float *row = out + i * features;
    if (indices[i] >= 0 && indices[i] < rows)
      std::copy_n(table + indices[i] * features, features, row);
    else
      std::fill_n(row, features, 0.0f);
  }
}

void argmaxRows(int64_t rows, int64_t columns, const float *in, int64_t *out) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = in + r * columns;
    int64_t best = 0;
    for (int64_t j = 1; j < columns && !std::isnan(row[best]); ++j)
      if (row[j] > row[best] || std::isnan(row[j]))
        best = j;
    out[r] = best;
  }
}

void scatterAddRows(int64_t rows, int64_t n, int64_t features,
                    const float *updates, const int64_t *indices, float *out) {
  std::fill_n(out, rows * features, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    if (indices[i] < 0 || indices[i] >= rows)
      continue;
    float *row = out + indices[i] * features;
    const float *update = updates + i * features;
    for (int64_t f = 0; f < features; ++f)
      row[f] += update[f];
  }
}

//===----------------------------------------------------------------------===//
// Batch normalization
//===----------------------------------------------------------------------===//

// Per feature, in double: the batch is small (one image step per caption)
// and the statistics feed the running averages of every later evaluation.
void batchNormTrain(int64_t batch, int64_t features, const float *x,
                    const float *gamma, const float *beta, double epsilon,
                    float *y, float *mean, float *variance) {
  for (int64_t f = 0; f < features; ++f) {
    double sum = 0;
    for (int64_t b = 0; b < batch; ++b)
      sum += x[b * features + f];
    double mu = sum / batch, squares = 0;
    for (int64_t b = 0; b < batch; ++b) {
      double d = x[b * features + f] - mu;
      squares += d * d;
    }
    double var = squares / batch, scale = gamma[f] / std::sqrt(var + epsilon);
    for (int64_t b = 0; b < batch; ++b)
      y[b * features + f] =
          static_cast<float>(scale * (x[b * features + f] - mu) + beta[f]);
    mean[f] = static_cast<float>(mu);
    variance[f] = static_cast<float>(var);
  }
}

void batchNormGrad(int64_t batch, int64_t features, const float *x,
                   const float *gamma, const float *mean,
                   const float *variance, const float *dy, double epsilon,
                   float *dx, float *dGamma, float *dBeta) {
  for (int64_t f = 0; f < features; ++f) {
    double rstd = 1.0 / std::sqrt(double(variance[f]) + epsilon);
    double sumDy = 0, sumDyXhat = 0;
    for (int64_t b = 0; b < batch; ++b) {
      double g = dy[b * features + f];
      sumDy += g;
      sumDyXhat += g * (x[b * features + f] - mean[f]) * rstd;
    }
    for (int64_t b = 0; b < batch; ++b) {
      double xhat = (x[b * features + f] - mean[f]) * rstd;
      dx[b * features + f] = static_cast<float>(
          gamma[f] * rstd / batch *
          (batch * double(dy[b * features + f]) - sumDy - xhat * sumDyXhat));
    }
    dGamma[f] = static_cast<float>(sumDyXhat);
    dBeta[f] = static_cast<float>(sumDy);
  }
}

void batchNormInference(int64_t batch, int64_t features, const float *x,
                        const float *gamma, const float *beta,
                        const float *mean, const float *variance,
                        double epsilon, float *y) {
  for (int64_t f = 0; f < features; ++f) {
    double scale = gamma[f] / std::sqrt(double(variance[f]) + epsilon);
    for (int64_t b = 0; b < batch; ++b)
      y[b * features + f] = static_cast<float>(
          scale * (x[b * features + f] - mean[f]) + beta[f]);
  }
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

namespace {
/// Whether global step t is supervised; `%` as in the reference evaluator.
bool isSupervised(int64_t t, int64_t interval) { return t % interval == 0; }

/// The denominator of the mse mean: the supervised elements of the window.
int64_t mseCount(int64_t batch, int64_t steps, int64_t features, int64_t start,
                 int64_t interval) {
  return batch * static_cast<int64_t>(supervisedSteps(start, steps, interval)) *
         features;
}

double logSumExp(const float *z, int64_t n) {
  double max = *std::max_element(z, z + n), sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += std::exp(z[i] - max);
  return max + std::log(sum);
}
} // namespace

float supervisedSteps(int64_t start, int64_t steps, int64_t interval) {
  int64_t count = 0;
  for (int64_t t = start; t < start + steps; ++t)
    count += isSupervised(t, interval);
  return static_cast<float>(count);
}

float mseLoss(int64_t batch, int64_t steps, int64_t features, const float *p,
              const float *t, int64_t start, int64_t interval) {
  int64_t count = mseCount(batch, steps, features, start, interval);
  if (count == 0)
    return 0.f;
  double sum = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < steps; ++s) {
      if (!isSupervised(start + s, interval))
        continue;
      int64_t offset = (b * steps + s) * features;
      for (int64_t f = 0; f < features; ++f) {
        double d = double(p[offset + f]) - t[offset + f];
        sum += d * d;
      }
    }
  return static_cast<float>(sum / count);
}

void mseLossGrad(int64_t batch, int64_t steps, int64_t features, const float *p,
                 const float *t, float cotangent, int64_t start,
                 int64_t interval, float *out) {
  int64_t count = mseCount(batch, steps, features, start, interval);
  float factor = count ? static_cast<float>(2.0 * cotangent / count) : 0.f;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < steps; ++s) {
      int64_t offset = (b * steps + s) * features;
      // Exactly 0 off the supervised steps, even where p - t is not finite.
      if (!isSupervised(start + s, interval)) {
        std::fill_n(out + offset, features, 0.f);
        continue;
      }
      for (int64_t i = offset; i < offset + features; ++i)
        out[i] = factor * (p[i] - t[i]);
    }
}

float xentLoss(int64_t batch, int64_t classes, const float *logits,
               const int64_t *labels) {
  double sum = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const float *z = logits + b * classes;
    sum += logSumExp(z, classes) - z[labels[b]];
  }
  return static_cast<float>(sum / batch);
}

void xentLossGrad(int64_t batch, int64_t classes, const float *logits,
                  const int64_t *labels, float cotangent, float *out) {
  double factor = double(cotangent) / batch;
  for (int64_t b = 0; b < batch; ++b) {
    const float *z = logits + b * classes;
    double lse = logSumExp(z, classes);
    for (int64_t c = 0; c < classes; ++c)
      out[b * classes + c] = static_cast<float>(
          factor * (std::exp(z[c] - lse) - (c == labels[b] ? 1.0 : 0.0)));
  }
}

namespace {
/// out = softmax (or log-softmax) of each row of the [rows, classes] matrix
/// `in`, by oneDNN (in == out allowed). The primitive comes from oneDNN's
/// primitive cache after the first call of a shape.
void softmaxRows(int64_t rows, int64_t classes, const float *in, float *out,
                 bool log) {
  if (rows == 0 || classes == 0)
    return;
  Context &ctx = context();
  const dnnl::memory::desc rowsDesc({rows, classes},
                                    dnnl::memory::data_type::f32,
                                    dnnl::memory::dims{classes, 1});
  dnnl::softmax_v2_forward::primitive_desc pd(
      dnnl::softmax_v2_forward::desc(
          dnnl::prop_kind::forward_inference,
          log ? dnnl::algorithm::softmax_log
              : dnnl::algorithm::softmax_accurate,
          rowsDesc, rowsDesc, /*axis=*/1),
      ctx.engine);
  dnnl::softmax_v2_forward(pd).execute(
      ctx.stream,
      {{DNNL_ARG_SRC,
        dnnl::memory(rowsDesc, ctx.engine, const_cast<float *>(in))},
       {DNNL_ARG_DST, dnnl::memory(rowsDesc, ctx.engine, out)}});
  ctx.stream.wait();
}
} // namespace

float xentLossF32(int64_t batch, int64_t classes, const float *logits,
                  const int64_t *labels) {
  // The whole log-softmax (a vectorised pass) for one entry per row: still
  // cheaper than one scalar exp per element.
  thread_local std::vector<float> logProbabilities;
  logProbabilities.resize(size_t(batch * classes));
  softmaxRows(batch, classes, logits, logProbabilities.data(), /*log=*/true);
  double sum = 0;
  for (int64_t b = 0; b < batch; ++b)
    sum -= logProbabilities[b * classes + labels[b]];
  return static_cast<float>(sum / batch);
}

void xentLossGradF32(int64_t batch, int64_t classes, const float *logits,
                     const int64_t *labels, float cotangent, float *out) {
  softmaxRows(batch, classes, logits, out, /*log=*/false);
  const float factor = static_cast<float>(double(cotangent) / batch);
  for (int64_t i = 0; i < batch * classes; ++i)
    out[i] *= factor;
  for (int64_t b = 0; b < batch; ++b)
    out[b * classes + labels[b]] -= factor;
}

} // namespace ccrnn::rt
