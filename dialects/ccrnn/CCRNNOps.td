//===- CCRNNOps.td - ccrnn operations ----------------------*- tablegen -*-===//

#ifndef CCRNN_OPS_TD
#define CCRNN_OPS_TD

include "ccrnn/CCRNNDialect.td"
include "ccrnn/CCRNNAttrs.td"
include "ccrnn/CCRNNTypes.td"
include "ccrnn/CCRNNInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Graph level: model specs
//===----------------------------------------------------------------------===//

def CCRNN_ModelOp : CCRNN_Op<"model", [
    FunctionOpInterface, IsolatedFromAbove, Symbol]> {
  let summary = "a cerebro-cerebellar recurrent network";
  let description = [{
    Holds one network: a recurrent layer stack over the input sequence, a
    linear readout, optionally a cerebellum observing the recurrent state,
    and the `ccrnn.return` of the output sequence. A model with a cerebellum
    is a ccRNN; without one it is a cRNN. The model takes one input
    sequence, of vectors (`!ccrnn.seq`) or of tokens (`!ccrnn.tokens`, a
    caption's words, which `ccrnn.embedding` turns into vectors); a token
    model may take one vector per sequence before them (`!ccrnn.vec`, the
    image, which `ccrnn.prepend` makes the first step). It returns one
    output sequence.

    ```mlir
    ccrnn.model @dni_lstm(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
      %h = ccrnn.lstm %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
      %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
      ccrnn.cerebellum %h layers = 2, width = 400, scale = 0.1 : !ccrnn.rnn<lstm, 50>
      ccrnn.return %y loss = mse : !ccrnn.seq<2>
    }
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    TypeAttrOf<FunctionType>:$function_type,
    OptionalAttr<DictArrayAttr>:$arg_attrs,
    OptionalAttr<DictArrayAttr>:$res_attrs);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  // The signature is checked before the body, the structure after it.
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  // Creates an empty model with one entry block (no terminator).
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "SeqType":$input,
                   "SeqType":$output)>
  ];
  let extraClassDeclaration = [{
    //===------------------------------------------------------------------===//
    // FunctionOpInterface
    //===------------------------------------------------------------------===//
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() {
      return getFunctionType().getInputs();
    }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() {
      return getFunctionType().getResults();
    }
    ::mlir::Region *getCallableRegion() { return &getBody(); }

    //===------------------------------------------------------------------===//
    // Model structure (valid after verification)
    //===------------------------------------------------------------------===//
    /// The input sequence type (null for a model of tokens).
    SeqType getInputType();
    /// The input token type (null for a model of vectors).
    TokensType getTokensType();
    /// The type of the per-sequence vector input taken before the tokens
    /// (null when there is none).
    VecType getVectorInputType();
    /// The output sequence type.
    SeqType getOutputType();
    /// The single recurrent layer stack of the model.
    RecurrentLayerOpInterface getRecurrentLayer();
    /// The readout producing the model output, if it is a `ccrnn.linear`.
    LinearOp getReadout();
    /// The cerebellum, or null for a cRNN.
    CerebellumOp getCerebellum();
    /// The model's return.
    ReturnOp getReturn();
  }];
}

class CCRNN_RecurrentLayerOp<string mnemonic>
    : CCRNN_Op<mnemonic, [HasParent<"ModelOp">, Pure,
        CCRNN_RecurrentLayerOpInterface]> {
  let arguments = (ins
    CCRNN_AnyModelValue:$input,
    I64Attr:$hidden,
    DefaultValuedAttr<I64Attr, "1">:$layers);
  let results = (outs CCRNN_RecurrentType:$result);
  let assemblyFormat = [{
    $input `hidden` `=` $hidden (`,` `layers` `=` $layers^)? attr-dict
    `:` qualified(type($input)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
  // Infers the result type from the cell, the sizes and the layer count.
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "int64_t":$hidden,
                   CArg<"int64_t", "1">:$layers)>
  ];
}

def CCRNN_LSTMOp : CCRNN_RecurrentLayerOp<"lstm"> {
  let summary = "LSTM layers over a sequence (PyTorch nn.LSTM semantics)";
  let description = [{
    `layers` stacked LSTM layers of `hidden` units run over the input
    sequence from a zero state (gate order i, f, g, o). The result carries the
    hidden sequence of the last layer and the `[h, c]` state of every layer.
    `hidden` is 1 to 1,048,576 (2^20), `layers` 1 to 256 (the training
    program is built layer by layer).

    ```mlir
    %h = ccrnn.lstm %x hidden = 30 : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30>
    %h2 = ccrnn.lstm %x hidden = 30, layers = 2
        : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30, layers = 2>
    ```
  }];
}

def CCRNN_RNNTanhOp : CCRNN_RecurrentLayerOp<"rnn_tanh"> {
  let summary = "tanh RNN layers over a sequence (PyTorch nn.RNN semantics)";
  let description = [{
    `layers` stacked vanilla RNN layers of `hidden` units,
    `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`. The state of a
    layer is `h`. `hidden` is 1 to 1,048,576 (2^20), `layers` 1 to 256.

    ```mlir
    %h = ccrnn.rnn_tanh %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 50>
    ```
  }];
}

def CCRNN_LinearOp : CCRNN_Op<"linear", [HasParent<"ModelOp">, Pure]> {
  let summary = "a linear map applied at every step, or to a vector";
  let description = [{
    `y_t = W x_t + b` with `W` of shape `[features, in]` (PyTorch
    `nn.Linear`), `features` 1 to 1,048,576 (2^20). Applied to a recurrent
    layer output it reads the hidden sequence of the last layer; applied to
    a `!ccrnn.vec` it maps the vector (a caption model's image encoder).

    ```mlir
    %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
    %e = ccrnn.linear %image features = 256 : !ccrnn.vec<2048> -> !ccrnn.vec<256>
    ```
  }];
  let arguments = (ins CCRNN_LinearInput:$input, I64Attr:$features);
  let results = (outs CCRNN_LinearOutput:$result);
  let assemblyFormat = [{
    $input `features` `=` $features attr-dict
    `:` qualified(type($input)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "int64_t":$features), [{
      ::mlir::MLIRContext *ctx = $_builder.getContext();
      ::mlir::Type result = ::mlir::isa<VecType>(input.getType())
                                ? ::mlir::Type(VecType::get(ctx, features))
                                : ::mlir::Type(SeqType::get(ctx, features));
      build($_builder, $_state, result, input, features);
    }]>
  ];
  let extraClassDeclaration = [{
    /// Features of one input step.
    int64_t getInputSize();
    /// The number of output features (the result's size).
    int64_t getOutputSize();
  }];
}

def CCRNN_EmbeddingOp : CCRNN_Op<"embedding", [HasParent<"ModelOp">, Pure]> {
  let summary = "a learned vector per token";
  let description = [{
    Step `t` of the result is row `tokens_t` of a `[vocab, features]` table
    (PyTorch `nn.Embedding`, initialised N(0, 1)), `features` 1 to
    1,048,576.

    ```mlir
    %w = ccrnn.embedding %words features = 256 : !ccrnn.tokens<9956> -> !ccrnn.seq<256>
    ```
  }];
  let arguments = (ins CCRNN_TokensType:$input, I64Attr:$features);
  let results = (outs CCRNN_SeqType:$result);
  let assemblyFormat = [{
    $input `features` `=` $features attr-dict
    `:` qualified(type($input)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def CCRNN_BatchNormOp : CCRNN_Op<"batch_norm", [HasParent<"ModelOp">, Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "batch normalization of a vector, with running statistics";
  let description = [{
    PyTorch's `BatchNorm1d`: training normalises each feature with the
    batch's mean and (biased) variance, then scales and shifts it by the
    learned `weight` (initialised 1) and `bias` (0), and moves the running
    mean and (unbiased) variance towards the batch's by `momentum`;
    evaluation normalises with the running statistics. `momentum` is in
    (0, 1], `epsilon` positive.

    ```mlir
    %n = ccrnn.batch_norm %e momentum = 0.01 : !ccrnn.vec<256>
    ```
  }];
  let arguments = (ins CCRNN_VecType:$input, F64Attr:$momentum,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs CCRNN_VecType:$result);
  let assemblyFormat = [{
    $input `momentum` `=` $momentum attr-dict `:` qualified(type($input))
  }];
  let hasVerifier = 1;
}

def CCRNN_PrependOp : CCRNN_Op<"prepend", [HasParent<"ModelOp">, Pure,
    AllTypesMatch<["rest", "result"]>]> {
  let summary = "a vector as a sequence's first step";
  let description = [{
    The sequence `[first, rest_0, rest_1, ...]`: a caption model feeds the
    image's embedding before the words. Training windows cut the result,
    so only a sequence's first window holds the prepended step.

    ```mlir
    %x = ccrnn.prepend %image, %words : !ccrnn.vec<256>, !ccrnn.seq<256>
    ```
  }];
  let arguments = (ins CCRNN_VecType:$first, CCRNN_SeqType:$rest);
  let results = (outs CCRNN_SeqType:$result);
  let assemblyFormat = [{
    $first `,` $rest attr-dict `:` qualified(type($first)) `,`
    qualified(type($rest))
  }];
  let hasVerifier = 1;
}

def CCRNN_DropoutOp : CCRNN_Op<"dropout", [HasParent<"ModelOp">, Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "inverted dropout of a sequence in training";
  let description = [{
    In training each element is zeroed with probability `rate` and the
    others are scaled by `1 / (1 - rate)` (PyTorch `nn.Dropout`); in
    evaluation it is the identity. The mask is an input of the training
    program that the driver draws from its seeded streams, so that every
    random number of a run comes from one place. `rate` is in [0, 1).

    ```mlir
    %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<256>
    ```
  }];
  let arguments = (ins CCRNN_SeqType:$input, F64Attr:$rate);
  let results = (outs CCRNN_SeqType:$result);
  let assemblyFormat = [{
    $input `rate` `=` $rate attr-dict `:` qualified(type($input))
  }];
  let hasVerifier = 1;
}

def CCRNN_CerebellumOp : CCRNN_Op<"cerebellum", [HasParent<"ModelOp">]> {
  let summary = "the cerebellar synthesizer observing a recurrent state";
  let description = [{
    A feed-forward network `S` that sees the state `s` of each layer of the
    observed recurrent stack (`[h, c]` for LSTM, `h` for tanh) and predicts
    the gradient of the future loss with respect to it. Training injects
    `scale * S(s1)` at the end of every truncation window and trains `S` on
    the gradient that arrives at the start of the window.

    `layers` hidden layers of `width` ReLU units (`width` defaults to twice
    the hidden size of the observed layer); with `layers = 0`, `S` is a
    single linear map. `layers` is 0 to 256, `width` 1 to 1,048,576 (2^20). The last layer is zero-initialised, so a new ccRNN
    starts exactly as a cRNN. With `target_context`, the synthesizer also receives
    the task target (a one-hot class or the target point) through an extra
    linear map added to its first layer.

    ```mlir
    ccrnn.cerebellum %h layers = 2, width = 400, scale = 0.1 : !ccrnn.rnn<lstm, 50>
    ccrnn.cerebellum %h layers = 1, scale = 0.1, target_context : !ccrnn.rnn<lstm, 30>
    ```
  }];
  let arguments = (ins
    CCRNN_AnyModelValue:$state,
    I64Attr:$layers,
    OptionalAttr<I64Attr>:$width,
    DefaultValuedAttr<F64Attr, "0.1">:$scale,
    UnitAttr:$target_context);
  // Options are `key = value` pairs in any order: `layers` (required),
  // `width`, `scale`, and the flag `target_context`.
  let assemblyFormat = [{
    $state custom<CerebellumOptions>($layers, $width, $scale, $target_context)
    attr-dict `:` qualified(type($state))
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$state, "int64_t":$layers,
                   CArg<"std::optional<int64_t>", "std::nullopt">:$width,
                   CArg<"double", "0.1">:$scale,
                   CArg<"bool", "false">:$targetContext), [{
      build($_builder, $_state, state, $_builder.getI64IntegerAttr(layers),
            width ? $_builder.getI64IntegerAttr(*width) : nullptr,
            $_builder.getF64FloatAttr(scale),
            targetContext ? $_builder.getUnitAttr() : nullptr);
    }]>
  ];
  let extraClassDeclaration = [{
    /// The observed recurrent stack's type (valid after verification).
    RecurrentType getStateType();
    /// The width of the hidden layers: `width`, or twice the hidden size.
    int64_t getHiddenWidth();
  }];
}

def CCRNN_ReturnOp : CCRNN_Op<"return", [
    HasParent<"ModelOp">, Pure, ReturnLike, Terminator]> {
  let summary = "the model output and the loss it is trained with";
  let description = [{
    Terminates a model with its output sequence. `loss = mse` trains the
    output at every (supervised) step with the mean squared error;
    `loss = xent` reads only the last step as class scores and trains it with
    softmax cross-entropy; `loss = xent_steps` reads every step as scores
    of the next token (a model of `!ccrnn.tokens`, which must use it).
    Without `loss`, the training pipeline's option decides.

    ```mlir
    ccrnn.return %y loss = xent : !ccrnn.seq<10>
    ```
  }];
  let arguments = (ins
    CCRNN_SeqType:$output,
    OptionalAttr<CCRNN_LossKind>:$loss);
  let assemblyFormat =
    "$output (`loss` `=` $loss^)? attr-dict `:` qualified(type($output))";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Training level: truncation, synthetic gradients, losses (on tensors)
//===----------------------------------------------------------------------===//

def CCRNN_FloatTensor : RankedTensorOf<[AnyFloat]>;

def CCRNN_TruncateOp : CCRNN_Op<"truncate", [Pure, SameOperandsAndResultType]> {
  let summary = "cut the gradient: identity forward, zero gradient backward";
  let description = [{
    Marks a truncation boundary of backpropagation through time: the result
    equals the operand, but no gradient flows back through it. Applied to the
    recurrent state at the start of every window.

    ```mlir
    %s0 = ccrnn.truncate %state : tensor<2x50x100xf32>
    ```
  }];
  let arguments = (ins CCRNN_FloatTensor:$input);
  let results = (outs CCRNN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def CCRNN_SyntheticGradientOp : CCRNN_Op<"synthetic_gradient", [
    AllTypesMatch<["state", "prediction"]>]> {
  let summary = "inject `scale * S(s1)` as the gradient arriving at a state";
  let description = [{
    At the end of a truncation window, seeds the cotangent of `state` (the
    window's final state `s1`) with `scale * prediction`, where `prediction`
    is the synthesizer output `S(s1)`. No gradient flows into `prediction`
    (it is a stop-gradient). Equivalent to adding
    `sum(state * stop_gradient(scale * prediction))` to the window's loss.
    Autodiff removes the op.

    ```mlir
    ccrnn.synthetic_gradient %s1, %S1 {scale = 0.1} : tensor<2x50x100xf32>
    ```
  }];
  let arguments = (ins
    CCRNN_FloatTensor:$state,
    CCRNN_FloatTensor:$prediction,
    F64Attr:$scale);
  let assemblyFormat = "$state `,` $prediction attr-dict `:` type($state)";
  let hasVerifier = 1;
}

def CCRNN_SynthesizerTargetOp : CCRNN_Op<"synthesizer_target", [
    AllTypesMatch<["state", "prediction"]>]> {
  let summary = "train `S(s0)` on the gradient arriving at a window's first state";
  let description = [{
    At the start of a truncation window, captures the cotangent `g` that the
    window's backward pass delivers at `state` (the truncated first state
    `s0`) and defines the synthesizer's loss `sum((S(s0) - stop_gradient(g))^2)`,
    summed over batch and features and multiplied by `scale`, so that the
    gradient arriving at `prediction = S(s0)` is `2 * scale * (S(s0) - g)`.
    (`scale` is `1 / layers` when one synthesizer serves every layer of a
    stack, SPEC §2.) No gradient of this term reaches the recurrent network.
    Autodiff removes the op.

    ```mlir
    ccrnn.synthesizer_target %s0, %S0 : tensor<2x50x100xf32>
    ccrnn.synthesizer_target %s0, %S0 {scale = 5.0e-01} : tensor<50x100xf32>
    ```
  }];
  let arguments = (ins
    CCRNN_FloatTensor:$state,
    CCRNN_FloatTensor:$prediction,
    DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let assemblyFormat = "$state `,` $prediction attr-dict `:` type($state)";
}

def CCRNN_MSELossOp : CCRNN_Op<"mse_loss", [Pure, CCRNN_KernelOpInterface,
    DeclareOpInterfaceMethods<CCRNN_DifferentiableOpInterface>,
    AllTypesMatch<["prediction", "target"]>]> {
  let summary = "mean squared error over a window's supervised steps";
  let description = [{
    `prediction` and `target` are `[batch, steps, features]` for the steps of
    one window, whose first step is the global step `start` (0 when absent).
    With feedback interval `interval = k`, only the global steps `t` with
    `t % k == 0` are supervised. The result is the mean over all elements of
    the supervised steps (PyTorch `nn.MSELoss`), or 0 when the window has no
    supervised step.

    ```mlir
    %l = ccrnn.mse_loss %y, %target start %t0 {interval = 2}
        : tensor<50x1x2xf32> -> tensor<f32>
    ```
  }];
  let arguments = (ins
    CCRNN_FloatTensor:$prediction,
    CCRNN_FloatTensor:$target,
    Optional<Index>:$start,
    DefaultValuedAttr<I64Attr, "1">:$interval);
  let results = (outs 0DTensorOf<[AnyFloat]>:$loss);
  let assemblyFormat = [{
    $prediction `,` $target (`start` $start^)? attr-dict
    `:` type($prediction) `->` type($loss)
  }];
  let hasVerifier = 1;
}

def CCRNN_CrossEntropyLossOp : CCRNN_Op<"xent_loss", [Pure, CCRNN_KernelOpInterface,
    DeclareOpInterfaceMethods<CCRNN_DifferentiableOpInterface>]> {
  let summary = "softmax cross-entropy of the last step's class scores";
  let description = [{
    `logits` are the `[batch, classes]` outputs of the last step and `labels`
    the `[batch]` class indices; the result is the mean over the batch of the
    softmax cross-entropy (PyTorch `nn.CrossEntropyLoss`).

    `f32_softmax` is the compiler's choice of kernel, kept to its gradient:
    the softmax in float32 by oneDNN's vectorised (log-)softmax instead of
    the double-precision loop, for vocabulary-sized outputs (a token model's
    loss, where the loop's `exp` was a third of a COCO-size batch; see
    docs/Rationale.md). The reference evaluator computes both in double.

    ```mlir
    %l = ccrnn.xent_loss %logits, %labels
        : tensor<50x10xf32>, tensor<50xi64> -> tensor<f32>
    %w = ccrnn.xent_loss %scores, %words {f32_softmax}
        : tensor<500x9956xf32>, tensor<500xi64> -> tensor<f32>
    ```
  }];
  let arguments = (ins
    CCRNN_FloatTensor:$logits,
    RankedTensorOf<[AnySignlessInteger]>:$labels,
    UnitAttr:$f32_softmax);
  let results = (outs 0DTensorOf<[AnyFloat]>:$loss);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels)
    `->` type($loss)
  }];
  let hasVerifier = 1;
}

include "ccrnn/CCRNNTensorOps.td"

#endif // CCRNN_OPS_TD
