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
    I32EnumAttrCase<"xent", 1>,
    // Softmax cross-entropy at every step against the next token: a
    // language model's loss (captioning).
    I32EnumAttrCase<"xent_steps", 2>
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
    I32EnumAttrCase<"Synthesizer", 2, "synthesizer">,
    // What maps the inputs into the recurrent network's input: a caption
    // model's image encoder and word embedding.
    I32EnumAttrCase<"Input", 3, "input">
  ]> {
  let cppNamespace = "::ccrnn";
  let genSpecializedAttr = 0;
}

// How a parameter is initialised (PyTorch's defaults, SPEC §2).
def CCRNN_InitKind : I32EnumAttr<"InitKind", "parameter initialisation", [
    I32EnumAttrCase<"Zeros", 0, "zeros">,
    // U(-bound, bound)
    I32EnumAttrCase<"Uniform", 1, "uniform">,
    // N(0, bound^2): an embedding table (nn.Embedding)
    I32EnumAttrCase<"Normal", 2, "normal">,
    // all 1: a batch norm's weight
    I32EnumAttrCase<"Ones", 3, "ones">
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
    I32EnumAttrCase<"Recorded", 9, "recorded">,
    // A token model's per-sequence vector (the image features).
    I32EnumAttrCase<"VectorInput", 10, "vector_input">,
    // The driver's dropout mask: 0 or 1 / (1 - rate) per input element.
    I32EnumAttrCase<"DropoutMask", 11, "dropout_mask">,
    // A batch norm's running statistics (mean, variance): carried from
    // call to call like a parameter, but set by training, not by gradients.
    I32EnumAttrCase<"Statistic", 12, "statistic">,
    I32EnumAttrCase<"NewStatistic", 13, "new_statistic">,
    // The greedy decoder's tokens (@m_decode).
    I32EnumAttrCase<"Decoded", 14, "decoded">
  ]> {
  let cppNamespace = "::ccrnn";
  let genSpecializedAttr = 0;
}

// The kernels a generated trainer calls (ccrnn-translate --emit-trainer).
def CCRNN_TrainerTarget : I32EnumAttr<"TrainerTarget", "trainer target", [
    // ccrnn/Runtime/Kernels.h (oneDNN), host memory
    I32EnumAttrCase<"CPU", 0, "cpu">,
    // ccrnn/Runtime/KernelsCUDA.h (cuBLAS), device memory
    I32EnumAttrCase<"CUDA", 1, "cuda">
  ]> {
  let cppNamespace = "::ccrnn";
  let genSpecializedAttr = 0;
}

// Where a value of a planned program lives (ccrnn-plan-memory).
def CCRNN_StorageKind : I32EnumAttr<"StorageKind", "storage kind", [
    // A slice of its own in the trainer's arena.
    I32EnumAttrCase<"Arena", 0, "arena">,
    // The caller's array for a result of the function (a CPU trainer's
    // gradients are computed where the caller wants them).
    I32EnumAttrCase<"Caller", 1, "caller">,
    // The slice of the loop-carried value it replaces (an accumulation that
    // reads each element before writing it).
    I32EnumAttrCase<"InPlace", 2, "in_place">,
    // The loop's second slice for the carried value it replaces; the two
    // swap at the end of each iteration (ping-pong).
    I32EnumAttrCase<"Swap", 3, "swap">
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
    when built, the feedback-recording function and (a token model's) the
    greedy decoder. The verifier checks that they name functions of the
    module.

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
                        OptionalParameter<"::mlir::FlatSymbolRefAttr">:$record,
                        OptionalParameter<"::mlir::FlatSymbolRefAttr">:$decode);
  let assemblyFormat = "`<` struct(params) `>`";
}

//===----------------------------------------------------------------------===//
// The memory plan (ccrnn-plan-memory): where every value of a training
// program lives, in the IR before any C++ exists. The emitter reads it.
//===----------------------------------------------------------------------===//

def CCRNN_SlotAttr : CCRNN_Attr<"Slot", "slot"> {
  let summary = "where one result of an op is stored";
  let description = [{
    One entry per result of an op's `ccrnn.storage`: `arena` with the
    slice's offset (in floats) into the trainer's arena, `caller` with the
    index of the function result whose caller-given array it is computed in,
    `in_place` (in the slice of the loop-carried value it replaces) or `swap`
    (in the enclosing loop's second slice for that value).

    ```mlir
    %0 = ccrnn.fused_matmul %a, %w, %b {ccrnn.storage = [#ccrnn.slot<arena, 2048>]} : ...
    %1 = ccrnn.matmul_accumulate %acc, %d, %x {ccrnn.storage = [#ccrnn.slot<in_place>]} : ...
    ```
  }];
  let parameters = (ins EnumParameter<CCRNN_StorageKind>:$kind,
                        DefaultValuedParameter<"int64_t", "-1">:$offset);
  let assemblyFormat = "`<` $kind (`,` $offset^)? `>`";
}

def CCRNN_CarriedAttr : CCRNN_Attr<"Carried", "carried"> {
  let summary = "the slices of one loop-carried value";
  let description = [{
    One entry per result of an `scf.for`'s `ccrnn.storage`: the arena offset
    of the slice that holds the carried value (and the loop's result after
    the loop) and, for a value computed anew each iteration, the offset of
    the second slice it is computed in; the two swap at the end of each
    iteration, so nothing is copied.

    ```mlir
    %r:2 = scf.for ... iter_args(%h = %h0, %g = %g0) -> (...) {...}
        {ccrnn.storage = [#ccrnn.carried<0, swap = 16>, #ccrnn.carried<32>]}
    ```
  }];
  let parameters = (ins "int64_t":$offset,
                        DefaultValuedParameter<"int64_t", "-1">:$swap);
  let assemblyFormat = "`<` $offset (`,` `swap` `=` $swap^)? `>`";
}

def CCRNN_MemoryPlanAttr : CCRNN_Attr<"MemoryPlan", "memory_plan"> {
  let summary = "a program's memory plan: its target and arena size";
  let description = [{
    On the module (as `ccrnn.memory_plan`) once `ccrnn-plan-memory` has
    given every value its storage: the target the plan is for (a CPU
    trainer computes gradients in the caller's arrays, a GPU's caller
    arrays are host memory), the arena's size in floats and, for a GPU, the
    size of the staging buffer the caller's arrays are copied into (each
    staged argument of the training function says where, as
    `ccrnn.staged`).

    ```mlir
    module attributes {ccrnn.memory_plan = #ccrnn.memory_plan<target = cuda, arena = 52224, staging = 3520>}
    ```
  }];
  let parameters = (ins EnumParameter<CCRNN_TrainerTarget>:$target,
                        "int64_t":$arena,
                        DefaultValuedParameter<"int64_t", "0">:$staging);
  let assemblyFormat = "`<` struct(params) `>`";
}

//===----------------------------------------------------------------------===//
// Kernel objects (ccrnn-assign-kernels): the runtime objects a trainer
// creates once and its ops run on, in the IR before any C++ exists.
//===----------------------------------------------------------------------===//

def CCRNN_MatmulKernelAttr : CCRNN_Attr<"MatmulKernel", "matmul_kernel"> {
  let summary = "a matrix product's kernel object (a oneDNN primitive)";
  let description = [{
    `op(A) [m x k] x op(B) [k x n]` with the fused post-ops: a bias added to
    every row, relu, accumulation into the output. Holds no state between
    calls, so every product of the same configuration shares one.
  }];
  let parameters = (ins "int64_t":$m, "int64_t":$n, "int64_t":$k,
                        "bool":$transposeLhs, "bool":$transposeRhs,
                        "bool":$bias, "bool":$relu, "bool":$accumulate);
  let assemblyFormat = "`<` struct(params) `>`";
}

def CCRNN_WindowKernelAttr : CCRNN_Attr<"WindowKernel", "window_kernel"> {
  let summary = "a recurrent window's kernel object (its workspace)";
  let description = [{
    A layer of `cell`s over a window of input `[batch, steps, input]` with
    `hidden` units. It stores the forward pass's activations for the
    backward pass, so every forward window has its own, and a backward
    window runs on its forward window's.
  }];
  let parameters = (ins EnumParameter<CCRNN_CellKind>:$cell,
                        "int64_t":$batch, "int64_t":$steps, "int64_t":$input,
                        "int64_t":$hidden);
  let assemblyFormat = "`<` struct(params) `>`";
}

def CCRNN_UsesKernelAttr : CCRNN_Attr<"UsesKernel", "uses_kernel"> {
  let summary = "the kernel object an op runs on";
  let description = [{
    On an op (as `ccrnn.kernel`): the index of its kernel object in the
    module's `ccrnn.kernels` and, for a backward window, `stored = true`
    when it reads the activations its forward window stored there.

    ```mlir
    %d:7 = ccrnn.lstm_seq_grad ... {ccrnn.kernel = #ccrnn.uses_kernel<1, stored = true>}
    ```
  }];
  let parameters = (ins "int64_t":$index,
                        DefaultValuedParameter<"bool", "false">:$stored);
  let assemblyFormat = "`<` $index (`,` `stored` `=` $stored^)? `>`";
}

#endif // CCRNN_ATTRS_TD
