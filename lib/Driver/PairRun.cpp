//===- PairRun.cpp - The training state of a (seed, model) pair -*- C++ -*-===//

#include "PairRun.h"

#include "Arrays.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Parameters.h"

#include <cmath>
#include <string>

namespace ccrnn::driver {

static std::unique_ptr<PairRun> emptyPair(const TrainConfig &c,
                                          const ccrnn_trainer_desc &d, size_t s,
                                          size_t m) {
  auto p = std::make_unique<PairRun>();
  p->s = s;
  p->m = m;
  p->optim = std::make_unique<Optimizer>(c.optim, c.lr, parameterSizes(d));
  p->plateau = std::make_unique<PlateauScheduler>(c.lrScale, c.lrDecayPatience);
  p->fibreMask = fibreMask(d, c.seeds[s], c.nfibres);
  // Zero until the lesion; saved for --resume from the start on.
  if (c.oliveLesion == "reference") {
    const std::vector<int64_t> sizes = parameterSizes(d);
    p->frozenGradients.resize(d.num_params);
    for (int32_t i = 0; i < d.num_params; ++i)
      if (d.params[i].group == CCRNN_GROUP_SYNTHESIZER)
        p->frozenGradients[i].assign(sizes[i], 0.0f);
  }
  return p;
}

std::unique_ptr<PairRun> startPair(const TrainConfig &c,
                                   const ccrnn_trainer_desc &d, size_t s,
                                   size_t m, const npz::Archive &init) {
  std::unique_ptr<PairRun> p = emptyPair(c, d, s, m);
  p->params = initialParameters(d, c.seeds[s], init.empty() ? nullptr : &init);
  applyFibreMask(d, p->fibreMask, p->params);
  p->best = p->params;
  return p;
}

npz::Archive pairSnapshot(const ccrnn_trainer_desc &d, const PairRun &pr) {
  npz::Archive a;
  a["optim_steps"] = i64Array({}, {pr.optim->steps()});
  a["optim_lr"] = f64Array({}, {pr.optim->lr()});
  a["plateau_best"] = f64Array({}, {pr.plateau->best()});
  a["plateau_bad_epochs"] = i64Array({}, {pr.plateau->badEpochs()});
  for (int32_t i = 0; i < d.num_params; ++i) {
    std::string name = d.params[i].name;
    auto shape = paramShape(d.params[i]);
    a["param/" + name] = f32Array(shape, pr.params[i]);
    a["best/" + name] = f32Array(shape, pr.best[i]);
    for (size_t j = 0; j < pr.optim->slotNames().size(); ++j)
      a["optim/" + pr.optim->slotNames()[j] + "/" + name] =
          f32Array(shape, pr.optim->slot(j)[i]);
    if (size_t(i) < pr.frozenGradients.size() &&
        !pr.frozenGradients[i].empty())
      a["frozen_grads/" + name] = f32Array(shape, pr.frozenGradients[i]);
  }
  return a;
}

std::unique_ptr<PairRun> restorePair(const TrainConfig &c,
                                     const ccrnn_trainer_desc &d, size_t s,
                                     size_t m, const std::string &prefix,
                                     const RunResults::ArrayGetter &get) {
  std::unique_ptr<PairRun> p = emptyPair(c, d, s, m);
  // Counts and the learning rate are checked before use (a damaged file).
  auto scalar = [&](const char *name, bool count) {
    const double v = get(prefix + name, {}).data[0];
    if (count ? !(v >= 0 && v <= 9e15 && v == std::floor(v))
              : !(std::isfinite(v) && v > 0))
      throw InputError(std::string("--resume: ") + prefix + name + " is " +
                       std::to_string(v) + ", expected " +
                       (count ? "a count" : "a positive number"));
    return v;
  };
  p->optim->setSteps(int64_t(scalar("optim_steps", true)));
  p->optim->setLr(scalar("optim_lr", false));
  p->plateau->setState(get(prefix + "plateau_best", {}).data[0],
                       int64_t(scalar("plateau_bad_epochs", true)));
  auto asFloat = [](const npz::Array &x, std::vector<float> &to) {
    to.assign(x.data.begin(), x.data.end());
  };
  p->params.assign(d.num_params, {});
  p->best.assign(d.num_params, {});
  for (int32_t j = 0; j < d.num_params; ++j) {
    std::string name = d.params[j].name;
    auto shape = paramShape(d.params[j]);
    asFloat(get(prefix + "param/" + name, shape), p->params[j]);
    asFloat(get(prefix + "best/" + name, shape), p->best[j]);
    for (size_t o = 0; o < p->optim->slotNames().size(); ++o)
      asFloat(get(prefix + "optim/" + p->optim->slotNames()[o] + "/" + name,
                  shape),
              p->optim->slot(o)[j]);
    if (size_t(j) < p->frozenGradients.size() &&
        !p->frozenGradients[j].empty())
      asFloat(get(prefix + "frozen_grads/" + name, shape),
              p->frozenGradients[j]);
  }
  return p;
}

} // namespace ccrnn::driver
