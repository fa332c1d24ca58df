//===- KernelsRecurrent.cpp - LSTM and tanh-RNN layers over a window ------===//
//
// The GEMMs run on oneDNN matmuls, the cell math in plain loops. Everything
// the window needs is allocated when it is created.
//
// The semantics are those of ccrnn.lstm_seq(_grad) and
// ccrnn.rnn_tanh_seq(_grad) in the reference evaluator.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/Kernels.h"
#include "Activations.h"
#include "VectorClones.h"

#include <algorithm>
#include <omp.h>
#include <vector>

namespace ccrnn::rt {

namespace {
/// One batch row of an LSTM step forward: activates the preactivations i,
/// f, g, o in place and computes c_t, tanh(c_t) and h_t. The same
/// operations per element as the separate sigmoid/tanh/mul kernels, in one
/// pass (hidden = 50 leaves each short kernel mostly loop overhead).
CCRNN_VECTOR_CLONES
void lstmCellForward(int64_t n, float *__restrict i, float *__restrict f,
                     float *__restrict g, float *__restrict o,
                     const float *__restrict cPrev, float *__restrict cNext,
                     float *__restrict tc, float *__restrict hNext) {
  for (int64_t j = 0; j < n; ++j) {
    float ij = sigmoidApprox(i[j]), fj = sigmoidApprox(f[j]),
          gj = tanhApprox(g[j]), oj = sigmoidApprox(o[j]);
    i[j] = ij;
    f[j] = fj;
    g[j] = gj;
    o[j] = oj;
    float c = fj * cPrev[j] + ij * gj;
    float t = tanhApprox(c);
    cNext[j] = c;
    tc[j] = t;
    hNext[j] = oj * t;
  }
}

/// One batch row of an LSTM step backward: from the activated gates i, f,
/// g, o, c_{t-1}, tanh(c_t) and the cotangent of h_t (in two parts) and of
/// c_t (dc, which becomes that of c_{t-1}), the cotangents of the gates'
/// preactivations. Restrict parameters, one per gate: GCC does not vectorize
/// stores at run-time offsets into one buffer it cannot tell apart.
CCRNN_VECTOR_CLONES
void lstmCellBackward(int64_t n, const float *__restrict i,
                      const float *__restrict f, const float *__restrict g,
                      const float *__restrict o, const float *__restrict cPrev,
                      const float *__restrict tc,
                      const float *__restrict dhLater,
                      const float *__restrict dhOut, float *__restrict dc,
                      float *__restrict di, float *__restrict df,
                      float *__restrict dg, float *__restrict dO) {
  for (int64_t j = 0; j < n; ++j) {
    float dh = dhLater[j] + dhOut[j];
    float dcs = dc[j] + dh * o[j] * (1 - tc[j] * tc[j]);
    di[j] = dcs * g[j] * i[j] * (1 - i[j]);
    df[j] = dcs * cPrev[j] * f[j] * (1 - f[j]);
    dg[j] = dcs * i[j] * (1 - g[j] * g[j]);
    dO[j] = dh * tc[j] * o[j] * (1 - o[j]);
    dc[j] = dcs * f[j];
  }
}

/// Whether a step's cells (batch rows of `hidden` units) are worth the
/// kernels' other threads: with more than one and a large state (the
/// large model's 256 x 512, not the paper's 50 x 50), the rows are split
/// among them. Each row is computed as alone, so the bits do not change.
bool parallelCells(int64_t batch, int64_t hidden) {
  return batch * hidden >= (int64_t(1) << 15) && omp_get_max_threads() > 1;
}

/// What both layers share: the GEMMs and the workspaces, kept time-major
/// ([steps][batch][...]). The caller's x is [batch, steps, input]; copying
/// it time-major makes each step's rows contiguous, so the input projection,
/// dW_ih, dW_hh and dx are each one GEMM over the whole window and the
/// per-step GEMMs read and write contiguous [batch, *] blocks. The copies
/// cost O(steps * batch * (input + hidden)), nothing next to the GEMMs.
struct Window {
  int64_t batch, steps, input, hidden;
  int64_t gates; ///< Weight rows: 4H for an LSTM, H for a tanh RNN.
  int64_t rows;  ///< steps * batch, the rows of the whole-window GEMMs.

  Matmul project;   ///< z = x W_ih^T + (b_ih + b_hh), [rows, gates].
  Matmul recur;     ///< z_t += h_{t-1} W_hh^T, [batch, gates].
  Matmul backRecur; ///< dh_{t-1} = dz_t W_hh, [batch, hidden].
  Matmul gradWIH;   ///< dW_ih = dz^T x.
  Matmul gradWHH;   ///< dW_hh = dz^T [h_0 .. h_{steps-1}].
  Matmul gradX;     ///< dx = dz W_ih, [rows, input].

  std::vector<float> bias; ///< b_ih + b_hh.
  std::vector<float> x;    ///< The input, time-major.
  std::vector<float> z;    ///< Preactivations (an LSTM activates in place).
  std::vector<float> h;    ///< [steps + 1][batch][hidden]; slot 0 is h0.
  std::vector<float> dz;   ///< Cotangents of z.
  std::vector<float> dh;   ///< The cotangent of h_t flowing back from t + 1.
  std::vector<float> dx;   ///< dx, time-major.

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

  float *hAt(int64_t t) { return &h[t * batch * hidden]; }

  /// Loads x and h0 and computes the input part of every preactivation.
  void start(const float *xIn, const float *h0, const float *wIH,
             const float *bIH, const float *bHH) {
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < steps; ++t)
        std::copy_n(xIn + (b * steps + t) * input, input,
                    &x[(t * batch + b) * input]);
    add(gates, bIH, bHH, bias.data());
    project.run(x.data(), wIH, bias.data(), z.data());
    std::copy_n(h0, batch * hidden, hAt(0));
  }

  /// Adds W_hh h_{t-1} to step t's preactivation.
  void recurrent(int64_t t, const float *wHH) {
    recur.run(hAt(t), wHH, nullptr, &z[t * batch * gates]);
  }

  /// The cotangent of h_t before adding d_hseq: d_h_last or what step t + 1
  /// sent back.
  const float *dhFromLater(int64_t t, const float *dHLast) const {
    return t == steps - 1 ? dHLast : dh.data();
  }

  /// d_hseq[b, t, :].
  const float *dhOut(const float *dHseq, int64_t t, int64_t b) const {
    return dHseq + (b * steps + t) * hidden;
  }

  /// Sends dz_t back to h_{t-1}; for t = 0 that is the result dH0.
  void backward(int64_t t, const float *wHH, float *dH0) {
    backRecur.run(&dz[t * batch * gates], wHH, nullptr,
                  t == 0 ? dH0 : dh.data());
  }

  /// The window's parameter and input gradients, from dz of every step.
  void finish(const float *wIH, const float *dHLast, float *dX, float *dH0,
              float *dWIH, float *dWHH, float *dBIH, float *dBHH) {
    if (steps == 0)
      std::copy_n(dHLast, batch * hidden, dH0);
    gradWIH.run(dz.data(), x.data(), nullptr, dWIH);
    gradWHH.run(dz.data(), h.data(), nullptr, dWHH);
    reduceRows(rows, gates, dz.data(), dBIH);
    std::copy_n(dBIH, gates, dBHH);
    gradX.run(dz.data(), wIH, nullptr, dx.data());
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < steps; ++t)
        std::copy_n(&dx[(t * batch + b) * input], input,
                    dX + (b * steps + t) * input);
  }

  /// hseq [batch, steps, hidden] and h_last out of the time-major states.
  void output(float *hseq, float *hLast) {
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < steps; ++t)
        std::copy_n(hAt(t + 1) + b * hidden, hidden,
                    hseq + (b * steps + t) * hidden);
    std::copy_n(hAt(steps), batch * hidden, hLast);
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// LSTMWindow
//===----------------------------------------------------------------------===//

struct LSTMWindow::Impl : Window {
  std::vector<float> c;  ///< [steps + 1][batch][hidden]; slot 0 is c0.
  std::vector<float> tc; ///< tanh(c_t), [steps][batch][hidden].

  Impl(int64_t batch, int64_t steps, int64_t input, int64_t hidden)
      : Window(batch, steps, input, hidden, 4), c((steps + 1) * batch * hidden),
        tc(steps * batch * hidden) {}

  /// Fills the workspaces; z then holds the activated gates i, f, g, o.
  void run(const float *xIn, const float *h0, const float *c0, const float *wIH,
           const float *wHH, const float *bIH, const float *bHH) {
    start(xIn, h0, wIH, bIH, bHH);
    int64_t state = batch * hidden;
    std::copy_n(c0, state, c.begin());
    const bool parallel = parallelCells(batch, hidden);
    for (int64_t t = 0; t < steps; ++t) {
      recurrent(t, wHH);
#pragma omp parallel for schedule(static) if (parallel)
      for (int64_t b = 0; b < batch; ++b) {
        float *gate = &z[(t * batch + b) * gates];
        float *i = gate, *f = gate + hidden, *g = gate + 2 * hidden,
              *o = gate + 3 * hidden;
        int64_t s = t * state + b * hidden;
        lstmCellForward(hidden, i, f, g, o, &c[s], &c[s + state], &tc[s],
                        &h[s + state]);
      }
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
  std::copy_n(&impl->c[impl->steps * impl->batch * impl->hidden],
              impl->batch * impl->hidden, cLast);
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
  int64_t hidden = w.hidden, state = w.batch * hidden;
  // dC0 is the running cotangent of c_t, updated in place.
  std::copy_n(dCLast, state, dC0);
  const bool parallel = parallelCells(w.batch, hidden);
  for (int64_t t = w.steps - 1; t >= 0; --t) {
    const float *dhLater = w.dhFromLater(t, dHLast);
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t b = 0; b < w.batch; ++b) {
      const float *gate = &w.z[(t * w.batch + b) * w.gates];
      float *dgate = &w.dz[(t * w.batch + b) * w.gates];
      int64_t s = t * state + b * hidden;
      lstmCellBackward(hidden, gate, gate + hidden, gate + 2 * hidden,
                       gate + 3 * hidden, &w.c[s], &w.tc[s],
                       dhLater + b * hidden, w.dhOut(dHseq, t, b),
                       dC0 + b * hidden, dgate, dgate + hidden,
                       dgate + 2 * hidden, dgate + 3 * hidden);
    }
    w.backward(t, wHH, dH0);
  }
  w.finish(wIH, dHLast, dX, dH0, dWIH, dWHH, dBIH, dBHH);
}

//===----------------------------------------------------------------------===//
// TanhRNNWindow
//===----------------------------------------------------------------------===//

struct TanhRNNWindow::Impl : Window {
  Impl(int64_t batch, int64_t steps, int64_t input, int64_t hidden)
      : Window(batch, steps, input, hidden, 1) {}

  void run(const float *xIn, const float *h0, const float *wIH,
           const float *wHH, const float *bIH, const float *bHH) {
    start(xIn, h0, wIH, bIH, bHH);
    int64_t state = batch * hidden;
    for (int64_t t = 0; t < steps; ++t) {
      recurrent(t, wHH);
      rt::tanh(state, &z[t * state], hAt(t + 1));
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
  int64_t hidden = w.hidden;
  for (int64_t t = w.steps - 1; t >= 0; --t) {
    const float *dhLater = w.dhFromLater(t, dHLast);
    const float *ht = w.hAt(t + 1);
    for (int64_t b = 0; b < w.batch; ++b) {
      int64_t s = b * hidden;
      const float *dhOut = w.dhOut(dHseq, t, b);
      float *dz = &w.dz[t * w.batch * hidden + s];
      for (int64_t j = 0; j < hidden; ++j)
        dz[j] = (dhLater[s + j] + dhOut[j]) * (1 - ht[s + j] * ht[s + j]);
    }
    w.backward(t, wHH, dH0);
  }
  w.finish(wIH, dHLast, dX, dH0, dWIH, dWHH, dBIH, dBHH);
}

} // namespace ccrnn::rt
