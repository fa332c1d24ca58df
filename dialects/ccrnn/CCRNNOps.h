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

#define GET_OP_CLASSES
#include "ccrnn/CCRNNOps.h.inc"

#endif // CCRNN_CCRNNOPS_H
