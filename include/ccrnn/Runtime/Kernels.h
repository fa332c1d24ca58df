//===- Kernels.h - CPU kernels of the generated trainers --------*- C++ -*-===//
//
// What generated trainers call: float32, row-major, caller-owned buffers.
// Objects (Matmul, LSTMWindow, TanhRNNWindow) are created once, when a
// trainer is created, and hold their oneDNN primitives and workspaces; their
// run methods never allocate. Free functions are plain loops. No MLIR here.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_RUNTIME_KERNELS_H
#define CCRNN_RUNTIME_KERNELS_H

#include <cstdint>
#include <memory>

namespace ccrnn::rt {

/// Sets the number of threads oneDNN may use (before creating trainers).
void setNumThreads(int threads);

/// Makes idle kernel threads sleep rather than spin. libgomp's threads spin
/// after every parallel region unless OMP_WAIT_POLICY says otherwise, which
/// on a shared machine takes the core from other processes and stalls ours
/// whenever a spinning thread is descheduled (10x slower batches were
/// measured under load). The policy is read when libgomp loads, so with
/// more than one thread and no OMP_WAIT_POLICY (or GOMP_SPINCOUNT) set,
/// this sets OMP_WAIT_POLICY=PASSIVE and re-executes the program with
/// `argv` once; it returns when nothing needs doing or exec fails.
void preferSleepingThreads(int threads, char **argv);

/// c = op(a) x op(b) [+ broadcast(bias)] [then relu], [accumulated into c].
/// op transposes when requested; a is [m, k] or [k, m], b is [k, n] or
/// [n, k], c and bias are [m, n] and [n]. Backed by a oneDNN matmul
/// primitive with the bias and relu fused as post-ops.
class Matmul {
public:
  /// With `batch` > 1, `batch` independent products of these shapes, each
  /// operand (and the bias) `batch` matrices one after the other: the
  /// products of an ensemble of networks (ccrnn-ensemble), each with the
  /// bits it gets alone.
  Matmul(int64_t m, int64_t n, int64_t k, bool transposeA, bool transposeB,
         bool hasBias = false, bool relu = false, bool accumulate = false,
         int64_t batch = 1);
  ~Matmul();
  Matmul(Matmul &&) noexcept;
  Matmul &operator=(Matmul &&) noexcept;
  /// `bias` is ignored unless the primitive was created with one.
  void run(const float *a, const float *b, const float *bias, float *c) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

//===--- Element-wise, n elements ----------------------------------------===//
void fill(int64_t n, float value, float *out);
void copy(int64_t n, const float *in, float *out);
void copyLabels(int64_t n, const int64_t *in, int64_t *out);
void add(int64_t n, const float *a, const float *b, float *out);
void sub(int64_t n, const float *a, const float *b, float *out);
void mul(int64_t n, const float *a, const float *b, float *out);
void scale(int64_t n, const float *in, float factor, float *out);
void sigmoid(int64_t n, const float *in, float *out);
void tanh(int64_t n, const float *in, float *out);
void relu(int64_t n, const float *in, float *out);
/// out = in > 0 ? 1 : 0.
void step(int64_t n, const float *in, float *out);
/// out = cotangent * (in > 0 ? 1 : 0): relu's backward in one pass.
void reluGrad(int64_t n, const float *cotangent, const float *in, float *out);

//===--- Layout -------------------------------------------------------------===//
/// out[i, :] = in[:] for i < rows; in has n elements.
void broadcastRows(int64_t rows, int64_t n, const float *in, float *out);
/// out[:] = sum_i in[i, :].
void reduceRows(int64_t rows, int64_t n, const float *in, float *out);
/// Joins `count` pieces along an axis: piece p is [outer, widths[p]] when the
/// shapes are flattened to (prod of dims before the axis, the rest).
void concat(int64_t outer, int count, const float *const *pieces,
            const int64_t *widths, float *out);
/// The inverse of concat.
void split(int64_t outer, int count, const float *in, float *const *pieces,
           const int64_t *widths);
/// out[b, t, f] = x[b, start + t, f], t < steps; x is [batch, length, features].
void timeSlice(int64_t batch, int64_t length, int64_t features, int64_t start,
               int64_t steps, const float *x, float *out);
/// out[b, k] = labels[b] == k for k < classes (labels outside: a zero row).
void oneHot(int64_t batch, int64_t classes, const int64_t *labels, float *out);
/// out[i, :] = table[indices[i], :] for i < n; table is [rows, features]
/// (an index outside [0, rows): a zero row).
void gatherRows(int64_t rows, int64_t n, int64_t features, const float *table,
                const int64_t *indices, float *out);
/// out[r] = the column of the largest of in[r, :] (in is [rows, columns]):
/// the first of equal maxima; a NaN counts as the largest.
void argmaxRows(int64_t rows, int64_t columns, const float *in, int64_t *out);
/// out[r, :] = sum of updates[i, :] over i < n with indices[i] == r, summed
/// in order of i; out is [rows, features] (an index outside: ignored).
void scatterAddRows(int64_t rows, int64_t n, int64_t features,
                    const float *updates, const int64_t *indices, float *out);

//===--- Batch normalization (x is [batch, features]) -----------------------===//
/// The batch's mean and biased variance per feature, and
/// y = gamma (x - mean) / sqrt(variance + epsilon) + beta.
void batchNormTrain(int64_t batch, int64_t features, const float *x,
                    const float *gamma, const float *beta, double epsilon,
                    float *y, float *mean, float *variance);
/// d_beta = sum_b dy, d_gamma = sum_b dy xhat, and d_x (ccrnn.batch_norm_grad).
void batchNormGrad(int64_t batch, int64_t features, const float *x,
                   const float *gamma, const float *mean,
                   const float *variance, const float *dy, double epsilon,
                   float *dx, float *dGamma, float *dBeta);
/// y = gamma (x - mean) / sqrt(variance + epsilon) + beta, statistics given.
void batchNormInference(int64_t batch, int64_t features, const float *x,
                        const float *gamma, const float *beta,
                        const float *mean, const float *variance,
                        double epsilon, float *y);

//===--- Losses (SPEC §3) ---------------------------------------------------===//
/// Number of t in [start, start + steps) with t % interval == 0.
float supervisedSteps(int64_t start, int64_t steps, int64_t interval);
/// Mean of (p - t)^2 over the supervised steps of a [batch, steps, features]
/// window starting at global step `start`; 0 when none is supervised.
float mseLoss(int64_t batch, int64_t steps, int64_t features, const float *p,
              const float *t, int64_t start, int64_t interval);
/// cotangent * 2 (p - t) / n at supervised elements, 0 elsewhere.
void mseLossGrad(int64_t batch, int64_t steps, int64_t features,
                 const float *p, const float *t, float cotangent,
                 int64_t start, int64_t interval, float *out);
/// Mean over the batch of the softmax cross-entropy; labels in [0, classes).
float xentLoss(int64_t batch, int64_t classes, const float *logits,
               const int64_t *labels);
/// cotangent * (softmax(logits) - onehot(labels)) / batch.
void xentLossGrad(int64_t batch, int64_t classes, const float *logits,
                  const int64_t *labels, float cotangent, float *out);
/// The same two with the softmax in float32 by oneDNN's vectorised
/// (log-)softmax (`f32_softmax`: vocabulary-sized outputs); the loss's sum
/// over the batch stays in double.
float xentLossF32(int64_t batch, int64_t classes, const float *logits,
                  const int64_t *labels);
void xentLossGradF32(int64_t batch, int64_t classes, const float *logits,
                     const int64_t *labels, float cotangent, float *out);

// The forms generated trainers call: the loss written to, and the cotangent
// read from, a tensor's storage (which the CUDA runtime keeps on the
// device, so the same emitted code serves both).
inline void mseLoss(int64_t batch, int64_t steps, int64_t features,
                    const float *p, const float *t, int64_t start,
                    int64_t interval, float *out) {
  *out = mseLoss(batch, steps, features, p, t, start, interval);
}
inline void mseLossGrad(int64_t batch, int64_t steps, int64_t features,
                        const float *p, const float *t, const float *cotangent,
                        int64_t start, int64_t interval, float *out) {
  mseLossGrad(batch, steps, features, p, t, *cotangent, start, interval, out);
}
inline void xentLoss(int64_t batch, int64_t classes, const float *logits,
                     const int64_t *labels, float *out) {
  *out = xentLoss(batch, classes, logits, labels);
}
inline void xentLossGrad(int64_t batch, int64_t classes, const float *logits,
                         const int64_t *labels, const float *cotangent,
                         float *out) {
  xentLossGrad(batch, classes, logits, labels, *cotangent, out);
}
inline void xentLossF32(int64_t batch, int64_t classes, const float *logits,
                        const int64_t *labels, float *out) {
  *out = xentLossF32(batch, classes, logits, labels);
}
inline void xentLossGradF32(int64_t batch, int64_t classes,
                            const float *logits, const int64_t *labels,
                            const float *cotangent, float *out) {
  xentLossGradF32(batch, classes, logits, labels, *cotangent, out);
}

//===--- Recurrent layers over a window -------------------------------------===//
/// One LSTM layer (PyTorch semantics, gates i, f, g, o) over a window of
/// `steps` steps: x [batch, steps, input], h0/c0 [batch, hidden], w_ih
/// [4H, input], w_hh [4H, hidden], b_ih/b_hh [4H]; hseq [batch, steps, hidden].
/// forward() keeps the activations; backward() uses those of the last
/// forward() when `reuseForward` (same operands), else recomputes them.
/// Gradient outputs are overwritten, not accumulated.
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
                const float *dCLast, bool reuseForward, float *dX,
                float *dH0, float *dC0, float *dWIH, float *dWHH, float *dBIH,
                float *dBHH);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// One tanh-RNN layer over a window, h_t = tanh(W_ih x_t + b_ih + W_hh
/// h_{t-1} + b_hh); same conventions as LSTMWindow with H-row weights.
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

} // namespace ccrnn::rt

#endif // CCRNN_RUNTIME_KERNELS_H
