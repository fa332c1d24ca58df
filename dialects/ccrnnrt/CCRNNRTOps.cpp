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
  bool labels =
      isa<IntegerType>(cast<MemRefType>(getType()).getElementType());
  if (labels && getFill())
    return emitOpError("fills int64 elements, which only a float slice may");
  int64_t end = getOffset() + elementCount(getType()) * (labels ? 2 : 1);
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
    return true;
  case CallerArray::Inputs:
  case CallerArray::Targets:
    return kind != EntryKind::Decode;
  case CallerArray::InitialState:
    return kind == EntryKind::Train || kind == EntryKind::Record ||
           kind == EntryKind::EvalWindow;
  case CallerArray::FibreMask:
    return kind == EntryKind::Train || kind == EntryKind::Record;
  case CallerArray::VectorInput:
  case CallerArray::Statistics:
    return kind == EntryKind::Train || kind == EntryKind::EvalWindow ||
           kind == EntryKind::Decode;
  case CallerArray::DropoutMask:
  case CallerArray::Grads:
  case CallerArray::Losses:
  case CallerArray::NewStatistics:
    return kind == EntryKind::Train;
  case CallerArray::FinalState:
    return kind == EntryKind::Train || kind == EntryKind::EvalWindow;
  case CallerArray::Predictions:
    return kind == EntryKind::Eval || kind == EntryKind::EvalWindow;
  case CallerArray::RecordState:
  case CallerArray::RecordSynthetic:
  case CallerArray::RecordTargetGrad:
  case CallerArray::RecordTrueGrad:
  case CallerArray::RecordActivity:
    return kind == EntryKind::Record;
  case CallerArray::DecodedTokens:
    return kind == EntryKind::Decode;
  }
  return false;
}

/// Whether the caller gives pieces of `array` at an offset into each
/// network's state or statistics (or decode's tokens, a step's piece).
bool isPieced(CallerArray array) {
  return array == CallerArray::InitialState ||
         array == CallerArray::FinalState ||
         array == CallerArray::Statistics ||
         array == CallerArray::NewStatistics ||
         array == CallerArray::DecodedTokens;
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
  bool pieced = isPieced(array);
  if (hasOffset != pieced)
    return op->emitOpError(pieced ? "needs the offset into a network's "
                                    "state or statistics of the caller's '"
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
  EntryKind kind = entryKindOf(*this);
  bool returnsLoss = kind != EntryKind::Record && kind != EntryKind::Decode;
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
  bool optional = array == CallerArray::InitialState ||
                  array == CallerArray::FibreMask ||
                  array == CallerArray::DropoutMask;
  if (bool(getAbsent()) != optional)
    return emitOpError(optional ? "needs the value of the caller's '"
                                : "has a value for an absent '")
           << name
           << (optional ? "' where the caller gives none (`or`)"
                        : "', which the caller always gives");
  if (isa<IntegerType>(cast<MemRefType>(getType()).getElementType()) &&
      array != CallerArray::Targets && array != CallerArray::Inputs)
    return emitOpError("reads the caller's '")
           << name << "' as labels; only inputs and targets may be";
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
  bool labels =
      isa<IntegerType>(cast<MemRefType>(getInput().getType()).getElementType());
  if (labels != (array == CallerArray::DecodedTokens))
    return emitOpError("writes the caller's '")
           << stringifyCallerArray(array)
           << (labels ? "' from labels; only decode's tokens are int64"
                      : "' from floats; decode's tokens are int64");
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
