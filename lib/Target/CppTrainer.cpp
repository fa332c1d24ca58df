//===- CppTrainer.cpp - emit a C++ trainer from a training program -*- C++
//-*-===//
//
// Prints a training program on the runtime level (ccrnnrt: kernel calls
// on explicit buffers) as a C++ class whose methods mirror the program's
// functions, op for op, calling the kernels of ccrnn/Runtime/Kernels.h (or
// their CUDA counterparts, through TrainerTargetInfo). Every buffer is an
// arena slice, an argument or a loop's pointer; every kernel object is
// created with the trainer; nothing is allocated while training. Nothing
// is decided here: prepareForEmission runs the passes that decide.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Target/CppTrainer.h"
#include "ccrnn/Support/SizeLimits.h"

#include "TrainerTargetInfo.h"

#include "ccrnn/CCRNNAttrs.h"
#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Conversion/Passes.h"
#include "ccrnn/Transforms/Passes.h"
#include "ccrnnrt/CCRNNRTOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace ccrnn;
namespace rtir = ccrnnrt;

namespace {

int64_t numElements(Type type) {
  return cast<ShapedType>(type).getNumElements();
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

bool isFloatBuffer(Type type) {
  auto buffer = dyn_cast<MemRefType>(type);
  return buffer && buffer.getElementType().isF32();
}

bool isIntBuffer(Type type) {
  auto buffer = dyn_cast<MemRefType>(type);
  return buffer && buffer.getElementType().isInteger(64);
}

/// Whether `module` is on the runtime level: no tensor is left.
bool isOnBuffers(ModuleOp module) {
  auto tensor = [](Type t) { return isa<RankedTensorType>(t); };
  WalkResult found = module.walk([&](Operation *op) {
    if (llvm::any_of(op->getResultTypes(), tensor))
      return WalkResult::interrupt();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        if (llvm::any_of(block.getArgumentTypes(), tensor))
          return WalkResult::interrupt();
    if (auto f = dyn_cast<func::FuncOp>(op))
      if (llvm::any_of(f.getResultTypes(), tensor))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return !found.wasInterrupted();
}

/// A C++ identifier from a symbol name.
std::string identifier(StringRef name) {
  std::string id;
  for (char c : name)
    id += llvm::isAlnum(c) ? c : '_';
  return id;
}

/// A float literal that reads back as the same float.
std::string floatLiteral(double value) {
  return llvm::formatv("{0:e9}f", static_cast<float>(value)).str();
}

class Emitter {
public:
  Emitter(ModuleOp module, const CppTrainerOptions &options)
      : module(module), options(options),
        target(getTrainerTargetInfo(options.target)) {}

  LogicalResult emit(raw_ostream &os);

private:
  //===--- Buffers
  //-----------------------------------------------------------===//
  /// The pointer expression of the arena slice at `offset`.
  static std::string arenaSlice(int64_t offset) {
    return llvm::formatv("(arena.get() + {0})", offset).str();
  }

  /// Declares `value` as a new local pointing at `storage`; `mutableLocal`
  /// for a loop's buffer that the loop swaps with another.
  void define(Value value, StringRef storage, bool mutableLocal = false) {
    std::string name =
        (mutableLocal ? "p" : "v") + std::to_string(nextValue++);
    // An int64 buffer (the decoder's tokens) takes two floats an element.
    bool labels = isIntBuffer(value.getType());
    line() << (labels ? "int64_t *" : "float *") << (mutableLocal ? "" : "const ")
           << name << " = "
           << (labels ? "reinterpret_cast<int64_t *>" + storage.str()
                      : storage.str())
           << ";\n";
    names[value] = name;
  }
  /// The C++ element type of a buffer.
  static StringRef elementOf(Type type) {
    return isIntBuffer(type) ? "int64_t" : "float";
  }

  std::string name(Value value) { return names.lookup(value); }
  /// The floats of `value` in memory: of all the networks of an ensemble.
  std::string sizeOf(Value value) {
    return std::to_string(ensemble * numElements(value.getType()));
  }
  /// `value`'s array of network `e` (a C++ expression) of an ensemble.
  std::string ofNetwork(Value value, StringRef e) {
    if (ensemble == 1)
      return name(value);
    return "(" + name(value) + " + " + e.str() + " * " +
           std::to_string(numElements(value.getType())) + ")";
  }
  /// A line per network: `emit(e)` writes one statement for network e (the
  /// loop variable's name); a single network's statement is emitted as is.
  void perNetwork(llvm::function_ref<void(StringRef)> emit) {
    if (ensemble == 1)
      return emit("0");
    line() << "for (int64_t e = 0; e < " << ensemble << "; ++e) {\n";
    indent += 2;
    emit("e");
    indent -= 2;
    line() << "}\n";
  }
  /// The member holding kernel object `index` (--ccrnn-assign-kernels).
  static std::string kernelMember(int64_t index) {
    return "k" + std::to_string(index);
  }

  llvm::raw_string_ostream &line() {
    body.indent(indent);
    return body;
  }

  /// Declares and creates kernel object `index` (member k<index>): every
  /// network of an ensemble has its window workspace, and each product runs
  /// for all of them on one.
  void declareKernel(int64_t index, Attribute config) {
    std::string member = "k" + std::to_string(index), type, arguments;
    int64_t count = 1;
    if (auto m = dyn_cast<MatmulKernelAttr>(config)) {
      type = "rt::Matmul";
      arguments = llvm::formatv("{0}, {1}, {2}, {3}, {4}", m.getM(), m.getN(),
                                m.getK(), m.getTransposeLhs(),
                                m.getTransposeRhs());
      if (m.getBias() || m.getRelu() || m.getAccumulate() || ensemble > 1)
        arguments += llvm::formatv(", {0}, {1}", m.getBias(), m.getRelu()).str();
      if (m.getAccumulate() || ensemble > 1)
        arguments += llvm::formatv(", {0}", m.getAccumulate()).str();
      if (ensemble > 1)
        arguments += ", " + std::to_string(ensemble);
    } else {
      auto w = cast<WindowKernelAttr>(config);
      type = w.getCell() == CellKind::lstm ? "rt::LSTMWindow"
                                           : "rt::TanhRNNWindow";
      arguments = llvm::formatv("{0}, {1}, {2}, {3}", w.getBatch(),
                                w.getSteps(), w.getInput(), w.getHidden());
      count = ensemble;
    }
    if (count == 1) {
      kernelDecls.push_back(
          llvm::formatv("  std::unique_ptr<{0}> {1};\n", type, member).str());
      kernelInits.push_back(
          llvm::formatv("  {0} = std::make_unique<{1}>({2});\n", member, type,
                        arguments)
              .str());
    } else {
      kernelDecls.push_back(llvm::formatv("  std::unique_ptr<{0}> {1}[{2}];\n",
                                          type, member, count)
                                .str());
      kernelInits.push_back(
          llvm::formatv("  for (auto &k : {0})\n    k = "
                        "std::make_unique<{1}>({2});\n",
                        member, type, arguments)
              .str());
    }
  }

  //===--- Functions and ops
  //-----------------------------------------------===//
  std::string signature(func::FuncOp f, bool qualified);
  LogicalResult emitFunction(func::FuncOp f);
  LogicalResult emitBlock(Block &block);
  LogicalResult emitOp(Operation *op);
  LogicalResult emitSlice(rtir::SliceOp slice);
  LogicalResult emitFor(scf::ForOp loop);
  LogicalResult emitCall(func::CallOp call);
  /// A window's forward or backward pass on its kernel object.
  LogicalResult emitWindow(ValueRange inputs, ValueRange outputs,
                           int64_t kernel, bool forward, bool stored);
  /// rt::gatherRows / rt::scatterAddRows between `table` [rows, features]
  /// and `rows` [n, features] picked by `indices`, writing `output`: per
  /// network, each with its own table and its n indices.
  void emitRowIndexing(StringRef fn, Value table, Value indices, Value rows,
                       Value output) {
    ArrayRef<int64_t> t = shapeOf(table);
    int64_t n = shapeOf(indices)[0];
    Value input = output == table ? rows : table;
    perNetwork([&](StringRef e) {
      line() << "rt::" << fn << "(" << t[0] << ", " << n << ", " << t[1]
             << ", " << ofNetwork(input, e) << ", " << name(indices)
             << (ensemble == 1 ? "" : " + e * " + std::to_string(n)) << ", "
             << ofNetwork(output, e) << ");\n";
    });
  }
  /// rt::batchNorm* on `input` [batch, features]: `inputs`, epsilon, then
  /// `outputs`, each network's arrays.
  void emitBatchNorm(StringRef fn, Value input, ArrayRef<Value> inputs,
                     double epsilon, ArrayRef<Value> outputs) {
    ArrayRef<int64_t> x = shapeOf(input);
    perNetwork([&](StringRef e) {
      llvm::raw_string_ostream &os = line();
      os << "rt::" << fn << "(" << x[0] << ", " << x[1];
      for (Value v : inputs)
        os << ", " << ofNetwork(v, e);
      os << ", " << floatLiteral(epsilon);
      for (Value v : outputs)
        os << ", " << ofNetwork(v, e);
      os << ");\n";
    });
  }
  /// rt::concat / rt::split of `pieces` along `axis` of `whole`; `rest` ends
  /// the call's arguments.
  void emitJoin(StringRef fn, ValueRange pieces, Value whole, int64_t axis,
                const std::string &rest);

  //===--- Entry points
  //------------------------------------------------------===//
  void emitDescription(raw_ostream &os, func::FuncOp train,
                       func::FuncOp record);
  /// create(), destroy() and the functions of the C ABI, from the
  /// module's ccrnnrt.entry_point ops.
  LogicalResult emitEntryPoints(raw_ostream &os);
  LogicalResult emitEntryPoint(rtir::EntryPointOp entry);
  LogicalResult emitCallerArray(rtir::CallerArrayOp op);
  LogicalResult emitToCaller(rtir::ToCallerOp op);
  LogicalResult emitStepGraph(rtir::StepGraphOp graph);
  /// `fn(n, from + e * fromStride, to + e * toStride)` for each network e
  /// (a state piece between the caller's layout and the program's).
  void copyPerNetwork(StringRef fn, int64_t n, const std::string &from,
                      int64_t fromStride, const std::string &to,
                      int64_t toStride);
  /// The C expression of the caller's `array` in the entry point printed.
  std::string callerExpression(rtir::CallerArray array,
                               std::optional<int64_t> index);
  /// The entry point printed, and the floats of one network's state its
  /// caller gives (the stride of an ensemble's states).
  rtir::EntryPointOp entryPoint;
  int64_t callerStateFloats = 0;
  /// The step graphs' members (each with the array of its results).
  std::string graphMembers;
  unsigned numGraphs = 0;
  /// The sizes of a batch's arrays (ccrnn_batch) beyond the parameters,
  /// from the training function's arguments: the initial state, the fibre
  /// mask and a token model's arrays.
  struct BatchInputs {
    int64_t stateSize = 0, maskRows = 0, maskCols = 0;
    bool tokens = false;
    int64_t vectorSize = 0, tokenSteps = 0, dropoutFeatures = 0,
            dropoutSize = 0, statisticsSize = 0;
  };
  static BatchInputs batchInputs(func::FuncOp train) {
    BatchInputs b;
    for (unsigned i = numParameters(train); i < train.getNumArguments(); ++i) {
      auto type = cast<ShapedType>(argType(train, i));
      switch (getArgumentRole(train, i).value_or(Role::Parameter)) {
      case Role::State:
        b.stateSize += numElements(type);
        break;
      case Role::FibreMask:
        b.maskRows = type.getDimSize(0);
        b.maskCols = type.getDimSize(1);
        break;
      case Role::Input:
        b.tokens = isa<IntegerType>(type.getElementType());
        b.tokenSteps = b.tokens ? type.getNumElements() : 0;
        break;
      case Role::VectorInput:
        b.vectorSize = type.getDimSize(1);
        break;
      case Role::DropoutMask:
        b.dropoutFeatures = type.getDimSize(2);
        b.dropoutSize = type.getNumElements();
        break;
      case Role::Statistic:
        b.statisticsSize += type.getNumElements();
        break;
      default:
        break;
      }
    }
    return b;
  }
  /// One network's type of argument `i` (result `i`) of `f` (buffers have
  /// one network's types).
  static Type argType(func::FuncOp f, unsigned i) {
    return f.getArgumentTypes()[i];
  }
  static Type resultType(func::FuncOp f, unsigned i) {
    return f.getResultTypes()[i];
  }
  /// The training function's parameters: the arguments with a gradient.
  /// The result whose caller's array argument `i` of `f` is, if it is one
  /// (ccrnnrt.caller_result).
  static std::optional<unsigned> callerResultOf(func::FuncOp f, unsigned i) {
    if (auto r = f.getArgAttrOfType<IntegerAttr>(
            i, rtir::CCRNNRTDialect::kCallerResultAttr))
      return unsigned(r.getInt());
    return std::nullopt;
  }
  /// The results of `f` the caller gives storage for, in argument order.
  static SmallVector<unsigned> callerStorageResults(func::FuncOp f) {
    SmallVector<unsigned> results;
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
      if (std::optional<unsigned> r = callerResultOf(f, i))
        results.push_back(*r);
    return results;
  }
  /// The caller's arrays for results of `f`: its arguments with
  /// ccrnnrt.caller_result.
  static SmallVector<unsigned> callerStorageArguments(func::FuncOp f) {
    SmallVector<unsigned> arguments;
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
      if (callerResultOf(f, i))
        arguments.push_back(i);
    return arguments;
  }
  static int numParameters(func::FuncOp train) {
    int n = 0;
    while (n < int(train.getNumArguments()) &&
           train.getArgAttr(n, kParameterAttr))
      ++n;
    return n;
  }

  ModuleOp module;
  CppTrainerOptions options;
  std::unique_ptr<TrainerTargetInfo> target;
  /// Networks computed by each function (the module's ccrnnrt.networks).
  int64_t ensemble = 1;
  unsigned nextValue = 0;
  unsigned indent = 0;
  DenseMap<Value, std::string> names;
  std::string bodyText, entryText;
  llvm::raw_string_ostream body{bodyText};
  std::vector<std::string> kernelDecls, kernelInits, constantInits;
};

std::string Emitter::signature(func::FuncOp f, bool qualified) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "void " << (qualified ? "Trainer::" : "") << "f_"
     << identifier(f.getSymName()) << "(";
  // One parameter a line, named after the program's ccrnn.name; the
  // caller's arrays for results last.
  std::string indentation(qualified ? 4 : 6, ' ');
  bool first = true;
  auto separator = [&] {
    os << (first ? "\n" : ",\n") << indentation;
    first = false;
  };
  for (auto [i, type] : llvm::enumerate(f.getArgumentTypes())) {
    if (callerResultOf(f, i))
      continue;
    separator();
    // Unused arguments (e.g. the synthesizer's in the evaluation).
    if (qualified && f.getArgument(i).use_empty())
      os << "[[maybe_unused]] ";
    if (isFloatBuffer(type))
      os << "const float *a" << i;
    else if (isIntBuffer(type))
      os << "const int64_t *a" << i;
    else
      os << "int64_t a" << i;
    if (auto name = f.getArgAttrOfType<StringAttr>(i, kNameAttr))
      os << " /* " << name.getValue() << " */";
  }
  for (unsigned i = 0; i < f.getNumResults(); ++i) {
    separator();
    os << "const " << elementOf(f.getResultTypes()[i]) << " *&r" << i;
    if (auto name = f.getResultAttrOfType<StringAttr>(i, kNameAttr))
      os << " /* " << name.getValue() << " */";
  }
  for (unsigned i : callerStorageResults(f)) {
    separator();
    os << "float *o" << i << " /* where r" << i << " may be written */";
  }
  os << ")";
  return text;
}

LogicalResult Emitter::emitFunction(func::FuncOp f) {
  Block &entry = f.getBody().front();
  for (BlockArgument arg : entry.getArguments()) {
    if (std::optional<unsigned> result = callerResultOf(f, arg.getArgNumber())) {
      names[arg] = "o" + std::to_string(*result);
      continue;
    }
    if (!isFloatBuffer(arg.getType()) && !isIntBuffer(arg.getType()) &&
        !arg.getType().isIndex())
      return f.emitOpError("argument of unsupported type ") << arg.getType();
    names[arg] = "a" + std::to_string(arg.getArgNumber());
  }
  for (Type type : f.getResultTypes())
    if (!isFloatBuffer(type) && !isIntBuffer(type))
      return f.emitOpError("result of unsupported type ") << type;
  line() << "\n" << signature(f, /*qualified=*/true) << " {\n";
  indent += 2;
  if (failed(emitBlock(entry)))
    return failure();
  indent -= 2;
  line() << "}\n";
  return success();
}

LogicalResult Emitter::emitBlock(Block &block) {
  for (Operation &op : block)
    if (failed(emitOp(&op)))
      return failure();
  return success();
}

/// Whether `v` starts a loop-carried buffer that its loop swaps with
/// another (ping-pong): the local pointer changes.
static bool isSwappedByLoop(Value v) {
  for (OpOperand &use : v.getUses()) {
    auto loop = dyn_cast<scf::ForOp>(use.getOwner());
    if (!loop || use.getOperandNumber() < loop.getNumControlOperands())
      continue;
    unsigned i = use.getOperandNumber() - loop.getNumControlOperands();
    if (loop.getYieldedValues()[i] != loop.getRegionIterArgs()[i])
      return true;
  }
  return false;
}

LogicalResult Emitter::emitSlice(rtir::SliceOp slice) {
  std::string storage = arenaSlice(slice.getOffset());
  // A constant is filled once, when the trainer is created.
  if (FloatAttr fill = slice.getFillAttr())
    constantInits.push_back(
        llvm::formatv("  rt::fill({0}, {1}, {2});\n", sizeOf(slice),
                      floatLiteral(fill.getValueAsDouble()), storage));
  define(slice, storage, isSwappedByLoop(slice));
  return success();
}

LogicalResult Emitter::emitFor(scf::ForOp loop) {
  // The loop's buffers are the pointers of its initial values: the body
  // writes them in place, and a yield that exchanges two of them swaps the
  // pointers (ping-pong). Anything else was made an explicit copy by
  // --convert-ccrnn-to-ccrnnrt.
  for (auto [init, iterArg] :
       llvm::zip(loop.getInitArgs(), loop.getRegionIterArgs())) {
    if (!isFloatBuffer(iterArg.getType()))
      return loop.emitOpError("only f32 buffers can be loop-carried");
    names[iterArg] = name(init);
  }
  std::string iv = "iv" + std::to_string(nextValue++);
  names[loop.getInductionVar()] = iv;
  line() << "for (int64_t " << iv << " = " << name(loop.getLowerBound()) << "; "
         << iv << " < " << name(loop.getUpperBound()) << "; " << iv
         << " += " << name(loop.getStep()) << ") {\n";
  indent += 2;
  for (Operation &op : loop.getBody()->without_terminator())
    if (failed(emitOp(&op)))
      return failure();
  ValueRange iterArgs = loop.getRegionIterArgs();
  ValueRange yielded = loop.getYieldedValues();
  for (auto [i, value] : llvm::enumerate(yielded)) {
    if (value == iterArgs[i])
      continue;
    auto partner = llvm::find(iterArgs, value);
    unsigned j = partner - iterArgs.begin();
    if (partner == iterArgs.end() || yielded[j] != iterArgs[i])
      return loop.emitOpError("yields a buffer that is not one of its own "
                              "in its place or swapped with another");
    // The two pointers change: they must be slices (declared mutable) that
    // nothing reads after the loop starts, as --convert-ccrnn-to-ccrnnrt
    // makes them.
    auto ownSlice = [&](Value init) {
      return init.getDefiningOp<rtir::SliceOp>() &&
             llvm::all_of(init.getUsers(), [&](Operation *user) {
               return user == loop || (user->getBlock() == loop->getBlock() &&
                                       user->isBeforeInBlock(loop));
             });
    };
    if (!ownSlice(loop.getInitArgs()[i]) || !ownSlice(loop.getInitArgs()[j]))
      return loop.emitOpError("swaps buffers that are not arena slices of "
                              "its own");
    if (i < j)
      line() << "std::swap(" << name(iterArgs[i]) << ", " << name(iterArgs[j])
             << ");\n";
  }
  indent -= 2;
  line() << "}\n";
  for (auto [result, iterArg] : llvm::zip(loop.getResults(), iterArgs))
    names[result] = name(iterArg);
  return success();
}

LogicalResult Emitter::emitCall(func::CallOp call) {
  // The call's verifier has checked that the callee exists.
  auto callee = module.lookupSymbol<func::FuncOp>(call.getCalleeAttr());
  SmallVector<std::string> results;
  for (unsigned i = 0, e = call.getNumResults(); i < e; ++i) {
    std::string id = "c" + std::to_string(nextValue++);
    line() << "const " << elementOf(call.getResultTypes()[i]) << " *" << id
           << " = nullptr;\n";
    results.push_back(id);
  }
  // As the method's signature has them: the arguments, the results, the
  // caller's arrays for results. An entry point calls its trainer's method.
  line() << (entryPoint ? "t->f_" : "f_") << identifier(call.getCallee())
         << "(";
  SmallVector<unsigned> callerArrays = callerStorageArguments(callee);
  bool first = true;
  auto separator = [&] {
    body << (first ? "" : ", ");
    first = false;
  };
  for (auto [i, operand] : llvm::enumerate(call.getOperands()))
    if (!callerResultOf(callee, i)) {
      separator();
      body << name(operand);
    }
  for (const std::string &result : results) {
    separator();
    body << result;
  }
  for (unsigned i : callerArrays) {
    separator();
    body << name(call.getOperand(i));
  }
  body << ");\n";
  // The callee writes its results; here they are read-only.
  for (auto [result, id] : llvm::zip(call.getResults(), results))
    names[result] =
        ("const_cast<" + elementOf(result.getType()) + " *>(" + id + ")").str();
  return success();
}

void Emitter::emitJoin(StringRef fn, ValueRange pieces, Value whole,
                       int64_t axis, const std::string &rest) {
  // Flattened to (dims before the axis, the rest): piece p is [outer, w_p].
  int64_t outer = ensemble;
  for (int64_t d : shapeOf(whole).take_front(axis))
    outer *= d;
  line() << "{\n";
  line() << (fn == "concat" ? "  const float" : "  float") << " *pieces[] = {";
  llvm::interleaveComma(pieces, body, [&](Value v) { body << name(v); });
  body << "};\n";
  line() << "  const int64_t widths[] = {";
  llvm::interleaveComma(
      pieces, body,
      [&](Value v) { body << ensemble * numElements(v.getType()) / outer; });
  body << "};\n";
  line() << "  rt::" << fn << "(" << outer << ", " << pieces.size() << rest
         << ");\n";
  line() << "}\n";
}

LogicalResult Emitter::emitWindow(ValueRange inputs, ValueRange outputs,
                                  int64_t kernel, bool forward, bool stored) {
  // inputs[0] is the window's input [B, T, I], inputs[1] its first state
  // [B, H]; an ensemble's networks each have their window kernel.
  perNetwork([&](StringRef e) {
    auto arg = [&](Value v) { return ofNetwork(v, e); };
    line() << kernelMember(kernel) << (ensemble == 1 ? "" : "[" + e.str() + "]")
           << (forward ? "->forward(" : "->backward(");
    llvm::interleaveComma(inputs, body, [&](Value v) { body << arg(v); });
    if (!forward)
      body << ", " << (stored ? "true" : "false");
    for (Value out : outputs)
      body << ", " << arg(out);
    body << ");\n";
  });
  return success();
}

LogicalResult Emitter::emitOp(Operation *op) {
  // Network e's scalar in a per-network scalar buffer.
  auto element = [](const std::string &base, StringRef e) {
    return e == "0" ? base : base + " + " + e.str();
  };
  auto elementwise = [&](StringRef fn, ValueRange inputs, Value out) {
    line() << "rt::" << fn << "(" << sizeOf(out);
    for (Value input : inputs)
      body << ", " << name(input);
    body << ", " << name(out) << ");\n";
    return success();
  };
  auto unary = [&](StringRef fn) {
    return elementwise(fn, op->getOperand(0), op->getOperand(1));
  };
  auto binary = [&](StringRef fn) {
    return elementwise(fn, op->getOperands().take_front(2), op->getOperand(2));
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](arith::ConstantOp c) -> LogicalResult {
        auto integer = dyn_cast<IntegerAttr>(c.getValue());
        if (!integer)
          return c.emitOpError("only index constants are supported (buffers "
                               "are ccrnnrt.slice)");
        std::string id = "i" + std::to_string(nextValue++);
        line() << "const int64_t " << id << " = " << integer.getInt() << ";\n";
        names[c] = id;
        return success();
      })
      .Case([&](arith::AddIOp o) {
        names[o] = "(" + name(o.getLhs()) + " + " + name(o.getRhs()) + ")";
        return success();
      })
      .Case([&](arith::MulIOp o) {
        names[o] = "(" + name(o.getLhs()) + " * " + name(o.getRhs()) + ")";
        return success();
      })
      .Case([&](scf::ForOp loop) { return emitFor(loop); })
      .Case([&](func::CallOp call) { return emitCall(call); })
      .Case([&](func::ReturnOp ret) {
        for (auto [i, v] : llvm::enumerate(ret.getOperands()))
          line() << "r" << i << " = " << name(v) << ";\n";
        return success();
      })
      .Case([&](rtir::SliceOp slice) { return emitSlice(slice); })
      .Case([&](rtir::ViewOp v) {
        names[v] = name(v.getInput()); // same elements, same order
        return success();
      })
      .Case([&](rtir::FillOp f) {
        line() << "rt::fill(" << sizeOf(f.getOutput()) << ", "
               << floatLiteral(f.getValue().convertToDouble()) << ", "
               << name(f.getOutput()) << ");\n";
        return success();
      })
      .Case([&](rtir::CopyOp c) {
        line() << "rt::copy(" << sizeOf(c.getOutput()) << ", "
               << name(c.getInput()) << ", " << name(c.getOutput()) << ");\n";
        return success();
      })
      .Case([&](rtir::AddOp) { return binary("add"); })
      .Case([&](rtir::SubOp) { return binary("sub"); })
      .Case([&](rtir::MulOp) { return binary("mul"); })
      .Case([&](rtir::ReluGradOp) { return binary("reluGrad"); })
      .Case([&](rtir::SigmoidOp) { return unary("sigmoid"); })
      .Case([&](rtir::TanhOp) { return unary("tanh"); })
      .Case([&](rtir::ReluOp) { return unary("relu"); })
      .Case([&](rtir::StepOp) { return unary("step"); })
      .Case([&](rtir::ScaleOp s) {
        line() << "rt::scale(" << sizeOf(s.getOutput()) << ", "
               << name(s.getInput()) << ", "
               << floatLiteral(s.getFactor().convertToDouble()) << ", "
               << name(s.getOutput()) << ");\n";
        return success();
      })
      .Case([&](rtir::MatmulOp m) {
        line() << kernelMember(m.getKernel()) << "->run(" << name(m.getLhs())
               << ", " << name(m.getRhs()) << ", "
               << (m.getBias() ? name(m.getBias()) : "nullptr") << ", "
               << name(m.getOutput()) << ");\n";
        return success();
      })
      .Case([&](rtir::BroadcastRowsOp b) {
        perNetwork([&](StringRef e) {
          line() << "rt::broadcastRows(" << shapeOf(b.getOutput())[0] << ", "
                 << numElements(b.getInput().getType()) << ", "
                 << ofNetwork(b.getInput(), e) << ", "
                 << ofNetwork(b.getOutput(), e) << ");\n";
        });
        return success();
      })
      .Case([&](rtir::ReduceRowsOp r) {
        perNetwork([&](StringRef e) {
          line() << "rt::reduceRows(" << shapeOf(r.getInput())[0] << ", "
                 << numElements(r.getOutput().getType()) << ", "
                 << ofNetwork(r.getInput(), e) << ", "
                 << ofNetwork(r.getOutput(), e) << ");\n";
        });
        return success();
      })
      .Case([&](rtir::ConcatOp c) {
        emitJoin("concat", c.getInputs(), c.getOutput(), c.getAxis(),
                 ", pieces, widths, " + name(c.getOutput()));
        return success();
      })
      .Case([&](rtir::SplitOp s) {
        emitJoin("split", s.getOutputs(), s.getInput(), s.getAxis(),
                 ", " + name(s.getInput()) + ", pieces, widths");
        return success();
      })
      .Case([&](rtir::TimeSliceOp t) {
        ArrayRef<int64_t> x = shapeOf(t.getInput());
        // The networks' batches are one batch of ensemble * B rows.
        line() << "rt::timeSlice(" << ensemble * x[0] << ", " << x[1] << ", "
               << x[2] << ", " << name(t.getStart()) << ", "
               << shapeOf(t.getOutput())[1] << ", " << name(t.getInput())
               << ", " << name(t.getOutput()) << ");\n";
        return success();
      })
      .Case([&](rtir::OneHotOp o) {
        line() << "rt::oneHot(" << ensemble * shapeOf(o.getOutput())[0] << ", "
               << shapeOf(o.getOutput())[1] << ", " << name(o.getLabels())
               << ", " << name(o.getOutput()) << ");\n";
        return success();
      })
      .Case([&](rtir::GatherRowsOp g) {
        emitRowIndexing("gatherRows", g.getTable(), g.getIndices(),
                        g.getOutput(), g.getOutput());
        return success();
      })
      .Case([&](rtir::ArgmaxRowsOp a) {
        ArrayRef<int64_t> scores = shapeOf(a.getScores());
        line() << "rt::argmaxRows(" << ensemble * scores[0] << ", "
               << scores[1] << ", " << name(a.getScores()) << ", "
               << name(a.getOutput()) << ");\n";
        return success();
      })
      .Case([&](rtir::ScatterAddRowsOp s) {
        emitRowIndexing("scatterAddRows", s.getOutput(), s.getIndices(),
                        s.getUpdates(), s.getOutput());
        return success();
      })
      .Case([&](rtir::BatchNormTrainOp b) {
        emitBatchNorm("batchNormTrain", b.getInput(),
                      {b.getInput(), b.getGamma(), b.getBeta()},
                      b.getEpsilon().convertToDouble(),
                      {b.getOutput(), b.getMean(), b.getVariance()});
        return success();
      })
      .Case([&](rtir::BatchNormGradOp b) {
        emitBatchNorm("batchNormGrad", b.getInput(),
                      {b.getInput(), b.getGamma(), b.getMean(),
                       b.getVariance(), b.getDResult()},
                      b.getEpsilon().convertToDouble(),
                      {b.getDInput(), b.getDGamma(), b.getDBeta()});
        return success();
      })
      .Case([&](rtir::BatchNormInferenceOp b) {
        emitBatchNorm("batchNormInference", b.getInput(),
                      {b.getInput(), b.getGamma(), b.getBeta(), b.getMean(),
                       b.getVariance()},
                      b.getEpsilon().convertToDouble(), {b.getOutput()});
        return success();
      })
      .Case([&](rtir::SupervisedStepsOp s) {
        line() << "rt::fill(" << ensemble << ", rt::supervisedSteps("
               << name(s.getStart()) << ", " << s.getSteps() << ", "
               << s.getInterval() << "), " << name(s.getOutput()) << ");\n";
        return success();
      })
      .Case([&](rtir::MSELossOp l) {
        ArrayRef<int64_t> p = shapeOf(l.getPrediction());
        perNetwork([&](StringRef e) {
          line() << "rt::mseLoss(" << p[0] << ", " << p[1] << ", " << p[2]
                 << ", " << ofNetwork(l.getPrediction(), e) << ", "
                 << ofNetwork(l.getTarget(), e) << ", "
                 << (l.getStart() ? name(l.getStart()) : "0") << ", "
                 << l.getInterval() << ", " << element(name(l.getOutput()), e)
                 << ");\n";
        });
        return success();
      })
      .Case([&](rtir::MSELossGradOp l) {
        ArrayRef<int64_t> p = shapeOf(l.getPrediction());
        perNetwork([&](StringRef e) {
          line() << "rt::mseLossGrad(" << p[0] << ", " << p[1] << ", " << p[2]
                 << ", " << ofNetwork(l.getPrediction(), e) << ", "
                 << ofNetwork(l.getTarget(), e) << ", "
                 << element(name(l.getCotangent()), e) << ", "
                 << (l.getStart() ? name(l.getStart()) : "0") << ", "
                 << l.getInterval() << ", " << ofNetwork(l.getOutput(), e)
                 << ");\n";
        });
        return success();
      })
      .Case([&](rtir::CrossEntropyLossOp l) {
        ArrayRef<int64_t> z = shapeOf(l.getLogits());
        perNetwork([&](StringRef e) {
          line() << (l.getF32Softmax() ? "rt::xentLossF32(" : "rt::xentLoss(")
                 << z[0] << ", " << z[1] << ", "
                 << ofNetwork(l.getLogits(), e) << ", " << name(l.getLabels())
                 << (ensemble == 1 ? "" : " + e * " + std::to_string(z[0]))
                 << ", " << element(name(l.getOutput()), e) << ");\n";
        });
        return success();
      })
      .Case([&](rtir::CrossEntropyLossGradOp l) {
        ArrayRef<int64_t> z = shapeOf(l.getLogits());
        perNetwork([&](StringRef e) {
          line() << (l.getF32Softmax() ? "rt::xentLossGradF32("
                                       : "rt::xentLossGrad(")
                 << z[0] << ", " << z[1] << ", "
                 << ofNetwork(l.getLogits(), e) << ", " << name(l.getLabels())
                 << (ensemble == 1 ? "" : " + e * " + std::to_string(z[0]))
                 << ", " << element(name(l.getCotangent()), e) << ", "
                 << ofNetwork(l.getOutput(), e) << ");\n";
        });
        return success();
      })
      .Case([&](rtir::WindowForwardOp w) {
        return emitWindow(w.getInputs(), w.getOutputs(), w.getKernel(),
                          /*forward=*/true, /*stored=*/false);
      })
      .Case([&](rtir::WindowBackwardOp w) {
        return emitWindow(w.getInputs(), w.getOutputs(), w.getKernel(),
                          /*forward=*/false, w.getStored());
      })
      .Case([&](rtir::CallerArrayOp a) { return emitCallerArray(a); })
      .Case([&](rtir::ToCallerOp c) { return emitToCaller(c); })
      .Case([&](rtir::StepGraphOp g) { return emitStepGraph(g); })
      .Case([&](rtir::EntryReturnOp r) {
        if (Value loss = r.getLoss())
          target->emitReturnFirst(body, name(loss), "loss");
        return success();
      })
      .Default([&](Operation *other) {
        return other->emitOpError(
            "is not supported by the C++ trainer emitter (run "
            "--convert-ccrnn-to-ccrnnrt first?)");
      });
}

void Emitter::emitDescription(raw_ostream &os, func::FuncOp train,
                              func::FuncOp record) {
  os << "const ccrnn_param_info kParams[] = {\n";
  int numParams = numParameters(train);
  for (int i = 0; i < numParams; ++i) {
    auto type = cast<ShapedType>(argType(train, i));
    StringRef name = getArgumentName(train, i);
    auto param = train.getArgAttrOfType<ParameterAttr>(i, kParameterAttr);
    os << "    {\"" << name << "\", " << type.getRank() << ", {";
    for (int d = 0; d < 4; ++d)
      os << (d ? ", " : "") << (d < type.getRank() ? type.getDimSize(d) : 0);
    os << "}, "
       << "CCRNN_INIT_" << stringifyInitKind(param.getInit()).upper()
       << ", "
       << llvm::formatv("{0:e17}", param.getBound().getValueAsDouble())
       << ", "
       << "CCRNN_GROUP_" << stringifyParameterGroup(param.getGroup()).upper()
       << "},\n";
  }
  os << "};\n\n";
  auto info = train->getAttrOfType<TrainerAttr>(kTrainerAttr);
  auto flag = [&](BoolAttr value) { return value.getValue() ? 1 : 0; };
  auto eval = module.lookupSymbol<func::FuncOp>(info.getEval());
  ArrayRef<int64_t> prediction =
      cast<ShapedType>(resultType(eval, 1)).getShape();
  BatchInputs batch = batchInputs(train);
  // [batch, steps, input floats]; a token model's window reads tokens, its
  // batch and steps are its scores'.
  SmallVector<int64_t, 3> input{prediction[0],
                                prediction.size() > 1 ? prediction[1] : 0, 0};
  if (!batch.tokens)
    input.assign(
        cast<ShapedType>(argType(train, numParams)).getShape().take_front(3));
  int64_t vocab = batch.tokens ? prediction.back() : 0;
  if (batch.tokens)
    batch.tokenSteps /= input[0];
  // The decoder returns one [batch] token array a step.
  int64_t decodeSteps = 0;
  if (info.getDecode())
    decodeSteps =
        module.lookupSymbol<func::FuncOp>(info.getDecode()).getNumResults();
  // [boundaries, layers, batch, |s|] and the activity's width.
  SmallVector<int64_t, 5> recorded(5, 0);
  if (record) {
    ArrayRef<int64_t> shape =
        cast<ShapedType>(resultType(record, 0)).getShape();
    recorded.assign({shape[0], shape[1], shape[3], 0});
    if (record.getNumResults() > 4)
      recorded[3] =
          cast<ShapedType>(resultType(record, 4)).getShape()[3];
  }
  os << "const ccrnn_trainer_desc kDescription = {\n"
     << "    CCRNN_TRAINER_ABI_VERSION,\n"
     << "    \"" << info.getModel().getValue() << "\",\n"
     << "    \"" << info.getOptions().getValue() << "\",\n"
     << "    " << input[0] << ", " << input[1] << ", " << input[2] << ", "
     << prediction.back() << ",\n"
     << "    " << flag(info.getHasCerebellum()) << ", "
     << flag(info.getClassify()) << ", " << flag(info.getPredictLast())
     << ",\n"
     << "    " << numParams << ", kParams,\n"
     << "    " << batch.stateSize << ", " << batch.maskRows << ", "
     << batch.maskCols << ",\n"
     << "    " << recorded[0] << ", " << recorded[1] << ", " << recorded[2]
     << ", " << recorded[3] << ",\n"
     << "    "
     << llvm::formatv("{0:e6}",
                      train->getAttrOfType<FloatAttr>(kFlopsAttr)
                          .getValueAsDouble())
     << ",\n    " << ensemble << ",\n    " << vocab << ", " << batch.vectorSize
     << ", " << batch.tokenSteps << ", " << batch.dropoutFeatures << ", "
     << batch.statisticsSize << ",\n    " << decodeSteps << "};\n\n";
}

std::string Emitter::callerExpression(rtir::CallerArray array,
                                      std::optional<int64_t> index) {
  using rtir::CallerArray;
  // eval's arrays are its arguments, the others' are ccrnn_batch's.
  bool eval = entryPoint.getKind() == rtir::EntryKind::Eval;
  std::string at = index ? "[" + std::to_string(*index) + "]" : "";
  switch (array) {
  case CallerArray::Params:
    return (eval ? "callerParams" : "batch->params") + at;
  case CallerArray::Inputs:
    return eval ? "callerInputs" : "batch->inputs";
  case CallerArray::Targets:
    return eval ? "callerTargets" : "batch->targets";
  case CallerArray::InitialState:
    return "batch->initial_state";
  case CallerArray::FibreMask:
    return "batch->fibre_mask";
  case CallerArray::VectorInput:
    return "batch->vector_input";
  case CallerArray::DropoutMask:
    return "batch->dropout_mask";
  case CallerArray::Statistics:
    return "batch->statistics";
  case CallerArray::NewStatistics:
    return "batch->new_statistics";
  case CallerArray::DecodedTokens:
    return "tokens";
  case CallerArray::Grads:
    return "grads" + at;
  case CallerArray::Losses:
    return "batch->losses";
  case CallerArray::FinalState:
    return "final_state";
  case CallerArray::Predictions:
    return "predictions";
  case CallerArray::RecordState:
    return "out->state";
  case CallerArray::RecordSynthetic:
    return "out->synthetic";
  case CallerArray::RecordTargetGrad:
    return "out->target_grad";
  case CallerArray::RecordTrueGrad:
    return "out->true_grad";
  case CallerArray::RecordActivity:
    return "out->activity";
  }
  llvm_unreachable("a caller array of the C ABI");
}

void Emitter::copyPerNetwork(StringRef fn, int64_t n, const std::string &from,
                             int64_t fromStride, const std::string &to,
                             int64_t toStride) {
  if (ensemble == 1) {
    line() << fn << "(" << n << ", " << from << ", " << to << ");\n";
    return;
  }
  line() << "for (int64_t e = 0; e < " << ensemble << "; ++e)\n";
  line() << "  " << fn << "(" << n << ", " << from << " + e * " << fromStride
         << ", " << to << " + e * " << toStride << ");\n";
}

LogicalResult Emitter::emitCallerArray(rtir::CallerArrayOp op) {
  using rtir::CallerArray;
  CallerArray array = op.getArray();
  std::string from = callerExpression(array, op.getIndex());
  bool labels = isIntBuffer(op.getType());
  std::string element = labels ? "int64_t" : "float";
  int64_t n = numElements(op.getType()), all = ensemble * n;
  int64_t offset = op.getOffset().value_or(0);
  std::optional<int64_t> staged = op.getStaged();
  if (staged.has_value() != target->stagesCallerArrays())
    return op.emitOpError(staged ? "is staged, but target '"
                                 : "is not staged, but target '")
           << target->flagName()
           << (staged ? "' reads the caller's memory"
                      : "' reads only its staging buffer");
  std::string id = "v" + std::to_string(nextValue++);
  names[op] = id;
  // ccrnn_batch's inputs and targets are float or int64.
  if (array == CallerArray::Targets || array == CallerArray::Inputs)
    from = "static_cast<const " + element + " *>(" + from + ")";
  // A token model's statistics: one network's (the emitter refuses an
  // ensemble of them).
  if (array == CallerArray::Statistics)
    from += " + " + std::to_string(offset);
  if (!staged) {
    if (array == CallerArray::Grads) {
      line() << "float *const " << id << " = " << from << ";\n";
    } else if (array == CallerArray::FibreMask ||
               array == CallerArray::DropoutMask) {
      line() << "const float *const " << id << " = " << from << " ? " << from
             << " : t->ones.get();\n";
    } else if (array == CallerArray::InitialState && ensemble == 1) {
      line() << "const float *const " << id << " = " << from << " ? " << from
             << " + " << offset << " : t->zeros.get() + " << offset << ";\n";
    } else if (array == CallerArray::InitialState) {
      // The caller gives each network's whole state, the program each
      // piece of all networks together: regrouped.
      line() << "const float *" << id << " = t->zeros.get() + "
             << ensemble * offset << ";\n";
      std::string regrouped =
          "t->regroup.get() + " + std::to_string(ensemble * offset);
      line() << "if (" << from << ") {\n";
      indent += 2;
      copyPerNetwork("rt::copy", n, from + " + " + std::to_string(offset),
                     callerStateFloats, regrouped, n);
      line() << id << " = " << regrouped << ";\n";
      indent -= 2;
      line() << "}\n";
    } else {
      line() << "const " << element << " *const " << id << " = " << from
             << ";\n";
    }
    return success();
  }
  // A copy in the staging buffer.
  line() << element << " *const " << id << " = "
         << (labels ? "reinterpret_cast<int64_t *>(" : "")
         << "t->staging.get() + " << *staged << (labels ? ")" : "") << ";\n";
  if (labels) {
    line() << target->uploadLabels() << "(" << all << ", " << from << ", " << id
           << ");\n";
    return success();
  }
  std::optional<double> absent;
  if (FloatAttr value = op.getAbsentAttr())
    absent = value.getValueAsDouble();
  if (absent) {
    line() << "if (" << from << ") {\n";
    indent += 2;
  }
  if (array == CallerArray::InitialState)
    copyPerNetwork(target->upload(), n, from + " + " + std::to_string(offset),
                   callerStateFloats, id, n);
  else
    line() << target->upload() << "(" << all << ", " << from << ", " << id
           << ");\n";
  if (absent) {
    indent -= 2;
    line() << "} else {\n";
    line() << "  rt::fill(" << all << ", " << floatLiteral(*absent) << ", "
           << id << ");\n";
    line() << "}\n";
  }
  return success();
}

LogicalResult Emitter::emitToCaller(rtir::ToCallerOp op) {
  using rtir::CallerArray;
  CallerArray array = op.getArray();
  std::string to = callerExpression(array, op.getIndex());
  std::string from = name(op.getInput());
  int64_t n = numElements(op.getInput().getType());
  // The caller may give no array for these.
  bool optional = array == CallerArray::Losses ||
                  array == CallerArray::FinalState ||
                  array == CallerArray::NewStatistics;
  if (optional) {
    line() << "if (" << to << ")\n";
    indent += 2;
  }
  if (array == CallerArray::FinalState)
    copyPerNetwork(target->toHost(), n, from, n,
                   to + " + " + std::to_string(*op.getOffset()),
                   callerStateFloats);
  else if (array == CallerArray::NewStatistics)
    line() << target->toHost() << "(" << n << ", " << from << ", " << to
           << " + " << *op.getOffset() << ");\n";
  else if (array == CallerArray::DecodedTokens)
    line() << target->labelsToHost() << "(" << n << ", " << from << ", " << to
           << " + " << *op.getOffset() << ");\n";
  else
    line() << target->toHost() << "(" << ensemble * n << ", " << from << ", "
           << to << ");\n";
  if (optional)
    indent -= 2;
  return success();
}

LogicalResult Emitter::emitStepGraph(rtir::StepGraphOp graph) {
  std::string member = "graph" + std::to_string(numGraphs++);
  std::string results = member + "Results";
  graphMembers +=
      target->graphMember(member) + "  const float *" + results + "[" +
      std::to_string(std::max<size_t>(graph.getNumResults(), 1)) + "] = {};\n";
  line() << target->beginGraph("t->" + member) << "\n";
  indent += 2;
  for (Operation &op : graph.getBody().front().without_terminator())
    if (failed(emitOp(&op)))
      return failure();
  // What the recording run leaves, kept for the replays.
  auto yield = cast<rtir::StepGraphYieldOp>(graph.getBody().front().back());
  for (auto [i, value] : llvm::enumerate(yield.getResults()))
    line() << "t->" << results << "[" << i << "] = " << name(value) << ";\n";
  indent -= 2;
  line() << target->endGraph() << "\n";
  for (auto [i, result] : llvm::enumerate(graph.getResults()))
    names[result] =
        llvm::formatv("const_cast<float *>(t->{0}[{1}])", results, i);
  return success();
}

LogicalResult Emitter::emitEntryPoint(rtir::EntryPointOp entry) {
  entryPoint = entry;
  // Its own C++ function: local names start again.
  nextValue = 0;
  // One network's state: the pieces the caller gives (or gets).
  int64_t given = 0, got = 0;
  entry.walk([&](Operation *op) {
    if (auto in = dyn_cast<rtir::CallerArrayOp>(op);
        in && in.getArray() == rtir::CallerArray::InitialState)
      given += numElements(in.getType());
    if (auto out = dyn_cast<rtir::ToCallerOp>(op);
        out && out.getArray() == rtir::CallerArray::FinalState)
      got += numElements(out.getInput().getType());
  });
  callerStateFloats = given ? given : got;
  switch (entry.getKind()) {
  case rtir::EntryKind::Train:
    line() << "float train(void *trainer, const ccrnn_batch *batch, "
              "float *const *grads,\n            float *final_state) {\n";
    break;
  case rtir::EntryKind::Eval:
    line() << "float eval(void *trainer, const float *const *callerParams,\n"
              "           const float *callerInputs, const void "
              "*callerTargets,\n           float *predictions) {\n";
    break;
  case rtir::EntryKind::Record:
    line() << "void record(void *trainer, const ccrnn_batch *batch, "
              "ccrnn_record *out) {\n";
    break;
  case rtir::EntryKind::EvalWindow:
    line() << "float eval_window(void *trainer, const ccrnn_batch *batch,\n"
              "                  float *predictions, float *final_state) {\n";
    break;
  case rtir::EntryKind::Decode:
    line() << "void decode(void *trainer, const ccrnn_batch *batch, "
              "int64_t *tokens) {\n";
    break;
  }
  indent += 2;
  line() << "Trainer *t = static_cast<Trainer *>(trainer);\n";
  for (Operation &op : entry.getBody().front())
    if (failed(emitOp(&op)))
      return failure();
  indent -= 2;
  line() << "}\n\n";
  return success();
}

LogicalResult Emitter::emitEntryPoints(raw_ostream &os) {
  os << "void *create() {\n"
     << "  try {\n"
     << "    return new Trainer();\n"
     << "  } catch (...) {\n"
     << "    return nullptr;\n"
     << "  }\n"
     << "}\n\n"
     << "void destroy(void *trainer) { delete static_cast<Trainer *>(trainer); "
        "}"
        "\n\n"
     << entryText;
  auto has = [&](rtir::EntryKind kind) {
    return llvm::any_of(module.getOps<rtir::EntryPointOp>(),
                        [&](auto e) { return e.getKind() == kind; });
  };
  auto function = [&](rtir::EntryKind kind) {
    return has(kind) ? rtir::stringifyEntryKind(kind) : StringRef("nullptr");
  };
  os << "const ccrnn_trainer_api kApi = {&kDescription, create, destroy, "
        "train, "
     << function(rtir::EntryKind::Eval) << ", "
     << function(rtir::EntryKind::Record) << ",\n    "
     << function(rtir::EntryKind::EvalWindow) << ", "
     << function(rtir::EntryKind::Decode) << "};\n\n";
  return success();
}

LogicalResult Emitter::emit(raw_ostream &os) {
  func::FuncOp train;
  module.walk([&](func::FuncOp f) {
    if (f->hasAttr(kTrainerAttr))
      train = f;
  });
  if (!train)
    return module.emitError("no function with a 'ccrnn.trainer' attribute: "
                            "run --ccrnn-build-training first");
  // The verifier has checked that the functions it names exist.
  auto info = train->getAttrOfType<TrainerAttr>(kTrainerAttr);
  StringRef model = info.getModel().getValue();
  func::FuncOp record;
  if (info.getRecord())
    record = module.lookupSymbol<func::FuncOp>(info.getRecord());
  if (!isOnBuffers(module))
    return module.emitError("the program is not on buffers: run "
                            "--convert-ccrnn-to-ccrnnrt first");
  // Element counts below are products of sizes: bounded first, so that
  // none overflows.
  if (failed(checkProgramSizes(module, "ccrnn-translate")))
    return failure();
  if (auto networks = module->getAttrOfType<IntegerAttr>(
          rtir::CCRNNRTDialect::kNetworksAttr))
    ensemble = networks.getInt();
  if (ensemble > kMaxEnsemble)
    return module.emitError("the program's ensemble of ")
           << ensemble << " networks is more than " << kMaxEnsemble;
  BatchInputs batch = batchInputs(train);
  if (batch.tokens && ensemble > 1)
    return module.emitError("an ensemble of ")
           << ensemble << " token-model networks: a token model's trainer "
           << "trains one network";
  // `ones` is the dense fibre mask and the mask of no dropout.
  int64_t stateSize = ensemble * batch.stateSize,
          maskSize = ensemble * std::max(batch.maskRows * batch.maskCols,
                                         batch.dropoutSize);

  // The emitter prints the plan of --ccrnn-plan-memory, the objects of
  // --ccrnn-assign-kernels and the count of --ccrnn-count-flops
  // (prepareForEmission runs them).
  auto plan = module->getAttrOfType<MemoryPlanAttr>(kMemoryPlanAttr);
  if (!plan)
    return module.emitError("the program has no memory plan: run "
                            "--ccrnn-plan-memory first");
  if (plan.getTarget() != options.target)
    return module.emitError("the program's memory plan is for target '")
           << stringifyTrainerTarget(plan.getTarget()) << "', not '"
           << stringifyTrainerTarget(options.target) << "'";
  if (plan.getArena() > kMaxProgramFloats ||
      plan.getStaging() > kMaxProgramFloats)
    return module.emitError("the program's memory plan needs more than ")
           << kMaxProgramFloats
           << " floats (2^42, 16 TiB), the most a training program may hold";
  auto kernels = module->getAttrOfType<ArrayAttr>(kKernelsAttr);
  if (!kernels)
    return module.emitError("the program has no kernel objects: run "
                            "--ccrnn-assign-kernels first");
  for (auto [index, config] : llvm::enumerate(kernels))
    declareKernel(index, config);
  if (!train->hasAttr(kFlopsAttr))
    return train.emitOpError("has no FLOP count: run --ccrnn-count-flops "
                             "first");
  SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
  std::string declarations;
  for (func::FuncOp f : functions) {
    if (f.isExternal())
      return f.emitOpError("external functions are not supported");
    if (failed(emitFunction(f)))
      return failure();
    declarations += "  " + signature(f, /*qualified=*/false) + ";\n";
  }
  // The C ABI's functions (--ccrnnrt-build-entry-points), printed apart.
  std::string methodText = std::move(bodyText);
  bodyText.clear();
  bool hasTrain = false, hasEval = false;
  for (auto entry : module.getOps<rtir::EntryPointOp>()) {
    hasTrain |= entry.getKind() == rtir::EntryKind::Train;
    hasEval |= entry.getKind() == rtir::EntryKind::Eval ||
               entry.getKind() == rtir::EntryKind::EvalWindow;
    if (failed(emitEntryPoint(entry)))
      return failure();
  }
  if (!hasTrain || !hasEval)
    return module.emitError("the program has no train and eval entry points: "
                            "run --ccrnnrt-build-entry-points first");
  entryText = std::move(bodyText);

  std::string id = identifier(options.id.empty() ? model : options.id);
  // Host memory on the CPU, device memory on a GPU; both zeroed.
  StringRef buffer = target->bufferType();
  auto allocation = [&](int64_t floats) { return target->allocation(floats); };
  os << "// Generated by ccrnn-translate --emit-trainer=" << target->flagName()
     << ": the trainer of model @" << model << "\n// ("
     << info.getOptions().getValue()
     << "). Do not edit; regenerate from the model file.\n\n"
     << "#include \"" << target->runtimeHeader() << "\"\n"
     << "#include \"ccrnn/Runtime/TrainerABI.h\"\n\n"
     << "#include <cstdint>\n#include <memory>\n#include <utility>\n\n"
     << "namespace {\n\nnamespace rt = ccrnn::" << target->runtimeNamespace()
     << ";\n\n"
     << "// One method per function of the training program; every tensor "
        "lives in a\n// fixed slice of `arena`"
     << target->arenaNote()
     << ", every kernel is created once.\nclass Trainer {\npublic:\n"
        "  Trainer();\n"
     << declarations << "\nprivate:\n"
     << "  " << buffer << " arena;\n\npublic:\n"
     << "  // The zero state and the dense fibre mask (no dropout) of calls "
        "that give\n  // none.\n"
     << "  " << buffer << " zeros, ones;\n"
     << (ensemble > 1
             ? "  // The initial states of an ensemble, regrouped.\n  " +
                   buffer.str() + " regroup;\n"
             : "")
     << target->extraMembers() << graphMembers << "\nprivate:\n";
  for (const std::string &decl : kernelDecls)
    os << decl;
  os << "};\n\nTrainer::Trainer()\n    : arena" << allocation(plan.getArena())
     << ", zeros" << allocation(stateSize) << ",\n      ones"
     << allocation(maskSize)
     << (ensemble > 1 ? ",\n      regroup" + allocation(stateSize) : "")
     << target->extraMemberInits(plan.getStaging()) << " {\n"
     << "  rt::fill(" << std::max<int64_t>(maskSize, 1)
     << ", 1.0f, ones.get());\n";
  for (const std::string &init : kernelInits)
    os << init;
  for (const std::string &init : constantInits)
    os << init;
  os << "}\n" << methodText << "\n";
  emitDescription(os, train, record);
  if (failed(emitEntryPoints(os)))
    return failure();
  os << "} // namespace\n\n"
     << "extern \"C\" const ccrnn_trainer_api *ccrnn_trainer_" << id
     << "(void) { return &kApi; }\n";
  if (options.entry)
    os << "\nextern \"C\" const ccrnn_trainer_api *ccrnn_trainer_entry(void) "
          "{ return &kApi; }\n";
  return success();
}

} // namespace

LogicalResult ccrnn::prepareForEmission(ModuleOp module,
                                        TrainerTarget target) {
  if (isOnBuffers(module))
    return success(); // prepared already (or written on ccrnnrt's level)
  // The decisions' passes work on the tensor level: its sizes are bounded
  // there first (the conversion keeps every shape).
  if (failed(checkProgramSizes(module, "ccrnn-translate")))
    return failure();
  PassManager pm(module.getContext());
  bool counted = llvm::all_of(module.getOps<func::FuncOp>(), [](func::FuncOp f) {
    return f->hasAttr(kFlopsAttr);
  });
  if (!counted)
    pm.addPass(createCCRNNCountFlops());
  if (!module->hasAttr(kKernelsAttr))
    pm.addPass(createCCRNNAssignKernels());
  // A plan made for another target is the emitter's error to report.
  if (!module->hasAttr(kMemoryPlanAttr))
    pm.addPass(createCCRNNPlanMemory(
        CCRNNPlanMemoryOptions{stringifyTrainerTarget(target).str()}));
  pm.addPass(createConvertCCRNNToCCRNNRT());
  pm.addPass(createCCRNNRTBuildEntryPoints());
  return pm.run(module);
}

LogicalResult ccrnn::emitCppTrainer(ModuleOp module, raw_ostream &os,
                                    const CppTrainerOptions &options) {
  return Emitter(module, options).emit(os);
}
