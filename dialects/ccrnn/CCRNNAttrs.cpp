//===- CCRNNAttrs.cpp - the training program's contract ---------*- C++ -*-===//

#include "ccrnn/CCRNNAttrs.h"

#include "ccrnn/CCRNNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace ccrnn;

#define GET_ATTRDEF_CLASSES
#include "ccrnn/CCRNNAttrs.cpp.inc"

void CCRNNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "ccrnn/CCRNNAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

std::optional<Role> ccrnn::getArgumentRole(FunctionOpInterface f, unsigned i) {
  if (auto role = f.getArgAttrOfType<RoleAttr>(i, kRoleAttr))
    return role.getValue();
  return std::nullopt;
}

std::optional<Role> ccrnn::getResultRole(FunctionOpInterface f, unsigned i) {
  if (auto role = f.getResultAttrOfType<RoleAttr>(i, kRoleAttr))
    return role.getValue();
  return std::nullopt;
}

SmallVector<unsigned> ccrnn::getArgumentsWithRole(FunctionOpInterface f,
                                                  Role role) {
  SmallVector<unsigned> indices;
  for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
    if (getArgumentRole(f, i) == role)
      indices.push_back(i);
  return indices;
}

StringRef ccrnn::getArgumentName(FunctionOpInterface f, unsigned i) {
  auto name = f.getArgAttrOfType<StringAttr>(i, kNameAttr);
  return name ? name.getValue() : StringRef();
}

StringRef ccrnn::getResultName(FunctionOpInterface f, unsigned i) {
  auto name = f.getResultAttrOfType<StringAttr>(i, kNameAttr);
  return name ? name.getValue() : StringRef();
}

void ccrnn::setArgumentContract(FunctionOpInterface f, unsigned i,
                                StringRef name, Role role) {
  Builder b(f.getContext());
  f.setArgAttr(i, kNameAttr, b.getStringAttr(name));
  f.setArgAttr(i, kRoleAttr, RoleAttr::get(f.getContext(), role));
}

void ccrnn::setResultContract(FunctionOpInterface f, unsigned i, StringRef name,
                              Role role) {
  Builder b(f.getContext());
  f.setResultAttr(i, kNameAttr, b.getStringAttr(name));
  f.setResultAttr(i, kRoleAttr, RoleAttr::get(f.getContext(), role));
}

Attribute ccrnn::getPlannedStorage(OpResult v) {
  auto storage = v.getOwner()->getAttrOfType<ArrayAttr>(kStorageAttr);
  if (!storage || v.getResultNumber() >= storage.size())
    return nullptr;
  return storage[v.getResultNumber()];
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

namespace {

/// Checks a `ccrnn.*` attribute of a function's argument or result: `what`
/// is "argument" or "result", `type` the value's type.
LogicalResult verifyValueAttribute(Operation *op, StringRef what,
                                   unsigned index, Type type,
                                   NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  auto fail = [&](const Twine &expected) {
    return op->emitOpError()
           << what << " " << index << ": '" << name << "' must be " << expected;
  };
  if (name == kNameAttr) {
    auto s = dyn_cast<StringAttr>(attr.getValue());
    if (!s || s.getValue().empty())
      return fail("a non-empty string");
    return success();
  }
  if (name == kRoleAttr) {
    if (!isa<RoleAttr>(attr.getValue()))
      return fail("a role (#ccrnn.role<...>)");
    return success();
  }
  if (name == kStagedAttr && what == "argument") {
    auto offset = dyn_cast<IntegerAttr>(attr.getValue());
    if (!offset || offset.getInt() < 0)
      return fail("a non-negative integer (a staging offset)");
    return success();
  }
  if (name == kCallerStorageAttr && what == "result") {
    if (!isa<UnitAttr>(attr.getValue()))
      return fail("a unit attribute");
    return success();
  }
  if (name == kParameterAttr && what == "argument") {
    if (!isa<ParameterAttr>(attr.getValue()))
      return fail("a parameter description (#ccrnn.parameter<...>)");
    // A tensor, or a buffer once the program is on ccrnnrt's level.
    auto shaped = dyn_cast<ShapedType>(type);
    if (!shaped || !isa<RankedTensorType, MemRefType>(type) ||
        !shaped.getElementType().isF32())
      return fail("on an f32 tensor or buffer argument, not " +
                  llvm::formatv("{0}", type).str());
    return success();
  }
  return op->emitOpError() << what << " " << index
                           << ": unknown ccrnn attribute '" << name << "'";
}

/// Checks an op's ccrnn.storage: one entry per result, a slot (a carried
/// value's slices for a loop) with an offset where its kind needs one.
LogicalResult verifyStorage(Operation *op, NamedAttribute attr) {
  auto fail = [&]() {
    return op->emitOpError() << "'" << attr.getName().getValue() << "' ";
  };
  auto storage = dyn_cast<ArrayAttr>(attr.getValue());
  if (!storage || storage.size() != op->getNumResults())
    return fail() << "must be an array of one #ccrnn.slot or #ccrnn.carried "
                     "per result ("
                  << op->getNumResults() << ")";
  for (auto [i, entry] : llvm::enumerate(storage)) {
    if (auto carried = dyn_cast<CarriedAttr>(entry)) {
      if (op->getNumRegions() == 0)
        return fail() << "result " << i
                      << ": #ccrnn.carried is for the results of a loop";
      if (carried.getOffset() < 0 || carried.getSwap() < -1)
        return fail() << "result " << i
                      << ": #ccrnn.carried needs non-negative offsets";
      continue;
    }
    auto slot = dyn_cast<SlotAttr>(entry);
    if (!slot)
      return fail() << "result " << i
                    << ": expected a #ccrnn.slot or #ccrnn.carried";
    bool needsOffset = slot.getKind() == StorageKind::Arena ||
                       slot.getKind() == StorageKind::Caller;
    if (needsOffset != (slot.getOffset() >= 0) || slot.getOffset() < -1)
      return fail() << "result " << i << ": #ccrnn.slot<"
                    << stringifyStorageKind(slot.getKind()) << "> "
                    << (needsOffset ? "needs a non-negative offset"
                                    : "takes no offset");
  }
  return success();
}

} // namespace

LogicalResult CCRNNDialect::verifyRegionArgAttribute(Operation *op,
                                                     unsigned region,
                                                     unsigned argIndex,
                                                     NamedAttribute attr) {
  Type type = op->getRegion(region).getNumArguments() > argIndex
                  ? op->getRegion(region).getArgument(argIndex).getType()
                  : Type();
  return verifyValueAttribute(op, "argument", argIndex, type, attr);
}

LogicalResult CCRNNDialect::verifyRegionResultAttribute(Operation *op,
                                                        unsigned region,
                                                        unsigned resultIndex,
                                                        NamedAttribute attr) {
  return verifyValueAttribute(op, "result", resultIndex, Type(), attr);
}

LogicalResult CCRNNDialect::verifyOperationAttribute(Operation *op,
                                                     NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kTrainerAttr) {
    auto trainer = dyn_cast<TrainerAttr>(attr.getValue());
    if (!trainer || !isa<FunctionOpInterface>(op))
      return op->emitError() << "'" << name
                             << "' must be a #ccrnn.trainer<...> on a "
                                "function";
    // The entry points it names must be functions of the same module.
    Operation *table = SymbolTable::getNearestSymbolTable(op->getParentOp());
    for (FlatSymbolRefAttr ref :
         {trainer.getEval(), trainer.getRecord(), trainer.getDecode()}) {
      if (!ref)
        continue;
      Operation *callee =
          table ? SymbolTable::lookupSymbolIn(table, ref.getAttr()) : nullptr;
      if (!callee || !isa<FunctionOpInterface>(callee))
        return op->emitError() << "'" << name << "' names " << ref
                               << ", which is not a function of the module";
    }
    return success();
  }
  if (name == kMemoryPlanAttr) {
    auto plan = dyn_cast<MemoryPlanAttr>(attr.getValue());
    if (!plan || !isa<ModuleOp>(op) || plan.getArena() < 0 ||
        plan.getStaging() < 0)
      return op->emitError() << "'" << name
                             << "' must be a #ccrnn.memory_plan<...> with a "
                                "non-negative arena and staging on a module";
    return success();
  }
  if (name == kStorageAttr)
    return verifyStorage(op, attr);
  if (name == kKernelsAttr) {
    auto kernels = dyn_cast<ArrayAttr>(attr.getValue());
    if (!kernels || !isa<ModuleOp>(op) ||
        !llvm::all_of(kernels, llvm::IsaPred<MatmulKernelAttr,
                                             WindowKernelAttr>))
      return op->emitError() << "'" << name
                             << "' must be an array of #ccrnn.matmul_kernel "
                                "and #ccrnn.window_kernel on a module";
    return success();
  }
  if (name == kKernelAttr) {
    auto uses = dyn_cast<UsesKernelAttr>(attr.getValue());
    auto module = op->getParentOfType<ModuleOp>();
    auto kernels =
        module ? module->getAttrOfType<ArrayAttr>(kKernelsAttr) : nullptr;
    if (!uses || !kernels || uses.getIndex() < 0 ||
        uses.getIndex() >= int64_t(kernels.size()))
      return op->emitOpError()
             << "'" << name
             << "' must be a #ccrnn.uses_kernel<i> naming one of the "
                "module's 'ccrnn.kernels'";
    return success();
  }
  if (name == kFlopsAttr) {
    auto flops = dyn_cast<FloatAttr>(attr.getValue());
    if (!flops || !isa<FunctionOpInterface>(op) ||
        !(flops.getValueAsDouble() >= 0))
      return op->emitError() << "'" << name
                             << "' must be a non-negative float on a "
                                "function";
    return success();
  }
  return op->emitError() << "unknown ccrnn attribute '" << name << "'";
}
