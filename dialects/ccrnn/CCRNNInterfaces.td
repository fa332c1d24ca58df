//===- CCRNNInterfaces.td - ccrnn op interfaces ------------*- tablegen -*-===//

#ifndef CCRNN_INTERFACES_TD
#define CCRNN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def CCRNN_RecurrentLayerOpInterface : OpInterface<"RecurrentLayerOpInterface"> {
  let cppNamespace = "::ccrnn";
  let description = [{
    A stack of recurrent layers run over a whole sequence (`ccrnn.lstm`,
    `ccrnn.rnn_tanh`). Gives the cell kind and sizes that training-program
    construction and parameter layout need, whatever the cell.
  }];
  let methods = [
    InterfaceMethod<"The cell of every layer.", "::ccrnn::CellKind",
      "getCellKind", (ins), [{ return $_op.getType().getCell(); }]>,
    InterfaceMethod<"The hidden size of every layer.", "int64_t",
      "getHiddenSize", (ins), [{ return $_op.getHidden(); }]>,
    InterfaceMethod<"The number of stacked layers.", "int64_t",
      "getNumLayers", (ins), [{ return $_op.getLayers(); }]>,
    InterfaceMethod<"The input features of the first layer.", "int64_t",
      "getInputSize", (ins),
      [{ return ::ccrnn::getFeatureSize($_op.getInput().getType()); }]>,
    InterfaceMethod<"The result: hidden sequence and state.",
      "::ccrnn::RecurrentType", "getRecurrentType", (ins),
      [{ return $_op.getType(); }]>,
  ];
}

#endif // CCRNN_INTERFACES_TD
