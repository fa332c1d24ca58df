//===- CCRNNRT.td - kernels on buffers ---------------------*- tablegen -*-===//
//
// The trainer's runtime level: the calls a trainer makes, on buffers whose
// storage is explicit. Produced from the planned tensor-level program by
// --convert-ccrnn-to-ccrnnrt (docs/Rationale.md, "The runtime level").
//
//===----------------------------------------------------------------------===//

#ifndef CCRNNRT_TD
#define CCRNNRT_TD

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
    `ccrnn.memory_plan` gives its size) with the result's shape. With
    `fill`, the trainer fills it once, when it is created (a constant).

    ```mlir
    %c = ccrnnrt.slice 96 fill 5.000000e-01 : memref<f32>
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$offset,
                       OptionalAttr<F64Attr>:$fill);
  let results = (outs CCRNNRT_Buffer:$result);
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
  let arguments = (ins CCRNNRT_Buffer:$logits, CCRNNRT_Labels:$labels,
                       CCRNNRT_Buffer:$output);
  let assemblyFormat = [{
    $logits `,` $labels `into` $output attr-dict
    `:` type($logits) `,` type($labels) `,` type($output)
  }];
}

def CCRNNRT_CrossEntropyLossGradOp : CCRNNRT_Op<"xent_loss_grad",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "the gradient of xent_loss with respect to the logits";
  let arguments = (ins CCRNNRT_Buffer:$logits, CCRNNRT_Labels:$labels,
                       CCRNNRT_Buffer:$cotangent, CCRNNRT_Buffer:$output);
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

#endif // CCRNNRT_TD
