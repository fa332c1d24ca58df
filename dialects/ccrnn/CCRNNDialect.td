//===- CCRNNDialect.td - the ccrnn dialect -----------------*- tablegen -*-===//
//
// The dialect of cerebro-cerebellar recurrent networks: graph-level model
// specs (what users write in models/) and the training-level markers that make
// truncation and synthetic gradients explicit for autodiff.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DIALECT_TD
#define CCRNN_DIALECT_TD

include "mlir/IR/OpBase.td"

def CCRNN_Dialect : Dialect {
  let name = "ccrnn";
  let cppNamespace = "::ccrnn";
  let summary = "Cerebro-cerebellar recurrent networks and their training";
  let description = [{
    The `ccrnn` dialect describes recurrent networks ("cerebral" LSTM or tanh
    RNN layers with a linear readout) together with the feed-forward
    "cerebellar" synthesizer that predicts the future gradient at every
    truncation boundary (Decoupled Neural Interfaces).

    It has two levels:

    * the **graph level** is what a model file contains: `ccrnn.model`,
      recurrent layers (`ccrnn.lstm`, `ccrnn.rnn_tanh`), `ccrnn.linear`,
      `ccrnn.cerebellum` and `ccrnn.return`. Values are whole sequences
      (`!ccrnn.seq<N>`) or recurrent layer outputs that carry state
      (`!ccrnn.rnn<lstm, H>`); sizes are attributes checked by verifiers.
    * the **training level** makes truncated BPTT explicit on tensors:
      `ccrnn.truncate` (identity forward, zero gradient), the synthetic
      gradient injection `ccrnn.synthetic_gradient`, the cerebellar learning
      signal `ccrnn.synthesizer_target`, and the losses `ccrnn.mse_loss` and
      `ccrnn.xent_loss`.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  // The contract attributes (ccrnn.name, ccrnn.role, ccrnn.parameter,
  // ccrnn.trainer, ccrnn.ensemble) are checked wherever they appear.
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();
  }];
}

class CCRNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<CCRNN_Dialect, mnemonic, traits>;

#endif // CCRNN_DIALECT_TD
