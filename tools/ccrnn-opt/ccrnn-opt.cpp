//===- ccrnn-opt.cpp - the ccrnn optimizer driver ---------------*- C++ -*-===//
//
// mlir-opt for ccrnn: parses, verifies and transforms model files with the
// ccrnn dialect, the upstream dialects the pipeline lowers through, and the
// ccrnn passes.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNDialect.h"
#include "ccrnn/Conversion/Passes.h"
#include "ccrnn/Pipeline/Pipeline.h"
#include "ccrnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"

int main(int argc, char **argv) {
  // libLLVM registers its code generators' options when it is loaded; none
  // applies to ccrnn-opt, so keep them out of --help (they still parse).
  // Options registered from here on (MLIR's, the passes') stay visible.
  for (auto &option : llvm::cl::getRegisteredOptions())
    if (option.first != "help" && option.first != "version")
      option.second->setHiddenFlag(llvm::cl::ReallyHidden);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  ccrnn::registerCCRNNPasses();
  ccrnn::registerCCRNNConversionPasses();
  ccrnn::registerTrainerPipeline();

  mlir::DialectRegistry registry;
  registry.insert<ccrnn::CCRNNDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::math::MathDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "ccrnn optimizer: compiles cerebro-cerebellar RNN models\n",
      registry));
}
