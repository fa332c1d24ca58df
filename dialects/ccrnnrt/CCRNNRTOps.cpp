//===- CCRNNRTOps.cpp - the ccrnnrt dialect's ops ---------------*- C++ -*-===//
//
// Verifiers: a slice lies within the planned arena, views and copies keep
// the element count, an op names a kernel object of the right kind.
//
//===----------------------------------------------------------------------===//

#include "ccrnnrt/CCRNNRTOps.h"

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/CCRNNTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace ccrnnrt;

#include "ccrnnrt/CCRNNRTDialect.cpp.inc"

void CCRNNRTDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ccrnnrt/CCRNNRTOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "ccrnnrt/CCRNNRTOps.cpp.inc"

LogicalResult CCRNNRTDialect::verifyOperationAttribute(Operation *op,
                                                       NamedAttribute attr) {
  if (attr.getName() != kNetworksAttr)
    return op->emitOpError("unknown ccrnnrt attribute '")
           << attr.getName().getValue() << "'";
  auto networks = dyn_cast<IntegerAttr>(attr.getValue());
  if (!isa<ModuleOp>(op) || !networks || networks.getInt() < 2)
    return op->emitOpError("'")
           << kNetworksAttr
           << "' must be on a module, an integer of at least 2 (the networks "
              "of an ensemble)";
  return success();
}

LogicalResult CCRNNRTDialect::verifyRegionArgAttribute(Operation *op,
                                                       unsigned region,
                                                       unsigned argIndex,
                                                       NamedAttribute attr) {
  auto f = dyn_cast<FunctionOpInterface>(op);
  if (attr.getName() != kCallerResultAttr)
    return op->emitOpError("argument ")
           << argIndex << ": unknown ccrnnrt attribute '"
           << attr.getName().getValue() << "'";
  auto index = dyn_cast<IntegerAttr>(attr.getValue());
  if (!f || !index || index.getInt() < 0 ||
      index.getInt() >= int64_t(f.getNumResults()))
    return op->emitOpError("argument ")
           << argIndex << ": '" << kCallerResultAttr
           << "' must be the index of one of the function's results";
  Type arg = f.getArgumentTypes()[argIndex];
  Type result = f.getResultTypes()[index.getInt()];
  if (arg != result || !isa<MemRefType>(arg))
    return op->emitOpError("argument ")
           << argIndex << ": the caller's array for result " << index.getInt()
           << " must be a buffer of its type " << result << ", not " << arg;
  return success();
}

namespace {

int64_t elementCount(Type type) {
  return cast<MemRefType>(type).getNumElements();
}

/// The module's kernel object `index` of kind `Kind`; an error naming what
/// was expected otherwise.
template <typename Kind>
FailureOr<Kind> kernelObject(Operation *op, int64_t index, StringRef kind) {
  auto module = op->getParentOfType<ModuleOp>();
  auto kernels =
      module ? module->getAttrOfType<ArrayAttr>(ccrnn::kKernelsAttr) : nullptr;
  if (!kernels || index >= int64_t(kernels.size()))
    return op->emitOpError("names kernel object ")
           << index << ", but the module has "
           << (kernels ? kernels.size() : 0) << " (ccrnn.kernels)";
  auto object = dyn_cast<Kind>(kernels[index]);
  if (!object)
    return op->emitOpError("names kernel object ")
           << index << ", which is not a " << kind << ": " << kernels[index];
  return object;
}

} // namespace

LogicalResult SliceOp::verify() {
  auto module = (*this)->getParentOfType<ModuleOp>();
  auto plan = module ? module->getAttrOfType<ccrnn::MemoryPlanAttr>(
                           ccrnn::kMemoryPlanAttr)
                     : nullptr;
  if (!plan)
    return emitOpError("needs the module's ccrnn.memory_plan (the arena)");
  int64_t end = getOffset() + elementCount(getType());
  if (end > plan.getArena())
    return emitOpError("ends at float ")
           << end << ", beyond the arena of " << plan.getArena();
  return success();
}

LogicalResult ViewOp::verify() {
  if (elementCount(getInput().getType()) != elementCount(getType()))
    return emitOpError("views ")
           << elementCount(getInput().getType()) << " elements as "
           << elementCount(getType());
  return success();
}

LogicalResult CopyOp::verify() {
  if (elementCount(getInput().getType()) != elementCount(getOutput().getType()))
    return emitOpError("copies ")
           << elementCount(getInput().getType()) << " elements into "
           << elementCount(getOutput().getType());
  return success();
}

LogicalResult MatmulOp::verify() {
  FailureOr<ccrnn::MatmulKernelAttr> kernel =
      kernelObject<ccrnn::MatmulKernelAttr>(*this, getKernel(),
                                            "matrix product's");
  if (failed(kernel))
    return failure();
  if (kernel->getBias() != bool(getBias()))
    return emitOpError(kernel->getBias() ? "needs a bias: its kernel object "
                                           "adds one"
                                         : "has a bias its kernel object does "
                                           "not add");
  if (elementCount(getOutput().getType()) != kernel->getM() * kernel->getN())
    return emitOpError("writes ")
           << elementCount(getOutput().getType())
           << " elements; its kernel object computes " << kernel->getM()
           << " x " << kernel->getN();
  return success();
}

LogicalResult WindowForwardOp::verify() {
  return kernelObject<ccrnn::WindowKernelAttr>(*this, getKernel(),
                                               "recurrent window's");
}

LogicalResult WindowBackwardOp::verify() {
  return kernelObject<ccrnn::WindowKernelAttr>(*this, getKernel(),
                                               "recurrent window's");
}
