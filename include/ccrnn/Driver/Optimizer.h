//===- Optimizer.h - Optimizers, clipping, weight decay ---------*- C++ -*-===//
//
// The optimizers of SPEC §3 with PyTorch's update rules (the single-tensor
// code paths of torch.optim, which CPU tensors take), computed in float32
// like PyTorch on float32 parameters, with the hyperparameters the spec
// fixes:
//   adam     betas (0.9, 0.98), eps 1e-9
//   rmsprop  alpha 0.99, eps 1e-10, momentum 0.9
//   sgd      momentum 0.9 (dampening 0, no Nesterov)
//   adamax   betas (0.9, 0.98), eps 1e-9
//   adagrad  lr_decay 0.9, eps 1e-10, initial accumulator 0
//   adadelta rho 0.9, eps 1e-6
// Weight decay is not part of the optimizer here: the driver adds it to the
// gradient after clipping (addWeightDecay), which is what torch.optim's
// weight_decay does inside step().
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_OPTIMIZER_H
#define CCRNN_DRIVER_OPTIMIZER_H

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrnn::driver {

/// Parameters, gradients or optimizer state: one float tensor per
/// parameter, in state_dict order.
using Tensors = std::vector<std::vector<float>>;

/// Tensors held elsewhere (a caller's arrays, the Python binding's numpy
/// arrays): one pointer per parameter, each of the size the optimizer or
/// function is given.
using TensorPointers = std::vector<float *>;
/// The pointers of `t`'s tensors.
TensorPointers pointersOf(Tensors &t);

enum class OptimKind { Adam, RMSprop, SGD, Adamax, Adagrad, Adadelta };

/// "adam, rmsprop, sgd, adamax, adagrad, adadelta".
std::string optimizerList();
std::optional<OptimKind> parseOptimizer(std::string_view name);
std::string optimizerName(OptimKind kind);
/// The fixed hyperparameters, by PyTorch's argument names (for meta.json).
std::vector<std::pair<std::string, double>>
optimizerHyperparameters(OptimKind kind);

class Optimizer {
public:
  /// `sizes`: the number of elements of each parameter.
  Optimizer(OptimKind kind, double lr, const std::vector<int64_t> &sizes);

  /// One update of every parameter from its gradient, except the frozen
  /// ones (`frozen[i]`; empty: none), which keep their value and state as
  /// if they were not in the optimizer (a lesioned cerebellum, SPEC §4).
  /// Each gradient is multiplied by `gradScale` as it is read (clipping
  /// fused into the update: clipFactor); a factor of 1 changes no bit.
  void step(Tensors &params, const Tensors &grads,
            const std::vector<bool> &frozen = {}, float gradScale = 1.0f);
  /// The same step on tensors held elsewhere, of the sizes given at
  /// construction.
  void step(const TensorPointers &params, const float *const *grads,
            const std::vector<bool> &frozen = {}, float gradScale = 1.0f);
  /// The number of elements of each parameter.
  const std::vector<int64_t> &sizes() const { return sizes_; }

  OptimKind kind() const { return kind_; }
  /// The learning rate of the next step (a schedule changes it).
  double lr() const { return lr_; }
  void setLr(double lr) { lr_ = lr; }
  /// Updates done so far (PyTorch's state["step"]).
  int64_t steps() const { return steps_; }
  void setSteps(int64_t steps) { steps_ = steps; }
  /// Adam's and Adamax's betas and eps instead of SPEC §3's (the captioning
  /// task uses PyTorch's defaults, 0.9, 0.999, 1e-8).
  void setAdamHyperparameters(double beta1, double beta2, double eps);
  /// Counts the updates of each parameter on its own, as PyTorch keeps
  /// state["step"] per parameter: a parameter left out of a step (frozen)
  /// does not advance its count, so one that joins later corrects its
  /// moments by its own count. Off by default (one count for all).
  void countStepsPerParameter() {
    paramSteps_.assign(slots_.empty() ? 0 : slots_[0].size(), 0);
    perParameter_ = true;
  }
  /// Parameter i's updates (with countStepsPerParameter), else steps().
  int64_t steps(size_t i) const {
    return perParameter_ ? paramSteps_[i] : steps_;
  }
  /// The state tensors under PyTorch's names ("exp_avg", "exp_avg_sq", ...),
  /// each with one tensor per parameter; saved and restored by resume files.
  const std::vector<std::string> &slotNames() const { return slotNames_; }
  Tensors &slot(size_t i) { return slots_[i]; }
  const Tensors &slot(size_t i) const { return slots_[i]; }

private:
  OptimKind kind_;
  double lr_;
  int64_t steps_ = 0;
  std::vector<int64_t> sizes_;
  double beta1_, beta2_, eps_;
  bool perParameter_ = false;
  std::vector<int64_t> paramSteps_;
  std::vector<std::string> slotNames_;
  std::vector<Tensors> slots_;
};

/// torch.optim.lr_scheduler.ReduceLROnPlateau with mode "min", threshold
/// 1e-4 in mode "rel", no cooldown, min_lr 0 and eps 1e-8: after each epoch
/// step() is given the validation loss; when it has not improved on the
/// best by the threshold for more than `patience` epochs, the learning rate
/// is multiplied by `factor` (unless that changes it by less than eps).
class PlateauScheduler {
public:
  PlateauScheduler(double factor, int64_t patience)
      : factor_(factor), patience_(patience) {}

  /// The learning rate after an epoch that ran with `lr` and ended with
  /// validation loss `loss`.
  double step(double loss, double lr);

  static constexpr double kThreshold = 1e-4, kEps = 1e-8;

  /// PyTorch's best and num_bad_epochs; saved and restored by resume files.
  double best() const { return best_; }
  int64_t badEpochs() const { return badEpochs_; }
  void setState(double best, int64_t badEpochs) {
    best_ = best;
    badEpochs_ = badEpochs;
  }

private:
  double factor_;
  int64_t patience_;
  double best_ = std::numeric_limits<double>::infinity();
  int64_t badEpochs_ = 0;
};

/// The L2 norm of all gradients together (in double).
double globalNorm(const Tensors &grads);

/// torch.nn.utils.clip_grad_norm_: when maxNorm > 0 and the global norm
/// exceeds it, scales every gradient by maxNorm / (norm + 1e-6). Returns the
/// norm before clipping.
double clipGradNorm(Tensors &grads, double maxNorm);
/// The factor clipGradNorm would scale `grads` by (1 when it would not),
/// for Optimizer::step's gradScale: the same bits, one pass less.
float clipFactor(const Tensors &grads, double maxNorm);
/// clipGradNorm of each network of an ensemble: every tensor holds
/// `networks` equal parts, network after network; each network's norm is
/// summed in the order clipGradNorm sums its own tensors, so each gets the
/// same bits. Returns the norms.
std::vector<double> clipGradNormPerNetwork(Tensors &grads, double maxNorm,
                                           int64_t networks);

/// grad += l2 * param (torch.optim's weight_decay).
void addWeightDecay(Tensors &grads, const Tensors &params, double l2);

/// SPEC §3's update of one network from its gradients: clipping to
/// `clip`, weight decay `l2`, then `optim`'s step, as ccrnn-train does it.
/// Without weight decay the clipping factor is applied as the optimizer
/// reads the gradients (the same bits, one pass less) and `grads` is left
/// alone; with it, `grads` is clipped and decayed in place. `afterClip`,
/// when given, is called between clipping and decay with the factor still
/// to be applied to `grads` (1 once they are clipped in place). `*norm`,
/// unless null, gets the gradients' norm before clipping (computed only
/// when clipping or asked for).
void clipDecayStep(Optimizer &optim, const TensorPointers &params,
                   const TensorPointers &grads, const std::vector<bool> &frozen,
                   double clip, double l2,
                   const std::function<void(float)> &afterClip = {},
                   double *norm = nullptr);

} // namespace ccrnn::driver

#endif // CCRNN_DRIVER_OPTIMIZER_H
