//===- CCRNNInterfaces.td - ccrnn op interfaces ------------*- tablegen -*-===//

#ifndef CCRNN_INTERFACES_TD
#define CCRNN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def CCRNN_RecurrentLayerOpInterface : OpInterface<"RecurrentLayerOpInterface"> {
  let cppNamespace = "::ccrnn";
  let description = [{
    A stack of recurrent layers run over a whole sequence (`ccrnn.lstm`,
    `ccrnn.rnn_tanh`). Gives the cell kind and sizes that training-program
    construction and parameter layout need, whatever the cell.
  }];
  let methods = [
    InterfaceMethod<"The cell of every layer.", "::ccrnn::CellKind",
      "getCellKind", (ins), [{ return $_op.getType().getCell(); }]>,
    InterfaceMethod<"The hidden size of every layer.", "int64_t",
      "getHiddenSize", (ins), [{ return $_op.getHidden(); }]>,
    InterfaceMethod<"The number of stacked layers.", "int64_t",
      "getNumLayers", (ins), [{ return $_op.getLayers(); }]>,
    InterfaceMethod<"The input features of the first layer.", "int64_t",
      "getInputSize", (ins),
      [{ return ::ccrnn::getFeatureSize($_op.getInput().getType()); }]>,
    InterfaceMethod<"The result: hidden sequence and state.",
      "::ccrnn::RecurrentType", "getRecurrentType", (ins),
      [{ return $_op.getType(); }]>,
  ];
}

def CCRNN_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::ccrnn";
  let description = [{
    An op that reverse-mode autodiff can differentiate: given the cotangents
    of its results, it builds the cotangents of its operands (the
    vector-Jacobian product) at the builder's insertion point, using its
    forward operands and results. Operands that are not differentiable
    (integer labels, indices, data) get no cotangent.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the operand cotangents. `resultCotangents` has one entry per
        result, null where the cotangent is zero (the op may then treat it as
        zero or materialize zeros). Fills `operandCotangents` with one entry
        per operand, null for a zero or non-differentiable operand.
      }], "::mlir::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultCotangents,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandCotangents)>,
  ];
}

def CCRNN_FlopCountOpInterface : OpInterface<"FlopCountOpInterface"> {
  let cppNamespace = "::ccrnn";
  let description = [{
    An op that computes matrix products: how many floating-point operations
    they take (2 m n k each), for the FLOP count of a training program
    (`--ccrnn-count-flops`, the trainer's `flops_per_batch`).
  }];
  let methods = [
    InterfaceMethod<"The floating-point operations of the op's matrix "
      "products.", "double", "getMatrixFlops", (ins)>,
  ];
}

def CCRNN_KernelOpInterface : OpInterface<"KernelOpInterface"> {
  let cppNamespace = "::ccrnn";
  let description = [{
    An op of a lowered training program: one call of a runtime kernel, or a
    view. What the trainer emitters print, what the memory planner gives
    storage (`--ccrnn-plan-memory`) and what an ensemble program may hold
    (`--ccrnn-ensemble`); graph- and training-level ops are not kernels.
  }];
  let methods = [
    InterfaceMethod<[{
        Whether the result is a view of the first operand (the same
        elements in the same order): it needs no storage and no kernel.
      }], "bool", "isView", (ins), [{}], [{ return false; }]>,
    InterfaceMethod<[{
        Whether the kernel may write its result over operand `index`
        (it reads each element before writing it): element-wise ops may
        overwrite any operand.
      }], "bool", "canOverwriteOperand", (ins "unsigned":$index), [{}],
      [{ return ConcreteOp::template hasTrait<::mlir::OpTrait::Elementwise>(); }]>,
    InterfaceMethod<[{
        The configuration of the runtime object the kernel runs on, created
        once per trainer (a #ccrnn.matmul_kernel, a #ccrnn.window_kernel),
        or null when the kernel is a plain function.
      }], "::mlir::Attribute", "getKernelObject", (ins), [{}],
      [{ return nullptr; }]>,
  ];
}

#endif // CCRNN_INTERFACES_TD
