//===- CCRNNDialect.cpp - the ccrnn dialect ---------------------*- C++ -*-===//

#include "ccrnn/CCRNNDialect.h"
#include "ccrnn/CCRNNOps.h"

using namespace mlir;
using namespace ccrnn;

#include "ccrnn/CCRNNDialect.cpp.inc"

void CCRNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ccrnn/CCRNNOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
}
