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


//===----------------------------------------------------------------------===//
// The contract of a training program: what its entry functions' arguments
// and results are, how parameters are initialised, where its entry points
// are. Verified by the dialect (CCRNNDialect::verify*Attribute); the
// emitter, the evaluator and ccrnn-run read them instead of names.
//===----------------------------------------------------------------------===//

// Which part of the network a parameter belongs to (optimizer groups,
// lesions: the synthesizer is frozen or removed on its own).
def CCRNN_ParameterGroup : I32EnumAttr<"ParameterGroup", "parameter group", [
    I32EnumAttrCase<"Recurrent", 0, "recurrent">,
    I32EnumAttrCase<"Readout", 1, "readout">,
    I32EnumAttrCase<"Synthesizer", 2, "synthesizer">
  ]> {
  let cppNamespace = "::ccrnn";
  let genSpecializedAttr = 0;
}

// How a parameter is initialised (PyTorch's defaults, SPEC §2).
def CCRNN_InitKind : I32EnumAttr<"InitKind", "parameter initialisation", [
    I32EnumAttrCase<"Zeros", 0, "zeros">,
    // U(-bound, bound)
    I32EnumAttrCase<"Uniform", 1, "uniform">
  ]> {
  let cppNamespace = "::ccrnn";
  let genSpecializedAttr = 0;
}

// What an argument or result of a training program's entry function is.
def CCRNN_Role : I32EnumAttr<"Role", "role of an entry function's value", [
    I32EnumAttrCase<"Parameter", 0, "parameter">,
    I32EnumAttrCase<"Input", 1, "input">,
    I32EnumAttrCase<"Target", 2, "target">,
    // The recurrent state a batch starts from (h, c of each layer).
    I32EnumAttrCase<"State", 3, "state">,
    // The sparse mossy fibres' mask of the synthesizer's first weight.
    I32EnumAttrCase<"FibreMask", 4, "fibre_mask">,
    I32EnumAttrCase<"Loss", 5, "loss">,
    I32EnumAttrCase<"Gradient", 6, "gradient">,
    I32EnumAttrCase<"FinalState", 7, "final_state">,
    I32EnumAttrCase<"Prediction", 8, "prediction">,
    // What @m_record returns at the window boundaries.
    I32EnumAttrCase<"Recorded", 9, "recorded">
  ]> {
  let cppNamespace = "::ccrnn";
  let genSpecializedAttr = 0;
}

class CCRNN_Attr<string name, string attrMnemonic>
    : AttrDef<CCRNN_Dialect, name> {
  let mnemonic = attrMnemonic;
}

def CCRNN_RoleAttr : EnumAttr<CCRNN_Dialect, CCRNN_Role, "role"> {
  let summary = "what an entry function's argument or result is";
  let description = [{
    Set by `ccrnn-build-training` as `ccrnn.role` on every argument and
    result of `@m_train`, `@m_eval` and `@m_record`, e.g.
    `{ccrnn.name = "state.h_l0", ccrnn.role = #ccrnn.role<state>}`. The
    trainer emitter binds the C ABI's arrays by role, never by name.
  }];
  let assemblyFormat = "`<` $value `>`";
}

def CCRNN_ParameterAttr : CCRNN_Attr<"Parameter", "parameter"> {
  let summary = "a trainable parameter's initialisation and group";
  let description = [{
    On each parameter argument of `@m_train` (as `ccrnn.parameter`, next to
    its `ccrnn.name`, the PyTorch `state_dict` name): how the parameter is
    initialised and which group it belongs to.

    ```mlir
    %arg0: tensor<200x1xf32> {ccrnn.name = "rnn.rnn.weight_ih_l0",
        ccrnn.parameter = #ccrnn.parameter<init = uniform,
                                           bound = 0.14142135623730951,
                                           group = recurrent>,
        ccrnn.role = #ccrnn.role<parameter>}
    ```
  }];
  let parameters = (ins EnumParameter<CCRNN_InitKind>:$init,
                        "::mlir::FloatAttr":$bound,
                        EnumParameter<CCRNN_ParameterGroup>:$group);
  let assemblyFormat = "`<` struct(params) `>`";
}

def CCRNN_TrainerAttr : CCRNN_Attr<"Trainer", "trainer"> {
  let summary = "a training program's entry points and what it was built for";
  let description = [{
    On `@m_train` (as `ccrnn.trainer`): the model, the options the program
    was built with (TrainerOptions' canonical text), whether the model has
    a cerebellum, whether it classifies and predicts the last step only,
    and the program's other entry points: the evaluation function and,
    when built, the feedback-recording function. The verifier checks that
    they name functions of the module.

    ```mlir
    func.func @m_train(...) attributes {ccrnn.trainer = #ccrnn.trainer<
        model = "m", options = "bptt=1 interval=2 batch=50 steps=10",
        hasCerebellum = true, classify = false, predictLast = false,
        eval = @m_eval, record = @m_record>}
    ```
  }];
  let parameters = (ins "::mlir::StringAttr":$model,
                        "::mlir::StringAttr":$options,
                        "::mlir::BoolAttr":$hasCerebellum,
                        "::mlir::BoolAttr":$classify,
                        "::mlir::BoolAttr":$predictLast,
                        "::mlir::FlatSymbolRefAttr":$eval,
                        OptionalParameter<"::mlir::FlatSymbolRefAttr">:$record);
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // CCRNN_ATTRS_TD
