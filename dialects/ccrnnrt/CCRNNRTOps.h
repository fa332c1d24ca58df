//===- CCRNNRTOps.h - the ccrnnrt dialect and its ops -----------*- C++ -*-===//
//
// A trainer's kernel calls on explicit buffers (dialects/ccrnnrt/CCRNNRT.td).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNNRT_CCRNNRTOPS_H
#define CCRNNRT_CCRNNRTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ccrnnrt/CCRNNRTDialect.h.inc"
#include "ccrnnrt/CCRNNRTEnums.h.inc"

#define GET_OP_CLASSES
#include "ccrnnrt/CCRNNRTOps.h.inc"

#endif // CCRNNRT_CCRNNRTOPS_H
