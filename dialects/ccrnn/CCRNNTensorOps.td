//===- CCRNNTensorOps.td - tensor-level ops ----------------*- tablegen -*-===//
//
// The primitives a training window is made of, on statically shaped ranked
// float tensors. Every op whose result can carry a gradient implements the
// VJP interface; `ccrnn-autodiff` differentiates any composition of them.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TENSOR_OPS_TD
#define CCRNN_TENSOR_OPS_TD

include "ccrnn/CCRNNDialect.td"
include "ccrnn/CCRNNInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

defvar CCRNN_Tensor = RankedTensorOf<[AnyFloat]>;
defvar CCRNN_Differentiable =
    DeclareOpInterfaceMethods<CCRNN_DifferentiableOpInterface>;
defvar CCRNN_FlopCount = DeclareOpInterfaceMethods<CCRNN_FlopCountOpInterface>;
defvar CCRNN_Kernel = CCRNN_KernelOpInterface;
// Moves, copies or views elements only (ccrnn::trait::LayoutOnly).
def CCRNN_LayoutOnly : NativeOpTrait<"LayoutOnly"> {
  let cppNamespace = "::ccrnn::trait";
}
defvar CCRNN_KernelObject =
    DeclareOpInterfaceMethods<CCRNN_KernelOpInterface, ["getKernelObject"]>;

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

class CCRNN_BinaryOp<string mnemonic, string formula>
    : CCRNN_Op<mnemonic, [Pure, SameOperandsAndResultType, Elementwise,
                          CCRNN_Differentiable, CCRNN_Kernel]> {
  let summary = "element-wise " # formula;
  let description = [{
    Element-wise `}] # formula # [{` of two tensors of the same type.
  }];
  let arguments = (ins CCRNN_Tensor:$lhs, CCRNN_Tensor:$rhs);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def CCRNN_AddOp : CCRNN_BinaryOp<"add", "lhs + rhs">;
def CCRNN_SubOp : CCRNN_BinaryOp<"sub", "lhs - rhs">;
def CCRNN_MulOp : CCRNN_BinaryOp<"mul", "lhs * rhs">;

class CCRNN_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : CCRNN_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType,
                                      Elementwise, CCRNN_Kernel],
                                     traits)> {
  let summary = "element-wise " # formula;
  let description = [{
    Element-wise `}] # formula # [{`.
  }];
  let arguments = (ins CCRNN_Tensor:$input);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def CCRNN_SigmoidOp : CCRNN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))",
                                    [CCRNN_Differentiable]>;
def CCRNN_TanhOp : CCRNN_UnaryOp<"tanh", "tanh(x)", [CCRNN_Differentiable]>;
def CCRNN_ReluOp : CCRNN_UnaryOp<"relu", "max(x, 0)", [CCRNN_Differentiable]>;
// The derivative of relu; itself has a zero derivative almost everywhere.
def CCRNN_StepOp : CCRNN_UnaryOp<"step", "x > 0 ? 1 : 0">;

def CCRNN_ReluGradOp : CCRNN_Op<"relu_grad", [Pure, SameOperandsAndResultType,
    Elementwise, CCRNN_Kernel]> {
  let summary = "the cotangent of relu's input, in one pass";
  let description = [{
    `cotangent * step(input)` element-wise: what relu's backward pass
    computes as a `ccrnn.step` and a `ccrnn.mul`, fused by
    `--convert-ccrnn-to-onednn` into one pass over memory (the product is
    the same, `cotangent * 1` or `cotangent * 0`, so the bits are too).
  }];
  let arguments = (ins CCRNN_Tensor:$cotangent, CCRNN_Tensor:$input);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = "$cotangent `,` $input attr-dict `:` type($result)";
}

def CCRNN_ScaleOp : CCRNN_Op<"scale", [Pure, SameOperandsAndResultType,
                                       Elementwise, CCRNN_Differentiable,
                                       CCRNN_Kernel]> {
  let summary = "multiply by a constant";
  let description = [{
    `factor * x`, element-wise.

    ```mlir
    %y = ccrnn.scale %x by 0.1 : tensor<50x100xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input, F64Attr:$factor);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = "$input `by` $factor attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Linear algebra, broadcast, reduction, layout
//===----------------------------------------------------------------------===//

def CCRNN_MatmulOp : CCRNN_Op<"matmul", [Pure, CCRNN_Differentiable,
    CCRNN_FlopCount, CCRNN_KernelObject]> {
  let summary = "matrix product with optional transposes";
  let description = [{
    `op(lhs) x op(rhs)` for rank-2 tensors, where `op` transposes when
    `transpose_lhs` / `transpose_rhs` is set. A linear layer `x W^T` is
    `matmul %x, %w {transpose_rhs}`.

    ```mlir
    %y = ccrnn.matmul %x, %w {transpose_rhs} : tensor<50x100xf32>, tensor<400x100xf32> -> tensor<50x400xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$lhs, CCRNN_Tensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CCRNN_BroadcastOp : CCRNN_Op<"broadcast", [Pure, CCRNN_Differentiable,
    CCRNN_Kernel, CCRNN_LayoutOnly]> {
  let summary = "repeat a tensor along a new leading axis";
  let description = [{
    `result[i, ...] = input[...]`: a bias vector `[N]` becomes `[M, N]`.

    ```mlir
    %b2 = ccrnn.broadcast %b : tensor<400xf32> -> tensor<50x400xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def CCRNN_ReduceSumOp : CCRNN_Op<"reduce_sum", [Pure, CCRNN_Differentiable,
    CCRNN_Kernel]> {
  let summary = "sum over the leading axis";
  let description = [{
    `result[...] = sum_i input[i, ...]`; the transpose of `ccrnn.broadcast`.

    ```mlir
    %db = ccrnn.reduce_sum %dy : tensor<50x400xf32> -> tensor<400xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def CCRNN_ReshapeOp : CCRNN_Op<"reshape", [Pure, CCRNN_Differentiable, CCRNN_LayoutOnly,
    DeclareOpInterfaceMethods<CCRNN_KernelOpInterface, ["isView"]>]> {
  let summary = "same elements in row-major order, another shape";
  let description = [{
    ```mlir
    %flat = ccrnn.reshape %hseq : tensor<50x10x50xf32> -> tensor<500x50xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def CCRNN_ConcatOp : CCRNN_Op<"concat", [Pure, CCRNN_Differentiable,
    CCRNN_Kernel, CCRNN_LayoutOnly]> {
  let summary = "join tensors along an axis";
  let description = [{
    ```mlir
    %s = ccrnn.concat %h, %c {axis = 1} : tensor<50x50xf32>, tensor<50x50xf32> -> tensor<50x100xf32>
    ```
  }];
  let arguments = (ins Variadic<CCRNN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` type($inputs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CCRNN_SplitOp : CCRNN_Op<"split", [Pure, CCRNN_Differentiable,
    CCRNN_Kernel, CCRNN_LayoutOnly]> {
  let summary = "cut a tensor into consecutive pieces along an axis";
  let description = [{
    The inverse of `ccrnn.concat`: the result sizes along `axis` add up to
    the input's.

    ```mlir
    %h, %c = ccrnn.split %s {axis = 1} : tensor<50x100xf32> -> tensor<50x50xf32>, tensor<50x50xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input, I64Attr:$axis);
  let results = (outs Variadic<CCRNN_Tensor>:$results);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Recurrent layers over a window (composite ops)
//===----------------------------------------------------------------------===//

def CCRNN_LSTMSeqOp : CCRNN_Op<"lstm_seq", [Pure, CCRNN_Differentiable, CCRNN_FlopCount,
    CCRNN_KernelObject,
    AllTypesMatch<["h0", "c0", "h_last", "c_last"]>,
    AllTypesMatch<["b_ih", "b_hh"]>]> {
  let summary = "one LSTM layer over the steps of a window";
  let description = [{
    Runs an LSTM layer (PyTorch semantics, gate order i, f, g, o) over
    `input` `[B, T, I]` from the state `(h0, c0)` `[B, H]` with weights
    `w_ih [4H, I]`, `w_hh [4H, H]`, `b_ih [4H]`, `b_hh [4H]`. Results: the
    hidden sequence `[B, T, H]` and the final state `(hT, cT)`.

    A composite op: its VJP is `ccrnn.lstm_seq_grad`, backpropagation
    through the window's steps, so the size of the differentiated program
    does not grow with the window length.

    ```mlir
    %hs, %hT, %cT = ccrnn.lstm_seq %x, %h0, %c0, %wih, %whh, %bih, %bhh
        : tensor<50x1x1xf32>, tensor<50x50xf32>, tensor<200x1xf32>,
          tensor<200x50xf32>, tensor<200xf32> -> tensor<50x1x50xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input, CCRNN_Tensor:$h0,
                       CCRNN_Tensor:$c0, CCRNN_Tensor:$w_ih,
                       CCRNN_Tensor:$w_hh, CCRNN_Tensor:$b_ih,
                       CCRNN_Tensor:$b_hh);
  let results = (outs CCRNN_Tensor:$hseq, CCRNN_Tensor:$h_last,
                      CCRNN_Tensor:$c_last);
  let assemblyFormat = [{
    $input `,` $h0 `,` $c0 `,` $w_ih `,` $w_hh `,` $b_ih `,` $b_hh attr-dict
    `:` type($input) `,` type($h0) `,` type($w_ih) `,` type($w_hh) `,`
    type($b_ih) `->` type($hseq)
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$h0,
                   "::mlir::Value":$c0, "::mlir::Value":$w_ih,
                   "::mlir::Value":$w_hh, "::mlir::Value":$b_ih,
                   "::mlir::Value":$b_hh)>
  ];
}

def CCRNN_LSTMSeqGradOp : CCRNN_Op<"lstm_seq_grad", [Pure, CCRNN_FlopCount, CCRNN_KernelObject,
    AllTypesMatch<["input", "d_input"]>,
    AllTypesMatch<["h0", "c0", "d_h_last", "d_c_last", "d_h0", "d_c0"]>,
    AllTypesMatch<["w_ih", "d_w_ih"]>, AllTypesMatch<["w_hh", "d_w_hh"]>,
    AllTypesMatch<["b_ih", "b_hh", "d_b_ih", "d_b_hh"]>]> {
  let summary = "backpropagation through the steps of `ccrnn.lstm_seq`";
  let description = [{
    Given the forward operands of a `ccrnn.lstm_seq` and the cotangents of
    its results (`d_hseq [B, T, H]`, `d_h_last`, `d_c_last [B, H]`), returns
    the cotangents of `input, h0, c0, w_ih, w_hh, b_ih, b_hh`, in that order.
    Implementations recompute or store the forward activations.
  }];
  let arguments = (ins CCRNN_Tensor:$input, CCRNN_Tensor:$h0,
                       CCRNN_Tensor:$c0, CCRNN_Tensor:$w_ih,
                       CCRNN_Tensor:$w_hh, CCRNN_Tensor:$b_ih,
                       CCRNN_Tensor:$b_hh, CCRNN_Tensor:$d_hseq,
                       CCRNN_Tensor:$d_h_last, CCRNN_Tensor:$d_c_last);
  let results = (outs CCRNN_Tensor:$d_input, CCRNN_Tensor:$d_h0,
                      CCRNN_Tensor:$d_c0, CCRNN_Tensor:$d_w_ih,
                      CCRNN_Tensor:$d_w_hh, CCRNN_Tensor:$d_b_ih,
                      CCRNN_Tensor:$d_b_hh);
  let assemblyFormat = [{
    $input `,` $h0 `,` $c0 `,` $w_ih `,` $w_hh `,` $b_ih `,` $b_hh
    `cotangents` $d_hseq `,` $d_h_last `,` $d_c_last attr-dict
    `:` type($input) `,` type($h0) `,` type($w_ih) `,` type($w_hh) `,`
    type($b_ih) `,` type($d_hseq)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::ValueRange":$forwardOperands,
                   "::mlir::ValueRange":$resultCotangents)>
  ];
}

def CCRNN_RNNTanhSeqOp : CCRNN_Op<"rnn_tanh_seq", [Pure, CCRNN_Differentiable,
    CCRNN_FlopCount, CCRNN_KernelObject,
    AllTypesMatch<["h0", "h_last"]>, AllTypesMatch<["b_ih", "b_hh"]>]> {
  let summary = "one tanh-RNN layer over the steps of a window";
  let description = [{
    `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)` over `input`
    `[B, T, I]` from `h0 [B, H]`, with `w_ih [H, I]`, `w_hh [H, H]`,
    `b_ih [H]`, `b_hh [H]`. Results: the hidden sequence `[B, T, H]` and `hT`.
    Its VJP is `ccrnn.rnn_tanh_seq_grad`.

    ```mlir
    %hs, %hT = ccrnn.rnn_tanh_seq %x, %h0, %wih, %whh, %bih, %bhh
        : tensor<50x1x1xf32>, tensor<50x50xf32>, tensor<50x1xf32>,
          tensor<50x50xf32>, tensor<50xf32> -> tensor<50x1x50xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input, CCRNN_Tensor:$h0,
                       CCRNN_Tensor:$w_ih, CCRNN_Tensor:$w_hh,
                       CCRNN_Tensor:$b_ih, CCRNN_Tensor:$b_hh);
  let results = (outs CCRNN_Tensor:$hseq, CCRNN_Tensor:$h_last);
  let assemblyFormat = [{
    $input `,` $h0 `,` $w_ih `,` $w_hh `,` $b_ih `,` $b_hh attr-dict
    `:` type($input) `,` type($h0) `,` type($w_ih) `,` type($w_hh) `,`
    type($b_ih) `->` type($hseq)
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$h0,
                   "::mlir::Value":$w_ih, "::mlir::Value":$w_hh,
                   "::mlir::Value":$b_ih, "::mlir::Value":$b_hh)>
  ];
}

def CCRNN_RNNTanhSeqGradOp : CCRNN_Op<"rnn_tanh_seq_grad", [Pure, CCRNN_FlopCount, CCRNN_KernelObject,
    AllTypesMatch<["input", "d_input"]>,
    AllTypesMatch<["h0", "d_h_last", "d_h0"]>,
    AllTypesMatch<["w_ih", "d_w_ih"]>, AllTypesMatch<["w_hh", "d_w_hh"]>,
    AllTypesMatch<["b_ih", "b_hh", "d_b_ih", "d_b_hh"]>]> {
  let summary = "backpropagation through the steps of `ccrnn.rnn_tanh_seq`";
  let description = [{
    Given the forward operands of a `ccrnn.rnn_tanh_seq` and the cotangents
    `d_hseq [B, T, H]`, `d_h_last [B, H]`, returns the cotangents of
    `input, h0, w_ih, w_hh, b_ih, b_hh`, in that order.
  }];
  let arguments = (ins CCRNN_Tensor:$input, CCRNN_Tensor:$h0,
                       CCRNN_Tensor:$w_ih, CCRNN_Tensor:$w_hh,
                       CCRNN_Tensor:$b_ih, CCRNN_Tensor:$b_hh,
                       CCRNN_Tensor:$d_hseq, CCRNN_Tensor:$d_h_last);
  let results = (outs CCRNN_Tensor:$d_input, CCRNN_Tensor:$d_h0,
                      CCRNN_Tensor:$d_w_ih, CCRNN_Tensor:$d_w_hh,
                      CCRNN_Tensor:$d_b_ih, CCRNN_Tensor:$d_b_hh);
  let assemblyFormat = [{
    $input `,` $h0 `,` $w_ih `,` $w_hh `,` $b_ih `,` $b_hh
    `cotangents` $d_hseq `,` $d_h_last attr-dict
    `:` type($input) `,` type($h0) `,` type($w_ih) `,` type($w_hh) `,`
    type($b_ih) `,` type($d_hseq)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::ValueRange":$forwardOperands,
                   "::mlir::ValueRange":$resultCotangents)>
  ];
}

//===----------------------------------------------------------------------===//
// Loss gradients and data access
//===----------------------------------------------------------------------===//

def CCRNN_MSELossGradOp : CCRNN_Op<"mse_loss_grad", [Pure, CCRNN_Kernel,
    AllTypesMatch<["prediction", "target", "result"]>]> {
  let summary = "the gradient of `ccrnn.mse_loss` with respect to the prediction";
  let description = [{
    `cotangent * 2 * (prediction - target) / n` at the supervised steps (the
    same `start` and `interval` rule as `ccrnn.mse_loss`, `n` the number of
    supervised elements) and 0 elsewhere.
  }];
  let arguments = (ins CCRNN_Tensor:$prediction, CCRNN_Tensor:$target,
                       0DTensorOf<[AnyFloat]>:$cotangent, Optional<Index>:$start,
                       DefaultValuedAttr<I64Attr, "1">:$interval);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $prediction `,` $target `,` $cotangent (`start` $start^)? attr-dict
    `:` type($prediction) `,` type($cotangent)
  }];
}

def CCRNN_CrossEntropyLossGradOp : CCRNN_Op<"xent_loss_grad", [Pure, CCRNN_Kernel,
    AllTypesMatch<["logits", "result"]>]> {
  let summary = "the gradient of `ccrnn.xent_loss` with respect to the logits";
  let description = [{
    `cotangent * (softmax(logits) - onehot(labels)) / B`; `f32_softmax` as
    on `ccrnn.xent_loss`.
  }];
  let arguments = (ins CCRNN_Tensor:$logits,
                       RankedTensorOf<[AnySignlessInteger]>:$labels,
                       0DTensorOf<[AnyFloat]>:$cotangent,
                       UnitAttr:$f32_softmax);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels `,` $cotangent attr-dict
    `:` type($logits) `,` type($labels) `,` type($cotangent)
  }];
}

def CCRNN_TimeSliceOp : CCRNN_Op<"time_slice", [Pure, CCRNN_Kernel]> {
  let summary = "the steps of one window of a batch of sequences";
  let description = [{
    `result[b, t, f] = input[b, start + t, f]` for `t < steps` (the static
    size of the result's axis 1). Reads data; not differentiable.

    ```mlir
    %xw = ccrnn.time_slice %x at %t0 : tensor<50x10x1xf32> -> tensor<50x2x1xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input, Index:$start);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $input `at` $start attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CCRNN_OneHotOp : CCRNN_Op<"one_hot", [Pure, CCRNN_Kernel]> {
  let summary = "one-hot rows of class indices";
  let description = [{
    `result[b, k] = labels[b] == k ? 1 : 0` for the `[batch]` class indices
    `labels` and `k < classes` (the static size of the result's axis 1): the
    target context of a classifier's synthesizer. Reads data; not
    differentiable.

    ```mlir
    %c = ccrnn.one_hot %labels : tensor<50xi64> -> tensor<50x10xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnySignlessInteger]>:$labels);
  let results = (outs CCRNN_FloatTensor:$result);
  let assemblyFormat = [{
    $labels attr-dict `:` type($labels) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CCRNN_GatherRowsOp : CCRNN_Op<"gather_rows", [Pure, CCRNN_Differentiable,
    CCRNN_Kernel]> {
  let summary = "rows of a table picked by index: an embedding lookup";
  let description = [{
    `result[i, :] = table[indices[i], :]` for a `[rows, features]` table and
    `[n]` indices: the token embedding of a captioning model, `n` = batch x
    steps tokens in row-major order. Every index must lie in `[0, rows)`
    (the driver checks its tokens; the reference evaluator reports one that
    does not). Differentiable with respect to the table
    (`ccrnn.scatter_add_rows`); the indices are data.

    ```mlir
    %e = ccrnn.gather_rows %table[%tokens] : tensor<100x16xf32>, tensor<12xi64> -> tensor<12x16xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$table,
                       RankedTensorOf<[AnySignlessInteger]>:$indices);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $table `[` $indices `]` attr-dict `:` type($table) `,` type($indices)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def CCRNN_ArgmaxRowsOp : CCRNN_Op<"argmax_rows", [Pure, CCRNN_Kernel]> {
  let summary = "the index of each row's largest element: greedy decoding";
  let description = [{
    `result[i] = argmax_j scores[i, j]` for `[rows, columns]` scores: the
    greedy decoder's next token, fed back through `ccrnn.gather_rows`. The
    first of equal maxima wins, and a NaN counts as the largest (as
    `torch.argmax`). Its integer result carries no gradient, so it has no
    VJP.

    ```mlir
    %t = ccrnn.argmax_rows %scores : tensor<4x100xf32> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$scores);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$scores attr-dict `:` type($scores) `->` type($result)";
  let hasVerifier = 1;
}

def CCRNN_ScatterAddRowsOp : CCRNN_Op<"scatter_add_rows", [Pure, CCRNN_Kernel]> {
  let summary = "sum rows into a table by index: the transpose of gather_rows";
  let description = [{
    `result[r, :] = sum of updates[i, :] over the i with indices[i] == r`,
    zero for a row no index names, for `r < rows` (the static size of the
    result's axis 0): the gradient of an embedding table. Rows are summed
    in the order of `i`, so the result does not depend on threads.

    ```mlir
    %dt = ccrnn.scatter_add_rows %de[%tokens] : tensor<12x16xf32>, tensor<12xi64> -> tensor<100x16xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$updates,
                       RankedTensorOf<[AnySignlessInteger]>:$indices);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $updates `[` $indices `]` attr-dict `:` type($updates) `,` type($indices)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Batch normalization
//===----------------------------------------------------------------------===//

def CCRNN_BatchNormTrainOp : CCRNN_Op<"batch_norm_train", [Pure,
    CCRNN_Differentiable, CCRNN_Kernel, AllTypesMatch<["input", "result"]>,
    AllTypesMatch<["gamma", "beta", "mean", "variance"]>]> {
  let summary = "batch normalization with the batch's own statistics";
  let description = [{
    For `x` `[batch, features]`: `mean` and `var` are the batch's mean and
    biased variance of each feature, and
    `y = gamma * (x - mean) / sqrt(var + epsilon) + beta` (PyTorch's
    `BatchNorm1d` in training mode; the running statistics are updated
    from `mean` and `var` by the program, outside this op). Differentiable
    with respect to `x`, `gamma` and `beta` (`ccrnn.batch_norm_grad`); the
    statistics are for the running averages and carry no gradient.

    ```mlir
    %y, %mean, %var = ccrnn.batch_norm_train %x, %gamma, %beta {epsilon = 1.0e-5}
        : tensor<100x256xf32>, tensor<256xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input, CCRNN_Tensor:$gamma,
                       CCRNN_Tensor:$beta, F64Attr:$epsilon);
  let results = (outs CCRNN_Tensor:$result, CCRNN_Tensor:$mean,
                      CCRNN_Tensor:$variance);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta attr-dict `:` type($input) `,` type($gamma)
  }];
  let hasVerifier = 1;
}

def CCRNN_BatchNormGradOp : CCRNN_Op<"batch_norm_grad", [Pure, CCRNN_Kernel,
    AllTypesMatch<["input", "d_result", "d_input"]>,
    AllTypesMatch<["gamma", "mean", "variance", "d_gamma", "d_beta"]>]> {
  let summary = "the gradient of `ccrnn.batch_norm_train`";
  let description = [{
    From the forward op's input, `gamma`, batch `mean` and `variance` and
    the cotangent `d_result` of its result: with
    `xhat = (x - mean) / sqrt(var + epsilon)`,
    `d_beta = sum_b d_result`, `d_gamma = sum_b d_result * xhat` and
    `d_input = gamma / sqrt(var + epsilon) / B *
    (B * d_result - d_beta - xhat * d_gamma)`.
  }];
  let arguments = (ins CCRNN_Tensor:$input, CCRNN_Tensor:$gamma,
                       CCRNN_Tensor:$mean, CCRNN_Tensor:$variance,
                       CCRNN_Tensor:$d_result, F64Attr:$epsilon);
  let results = (outs CCRNN_Tensor:$d_input, CCRNN_Tensor:$d_gamma,
                      CCRNN_Tensor:$d_beta);
  let assemblyFormat = [{
    $input `,` $gamma `,` $mean `,` $variance `cotangent` $d_result attr-dict
    `:` type($input) `,` type($gamma)
  }];
  let hasVerifier = 1;
}

def CCRNN_BatchNormInferenceOp : CCRNN_Op<"batch_norm_inference", [Pure,
    CCRNN_Kernel, AllTypesMatch<["input", "result"]>,
    AllTypesMatch<["gamma", "beta", "mean", "variance"]>]> {
  let summary = "batch normalization with given (running) statistics";
  let description = [{
    `y = gamma * (x - mean) / sqrt(variance + epsilon) + beta` for `x`
    `[batch, features]` and the per-feature `mean` and `variance` given:
    `BatchNorm1d` in evaluation mode, on its running statistics.

    ```mlir
    %y = ccrnn.batch_norm_inference %x, %gamma, %beta, %mean, %var {epsilon = 1.0e-5}
        : tensor<100x256xf32>, tensor<256xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$input, CCRNN_Tensor:$gamma,
                       CCRNN_Tensor:$beta, CCRNN_Tensor:$mean,
                       CCRNN_Tensor:$variance, F64Attr:$epsilon);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $variance attr-dict
    `:` type($input) `,` type($gamma)
  }];
  let hasVerifier = 1;
}

def CCRNN_SupervisedStepsOp : CCRNN_Op<"supervised_steps", [Pure, CCRNN_Kernel]> {
  let summary = "how many steps of a window the loss supervises";
  let description = [{
    The number of global steps `t` in `[start, start + steps)` with
    `t % interval == 0`, as a float scalar (`n_w` of the reported training
    loss, SPEC §3).

    ```mlir
    %n = ccrnn.supervised_steps %t0 {steps = 2, interval = 2} : tensor<f32>
    ```
  }];
  let arguments = (ins Index:$start, I64Attr:$steps, I64Attr:$interval);
  let results = (outs 0DTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = "$start attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Kernel level
//===----------------------------------------------------------------------===//

def CCRNN_FusedMatmulOp : CCRNN_Op<"fused_matmul", [Pure, CCRNN_FlopCount,
    CCRNN_KernelObject]> {
  let summary = "matrix product with fused bias and relu (a oneDNN matmul)";
  let description = [{
    `op(lhs) x op(rhs) + broadcast(bias)`, then `max(., 0)` when `relu` is
    set: one oneDNN matmul primitive with bias and eltwise post-ops.
    Produced by `--convert-ccrnn-to-onednn` from `ccrnn.matmul`,
    `ccrnn.broadcast`, `ccrnn.add` and `ccrnn.relu`; not differentiable
    (it appears after autodiff).

    ```mlir
    %y = ccrnn.fused_matmul %x, %w, %b {transpose_rhs, relu}
        : tensor<50x100xf32>, tensor<400x100xf32>, tensor<400xf32> -> tensor<50x400xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$lhs, CCRNN_Tensor:$rhs,
                       CCRNN_Tensor:$bias, UnitAttr:$transpose_lhs,
                       UnitAttr:$transpose_rhs, UnitAttr:$relu);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $bias attr-dict `:` type($lhs) `,` type($rhs) `,`
    type($bias) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CCRNN_MatmulAccumulateOp : CCRNN_Op<"matmul_accumulate", [Pure, CCRNN_FlopCount,
    DeclareOpInterfaceMethods<CCRNN_KernelOpInterface,
                              ["canOverwriteOperand", "getKernelObject"]>]> {
  let summary = "add a matrix product to an accumulator (a oneDNN matmul)";
  let description = [{
    `accumulator + op(lhs) x op(rhs)`: one oneDNN matmul primitive with a
    sum post-op, which adds the product to the accumulator as it writes it.
    Produced by `--convert-ccrnn-to-onednn` from `ccrnn.add` of a
    `ccrnn.matmul` whose product nothing else reads, above all the
    accumulation of a window's weight gradients into the batch's; when the
    accumulator is a loop-carried value, the C++ trainer updates it in
    place. Not differentiable (it appears after autodiff).

    ```mlir
    %acc2 = ccrnn.matmul_accumulate %acc, %dy, %x {transpose_lhs}
        : tensor<400x100xf32>, tensor<50x400xf32>, tensor<50x100xf32> -> tensor<400x100xf32>
    ```
  }];
  let arguments = (ins CCRNN_Tensor:$accumulator, CCRNN_Tensor:$lhs,
                       CCRNN_Tensor:$rhs, UnitAttr:$transpose_lhs,
                       UnitAttr:$transpose_rhs);
  let results = (outs CCRNN_Tensor:$result);
  let assemblyFormat = [{
    $accumulator `,` $lhs `,` $rhs attr-dict `:` type($accumulator) `,`
    type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Autodiff request
//===----------------------------------------------------------------------===//

def CCRNN_ValueAndGradOp : CCRNN_Op<"value_and_grad", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "call a window function and differentiate its loss";
  let description = [{
    Calls `callee` and returns its results followed by the gradient of its
    first result (a scalar loss) with respect to its first `num_params`
    arguments. Inside the callee, `ccrnn.truncate`,
    `ccrnn.synthetic_gradient` and `ccrnn.synthesizer_target` shape that
    gradient. `ccrnn-autodiff` replaces this op by a call of a generated
    function that computes the forward and backward passes.

    ```mlir
    %l, %h1, %c1, %g:12 = ccrnn.value_and_grad @dni_lstm_window(%p0, ...) {num_params = 12}
        : (...) -> (...)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyType>:$operands,
                       I64Attr:$num_params);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = [{
    $callee `(` $operands `)` attr-dict `:` functional-type($operands, $results)
  }];
}

//===----------------------------------------------------------------------===//
// Ensembles
//===----------------------------------------------------------------------===//

def CCRNN_EnsembleOp : CCRNN_Op<"ensemble", [IsolatedFromAbove, SingleBlock,
    RecursiveMemoryEffects]> {
  let summary = "the same computation for each of `size` networks";
  let description = [{
    Runs its body once per network, on that network's slice of each input,
    and stacks what it yields: a tensor input or result has a leading
    dimension of `size` (network after network, each network's elements in
    one run), the body's argument or yielded value is one network's
    (`tensor<size x T>` outside, `tensor<T>` inside); other inputs (an
    index) are the same for every network. The body sees nothing but its
    arguments (it is isolated from above), so the networks are independent
    by construction. Functions it calls run per network too. `size` is 1
    to 1,024.

    `--ccrnn-ensemble=size=K` wraps the body of every entry function of a
    lowered training program in one; the reference evaluator runs it
    network by network, the trainer emitters batch the networks (element-
    wise work over all of them at once, products and windows per network).

    ```mlir
    func.func @m_train(%w: tensor<3x4x2xf32>, %x: tensor<3x5x4xf32>) -> tensor<3xf32> {
      %r = ccrnn.ensemble 3 networks(%w, %x : tensor<3x4x2xf32>, tensor<3x5x4xf32>)
          -> (tensor<3xf32>) {
      ^bb0(%w1: tensor<4x2xf32>, %x1: tensor<5x4xf32>):
        ...
        ccrnn.ensemble_yield %loss : tensor<f32>
      }
      return %r : tensor<3xf32>
    }
    ```
  }];
  let arguments = (ins I64Attr:$size, Variadic<AnyType>:$inputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$region);
  let assemblyFormat = [{
    $size `networks` (`(` $inputs^ `:` type($inputs) `)`)? `->`
    `(` type($results) `)`
    $region attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The type of `size` networks' values of one network's `type`: a
    /// tensor gets a leading dimension of `size`, anything else is shared.
    static ::mlir::Type getNetworksType(int64_t size, ::mlir::Type type);
    /// What the body yields (one network's results).
    ::mlir::Operation::operand_range getYielded() {
      return getBody()->getTerminator()->getOperands();
    }
  }];
}

def CCRNN_EnsembleYieldOp : CCRNN_Op<"ensemble_yield", [Pure, Terminator,
    ReturnLike, HasParent<"EnsembleOp">]> {
  let summary = "one network's results of a `ccrnn.ensemble`";
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // CCRNN_TENSOR_OPS_TD
