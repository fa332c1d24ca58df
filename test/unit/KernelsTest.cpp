//===- KernelsTest.cpp - the CPU kernels of the generated trainers -------===//
//
// Every kernel against a straightforward double-precision implementation
// written here (or values computed by hand). The double-precision LSTM and
// tanh-RNN references are themselves checked against finite differences.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/Kernels.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace ccrnn;

namespace {

using Floats = std::vector<float>;
using Doubles = std::vector<double>;

Floats randomFloats(size_t n, std::mt19937 &rng, float bound = 1.f) {
  std::uniform_real_distribution<float> dist(-bound, bound);
  Floats v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

Doubles toDoubles(const Floats &v) { return Doubles(v.begin(), v.end()); }

/// float32 results against a double reference: relative error at most `tol`
/// where |expected| > 1, absolute error below.
::testing::AssertionResult close(const Floats &actual, const Doubles &expected,
                                 double tol = 1e-4) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << "size " << actual.size() << ", expected " << expected.size();
  for (size_t i = 0; i < actual.size(); ++i)
    if (!(std::abs(actual[i] - expected[i]) <=
          tol * std::max(1.0, std::abs(expected[i]))))
      return ::testing::AssertionFailure()
             << "element " << i << " is " << actual[i] << ", expected "
             << expected[i];
  return ::testing::AssertionSuccess();
}

bool bitIdentical(const Floats &a, const Floats &b) {
  // memcmp must not see the null data() of an empty vector (UBSan).
  return a.size() == b.size() &&
         (a.empty() ||
          std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

TEST(KernelsMatmul, AllTransposesAndPostOps) {
  std::mt19937 rng(1);
  struct Shape {
    int64_t m, n, k;
  };
  // Non-square shapes, and one large enough for oneDNN's optimized kernels.
  // Empty contractions (k = 0) and results (m = 0) too.
  for (Shape s : {Shape{5, 3, 7}, Shape{1, 4, 1}, Shape{64, 48, 33},
                  Shape{20, 2, 0}, Shape{0, 3, 4}})
    for (int variant = 0; variant < 32; ++variant) {
      bool ta = variant & 1, tb = variant & 2, hasBias = variant & 4,
           relu = variant & 8, accumulate = variant & 16;
      SCOPED_TRACE(::testing::Message()
                   << s.m << "x" << s.n << "x" << s.k << " ta=" << ta
                   << " tb=" << tb << " bias=" << hasBias << " relu=" << relu
                   << " accumulate=" << accumulate);
      Floats a = randomFloats(s.m * s.k, rng), b = randomFloats(s.k * s.n, rng),
             bias = randomFloats(s.n, rng), c = randomFloats(s.m * s.n, rng);
      Doubles expected(s.m * s.n);
      for (int64_t i = 0; i < s.m; ++i)
        for (int64_t j = 0; j < s.n; ++j) {
          double sum = hasBias ? bias[j] : 0.0;
          for (int64_t p = 0; p < s.k; ++p)
            sum += double(ta ? a[p * s.m + i] : a[i * s.k + p]) *
                   (tb ? b[j * s.k + p] : b[p * s.n + j]);
          if (relu)
            sum = std::max(sum, 0.0);
          expected[i * s.n + j] = (accumulate ? c[i * s.n + j] : 0.0) + sum;
        }
      rt::Matmul mm(s.m, s.n, s.k, ta, tb, hasBias, relu, accumulate);
      mm.run(a.data(), b.data(), hasBias ? bias.data() : nullptr, c.data());
      EXPECT_TRUE(close(c, expected));
    }
}

TEST(KernelsMatmul, MovedObjectRuns) {
  rt::Matmul first(1, 1, 2, false, false);
  rt::Matmul mm = std::move(first);
  float a[] = {1, 2}, b[] = {3, 4}, c[] = {0};
  mm.run(a, b, nullptr, c);
  EXPECT_EQ(c[0], 11.f);
}

//===----------------------------------------------------------------------===//
// Element-wise and layout
//===----------------------------------------------------------------------===//

TEST(KernelsElementwise, MatchDouble) {
  std::mt19937 rng(2);
  const int64_t n = 37;
  Floats a = randomFloats(n, rng, 4.f), b = randomFloats(n, rng, 4.f), out(n);
  a[0] = 0.f; // step(0) = 0 and relu(0) = 0
  auto check = [&](auto fn) {
    Doubles expected(n);
    for (int64_t i = 0; i < n; ++i)
      expected[i] = fn(double(a[i]), double(b[i]));
    return close(out, expected, 1e-6);
  };
  rt::add(n, a.data(), b.data(), out.data());
  EXPECT_TRUE(check([](double x, double y) { return x + y; }));
  rt::sub(n, a.data(), b.data(), out.data());
  EXPECT_TRUE(check([](double x, double y) { return x - y; }));
  rt::mul(n, a.data(), b.data(), out.data());
  EXPECT_TRUE(check([](double x, double y) { return x * y; }));
  rt::scale(n, a.data(), -0.5f, out.data());
  EXPECT_TRUE(check([](double x, double) { return -0.5 * x; }));
  rt::sigmoid(n, a.data(), out.data());
  EXPECT_TRUE(check([](double x, double) { return 1 / (1 + std::exp(-x)); }));
  rt::tanh(n, a.data(), out.data());
  EXPECT_TRUE(check([](double x, double) { return std::tanh(x); }));
  rt::relu(n, a.data(), out.data());
  EXPECT_TRUE(check([](double x, double) { return x > 0 ? x : 0.0; }));
  rt::step(n, a.data(), out.data());
  EXPECT_TRUE(check([](double x, double) { return x > 0 ? 1.0 : 0.0; }));
  rt::copy(n, b.data(), out.data());
  EXPECT_TRUE(check([](double, double y) { return y; }));
  rt::fill(n, 2.5f, out.data());
  EXPECT_TRUE(check([](double, double) { return 2.5; }));
  // In place, as generated code may call them.
  Doubles sums(n);
  for (int64_t i = 0; i < n; ++i)
    sums[i] = double(a[i]) + b[i];
  rt::add(n, a.data(), b.data(), a.data());
  EXPECT_TRUE(close(a, sums, 1e-6));
}

/// sigmoid and tanh are polynomial approximations: check their relative
/// error on a fine grid, and that they saturate without inf or NaN.
TEST(KernelsElementwise, ReluGradIsTheProductWithTheStep) {
  // Negative cotangents (their product with 0 is -0), infinities (NaN),
  // and pre-activations on both sides of 0, in a length with a vector tail.
  std::vector<float> c, x;
  for (int i = 0; i < 53; ++i) {
    c.push_back(i % 7 == 0 ? INFINITY : float(i % 5) - 2.5f);
    x.push_back(float(i % 3) - 1.0f);
  }
  std::vector<float> fused(c.size()), step(c.size()), product(c.size());
  rt::reluGrad(int64_t(c.size()), c.data(), x.data(), fused.data());
  rt::step(int64_t(c.size()), x.data(), step.data());
  rt::mul(int64_t(c.size()), c.data(), step.data(), product.data());
  EXPECT_EQ(0, std::memcmp(fused.data(), product.data(),
                           fused.size() * sizeof(float)));
  EXPECT_TRUE(std::signbit(fused[1]));  // -1.5 * 0 = -0
  EXPECT_TRUE(std::isnan(fused[7]));    // inf * 0
}

TEST(KernelsElementwise, SigmoidAndTanhAccuracy) {
  Floats in;
  for (float x = -30.f; x <= 30.f; x += 0.001f)
    in.push_back(x);
  for (float x : {0.f, 1e-30f, -1e-7f, 0.6249f, 0.625f, 0.6251f, 87.f, 89.f,
                  -89.f, 1e30f, -1e30f})
    in.push_back(x);
  Floats out(in.size());
  rt::sigmoid(in.size(), in.data(), out.data());
  for (size_t i = 0; i < in.size(); ++i) {
    double expected = 1 / (1 + std::exp(-double(in[i])));
    EXPECT_LE(std::abs(out[i] - expected), 4e-7 * expected + 1e-37)
        << "sigmoid(" << in[i] << ") = " << out[i];
  }
  rt::tanh(in.size(), in.data(), out.data());
  for (size_t i = 0; i < in.size(); ++i) {
    double expected = std::tanh(double(in[i]));
    EXPECT_LE(std::abs(out[i] - expected), 4e-7 * std::abs(expected))
        << "tanh(" << in[i] << ") = " << out[i];
  }
}

TEST(KernelsLayout, BroadcastAndReduceRows) {
  float in[] = {1, 2, 3}, rows[6], sum[3];
  rt::broadcastRows(2, 3, in, rows);
  EXPECT_TRUE(close(Floats(rows, rows + 6), {1, 2, 3, 1, 2, 3}));
  float m[] = {1, 2, 3, 10, 20, 30, 100, 200, 300};
  rt::reduceRows(3, 3, m, sum);
  EXPECT_TRUE(close(Floats(sum, sum + 3), {111, 222, 333}));
}

TEST(KernelsLayout, ConcatAndSplit) {
  // Three pieces of shape [2, w] joined along axis 1 into [2, 6].
  float p0[] = {1, 2}, p1[] = {3, 4, 5, 6, 7, 8}, p2[] = {9, 10};
  const float *pieces[] = {p0, p1, p2};
  int64_t widths[] = {1, 3, 1};
  float out[10];
  rt::concat(2, 3, pieces, widths, out);
  EXPECT_TRUE(
      close(Floats(out, out + 10), {1, 3, 4, 5, 9, /**/ 2, 6, 7, 8, 10}));
  float q0[2], q1[6], q2[2];
  float *back[] = {q0, q1, q2};
  rt::split(2, 3, out, back, widths);
  EXPECT_TRUE(close(Floats(q0, q0 + 2), {1, 2}));
  EXPECT_TRUE(close(Floats(q1, q1 + 6), {3, 4, 5, 6, 7, 8}));
  EXPECT_TRUE(close(Floats(q2, q2 + 2), {9, 10}));
}

TEST(KernelsLayout, TimeSlice) {
  // x [2, 4, 2]: x[b, t, f] = 100 b + 10 t + f; steps 1..2.
  Floats x(16), out(8);
  for (int b = 0; b < 2; ++b)
    for (int t = 0; t < 4; ++t)
      for (int f = 0; f < 2; ++f)
        x[(b * 4 + t) * 2 + f] = 100 * b + 10 * t + f;
  rt::timeSlice(2, 4, 2, 1, 2, x.data(), out.data());
  EXPECT_TRUE(close(out, {10, 11, 20, 21, 110, 111, 120, 121}));
}

TEST(KernelsLayout, GatherRows) {
  // table [3, 2]: row r = (10 r, 10 r + 1); index 5 is outside: a zero row.
  Floats table{0, 1, 10, 11, 20, 21}, out(8, -1.f);
  int64_t indices[] = {2, 0, 5, 2};
  rt::gatherRows(3, 4, 2, table.data(), indices, out.data());
  EXPECT_TRUE(close(out, {20, 21, 0, 1, 0, 0, 20, 21}));
}

TEST(KernelsLayout, ScatterAddRowsIsGatherRowsTransposed) {
  // <gather(T), U> = <T, scatter(U)> for every T, U: the adjoint pair the
  // embedding's gradient relies on; rows 1 and 4 are never picked.
  std::mt19937 rng(7);
  const int64_t rows = 5, n = 6, features = 3;
  int64_t indices[] = {3, 0, 3, 2, 0, 3};
  Floats table = randomFloats(rows * features, rng),
         updates = randomFloats(n * features, rng);
  Floats gathered(n * features), scattered(rows * features, 99.f);
  rt::gatherRows(rows, n, features, table.data(), indices, gathered.data());
  rt::scatterAddRows(rows, n, features, updates.data(), indices,
                     scattered.data());
  double lhs = 0, rhs = 0;
  for (int64_t i = 0; i < n * features; ++i)
    lhs += double(gathered[i]) * updates[i];
  for (int64_t i = 0; i < rows * features; ++i)
    rhs += double(table[i]) * scattered[i];
  EXPECT_NEAR(lhs, rhs, 1e-5);
  for (int64_t r : {1, 4})
    for (int64_t f = 0; f < features; ++f)
      EXPECT_EQ(scattered[r * features + f], 0.f) << "row " << r;
  // Row 3 sums updates 0, 2, 5 in that order.
  EXPECT_EQ(scattered[3 * features],
            (updates[0] + updates[2 * features]) + updates[5 * features]);
}

//===----------------------------------------------------------------------===//
// Batch normalization
//===----------------------------------------------------------------------===//

TEST(KernelsBatchNorm, TrainMatchesDouble) {
  std::mt19937 rng(11);
  const int64_t B = 5, F = 3;
  const double eps = 1e-5;
  Floats x = randomFloats(B * F, rng, 3.f), gamma = randomFloats(F, rng),
         beta = randomFloats(F, rng);
  Floats y(B * F), mean(F), var(F);
  rt::batchNormTrain(B, F, x.data(), gamma.data(), beta.data(), eps, y.data(),
                     mean.data(), var.data());
  Doubles ey(B * F), em(F), ev(F);
  for (int64_t f = 0; f < F; ++f) {
    for (int64_t b = 0; b < B; ++b)
      em[f] += double(x[b * F + f]) / B;
    for (int64_t b = 0; b < B; ++b)
      ev[f] += (x[b * F + f] - em[f]) * (x[b * F + f] - em[f]) / B;
    for (int64_t b = 0; b < B; ++b)
      ey[b * F + f] =
          gamma[f] * (x[b * F + f] - em[f]) / std::sqrt(ev[f] + eps) + beta[f];
  }
  EXPECT_TRUE(close(y, ey, 1e-5));
  EXPECT_TRUE(close(mean, em, 1e-6));
  EXPECT_TRUE(close(var, ev, 1e-6));
  // On the batch's own statistics, evaluation mode gives the same result.
  Floats inferred(B * F);
  rt::batchNormInference(B, F, x.data(), gamma.data(), beta.data(),
                         mean.data(), var.data(), eps, inferred.data());
  EXPECT_TRUE(close(inferred, toDoubles(y), 1e-5));
}

TEST(KernelsBatchNorm, GradMatchesFiniteDifferencesInDouble) {
  // L = sum(y * r): the kernel's gradients against central differences of
  // a double-precision forward pass.
  std::mt19937 rng(12);
  const int64_t B = 4, F = 2;
  const double eps = 1e-3;
  Floats x = randomFloats(B * F, rng, 2.f), gamma = randomFloats(F, rng),
         r = randomFloats(B * F, rng);
  Floats beta(F, 0.f), y(B * F), mean(F), var(F);
  rt::batchNormTrain(B, F, x.data(), gamma.data(), beta.data(), eps, y.data(),
                     mean.data(), var.data());
  Floats dx(B * F), dGamma(F), dBeta(F);
  rt::batchNormGrad(B, F, x.data(), gamma.data(), mean.data(), var.data(),
                    r.data(), eps, dx.data(), dGamma.data(), dBeta.data());
  auto loss = [&](const Doubles &xd, const Doubles &gd) {
    double l = 0;
    for (int64_t f = 0; f < F; ++f) {
      double m = 0, v = 0;
      for (int64_t b = 0; b < B; ++b)
        m += xd[b * F + f] / B;
      for (int64_t b = 0; b < B; ++b)
        v += (xd[b * F + f] - m) * (xd[b * F + f] - m) / B;
      for (int64_t b = 0; b < B; ++b)
        l += r[b * F + f] * gd[f] * (xd[b * F + f] - m) / std::sqrt(v + eps);
    }
    return l;
  };
  const double h = 1e-6;
  Doubles xd = toDoubles(x), gd = toDoubles(gamma), ex(B * F), eg(F), eb(F);
  for (int64_t i = 0; i < B * F; ++i) {
    Doubles plus = xd, minus = xd;
    plus[i] += h;
    minus[i] -= h;
    ex[i] = (loss(plus, gd) - loss(minus, gd)) / (2 * h);
    eb[i % F] += r[i];
  }
  for (int64_t f = 0; f < F; ++f) {
    Doubles plus = gd, minus = gd;
    plus[f] += h;
    minus[f] -= h;
    eg[f] = (loss(xd, plus) - loss(xd, minus)) / (2 * h);
  }
  EXPECT_TRUE(close(dx, ex, 1e-3));
  EXPECT_TRUE(close(dGamma, eg, 1e-3));
  EXPECT_TRUE(close(dBeta, eb, 1e-5));
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

TEST(KernelsLoss, SupervisedSteps) {
  EXPECT_EQ(rt::supervisedSteps(0, 5, 1), 5.f);
  EXPECT_EQ(rt::supervisedSteps(1, 4, 2), 2.f); // t = 2, 4
  EXPECT_EQ(rt::supervisedSteps(1, 1, 2), 0.f);
  EXPECT_EQ(rt::supervisedSteps(3, 5, 3), 2.f); // t = 3, 6
  EXPECT_EQ(rt::supervisedSteps(0, 0, 1), 0.f);
}

/// mse loss and gradient over a [2, steps, 3] window against double.
void checkMSE(int64_t steps, int64_t start, int64_t interval) {
  SCOPED_TRACE(::testing::Message() << "steps=" << steps << " start=" << start
                                    << " interval=" << interval);
  const int64_t batch = 2, features = 3, n = batch * steps * features;
  std::mt19937 rng(3);
  Floats p = randomFloats(n, rng), t = randomFloats(n, rng), grad(n, 7.f);
  int64_t count = 0;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    if ((start + i / features % steps) % interval == 0) {
      ++count;
      sum += (double(p[i]) - t[i]) * (double(p[i]) - t[i]);
    }
  Doubles expectedGrad(n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    if ((start + i / features % steps) % interval == 0)
      expectedGrad[i] = 0.5 * 2 * (double(p[i]) - t[i]) / count;
  float loss =
      rt::mseLoss(batch, steps, features, p.data(), t.data(), start, interval);
  EXPECT_NEAR(loss, count ? sum / count : 0.0, 1e-6);
  rt::mseLossGrad(batch, steps, features, p.data(), t.data(), 0.5f, start,
                  interval, grad.data());
  EXPECT_TRUE(close(grad, expectedGrad, 1e-6));
}

TEST(KernelsLoss, MSE) {
  checkMSE(4, 0, 1);
  checkMSE(5, 1, 2); // steps 2 and 4 supervised
  checkMSE(1, 1, 2); // nothing supervised: loss 0, gradient 0
}

TEST(KernelsLoss, MSEByHand) {
  // One sample, two steps of one feature from step 1, interval 2: only the
  // second (global step 2) counts.
  float p[] = {5, 3}, t[] = {0, 1}, grad[2];
  EXPECT_EQ(rt::mseLoss(1, 2, 1, p, t, 1, 2), 4.f);
  rt::mseLossGrad(1, 2, 1, p, t, 1.f, 1, 2, grad);
  EXPECT_EQ(grad[0], 0.f);
  EXPECT_EQ(grad[1], 4.f);
}

TEST(KernelsLoss, CrossEntropy) {
  const int64_t batch = 4, classes = 5;
  std::mt19937 rng(4);
  Floats logits = randomFloats(batch * classes, rng, 3.f), grad(logits.size());
  int64_t labels[] = {0, 4, 2, 2};
  double sum = 0;
  Doubles expectedGrad(logits.size());
  for (int64_t b = 0; b < batch; ++b) {
    double norm = 0;
    for (int64_t c = 0; c < classes; ++c)
      norm += std::exp(double(logits[b * classes + c]));
    sum += std::log(norm) - logits[b * classes + labels[b]];
    for (int64_t c = 0; c < classes; ++c)
      expectedGrad[b * classes + c] =
          -2.0 *
          (std::exp(double(logits[b * classes + c])) / norm -
           (c == labels[b])) /
          batch;
  }
  EXPECT_NEAR(rt::xentLoss(batch, classes, logits.data(), labels), sum / batch,
              1e-6);
  rt::xentLossGrad(batch, classes, logits.data(), labels, -2.f, grad.data());
  EXPECT_TRUE(close(grad, expectedGrad, 1e-6));
  // The float32 softmax (f32_softmax) computes the same to float precision.
  EXPECT_NEAR(rt::xentLossF32(batch, classes, logits.data(), labels),
              sum / batch, 1e-5);
  std::fill(grad.begin(), grad.end(), 7.f);
  rt::xentLossGradF32(batch, classes, logits.data(), labels, -2.f,
                      grad.data());
  EXPECT_TRUE(close(grad, expectedGrad, 1e-6));
}

TEST(KernelsLoss, CrossEntropyF32OverAVocabulary) {
  // Vocabulary-sized rows, the kernels' use: against the double loop, with
  // one row's scores far from zero and the gradient written in place.
  const int64_t batch = 7, classes = 9956;
  std::mt19937 rng(5);
  Floats logits = randomFloats(batch * classes, rng, 8.f);
  for (int64_t c = 0; c < classes; ++c)
    logits[3 * classes + c] += 500.f;
  std::vector<int64_t> labels = {0, 9955, 17, 4000, 1, 2, 9000};
  const float loss = rt::xentLoss(batch, classes, logits.data(), labels.data());
  EXPECT_NEAR(rt::xentLossF32(batch, classes, logits.data(), labels.data()),
              loss, 1e-5 * std::abs(loss));
  Floats expected(logits.size()), inPlace = logits;
  rt::xentLossGrad(batch, classes, logits.data(), labels.data(), 0.5f,
                   expected.data());
  rt::xentLossGradF32(batch, classes, inPlace.data(), labels.data(), 0.5f,
                      inPlace.data());
  Doubles wanted(expected.begin(), expected.end());
  EXPECT_TRUE(close(inPlace, wanted, 1e-7));
}

TEST(KernelsLoss, CrossEntropyF32IsStable) {
  float logits[] = {1000, 0, -1000, /**/ 1000, 1000, 0};
  int64_t labels[] = {1, 0};
  EXPECT_NEAR(rt::xentLossF32(2, 3, logits, labels),
              (1000 + std::log(2.0)) / 2, 1e-3);
  float grad[6];
  rt::xentLossGradF32(2, 3, logits, labels, 1.f, grad);
  EXPECT_TRUE(
      close(Floats(grad, grad + 6), {0.5, -0.5, 0, /**/ -0.25, 0.25, 0}, 1e-6));
}

TEST(KernelsLoss, CrossEntropyIsStable) {
  // exp(1000) overflows float and double; log-sum-exp does not.
  float logits[] = {1000, 0, -1000, /**/ 1000, 1000, 0};
  int64_t labels[] = {1, 0};
  // Row 0: 1000 - 0; row 1: log 2.
  EXPECT_NEAR(rt::xentLoss(2, 3, logits, labels), (1000 + std::log(2.0)) / 2,
              1e-3);
  float grad[6];
  rt::xentLossGrad(2, 3, logits, labels, 1.f, grad);
  EXPECT_TRUE(
      close(Floats(grad, grad + 6), {0.5, -0.5, 0, /**/ -0.25, 0.25, 0}, 1e-6));
}

//===----------------------------------------------------------------------===//
// Recurrent windows
//===----------------------------------------------------------------------===//

/// A layer's operands in double precision; `cells` is 4 (LSTM) or 1 (tanh).
struct Layer {
  int64_t batch, steps, input, hidden, cells;
  Doubles x, h0, c0, wih, whh, bih, bhh;
  int64_t rows() const { return cells * hidden; }
};

/// Outputs, or cotangents of the outputs.
struct Outputs {
  Doubles hseq, hLast, cLast;
};

double sigmoidOf(double x) { return 1 / (1 + std::exp(-x)); }

/// The forward pass, step by step: the activated gates [steps][batch][rows]
/// and the states [steps + 1][batch][hidden].
struct Trace {
  Doubles gates, h, c;
};

Trace referenceForward(const Layer &l) {
  int64_t B = l.batch, T = l.steps, I = l.input, H = l.hidden, R = l.rows();
  Trace tr{Doubles(T * B * R), Doubles((T + 1) * B * H),
           Doubles((T + 1) * B * H)};
  std::copy(l.h0.begin(), l.h0.end(), tr.h.begin());
  if (l.cells == 4)
    std::copy(l.c0.begin(), l.c0.end(), tr.c.begin());
  for (int64_t t = 0; t < T; ++t)
    for (int64_t b = 0; b < B; ++b) {
      double *z = &tr.gates[(t * B + b) * R];
      for (int64_t r = 0; r < R; ++r) {
        z[r] = l.bih[r] + l.bhh[r];
        for (int64_t k = 0; k < I; ++k)
          z[r] += l.wih[r * I + k] * l.x[(b * T + t) * I + k];
        for (int64_t k = 0; k < H; ++k)
          z[r] += l.whh[r * H + k] * tr.h[(t * B + b) * H + k];
      }
      for (int64_t j = 0; j < H; ++j) {
        int64_t prev = (t * B + b) * H + j, next = prev + B * H;
        if (l.cells == 1) {
          tr.h[next] = z[j] = std::tanh(z[j]);
          continue;
        }
        double i = z[j] = sigmoidOf(z[j]), f = z[H + j] = sigmoidOf(z[H + j]),
               g = z[2 * H + j] = std::tanh(z[2 * H + j]),
               o = z[3 * H + j] = sigmoidOf(z[3 * H + j]);
        tr.c[next] = f * tr.c[prev] + i * g;
        tr.h[next] = o * std::tanh(tr.c[next]);
      }
    }
  return tr;
}

Outputs outputsOf(const Layer &l, const Trace &tr) {
  int64_t B = l.batch, T = l.steps, H = l.hidden;
  Outputs out{Doubles(B * T * H), Doubles(tr.h.end() - B * H, tr.h.end()),
              Doubles(tr.c.end() - B * H, tr.c.end())};
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < H; ++j)
        out.hseq[(b * T + t) * H + j] = tr.h[((t + 1) * B + b) * H + j];
  return out;
}

/// Backpropagation through the window; the gradients in a Layer.
Layer referenceBackward(const Layer &l, const Outputs &d) {
  int64_t B = l.batch, T = l.steps, I = l.input, H = l.hidden, R = l.rows();
  Trace tr = referenceForward(l);
  Layer g = l;
  for (Doubles *v : {&g.x, &g.wih, &g.whh, &g.bih, &g.bhh})
    std::fill(v->begin(), v->end(), 0.0);
  g.h0 = d.hLast;
  g.c0 = d.cLast;
  Doubles dz(R);
  for (int64_t t = T - 1; t >= 0; --t) {
    Doubles dhPrev(B * H, 0.0);
    for (int64_t b = 0; b < B; ++b) {
      const double *z = &tr.gates[(t * B + b) * R];
      for (int64_t j = 0; j < H; ++j) {
        int64_t s = b * H + j, next = ((t + 1) * B + b) * H + j;
        double dh = g.h0[s] + d.hseq[(b * T + t) * H + j];
        if (l.cells == 1) {
          dz[j] = dh * (1 - z[j] * z[j]);
          continue;
        }
        double i = z[j], f = z[H + j], gg = z[2 * H + j], o = z[3 * H + j],
               tc = std::tanh(tr.c[next]);
        double dc = g.c0[s] + dh * o * (1 - tc * tc);
        dz[j] = dc * gg * i * (1 - i);
        dz[H + j] = dc * tr.c[next - B * H] * f * (1 - f);
        dz[2 * H + j] = dc * i * (1 - gg * gg);
        dz[3 * H + j] = dh * tc * o * (1 - o);
        g.c0[s] = dc * f;
      }
      for (int64_t r = 0; r < R; ++r) {
        g.bih[r] += dz[r];
        g.bhh[r] += dz[r];
        for (int64_t k = 0; k < I; ++k) {
          g.wih[r * I + k] += dz[r] * l.x[(b * T + t) * I + k];
          g.x[(b * T + t) * I + k] += dz[r] * l.wih[r * I + k];
        }
        for (int64_t k = 0; k < H; ++k) {
          g.whh[r * H + k] += dz[r] * tr.h[(t * B + b) * H + k];
          dhPrev[b * H + k] += dz[r] * l.whh[r * H + k];
        }
      }
    }
    g.h0 = dhPrev;
  }
  return g;
}

double dot(const Doubles &a, const Doubles &b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i)
    sum += a[i] * b[i];
  return sum;
}

/// The operands of every parameter/input of a layer, in one list.
std::vector<Doubles Layer::*> operands(int64_t cells) {
  std::vector<Doubles Layer::*> all = {&Layer::x,   &Layer::h0,  &Layer::wih,
                                       &Layer::whh, &Layer::bih, &Layer::bhh};
  if (cells == 4)
    all.push_back(&Layer::c0);
  return all;
}

/// Random operands and output cotangents in float, as the kernels see them,
/// with PyTorch's weight scale so that the gates do not saturate.
struct Problem {
  int64_t batch, steps, input, hidden, cells;
  Floats x, h0, c0, wih, whh, bih, bhh, dHseq, dHLast, dCLast;

  Problem(int64_t batch, int64_t steps, int64_t input, int64_t hidden,
          int64_t cells, unsigned seed)
      : batch(batch), steps(steps), input(input), hidden(hidden), cells(cells) {
    std::mt19937 rng(seed);
    float bound = 1 / std::sqrt(float(hidden));
    int64_t R = cells * hidden, state = batch * hidden;
    x = randomFloats(batch * steps * input, rng);
    h0 = randomFloats(state, rng);
    c0 = randomFloats(state, rng);
    wih = randomFloats(R * input, rng, bound);
    whh = randomFloats(R * hidden, rng, bound);
    bih = randomFloats(R, rng, bound);
    bhh = randomFloats(R, rng, bound);
    dHseq = randomFloats(batch * steps * hidden, rng);
    dHLast = randomFloats(state, rng);
    dCLast = randomFloats(state, rng);
  }

  Layer layer() const {
    return {batch,          steps,          input,          hidden,
            cells,          toDoubles(x),   toDoubles(h0),  toDoubles(c0),
            toDoubles(wih), toDoubles(whh), toDoubles(bih), toDoubles(bhh)};
  }
  Outputs cotangents() const {
    return {toDoubles(dHseq), toDoubles(dHLast), toDoubles(dCLast)};
  }
};

/// The test's own reference: its gradients against central differences of
/// <hseq, dHseq> + <hLast, dHLast> (+ <cLast, dCLast>).
TEST(KernelsReference, GradientsMatchFiniteDifferences) {
  for (int64_t cells : {4, 1}) {
    SCOPED_TRACE(cells == 4 ? "lstm" : "tanh");
    Problem p(3, 4, 2, 5, cells, 5);
    Layer l = p.layer();
    Outputs d = p.cotangents();
    if (cells == 1)
      d.cLast.assign(d.cLast.size(), 0.0);
    auto objective = [&](const Layer &at) {
      Outputs out = outputsOf(at, referenceForward(at));
      return dot(out.hseq, d.hseq) + dot(out.hLast, d.hLast) +
             dot(out.cLast, d.cLast);
    };
    Layer grads = referenceBackward(l, d);
    for (Doubles Layer::*operand : operands(cells))
      for (size_t i = 0; i < (l.*operand).size(); ++i) {
        const double eps = 1e-6;
        Layer plus = l, minus = l;
        (plus.*operand)[i] += eps;
        (minus.*operand)[i] -= eps;
        double fd = (objective(plus) - objective(minus)) / (2 * eps);
        EXPECT_NEAR((grads.*operand)[i], fd,
                    1e-7 * std::max(1.0, std::abs(fd)));
      }
  }
}

/// Forward and backward of the float kernel against the double reference:
/// backward reusing the forward's activations, and recomputing them after a
/// forward on other operands; then a repeat must be bit-identical.
void checkWindow(int64_t batch, int64_t steps, int64_t input, int64_t hidden,
                 int64_t cells) {
  SCOPED_TRACE(::testing::Message()
               << (cells == 4 ? "lstm" : "tanh") << " B=" << batch
               << " T=" << steps << " I=" << input << " H=" << hidden);
  Problem p(batch, steps, input, hidden, cells, 6),
      other(batch, steps, input, hidden, cells, 7);
  Layer l = p.layer();
  Trace tr = referenceForward(l);
  Outputs out = outputsOf(l, tr);
  Layer grads = referenceBackward(l, p.cotangents());

  int64_t state = batch * hidden, R = cells * hidden;
  struct Results {
    Floats hseq, hLast, cLast, dx, dh0, dc0, dwih, dwhh, dbih, dbhh;
  };
  auto results = [&] {
    return Results{Floats(batch * steps * hidden),
                   Floats(state),
                   Floats(state),
                   Floats(batch * steps * input),
                   Floats(state),
                   Floats(state),
                   Floats(R * input),
                   Floats(R * hidden),
                   Floats(R),
                   Floats(R)};
  };
  rt::LSTMWindow lstm(batch, steps, input, hidden);
  rt::TanhRNNWindow tanhRNN(batch, steps, input, hidden);
  auto forward = [&](const Problem &q, Results &r) {
    if (cells == 4)
      lstm.forward(q.x.data(), q.h0.data(), q.c0.data(), q.wih.data(),
                   q.whh.data(), q.bih.data(), q.bhh.data(), r.hseq.data(),
                   r.hLast.data(), r.cLast.data());
    else
      tanhRNN.forward(q.x.data(), q.h0.data(), q.wih.data(), q.whh.data(),
                      q.bih.data(), q.bhh.data(), r.hseq.data(),
                      r.hLast.data());
  };
  auto backward = [&](bool reuse, Results &r) {
    if (cells == 4)
      lstm.backward(p.x.data(), p.h0.data(), p.c0.data(), p.wih.data(),
                    p.whh.data(), p.bih.data(), p.bhh.data(), p.dHseq.data(),
                    p.dHLast.data(), p.dCLast.data(), reuse, r.dx.data(),
                    r.dh0.data(), r.dc0.data(), r.dwih.data(), r.dwhh.data(),
                    r.dbih.data(), r.dbhh.data());
    else
      tanhRNN.backward(p.x.data(), p.h0.data(), p.wih.data(), p.whh.data(),
                       p.bih.data(), p.bhh.data(), p.dHseq.data(),
                       p.dHLast.data(), reuse, r.dx.data(), r.dh0.data(),
                       r.dwih.data(), r.dwhh.data(), r.dbih.data(),
                       r.dbhh.data());
  };
  auto checkGrads = [&](const Results &r) {
    EXPECT_TRUE(close(r.dx, grads.x));
    EXPECT_TRUE(close(r.dh0, grads.h0));
    if (cells == 4) {
      EXPECT_TRUE(close(r.dc0, grads.c0));
    }
    EXPECT_TRUE(close(r.dwih, grads.wih));
    EXPECT_TRUE(close(r.dwhh, grads.whh));
    EXPECT_TRUE(close(r.dbih, grads.bih));
    EXPECT_TRUE(close(r.dbhh, grads.bhh));
  };

  // Gradient outputs start as garbage: they must be overwritten.
  Results reused = results(), recomputed = results(), again = results();
  for (Results *r : {&reused, &recomputed, &again})
    for (Floats *v :
         {&r->dx, &r->dh0, &r->dc0, &r->dwih, &r->dwhh, &r->dbih, &r->dbhh})
      std::fill(v->begin(), v->end(), 123.f);

  forward(p, reused);
  EXPECT_TRUE(close(reused.hseq, out.hseq));
  EXPECT_TRUE(close(reused.hLast, out.hLast));
  if (cells == 4) {
    EXPECT_TRUE(close(reused.cLast, out.cLast));
  }
  {
    SCOPED_TRACE("reuseForward = true");
    backward(true, reused);
    checkGrads(reused);
  }
  {
    SCOPED_TRACE("reuseForward = false, after a forward on other operands");
    forward(other, recomputed);
    backward(false, recomputed);
    checkGrads(recomputed);
  }

  // The same computation again, and the recomputed activations, give the
  // same bits.
  forward(p, again);
  backward(true, again);
  for (auto member :
       {&Results::hseq, &Results::hLast, &Results::cLast, &Results::dx,
        &Results::dh0, &Results::dc0, &Results::dwih, &Results::dwhh,
        &Results::dbih, &Results::dbhh})
    EXPECT_TRUE(bitIdentical(reused.*member, again.*member));
  for (auto member :
       {&Results::dx, &Results::dh0, &Results::dc0, &Results::dwih,
        &Results::dwhh, &Results::dbih, &Results::dbhh})
    EXPECT_TRUE(bitIdentical(recomputed.*member, again.*member));
}

TEST(KernelsLSTMWindow, MatchesReference) {
  checkWindow(3, 4, 2, 5, 4);
  checkWindow(1, 1, 1, 3, 4);
  checkWindow(2, 0, 2, 3, 4); // an empty window passes the state through
  // Large enough for oneDNN's optimized matmul kernels.
  checkWindow(16, 6, 28, 30, 4);
}

TEST(KernelsLSTMWindow, MatchesReferenceWithParallelCells) {
  // A state of 128 x 256 with two threads: each step's cells are split
  // among the threads (parallelCells); the rows must not notice.
  rt::setNumThreads(2);
  checkWindow(128, 2, 3, 256, 4);
  rt::setNumThreads(1);
}

TEST(KernelsTanhRNNWindow, MatchesReference) {
  checkWindow(3, 4, 2, 5, 1);
  checkWindow(1, 1, 1, 3, 1);
  checkWindow(2, 0, 2, 3, 1);
  checkWindow(16, 6, 28, 30, 1);
}

} // namespace
