//===- DriverTrainingLoopTest.cpp - The training loop of a run -----------===//
//
// TrainingLoop (lib/Driver/TrainingLoop.h) with the fake trainer of
// FakeTrainer.h on the line-drawing task: an epoch's losses, the update of
// each batch (replayed here from the gradients the trainer wrote), frozen
// parameters in the lesion epochs, two seeds trained by one ensemble call
// against one by one, and a diverging loss.
//
//===----------------------------------------------------------------------===//

// An internal header of the driver, included by its path rather than by
// putting lib/Driver on the include path of every unit test, where its
// plain names (System.h, Arrays.h) could shadow others.
#include "../../lib/Driver/TrainingLoop.h"

#include "FakeTrainer.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Parameters.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace ccrnn::driver;
namespace fake = ccrnn::fake;
using fake::kBatch;
using fake::kSteps;

namespace {

/// A loop over one model (the fake) for the configuration, with the
/// pairs it trains.
struct Loop {
  TrainConfig cfg;
  std::vector<ModelEntry> models;
  std::unique_ptr<Task> task;
  std::unique_ptr<TrainingLoop> loop;
  Worker w;

  explicit Loop(TrainConfig c, ModelEntry m = fake::model("fake"))
      : cfg(std::move(c)), models{std::move(m)}, task(makeTask(cfg)),
        loop(std::make_unique<TrainingLoop>(cfg, *task, models)) {
    fake::clearLog();
  }
  /// Seed index s's pair, starting as a run starts it.
  std::unique_ptr<PairRun> pair(size_t s) {
    w.data[s] = task->seedData(cfg.seeds[s]);
    return startPair(cfg, fake::kDesc, s, 0, {});
  }
  std::vector<double> train(std::vector<PairRun *> runs, int64_t epoch) {
    return loop->trainEpoch(w, runs, epoch, nullptr);
  }
};

TEST(DriverTrainingLoop, AnEpochsLossIsTheMeanOfItsBatchesOnItsData) {
  Loop l(fake::smallConfig());
  auto p = l.pair(1);
  std::vector<std::pair<int64_t, int64_t>> done;
  const std::vector<double> losses =
      l.loop->trainEpoch(l.w, {p.get()}, 2, [&](int64_t b, int64_t n) {
        done.push_back({b, n});
      });
  const std::vector<fake::TrainCall> log = fake::trainLog();
  ASSERT_EQ(log.size(), 3u); // 12 samples, batches of 4
  EXPECT_EQ(done,
            (std::vector<std::pair<int64_t, int64_t>>{{1, 3}, {2, 3}, {3, 3}}));
  double sum = 0;
  for (const fake::TrainCall &c : log)
    sum += c.loss;
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_EQ(losses[0], sum / 3);
  // The batches are the epoch's samples of the pair's seed, in turn.
  EpochData e = l.task->epochData(l.w.data[1], l.cfg.seeds[1], 2, kBatch);
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t i = 0; i < kBatch; ++i)
      EXPECT_EQ(log[b].firstInputs[i],
                e.samples().inputs[(b * kBatch + i) * kSteps]);
}

// A first SGD step is p - lr g (PyTorch's momentum buffer starts as g).
TEST(DriverTrainingLoop, TheOptimizerMovesTheParametersAgainstTheGradient) {
  TrainConfig c = fake::smallConfig();
  c.optim = OptimKind::SGD;
  c.clip = 0;
  Loop l(c);
  auto p = l.pair(0);
  const Tensors before = p->params;
  l.train({p.get()}, 1);
  const std::vector<fake::TrainCall> log = fake::trainLog();
  ASSERT_EQ(log[0].params, before);
  const Tensors &g = log[0].grads;
  for (size_t j = 0; j < before.size(); ++j)
    for (size_t i = 0; i < before[j].size(); ++i) {
      ASSERT_NE(g[j][i], 0.0f);
      EXPECT_FLOAT_EQ(log[1].params[j][i], before[j][i] - float(c.lr) * g[j][i])
          << j << "," << i;
    }
}

// Each batch: clipping of the global norm, weight decay, one step of the
// pair's optimizer, from the gradient the trainer wrote; replayed here
// batch by batch (as TrainingLoop::update does it for each case: without
// weight decay the clipping factor is fused into the step).
TEST(DriverTrainingLoop, EachBatchIsClippedDecayedAndStepped) {
  for (double l2 : {0.0, 0.01}) {
    TrainConfig c = fake::smallConfig();
    c.clip = 0.05; // below the fake's gradient norms: clipping happens
    c.l2 = l2;
    Loop l(c);
    auto p = l.pair(0);
    Tensors want = p->params;
    Optimizer ref(c.optim, c.lr, parameterSizes(fake::kDesc));
    l.train({p.get()}, 1);
    l.train({p.get()}, 2);
    const std::vector<fake::TrainCall> log = fake::trainLog();
    ASSERT_EQ(log.size(), 6u);
    int clipped = 0;
    for (const fake::TrainCall &call : log) {
      EXPECT_EQ(call.params, want) << "call " << call.call << ", l2 " << l2;
      Tensors g = call.grads;
      clipped += clipFactor(g, c.clip) < 1;
      if (l2 == 0) {
        ref.step(want, g, {}, clipFactor(g, c.clip));
        continue;
      }
      clipGradNorm(g, c.clip);
      addWeightDecay(g, want, l2);
      ref.step(want, g);
    }
    EXPECT_GT(clipped, 0);
    EXPECT_EQ(p->params, want) << "l2 " << l2;
    EXPECT_EQ(p->optim->steps(), 6);
    for (size_t s = 0; s < ref.slotNames().size(); ++s)
      EXPECT_EQ(p->optim->slot(s), ref.slot(s));
  }
}

// SPEC §4: from --synth-ablation-epoch the frozen program trains and the
// synthesizer's weights stay; from --ablation-epoch the ablated one.
TEST(DriverTrainingLoop, LesionEpochsUseTheirProgramAndFreezeTheSynthesizer) {
  TrainConfig c = fake::smallConfig();
  c.epochs = 3;
  c.synthAblationEpoch = 2;
  c.ablationEpoch = 3;
  ModelEntry m = fake::model("fake");
  m.frozenApi = &fake::kFrozen;
  m.ablatedApi = &fake::kAblated;
  Loop l(c, m);
  const std::vector<const ccrnn_trainer_api *> programs = {
      &fake::kTrainer, &fake::kFrozen, &fake::kAblated};
  const std::vector<bool> learning = {false, false, false},
                          frozen = {false, false, true};
  for (int64_t e = 1; e <= 3; ++e) {
    EXPECT_EQ(l.loop->program(0, e), programs[e - 1]) << e;
    EXPECT_EQ(l.loop->frozenParameters(0, e), e == 1 ? learning : frozen);
  }
  auto p = l.pair(0);
  for (int64_t e = 1; e <= 3; ++e) {
    const Tensors before = p->params;
    const Tensors slotBefore = p->optim->slot(0);
    fake::clearLog();
    l.train({p.get()}, e);
    for (const fake::TrainCall &call : fake::trainLog())
      EXPECT_EQ(call.api, programs[e - 1]) << "epoch " << e;
    EXPECT_NE(p->params[0], before[0]) << "readout, epoch " << e;
    if (e == 1) {
      EXPECT_NE(p->params[fake::kSynth], before[fake::kSynth]);
      continue;
    }
    // Value and optimizer state as if it were not in the optimizer.
    EXPECT_EQ(p->params[fake::kSynth], before[fake::kSynth]) << e;
    EXPECT_EQ(p->optim->slot(0)[fake::kSynth], slotBefore[fake::kSynth]) << e;
  }
}

// --olive-lesion reference: from the lesion epoch the main program still
// computes the synthesizer's gradients; the optimizer leaves the
// synthesizer alone, but its gradients add up from batch to batch, count
// in the clipping norm and are scaled by its factor (the reference code's
// deleted optimizer group). Replayed batch by batch, for both update paths.
TEST(DriverTrainingLoop, ReferenceOliveLesionKeepsAndClipsTheSynthesizersGradients) {
  for (double l2 : {0.0, 0.01}) {
    TrainConfig c = fake::smallConfig();
    c.epochs = 3;
    c.synthAblationEpoch = 2;
    c.oliveLesion = "reference";
    c.clip = 0.05;
    c.l2 = l2;
    Loop l(c); // no frozen program: the driver builds none in this mode
    EXPECT_FALSE(l.loop->keepsFrozenGradients(1));
    EXPECT_TRUE(l.loop->keepsFrozenGradients(2));
    EXPECT_EQ(l.loop->frozenParameters(0, 2),
              (std::vector<bool>{false, false, true}));
    auto p = l.pair(0);
    const Tensors start = p->params;
    for (int64_t e = 1; e <= 3; ++e)
      l.train({p.get()}, e);
    const std::vector<fake::TrainCall> log = fake::trainLog();
    ASSERT_EQ(log.size(), 9u);
    Tensors want = start;
    Optimizer ref(c.optim, c.lr, parameterSizes(fake::kDesc));
    std::vector<float> kept(start[fake::kSynth].size(), 0.0f);
    int keptInNorm = 0;
    for (size_t k = 0; k < log.size(); ++k) {
      const bool lesioned = k >= 3;
      EXPECT_EQ(log[k].api, &fake::kTrainer) << "call " << k;
      EXPECT_EQ(log[k].params, want) << "call " << k << ", l2 " << l2;
      Tensors g = log[k].grads;
      std::vector<bool> frozen(g.size(), false);
      if (lesioned) {
        frozen[fake::kSynth] = true;
        for (size_t i = 0; i < kept.size(); ++i)
          g[fake::kSynth][i] += kept[i];
        keptInNorm += clipFactor(g, c.clip) != clipFactor(log[k].grads, c.clip);
      }
      float factor = 1.0f;
      if (l2 == 0) {
        factor = clipFactor(g, c.clip);
      } else {
        clipGradNorm(g, c.clip);
      }
      if (lesioned) {
        kept = g[fake::kSynth];
        for (float &x : kept)
          x *= factor;
      }
      if (l2 != 0)
        addWeightDecay(g, want, l2);
      ref.step(want, g, frozen, factor);
    }
    EXPECT_GT(keptInNorm, 0) << "the kept gradients changed no clipping";
    EXPECT_EQ(p->params, want) << "l2 " << l2;
    EXPECT_EQ(p->params[fake::kSynth], log[3].params[fake::kSynth]);
    EXPECT_EQ(p->frozenGradients[fake::kSynth], kept);
  }
}

TEST(DriverTrainingLoop, FixedSynthesizerNeverMoves) {
  TrainConfig c = fake::smallConfig();
  c.fixedSynth = true;
  Loop l(c);
  EXPECT_EQ(l.loop->frozenParameters(0, 1),
            (std::vector<bool>{false, false, true}));
  auto p = l.pair(0);
  const Tensors before = p->params;
  l.train({p.get()}, 1);
  EXPECT_EQ(fake::trainLog()[0].api, &fake::kTrainer); // the main program
  EXPECT_EQ(p->params[fake::kSynth], before[fake::kSynth]);
  EXPECT_NE(p->params[1], before[1]);
}

// One call for both seeds, each with its own batch, clipping and
// optimizer: each gets the bits it gets alone.
TEST(DriverTrainingLoop, TwoSeedsInOneEnsembleCallGiveTheBitsOfOneByOne) {
  TrainConfig c = fake::smallConfig();
  c.clip = 0.05; // per network: the two norms differ
  c.epochs = 3;
  c.ensemble = 2;
  ModelEntry m = fake::model("fake");
  m.ensembleApi = &fake::kPair;
  Loop alone(c, m), together(c, m);
  auto a0 = alone.pair(0), a1 = alone.pair(1);
  auto t0 = together.pair(0), t1 = together.pair(1);
  for (int64_t e = 1; e <= c.epochs; ++e) {
    const double l0 = alone.train({a0.get()}, e)[0];
    const double l1 = alone.train({a1.get()}, e)[0];
    fake::clearLog();
    const std::vector<double> both = together.train({t0.get(), t1.get()}, e);
    EXPECT_EQ(both, (std::vector<double>{l0, l1})) << "epoch " << e;
    const std::vector<fake::TrainCall> log = fake::trainLog();
    ASSERT_EQ(log.size(), 6u); // 3 calls, 2 networks each
    EXPECT_EQ(log[1].api, &fake::kPair);
    EXPECT_EQ(log[1].network, 1);
  }
  EXPECT_NE(a0->params, a1->params);
  for (auto [a, t] :
       {std::pair{a0.get(), t0.get()}, std::pair{a1.get(), t1.get()}}) {
    EXPECT_EQ(t->params, a->params) << "seed index " << a->s;
    EXPECT_EQ(t->optim->slot(1), a->optim->slot(1));
    EXPECT_EQ(t->optim->steps(), a->optim->steps());
  }
}

std::string divergedMessage(const std::function<void()> &f) {
  try {
    f();
  } catch (const DivergedError &e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DriverTrainingLoop, ANanLossThrowsDivergedErrorNamingSeedModelEpoch) {
  Loop l(fake::smallConfig());
  auto p = l.pair(1);
  l.train({p.get()}, 1); // calls 1-3
  fake::failAt(5);       // epoch 2, batch 2
  EXPECT_EQ(divergedMessage([&] { l.train({p.get()}, 2); }),
            "training loss is nan at seed 5, model fake, epoch 2, batch 2 "
            "of 3");
  // In an ensemble call: the seed of the network that diverged.
  TrainConfig c = fake::smallConfig();
  c.ensemble = 2;
  ModelEntry m = fake::model("fake_x2");
  m.ensembleApi = &fake::kPair;
  Loop k(c, m);
  auto q0 = k.pair(0), q1 = k.pair(1);
  fake::failAt(1, /*network=*/1);
  EXPECT_EQ(divergedMessage([&] {
              k.train({q0.get(), q1.get()}, 1);
            }),
            "training loss is nan at seed 5, model fake_x2, epoch 1, batch 1 "
            "of 3");
}

} // namespace
