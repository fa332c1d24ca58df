//===- ccrnn-run.cpp - run a ccrnn function on .npz data --------*- C++ -*-===//
//
// Evaluates one func.func of a tensor-level ccrnn program with the
// double-precision reference evaluator. Arguments are looked up in an .npz
// archive by their `ccrnn.name` argument attribute; results are written to an
// .npz under their `ccrnn.name` result attribute ("result<i>" without one),
// floats as float64.
//
//===----------------------------------------------------------------------===//

#include "NpzIO.h"

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/CCRNNDialect.h"
#include "ccrnn/CCRNNTypes.h"
#include "ccrnn/Reference/Evaluator.h"
#include "ccrnn/Support/ParserLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("ccrnn-run options");
static cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                          cl::desc("<input.mlir>"),
                                          cl::cat(category));
static cl::opt<std::string> functionName("function", cl::Required,
                                         cl::desc("The func.func to run"),
                                         cl::value_desc("name"),
                                         cl::cat(category));
static cl::opt<std::string>
    inputsFilename("inputs", cl::Required,
                   cl::desc("The arguments, by their ccrnn.name"),
                   cl::value_desc("file.npz"), cl::cat(category));
static cl::opt<std::string>
    outputFilename("output", cl::Required,
                   cl::desc("Where to write the results, by their ccrnn.name"),
                   cl::value_desc("file.npz"), cl::cat(category));

using ccrnn::kNameAttr;

static int fail(const llvm::Twine &message) {
  llvm::errs() << "ccrnn-run: " << message << "\n";
  return 1;
}

/// The shape a value of `type` has: a scalar's is [], a tensor's its type's
/// (dynamic sizes included).
static llvm::ArrayRef<int64_t> shapeOf(Type type) {
  if (auto tensorType = dyn_cast<RankedTensorType>(type))
    return tensorType.getShape();
  return {};
}

static bool fits(llvm::ArrayRef<int64_t> shape, Type type) {
  llvm::ArrayRef<int64_t> expected = shapeOf(type);
  return shape.size() == expected.size() &&
         llvm::all_of(llvm::zip(shape, expected), [](auto sizes) {
           auto [size, want] = sizes;
           return ShapedType::isDynamic(want) || size == want;
         });
}

static bool isIntegerType(Type type) {
  return getElementTypeOrSelf(type).isIntOrIndex();
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "ccrnn-run: evaluates a function of a tensor-level ccrnn program in "
      "double precision\n");

  DialectRegistry registry;
  registry.insert<ccrnn::CCRNNDialect, arith::ArithDialect, func::FuncDialect,
                  math::MathDialect, scf::SCFDialect, tensor::TensorDialect>();
  MLIRContext context(registry);
  // The location and the op's source line say where; a dump of the op
  // in generic form would not help.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file =
      openInputFile(inputFilename, &error);
  if (!file)
    return fail(error);
  if (std::optional<std::string> limit = ccrnn::parserLimitDiagnostic(
          file->getBufferIdentifier(), file->getBuffer())) {
    llvm::errs() << *limit << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  auto func = module->lookupSymbol<func::FuncOp>(functionName);
  if (!func)
    return fail("--function: " + inputFilename + " has no func.func @" +
                functionName);

  ccrnn::npz::Archive inputs;
  error = ccrnn::run::readArchive(inputsFilename, inputs);
  if (!error.empty())
    return fail("--inputs: " + error);
  std::vector<ccrnn::reference::Tensor> arguments;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    std::string where =
        "argument #" + std::to_string(i) + " of @" + functionName.getValue();
    auto name = func.getArgAttrOfType<StringAttr>(i, kNameAttr);
    if (!name)
      return fail(where + " has no " + kNameAttr.str() + " attribute");
    auto array = inputs.find(name.str());
    if (array == inputs.end())
      return fail("--inputs: " + inputsFilename + " has no array '" +
                  name.str() + "' (" + where + ")");
    if (!fits(array->second.shape, type))
      return fail("--inputs: array '" + name.str() + "' of " + inputsFilename +
                  " has shape " + ccrnn::formatShape(array->second.shape) +
                  ", but " + where + " needs shape " +
                  ccrnn::formatShape(shapeOf(type)));
    arguments.push_back({array->second.shape, array->second.data});
  }

  FailureOr<std::vector<ccrnn::reference::Tensor>> results =
      ccrnn::reference::Evaluator(*module).call(functionName, arguments);
  if (failed(results))
    return 1;

  ccrnn::npz::Archive outputs;
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    auto nameAttr = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
    std::string name = nameAttr ? nameAttr.str() : "result" + std::to_string(i);
    ccrnn::reference::Tensor &result = (*results)[i];
    ccrnn::npz::DType dtype =
        isIntegerType(type) ? ccrnn::npz::DType::I64 : ccrnn::npz::DType::F64;
    if (!outputs
             .try_emplace(name,
                          ccrnn::npz::Array{std::move(result.shape),
                                            std::move(result.data), dtype})
             .second)
      return fail("two results of @" + functionName + " are named '" + name +
                  "'");
  }
  error = ccrnn::run::writeArchive(outputFilename, outputs);
  if (!error.empty())
    return fail("--output: " + error);
  return 0;
}
