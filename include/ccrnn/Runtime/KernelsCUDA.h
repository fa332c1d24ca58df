//===- KernelsCUDA.h - The kernels of generated trainers on a GPU -*- C++
//-*-===//
//
// The CUDA counterpart of Kernels.h, with the same functions and the same
// semantics (the reference evaluator's), on device memory: every float or
// int64 pointer is a device pointer, except where a comment says host. A
// generated CUDA trainer (ccrnn-translate --emit-trainer=cuda) is the C++ a
// CPU trainer is, calling these instead; it needs no CUDA compiler, only
// this library (built by nvcc), the CUDA runtime and cuBLAS. The work of a
// thread runs in order on a stream of its own (so that a step can be
// captured as a CUDA graph, see StepGraph).
//
// Errors (no device, out of memory, a failed launch) throw
// std::runtime_error naming the CUDA call.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_RUNTIME_KERNELSCUDA_H
#define CCRNN_RUNTIME_KERNELSCUDA_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ccrnn::rtcuda {

/// Whether a CUDA device can be used: true, or false with the reason (no
/// driver, no device, ...) in `why`.
bool deviceAvailable(std::string &why);

/// `floats` floats of device memory, zeroed.
class DeviceBuffer {
public:
  explicit DeviceBuffer(int64_t floats);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  float *get() const { return data; }

private:
  float *data = nullptr;
};

/// Host <-> device copies of n elements (blocking).
void upload(int64_t n, const float *host, float *device);
void uploadLabels(int64_t n, const int64_t *host, int64_t *device);
void download(int64_t n, const float *device, float *host);
void downloadLabels(int64_t n, const int64_t *device, int64_t *host);
/// Waits for the device's work of this thread.
void synchronize();

/// A training step run as a CUDA graph: the first run() records `step`'s
/// device work (kernels, products, copies on the calling thread's stream;
/// its host code runs then, once), every run() launches the recording. So
/// `step` must do the same work with the same pointers every time, and
/// read nothing back from the device. When capturing fails, or with
/// CCRNN_CUDA_GRAPHS=0 in the environment, run() calls `step` directly.
class StepGraph {
public:
  StepGraph();
  ~StepGraph();
  StepGraph(const StepGraph &) = delete;
  StepGraph &operator=(const StepGraph &) = delete;
  void run(const std::function<void()> &step);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// c = op(a) x op(b) [+ broadcast(bias)] [then relu], [accumulated into c];
/// `batch` independent products one after the other (rt::Matmul). cuBLAS
/// SGEMM (no TF32) and an epilogue kernel for the bias and relu.
class Matmul {
public:
  Matmul(int64_t m, int64_t n, int64_t k, bool transposeA, bool transposeB,
         bool hasBias = false, bool relu = false, bool accumulate = false,
         int64_t batch = 1);
  ~Matmul();
  Matmul(Matmul &&) noexcept;
  Matmul &operator=(Matmul &&) noexcept;
  void run(const float *a, const float *b, const float *bias, float *c) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

//===--- Element-wise, n elements ----------------------------------------===//
void fill(int64_t n, float value, float *out); // value: host
void copy(int64_t n, const float *in, float *out);
void add(int64_t n, const float *a, const float *b, float *out);
void sub(int64_t n, const float *a, const float *b, float *out);
void mul(int64_t n, const float *a, const float *b, float *out);
void scale(int64_t n, const float *in, float factor, float *out);
void sigmoid(int64_t n, const float *in, float *out);
void tanh(int64_t n, const float *in, float *out);
void relu(int64_t n, const float *in, float *out);
void step(int64_t n, const float *in, float *out);
void reluGrad(int64_t n, const float *cotangent, const float *in, float *out);

//===--- Layout
//-------------------------------------------------------------===//
void broadcastRows(int64_t rows, int64_t n, const float *in, float *out);
void reduceRows(int64_t rows, int64_t n, const float *in, float *out);
/// `pieces` and `widths` are host arrays (of device pointers).
void concat(int64_t outer, int count, const float *const *pieces,
            const int64_t *widths, float *out);
void split(int64_t outer, int count, const float *in, float *const *pieces,
           const int64_t *widths);
void timeSlice(int64_t batch, int64_t length, int64_t features, int64_t start,
               int64_t steps, const float *x, float *out);
void oneHot(int64_t batch, int64_t classes, const int64_t *labels, float *out);
/// As rt::gatherRows / rt::scatterAddRows; the scatter sums each column in
/// order of i (one thread per column), so its result is deterministic.
void gatherRows(int64_t rows, int64_t n, int64_t features, const float *table,
                const int64_t *indices, float *out);
void scatterAddRows(int64_t rows, int64_t n, int64_t features,
                    const float *updates, const int64_t *indices, float *out);
/// As rt::argmaxRows, one thread per row (the decoder's few rows a step).
void argmaxRows(int64_t rows, int64_t columns, const float *in, int64_t *out);
/// As rt::batchNorm*: one thread per feature, the batch summed in order.
void batchNormTrain(int64_t batch, int64_t features, const float *x,
                    const float *gamma, const float *beta, double epsilon,
                    float *y, float *mean, float *variance);
void batchNormGrad(int64_t batch, int64_t features, const float *x,
                   const float *gamma, const float *mean,
                   const float *variance, const float *dy, double epsilon,
                   float *dx, float *dGamma, float *dBeta);
void batchNormInference(int64_t batch, int64_t features, const float *x,
                        const float *gamma, const float *beta,
                        const float *mean, const float *variance,
                        double epsilon, float *y);

//===--- Losses
//-------------------------------------------------------------===//
/// Host arithmetic on indices, as rt::supervisedSteps.
float supervisedSteps(int64_t start, int64_t steps, int64_t interval);
void mseLoss(int64_t batch, int64_t steps, int64_t features, const float *p,
             const float *t, int64_t start, int64_t interval, float *out);
void mseLossGrad(int64_t batch, int64_t steps, int64_t features, const float *p,
                 const float *t, const float *cotangent, int64_t start,
                 int64_t interval, float *out);
void xentLoss(int64_t batch, int64_t classes, const float *logits,
              const int64_t *labels, float *out);
void xentLossGrad(int64_t batch, int64_t classes, const float *logits,
                  const int64_t *labels, const float *cotangent, float *out);
/// `f32_softmax` (rt::xentLossF32 on the CPU): the CUDA runtime has one
/// cross-entropy kernel, these are it.
inline void xentLossF32(int64_t batch, int64_t classes, const float *logits,
                        const int64_t *labels, float *out) {
  xentLoss(batch, classes, logits, labels, out);
}
inline void xentLossGradF32(int64_t batch, int64_t classes,
                            const float *logits, const int64_t *labels,
                            const float *cotangent, float *out) {
  xentLossGrad(batch, classes, logits, labels, cotangent, out);
}

//===--- Recurrent layers over a window
//-------------------------------------===//
/// rt::LSTMWindow on the device: the window's input projection and weight
/// gradients are one GEMM each, every step one GEMM for all gates and one
/// kernel for the cell.
class LSTMWindow {
public:
  LSTMWindow(int64_t batch, int64_t steps, int64_t input, int64_t hidden);
  ~LSTMWindow();
  LSTMWindow(LSTMWindow &&) noexcept;
  LSTMWindow &operator=(LSTMWindow &&) noexcept;
  void forward(const float *x, const float *h0, const float *c0,
               const float *wIH, const float *wHH, const float *bIH,
               const float *bHH, float *hseq, float *hLast, float *cLast);
  void backward(const float *x, const float *h0, const float *c0,
                const float *wIH, const float *wHH, const float *bIH,
                const float *bHH, const float *dHseq, const float *dHLast,
                const float *dCLast, bool reuseForward, float *dX, float *dH0,
                float *dC0, float *dWIH, float *dWHH, float *dBIH, float *dBHH);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// rt::TanhRNNWindow on the device.
class TanhRNNWindow {
public:
  TanhRNNWindow(int64_t batch, int64_t steps, int64_t input, int64_t hidden);
  ~TanhRNNWindow();
  TanhRNNWindow(TanhRNNWindow &&) noexcept;
  TanhRNNWindow &operator=(TanhRNNWindow &&) noexcept;
  void forward(const float *x, const float *h0, const float *wIH,
               const float *wHH, const float *bIH, const float *bHH,
               float *hseq, float *hLast);
  void backward(const float *x, const float *h0, const float *wIH,
                const float *wHH, const float *bIH, const float *bHH,
                const float *dHseq, const float *dHLast, bool reuseForward,
                float *dX, float *dH0, float *dWIH, float *dWHH, float *dBIH,
                float *dBHH);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace ccrnn::rtcuda

#endif // CCRNN_RUNTIME_KERNELSCUDA_H
