//===- CCRNNAttrs.h - the training program's contract -----------*- C++ -*-===//
//
// The attributes a training program carries on its functions, their names
// (spelled here only) and the queries its consumers (the emitter, the
// evaluator, ccrnn-run) make of them.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_CCRNNATTRS_H
#define CCRNN_CCRNNATTRS_H

#include "ccrnn/CCRNNTypes.h"

#include "mlir/Interfaces/FunctionInterfaces.h"

#include <optional>

namespace ccrnn {

/// The discardable attributes of the contract.
/// An argument's or result's external name (npz keys, checkpoint names).
inline constexpr llvm::StringLiteral kNameAttr = "ccrnn.name";
/// An argument's or result's Role (RoleAttr).
inline constexpr llvm::StringLiteral kRoleAttr = "ccrnn.role";
/// A parameter argument's ParameterAttr.
inline constexpr llvm::StringLiteral kParameterAttr = "ccrnn.parameter";
/// The TrainerAttr of a training function.
inline constexpr llvm::StringLiteral kTrainerAttr = "ccrnn.trainer";

/// The memory plan (ccrnn-plan-memory): the module's MemoryPlanAttr, an
/// op's storage (one SlotAttr per result, one CarriedAttr per result of a
/// loop) and, on a function result, that the caller gives its storage.
inline constexpr llvm::StringLiteral kMemoryPlanAttr = "ccrnn.memory_plan";
inline constexpr llvm::StringLiteral kStorageAttr = "ccrnn.storage";
inline constexpr llvm::StringLiteral kCallerStorageAttr =
    "ccrnn.caller_storage";
/// Where a GPU trainer stages an argument of the training function (a
/// float offset into its staging buffer).
inline constexpr llvm::StringLiteral kStagedAttr = "ccrnn.staged";
/// The module's kernel objects (an array of MatmulKernelAttr and
/// WindowKernelAttr) and an op's UsesKernelAttr (ccrnn-assign-kernels).
inline constexpr llvm::StringLiteral kKernelsAttr = "ccrnn.kernels";
inline constexpr llvm::StringLiteral kKernelAttr = "ccrnn.kernel";
/// A function's FLOPs per call, of all its networks (ccrnn-count-flops).
inline constexpr llvm::StringLiteral kFlopsAttr = "ccrnn.flops";

/// The role of `f`'s argument `i` (result `i`), if it has one.
std::optional<Role> getArgumentRole(mlir::FunctionOpInterface f, unsigned i);
std::optional<Role> getResultRole(mlir::FunctionOpInterface f, unsigned i);

/// The indices of `f`'s arguments with role `role`, in order.
llvm::SmallVector<unsigned> getArgumentsWithRole(mlir::FunctionOpInterface f,
                                                 Role role);

/// The name of `f`'s argument `i` (result `i`); "" when it has none.
llvm::StringRef getArgumentName(mlir::FunctionOpInterface f, unsigned i);
llvm::StringRef getResultName(mlir::FunctionOpInterface f, unsigned i);

/// Sets argument `i`'s (result `i`'s) name and role.
void setArgumentContract(mlir::FunctionOpInterface f, unsigned i,
                         llvm::StringRef name, Role role);
void setResultContract(mlir::FunctionOpInterface f, unsigned i,
                       llvm::StringRef name, Role role);

/// Where result `v` of an op is stored (its entry of the op's
/// ccrnn.storage): a SlotAttr, a CarriedAttr for a loop's result, null when
/// the plan gives it no storage of its own (a view, a call's result).
mlir::Attribute getPlannedStorage(mlir::OpResult v);

} // namespace ccrnn

#endif // CCRNN_CCRNNATTRS_H
