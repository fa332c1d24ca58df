//===- ccrnn-translate.cpp - emit generated trainers ------------*- C++ -*-===//
//
// Translates a compiled training program (ccrnn-opt --ccrnn-build-training
// --ccrnn-autodiff ...) into the source of a generated trainer.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNDialect.h"
#include "ccrnnrt/CCRNNRTOps.h"
#include "ccrnn/Support/ParserLimits.h"
#include "ccrnn/Target/CppTrainer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Target { Cpp, CUDA };

cl::OptionCategory category("ccrnn-translate options");
cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<program.mlir>"),
                                   cl::init("-"), cl::cat(category));
cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                    cl::value_desc("file"), cl::init("-"),
                                    cl::cat(category));
cl::opt<Target> emitTrainer(
    "emit-trainer", cl::desc("The trainer to emit"), cl::Required,
    cl::values(clEnumValN(Target::Cpp, "cpp",
                          "C++ on the CPU kernels (oneDNN)"),
               clEnumValN(Target::CUDA, "cuda",
                          "C++ on the CUDA kernels (cuBLAS; device memory)")),
    cl::cat(category));
cl::opt<std::string>
    trainerId("trainer-id",
              cl::desc("Export the trainer as ccrnn_trainer_<id> (default: "
                       "the model name)"),
              cl::cat(category));
cl::opt<bool> trainerEntry(
    "trainer-entry",
    cl::desc("Also export ccrnn_trainer_entry (for a shared object)"),
    cl::cat(category));
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "ccrnn-translate: emits generated trainers\n");

  MLIRContext context;
  // A diagnostic names its line; dumping the whole program after it buries it.
  context.printOpOnDiagnostic(false);
  context.loadDialect<ccrnn::CCRNNDialect, ccrnnrt::CCRNNRTDialect,
                      arith::ArithDialect,
                      func::FuncDialect, scf::SCFDialect>();
  std::string error;
  auto input = openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << "ccrnn-translate: " << error << "\n";
    return 1;
  }
  if (std::optional<std::string> limit = ccrnn::parserLimitDiagnostic(
          input->getBufferIdentifier(), input->getBuffer())) {
    llvm::errs() << *limit << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return 1;

  // Emit into memory first: a failed translation writes no output file.
  std::string text;
  llvm::raw_string_ostream os(text);
  ccrnn::CppTrainerOptions options{
      trainerId, trainerEntry,
      emitTrainer == Target::CUDA ? ccrnn::TrainerTarget::CUDA
                                  : ccrnn::TrainerTarget::CPU};
  if (failed(ccrnn::prepareForEmission(*module, options.target)) ||
      failed(ccrnn::emitCppTrainer(*module, os, options)))
    return 1;
  auto output = openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "ccrnn-translate: " << error << "\n";
    return 1;
  }
  output->os() << text;
  output->keep();
  return 0;
}
