//===- Passes.td - ccrnn passes ----------------------------*- tablegen -*-===//

#ifndef CCRNN_TRANSFORMS_PASSES_TD
#define CCRNN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CCRNNPrintParameters : Pass<"ccrnn-print-parameters", "mlir::ModuleOp"> {
  let summary = "Print every model's parameters: names, shapes, initialisation";
  let description = [{
    Prints, for each `ccrnn.model` of the module, a table of its parameters in
    the order and with the names of the reference PyTorch model's
    `state_dict` (the checkpoint format), their shapes, their initialisation
    and the total count. The IR is left unchanged.

    ```
    $ ccrnn-opt --ccrnn-print-parameters models/dni_lstm.mlir -o /dev/null
    ```
  }];
  let options = [
    Option<"groupTotals", "group-totals", "bool", /*default=*/"false",
           "Also print the parameter count of the recurrent network, the "
           "readout and the synthesizer">
  ];
}

#endif // CCRNN_TRANSFORMS_PASSES_TD
