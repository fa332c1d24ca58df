//===- Optimizer.cpp - Optimizers, clipping, weight decay -------*- C++ -*-===//
//
// Each update follows the order of operations of torch/optim/<name>.py
// (_single_tensor_<name>), with Python-side scalars computed in double and
// the tensor arithmetic in float, so results agree with PyTorch to float32
// rounding.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Optimizer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace ccrnn::driver {

namespace {

struct OptimInfo {
  OptimKind kind;
  const char *name;
  std::vector<const char *> slots;
};

const std::vector<OptimInfo> &optimInfos() {
  static const std::vector<OptimInfo> infos = {
      {OptimKind::Adam, "adam", {"exp_avg", "exp_avg_sq"}},
      {OptimKind::RMSprop, "rmsprop", {"square_avg", "momentum_buffer"}},
      {OptimKind::SGD, "sgd", {"momentum_buffer"}},
      {OptimKind::Adamax, "adamax", {"exp_avg", "exp_inf"}},
      {OptimKind::Adagrad, "adagrad", {"sum"}},
      {OptimKind::Adadelta, "adadelta", {"square_avg", "acc_delta"}}};
  return infos;
}

const OptimInfo &info(OptimKind kind) {
  for (const OptimInfo &i : optimInfos())
    if (i.kind == kind)
      return i;
  assert(false && "unknown optimizer");
  return optimInfos()[0];
}

// SPEC §3.
constexpr double kAdamBeta1 = 0.9, kAdamBeta2 = 0.98, kAdamEps = 1e-9;
constexpr double kRMSAlpha = 0.99, kRMSEps = 1e-10, kRMSMomentum = 0.9;
constexpr double kSGDMomentum = 0.9;
constexpr double kAdagradLrDecay = 0.9, kAdagradEps = 1e-10;
constexpr double kAdadeltaRho = 0.9, kAdadeltaEps = 1e-6;

} // namespace

std::string optimizerList() {
  std::string s;
  for (const OptimInfo &i : optimInfos())
    s += (s.empty() ? "" : ", ") + std::string(i.name);
  return s;
}

std::optional<OptimKind> parseOptimizer(std::string_view name) {
  for (const OptimInfo &i : optimInfos())
    if (name == i.name)
      return i.kind;
  return std::nullopt;
}

std::string optimizerName(OptimKind kind) { return info(kind).name; }

std::vector<std::pair<std::string, double>>
optimizerHyperparameters(OptimKind kind) {
  switch (kind) {
  case OptimKind::Adam:
  case OptimKind::Adamax:
    return {{"beta1", kAdamBeta1}, {"beta2", kAdamBeta2}, {"eps", kAdamEps}};
  case OptimKind::RMSprop:
    return {{"alpha", kRMSAlpha}, {"eps", kRMSEps}, {"momentum", kRMSMomentum}};
  case OptimKind::SGD:
    return {{"momentum", kSGDMomentum}, {"dampening", 0.0}};
  case OptimKind::Adagrad:
    return {{"lr_decay", kAdagradLrDecay},
            {"eps", kAdagradEps},
            {"initial_accumulator_value", 0.0}};
  case OptimKind::Adadelta:
    return {{"rho", kAdadeltaRho}, {"eps", kAdadeltaEps}};
  }
  return {};
}

namespace {

std::vector<int64_t> sizesOf(const Tensors &t) {
  std::vector<int64_t> sizes;
  for (const auto &x : t)
    sizes.push_back(int64_t(x.size()));
  return sizes;
}

std::vector<const float *> constPointersOf(const Tensors &t) {
  std::vector<const float *> p;
  for (const auto &x : t)
    p.push_back(x.data());
  return p;
}

/// clip_grad_norm_'s factor for a norm (1: no clipping).
float factorOfNorm(double norm, double maxNorm) {
  if (maxNorm <= 0)
    return 1.0f;
  double coef = maxNorm / (norm + 1e-6);
  return coef < 1 ? float(coef) : 1.0f;
}

// The functions below on tensors held elsewhere, of `sizes` elements each.
double globalNormOf(const float *const *grads,
                    const std::vector<int64_t> &sizes) {
  double sum = 0;
  for (size_t i = 0; i < sizes.size(); ++i)
    for (int64_t j = 0; j < sizes[i]; ++j)
      sum += double(grads[i][j]) * double(grads[i][j]);
  return std::sqrt(sum);
}

double clipGradNormOf(const TensorPointers &grads,
                      const std::vector<int64_t> &sizes, double maxNorm) {
  double norm = globalNormOf(grads.data(), sizes);
  const float c = factorOfNorm(norm, maxNorm);
  if (c != 1.0f)
    for (size_t i = 0; i < sizes.size(); ++i)
      for (int64_t j = 0; j < sizes[i]; ++j)
        grads[i][j] *= c;
  return norm;
}

void addWeightDecayOf(const TensorPointers &grads, const float *const *params,
                      const std::vector<int64_t> &sizes, double l2) {
  if (l2 == 0)
    return;
  const float wd = float(l2);
  for (size_t i = 0; i < sizes.size(); ++i)
    for (int64_t j = 0; j < sizes[i]; ++j)
      grads[i][j] = grads[i][j] + wd * params[i][j];
}

} // namespace

TensorPointers pointersOf(Tensors &t) {
  TensorPointers p;
  for (auto &x : t)
    p.push_back(x.data());
  return p;
}

Optimizer::Optimizer(OptimKind kind, double lr,
                     const std::vector<int64_t> &sizes)
    : kind_(kind), lr_(lr), sizes_(sizes), beta1_(kAdamBeta1), beta2_(kAdamBeta2),
      eps_(kAdamEps) {
  for (const char *name : info(kind).slots) {
    slotNames_.push_back(name);
    Tensors t;
    for (int64_t n : sizes)
      t.emplace_back(n, 0.0f);
    slots_.push_back(std::move(t));
  }
}

void Optimizer::setAdamHyperparameters(double beta1, double beta2,
                                       double eps) {
  beta1_ = beta1;
  beta2_ = beta2;
  eps_ = eps;
}

void Optimizer::step(Tensors &params, const Tensors &grads,
                     const std::vector<bool> &frozen, float gradScale) {
  assert(params.size() == grads.size() && params.size() == sizes_.size());
  step(pointersOf(params), constPointersOf(grads).data(), frozen, gradScale);
}

void Optimizer::step(const TensorPointers &params, const float *const *grads,
                     const std::vector<bool> &frozen, float gradScale) {
  assert(params.size() == sizes_.size());
  ++steps_;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i < frozen.size() && frozen[i])
      continue;
    const double t = double(perParameter_ ? ++paramSteps_[i] : steps_);
    float *p = params[i];
    const float *grad = grads[i];
    const float scale = gradScale;
    const size_t n = size_t(sizes_[i]);
    switch (kind_) {
    case OptimKind::Adam: {
      float *m = slots_[0][i].data(), *v = slots_[1][i].data();
      // exp_avg.lerp_(grad, 1 - beta1); lerp with weight < 0.5 is
      // self + w * (end - self).
      const float w = float(1 - beta1_), b2 = float(beta2_),
                  c2 = float(1 - beta2_);
      const double bc1 = 1 - std::pow(beta1_, t);
      const double bc2 = 1 - std::pow(beta2_, t);
      const float stepSize = float(lr_ / bc1);
      const float bc2Sqrt = float(std::sqrt(bc2)), eps = float(eps_);
      for (size_t j = 0; j < n; ++j) {
        const float g = grad[j] * scale; // clipped
        m[j] = m[j] + w * (g - m[j]);
        v[j] = v[j] * b2 + c2 * g * g;
        float denom = std::sqrt(v[j]) / bc2Sqrt + eps;
        p[j] = p[j] - stepSize * m[j] / denom;
      }
      break;
    }
    case OptimKind::RMSprop: {
      float *sq = slots_[0][i].data(), *buf = slots_[1][i].data();
      const float a = float(kRMSAlpha), c = float(1 - kRMSAlpha),
                  eps = float(kRMSEps), mom = float(kRMSMomentum),
                  lr = float(lr_);
      for (size_t j = 0; j < n; ++j) {
        const float g = grad[j] * scale; // clipped
        sq[j] = sq[j] * a + c * g * g;
        float avg = std::sqrt(sq[j]) + eps;
        buf[j] = buf[j] * mom + g / avg;
        p[j] = p[j] - lr * buf[j];
      }
      break;
    }
    case OptimKind::SGD: {
      float *buf = slots_[0][i].data();
      const float mom = float(kSGDMomentum), lr = float(lr_);
      for (size_t j = 0; j < n; ++j) {
        const float g = grad[j] * scale; // clipped
        // The first step initialises the buffer with the gradient itself.
        buf[j] = steps_ == 1 ? g : buf[j] * mom + g;
        p[j] = p[j] - lr * buf[j];
      }
      break;
    }
    case OptimKind::Adamax: {
      float *m = slots_[0][i].data(), *u = slots_[1][i].data();
      const float w = float(1 - beta1_), b2 = float(beta2_),
                  eps = float(eps_);
      const float clr = float(lr_ / (1 - std::pow(beta1_, t)));
      for (size_t j = 0; j < n; ++j) {
        const float g = grad[j] * scale; // clipped
        m[j] = m[j] + w * (g - m[j]);
        u[j] = std::max(u[j] * b2, std::fabs(g) + eps);
        p[j] = p[j] - clr * m[j] / u[j];
      }
      break;
    }
    case OptimKind::Adagrad: {
      float *sum = slots_[0][i].data();
      const float clr = float(lr_ / (1 + (t - 1) * kAdagradLrDecay));
      const float eps = float(kAdagradEps);
      for (size_t j = 0; j < n; ++j) {
        const float g = grad[j] * scale; // clipped
        sum[j] = sum[j] + g * g;
        float std = std::sqrt(sum[j]) + eps;
        p[j] = p[j] - clr * g / std;
      }
      break;
    }
    case OptimKind::Adadelta: {
      float *sq = slots_[0][i].data(), *acc = slots_[1][i].data();
      const float rho = float(kAdadeltaRho), c = float(1 - kAdadeltaRho),
                  eps = float(kAdadeltaEps), lr = float(lr_);
      for (size_t j = 0; j < n; ++j) {
        const float g = grad[j] * scale; // clipped
        sq[j] = sq[j] * rho + c * g * g;
        float std = std::sqrt(sq[j] + eps);
        float delta = std::sqrt(acc[j] + eps) / std * g;
        acc[j] = acc[j] * rho + c * delta * delta;
        p[j] = p[j] - lr * delta;
      }
      break;
    }
    }
  }
}

double PlateauScheduler::step(double loss, double lr) {
  // is_better in mode min, threshold mode rel. A NaN loss is no improvement.
  if (loss < best_ * (1 - kThreshold)) {
    best_ = loss;
    badEpochs_ = 0;
  } else {
    ++badEpochs_;
  }
  if (badEpochs_ <= patience_)
    return lr;
  badEpochs_ = 0;
  double reduced = std::max(lr * factor_, 0.0); // min_lr 0
  return lr - reduced > kEps ? reduced : lr;
}


double globalNorm(const Tensors &grads) {
  return globalNormOf(constPointersOf(grads).data(), sizesOf(grads));
}

float clipFactor(const Tensors &grads, double maxNorm) {
  return maxNorm <= 0 ? 1.0f : factorOfNorm(globalNorm(grads), maxNorm);
}

double clipGradNorm(Tensors &grads, double maxNorm) {
  return clipGradNormOf(pointersOf(grads), sizesOf(grads), maxNorm);
}

std::vector<double> clipGradNormPerNetwork(Tensors &grads, double maxNorm,
                                           int64_t networks) {
  std::vector<double> norms;
  for (int64_t e = 0; e < networks; ++e) {
    double sum = 0;
    for (const auto &g : grads) {
      const size_t n = g.size() / size_t(networks);
      for (size_t j = e * n; j < (e + 1) * n; ++j)
        sum += double(g[j]) * double(g[j]);
    }
    double norm = std::sqrt(sum);
    norms.push_back(norm);
    double coef = maxNorm / (norm + 1e-6);
    if (maxNorm > 0 && coef < 1) {
      float c = float(coef);
      for (auto &g : grads) {
        const size_t n = g.size() / size_t(networks);
        for (size_t j = e * n; j < (e + 1) * n; ++j)
          g[j] *= c;
      }
    }
  }
  return norms;
}
void addWeightDecay(Tensors &grads, const Tensors &params, double l2) {
  addWeightDecayOf(pointersOf(grads), constPointersOf(params).data(),
                   sizesOf(grads), l2);
}

void clipDecayStep(Optimizer &optim, const TensorPointers &params,
                   const TensorPointers &grads, const std::vector<bool> &frozen,
                   double clip, double l2,
                   const std::function<void(float)> &afterClip,
                   double *norm) {
  const std::vector<int64_t> &sizes = optim.sizes();
  if (l2 == 0) {
    const double n = clip > 0 || norm ? globalNormOf(grads.data(), sizes) : 0;
    const float factor = factorOfNorm(n, clip);
    if (norm)
      *norm = n;
    if (afterClip)
      afterClip(factor);
    optim.step(params, grads.data(), frozen, factor);
    return;
  }
  const double n = clipGradNormOf(grads, sizes, clip);
  if (norm)
    *norm = n;
  if (afterClip)
    afterClip(1.0f);
  addWeightDecayOf(grads, params.data(), sizes, l2);
  optim.step(params, grads.data(), frozen);
}

} // namespace ccrnn::driver
