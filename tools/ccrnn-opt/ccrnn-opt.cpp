//===- ccrnn-opt.cpp - the ccrnn optimizer driver ---------------*- C++ -*-===//
//
// mlir-opt for ccrnn: parses, verifies and transforms model files with the
// ccrnn dialect, the upstream dialects the pipeline lowers through, and the
// ccrnn passes. MlirOptMain's steps, with one more: the input is checked
// against the parser's limits (ccrnn/Support/ParserLimits.h) before the
// parser sees it.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNDialect.h"
#include "ccrnnrt/CCRNNRTOps.h"
#include "ccrnn/Conversion/Passes.h"
#include "ccrnn/Pipeline/Pipeline.h"
#include "ccrnn/Support/ParserLimits.h"
#include "ccrnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdio>

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
  registry.insert<ccrnn::CCRNNDialect, ccrnnrt::CCRNNRTDialect,
                  mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::math::MathDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "ccrnn optimizer: compiles cerebro-cerebellar RNN models\n",
      registry);
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::MlirOptMainConfig config = mlir::MlirOptMainConfig::createFromCLOptions();
  // --show-dialects and --list-passes read no input.
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(llvm::outs(), nullptr, registry, config));
  if (inputFilename == "-" &&
      llvm::sys::Process::FileDescriptorIsDisplayed(fileno(stdin)))
    llvm::errs() << "(processing input from stdin now, hit ctrl-c/ctrl-d to "
                    "interrupt)\n";
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file =
      mlir::openInputFile(inputFilename, &error);
  if (!file) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (std::optional<std::string> limit = ccrnn::parserLimitDiagnostic(
          file->getBufferIdentifier(), file->getBuffer())) {
    llvm::errs() << *limit << "\n";
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(file), registry, config)))
    return 1;
  output->keep();
  return 0;
}
