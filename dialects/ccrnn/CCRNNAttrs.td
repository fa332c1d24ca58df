//===- CCRNNAttrs.td - ccrnn enums and attributes ----------*- tablegen -*-===//

#ifndef CCRNN_ATTRS_TD
#define CCRNN_ATTRS_TD

include "ccrnn/CCRNNDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

// The recurrent cell of a layer. Names as users know them (SPEC §2).
def CCRNN_CellKind : I32EnumAttr<"CellKind", "recurrent cell kind", [
    I32EnumAttrCase<"lstm", 0>,
    I32EnumAttrCase<"tanh", 1>
  ]> {
  let cppNamespace = "::ccrnn";
  let genSpecializedAttr = 0;
}

// The loss a model's output is trained with.
def CCRNN_LossKind : I32EnumAttr<"LossKind", "training loss", [
    // Mean squared error at every (supervised) step: drawing tasks.
    I32EnumAttrCase<"mse", 0>,
    // Softmax cross-entropy of the last step's output: classification.
    I32EnumAttrCase<"xent", 1>
  ]> {
  let cppNamespace = "::ccrnn";
}

#endif // CCRNN_ATTRS_TD
