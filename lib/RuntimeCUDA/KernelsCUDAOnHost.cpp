//===- KernelsCUDAOnHost.cpp - The CUDA runtime's API on the CPU ----------===//
//
// ccrnn/Runtime/KernelsCUDA.h implemented with host memory and the CPU
// kernels, for testing without a GPU: a generated CUDA trainer linked with
// this library runs everything its emitter wrote — the staging of the
// caller's arrays, the state and mask handling, the ensemble regrouping,
// the step run through StepGraph, the downloads — on the CPU, where it can
// be compared with the CPU trainer (test/unit/CUDATrainerTest.cpp and
// CUDACaptionTrainerTest.cpp, built twice). Only the CUDA kernels
// themselves are not exercised; the real library (KernelsCUDA.cu) has the
// same functions. Not linked into any tool.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/Kernels.h"
#include "ccrnn/Runtime/KernelsCUDA.h"

#include <algorithm>
#include <cstring>

namespace ccrnn::rtcuda {

bool deviceAvailable(std::string &why) {
  why.clear();
  return true;
}

DeviceBuffer::DeviceBuffer(int64_t floats)
    : data(new float[size_t(std::max<int64_t>(floats, 1))]()) {}
DeviceBuffer::~DeviceBuffer() { delete[] data; }

void upload(int64_t n, const float *host, float *device) {
  std::memcpy(device, host, size_t(n) * sizeof(float));
}
void uploadLabels(int64_t n, const int64_t *host, int64_t *device) {
  std::memcpy(device, host, size_t(n) * sizeof(int64_t));
}
void download(int64_t n, const float *device, float *host) {
  std::memcpy(host, device, size_t(n) * sizeof(float));
}
void downloadLabels(int64_t n, const int64_t *device, int64_t *host) {
  std::memcpy(host, device, size_t(n) * sizeof(int64_t));
}
void synchronize() {}

struct StepGraph::Impl {};
StepGraph::StepGraph() : impl(new Impl) {}
StepGraph::~StepGraph() = default;
void StepGraph::run(const std::function<void()> &step) { step(); }

struct Matmul::Impl {
  rt::Matmul product;
};
Matmul::Matmul(int64_t m, int64_t n, int64_t k, bool transposeA,
               bool transposeB, bool hasBias, bool relu, bool accumulate,
               int64_t batch)
    : impl(new Impl{rt::Matmul(m, n, k, transposeA, transposeB, hasBias, relu,
                               accumulate, batch)}) {}
Matmul::~Matmul() = default;
Matmul::Matmul(Matmul &&) noexcept = default;
Matmul &Matmul::operator=(Matmul &&) noexcept = default;
void Matmul::run(const float *a, const float *b, const float *bias,
                 float *c) const {
  impl->product.run(a, b, bias, c);
}

void fill(int64_t n, float value, float *out) { rt::fill(n, value, out); }
void copy(int64_t n, const float *in, float *out) {
  if (in != out)
    rt::copy(n, in, out);
}
void add(int64_t n, const float *a, const float *b, float *out) {
  rt::add(n, a, b, out);
}
void sub(int64_t n, const float *a, const float *b, float *out) {
  rt::sub(n, a, b, out);
}
void mul(int64_t n, const float *a, const float *b, float *out) {
  rt::mul(n, a, b, out);
}
void scale(int64_t n, const float *in, float factor, float *out) {
  rt::scale(n, in, factor, out);
}
void sigmoid(int64_t n, const float *in, float *out) {
  rt::sigmoid(n, in, out);
}
void tanh(int64_t n, const float *in, float *out) { rt::tanh(n, in, out); }
void relu(int64_t n, const float *in, float *out) { rt::relu(n, in, out); }
void step(int64_t n, const float *in, float *out) { rt::step(n, in, out); }
void reluGrad(int64_t n, const float *cotangent, const float *in, float *out) {
  rt::reluGrad(n, cotangent, in, out);
}

void broadcastRows(int64_t rows, int64_t n, const float *in, float *out) {
  rt::broadcastRows(rows, n, in, out);
}
void reduceRows(int64_t rows, int64_t n, const float *in, float *out) {
  rt::reduceRows(rows, n, in, out);
}
void concat(int64_t outer, int count, const float *const *pieces,
            const int64_t *widths, float *out) {
  rt::concat(outer, count, pieces, widths, out);
}
void split(int64_t outer, int count, const float *in, float *const *pieces,
           const int64_t *widths) {
  rt::split(outer, count, in, pieces, widths);
}
void timeSlice(int64_t batch, int64_t length, int64_t features, int64_t start,
               int64_t steps, const float *x, float *out) {
  rt::timeSlice(batch, length, features, start, steps, x, out);
}
void oneHot(int64_t batch, int64_t classes, const int64_t *labels, float *out) {
  rt::oneHot(batch, classes, labels, out);
}
void gatherRows(int64_t rows, int64_t n, int64_t features, const float *table,
                const int64_t *indices, float *out) {
  rt::gatherRows(rows, n, features, table, indices, out);
}
void scatterAddRows(int64_t rows, int64_t n, int64_t features,
                    const float *updates, const int64_t *indices, float *out) {
  rt::scatterAddRows(rows, n, features, updates, indices, out);
}
void argmaxRows(int64_t rows, int64_t columns, const float *in, int64_t *out) {
  rt::argmaxRows(rows, columns, in, out);
}
void batchNormTrain(int64_t batch, int64_t features, const float *x,
                    const float *gamma, const float *beta, double epsilon,
                    float *y, float *mean, float *variance) {
  rt::batchNormTrain(batch, features, x, gamma, beta, epsilon, y, mean,
                     variance);
}
void batchNormGrad(int64_t batch, int64_t features, const float *x,
                   const float *gamma, const float *mean,
                   const float *variance, const float *dy, double epsilon,
                   float *dx, float *dGamma, float *dBeta) {
  rt::batchNormGrad(batch, features, x, gamma, mean, variance, dy, epsilon, dx,
                    dGamma, dBeta);
}
void batchNormInference(int64_t batch, int64_t features, const float *x,
                        const float *gamma, const float *beta,
                        const float *mean, const float *variance,
                        double epsilon, float *y) {
  rt::batchNormInference(batch, features, x, gamma, beta, mean, variance,
                         epsilon, y);
}

float supervisedSteps(int64_t start, int64_t steps, int64_t interval) {
  return rt::supervisedSteps(start, steps, interval);
}
void mseLoss(int64_t batch, int64_t steps, int64_t features, const float *p,
             const float *t, int64_t start, int64_t interval, float *out) {
  rt::mseLoss(batch, steps, features, p, t, start, interval, out);
}
void mseLossGrad(int64_t batch, int64_t steps, int64_t features, const float *p,
                 const float *t, const float *cotangent, int64_t start,
                 int64_t interval, float *out) {
  rt::mseLossGrad(batch, steps, features, p, t, cotangent, start, interval,
                  out);
}
void xentLoss(int64_t batch, int64_t classes, const float *logits,
              const int64_t *labels, float *out) {
  rt::xentLoss(batch, classes, logits, labels, out);
}
void xentLossGrad(int64_t batch, int64_t classes, const float *logits,
                  const int64_t *labels, const float *cotangent, float *out) {
  rt::xentLossGrad(batch, classes, logits, labels, cotangent, out);
}

struct LSTMWindow::Impl {
  rt::LSTMWindow window;
};
LSTMWindow::LSTMWindow(int64_t batch, int64_t steps, int64_t input,
                       int64_t hidden)
    : impl(new Impl{rt::LSTMWindow(batch, steps, input, hidden)}) {}
LSTMWindow::~LSTMWindow() = default;
LSTMWindow::LSTMWindow(LSTMWindow &&) noexcept = default;
LSTMWindow &LSTMWindow::operator=(LSTMWindow &&) noexcept = default;
void LSTMWindow::forward(const float *x, const float *h0, const float *c0,
                         const float *wIH, const float *wHH, const float *bIH,
                         const float *bHH, float *hseq, float *hLast,
                         float *cLast) {
  impl->window.forward(x, h0, c0, wIH, wHH, bIH, bHH, hseq, hLast, cLast);
}
void LSTMWindow::backward(const float *x, const float *h0, const float *c0,
                          const float *wIH, const float *wHH, const float *bIH,
                          const float *bHH, const float *dHseq,
                          const float *dHLast, const float *dCLast,
                          bool reuseForward, float *dX, float *dH0, float *dC0,
                          float *dWIH, float *dWHH, float *dBIH, float *dBHH) {
  impl->window.backward(x, h0, c0, wIH, wHH, bIH, bHH, dHseq, dHLast, dCLast,
                        reuseForward, dX, dH0, dC0, dWIH, dWHH, dBIH, dBHH);
}

struct TanhRNNWindow::Impl {
  rt::TanhRNNWindow window;
};
TanhRNNWindow::TanhRNNWindow(int64_t batch, int64_t steps, int64_t input,
                             int64_t hidden)
    : impl(new Impl{rt::TanhRNNWindow(batch, steps, input, hidden)}) {}
TanhRNNWindow::~TanhRNNWindow() = default;
TanhRNNWindow::TanhRNNWindow(TanhRNNWindow &&) noexcept = default;
TanhRNNWindow &TanhRNNWindow::operator=(TanhRNNWindow &&) noexcept = default;
void TanhRNNWindow::forward(const float *x, const float *h0, const float *wIH,
                            const float *wHH, const float *bIH,
                            const float *bHH, float *hseq, float *hLast) {
  impl->window.forward(x, h0, wIH, wHH, bIH, bHH, hseq, hLast);
}
void TanhRNNWindow::backward(const float *x, const float *h0, const float *wIH,
                             const float *wHH, const float *bIH,
                             const float *bHH, const float *dHseq,
                             const float *dHLast, bool reuseForward, float *dX,
                             float *dH0, float *dWIH, float *dWHH, float *dBIH,
                             float *dBHH) {
  impl->window.backward(x, h0, wIH, wHH, bIH, bHH, dHseq, dHLast, reuseForward,
                        dX, dH0, dWIH, dWHH, dBIH, dBHH);
}

} // namespace ccrnn::rtcuda
