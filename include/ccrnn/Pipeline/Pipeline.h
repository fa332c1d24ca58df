//===- Pipeline.h - the trainer pipeline ------------------------*- C++ -*-===//
//
// The one pass pipeline from a model file to a lowered training program
// (what ccrnn-translate --emit-trainer prints): configure-model (when sizes
// are given), build-training, autodiff, optimize, inline-windows,
// convert-ccrnn-to-onednn, and ensemble (when K > 1). Registered as
// `--ccrnn-trainer-pipeline='bptt=1 interval=2 ...'`; every caller (the
// driver, CMake, the GPU bundle, the tests) uses it instead of a pass list.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_PIPELINE_PIPELINE_H
#define CCRNN_PIPELINE_PIPELINE_H

#include "ccrnn/Support/TrainerOptions.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace ccrnn {

/// The pipeline's options as MLIR pass options (for parsing the textual
/// pipeline and for --help); a view of TrainerOptions, field for field.
struct TrainerPipelineOptions
    : public mlir::PassPipelineOptions<TrainerPipelineOptions> {
  Option<int64_t> hidden{*this, "hidden",
                         llvm::cl::desc("Hidden units of each recurrent layer "
                                        "(0: the model file's)"),
                         llvm::cl::init(0)};
  Option<int64_t> layers{*this, "layers",
                         llvm::cl::desc("Stacked recurrent layers (0: the "
                                        "model file's)"),
                         llvm::cl::init(0)};
  Option<int64_t> synthLayers{
      *this, "synth-layers",
      llvm::cl::desc("Hidden layers of the cerebellum (-1: the model's)"),
      llvm::cl::init(-1)};
  Option<int64_t> synthWidth{
      *this, "synth-width",
      llvm::cl::desc("Width of the cerebellum's hidden layers (0: the "
                     "model's)"),
      llvm::cl::init(0)};
  Option<double> synthScale{
      *this, "synth-scale",
      llvm::cl::desc("Scale of the synthetic gradient (negative: the "
                     "model's)"),
      llvm::cl::init(-1.0)};
  Option<std::string> context{
      *this, "context",
      llvm::cl::desc("Target context of the cerebellum: on, off or keep"),
      llvm::cl::init("keep")};
  Option<int64_t> vocab{
      *this, "vocab",
      llvm::cl::desc("A token model's vocabulary (0: the model's)"),
      llvm::cl::init(0)};
  Option<int64_t> vectorInputs{
      *this, "vector-inputs",
      llvm::cl::desc("A token model's vector input width (0: the model's)"),
      llvm::cl::init(0)};
  Option<int64_t> bptt{*this, "bptt",
                       llvm::cl::desc("Truncation window T in steps"),
                       llvm::cl::init(1)};
  Option<int64_t> interval{*this, "interval",
                           llvm::cl::desc("Feedback interval k"),
                           llvm::cl::init(1)};
  Option<int64_t> batch{*this, "batch", llvm::cl::desc("Batch size B"),
                        llvm::cl::init(50)};
  Option<int64_t> steps{*this, "steps", llvm::cl::desc("Sequence length L"),
                        llvm::cl::init(10)};
  Option<std::string> loss{*this, "loss",
                           llvm::cl::desc("mse or xent (default: the "
                                          "model's)"),
                           llvm::cl::init("")};
  Option<bool> predictLast{
      *this, "predict-last",
      llvm::cl::desc("Readout and loss at the last step only"),
      llvm::cl::init(false)};
  Option<std::string> cerebellum{
      *this, "cerebellum",
      llvm::cl::desc("train, frozen (inferior-olive lesion) or off "
                     "(cerebellar ablation)"),
      llvm::cl::init("train")};
  Option<int64_t> fibres{*this, "fibres",
                         llvm::cl::desc("Sparse mossy fibres (0: dense)"),
                         llvm::cl::init(0)};
  Option<bool> record{*this, "record",
                      llvm::cl::desc("Also build the feedback recording "
                                     "program"),
                      llvm::cl::init(false)};
  Option<bool> firstWindow{
      *this, "first-window",
      llvm::cl::desc("A token model's first window (its prepended step)"),
      llvm::cl::init(false)};
  Option<int64_t> decode{
      *this, "decode",
      llvm::cl::desc("A token model's greedy decoder: its steps (0: none)"),
      llvm::cl::init(0)};
  Option<int64_t> ensemble{*this, "ensemble",
                           llvm::cl::desc("Networks per call (ccrnn-ensemble)"),
                           llvm::cl::init(1)};

  /// The options as the MLIR-free type.
  TrainerOptions toTrainerOptions() const;
};

/// Adds the trainer pipeline for `options` to `pm` (a module pass manager).
void buildTrainerPipeline(mlir::OpPassManager &pm,
                          const TrainerOptions &options);

/// Registers `--ccrnn-trainer-pipeline`.
void registerTrainerPipeline();

} // namespace ccrnn

#endif // CCRNN_PIPELINE_PIPELINE_H
