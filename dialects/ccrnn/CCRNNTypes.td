//===- CCRNNTypes.td - ccrnn types -------------------------*- tablegen -*-===//

#ifndef CCRNN_TYPES_TD
#define CCRNN_TYPES_TD

include "ccrnn/CCRNNAttrs.td"
include "mlir/IR/AttrTypeBase.td"

class CCRNN_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<CCRNN_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def CCRNN_SeqType : CCRNN_Type<"Seq", "seq"> {
  let summary = "a sequence of feature vectors";
  let description = [{
    A batch of sequences whose steps are vectors of `features` elements
    (1 to 1,048,576 = 2^20). Batch size and sequence length are properties
    of the task, not of the model, so they are not part of the type.

    ```mlir
    !ccrnn.seq<28>     // one MNIST row per step
    ```
  }];
  let parameters = (ins "int64_t":$features);
  let assemblyFormat = "`<` $features `>`";
  let genVerifyDecl = 1;
}

def CCRNN_RecurrentType : CCRNN_Type<"Recurrent", "rnn"> {
  let summary = "the output of a recurrent layer: hidden sequence and state";
  let description = [{
    The value produced by a recurrent layer stack: the sequence of hidden
    vectors of its last layer (what a readout consumes) together with the
    recurrent state of every layer (what truncation cuts and what a
    cerebellum observes). The state of one LSTM layer is `[h, c]`
    (`2 * hidden` values), of one tanh layer `h` (`hidden` values).
    `hidden` is 1 to 1,048,576 (2^20), `layers` 1 to 256.

    ```mlir
    !ccrnn.rnn<lstm, 50>
    !ccrnn.rnn<tanh, 30, layers = 2>
    ```
  }];
  let parameters = (ins
    EnumParameter<CCRNN_CellKind>:$cell,
    "int64_t":$hidden,
    DefaultValuedParameter<"int64_t", "1">:$layers);
  let assemblyFormat =
    "`<` $cell `,` $hidden (`,` `layers` `=` $layers^)? `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of state values of one layer, as a synthesizer sees it:
    /// 2H for LSTM ([h, c]), H for tanh.
    int64_t getLayerStateSize() const;
  }];
}

def CCRNN_VecType : CCRNN_Type<"Vec", "vec"> {
  let summary = "one feature vector per sequence";
  let description = [{
    A batch of single vectors of `features` elements (1 to 1,048,576):
    what belongs to a whole sequence rather than to a step, such as the
    image features a caption is conditioned on. `ccrnn.prepend` makes it
    a sequence's first step.

    ```mlir
    !ccrnn.vec<2048>   // a ResNet-152 pooled feature vector
    ```
  }];
  let parameters = (ins "int64_t":$features);
  let assemblyFormat = "`<` $features `>`";
  let genVerifyDecl = 1;
}

def CCRNN_TokensType : CCRNN_Type<"Tokens", "tokens"> {
  let summary = "a sequence of token indices";
  let description = [{
    A batch of sequences whose steps are indices into a vocabulary of
    `vocab` tokens (2 to 1,048,576): a caption's words. `ccrnn.embedding`
    turns it into a sequence of vectors.

    ```mlir
    !ccrnn.tokens<9956>   // COCO train2014's vocabulary
    ```
  }];
  let parameters = (ins "int64_t":$vocab);
  let assemblyFormat = "`<` $vocab `>`";
  let genVerifyDecl = 1;
}

def CCRNN_AnyModelValue : AnyTypeOf<[CCRNN_SeqType, CCRNN_RecurrentType],
    "sequence or recurrent layer output">;
def CCRNN_LinearInput : AnyTypeOf<[CCRNN_SeqType, CCRNN_RecurrentType,
    CCRNN_VecType], "sequence, recurrent layer output or vector">;
def CCRNN_LinearOutput : AnyTypeOf<[CCRNN_SeqType, CCRNN_VecType],
    "sequence or vector">;

#endif // CCRNN_TYPES_TD
