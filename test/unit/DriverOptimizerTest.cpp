//===- DriverOptimizerTest.cpp - Optimizers, clipping, weight decay ------===//
//
// Three steps of every optimizer on p0 = (1, -0.5) with the gradients
// g1 = (0.1, -0.2), g2 = (0.3, 0.05), g3 = (-0.4, 0.2) and lr 0.1, against
// PyTorch's update rules evaluated by hand in double precision (first steps
// derived in the comments). The driver computes in float32 as PyTorch
// does, hence the tolerance.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Optimizer.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace ccrnn::driver;

namespace {

using Steps = std::vector<std::vector<double>>;

void expectSteps(OptimKind kind, const Steps &expected) {
  Tensors params = {{1.0f, -0.5f}};
  const Tensors grads[3] = {{{0.1f, -0.2f}}, {{0.3f, 0.05f}}, {{-0.4f, 0.2f}}};
  Optimizer opt(kind, 0.1, {2});
  for (int t = 0; t < 3; ++t) {
    opt.step(params, grads[t]);
    EXPECT_EQ(opt.steps(), t + 1);
    for (int i = 0; i < 2; ++i)
      EXPECT_NEAR(params[0][i], expected[t][i], 2e-6)
          << optimizerName(kind) << " step " << t + 1 << " element " << i;
  }
}

TEST(DriverOptimizer, Adam) {
  // Step 1: m = 0.1 g, v = 0.02 g^2, bias-corrected m/(1-0.9) = g and
  // v/(1-0.98) = g^2: the update is lr * g / |g| = 0.1 sign(g).
  expectSteps(OptimKind::Adam, {{0.900000001, -0.400000001},
                                {0.808572189, -0.352852973},
                                {0.814678587, -0.371321363}});
}

TEST(DriverOptimizer, RMSprop) {
  // Step 1: square_avg = 0.01 g^2, avg = 0.1 |g| (+1e-10), buf = g / avg =
  // 10 sign(g): p = p0 - 0.1 * 10 sign(g) = (0, 0.5).
  expectSteps(OptimKind::RMSprop, {{1.00000003e-08, 0.499999995},
                                   {-1.84915797, 1.1563149},
                                   {-2.72727241, 1.04719695}});
}

TEST(DriverOptimizer, SGD) {
  // buf = g1, then 0.9 buf + g: (0.1, -0.2), (0.39, -0.13), (-0.049, 0.083).
  expectSteps(OptimKind::SGD,
              {{0.99, -0.48}, {0.951, -0.467}, {0.9559, -0.4753}});
}

TEST(DriverOptimizer, Adamax) {
  // Step 1: m = 0.1 g, u = |g| + 1e-9, lr / (1 - 0.9) * m / u = 0.1 sign(g).
  expectSteps(OptimKind::Adamax, {{0.900000001, -0.400000001},
                                  {0.831578949, -0.3650913},
                                  {0.836099244, -0.380404953}});
}

TEST(DriverOptimizer, Adagrad) {
  // Step 1: sum = g^2, p -= 0.1 g / |g|. Step 2: lr / (1 + 0.9) and
  // sum = g1^2 + g2^2: 0.9 - (0.1/1.9) * 0.3 / sqrt(0.1) = 0.8500693.
  expectSteps(
      OptimKind::Adagrad,
      {{0.9, -0.4}, {0.8500693, -0.412765033}, {0.878085891, -0.437633269}});
}

TEST(DriverOptimizer, Adadelta) {
  // Step 1: square_avg = 0.1 g^2, delta = sqrt(1e-6) / sqrt(0.1 g^2 + 1e-6)
  // * g: for g = 0.1, 1e-3 / sqrt(1.001e-3) * 0.1 = 3.1607e-3.
  expectSteps(OptimKind::Adadelta, {{0.99968393, -0.499683812},
                                    {0.999257657, -0.49979775},
                                    {0.999746212, -0.500127505}});
}

TEST(DriverOptimizer, Names) {
  EXPECT_EQ(optimizerList(), "adam, rmsprop, sgd, adamax, adagrad, adadelta");
  for (const char *name :
       {"adam", "rmsprop", "sgd", "adamax", "adagrad", "adadelta"})
    EXPECT_EQ(optimizerName(*parseOptimizer(name)), name);
  EXPECT_FALSE(parseOptimizer("Adam"));
  EXPECT_FALSE(parseOptimizer("sparseadam"));
  Optimizer adam(OptimKind::Adam, 1, {3, 4});
  EXPECT_EQ(adam.slotNames(),
            (std::vector<std::string>{"exp_avg", "exp_avg_sq"}));
  EXPECT_EQ(adam.slot(1)[1].size(), 4u);
}

TEST(DriverClip, ScalesAllGradientsTogether) {
  // Global norm sqrt(3^2 + 4^2 + 12^2) = 13 over two tensors.
  Tensors g = {{3, 4}, {12}};
  EXPECT_DOUBLE_EQ(clipGradNorm(g, 1.0), 13.0);
  const double c = 1.0 / (13 + 1e-6); // PyTorch's max / (norm + 1e-6)
  EXPECT_FLOAT_EQ(g[0][0], float(3 * c));
  EXPECT_FLOAT_EQ(g[0][1], float(4 * c));
  EXPECT_FLOAT_EQ(g[1][0], float(12 * c));
  EXPECT_NEAR(globalNorm(g), 1.0, 1e-6);
}

TEST(DriverClip, BelowTheLimitOrDisabled) {
  Tensors g = {{3, 4}, {12}};
  Tensors copy = g;
  EXPECT_DOUBLE_EQ(clipGradNorm(g, 20.0), 13.0);
  EXPECT_EQ(g, copy);
  EXPECT_DOUBLE_EQ(clipGradNorm(g, 0.0), 13.0); // 0 disables
  EXPECT_EQ(g, copy);
}

TEST(DriverClip, FactorInTheStepEqualsClippingFirst) {
  // Over the limit (clipped) and below it (factor 1), every optimizer.
  for (float size : {5.0f, 0.01f})
    for (OptimKind kind :
         {OptimKind::Adam, OptimKind::RMSprop, OptimKind::SGD,
          OptimKind::Adamax, OptimKind::Adagrad, OptimKind::Adadelta}) {
      Tensors clipped = {{1.0f, -0.5f}, {0.25f}}, fused = clipped;
      Optimizer a(kind, 0.1, {2, 1}), b(kind, 0.1, {2, 1});
      for (int t = 0; t < 3; ++t) {
        Tensors grads = {{size * 0.3f * (t + 1), -size}, {size * 0.7f}};
        const float factor = clipFactor(grads, 1.0);
        EXPECT_EQ(factor == 1.0f, size < 1) << optimizerName(kind);
        b.step(fused, grads, {}, factor);
        clipGradNorm(grads, 1.0);
        a.step(clipped, grads);
      }
      EXPECT_EQ(clipped, fused) << optimizerName(kind) << " size " << size;
    }
}

TEST(DriverClip, ClipDecayStepIsTheUpdateInItsParts) {
  // Over the limit and below it, with and without weight decay, one frozen
  // parameter: clipDecayStep on arrays held elsewhere gives the bits of
  // clipping, decay and the step done one after the other on Tensors, and
  // tells its hook the factor still to apply.
  for (float size : {5.0f, 0.01f})
    for (double l2 : {0.0, 0.01}) {
      Tensors byParts = {{1.0f, -0.5f}, {0.25f}}, together = byParts;
      Optimizer a(OptimKind::Adam, 0.1, {2, 1}),
          b(OptimKind::Adam, 0.1, {2, 1});
      const std::vector<bool> frozen = {false, true};
      for (int t = 0; t < 3; ++t) {
        Tensors grads = {{size * 0.3f * (t + 1), -size}, {size * 0.7f}};
        Tensors mine = grads;
        float seen = -1;
        double norm = -1;
        clipDecayStep(b, pointersOf(together), pointersOf(mine), frozen, 1.0,
                      l2, [&](float factor) { seen = factor; }, &norm);
        EXPECT_EQ(norm, globalNorm(grads));
        const float factor = clipFactor(grads, 1.0);
        clipGradNorm(grads, 1.0);
        EXPECT_EQ(seen, l2 == 0 ? factor : 1.0f);
        addWeightDecay(grads, byParts, l2);
        a.step(byParts, grads, frozen);
        if (l2 != 0)
          EXPECT_EQ(mine, grads); // clipped and decayed in place
      }
      EXPECT_EQ(byParts, together) << "size " << size << " l2 " << l2;
      EXPECT_EQ(together[1][0], 0.25f); // frozen
    }
}

TEST(DriverClip, PerNetworkEqualsEachNetworkAlone) {
  // Three networks, two tensors of 2 and 3 elements each, network after
  // network: network 0 over the limit, 1 below it, 2 all zeros.
  const Tensors original = {{3, 0.1f, 0.2f, 0.1f, 0, 0},
                            {12, 0.3f, 0.5f, 0.4f, 0, 0.1f, 0, 0, 0}};
  Tensors together = original;
  std::vector<double> norms = clipGradNormPerNetwork(together, 1.0, 3);
  ASSERT_EQ(norms.size(), 3u);
  auto part = [](const std::vector<float> &v, size_t e, size_t n) {
    return std::vector<float>(v.begin() + e * n, v.begin() + (e + 1) * n);
  };
  for (size_t e = 0; e < 3; ++e) {
    Tensors alone = {part(original[0], e, 2), part(original[1], e, 3)};
    EXPECT_EQ(norms[e], clipGradNorm(alone, 1.0)) << e;
    EXPECT_EQ(alone[0], part(together[0], e, 2)) << e;
    EXPECT_EQ(alone[1], part(together[1], e, 3)) << e;
  }
  EXPECT_GT(norms[0], 1.0); // clipped
  EXPECT_LT(norms[1], 1.0); // left alone
  EXPECT_EQ(norms[2], 0.0);
  EXPECT_NE(together[1][0], original[1][0]);
  EXPECT_EQ(together[1][3], original[1][3]);
}

TEST(DriverWeightDecay, AddsL2TimesTheParameter) {
  Tensors g = {{1, -1}, {0.5f}};
  const Tensors p = {{2, 4}, {-10}};
  addWeightDecay(g, p, 0.01);
  EXPECT_FLOAT_EQ(g[0][0], 1.02f);
  EXPECT_FLOAT_EQ(g[0][1], -0.96f);
  EXPECT_FLOAT_EQ(g[1][0], 0.4f);
  Tensors h = g;
  addWeightDecay(h, p, 0.0);
  EXPECT_EQ(h, g);
}

TEST(DriverWeightDecay, SgdStepWithDecay) {
  // PyTorch: grad + wd * p, then the update: p = 1 - 0.1 * (0.1 + 0.5 * 1).
  Tensors p = {{1.0f}}, g = {{0.1f}};
  addWeightDecay(g, p, 0.5);
  Optimizer sgd(OptimKind::SGD, 0.1, {1});
  sgd.step(p, g);
  EXPECT_FLOAT_EQ(p[0][0], 0.94f);
}

//===--- Reduce-on-plateau ---------------------------------------------===//

/// The learning rate after each loss, from `lr`.
std::vector<double> plateauLrs(double factor, int64_t patience, double lr,
                               const std::vector<double> &losses) {
  PlateauScheduler plateau(factor, patience);
  std::vector<double> lrs;
  for (double loss : losses)
    lrs.push_back(lr = plateau.step(loss, lr));
  return lrs;
}

TEST(DriverPlateau, ReducesAfterMoreThanPatienceEpochsWithoutImprovement) {
  // torch.optim.lr_scheduler.ReduceLROnPlateau(factor=0.5, patience=2),
  // mode min, threshold 1e-4 rel: an improvement is a loss below
  // best * (1 - 1e-4).
  //   1.0      best 1.0
  //   0.9      best 0.9
  //   0.95     bad 1
  //   0.9      bad 2 (equal is no improvement)
  //   0.89995  bad 3 > 2 (lower, but not by 1e-4 of 0.9): lr 0.5, bad 0
  //   0.8      best 0.8
  //   0.8 x 3  bad 1, 2, 3: lr 0.25
  EXPECT_EQ(plateauLrs(0.5, 2, 1.0,
                       {1.0, 0.9, 0.95, 0.9, 0.89995, 0.8, 0.8, 0.8, 0.8}),
            (std::vector<double>{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25}));
}

TEST(DriverPlateau, PatienceZeroNaNAndEps) {
  // Patience 0 reduces at every epoch without improvement; a NaN loss is
  // none. PyTorch skips a reduction smaller than eps = 1e-8: from 1e-8 the
  // rate stays.
  auto lrs = plateauLrs(0.1, 0, 1e-7, {1.0, std::nan(""), 1.0, 1.0});
  ASSERT_EQ(lrs.size(), 4u);
  EXPECT_DOUBLE_EQ(lrs[0], 1e-7);
  EXPECT_DOUBLE_EQ(lrs[1], 1e-8);
  EXPECT_DOUBLE_EQ(lrs[2], 1e-8);
  EXPECT_DOUBLE_EQ(lrs[3], 1e-8);
}

TEST(DriverPlateau, StateRoundTrips) {
  // A scheduler given the saved best and counter continues as the
  // original: the next epoch without improvement reduces.
  PlateauScheduler a(0.5, 1);
  EXPECT_EQ(a.step(2.0, 1.0), 1.0);
  EXPECT_EQ(a.step(3.0, 1.0), 1.0);
  EXPECT_EQ(a.best(), 2.0);
  EXPECT_EQ(a.badEpochs(), 1);
  PlateauScheduler b(0.5, 1);
  b.setState(a.best(), a.badEpochs());
  EXPECT_EQ(b.step(2.5, 1.0), 0.5);
  EXPECT_EQ(b.badEpochs(), 0);
}

TEST(DriverOptimizer, LearningRateCanChange) {
  // SGD's first step is lr * g: the new rate applies from the next step.
  Tensors p = {{1.0f}}, g = {{1.0f}};
  Optimizer sgd(OptimKind::SGD, 0.1, {1});
  sgd.setLr(0.01);
  EXPECT_EQ(sgd.lr(), 0.01);
  sgd.step(p, g);
  EXPECT_FLOAT_EQ(p[0][0], 0.99f);
}

} // namespace
