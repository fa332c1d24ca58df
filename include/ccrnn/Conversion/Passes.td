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

def ConvertCCRNNToCCRNNRT : Pass<"convert-ccrnn-to-ccrnnrt", "mlir::ModuleOp"> {
  let summary = "Make a planned training program's storage explicit: ccrnnrt";
  let description = [{
    Rewrites a training program that `--ccrnn-plan-memory` and
    `--ccrnn-assign-kernels` have planned into the `ccrnnrt` dialect, the
    trainer's kernel calls on buffers (memrefs). Every tensor becomes the
    buffer its plan names: an arena slice (`ccrnnrt.slice`, a constant's
    filled when the trainer is created), the caller's array (a new trailing
    argument with `ccrnnrt.caller_result = i` for each result with
    `ccrnn.caller_storage`), a loop-carried buffer (an `in_place` result is
    written into it) or a loop's second buffer (a `swap` result; the loop
    carries both and yields them swapped). A reshape becomes a
    `ccrnnrt.view`; every kernel op one destination-passing `ccrnnrt` op
    that names its kernel object; an accumulation not planned in place
    copies its accumulator into its output first. An ensemble's functions
    get one network's buffer types and the module `ccrnnrt.networks = K`
    (each buffer holds every network's arrays). Nothing is decided here: a program without a plan is an error.
  }];
  let dependentDialects = ["ccrnnrt::CCRNNRTDialect", "mlir::scf::SCFDialect"];
}

def CCRNNRTBuildEntryPoints : Pass<"ccrnnrt-build-entry-points", "mlir::ModuleOp"> {
  let summary = "Build the trainer's C ABI functions as ccrnnrt.entry_point ops";
  let description = [{
    Adds to a program on the runtime level (after
    `--convert-ccrnn-to-ccrnnrt`) one `ccrnnrt.entry_point` for each
    function of the C ABI (`ccrnn/Runtime/TrainerABI.h`) the program has:
    `train` calls the function with `ccrnn.trainer`, `eval` and `record`
    the ones it names. Each argument is bound to the caller's array by its
    `ccrnn.role` (the parameters in order, the states as pieces of a
    network's state, the zero state and the dense mask where the caller
    gives none), each result copied into the caller's array of its role.
    A gradient the program computes in the caller's array
    (`ccrnnrt.caller_result`, returned as that argument) is not copied.

    For a GPU program (`ccrnn.memory_plan` with `target = cuda`) every
    caller array is staged at its `ccrnn.staged` offset, and the training
    step is a `ccrnnrt.step_graph`, recorded once and replayed. A module
    that has entry points already is left as it is.
  }];
  let dependentDialects = ["ccrnnrt::CCRNNRTDialect"];
}

#endif // CCRNN_CONVERSION_PASSES_TD
