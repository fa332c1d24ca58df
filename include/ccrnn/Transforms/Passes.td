//===- Passes.td - ccrnn passes ----------------------------*- tablegen -*-===//

#ifndef CCRNN_TRANSFORMS_PASSES_TD
#define CCRNN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CCRNNPrintParameters : Pass<"ccrnn-print-parameters", "mlir::ModuleOp"> {
  let summary = "Print every model's parameters: names, shapes, initialisation";
  let description = [{
    Prints, for each `ccrnn.model` of the module, a table of its parameters in
    the order and with the names of the reference PyTorch model's
    `state_dict` (the checkpoint format), their shapes, their initialisation
    and the total count. The IR is left unchanged.

    ```
    $ ccrnn-opt --ccrnn-print-parameters models/dni_lstm.mlir -o /dev/null
    ```
  }];
  let options = [
    Option<"groupTotals", "group-totals", "bool", /*default=*/"false",
           "Also print the parameter count of the recurrent network, the "
           "readout and the synthesizer">
  ];
}

def CCRNNDescribeModel : Pass<"ccrnn-describe-model", "mlir::ModuleOp"> {
  let summary = "Print every model's facts as JSON";
  let description = [{
    Prints, as one JSON object on standard output, the facts of every
    `ccrnn.model` of the module that tools without MLIR need: its name, cell,
    input and output sizes, hidden size, layers and loss, its cerebellum
    (`null` for a cRNN; else its layers, width, scale and whether it takes
    the target as context) and its parameters (name, shape, initialisation,
    bound, group) in checkpoint order. `ccrnn-train` reads it instead of the
    model file's text. The IR is left unchanged.

    ```
    $ ccrnn-opt --ccrnn-describe-model models/dni_lstm.mlir -o /dev/null
    {
      "models": [
        {
          "name": "dni_lstm",
          "cell": "lstm",
          ...
          "cerebellum": {"layers": 2, "width": 400, "scale": 0.1, ...},
          "parameters": [{"name": "lstm.weight_ih_l0", "shape": [200, 1], ...
    ```
  }];
}

def CCRNNConfigureModel : Pass<"ccrnn-configure-model", "mlir::ModuleOp"> {
  let summary = "Set the sizes of every model: recurrent and cerebellar";
  let description = [{
    Rewrites each `ccrnn.model` with the sizes given (the others are kept),
    so that one model file serves a family of experiments: the hidden size
    and the number of stacked layers of the recurrent network, and the
    depth, width and scale of the cerebellum and whether it receives the
    target as context; a token model's vocabulary (its tokens' type, the
    embedding's table and the readout over it) and the width of its vector
    input, so that one caption model file fits any data set.
    `ccrnn-train`'s `--nhid`, `--nlayers`, `--synth-nlayers`,
    `--synth-nhid`, `--synth-scale` and `--context` run this pass before
    building the training program.

    ```
    $ ccrnn-opt models/dni_lstm.mlir \
        --ccrnn-configure-model='layers=2 synth-layers=1 synth-width=100'
    ```
  }];
  let options = [
    Option<"hidden", "hidden", "int64_t", /*default=*/"0",
           "Hidden units of each recurrent layer, at most 1048576 (0: keep)">,
    Option<"layers", "layers", "int64_t", /*default=*/"0",
           "Stacked recurrent layers, at most 256 (0: keep)">,
    Option<"synthLayers", "synth-layers", "int64_t", /*default=*/"-1",
           "Hidden layers of the cerebellum, at most 256 (-1: keep)">,
    Option<"synthWidth", "synth-width", "int64_t", /*default=*/"0",
           "Width of the cerebellum's hidden layers, at most 1048576 (0: "
           "keep)">,
    Option<"synthScale", "synth-scale", "double", /*default=*/"-1.0",
           "Scale of the synthetic gradient (negative: keep)">,
    Option<"context", "context", "std::string", /*default=*/"\"keep\"",
           "Target context of the cerebellum: 'on', 'off' or 'keep'">,
    Option<"vocab", "vocab", "int64_t", /*default=*/"0",
           "A token model's vocabulary: its tokens and the scores over them, "
           "at most 1048576 (0: keep)">,
    Option<"vectorInputs", "vector-inputs", "int64_t", /*default=*/"0",
           "Width of a token model's vector input (the image features), at "
           "most 1048576 (0: keep)">,
  ];
}

def CCRNNBuildTraining : Pass<"ccrnn-build-training", "mlir::ModuleOp"> {
  let summary = "Build the training and evaluation programs of every model";
  let description = [{
    Lowers each graph-level `ccrnn.model @m` to tensor-level functions for a
    batch of `batch` sequences of `steps` steps (SPEC §3):

    * `@m_window` (and `@m_window_last` when the last window differs): one
      truncation window. Its first state is cut (`ccrnn.truncate`); with a
      cerebellum, the synthesizer's prediction at the first state is trained
      on the gradient arriving there (`ccrnn.synthesizer_target`) and its
      prediction at the final state is injected (`ccrnn.synthetic_gradient`).
      Returns the window loss and the final state.
    * `@m_train(params..., input, target)`: the loop over the
      `ceil(steps / bptt)` windows; each window is differentiated through
      `ccrnn.value_and_grad`, gradients accumulate, and the reported loss is
      `2 * sum_w n_w * loss_w / steps` (mse) or the cross-entropy (xent).
      Returns the reported loss and the gradient of every parameter.
    * `@m_eval(params..., input, target)`: the full sequence from a zero
      state, no truncation, no synthesizer. Returns the evaluation loss (mean
      squared distance per point, or cross-entropy) and the predictions.

    Function arguments and results carry `ccrnn.name` attributes: parameters,
    and the gradients `@m_train` returns, under their PyTorch `state_dict`
    names (SPEC §7); `input`, `target`, `loss`, `prediction` otherwise. A
    model without a cerebellum gives the cRNN program; the same model with
    one gives the ccRNN program. With `loss = xent` (or `predict-last`) the
    readout and the loss apply to the last step only; the target is
    `[batch]` class indices (xent) or `[batch, outputs]`.

    `@m_train` also takes the initial state (`state.h_l<k>`, `state.c_l<k>`
    per layer; zeros for a fresh batch, the previous batch's final state to
    keep it) and returns the final state after the gradients. Stacked
    layers share one synthesizer, applied to each layer's state; each
    layer's synthesizer loss is divided by the number of layers (SPEC §2).
    A cerebellum with `target_context` receives the target as context: the
    one-hot class (xent) or the target point of the last step.

    With `record`, `@m_record(params..., input, target, state...)` returns,
    at each of the `ceil(steps / bptt) - 1` boundaries between windows and
    for each layer, `[boundaries, layers, batch, |s|]` tensors: the state
    `s`, the synthetic gradient `scale * S(s)`, the target gradient `g` the
    next window's backward pass delivers at `s`, and the true gradient of
    the whole sequence's loss (the sum of the window losses, backpropagated
    without truncation) at `s`; with hidden synthesizer layers also the
    first hidden layer's activity `[boundaries, layers, batch, width]`.

    A model of tokens (captioning) steps its optimizer after every window,
    as the reference does, so its programs are one window of `steps` steps
    (`bptt` is not used), called window after window with the state
    carried: `@m_train(params..., [vector], tokens, target, state...,
    [fibre_mask], [dropout_mask], [statistics...])` returns the mean
    cross-entropy of the window's `[batch * steps]` next-token targets,
    the gradients, the final state and, in a first window with a batch
    norm, the updated running statistics; `@m_eval` takes the same
    arguments but the dropout mask and returns the loss, the
    `[batch, steps, vocab]` scores and the final state. The vector input
    (and the statistics) appear only with `first-window`.

    With `decode=N` (and `first-window`), `@m_decode(params..., vector,
    [statistics...])` is the greedy decoder: from the zero state, the
    vector's step and then N - 1 steps each fed the embedding of the last
    step's most likely token (`ccrnn.argmax_rows`), no dropout, the batch
    norm on its running statistics; it returns the N tokens `[batch]`
    each, step after step.
  }];
  let options = [
    Option<"bptt", "bptt", "int64_t", /*default=*/"1",
           "Truncation window T in steps (the feedback horizon)">,
    Option<"interval", "interval", "int64_t", /*default=*/"1",
           "Feedback interval k: only steps t with t % k == 0 are supervised "
           "(mse only)">,
    Option<"loss", "loss", "std::string", /*default=*/"\"\"",
           "mse or xent; default: the model's `ccrnn.return` loss, else mse">,
    Option<"predictLast", "predict-last", "bool", /*default=*/"false",
           "Apply the readout and the loss to the last step only, with a "
           "[batch, outputs] target (implied by xent)">,
    Option<"batch", "batch", "int64_t", /*default=*/"50",
           "Batch size B (1 to 1048576)">,
    Option<"steps", "steps", "int64_t", /*default=*/"10",
           "Sequence length L (1 to 1048576)">,
    Option<"cerebellum", "cerebellum", "std::string", /*default=*/"\"train\"",
           "What training does with the model's cerebellum: 'train' (inject "
           "and learn), 'frozen' (inject, no synthesizer loss: the "
           "inferior-olive lesion) or 'off' (the cRNN program with the same "
           "parameters: the cerebellar ablation)">,
    Option<"fibres", "fibres", "int64_t", /*default=*/"0",
           "Sparse mossy fibres: each unit of the synthesizer's first layer "
           "sees only the inputs a `fibre_mask` argument keeps (0: dense)">,
    Option<"record", "record", "bool", /*default=*/"false",
           "Also build `@m_record`: at every window boundary the state, the "
           "synthetic gradient, the target gradient and the true full-BPTT "
           "gradient">,
    Option<"firstWindow", "first-window", "bool", /*default=*/"false",
           "A token model's programs are one window each, `steps` steps: "
           "with this, the sequence's first (its prepended vector, then "
           "steps - 1 tokens), without, a later one (steps tokens)">,
    Option<"decode", "decode", "int64_t", /*default=*/"0",
           "A token model's first window: also build `@m_decode`, the greedy "
           "decoder of this many steps (0: none)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::scf::SCFDialect"];
}

def CCRNNAutodiff : Pass<"ccrnn-autodiff", "mlir::ModuleOp"> {
  let summary = "Reverse-mode autodiff of the training windows";
  let description = [{
    Replaces every `ccrnn.value_and_grad @f(...)` by a call of a generated
    `@f_grad` that runs the forward pass of `@f` and then its reverse sweep:
    each op's cotangents come from its `DifferentiableOpInterface` rule;
    `ccrnn.truncate` passes no gradient; `ccrnn.synthetic_gradient %s, %p`
    adds `scale * %p` to the cotangent of `%s`; `ccrnn.synthesizer_target
    %s, %p` adds `2 * (%p - g)` to the cotangent of `%p`, where `g` is the
    cotangent that has arrived at `%s`. `@f_grad` returns the results of
    `@f` followed by the gradients of its first `num_params` arguments. No
    AD marker survives: the differentiated functions are removed when
    nothing else uses them.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}

def CCRNNOptimize : Pass<"ccrnn-optimize", "mlir::ModuleOp"> {
  let summary = "Optimize the differentiated training program";
  let description = [{
    Carries values across truncation windows instead of recomputing them.
    A window computes some values from the state it receives which the
    previous window already computed, identically, from the state it
    returned: above all the synthesizer's forward pass, since `S(s1)` of
    window `w` is `S(s0)` of window `w + 1`. The pass finds them by
    structural hashing of the window function's values (once in terms of its
    incoming state, once in terms of its outgoing state), returns them from
    each window, passes them to the next one through the window loop, and
    computes them once before the loop for the first window. Each
    synthesizer output is then evaluated once per window instead of twice.
    Only side-effect-free values that depend on nothing but the state, loop
    invariants and constants qualify, so the result is unchanged.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::func::FuncDialect"];
}

def CCRNNInlineWindows : Pass<"ccrnn-inline-windows", "mlir::ModuleOp"> {
  let summary = "Inline the window functions into the window loop";
  let description = [{
    Replaces each `func.call` inside an `scf.for` (the training loop over
    truncation windows) by the body of its callee, a private single-block
    function (the window's generated gradient function), and removes the
    functions nothing calls any more. The loop body then holds the window's
    computation and the accumulation of its results side by side, so that
    later rewrites see both: above all `--convert-ccrnn-to-onednn` turns a
    window's weight-gradient product and its accumulation into the batch's
    gradient into one `ccrnn.matmul_accumulate`, which the C++ trainer
    updates in place. Calls outside loops (the last window, the unrolled
    feedback recording) are left alone: inlining them only copies code.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::scf::SCFDialect"];
}

def CCRNNEnsemble : Pass<"ccrnn-ensemble", "mlir::ModuleOp"> {
  let summary = "Make the training program compute K independent networks";
  let description = [{
    Rewrites a lowered training program (the output of the training
    pipeline, through `--convert-ccrnn-to-onednn`) into the program of
    `size` independent networks of the same shapes. Every entry function
    (every function that is not private) takes and returns each tensor for
    all networks, with a leading dimension of `size` (network after
    network), and its old body becomes the region of a `ccrnn.ensemble`,
    which runs once per network on that network's slices; the private
    functions the bodies call keep one network's types. The reference
    evaluator runs the result network by network. The C++ trainer emitter
    batches it: element-wise ops, copies and layout ops run once over all
    networks' elements (the networks' batches are one batch of size * B
    rows), each matrix product runs for every network on one oneDNN
    primitive (cuBLAS: one strided batched GEMM), losses, reductions and
    the recurrent windows run per network. Seeds (or models of the same
    shapes) train together; on the CPU each gets the bits it would get
    alone.

    Only the ops of a lowered program are accepted (kernels, i.e. ops with
    `KernelOpInterface`, and the `func`, `scf` and `arith` ops around them):
    anything else (a `ccrnn.model`, `ccrnn.value_and_grad`, ...) is an
    error naming the op.
  }];
  let options = [
    Option<"size", "size", "int64_t", /*default=*/"1",
           "Networks in the ensemble (1 to 1024)">,
  ];
}

def CCRNNCountFlops : Pass<"ccrnn-count-flops", "mlir::ModuleOp"> {
  let summary = "Count the FLOPs of each function of a training program";
  let description = [{
    Sets `ccrnn.flops` on every function: the floating-point operations of
    the matrix products one call computes, loops (constant trip counts),
    calls and every network of a `ccrnn.ensemble` included, from the ops' `FlopCountOpInterface`
    (2 m n k per product; element-wise work is not counted). The C++ trainer
    reports the training function's count as `flops_per_batch`, which
    `ccrnn-bench` turns into GFLOP/s.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::scf::SCFDialect"];
}

def CCRNNPlanMemory : Pass<"ccrnn-plan-memory", "mlir::ModuleOp"> {
  let summary = "Give every value of a lowered training program its storage";
  let description = [{
    Plans the static memory of a generated trainer, in the IR: every tensor
    an op computes gets a slice of one arena (offsets in floats, 16-float
    aligned, sized for every network of an ensemble), recorded as the op's
    `ccrnn.storage` (one `#ccrnn.slot` per result), except where it can be
    computed in memory that is already there:
    - **in place**: a kernel that may overwrite its operand (an
      element-wise op, a `matmul_accumulate`'s accumulator:
      `KernelOpInterface::canOverwriteOperand`) whose operand is a
      loop-carried value nothing else reads writes that value's slice
      (`#ccrnn.slot<in_place>`);
    - **ping-pong**: any other value a loop carries gets a second slice,
      which swaps with the carried one at the end of each iteration
      (`#ccrnn.carried<offset, swap = ...>` on the loop,
      `#ccrnn.slot<swap>` on the value), so nothing is copied;
    - **caller storage** (`target=cpu`): a gradient the training function
      computes itself is written straight into the caller's array
      (`#ccrnn.slot<caller, i>`; the function's results get
      `ccrnn.caller_storage`). A GPU's caller arrays are host memory.

    Views (`reshape`: `KernelOpInterface::isView`), calls' and loops'
    results get no storage of their own; a constant that only starts loops gets none either. The module gets
    `ccrnn.memory_plan = #ccrnn.memory_plan<target, arena>`. Run after the
    ensemble pass; `ccrnn-translate --emit-trainer` runs it (with
    `ccrnn-count-flops` and `ccrnn-assign-kernels`) when the program has no
    plan yet.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "The trainer's target: cpu or cuda">,
  ];
  // ccrnn: the plan's attribute is the dialect's (a module without ccrnn
  // ops has not loaded it).
  let dependentDialects = ["ccrnn::CCRNNDialect", "mlir::func::FuncDialect",
                           "mlir::scf::SCFDialect"];
}

def CCRNNAssignKernels : Pass<"ccrnn-assign-kernels", "mlir::ModuleOp"> {
  let summary = "Give every op that runs on a kernel object its object";
  let description = [{
    Lists the runtime objects a generated trainer creates once (as the
    module's `ccrnn.kernels`) and marks each op that runs on one with its
    index (`ccrnn.kernel = #ccrnn.uses_kernel<i>`). What an op needs comes
    from its `KernelOpInterface::getKernelObject`: a matrix product a
    `#ccrnn.matmul_kernel` (a oneDNN primitive, which holds no state, so
    every product of the same configuration shares one), a recurrent window
    a `#ccrnn.window_kernel` (its workspace: each forward window has its
    own, and a backward window on the same operands later in the same block
    runs on its forward window's and reads the activations stored there,
    `stored = true`, instead of recomputing them). Objects are numbered in
    program order. `ccrnn-translate --emit-trainer` runs it when the
    program has no `ccrnn.kernels` yet.
  }];
}

#endif // CCRNN_TRANSFORMS_PASSES_TD
