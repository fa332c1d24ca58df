//===- CCRNNDialect.h - the ccrnn dialect -----------------------*- C++ -*-===//

#ifndef CCRNN_CCRNNDIALECT_H
#define CCRNN_CCRNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "ccrnn/CCRNNDialect.h.inc"

#endif // CCRNN_CCRNNDIALECT_H
