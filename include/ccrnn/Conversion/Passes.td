//===- Passes.td - ccrnn conversions -----------------------*- tablegen -*-===//

#ifndef CCRNN_CONVERSION_PASSES_TD
#define CCRNN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertCCRNNToOneDNN : Pass<"convert-ccrnn-to-onednn", "mlir::ModuleOp"> {
  let summary = "Map the training program onto oneDNN-backed CPU kernels";
  let description = [{
    Rewrites the differentiated tensor-level program into the kernels the
    CPU trainer runs: a linear layer `add(matmul(x, W), broadcast(b))`
    becomes one `ccrnn.fused_matmul` (a oneDNN matmul primitive with a bias
    post-op), and a `ccrnn.relu` of it that nothing else reads becomes its
    eltwise post-op. Everything else already is a kernel:
    `ccrnn-translate --emit-trainer=cpp` maps each remaining op to one call
    of `ccrnn/Runtime/Kernels.h` (oneDNN matmuls, the recurrent window
    kernels, element-wise loops).
  }];
}

#endif // CCRNN_CONVERSION_PASSES_TD
