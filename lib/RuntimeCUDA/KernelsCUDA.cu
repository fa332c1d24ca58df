//===- KernelsCUDA.cu - The kernels of generated trainers on a GPU --------===//
//
// Mirrors lib/Runtime/Kernels.cpp and KernelsRecurrent.cpp (see their
// comments for the semantics); what differs is where things run. Element-
// wise work is one grid-stride kernel per call, matrix products are cuBLAS
// SGEMMs on row-major data (computed as the transposed column-major
// product), reductions accumulate in double like the CPU kernels.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/KernelsCUDA.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ccrnn::rtcuda {

namespace {

void check(cudaError_t status, const char *what) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string(what) + ": " +
                             cudaGetErrorString(status));
}

void checkBlas(cublasStatus_t status, const char *what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": cuBLAS status " +
                             std::to_string(int(status)));
}

/// Checks the launch just made (a bad configuration, a missing kernel
/// image for this device).
void launched(const char *what) { check(cudaGetLastError(), what); }

constexpr int kThreads = 256;

int blocksFor(int64_t n) {
  return int(std::max<int64_t>(
      1, std::min<int64_t>((n + kThreads - 1) / kThreads, 4096)));
}

#define GRID_STRIDE(i, n)                                                      \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);    \
       i += int64_t(gridDim.x) * blockDim.x)

/// The stream all of the calling thread's work runs on, in order. Not the
/// legacy default stream, which cannot be captured into a graph.
cudaStream_t stream() {
  struct Stream {
    cudaStream_t s = nullptr;
    Stream() {
      check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking),
            "cudaStreamCreateWithFlags");
    }
    ~Stream() {
      if (s)
        cudaStreamDestroy(s);
    }
  };
  thread_local Stream st;
  return st.s;
}

/// The calling thread's cuBLAS handle, created on first use, on stream()
/// and with a workspace of its own (so that nothing is allocated while a
/// step is captured into a graph).
cublasHandle_t blas() {
  struct Handle {
    cublasHandle_t handle = nullptr;
    void *workspace = nullptr;
    Handle() {
      checkBlas(cublasCreate(&handle), "cublasCreate");
      // Plain FP32 arithmetic (no TF32): results stay within float32
      // rounding of the CPU trainer's.
      checkBlas(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH),
                "cublasSetMathMode");
      checkBlas(cublasSetStream(handle, stream()), "cublasSetStream");
      const size_t bytes = size_t(32) << 20;
      check(cudaMalloc(&workspace, bytes), "cudaMalloc (cuBLAS workspace)");
      checkBlas(cublasSetWorkspace(handle, workspace, bytes),
                "cublasSetWorkspace");
    }
    ~Handle() {
      if (handle)
        cublasDestroy(handle);
      cudaFree(workspace);
    }
  };
  thread_local Handle h;
  return h.handle;
}

__device__ float sigmoidOf(float x) { return 1.f / (1.f + expf(-x)); }

__global__ void fillKernel(int64_t n, float value, float *out) {
  GRID_STRIDE(i, n) out[i] = value;
}
__global__ void addKernel(int64_t n, const float *a, const float *b,
                          float *out) {
  GRID_STRIDE(i, n) out[i] = a[i] + b[i];
}
__global__ void subKernel(int64_t n, const float *a, const float *b,
                          float *out) {
  GRID_STRIDE(i, n) out[i] = a[i] - b[i];
}
__global__ void mulKernel(int64_t n, const float *a, const float *b,
                          float *out) {
  GRID_STRIDE(i, n) out[i] = a[i] * b[i];
}
__global__ void scaleKernel(int64_t n, const float *in, float factor,
                            float *out) {
  GRID_STRIDE(i, n) out[i] = factor * in[i];
}
__global__ void sigmoidKernel(int64_t n, const float *in, float *out) {
  GRID_STRIDE(i, n) out[i] = sigmoidOf(in[i]);
}
__global__ void tanhKernel(int64_t n, const float *in, float *out) {
  GRID_STRIDE(i, n) out[i] = tanhf(in[i]);
}
__global__ void reluKernel(int64_t n, const float *in, float *out) {
  GRID_STRIDE(i, n) out[i] = in[i] > 0.f ? in[i] : 0.f;
}
__global__ void stepKernel(int64_t n, const float *in, float *out) {
  GRID_STRIDE(i, n) out[i] = in[i] > 0.f ? 1.f : 0.f;
}
__global__ void reluGradKernel(int64_t n, const float *cotangent,
                               const float *in, float *out) {
  GRID_STRIDE(i, n) out[i] = cotangent[i] * (in[i] > 0.f ? 1.f : 0.f);
}
__global__ void broadcastRowsKernel(int64_t rows, int64_t n, const float *in,
                                    float *out) {
  GRID_STRIDE(i, rows * n) out[i] = in[i % n];
}
/// One thread per column; double accumulation as on the CPU.
__global__ void reduceRowsKernel(int64_t rows, int64_t n, const float *in,
                                 float *out) {
  GRID_STRIDE(j, n) {
    double sum = 0;
    for (int64_t r = 0; r < rows; ++r)
      sum += in[r * n + j];
    out[j] = float(sum);
  }
}
__global__ void timeSliceKernel(int64_t batch, int64_t length, int64_t features,
                                int64_t start, int64_t steps, const float *x,
                                float *out) {
  GRID_STRIDE(i, batch * steps * features) {
    int64_t f = i % features, t = (i / features) % steps,
            b = i / (features * steps);
    out[i] = x[(b * length + start + t) * features + f];
  }
}
__global__ void oneHotKernel(int64_t batch, int64_t classes,
                             const int64_t *labels, float *out) {
  GRID_STRIDE(i, batch * classes) {
    int64_t b = i / classes, k = i % classes;
    out[i] = labels[b] == k ? 1.f : 0.f;
  }
}
__global__ void gatherRowsKernel(int64_t rows, int64_t n, int64_t features,
                                 const float *table, const int64_t *indices,
                                 float *out) {
  GRID_STRIDE(i, n * features) {
    int64_t row = indices[i / features], f = i % features;
    out[i] = row >= 0 && row < rows ? table[row * features + f] : 0.f;
  }
}
/// One thread per column, summing in order of i: deterministic.
__global__ void scatterAddRowsKernel(int64_t rows, int64_t n, int64_t features,
                                     const float *updates,
                                     const int64_t *indices, float *out) {
  GRID_STRIDE(f, features) {
    for (int64_t r = 0; r < rows; ++r)
      out[r * features + f] = 0.f;
    for (int64_t i = 0; i < n; ++i)
      if (indices[i] >= 0 && indices[i] < rows)
        out[indices[i] * features + f] += updates[i * features + f];
  }
}
/// One thread per row; the first of equal maxima, a NaN the largest.
__global__ void argmaxRowsKernel(int64_t rows, int64_t columns,
                                 const float *in, int64_t *out) {
  GRID_STRIDE(r, rows) {
    const float *row = in + r * columns;
    int64_t best = 0;
    for (int64_t j = 1; j < columns && !isnan(row[best]); ++j)
      if (row[j] > row[best] || isnan(row[j]))
        best = j;
    out[r] = best;
  }
}
/// Batch normalization, one thread per feature (rt::batchNorm* in double).
__global__ void batchNormTrainKernel(int64_t batch, int64_t features,
                                     const float *x, const float *gamma,
                                     const float *beta, double epsilon,
                                     float *y, float *mean, float *variance) {
  GRID_STRIDE(f, features) {
    double sum = 0, squares = 0;
    for (int64_t b = 0; b < batch; ++b)
      sum += x[b * features + f];
    double mu = sum / batch;
    for (int64_t b = 0; b < batch; ++b) {
      double d = x[b * features + f] - mu;
      squares += d * d;
    }
    double var = squares / batch, scale = gamma[f] / sqrt(var + epsilon);
    for (int64_t b = 0; b < batch; ++b)
      y[b * features + f] = float(scale * (x[b * features + f] - mu) + beta[f]);
    mean[f] = float(mu);
    variance[f] = float(var);
  }
}
__global__ void batchNormGradKernel(int64_t batch, int64_t features,
                                    const float *x, const float *gamma,
                                    const float *mean, const float *variance,
                                    const float *dy, double epsilon, float *dx,
                                    float *dGamma, float *dBeta) {
  GRID_STRIDE(f, features) {
    double rstd = 1.0 / sqrt(double(variance[f]) + epsilon);
    double sumDy = 0, sumDyXhat = 0;
    for (int64_t b = 0; b < batch; ++b) {
      double g = dy[b * features + f];
      sumDy += g;
      sumDyXhat += g * (x[b * features + f] - mean[f]) * rstd;
    }
    for (int64_t b = 0; b < batch; ++b) {
      double xhat = (x[b * features + f] - mean[f]) * rstd;
      dx[b * features + f] =
          float(gamma[f] * rstd / batch *
                (batch * double(dy[b * features + f]) - sumDy -
                 xhat * sumDyXhat));
    }
    dGamma[f] = float(sumDyXhat);
    dBeta[f] = float(sumDy);
  }
}
__global__ void batchNormInferenceKernel(int64_t batch, int64_t features,
                                         const float *x, const float *gamma,
                                         const float *beta, const float *mean,
                                         const float *variance, double epsilon,
                                         float *y) {
  GRID_STRIDE(i, batch * features) {
    int64_t f = i % features;
    double scale = gamma[f] / sqrt(double(variance[f]) + epsilon);
    y[i] = float(scale * (x[i] - mean[f]) + beta[f]);
  }
}
/// c[e, i, j] = [c +] relu?(product[e, i, j] + bias[e, j]).
__global__ void epilogueKernel(int64_t batch, int64_t m, int64_t n,
                               const float *product, const float *bias,
                               bool relu, bool accumulate, float *c) {
  GRID_STRIDE(i, batch * m * n) {
    int64_t e = i / (m * n), j = i % n;
    float v = product[i] + (bias ? bias[e * n + j] : 0.f);
    v = relu && v < 0.f ? 0.f : v;
    c[i] = accumulate ? c[i] + v : v;
  }
}

bool isSupervised(int64_t t, int64_t interval) { return t % interval == 0; }

/// The sum of every thread's `value` in a one-block launch of kThreads
/// threads, returned to thread 0.
__device__ double blockSum(double value) {
  __shared__ double partial[kThreads];
  partial[threadIdx.x] = value;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride)
      partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  return partial[0];
}

/// Sum of squared differences over the supervised steps, in one block.
__global__ void mseLossKernel(int64_t batch, int64_t steps, int64_t features,
                              const float *p, const float *t, int64_t start,
                              int64_t interval, double inverseCount,
                              float *out) {
  double sum = 0;
  for (int64_t i = threadIdx.x; i < batch * steps * features; i += blockDim.x) {
    int64_t s = (i / features) % steps;
    if ((start + s) % interval != 0)
      continue;
    double d = double(p[i]) - double(t[i]);
    sum += d * d;
  }
  sum = blockSum(sum);
  if (threadIdx.x == 0)
    *out = float(sum * inverseCount);
}
__global__ void mseLossGradKernel(int64_t batch, int64_t steps,
                                  int64_t features, const float *p,
                                  const float *t, const float *cotangent,
                                  int64_t start, int64_t interval,
                                  double twoOverCount, float *out) {
  float factor = float(twoOverCount * double(*cotangent));
  GRID_STRIDE(i, batch * steps * features) {
    int64_t s = (i / features) % steps;
    out[i] = (start + s) % interval == 0 ? factor * (p[i] - t[i]) : 0.f;
  }
}
__device__ double logSumExp(const float *z, int64_t n) {
  double mx = z[0];
  for (int64_t k = 1; k < n; ++k)
    mx = z[k] > mx ? z[k] : mx;
  double sum = 0;
  for (int64_t k = 0; k < n; ++k)
    sum += exp(double(z[k]) - mx);
  return mx + log(sum);
}
__global__ void xentLossKernel(int64_t batch, int64_t classes,
                               const float *logits, const int64_t *labels,
                               float *out) {
  double sum = 0;
  for (int64_t b = threadIdx.x; b < batch; b += blockDim.x) {
    const float *z = logits + b * classes;
    sum += logSumExp(z, classes) - z[labels[b]];
  }
  sum = blockSum(sum);
  if (threadIdx.x == 0)
    *out = float(sum / double(batch));
}
__global__ void xentLossGradKernel(int64_t batch, int64_t classes,
                                   const float *logits, const int64_t *labels,
                                   const float *cotangent, float *out) {
  double factor = double(*cotangent) / double(batch);
  GRID_STRIDE(b, batch) {
    const float *z = logits + b * classes;
    double lse = logSumExp(z, classes);
    for (int64_t k = 0; k < classes; ++k)
      out[b * classes + k] = float(
          factor * (exp(double(z[k]) - lse) - (k == labels[b] ? 1.0 : 0.0)));
  }
}

/// x [batch, steps, features] <-> time-major [steps, batch, features].
__global__ void toTimeMajorKernel(int64_t batch, int64_t steps,
                                  int64_t features, const float *in,
                                  float *out) {
  GRID_STRIDE(i, batch * steps * features) {
    int64_t f = i % features, b = (i / features) % batch,
            t = i / (features * batch);
    out[i] = in[(b * steps + t) * features + f];
  }
}
__global__ void toBatchMajorKernel(int64_t batch, int64_t steps,
                                   int64_t features, const float *in,
                                   float *out) {
  GRID_STRIDE(i, batch * steps * features) {
    int64_t f = i % features, t = (i / features) % steps,
            b = i / (features * steps);
    out[i] = in[(t * batch + b) * features + f];
  }
}

/// One LSTM step's cell for the whole batch: activates z (rows of i, f, g,
/// o) in place and writes c_t, tanh(c_t), h_t.
__global__ void lstmCellForwardKernel(int64_t batch, int64_t hidden, float *z,
                                      const float *cPrev, float *cNext,
                                      float *tc, float *hNext) {
  GRID_STRIDE(idx, batch * hidden) {
    int64_t b = idx / hidden, j = idx % hidden;
    float *gate = z + b * 4 * hidden;
    float i = sigmoidOf(gate[j]), f = sigmoidOf(gate[hidden + j]),
          g = tanhf(gate[2 * hidden + j]), o = sigmoidOf(gate[3 * hidden + j]);
    gate[j] = i;
    gate[hidden + j] = f;
    gate[2 * hidden + j] = g;
    gate[3 * hidden + j] = o;
    float c = f * cPrev[idx] + i * g, t = tanhf(c);
    cNext[idx] = c;
    tc[idx] = t;
    hNext[idx] = o * t;
  }
}
/// One LSTM step backward (rt's lstmCellBackward for every batch row); dc
/// is the running cotangent of c, updated in place.
__global__ void lstmCellBackwardKernel(int64_t batch, int64_t hidden,
                                       const float *z, const float *cPrev,
                                       const float *tc, const float *dhLater,
                                       const float *dHseq, int64_t steps,
                                       int64_t t, float *dc, float *dz) {
  GRID_STRIDE(idx, batch * hidden) {
    int64_t b = idx / hidden, j = idx % hidden;
    const float *gate = z + b * 4 * hidden;
    float *dgate = dz + b * 4 * hidden;
    float i = gate[j], f = gate[hidden + j], g = gate[2 * hidden + j],
          o = gate[3 * hidden + j];
    float dh = dhLater[idx] + dHseq[(b * steps + t) * hidden + j];
    float dcs = dc[idx] + dh * o * (1 - tc[idx] * tc[idx]);
    dgate[j] = dcs * g * i * (1 - i);
    dgate[hidden + j] = dcs * cPrev[idx] * f * (1 - f);
    dgate[2 * hidden + j] = dcs * i * (1 - g * g);
    dgate[3 * hidden + j] = dh * tc[idx] * o * (1 - o);
    dc[idx] = dcs * f;
  }
}
__global__ void tanhCellBackwardKernel(int64_t batch, int64_t hidden,
                                       const float *h, const float *dhLater,
                                       const float *dHseq, int64_t steps,
                                       int64_t t, float *dz) {
  GRID_STRIDE(idx, batch * hidden) {
    int64_t b = idx / hidden, j = idx % hidden;
    float dh = dhLater[idx] + dHseq[(b * steps + t) * hidden + j];
    dz[idx] = dh * (1 - h[idx] * h[idx]);
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Device, memory
//===----------------------------------------------------------------------===//

bool deviceAvailable(std::string &why) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    why = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(status);
    cudaGetLastError(); // not sticky: clear it
    return false;
  }
  if (count == 0) {
    why = "cudaGetDeviceCount: 0 devices";
    return false;
  }
  return true;
}

DeviceBuffer::DeviceBuffer(int64_t floats) {
  const size_t bytes = size_t(std::max<int64_t>(floats, 1)) * sizeof(float);
  check(cudaMalloc(&data, bytes), "cudaMalloc");
  check(cudaMemsetAsync(data, 0, bytes, stream()), "cudaMemsetAsync");
}

DeviceBuffer::~DeviceBuffer() { cudaFree(data); }

void upload(int64_t n, const float *host, float *device) {
  check(cudaMemcpyAsync(device, host, size_t(n) * sizeof(float),
                        cudaMemcpyHostToDevice, stream()),
        "cudaMemcpyAsync (upload)");
}

void uploadLabels(int64_t n, const int64_t *host, int64_t *device) {
  check(cudaMemcpyAsync(device, host, size_t(n) * sizeof(int64_t),
                        cudaMemcpyHostToDevice, stream()),
        "cudaMemcpyAsync (upload labels)");
}

void download(int64_t n, const float *device, float *host) {
  check(cudaMemcpyAsync(host, device, size_t(n) * sizeof(float),
                        cudaMemcpyDeviceToHost, stream()),
        "cudaMemcpyAsync (download)");
  check(cudaStreamSynchronize(stream()), "cudaStreamSynchronize (download)");
}

void downloadLabels(int64_t n, const int64_t *device, int64_t *host) {
  check(cudaMemcpyAsync(host, device, size_t(n) * sizeof(int64_t),
                        cudaMemcpyDeviceToHost, stream()),
        "cudaMemcpyAsync (download labels)");
  check(cudaStreamSynchronize(stream()),
        "cudaStreamSynchronize (download labels)");
}

void synchronize() {
  check(cudaStreamSynchronize(stream()), "cudaStreamSynchronize");
}

//===----------------------------------------------------------------------===//
// Graphs
//===----------------------------------------------------------------------===//

struct StepGraph::Impl {
  cudaGraphExec_t exec = nullptr;
  /// Capturing failed, or CCRNN_CUDA_GRAPHS=0: run the step directly.
  bool direct = false;
};

StepGraph::StepGraph() : impl(new Impl) {
  const char *env = std::getenv("CCRNN_CUDA_GRAPHS");
  impl->direct = env && std::string(env) == "0";
}

StepGraph::~StepGraph() {
  if (impl->exec)
    cudaGraphExecDestroy(impl->exec);
}

void StepGraph::run(const std::function<void()> &step) {
  if (impl->direct)
    return step();
  if (!impl->exec) {
    // The first call records the step (nothing runs while capturing) ...
    blas(); // created, with its workspace, before capturing
    check(cudaStreamBeginCapture(stream(), cudaStreamCaptureModeThreadLocal),
          "cudaStreamBeginCapture");
    try {
      step();
    } catch (...) {
      // Something in the step cannot be captured (the launch checks fail
      // while capturing): end the capture and run it directly from now on;
      // a real error then shows there.
      cudaGraph_t partial = nullptr;
      cudaStreamEndCapture(stream(), &partial);
      if (partial)
        cudaGraphDestroy(partial);
      cudaGetLastError();
      impl->direct = true;
      return step();
    }
    cudaGraph_t graph = nullptr;
    cudaError_t status = cudaStreamEndCapture(stream(), &graph);
    if (status == cudaSuccess)
      status = cudaGraphInstantiate(&impl->exec, graph, 0);
    if (graph)
      cudaGraphDestroy(graph);
    if (status != cudaSuccess) {
      // Some work could not be captured: run it as it is, from now on.
      cudaGetLastError();
      impl->exec = nullptr;
      impl->direct = true;
      return step();
    }
  }
  // ... which every call then replays.
  check(cudaGraphLaunch(impl->exec, stream()), "cudaGraphLaunch");
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

struct Matmul::Impl {
  int64_t m, n, k;
  bool transposeA, transposeB, hasBias, relu, accumulate;
  int64_t batch;
  /// The product before the epilogue when it must be kept apart (bias or
  /// relu on a product accumulated into c).
  std::unique_ptr<DeviceBuffer> scratch;
};

Matmul::Matmul(int64_t m, int64_t n, int64_t k, bool transposeA,
               bool transposeB, bool hasBias, bool relu, bool accumulate,
               int64_t batch)
    : impl(new Impl{m, n, k, transposeA, transposeB, hasBias, relu, accumulate,
                    batch, nullptr}) {
  if (accumulate && (hasBias || relu))
    impl->scratch = std::make_unique<DeviceBuffer>(batch * m * n);
}

Matmul::~Matmul() = default;
Matmul::Matmul(Matmul &&) noexcept = default;
Matmul &Matmul::operator=(Matmul &&) noexcept = default;

void Matmul::run(const float *a, const float *b, const float *bias,
                 float *c) const {
  const Impl &p = *impl;
  const int64_t count = p.batch * p.m * p.n;
  if (count == 0)
    return;
  const bool epilogue = p.hasBias || p.relu;
  float *product = p.scratch ? p.scratch->get() : c;
  if (p.k == 0) {
    // An empty contraction: the product is zero.
    if (!(p.accumulate && !epilogue))
      fillKernel<<<blocksFor(count), kThreads, 0, stream()>>>(count, 0.f,
                                                              product);
    launched("fill (empty product)");
  } else {
    // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T.
    const float alpha = 1.f, beta = p.accumulate && !epilogue ? 1.f : 0.f;
    checkBlas(cublasSgemmStridedBatched(
                  blas(), p.transposeB ? CUBLAS_OP_T : CUBLAS_OP_N,
                  p.transposeA ? CUBLAS_OP_T : CUBLAS_OP_N, int(p.n), int(p.m),
                  int(p.k), &alpha, b, int(p.transposeB ? p.k : p.n), p.k * p.n,
                  a, int(p.transposeA ? p.m : p.k), p.m * p.k, &beta, product,
                  int(p.n), p.m * p.n, int(p.batch)),
              "cublasSgemmStridedBatched");
  }
  if (epilogue) {
    epilogueKernel<<<blocksFor(count), kThreads, 0, stream()>>>(
        p.batch, p.m, p.n, product, p.hasBias ? bias : nullptr, p.relu,
        p.accumulate, c);
    launched("matmul epilogue");
  }
}

//===----------------------------------------------------------------------===//
// Element-wise and layout
//===----------------------------------------------------------------------===//

void fill(int64_t n, float value, float *out) {
  fillKernel<<<blocksFor(n), kThreads, 0, stream()>>>(n, value, out);
  launched("fill");
}

void copy(int64_t n, const float *in, float *out) {
  if (n && in != out)
    check(cudaMemcpyAsync(out, in, size_t(n) * sizeof(float),
                          cudaMemcpyDeviceToDevice, stream()),
          "cudaMemcpyAsync (copy)");
}

#define BINARY(NAME, KERNEL)                                                   \
  void NAME(int64_t n, const float *a, const float *b, float *out) {           \
    KERNEL<<<blocksFor(n), kThreads, 0, stream()>>>(n, a, b, out);             \
    launched(#NAME);                                                           \
  }
BINARY(add, addKernel)
BINARY(sub, subKernel)
BINARY(mul, mulKernel)
BINARY(reluGrad, reluGradKernel)
#undef BINARY

void scale(int64_t n, const float *in, float factor, float *out) {
  scaleKernel<<<blocksFor(n), kThreads, 0, stream()>>>(n, in, factor, out);
  launched("scale");
}

#define UNARY(NAME, KERNEL)                                                    \
  void NAME(int64_t n, const float *in, float *out) {                          \
    KERNEL<<<blocksFor(n), kThreads, 0, stream()>>>(n, in, out);               \
    launched(#NAME);                                                           \
  }
UNARY(sigmoid, sigmoidKernel)
UNARY(tanh, tanhKernel)
UNARY(relu, reluKernel)
UNARY(step, stepKernel)
#undef UNARY

void broadcastRows(int64_t rows, int64_t n, const float *in, float *out) {
  broadcastRowsKernel<<<blocksFor(rows * n), kThreads, 0, stream()>>>(rows, n,
                                                                      in, out);
  launched("broadcastRows");
}

void reduceRows(int64_t rows, int64_t n, const float *in, float *out) {
  reduceRowsKernel<<<blocksFor(n), kThreads, 0, stream()>>>(rows, n, in, out);
  launched("reduceRows");
}

void concat(int64_t outer, int count, const float *const *pieces,
            const int64_t *widths, float *out) {
  int64_t total = 0, offset = 0;
  for (int p = 0; p < count; ++p)
    total += widths[p];
  for (int p = 0; p < count; ++p) {
    if (widths[p] && outer)
      check(cudaMemcpy2DAsync(out + offset, size_t(total) * sizeof(float),
                              pieces[p], size_t(widths[p]) * sizeof(float),
                              size_t(widths[p]) * sizeof(float), size_t(outer),
                              cudaMemcpyDeviceToDevice, stream()),
            "cudaMemcpy2DAsync (concat)");
    offset += widths[p];
  }
}

void split(int64_t outer, int count, const float *in, float *const *pieces,
           const int64_t *widths) {
  int64_t total = 0, offset = 0;
  for (int p = 0; p < count; ++p)
    total += widths[p];
  for (int p = 0; p < count; ++p) {
    if (widths[p] && outer)
      check(cudaMemcpy2DAsync(pieces[p], size_t(widths[p]) * sizeof(float),
                              in + offset, size_t(total) * sizeof(float),
                              size_t(widths[p]) * sizeof(float), size_t(outer),
                              cudaMemcpyDeviceToDevice, stream()),
            "cudaMemcpy2DAsync (split)");
    offset += widths[p];
  }
}

void timeSlice(int64_t batch, int64_t length, int64_t features, int64_t start,
               int64_t steps, const float *x, float *out) {
  const int64_t n = batch * steps * features;
  timeSliceKernel<<<blocksFor(n), kThreads, 0, stream()>>>(
      batch, length, features, start, steps, x, out);
  launched("timeSlice");
}

void oneHot(int64_t batch, int64_t classes, const int64_t *labels, float *out) {
  oneHotKernel<<<blocksFor(batch * classes), kThreads, 0, stream()>>>(
      batch, classes, labels, out);
  launched("oneHot");
}

void gatherRows(int64_t rows, int64_t n, int64_t features, const float *table,
                const int64_t *indices, float *out) {
  gatherRowsKernel<<<blocksFor(n * features), kThreads, 0, stream()>>>(
      rows, n, features, table, indices, out);
  launched("gatherRows");
}

void scatterAddRows(int64_t rows, int64_t n, int64_t features,
                    const float *updates, const int64_t *indices, float *out) {
  scatterAddRowsKernel<<<blocksFor(features), kThreads, 0, stream()>>>(
      rows, n, features, updates, indices, out);
  launched("scatterAddRows");
}

void argmaxRows(int64_t rows, int64_t columns, const float *in, int64_t *out) {
  argmaxRowsKernel<<<blocksFor(rows), kThreads, 0, stream()>>>(rows, columns,
                                                               in, out);
  launched("argmaxRows");
}

void batchNormTrain(int64_t batch, int64_t features, const float *x,
                    const float *gamma, const float *beta, double epsilon,
                    float *y, float *mean, float *variance) {
  batchNormTrainKernel<<<blocksFor(features), kThreads, 0, stream()>>>(
      batch, features, x, gamma, beta, epsilon, y, mean, variance);
  launched("batchNormTrain");
}

void batchNormGrad(int64_t batch, int64_t features, const float *x,
                   const float *gamma, const float *mean,
                   const float *variance, const float *dy, double epsilon,
                   float *dx, float *dGamma, float *dBeta) {
  batchNormGradKernel<<<blocksFor(features), kThreads, 0, stream()>>>(
      batch, features, x, gamma, mean, variance, dy, epsilon, dx, dGamma,
      dBeta);
  launched("batchNormGrad");
}

void batchNormInference(int64_t batch, int64_t features, const float *x,
                        const float *gamma, const float *beta,
                        const float *mean, const float *variance,
                        double epsilon, float *y) {
  batchNormInferenceKernel<<<blocksFor(batch * features), kThreads, 0,
                             stream()>>>(batch, features, x, gamma, beta, mean,
                                         variance, epsilon, y);
  launched("batchNormInference");
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

float supervisedSteps(int64_t start, int64_t steps, int64_t interval) {
  int64_t count = 0;
  for (int64_t t = start; t < start + steps; ++t)
    count += isSupervised(t, interval);
  return float(count);
}

void mseLoss(int64_t batch, int64_t steps, int64_t features, const float *p,
             const float *t, int64_t start, int64_t interval, float *out) {
  const int64_t count =
      batch * int64_t(supervisedSteps(start, steps, interval)) * features;
  mseLossKernel<<<1, kThreads, 0, stream()>>>(
      batch, steps, features, p, t, start, interval,
      count ? 1.0 / double(count) : 0.0, out);
  launched("mseLoss");
}

void mseLossGrad(int64_t batch, int64_t steps, int64_t features, const float *p,
                 const float *t, const float *cotangent, int64_t start,
                 int64_t interval, float *out) {
  const int64_t count =
      batch * int64_t(supervisedSteps(start, steps, interval)) * features;
  const int64_t n = batch * steps * features;
  mseLossGradKernel<<<blocksFor(n), kThreads, 0, stream()>>>(
      batch, steps, features, p, t, cotangent, start, interval,
      count ? 2.0 / double(count) : 0.0, out);
  launched("mseLossGrad");
}

void xentLoss(int64_t batch, int64_t classes, const float *logits,
              const int64_t *labels, float *out) {
  xentLossKernel<<<1, kThreads, 0, stream()>>>(batch, classes, logits, labels,
                                               out);
  launched("xentLoss");
}

void xentLossGrad(int64_t batch, int64_t classes, const float *logits,
                  const int64_t *labels, const float *cotangent, float *out) {
  xentLossGradKernel<<<blocksFor(batch), kThreads, 0, stream()>>>(
      batch, classes, logits, labels, cotangent, out);
  launched("xentLossGrad");
}

//===----------------------------------------------------------------------===//
// Recurrent windows
//===----------------------------------------------------------------------===//

namespace {
/// rt's Window on the device: time-major workspaces, whole-window GEMMs.
struct Window {
  int64_t batch, steps, input, hidden, gates, rows;
  Matmul project, recur, backRecur, gradWIH, gradWHH, gradX;
  DeviceBuffer bias, x, z, h, dz, dh, dx;

  Window(int64_t batch, int64_t steps, int64_t input, int64_t hidden,
         int64_t cells)
      : batch(batch), steps(steps), input(input), hidden(hidden),
        gates(cells * hidden), rows(steps * batch),
        project(rows, gates, input, false, true, /*hasBias=*/true),
        recur(batch, gates, hidden, false, true, false, false,
              /*accumulate=*/true),
        backRecur(batch, hidden, gates, false, false),
        gradWIH(gates, input, rows, true, false),
        gradWHH(gates, hidden, rows, true, false),
        gradX(rows, input, gates, false, false), bias(gates), x(rows * input),
        z(rows * gates), h((steps + 1) * batch * hidden), dz(rows * gates),
        dh(batch * hidden), dx(rows * input) {}

  float *hAt(int64_t t) const { return h.get() + t * batch * hidden; }

  void start(const float *xIn, const float *h0, const float *wIH,
             const float *bIH, const float *bHH) {
    const int64_t n = rows * input;
    toTimeMajorKernel<<<blocksFor(n), kThreads, 0, stream()>>>(
        batch, steps, input, xIn, x.get());
    launched("LSTM/RNN window: input to time-major");
    add(gates, bIH, bHH, bias.get());
    project.run(x.get(), wIH, bias.get(), z.get());
    copy(batch * hidden, h0, hAt(0));
  }
  void recurrent(int64_t t, const float *wHH) {
    recur.run(hAt(t), wHH, nullptr, z.get() + t * batch * gates);
  }
  const float *dhFromLater(int64_t t, const float *dHLast) const {
    return t == steps - 1 ? dHLast : dh.get();
  }
  void backward(int64_t t, const float *wHH, float *dH0) {
    backRecur.run(dz.get() + t * batch * gates, wHH, nullptr,
                  t == 0 ? dH0 : dh.get());
  }
  void finish(const float *wIH, const float *dHLast, float *dX, float *dH0,
              float *dWIH, float *dWHH, float *dBIH, float *dBHH) {
    if (steps == 0)
      copy(batch * hidden, dHLast, dH0);
    gradWIH.run(dz.get(), x.get(), nullptr, dWIH);
    gradWHH.run(dz.get(), h.get(), nullptr, dWHH);
    reduceRows(rows, gates, dz.get(), dBIH);
    copy(gates, dBIH, dBHH);
    gradX.run(dz.get(), wIH, nullptr, dx.get());
    toBatchMajorKernel<<<blocksFor(rows * input), kThreads, 0, stream()>>>(
        batch, steps, input, dx.get(), dX);
    launched("LSTM/RNN window: dx to batch-major");
  }
  void output(float *hseq, float *hLast) {
    toBatchMajorKernel<<<blocksFor(rows * hidden), kThreads, 0, stream()>>>(
        batch, steps, hidden, hAt(1), hseq);
    launched("LSTM/RNN window: hseq to batch-major");
    copy(batch * hidden, hAt(steps), hLast);
  }
};
} // namespace

struct LSTMWindow::Impl : Window {
  DeviceBuffer c, tc;
  Impl(int64_t batch, int64_t steps, int64_t input, int64_t hidden)
      : Window(batch, steps, input, hidden, 4), c((steps + 1) * batch * hidden),
        tc(steps * batch * hidden) {}

  void run(const float *xIn, const float *h0, const float *c0, const float *wIH,
           const float *wHH, const float *bIH, const float *bHH) {
    start(xIn, h0, wIH, bIH, bHH);
    const int64_t state = batch * hidden;
    copy(state, c0, c.get());
    for (int64_t t = 0; t < steps; ++t) {
      recurrent(t, wHH);
      lstmCellForwardKernel<<<blocksFor(state), kThreads, 0, stream()>>>(
          batch, hidden, z.get() + t * batch * gates, c.get() + t * state,
          c.get() + (t + 1) * state, tc.get() + t * state, hAt(t + 1));
      launched("LSTM cell forward");
    }
  }
};

LSTMWindow::LSTMWindow(int64_t batch, int64_t steps, int64_t input,
                       int64_t hidden)
    : impl(new Impl(batch, steps, input, hidden)) {}
LSTMWindow::~LSTMWindow() = default;
LSTMWindow::LSTMWindow(LSTMWindow &&) noexcept = default;
LSTMWindow &LSTMWindow::operator=(LSTMWindow &&) noexcept = default;

void LSTMWindow::forward(const float *x, const float *h0, const float *c0,
                         const float *wIH, const float *wHH, const float *bIH,
                         const float *bHH, float *hseq, float *hLast,
                         float *cLast) {
  impl->run(x, h0, c0, wIH, wHH, bIH, bHH);
  impl->output(hseq, hLast);
  copy(impl->batch * impl->hidden,
       impl->c.get() + impl->steps * impl->batch * impl->hidden, cLast);
}

void LSTMWindow::backward(const float *x, const float *h0, const float *c0,
                          const float *wIH, const float *wHH, const float *bIH,
                          const float *bHH, const float *dHseq,
                          const float *dHLast, const float *dCLast,
                          bool reuseForward, float *dX, float *dH0, float *dC0,
                          float *dWIH, float *dWHH, float *dBIH, float *dBHH) {
  Impl &w = *impl;
  if (!reuseForward)
    w.run(x, h0, c0, wIH, wHH, bIH, bHH);
  const int64_t state = w.batch * w.hidden;
  copy(state, dCLast, dC0);
  for (int64_t t = w.steps - 1; t >= 0; --t) {
    lstmCellBackwardKernel<<<blocksFor(state), kThreads, 0, stream()>>>(
        w.batch, w.hidden, w.z.get() + t * w.batch * w.gates,
        w.c.get() + t * state, w.tc.get() + t * state, w.dhFromLater(t, dHLast),
        dHseq, w.steps, t, dC0, w.dz.get() + t * w.batch * w.gates);
    launched("LSTM cell backward");
    w.backward(t, wHH, dH0);
  }
  w.finish(wIH, dHLast, dX, dH0, dWIH, dWHH, dBIH, dBHH);
}

struct TanhRNNWindow::Impl : Window {
  Impl(int64_t batch, int64_t steps, int64_t input, int64_t hidden)
      : Window(batch, steps, input, hidden, 1) {}

  void run(const float *xIn, const float *h0, const float *wIH,
           const float *wHH, const float *bIH, const float *bHH) {
    start(xIn, h0, wIH, bIH, bHH);
    const int64_t state = batch * hidden;
    for (int64_t t = 0; t < steps; ++t) {
      recurrent(t, wHH);
      rtcuda::tanh(state, z.get() + t * state, hAt(t + 1));
    }
  }
};

TanhRNNWindow::TanhRNNWindow(int64_t batch, int64_t steps, int64_t input,
                             int64_t hidden)
    : impl(new Impl(batch, steps, input, hidden)) {}
TanhRNNWindow::~TanhRNNWindow() = default;
TanhRNNWindow::TanhRNNWindow(TanhRNNWindow &&) noexcept = default;
TanhRNNWindow &TanhRNNWindow::operator=(TanhRNNWindow &&) noexcept = default;

void TanhRNNWindow::forward(const float *x, const float *h0, const float *wIH,
                            const float *wHH, const float *bIH,
                            const float *bHH, float *hseq, float *hLast) {
  impl->run(x, h0, wIH, wHH, bIH, bHH);
  impl->output(hseq, hLast);
}

void TanhRNNWindow::backward(const float *x, const float *h0, const float *wIH,
                             const float *wHH, const float *bIH,
                             const float *bHH, const float *dHseq,
                             const float *dHLast, bool reuseForward, float *dX,
                             float *dH0, float *dWIH, float *dWHH, float *dBIH,
                             float *dBHH) {
  Impl &w = *impl;
  if (!reuseForward)
    w.run(x, h0, wIH, wHH, bIH, bHH);
  const int64_t state = w.batch * w.hidden;
  for (int64_t t = w.steps - 1; t >= 0; --t) {
    tanhCellBackwardKernel<<<blocksFor(state), kThreads, 0, stream()>>>(
        w.batch, w.hidden, w.hAt(t + 1), w.dhFromLater(t, dHLast), dHseq,
        w.steps, t, w.dz.get() + t * state);
    launched("tanh cell backward");
    w.backward(t, wHH, dH0);
  }
  w.finish(wIH, dHLast, dX, dH0, dWIH, dWHH, dBIH, dBHH);
}

} // namespace ccrnn::rtcuda
