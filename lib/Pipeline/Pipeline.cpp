//===- Pipeline.cpp - the trainer pipeline ----------------------*- C++ -*-===//

#include "ccrnn/Pipeline/Pipeline.h"

#include "ccrnn/Conversion/Passes.h"
#include "ccrnn/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace ccrnn {

TrainerOptions TrainerPipelineOptions::toTrainerOptions() const {
  TrainerOptions o;
#define COPY_SIZE(field) o.sizes.field = field;
#define COPY(field) o.field = field;
  CCRNN_MODEL_SIZE_FIELDS(COPY_SIZE)
  CCRNN_TRAINING_OPTION_FIELDS(COPY)
#undef COPY_SIZE
#undef COPY
  o.ensemble = ensemble;
  return o;
}

void buildTrainerPipeline(OpPassManager &pm, const TrainerOptions &o) {
  if (!o.sizes.keepsModel())
    pm.addPass(createCCRNNConfigureModel(CCRNNConfigureModelOptions{
        o.sizes.hidden, o.sizes.layers, o.sizes.synthLayers, o.sizes.synthWidth,
        o.sizes.synthScale, o.sizes.context, o.sizes.vocab,
        o.sizes.vectorInputs}));
  pm.addPass(createCCRNNBuildTraining(CCRNNBuildTrainingOptions{
      o.bptt, o.interval, o.loss, o.predictLast, o.batch, o.steps, o.cerebellum,
      o.fibres, o.record, o.firstWindow, o.decode}));
  pm.addPass(createCCRNNAutodiff());
  pm.addPass(createCCRNNOptimize());
  pm.addPass(createCCRNNInlineWindows());
  pm.addPass(createConvertCCRNNToOneDNN());
  // An ensemble of one is the single program; the pass checks the size.
  if (o.ensemble != 1)
    pm.addPass(createCCRNNEnsemble(CCRNNEnsembleOptions{o.ensemble}));
}

void registerTrainerPipeline() {
  // Idempotent: tests register it once per test.
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  PassPipelineRegistration<TrainerPipelineOptions>(
      "ccrnn-trainer-pipeline",
      "Compile every model of the module into its lowered training program "
      "(configure-model when sizes are given, build-training, autodiff, "
      "optimize, inline-windows, convert-ccrnn-to-onednn, ensemble when "
      "ensemble > 1): what ccrnn-translate --emit-trainer prints",
      [](OpPassManager &pm, const TrainerPipelineOptions &options) {
        buildTrainerPipeline(pm, options.toTrainerOptions());
      });
}

} // namespace ccrnn
