//===- CCRNNTypes.cpp - ccrnn types and attributes --------------*- C++ -*-===//

#include "ccrnn/CCRNNTypes.h"
#include "ccrnn/CCRNNDialect.h"
#include "ccrnn/Support/SizeLimits.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace ccrnn;

#include "ccrnn/CCRNNEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "ccrnn/CCRNNTypes.cpp.inc"

void CCRNNDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "ccrnn/CCRNNTypes.cpp.inc"
      >();
}

LogicalResult SeqType::verify(function_ref<InFlightDiagnostic()> emitError,
                              int64_t features) {
  if (features <= 0)
    return emitError() << "!ccrnn.seq: features must be positive, got "
                       << features;
  if (features > kMaxUnits)
    return emitError() << "!ccrnn.seq: features must be at most " << kMaxUnits
                       << ", got " << features;
  return success();
}

LogicalResult VecType::verify(function_ref<InFlightDiagnostic()> emitError,
                              int64_t features) {
  if (features <= 0 || features > kMaxUnits)
    return emitError() << "!ccrnn.vec: features must be from 1 to "
                       << kMaxUnits << ", got " << features;
  return success();
}

LogicalResult TokensType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t vocab) {
  if (vocab < 2 || vocab > kMaxUnits)
    return emitError() << "!ccrnn.tokens: vocab must be from 2 to "
                       << kMaxUnits << ", got " << vocab;
  return success();
}

LogicalResult
RecurrentType::verify(function_ref<InFlightDiagnostic()> emitError,
                      CellKind cell, int64_t hidden, int64_t layers) {
  if (hidden <= 0)
    return emitError() << "!ccrnn.rnn: hidden size must be positive, got "
                       << hidden;
  if (hidden > kMaxUnits)
    return emitError() << "!ccrnn.rnn: hidden size must be at most "
                       << kMaxUnits << ", got " << hidden;
  if (layers <= 0)
    return emitError() << "!ccrnn.rnn: layers must be positive, got " << layers;
  if (layers > kMaxLayers)
    return emitError() << "!ccrnn.rnn: layers must be at most " << kMaxLayers
                       << ", got " << layers;
  return success();
}

int64_t RecurrentType::getLayerStateSize() const {
  return getCell() == CellKind::lstm ? 2 * getHidden() : getHidden();
}

int64_t ccrnn::getFeatureSize(Type type) {
  return llvm::TypeSwitch<Type, int64_t>(type)
      .Case<SeqType>([](SeqType t) { return t.getFeatures(); })
      .Case<VecType>([](VecType t) { return t.getFeatures(); })
      .Case<RecurrentType>([](RecurrentType t) { return t.getHidden(); })
      .Default([](Type) { return 0; });
}

std::string ccrnn::formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleave(shape, os, ", ");
  os << "]";
  return text;
}

int64_t ccrnn::getNumGates(CellKind cell) {
  switch (cell) {
  case CellKind::lstm:
    return 4;
  case CellKind::tanh:
    return 1;
  }
  llvm_unreachable("unknown cell kind");
}

std::optional<int64_t> ccrnn::getCheckedNumElements(ShapedType type,
                                                    int64_t copies,
                                                    int64_t limit) {
  if (!type.hasStaticShape() || copies < 0)
    return std::nullopt;
  std::optional<int64_t> count = copies;
  for (int64_t dim : type.getShape()) {
    count = llvm::checkedMul(*count, dim);
    if (!count || *count > limit)
      return std::nullopt;
  }
  return count;
}
