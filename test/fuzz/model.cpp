//===- model.cpp - Fuzz harness: model text to a C++ trainer --------------===//
//
// The input is a model file: parsed and verified (as ccrnn-opt does), run
// through the trainer pipeline (--ccrnn-trainer-pipeline) and the C++
// emitter (ccrnn-translate --emit-trainer=cpp), all in memory. The
// pipeline's sizes are small (3 hidden units, one layer, a cerebellum of
// one layer of 4) so that an execution stays cheap whatever sizes the text
// asks for; the training options vary with the input's length. Errors are
// diagnostics (swallowed); a crash, a sanitizer report or a hang is a
// finding. Inputs over 4 KiB are skipped (the parser's limits on nesting
// and number length are checked by the tools; docs/Reliability.md).
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "ccrnn/CCRNNDialect.h"
#include "ccrnn/Pipeline/Pipeline.h"
#include "ccrnn/Target/CppTrainer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace ccrnn::fuzz {

namespace {

constexpr size_t kMaxModelBytes = 4096;

/// The options of an input of `size` bytes: a few shapes of training
/// program, all small.
TrainerOptions optionsFor(size_t size) {
  TrainerOptions o;
  o.sizes.hidden = 3;
  o.sizes.layers = 1;
  o.sizes.synthLayers = 1;
  o.sizes.synthWidth = 4;
  o.batch = 2;
  o.steps = 4;
  switch (size % 4) {
  case 0:
    o.bptt = 1, o.interval = 2;
    break;
  case 1:
    o.bptt = 2, o.interval = 1, o.record = true;
    break;
  case 2:
    o.bptt = 3, o.interval = 1, o.predictLast = true, o.fibres = 2;
    break;
  default:
    o.bptt = 2, o.interval = 2, o.cerebellum = "frozen", o.ensemble = 2;
    break;
  }
  return o;
}

} // namespace

int modelText(const uint8_t *data, size_t size) {
  if (size > kMaxModelBytes)
    return 0;
  static const mlir::DialectRegistry registry = [] {
    mlir::DialectRegistry r;
    r.insert<ccrnn::CCRNNDialect, mlir::arith::ArithDialect,
             mlir::func::FuncDialect, mlir::math::MathDialect,
             mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
    return r;
  }();
  // A fresh context per input: nothing one input interns affects the next.
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  // A std::string: the parser, like the tools' file buffers, needs the
  // text NUL-terminated.
  const std::string text(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text,
                                              mlir::ParserConfig(&context));
  if (!module)
    return 0;
  mlir::PassManager pm(&context);
  buildTrainerPipeline(pm, optionsFor(size));
  if (mlir::failed(pm.run(*module)) ||
      mlir::failed(prepareForEmission(*module, TrainerTarget::CPU)))
    return 0;
  std::string out;
  llvm::raw_string_ostream os(out);
  (void)emitCppTrainer(*module, os, CppTrainerOptions{});
  return 0;
}

} // namespace ccrnn::fuzz
