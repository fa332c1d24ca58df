//===- CCRNNRT.td - kernels on buffers ---------------------*- tablegen -*-===//
//
// The trainer's runtime level: the calls a trainer makes, on buffers whose
// storage is explicit. Produced from the planned tensor-level program by
// --convert-ccrnn-to-ccrnnrt (docs/Rationale.md, "The runtime level").
//
//===----------------------------------------------------------------------===//

#ifndef CCRNNRT_TD
#define CCRNNRT_TD

include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def CCRNNRT_Dialect : Dialect {
  let name = "ccrnnrt";
  let cppNamespace = "::ccrnnrt";
  let summary = "A trainer's kernel calls on explicit buffers";
  let description = [{
    The level below `ccrnn`'s kernel ops: every op is one call of the
    trainer runtime (`ccrnn/Runtime/Kernels.h`) that reads its operand
    buffers and writes its `into` buffers (destination-passing style), and
    every buffer is a `memref` whose storage is visible in the IR:

    * a slice of the trainer's arena at a fixed offset (`ccrnnrt.slice`,
      filled once when the trainer is created for a constant);
    * a function argument: the caller's array, including the arrays a CPU
      trainer computes gradients in (`ccrnnrt.caller_result`);
    * another buffer seen with another shape (`ccrnnrt.view`);
    * a loop-carried buffer of an `scf.for`: an accumulator updated in
      place is the same buffer in and out, a value computed anew each
      iteration is computed in a second buffer and the two are yielded
      swapped (ping-pong), so the loop never copies.

    A module of an ensemble program (`ccrnnrt.networks = K` on the module)
    runs K networks: each of its buffers holds K networks' arrays one after
    the other, its types are one network's.

    `--convert-ccrnn-to-ccrnnrt` produces this level from a program that
    `--ccrnn-plan-memory` and `--ccrnn-assign-kernels` have planned; the
    kernel objects (`#ccrnn.matmul_kernel`, `#ccrnn.window_kernel` in the
    module's `ccrnn.kernels`) are the `kernel` index of the ops that use
    them.

    ```mlir
    %w = ccrnnrt.slice 0 : memref<4x3xf32>
    %y = ccrnnrt.slice 16 : memref<2x3xf32>
    ccrnnrt.matmul %x, %w into %y kernel 0 : memref<2x4xf32>, memref<4x3xf32> into memref<2x3xf32>
    ccrnnrt.tanh %y into %y : memref<2x3xf32>
    ```
  }];
  // ccrnnrt.caller_result names the function result an argument is the
  // caller's array for.
  let hasRegionArgAttrVerify = 1;
  // ccrnnrt.networks on the module: the networks of an ensemble program.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// On the module: the number of networks every buffer holds (K > 1).
    static constexpr ::llvm::StringLiteral kNetworksAttr = "ccrnnrt.networks";
    /// On a function argument: the index of the result it is the caller's
    /// array for.
    static constexpr ::llvm::StringLiteral kCallerResultAttr =
        "ccrnnrt.caller_result";
  }];
}

class CCRNNRT_Op<string mnemonic, list<Trait> traits = []>
    : Op<CCRNNRT_Dialect, mnemonic, traits>;

defvar CCRNNRT_Buffer = MemRefRankOf<[AnyFloat], [0, 1, 2, 3, 4, 5]>;
defvar CCRNNRT_Labels = MemRefOf<[AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Storage
//===----------------------------------------------------------------------===//

def CCRNNRT_SliceOp : CCRNNRT_Op<"slice", [Pure]> {
  let summary = "a slice of the trainer's arena";
  let description = [{
    The buffer at `offset` floats into the arena (the module's
    `ccrnn.memory_plan` gives its size) with the result's shape; an int64
    element (the greedy decoder's tokens) takes two floats. With `fill`,
    the trainer fills it once, when it is created (a constant).

    ```mlir
    %c = ccrnnrt.slice 96 fill 5.000000e-01 : memref<f32>
    %t = ccrnnrt.slice 128 : memref<4xi64>
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$offset,
                       OptionalAttr<F64Attr>:$fill);
  let results = (outs AnyTypeOf<[CCRNNRT_Buffer, MemRefOf<[I64]>]>:$result);
  let assemblyFormat = "$offset (`fill` $fill^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def CCRNNRT_ViewOp : CCRNNRT_Op<"view", [Pure]> {
  let summary = "a buffer seen with another shape";
  let description = [{
    The same elements in the same order (a reshape costs nothing).

    ```mlir
    %flat = ccrnnrt.view %h : memref<2x3xf32> to memref<6xf32>
    ```
  }];
  let arguments = (ins CCRNNRT_Buffer:$input);
  let results = (outs CCRNNRT_Buffer:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

def CCRNNRT_FillOp : CCRNNRT_Op<"fill", [MemoryEffects<[MemWrite]>]> {
  let summary = "every element of a buffer set to one value";
  let arguments = (ins CCRNNRT_Buffer:$output, F64Attr:$value);
  let assemblyFormat = "$value `into` $output attr-dict `:` type($output)";
}

def CCRNNRT_CopyOp : CCRNNRT_Op<"copy", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "a buffer's elements copied into another";
  let arguments = (ins CCRNNRT_Buffer:$input, CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $input `into` $output attr-dict `:` type($input) `,` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

class CCRNNRT_UnaryOp<string mnemonic, string formula>
    : CCRNNRT_Op<mnemonic, [MemoryEffects<[MemRead, MemWrite]>,
                            AllTypesMatch<["input", "output"]>]> {
  let summary = "element-wise " # formula;
  let description = [{
    `output = }] # formula # [{` element by element (`output` may be
    `input`).
  }];
  let arguments = (ins CCRNNRT_Buffer:$input, CCRNNRT_Buffer:$output);
  let assemblyFormat = "$input `into` $output attr-dict `:` type($output)";
}

def CCRNNRT_SigmoidOp : CCRNNRT_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def CCRNNRT_TanhOp : CCRNNRT_UnaryOp<"tanh", "tanh(x)">;
def CCRNNRT_ReluOp : CCRNNRT_UnaryOp<"relu", "max(x, 0)">;
def CCRNNRT_StepOp : CCRNNRT_UnaryOp<"step", "x > 0 ? 1 : 0">;

class CCRNNRT_BinaryOp<string mnemonic, string formula>
    : CCRNNRT_Op<mnemonic, [MemoryEffects<[MemRead, MemWrite]>,
                            AllTypesMatch<["lhs", "rhs", "output"]>]> {
  let summary = "element-wise " # formula;
  let description = [{
    `output = }] # formula # [{` element by element (`output` may be an
    operand).
  }];
  let arguments = (ins CCRNNRT_Buffer:$lhs, CCRNNRT_Buffer:$rhs,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs `into` $output attr-dict `:` type($output)
  }];
}

def CCRNNRT_AddOp : CCRNNRT_BinaryOp<"add", "lhs + rhs">;
def CCRNNRT_SubOp : CCRNNRT_BinaryOp<"sub", "lhs - rhs">;
def CCRNNRT_MulOp : CCRNNRT_BinaryOp<"mul", "lhs * rhs">;
def CCRNNRT_ReluGradOp : CCRNNRT_BinaryOp<"relu_grad",
                                          "rhs > 0 ? lhs : 0">;

def CCRNNRT_ScaleOp : CCRNNRT_Op<"scale", [MemoryEffects<[MemRead, MemWrite]>,
                                           AllTypesMatch<["input", "output"]>]> {
  let summary = "every element times a constant";
  let arguments = (ins CCRNNRT_Buffer:$input, F64Attr:$factor,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $input `by` $factor `into` $output attr-dict `:` type($output)
  }];
}

//===----------------------------------------------------------------------===//
// Products and layout
//===----------------------------------------------------------------------===//

def CCRNNRT_MatmulOp : CCRNNRT_Op<"matmul", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "a matrix product on its kernel object";
  let description = [{
    Runs the module's kernel object `kernel` (a `#ccrnn.matmul_kernel`:
    transposes, bias and relu post-ops, accumulation into `output`).

    ```mlir
    ccrnnrt.matmul %x, %w bias %b into %y kernel 2
        : memref<50x100xf32>, memref<400x100xf32>, memref<400xf32> into memref<50x400xf32>
    ```
  }];
  let arguments = (ins CCRNNRT_Buffer:$lhs, CCRNNRT_Buffer:$rhs,
                       Optional<CCRNNRT_Buffer>:$bias, CCRNNRT_Buffer:$output,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$kernel);
  let assemblyFormat = [{
    $lhs `,` $rhs (`bias` $bias^)? `into` $output `kernel` $kernel attr-dict
    `:` type($lhs) `,` type($rhs) (`,` type($bias)^)? `into` type($output)
  }];
  let hasVerifier = 1;
}

class CCRNNRT_RowsOp<string mnemonic, string what>
    : CCRNNRT_Op<mnemonic, [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = what;
  let arguments = (ins CCRNNRT_Buffer:$input, CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $input `into` $output attr-dict `:` type($input) `,` type($output)
  }];
}

def CCRNNRT_BroadcastRowsOp : CCRNNRT_RowsOp<"broadcast_rows",
    "a vector copied into every row">;
def CCRNNRT_ReduceRowsOp : CCRNNRT_RowsOp<"reduce_rows",
    "the sum of the rows">;

def CCRNNRT_ConcatOp : CCRNNRT_Op<"concat", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "buffers joined along an axis";
  let arguments = (ins Variadic<CCRNNRT_Buffer>:$inputs, I64Attr:$axis,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    `(` $inputs `)` `axis` $axis `into` $output attr-dict
    `:` type($inputs) `into` type($output)
  }];
}

def CCRNNRT_SplitOp : CCRNNRT_Op<"split", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "a buffer cut into pieces along an axis";
  let arguments = (ins CCRNNRT_Buffer:$input, I64Attr:$axis,
                       Variadic<CCRNNRT_Buffer>:$outputs);
  let assemblyFormat = [{
    $input `axis` $axis `into` `(` $outputs `)` attr-dict
    `:` type($input) `into` type($outputs)
  }];
}

def CCRNNRT_TimeSliceOp : CCRNNRT_Op<"time_slice", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "the steps of one window of a batch of sequences";
  let arguments = (ins CCRNNRT_Buffer:$input, Index:$start,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $input `at` $start `into` $output attr-dict `:` type($input) `,` type($output)
  }];
}

def CCRNNRT_OneHotOp : CCRNNRT_Op<"one_hot", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "one-hot rows of class indices";
  let arguments = (ins CCRNNRT_Labels:$labels, CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $labels `into` $output attr-dict `:` type($labels) `,` type($output)
  }];
}

def CCRNNRT_GatherRowsOp : CCRNNRT_Op<"gather_rows",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "rows of a table picked by index (an embedding lookup)";
  let arguments = (ins CCRNNRT_Buffer:$table, CCRNNRT_Labels:$indices,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $table `[` $indices `]` `into` $output attr-dict
    `:` type($table) `,` type($indices) `,` type($output)
  }];
}

def CCRNNRT_ArgmaxRowsOp : CCRNNRT_Op<"argmax_rows",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "the index of each row's largest element";
  let arguments = (ins CCRNNRT_Buffer:$scores, CCRNNRT_Labels:$output);
  let assemblyFormat = [{
    $scores `into` $output attr-dict `:` type($scores) `,` type($output)
  }];
}

def CCRNNRT_ScatterAddRowsOp : CCRNNRT_Op<"scatter_add_rows",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "rows summed into a zeroed table by index";
  let arguments = (ins CCRNNRT_Buffer:$updates, CCRNNRT_Labels:$indices,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $updates `[` $indices `]` `into` $output attr-dict
    `:` type($updates) `,` type($indices) `,` type($output)
  }];
}

def CCRNNRT_BatchNormTrainOp : CCRNNRT_Op<"batch_norm_train",
    [MemoryEffects<[MemRead, MemWrite]>, AllTypesMatch<["input", "output"]>,
     AllTypesMatch<["gamma", "beta", "mean", "variance"]>]> {
  let summary = "batch normalization on the batch's statistics, which it writes";
  let arguments = (ins CCRNNRT_Buffer:$input, CCRNNRT_Buffer:$gamma,
                       CCRNNRT_Buffer:$beta, F64Attr:$epsilon,
                       CCRNNRT_Buffer:$output, CCRNNRT_Buffer:$mean,
                       CCRNNRT_Buffer:$variance);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `into` $output `,` $mean `,` $variance
    attr-dict `:` type($input) `,` type($gamma)
  }];
}

def CCRNNRT_BatchNormGradOp : CCRNNRT_Op<"batch_norm_grad",
    [MemoryEffects<[MemRead, MemWrite]>,
     AllTypesMatch<["input", "d_result", "d_input"]>,
     AllTypesMatch<["gamma", "mean", "variance", "d_gamma", "d_beta"]>]> {
  let summary = "the gradient of batch_norm_train";
  let arguments = (ins CCRNNRT_Buffer:$input, CCRNNRT_Buffer:$gamma,
                       CCRNNRT_Buffer:$mean, CCRNNRT_Buffer:$variance,
                       CCRNNRT_Buffer:$d_result, F64Attr:$epsilon,
                       CCRNNRT_Buffer:$d_input, CCRNNRT_Buffer:$d_gamma,
                       CCRNNRT_Buffer:$d_beta);
  let assemblyFormat = [{
    $input `,` $gamma `,` $mean `,` $variance `cotangent` $d_result
    `into` $d_input `,` $d_gamma `,` $d_beta attr-dict
    `:` type($input) `,` type($gamma)
  }];
}

def CCRNNRT_BatchNormInferenceOp : CCRNNRT_Op<"batch_norm_inference",
    [MemoryEffects<[MemRead, MemWrite]>, AllTypesMatch<["input", "output"]>,
     AllTypesMatch<["gamma", "beta", "mean", "variance"]>]> {
  let summary = "batch normalization on given statistics";
  let arguments = (ins CCRNNRT_Buffer:$input, CCRNNRT_Buffer:$gamma,
                       CCRNNRT_Buffer:$beta, CCRNNRT_Buffer:$mean,
                       CCRNNRT_Buffer:$variance, F64Attr:$epsilon,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $variance `into` $output
    attr-dict `:` type($input) `,` type($gamma)
  }];
}

def CCRNNRT_SupervisedStepsOp : CCRNNRT_Op<"supervised_steps",
    [MemoryEffects<[MemWrite]>]> {
  let summary = "how many steps of a window the loss supervises";
  let arguments = (ins Index:$start, I64Attr:$steps, I64Attr:$interval,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = "$start `into` $output attr-dict `:` type($output)";
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def CCRNNRT_MSELossOp : CCRNNRT_Op<"mse_loss", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "mean squared error of the supervised steps";
  let arguments = (ins CCRNNRT_Buffer:$prediction, CCRNNRT_Buffer:$target,
                       Optional<Index>:$start, I64Attr:$interval,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $prediction `,` $target (`at` $start^)? `into` $output attr-dict
    `:` type($prediction) `,` type($target) `,` type($output)
  }];
}

def CCRNNRT_MSELossGradOp : CCRNNRT_Op<"mse_loss_grad",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "the gradient of mse_loss with respect to the prediction";
  let arguments = (ins CCRNNRT_Buffer:$prediction, CCRNNRT_Buffer:$target,
                       CCRNNRT_Buffer:$cotangent, Optional<Index>:$start,
                       I64Attr:$interval, CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $prediction `,` $target `,` $cotangent (`at` $start^)? `into` $output
    attr-dict `:` type($prediction) `,` type($target) `,` type($cotangent)
    `,` type($output)
  }];
}

def CCRNNRT_CrossEntropyLossOp : CCRNNRT_Op<"xent_loss",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "mean cross-entropy of logits against class indices";
  let description = [{
    `f32_softmax`: the float32 softmax kernel (`ccrnn.xent_loss`).
  }];
  let arguments = (ins CCRNNRT_Buffer:$logits, CCRNNRT_Labels:$labels,
                       CCRNNRT_Buffer:$output, UnitAttr:$f32_softmax);
  let assemblyFormat = [{
    $logits `,` $labels `into` $output attr-dict
    `:` type($logits) `,` type($labels) `,` type($output)
  }];
}

def CCRNNRT_CrossEntropyLossGradOp : CCRNNRT_Op<"xent_loss_grad",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "the gradient of xent_loss with respect to the logits";
  let description = [{
    `f32_softmax`: the float32 softmax kernel (`ccrnn.xent_loss`).
  }];
  let arguments = (ins CCRNNRT_Buffer:$logits, CCRNNRT_Labels:$labels,
                       CCRNNRT_Buffer:$cotangent, CCRNNRT_Buffer:$output,
                       UnitAttr:$f32_softmax);
  let assemblyFormat = [{
    $logits `,` $labels `,` $cotangent `into` $output attr-dict
    `:` type($logits) `,` type($labels) `,` type($cotangent) `,` type($output)
  }];
}

//===----------------------------------------------------------------------===//
// Recurrent windows
//===----------------------------------------------------------------------===//

def CCRNNRT_WindowForwardOp : CCRNNRT_Op<"window_forward",
    [MemoryEffects<[MemRead, MemWrite]>, AttrSizedOperandSegments]> {
  let summary = "a recurrent window's forward pass on its kernel object";
  let description = [{
    Runs the forward pass of the module's kernel object `kernel` (a
    `#ccrnn.window_kernel`), which keeps the activations for a backward
    pass; the operands and outputs are those of the tensor-level
    `ccrnn.lstm_seq` / `ccrnn.rnn_tanh_seq` it came from.
  }];
  let arguments = (ins Variadic<CCRNNRT_Buffer>:$inputs,
                       Variadic<CCRNNRT_Buffer>:$outputs,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$kernel);
  let assemblyFormat = [{
    `(` $inputs `)` `into` `(` $outputs `)` `kernel` $kernel attr-dict
    `:` type($inputs) `into` type($outputs)
  }];
  let hasVerifier = 1;
}

def CCRNNRT_WindowBackwardOp : CCRNNRT_Op<"window_backward",
    [MemoryEffects<[MemRead, MemWrite]>, AttrSizedOperandSegments]> {
  let summary = "a recurrent window's backward pass on its kernel object";
  let description = [{
    Runs the backward pass of kernel object `kernel`; with `stored`, it
    reads the activations its forward window left there instead of
    recomputing them (`--ccrnn-assign-kernels` decided that they are the
    same operands).
  }];
  let arguments = (ins Variadic<CCRNNRT_Buffer>:$inputs,
                       Variadic<CCRNNRT_Buffer>:$outputs,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$kernel,
                       UnitAttr:$stored);
  let assemblyFormat = [{
    `(` $inputs `)` `into` `(` $outputs `)` `kernel` $kernel (`stored` $stored^)?
    attr-dict `:` type($inputs) `into` type($outputs)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Entry points: the trainer's C ABI (ccrnn/Runtime/TrainerABI.h)
//===----------------------------------------------------------------------===//

def CCRNNRT_EntryKind : I32EnumAttr<"EntryKind", "an entry point of the C ABI", [
    // float train(trainer, const ccrnn_batch *, float *const *grads,
    //             float *final_state)
    I32EnumAttrCase<"Train", 0, "train">,
    // float eval(trainer, params, inputs, targets, float *predictions)
    I32EnumAttrCase<"Eval", 1, "eval">,
    // void record(trainer, const ccrnn_batch *, ccrnn_record *)
    I32EnumAttrCase<"Record", 2, "record">,
    // A token model's: float eval_window(trainer, const ccrnn_batch *,
    //                                    float *predictions, float *final_state)
    I32EnumAttrCase<"EvalWindow", 3, "eval_window">,
    // void decode(trainer, const ccrnn_batch *, int64_t *tokens)
    I32EnumAttrCase<"Decode", 4, "decode">
  ]> {
  let cppNamespace = "::ccrnnrt";
}

def CCRNNRT_CallerArray : I32EnumAttr<"CallerArray",
    "an array the caller of an entry point gives", [
    // Read: ccrnn_batch's fields (eval's arguments of the same names).
    I32EnumAttrCase<"Params", 0, "params">,
    I32EnumAttrCase<"Inputs", 1, "inputs">,
    I32EnumAttrCase<"Targets", 2, "targets">,
    I32EnumAttrCase<"InitialState", 3, "initial_state">,
    I32EnumAttrCase<"FibreMask", 4, "fibre_mask">,
    // A token model's: the image features, the dropout mask and the batch
    // norm's running statistics.
    I32EnumAttrCase<"VectorInput", 5, "vector_input">,
    I32EnumAttrCase<"DropoutMask", 6, "dropout_mask">,
    I32EnumAttrCase<"Statistics", 7, "statistics">,
    // Written: train's grads (read as a destination where a gradient is
    // computed in place), ccrnn_batch's losses, train's final_state,
    // eval's predictions, ccrnn_record's fields, ccrnn_batch's
    // new_statistics, decode's tokens.
    I32EnumAttrCase<"Grads", 8, "grads">,
    I32EnumAttrCase<"Losses", 9, "losses">,
    I32EnumAttrCase<"FinalState", 10, "final_state">,
    I32EnumAttrCase<"Predictions", 11, "predictions">,
    I32EnumAttrCase<"RecordState", 12, "record_state">,
    I32EnumAttrCase<"RecordSynthetic", 13, "record_synthetic">,
    I32EnumAttrCase<"RecordTargetGrad", 14, "record_target_grad">,
    I32EnumAttrCase<"RecordTrueGrad", 15, "record_true_grad">,
    I32EnumAttrCase<"RecordActivity", 16, "record_activity">,
    I32EnumAttrCase<"NewStatistics", 17, "new_statistics">,
    I32EnumAttrCase<"DecodedTokens", 18, "tokens">
  ]> {
  let cppNamespace = "::ccrnnrt";
}

def CCRNNRT_EntryPointOp : CCRNNRT_Op<"entry_point",
    [SingleBlock, IsolatedFromAbove, HasParent<"mlir::ModuleOp">]> {
  let summary = "a function of the trainer's C ABI";
  let description = [{
    The body of one function of `ccrnn_trainer_api` (`train`, `eval`,
    `record`, `eval_window` or `decode`): it reads the caller's arrays (`ccrnnrt.caller_array`), calls
    the training program's function and copies its results into the
    caller's arrays (`ccrnnrt.to_caller`); `ccrnnrt.entry_return` returns
    the loss. `--ccrnnrt-build-entry-points` builds them from the roles of
    the functions' arguments and results; a module has at most one of each
    kind.

    ```mlir
    ccrnnrt.entry_point eval {
      %w = ccrnnrt.caller_array params[0] : memref<4x3xf32>
      %x = ccrnnrt.caller_array inputs : memref<2x4xf32>
      %y = ccrnnrt.caller_array targets : memref<2x3xf32>
      %loss, %prediction = func.call @m_eval(%w, %x, %y) : (...) -> (memref<f32>, memref<2x3xf32>)
      ccrnnrt.to_caller %prediction into predictions : memref<2x3xf32>
      ccrnnrt.entry_return %loss : memref<f32>
    }
    ```
  }];
  let arguments = (ins CCRNNRT_EntryKind:$kind);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$kind attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def CCRNNRT_EntryReturnOp : CCRNNRT_Op<"entry_return",
    [Terminator, HasParent<"EntryPointOp">]> {
  let summary = "the end of an entry point, returning its loss";
  let description = [{
    `train`, `eval` and `eval_window` return the first float of `loss` (the
    first network's), `record` and `decode` return nothing.
  }];
  let arguments = (ins Optional<CCRNNRT_Buffer>:$loss);
  let assemblyFormat = "attr-dict ($loss^ `:` type($loss))?";
  let hasVerifier = 1;
}

def CCRNNRT_CallerArrayOp : CCRNNRT_Op<"caller_array", [
    HasParent<"EntryPointOp">, MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "an array the caller gives, as a buffer";
  let description = [{
    The caller's `array` (`params` and `grads` with their index): the
    buffer an entry point passes to the program. An ensemble's caller gives
    each array network after network, as the program keeps it, except the
    state and the running statistics: `initial_state` (`statistics`) is the
    piece at `offset` floats into each network's state (statistics; the
    caller gives the networks' whole states one after the other), regrouped
    into the program's layout.

    `initial_state`, `fibre_mask` and `dropout_mask` are optional in the C
    ABI: where the caller gives none, the buffer holds the value `or` names
    (the zero state, the dense mask, no dropout). `inputs` and `targets`
    may be int64 (a token model's tokens, labels).

    With `staged`, the caller's array is copied into the trainer's staging
    buffer at that float offset (the module's memory plan gives the
    staging buffer's size and `--ccrnn-plan-memory=target=cuda` the
    offsets), and the buffer is that copy: a GPU trainer's kernels read
    device memory, and a step recorded as a graph (`ccrnnrt.step_graph`)
    reads the same places every time.

    ```mlir
    %w = ccrnnrt.caller_array params[0] staged 0 : memref<4x3xf32>
    %c = ccrnnrt.caller_array initial_state offset 6 or 0.000000e+00 : memref<2x3xf32>
    ```
  }];
  let arguments = (ins CCRNNRT_CallerArray:$array,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$index,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$offset,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$staged,
                       OptionalAttr<F64Attr>:$absent);
  let results = (outs AnyTypeOf<[CCRNNRT_Buffer, CCRNNRT_Labels]>:$result);
  let assemblyFormat = [{
    $array (`[` $index^ `]`)? (`offset` $offset^)? (`staged` $staged^)?
    (`or` $absent^)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def CCRNNRT_ToCallerOp : CCRNNRT_Op<"to_caller", [
    ParentOneOf<["EntryPointOp", "StepGraphOp"]>, MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "a buffer copied into an array the caller gives";
  let description = [{
    Copies `input` (of every network) into the caller's `array` (`grads`
    with its index), in the caller's memory: a GPU trainer downloads it.
    `final_state` (`new_statistics`) is the piece at `offset` floats into
    each network's state (statistics). `losses`, `final_state` and
    `new_statistics` are optional in the C ABI: nothing is copied where the
    caller gives none. `tokens` (decode's, int64) is the piece at `offset`
    into `[decode_steps, batch]`.

    ```mlir
    ccrnnrt.to_caller %g into grads[0] : memref<4x3xf32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[CCRNNRT_Buffer, CCRNNRT_Labels]>:$input,
                       CCRNNRT_CallerArray:$array,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$index,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$offset);
  let assemblyFormat = [{
    $input `into` $array (`[` $index^ `]`)? (`offset` $offset^)? attr-dict
    `:` type($input)
  }];
  let hasVerifier = 1;
}

def CCRNNRT_StepGraphOp : CCRNNRT_Op<"step_graph", [
    SingleBlock, HasParent<"EntryPointOp">]> {
  let summary = "a step recorded once as a graph and replayed";
  let description = [{
    The kernels its body launches are recorded as a graph (a CUDA graph)
    the first time the entry point runs and replayed every later time: the
    body must read and write the same buffers every time (its caller arrays
    staged). Its results are the buffers its body yields, kept by the
    trainer from the recording run. A target without graphs runs the body
    each time. `--ccrnnrt-build-entry-points` puts a GPU trainer's training
    step in one.
  }];
  let results = (outs Variadic<CCRNNRT_Buffer>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword (`:` type($results)^)? $body";
  let hasRegionVerifier = 1;
}

def CCRNNRT_StepGraphYieldOp : CCRNNRT_Op<"step_graph_yield", [
    Pure, Terminator, HasParent<"StepGraphOp">]> {
  let summary = "the buffers a step graph's body leaves its results";
  let arguments = (ins Variadic<CCRNNRT_Buffer>:$results);
  let assemblyFormat = "attr-dict ($results^ `:` type($results))?";
}

#endif // CCRNNRT_TD
