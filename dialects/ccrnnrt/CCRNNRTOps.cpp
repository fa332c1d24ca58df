//===- CCRNNRTOps.cpp - the ccrnnrt dialect's ops ---------------*- C++ -*-===//
//
// Verifiers: a slice lies within the planned arena, views and copies keep
// the element count, an op names a kernel object of the right kind, an
// entry point reads and writes the C ABI's arrays as its function has them.
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
#include "ccrnnrt/CCRNNRTEnums.cpp.inc"

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

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

namespace {

EntryKind entryKindOf(Operation *op) {
  return op->getParentOfType<EntryPointOp>().getKind();
}

/// The networks of the module's ensemble (1 for a single network).
int64_t networksOf(Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  auto networks =
      module ? module->getAttrOfType<IntegerAttr>(CCRNNRTDialect::kNetworksAttr)
             : nullptr;
  return networks ? networks.getInt() : 1;
}

/// The entry points whose caller gives `array`.
bool isArrayOf(CallerArray array, EntryKind kind) {
  switch (array) {
  case CallerArray::Params:
  case CallerArray::Inputs:
  case CallerArray::Targets:
    return true;
  case CallerArray::InitialState:
  case CallerArray::FibreMask:
    return kind != EntryKind::Eval;
  case CallerArray::Grads:
  case CallerArray::FinalState:
    return kind == EntryKind::Train;
  case CallerArray::Losses:
    return kind == EntryKind::Train;
  case CallerArray::Predictions:
    return kind == EntryKind::Eval;
  case CallerArray::RecordState:
  case CallerArray::RecordSynthetic:
  case CallerArray::RecordTargetGrad:
  case CallerArray::RecordTrueGrad:
  case CallerArray::RecordActivity:
    return kind == EntryKind::Record;
  }
  return false;
}

/// Checks that `op` names `array` with the index and offset it needs and of
/// an entry point that has it.
LogicalResult verifyArrayUse(Operation *op, CallerArray array, bool hasIndex,
                             bool hasOffset) {
  EntryKind kind = entryKindOf(op);
  StringRef name = stringifyCallerArray(array);
  if (!isArrayOf(array, kind))
    return op->emitOpError("names the caller's '")
           << name << "', which the " << stringifyEntryKind(kind)
           << " entry point has not";
  bool indexed = array == CallerArray::Params || array == CallerArray::Grads;
  if (hasIndex != indexed)
    return op->emitOpError(indexed ? "needs the index of the caller's '"
                                   : "has an index, which the caller's '")
           << name << (indexed ? "' array it names" : "' does not take");
  bool pieced =
      array == CallerArray::InitialState || array == CallerArray::FinalState;
  if (hasOffset != pieced)
    return op->emitOpError(pieced ? "needs the offset into a network's state "
                                    "of the caller's '"
                                  : "has an offset, which the caller's '")
           << name << (pieced ? "' piece it names" : "' does not take");
  return success();
}

} // namespace

LogicalResult EntryPointOp::verify() {
  for (auto other : (*this)->getParentOfType<ModuleOp>().getOps<EntryPointOp>())
    if (other->isBeforeInBlock(*this) && other.getKind() == getKind())
      return emitOpError("is the module's second ")
             << stringifyEntryKind(getKind()) << " entry point";
  return success();
}

LogicalResult EntryReturnOp::verify() {
  bool returnsLoss = entryKindOf(*this) != EntryKind::Record;
  if (bool(getLoss()) != returnsLoss)
    return emitOpError(returnsLoss ? "must return the loss: a "
                                   : "returns a loss, which a ")
           << stringifyEntryKind(entryKindOf(*this)) << " entry point "
           << (returnsLoss ? "returns one" : "does not return");
  return success();
}

LogicalResult CallerArrayOp::verify() {
  CallerArray array = getArray();
  StringRef name = stringifyCallerArray(array);
  bool read = array <= CallerArray::Grads;
  if (!read)
    return emitOpError("reads the caller's '")
           << name << "', which an entry point writes (ccrnnrt.to_caller)";
  if (failed(verifyArrayUse(*this, array, bool(getIndex()), bool(getOffset()))))
    return failure();
  bool optional =
      array == CallerArray::InitialState || array == CallerArray::FibreMask;
  if (bool(getAbsent()) != optional)
    return emitOpError(optional ? "needs the value of the caller's '"
                                : "has a value for an absent '")
           << name
           << (optional ? "' where the caller gives none (`or`)"
                        : "', which the caller always gives");
  if (isa<IntegerType>(cast<MemRefType>(getType()).getElementType()) &&
      array != CallerArray::Targets)
    return emitOpError("reads the caller's '")
           << name << "' as labels; only targets may be";
  if (std::optional<int64_t> staged = getStaged()) {
    if (array == CallerArray::Grads)
      return emitOpError("stages the caller's 'grads', which it writes");
    auto module = (*this)->getParentOfType<ModuleOp>();
    auto plan =
        module->getAttrOfType<ccrnn::MemoryPlanAttr>(ccrnn::kMemoryPlanAttr);
    // Labels are int64: two floats each.
    int64_t floats =
        networksOf(*this) * elementCount(getType()) *
        (isa<IntegerType>(cast<MemRefType>(getType()).getElementType()) ? 2
                                                                        : 1);
    int64_t end = *staged + floats;
    if (!plan || end > plan.getStaging())
      return emitOpError("is staged up to float ")
             << end << ", beyond the staging buffer of "
             << (plan ? plan.getStaging() : 0) << " (ccrnn.memory_plan)";
  }
  return success();
}

LogicalResult ToCallerOp::verify() {
  CallerArray array = getArray();
  if (array < CallerArray::Grads)
    return emitOpError("writes the caller's '")
           << stringifyCallerArray(array)
           << "', which an entry point reads (ccrnnrt.caller_array)";
  return verifyArrayUse(*this, array, bool(getIndex()), bool(getOffset()));
}

LogicalResult StepGraphOp::verifyRegions() {
  // The block's terminator has been verified (a step_graph_yield).
  auto yield = dyn_cast<StepGraphYieldOp>(getBody().front().back());
  if (yield && yield.getResults().getTypes() != getResultTypes())
    return emitOpError("yields ") << yield.getResults().size()
                                  << " buffers of other types than its results";
  return success();
}
