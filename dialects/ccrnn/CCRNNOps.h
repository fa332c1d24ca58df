//===- CCRNNOps.h - ccrnn operations ----------------------------*- C++ -*-===//

#ifndef CCRNN_CCRNNOPS_H
#define CCRNN_CCRNNOPS_H

#include "ccrnn/CCRNNDialect.h"
#include "ccrnn/CCRNNTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ccrnn/CCRNNInterfaces.h.inc"

namespace ccrnn::trait {
/// An op that only moves, copies or views elements (concat, split,
/// reshape, broadcast): recomputing its result costs less than keeping it.
template <typename ConcreteType>
class LayoutOnly
    : public mlir::OpTrait::TraitBase<ConcreteType, LayoutOnly> {};
} // namespace ccrnn::trait

#define GET_OP_CLASSES
#include "ccrnn/CCRNNOps.h.inc"

namespace ccrnn {
/// The networks every ccrnn.ensemble under `root` computes (1 when there is
/// none): an ensemble program's functions all run for that many networks.
int64_t getEnsembleSize(mlir::Operation *root);

/// Checks that every statically shaped tensor of the program under `root`
/// (op results, block and function arguments), for all the networks of its
/// ensemble, has at most `limit` elements (getCheckedNumElements);
/// otherwise emits an error naming the op and the type, prefixed by `pass`,
/// and `holder`, what cannot hold more. The compiler's later products of
/// sizes (memory plan, emitters) cannot overflow then.
mlir::LogicalResult checkProgramSizes(mlir::Operation *root,
                                      llvm::StringRef pass,
                                      int64_t limit = kMaxProgramFloats,
                                      llvm::StringRef holder =
                                          "a training program");

/// The ccrnn.ensemble that is the whole body of `f` (it takes f's arguments
/// in order, f returns its results in order), as --ccrnn-ensemble makes an
/// entry function of an ensemble program; null when there is none.
EnsembleOp getFunctionEnsemble(mlir::FunctionOpInterface f);

/// The block computing one network's values of `f`: its ensemble's body,
/// else f's own. Its arguments and its terminator's operands have one
/// network's types.
mlir::Block &getNetworkBody(mlir::FunctionOpInterface f);
} // namespace ccrnn

#endif // CCRNN_CCRNNOPS_H
