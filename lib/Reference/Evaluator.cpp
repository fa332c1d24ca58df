//===- Evaluator.cpp - double-precision interpreter of ccrnn programs -----===//
//
// A tree-walking interpreter. Each function call gets a fresh frame mapping
// SSA values to runtime values; scf.for re-runs its body block. Shapes are
// taken from the runtime values and checked against the IR types as results
// are bound, so an op computed wrongly here, or a type that lies, fails with a
// diagnostic instead of reading out of bounds further on.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Reference/Evaluator.h"

#include "ccrnn/CCRNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/SaveAndRestore.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <variant>

using namespace mlir;

namespace ccrnn::reference {

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t size : shape)
    n *= size;
  return n;
}

namespace {

/// A runtime value: a tensor, an index or integer scalar, or a float scalar.
using RValue = std::variant<Tensor, int64_t, double>;
using Results = std::vector<RValue>;

Results one(RValue value) {
  Results results;
  results.push_back(std::move(value));
  return results;
}

Tensor zeros(std::vector<int64_t> shape) {
  Tensor t{std::move(shape), {}};
  t.data.assign(t.numElements(), 0.0);
  return t;
}

Tensor scalarTensor(double value) { return Tensor{{}, {value}}; }

/// Whether a tensor of `shape` may have `type` (a dynamic size fits any).
bool fits(ArrayRef<int64_t> shape, RankedTensorType type) {
  if (static_cast<int64_t>(shape.size()) != type.getRank())
    return false;
  for (auto [size, expected] : llvm::zip_equal(shape, type.getShape()))
    if (!ShapedType::isDynamic(expected) && size != expected)
      return false;
  return true;
}

int64_t product(ArrayRef<int64_t> sizes) {
  int64_t n = 1;
  for (int64_t size : sizes)
    n *= size;
  return n;
}

/// i1 constants are 0 or 1, not 0 or -1.
int64_t toInt(const APInt &value) {
  return value.getBitWidth() == 1 ? value.getZExtValue() : value.getSExtValue();
}

bool isInteger(double value) { return std::trunc(value) == value; }

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

double logSumExp(const double *z, int64_t n) {
  double max = *std::max_element(z, z + n);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += std::exp(z[i] - max);
  return max + std::log(sum);
}

/// Whether `b` divides `a` without a division by zero or an overflow.
bool canDivide(int64_t a, int64_t b) {
  return b != 0 && !(a == std::numeric_limits<int64_t>::min() && b == -1);
}

LogicalResult expectShape(Operation *op, const Tensor &t,
                          ArrayRef<int64_t> shape, StringRef name) {
  if (ArrayRef<int64_t>(t.shape) == shape)
    return success();
  return op->emitOpError() << name << " has shape " << formatShape(t.shape)
                           << ", expected " << formatShape(shape);
}

struct LayerGrads {
  Tensor dx, dwih, dwhh, dbih, dbhh;
};

/// The operands of one recurrent layer over a window (lstm_seq,
/// rnn_tanh_seq), with `rows` = gates * hidden weight rows.
struct Layer {
  const Tensor &x, &wih, &whh, &bih, &bhh;
  int64_t batch, steps, in, hidden, rows;

  /// z[b, :] = W_ih x[b, t, :] + b_ih + W_hh h[b, :] + b_hh, z [batch, rows].
  void preactivation(int64_t t, const double *h, double *z) const {
    for (int64_t b = 0; b < batch; ++b) {
      const double *xt = &x.data[(b * steps + t) * in];
      const double *hb = h + b * hidden;
      for (int64_t r = 0; r < rows; ++r) {
        double sum = bih.data[r] + bhh.data[r];
        for (int64_t k = 0; k < in; ++k)
          sum += wih.data[r * in + k] * xt[k];
        for (int64_t k = 0; k < hidden; ++k)
          sum += whh.data[r * hidden + k] * hb[k];
        z[b * rows + r] = sum;
      }
    }
  }

  LayerGrads zeroGrads() const {
    return {zeros(x.shape), zeros(wih.shape), zeros(whh.shape),
            zeros(bih.shape), zeros(bhh.shape)};
  }

  /// Adds step t's share of the gradients given the cotangent dz
  /// [batch, rows] of its preactivation and the state hPrev it started from;
  /// sets dh to the cotangent of that state, dz W_hh.
  void backward(int64_t t, const double *dz, const double *hPrev,
                LayerGrads &grads, double *dh) const {
    std::fill(dh, dh + batch * hidden, 0.0);
    for (int64_t b = 0; b < batch; ++b) {
      const double *xt = &x.data[(b * steps + t) * in];
      double *dxt = &grads.dx.data[(b * steps + t) * in];
      const double *hb = hPrev + b * hidden;
      double *dhb = dh + b * hidden;
      for (int64_t r = 0; r < rows; ++r) {
        double d = dz[b * rows + r];
        grads.dbih.data[r] += d;
        grads.dbhh.data[r] += d;
        for (int64_t k = 0; k < in; ++k) {
          grads.dwih.data[r * in + k] += d * xt[k];
          dxt[k] += d * wih.data[r * in + k];
        }
        for (int64_t k = 0; k < hidden; ++k) {
          grads.dwhh.data[r * hidden + k] += d * hb[k];
          dhb[k] += d * whh.data[r * hidden + k];
        }
      }
    }
  }

  /// The hidden sequence [batch, steps, hidden] out of states laid out
  /// [steps + 1][batch][hidden] (slot 0 the initial state).
  Tensor sequence(const std::vector<double> &states) const {
    Tensor seq = zeros({batch, steps, hidden});
    for (int64_t t = 0; t < steps; ++t)
      for (int64_t b = 0; b < batch; ++b)
        std::copy_n(&states[((t + 1) * batch + b) * hidden], hidden,
                    &seq.data[(b * steps + t) * hidden]);
    return seq;
  }

  Tensor last(const std::vector<double> &states) const {
    auto first = states.begin() + steps * batch * hidden;
    return Tensor{{batch, hidden}, {first, first + batch * hidden}};
  }

  /// Adds d_hseq[:, t, :] to dh [batch, hidden].
  void addStepCotangent(const Tensor &dHseq, int64_t t,
                        std::vector<double> &dh) const {
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t j = 0; j < hidden; ++j)
        dh[b * hidden + j] += dHseq.data[(b * steps + t) * hidden + j];
  }
};

/// An LSTM window's activations, kept for the backward pass.
struct LSTMTrace {
  std::vector<double> gates; ///< [steps][batch][4H]: i, f, g, o, activated.
  std::vector<double> h, c;  ///< [steps + 1][batch][H]; slot 0: (h0, c0).
};

LSTMTrace lstmForward(const Layer &l, const Tensor &h0, const Tensor &c0) {
  int64_t hidden = l.hidden, state = l.batch * hidden;
  LSTMTrace trace;
  trace.gates.resize(l.steps * l.batch * l.rows);
  trace.h.resize((l.steps + 1) * state);
  trace.c.resize((l.steps + 1) * state);
  std::copy(h0.data.begin(), h0.data.end(), trace.h.begin());
  std::copy(c0.data.begin(), c0.data.end(), trace.c.begin());
  for (int64_t t = 0; t < l.steps; ++t) {
    double *z = &trace.gates[t * l.batch * l.rows];
    l.preactivation(t, &trace.h[t * state], z);
    for (int64_t b = 0; b < l.batch; ++b) {
      double *gate = z + b * l.rows;
      for (int64_t j = 0; j < hidden; ++j) {
        double &i = gate[j], &f = gate[hidden + j], &g = gate[2 * hidden + j],
               &o = gate[3 * hidden + j];
        i = sigmoid(i);
        f = sigmoid(f);
        g = std::tanh(g);
        o = sigmoid(o);
        int64_t s = b * hidden + j;
        double c = f * trace.c[t * state + s] + i * g;
        trace.c[(t + 1) * state + s] = c;
        trace.h[(t + 1) * state + s] = o * std::tanh(c);
      }
    }
  }
  return trace;
}

/// A tanh RNN window's states, [steps + 1][batch][H]; slot 0 is h0.
std::vector<double> rnnTanhForward(const Layer &l, const Tensor &h0) {
  int64_t state = l.batch * l.hidden;
  std::vector<double> h((l.steps + 1) * state);
  std::copy(h0.data.begin(), h0.data.end(), h.begin());
  for (int64_t t = 0; t < l.steps; ++t) {
    double *next = &h[(t + 1) * state];
    l.preactivation(t, &h[t * state], next);
    for (int64_t s = 0; s < state; ++s)
      next[s] = std::tanh(next[s]);
  }
  return h;
}

/// The steps of an mse window and which of them the loss supervises.
struct MSEWindow {
  int64_t batch, steps, features;
  std::vector<bool> supervised;
  int64_t count; ///< Supervised elements, the mean's denominator.
};

class Interpreter {
public:
  explicit Interpreter(ModuleOp module) : module(module) {}

  FailureOr<Results> call(func::FuncOp func, Results args) {
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return func.emitError() << "@" << func.getSymName()
                              << " must have a body of one block to be "
                                 "evaluated";
    if (args.size() != func.getNumArguments())
      return func.emitError()
             << "@" << func.getSymName() << " takes " << func.getNumArguments()
             << " arguments, got " << args.size();
    llvm::SaveAndRestore frame(env, DenseMap<Value, RValue>());
    return run(func.front(), std::move(args));
  }

private:
  /// Binds the block's arguments, runs its ops and returns the operands of
  /// its terminator (func.return or scf.yield).
  FailureOr<Results> run(Block &block, Results args) {
    for (auto [arg, value] : llvm::zip_equal(block.getArguments(), args))
      if (failed(bind(arg, std::move(value))))
        return failure();
    for (Operation &op : block.without_terminator())
      if (failed(execute(&op)))
        return failure();
    Results results;
    for (Value value : block.getTerminator()->getOperands())
      results.push_back(get(value));
    return results;
  }

  LogicalResult execute(Operation *op) {
    FailureOr<Results> results = dispatch(op);
    if (failed(results))
      return failure();
    for (auto [value, result] : llvm::zip_equal(op->getResults(), *results))
      if (failed(bind(value, std::move(result))))
        return failure();
    return success();
  }

  /// Records `value` for `v` after checking it is the kind and shape of
  /// value its type says.
  LogicalResult bind(Value v, RValue value) {
    Type type = v.getType();
    bool ok;
    if (auto tensorType = dyn_cast<RankedTensorType>(type)) {
      auto *t = std::get_if<Tensor>(&value);
      ok = t && fits(t->shape, tensorType);
    } else if (type.isIntOrIndex()) {
      ok = std::holds_alternative<int64_t>(value);
    } else if (isa<FloatType>(type)) {
      ok = std::holds_alternative<double>(value);
    } else {
      return emitError(v.getLoc())
             << "values of type " << type
             << " are not supported by the reference evaluator";
    }
    if (!ok) {
      InFlightDiagnostic diag = emitError(v.getLoc()) << "evaluated to ";
      if (auto *t = std::get_if<Tensor>(&value))
        diag << "a tensor of shape " << formatShape(t->shape);
      else
        diag << "a scalar";
      return diag << ", which does not fit its type " << type;
    }
    env[v] = std::move(value);
    return success();
  }

  const RValue &get(Value v) { return env.find(v)->second; }
  // bind() checked that tensor-typed values hold tensors and index-typed
  // values integers.
  const Tensor &tensor(Value v) { return *std::get_if<Tensor>(&get(v)); }
  int64_t index(Value v) { return *std::get_if<int64_t>(&get(v)); }

  FailureOr<Results> dispatch(Operation *op) {
    using F = FailureOr<Results>;
    return llvm::TypeSwitch<Operation *, F>(op)
        .Case<func::CallOp, scf::ForOp, EnsembleOp, arith::ConstantOp,
              MatmulOp,
              FusedMatmulOp, MatmulAccumulateOp,
              BroadcastOp, ReduceSumOp, ReshapeOp, ConcatOp, SplitOp,
              TimeSliceOp, OneHotOp, GatherRowsOp, ScatterAddRowsOp, ArgmaxRowsOp,
              BatchNormTrainOp, BatchNormGradOp, BatchNormInferenceOp,
              SupervisedStepsOp, MSELossOp, MSELossGradOp,
              CrossEntropyLossOp, CrossEntropyLossGradOp, LSTMSeqOp,
              LSTMSeqGradOp, RNNTanhSeqOp, RNNTanhSeqGradOp>(
            [&](auto op) { return eval(op); })
        .Case([&](TruncateOp op) { return one(get(op.getInput())); })
        // The markers only shape gradients, which autodiff has made explicit.
        .Case<SyntheticGradientOp, SynthesizerTargetOp>(
            [](auto) { return Results(); })
        .Case([](ValueAndGradOp op) -> F {
          return op.emitOpError("must be expanded before evaluation: run "
                                "--ccrnn-autodiff first");
        })
        .Case([&](AddOp op) { return elementwise(op, std::plus<double>()); })
        .Case([&](SubOp op) { return elementwise(op, std::minus<double>()); })
        .Case([&](MulOp op) {
          return elementwise(op, std::multiplies<double>());
        })
        .Case([&](ScaleOp op) {
          double factor = op.getFactor().convertToDouble();
          return map(op, [factor](double x) { return factor * x; });
        })
        .Case([&](SigmoidOp op) { return map(op, sigmoid); })
        .Case([&](TanhOp op) {
          return map(op, [](double x) { return std::tanh(x); });
        })
        .Case([&](ReluOp op) {
          return map(op, [](double x) { return x > 0 ? x : 0.0; });
        })
        .Case([&](StepOp op) {
          return map(op, [](double x) { return x > 0 ? 1.0 : 0.0; });
        })
        .Case([&](ReluGradOp op) {
          return elementwise(op, [](double cotangent, double x) {
            return cotangent * (x > 0 ? 1.0 : 0.0);
          });
        })
        .Case([&](arith::AddIOp op) {
          return integer(op, [](int64_t a, int64_t b, int64_t &r) {
            return !llvm::AddOverflow(a, b, r);
          });
        })
        .Case([&](arith::SubIOp op) {
          return integer(op, [](int64_t a, int64_t b, int64_t &r) {
            return !llvm::SubOverflow(a, b, r);
          });
        })
        .Case([&](arith::MulIOp op) {
          return integer(op, [](int64_t a, int64_t b, int64_t &r) {
            return !llvm::MulOverflow(a, b, r);
          });
        })
        .Case([&](arith::DivSIOp op) {
          return integer(op, [](int64_t a, int64_t b, int64_t &r) {
            if (!canDivide(a, b))
              return false;
            r = a / b;
            return true;
          });
        })
        .Case([&](arith::RemSIOp op) {
          return integer(op, [](int64_t a, int64_t b, int64_t &r) {
            if (!canDivide(a, b))
              return false;
            r = a % b;
            return true;
          });
        })
        .Case([&](arith::CeilDivSIOp op) {
          return integer(op, [](int64_t a, int64_t b, int64_t &r) {
            if (!canDivide(a, b))
              return false;
            r = a / b + (a % b != 0 && (a < 0) == (b < 0));
            return true;
          });
        })
        .Case([&](arith::MinSIOp op) {
          return integer(op, [](int64_t a, int64_t b, int64_t &r) {
            r = std::min(a, b);
            return true;
          });
        })
        .Case([&](arith::MaxSIOp op) {
          return integer(op, [](int64_t a, int64_t b, int64_t &r) {
            r = std::max(a, b);
            return true;
          });
        })
        .Case([&](arith::AddFOp op) { return real(op, std::plus<double>()); })
        .Case([&](arith::SubFOp op) { return real(op, std::minus<double>()); })
        .Case([&](arith::MulFOp op) {
          return real(op, std::multiplies<double>());
        })
        .Case(
            [&](arith::DivFOp op) { return real(op, std::divides<double>()); })
        .Default([](Operation *op) -> F {
          return op->emitOpError("is not supported by the reference evaluator");
        });
  }

  //===--------------------------------------------------------------------===//
  // Control flow and arith
  //===--------------------------------------------------------------------===//

  FailureOr<Results> eval(func::CallOp op) {
    auto callee = module.lookupSymbol<func::FuncOp>(op.getCallee());
    if (!callee)
      return op.emitOpError() << "calls @" << op.getCallee()
                              << ", which is not a func.func of the module";
    Results args;
    for (Value v : op.getOperands())
      args.push_back(get(v));
    return call(callee, std::move(args));
  }

  FailureOr<Results> eval(scf::ForOp op) {
    int64_t lower = index(op.getLowerBound()),
            upper = index(op.getUpperBound()), step = index(op.getStep());
    if (step <= 0)
      return op.emitOpError() << "step must be positive, got " << step;
    Results iters;
    for (Value v : op.getInitArgs())
      iters.push_back(get(v));
    for (int64_t iv = lower; iv < upper; iv += step) {
      Results args = one(iv);
      std::move(iters.begin(), iters.end(), std::back_inserter(args));
      FailureOr<Results> yielded = run(*op.getBody(), std::move(args));
      if (failed(yielded))
        return failure();
      iters = std::move(*yielded);
    }
    return iters;
  }

  /// Runs the body once per network on that network's slice of each tensor
  /// input, in a frame of its own, and stacks what each yields.
  FailureOr<Results> eval(EnsembleOp op) {
    int64_t size = op.getSize();
    Block &body = *op.getBody();
    std::vector<Results> yielded;
    for (int64_t e = 0; e < size; ++e) {
      Results args;
      for (Value input : op.getInputs()) {
        const RValue &value = get(input);
        const auto *t = std::get_if<Tensor>(&value);
        if (!t) {
          args.push_back(value);
          continue;
        }
        // bind() checked the leading dimension: one slice per network.
        Tensor slice{{t->shape.begin() + 1, t->shape.end()}, {}};
        int64_t n = slice.numElements();
        slice.data.assign(t->data.begin() + e * n,
                          t->data.begin() + (e + 1) * n);
        args.push_back(std::move(slice));
      }
      llvm::SaveAndRestore frame(env, DenseMap<Value, RValue>());
      FailureOr<Results> results = run(body, std::move(args));
      if (failed(results))
        return failure();
      yielded.push_back(std::move(*results));
    }
    Results stacked;
    for (unsigned r = 0; r < op.getNumResults(); ++r) {
      // bind() checked that the yielded values are tensors.
      Tensor all{{size}, {}};
      const Tensor &first = std::get<Tensor>(yielded[0][r]);
      all.shape.insert(all.shape.end(), first.shape.begin(), first.shape.end());
      for (const Results &network : yielded) {
        const Tensor &t = std::get<Tensor>(network[r]);
        all.data.insert(all.data.end(), t.data.begin(), t.data.end());
      }
      stacked.push_back(std::move(all));
    }
    return stacked;
  }

  FailureOr<Results> eval(arith::ConstantOp op) {
    Attribute value = op.getValue();
    if (auto i = dyn_cast<IntegerAttr>(value))
      return one(toInt(i.getValue()));
    if (auto f = dyn_cast<FloatAttr>(value))
      return one(f.getValueAsDouble());
    auto dense = dyn_cast<DenseElementsAttr>(value);
    if (!dense)
      return op.emitOpError("has a value the reference evaluator does not "
                            "support");
    ArrayRef<int64_t> shape = dense.getType().getShape();
    Tensor t{{shape.begin(), shape.end()}, {}};
    if (isa<FloatType>(dense.getElementType()))
      for (const APFloat &f : dense.getValues<APFloat>())
        t.data.push_back(FloatAttr::getValueAsDouble(f));
    else if (dense.getElementType().isIntOrIndex())
      for (const APInt &i : dense.getValues<APInt>())
        t.data.push_back(toInt(i));
    else
      return op.emitOpError("has an element type the reference evaluator "
                            "does not support");
    return one(std::move(t));
  }

  /// An index/integer scalar op; `fn` returns false on overflow or
  /// division by zero.
  template <typename Op, typename Fn> FailureOr<Results> integer(Op op, Fn fn) {
    auto *a = std::get_if<int64_t>(&get(op.getLhs()));
    auto *b = std::get_if<int64_t>(&get(op.getRhs()));
    if (!a || !b)
      return op.emitOpError("is only supported on scalars");
    int64_t result;
    if (!fn(*a, *b, result))
      return op.emitOpError()
             << "overflows or divides by zero on " << *a << " and " << *b;
    return one(result);
  }

  template <typename Op, typename Fn> FailureOr<Results> real(Op op, Fn fn) {
    auto *a = std::get_if<double>(&get(op.getLhs()));
    auto *b = std::get_if<double>(&get(op.getRhs()));
    if (!a || !b)
      return op.emitOpError("is only supported on scalars");
    return one(fn(*a, *b));
  }

  //===--------------------------------------------------------------------===//
  // Element-wise, linear algebra, layout
  //===--------------------------------------------------------------------===//

  template <typename Op, typename Fn>
  FailureOr<Results> elementwise(Op op, Fn fn) {
    // Two operands of the same shape (lhs and rhs, or relu_grad's
    // cotangent and input).
    const Tensor &a = tensor(op->getOperand(0)), &b = tensor(op->getOperand(1));
    if (failed(expectShape(op, b, a.shape, "rhs")))
      return failure();
    Tensor result{a.shape, std::vector<double>(a.data.size())};
    for (size_t i = 0; i < a.data.size(); ++i)
      result.data[i] = fn(a.data[i], b.data[i]);
    return one(std::move(result));
  }

  template <typename Op, typename Fn> FailureOr<Results> map(Op op, Fn fn) {
    Tensor result = tensor(op.getInput());
    for (double &x : result.data)
      x = fn(x);
    return one(std::move(result));
  }

  FailureOr<Results> eval(MatmulOp op) { return matrixProduct(op); }

  /// op(lhs) x op(rhs) of any of the matmul ops.
  template <typename Op> FailureOr<Results> matrixProduct(Op op) {
    return matmul(op, tensor(op.getLhs()), tensor(op.getRhs()),
                  op.getTransposeLhs(), op.getTransposeRhs());
  }

  /// op(lhs) x op(rhs) + broadcast(bias), then relu if asked.
  FailureOr<Results> eval(FusedMatmulOp op) {
    FailureOr<Results> p = matrixProduct(op);
    if (failed(p))
      return failure();
    Tensor result = std::get<Tensor>((*p)[0]);
    const Tensor &bias = tensor(op.getBias());
    int64_t n = result.shape[1];
    if (bias.numElements() != n)
      return op.emitOpError("bias must have ") << n << " elements";
    for (size_t i = 0; i < result.data.size(); ++i) {
      result.data[i] += bias.data[i % n];
      if (op.getRelu())
        result.data[i] = std::max(result.data[i], 0.0);
    }
    return one(std::move(result));
  }

  /// accumulator + op(lhs) x op(rhs).
  FailureOr<Results> eval(MatmulAccumulateOp op) {
    FailureOr<Results> p = matrixProduct(op);
    if (failed(p))
      return failure();
    Tensor result = std::get<Tensor>((*p)[0]);
    const Tensor &acc = tensor(op.getAccumulator());
    if (failed(expectShape(op, acc, result.shape, "accumulator")))
      return failure();
    for (size_t i = 0; i < result.data.size(); ++i)
      result.data[i] += acc.data[i];
    return one(std::move(result));
  }

  FailureOr<Results> matmul(Operation *op, const Tensor &a, const Tensor &b,
                            bool ta, bool tb) {
    if (a.shape.size() != 2 || b.shape.size() != 2)
      return op->emitOpError("operands must be rank 2");
    int64_t m = a.shape[ta], k = a.shape[!ta], kb = b.shape[tb],
            n = b.shape[!tb];
    if (k != kb)
      return op->emitOpError()
             << "contraction sizes differ: " << k << " vs " << kb;
    Tensor result = zeros({m, n});
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p) {
        double aip = ta ? a.data[p * m + i] : a.data[i * k + p];
        for (int64_t j = 0; j < n; ++j)
          result.data[i * n + j] +=
              aip * (tb ? b.data[j * k + p] : b.data[p * n + j]);
      }
    return one(std::move(result));
  }

  FailureOr<Results> eval(BroadcastOp op) {
    const Tensor &in = tensor(op.getInput());
    int64_t copies = op.getType().getDimSize(0);
    if (ShapedType::isDynamic(copies))
      return op.emitOpError("needs a static leading result size");
    Tensor result{{copies}, {}};
    llvm::append_range(result.shape, in.shape);
    for (int64_t i = 0; i < copies; ++i)
      llvm::append_range(result.data, in.data);
    return one(std::move(result));
  }

  FailureOr<Results> eval(ReduceSumOp op) {
    const Tensor &in = tensor(op.getInput());
    if (in.shape.empty())
      return op.emitOpError("needs an input of rank 1 or more");
    Tensor result = zeros({in.shape.begin() + 1, in.shape.end()});
    size_t inner = result.data.size();
    for (size_t i = 0; i < in.data.size(); ++i)
      result.data[i % inner] += in.data[i];
    return one(std::move(result));
  }

  FailureOr<Results> eval(ReshapeOp op) {
    const Tensor &in = tensor(op.getInput());
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape() || type.getNumElements() != in.numElements())
      return op.emitOpError()
             << "cannot reshape " << formatShape(in.shape) << " to " << type;
    ArrayRef<int64_t> shape = type.getShape();
    return one(Tensor{{shape.begin(), shape.end()}, in.data});
  }

  FailureOr<Results> eval(ConcatOp op) {
    const Tensor &first = tensor(op.getInputs().front());
    int64_t axis = op.getAxis();
    if (axis < 0 || axis >= static_cast<int64_t>(first.shape.size()))
      return op.emitOpError() << "axis " << axis << " is out of range";
    std::vector<int64_t> shape = first.shape;
    shape[axis] = 0;
    for (Value v : op.getInputs()) {
      const Tensor &piece = tensor(v);
      std::vector<int64_t> expected = first.shape;
      if (piece.shape.size() == expected.size())
        expected[axis] = piece.shape[axis];
      if (failed(expectShape(op, piece, expected, "a piece")))
        return failure();
      shape[axis] += piece.shape[axis];
    }
    int64_t outer = product(ArrayRef(shape).take_front(axis)),
            inner = product(ArrayRef(shape).drop_front(axis + 1));
    Tensor result{shape, {}};
    for (int64_t o = 0; o < outer; ++o)
      for (Value v : op.getInputs()) {
        const Tensor &piece = tensor(v);
        int64_t chunk = piece.shape[axis] * inner;
        result.data.insert(result.data.end(), piece.data.begin() + o * chunk,
                           piece.data.begin() + (o + 1) * chunk);
      }
    return one(std::move(result));
  }

  FailureOr<Results> eval(SplitOp op) {
    const Tensor &in = tensor(op.getInput());
    int64_t axis = op.getAxis();
    if (axis < 0 || axis >= static_cast<int64_t>(in.shape.size()))
      return op.emitOpError() << "axis " << axis << " is out of range";
    int64_t total = 0;
    for (Type type : op.getResultTypes()) {
      int64_t size = cast<RankedTensorType>(type).getDimSize(axis);
      if (ShapedType::isDynamic(size))
        return op.emitOpError("needs static result sizes along the axis");
      total += size;
    }
    if (total != in.shape[axis])
      return op.emitOpError() << "pieces add up to " << total << " along axis "
                              << axis << ", the input has " << in.shape[axis];
    int64_t outer = product(ArrayRef(in.shape).take_front(axis)),
            inner = product(ArrayRef(in.shape).drop_front(axis + 1));
    Results results;
    int64_t offset = 0;
    for (Type type : op.getResultTypes()) {
      int64_t size = cast<RankedTensorType>(type).getDimSize(axis);
      Tensor piece{in.shape, {}};
      piece.shape[axis] = size;
      for (int64_t o = 0; o < outer; ++o) {
        auto begin = in.data.begin() + (o * total + offset) * inner;
        piece.data.insert(piece.data.end(), begin, begin + size * inner);
      }
      offset += size;
      results.push_back(std::move(piece));
    }
    return results;
  }

  //===--------------------------------------------------------------------===//
  // Data access and losses
  //===--------------------------------------------------------------------===//

  FailureOr<Results> eval(TimeSliceOp op) {
    const Tensor &in = tensor(op.getInput());
    int64_t start = index(op.getStart()), steps = op.getType().getDimSize(1);
    if (in.shape.size() != 3 || ShapedType::isDynamic(steps))
      return op.emitOpError("needs an input of rank 3 and a static number "
                            "of result steps");
    int64_t batch = in.shape[0], length = in.shape[1], features = in.shape[2];
    if (start < 0 || start > length - steps)
      return op.emitOpError()
             << "window [" << start << ", " << start + steps << ") exceeds the "
             << length << " steps of the input";
    Tensor result = zeros({batch, steps, features});
    for (int64_t b = 0; b < batch; ++b)
      std::copy_n(&in.data[(b * length + start) * features], steps * features,
                  &result.data[b * steps * features]);
    return one(std::move(result));
  }

  FailureOr<Results> eval(OneHotOp op) {
    const Tensor &labels = tensor(op.getLabels());
    int64_t classes = op.getType().getDimSize(1);
    Tensor result = zeros({labels.shape[0], classes});
    for (auto [b, value] : llvm::enumerate(labels.data)) {
      auto label = static_cast<int64_t>(value);
      if (label < 0 || label >= classes)
        return op.emitOpError() << "label " << label << " of batch entry " << b
                                << " is out of range [0, " << classes << ")";
      result.data[b * classes + label] = 1.0;
    }
    return one(std::move(result));
  }

  /// The indices of a row-indexing op, each checked against `rows`.
  FailureOr<std::vector<int64_t>> rowIndices(Operation *op, Value indices,
                                             int64_t rows) {
    std::vector<int64_t> result;
    for (auto [i, value] : llvm::enumerate(tensor(indices).data)) {
      auto row = static_cast<int64_t>(value);
      if (row < 0 || row >= rows)
        return op->emitOpError() << "index " << row << " at position " << i
                                 << " is out of range [0, " << rows << ")";
      result.push_back(row);
    }
    return result;
  }

  FailureOr<Results> eval(GatherRowsOp op) {
    const Tensor &table = tensor(op.getTable());
    int64_t rows = table.shape[0], features = table.shape[1];
    FailureOr<std::vector<int64_t>> rowOf =
        rowIndices(op, op.getIndices(), rows);
    if (failed(rowOf))
      return failure();
    Tensor result = zeros({int64_t(rowOf->size()), features});
    for (auto [i, row] : llvm::enumerate(*rowOf))
      std::copy_n(&table.data[row * features], features,
                  &result.data[i * features]);
    return one(std::move(result));
  }

  // Integer tensors hold their values as elements.
  FailureOr<Results> eval(ArgmaxRowsOp op) {
    const Tensor &scores = tensor(op.getScores());
    int64_t rows = scores.shape[0], columns = scores.shape[1];
    Tensor result = zeros({rows});
    for (int64_t r = 0; r < rows; ++r) {
      auto row = scores.data.begin() + r * columns;
      int64_t best = 0;
      for (int64_t j = 1; j < columns && !std::isnan(row[best]); ++j)
        if (row[j] > row[best] || std::isnan(row[j]))
          best = j;
      result.data[r] = best;
    }
    return one(std::move(result));
  }

  FailureOr<Results> eval(ScatterAddRowsOp op) {
    const Tensor &updates = tensor(op.getUpdates());
    int64_t rows = op.getType().getDimSize(0), features = updates.shape[1];
    FailureOr<std::vector<int64_t>> rowOf =
        rowIndices(op, op.getIndices(), rows);
    if (failed(rowOf))
      return failure();
    Tensor result = zeros({rows, features});
    for (auto [i, row] : llvm::enumerate(*rowOf))
      for (int64_t f = 0; f < features; ++f)
        result.data[row * features + f] += updates.data[i * features + f];
    return one(std::move(result));
  }

  /// y = gamma (x - mean) / sqrt(variance + epsilon) + beta, per feature.
  static Tensor normalize(const Tensor &x, const Tensor &gamma,
                          const Tensor &beta, const Tensor &mean,
                          const Tensor &variance, double epsilon) {
    int64_t features = x.shape[1];
    Tensor y = zeros(x.shape);
    for (int64_t i = 0; i < x.numElements(); ++i) {
      int64_t f = i % features;
      y.data[i] = gamma.data[f] * (x.data[i] - mean.data[f]) /
                      std::sqrt(variance.data[f] + epsilon) +
                  beta.data[f];
    }
    return y;
  }

  /// The batch's mean and biased variance of each feature of x [B, F].
  static std::pair<Tensor, Tensor> batchStatistics(const Tensor &x) {
    int64_t batch = x.shape[0], features = x.shape[1];
    Tensor mean = zeros({features}), variance = zeros({features});
    for (int64_t i = 0; i < x.numElements(); ++i)
      mean.data[i % features] += x.data[i] / batch;
    for (int64_t i = 0; i < x.numElements(); ++i) {
      double d = x.data[i] - mean.data[i % features];
      variance.data[i % features] += d * d / batch;
    }
    return {std::move(mean), std::move(variance)};
  }

  FailureOr<Results> eval(BatchNormTrainOp op) {
    const Tensor &x = tensor(op.getInput());
    auto [mean, variance] = batchStatistics(x);
    Tensor y = normalize(x, tensor(op.getGamma()), tensor(op.getBeta()), mean,
                         variance, op.getEpsilon().convertToDouble());
    return Results{std::move(y), std::move(mean), std::move(variance)};
  }

  FailureOr<Results> eval(BatchNormGradOp op) {
    const Tensor &x = tensor(op.getInput()), &gamma = tensor(op.getGamma()),
                 &mean = tensor(op.getMean()),
                 &variance = tensor(op.getVariance()),
                 &dy = tensor(op.getDResult());
    double epsilon = op.getEpsilon().convertToDouble();
    int64_t batch = x.shape[0], features = x.shape[1];
    Tensor dx = zeros(x.shape), dGamma = zeros({features}),
           dBeta = zeros({features});
    auto xhat = [&](int64_t i) {
      int64_t f = i % features;
      return (x.data[i] - mean.data[f]) / std::sqrt(variance.data[f] + epsilon);
    };
    for (int64_t i = 0; i < x.numElements(); ++i) {
      dBeta.data[i % features] += dy.data[i];
      dGamma.data[i % features] += dy.data[i] * xhat(i);
    }
    for (int64_t i = 0; i < x.numElements(); ++i) {
      int64_t f = i % features;
      dx.data[i] = gamma.data[f] / std::sqrt(variance.data[f] + epsilon) /
                   batch *
                   (batch * dy.data[i] - dBeta.data[f] - xhat(i) * dGamma.data[f]);
    }
    return Results{std::move(dx), std::move(dGamma), std::move(dBeta)};
  }

  FailureOr<Results> eval(BatchNormInferenceOp op) {
    return one(normalize(tensor(op.getInput()), tensor(op.getGamma()),
                         tensor(op.getBeta()), tensor(op.getMean()),
                         tensor(op.getVariance()),
                         op.getEpsilon().convertToDouble()));
  }

  /// Which of the `steps` steps from global step `start` (a null Value: 0)
  /// are supervised: those t with t % interval == 0.
  FailureOr<std::vector<bool>> supervised(Operation *op, Value start,
                                          int64_t steps, int64_t interval) {
    if (interval < 1 || steps < 0)
      return op->emitOpError() << "needs a positive interval and a "
                                  "non-negative number of steps, got "
                               << interval << " and " << steps;
    int64_t first = start ? index(start) : 0;
    std::vector<bool> mask(steps);
    for (int64_t j = 0; j < steps; ++j)
      mask[j] = (first + j) % interval == 0;
    return mask;
  }

  FailureOr<Results> eval(SupervisedStepsOp op) {
    FailureOr<std::vector<bool>> mask =
        supervised(op, op.getStart(), op.getSteps(), op.getInterval());
    if (failed(mask))
      return failure();
    return one(scalarTensor(llvm::count(*mask, true)));
  }

  template <typename Op> FailureOr<MSEWindow> mseWindow(Op op) {
    const Tensor &p = tensor(op.getPrediction()), &t = tensor(op.getTarget());
    if (p.shape.size() != 3)
      return op.emitOpError() << "prediction must be [batch, steps, "
                                 "features], got "
                              << formatShape(p.shape);
    if (failed(expectShape(op, t, p.shape, "target")))
      return failure();
    MSEWindow w{p.shape[0], p.shape[1], p.shape[2], {}, 0};
    FailureOr<std::vector<bool>> mask =
        supervised(op, op.getStart(), w.steps, op.getInterval());
    if (failed(mask))
      return failure();
    w.supervised = std::move(*mask);
    w.count = w.batch * llvm::count(w.supervised, true) * w.features;
    return w;
  }

  FailureOr<Results> eval(MSELossOp op) {
    FailureOr<MSEWindow> w = mseWindow(op);
    if (failed(w))
      return failure();
    const Tensor &p = tensor(op.getPrediction()), &t = tensor(op.getTarget());
    double sum = 0;
    for (int64_t i = 0; i < p.numElements(); ++i)
      if (w->supervised[i / w->features % w->steps])
        sum += (p.data[i] - t.data[i]) * (p.data[i] - t.data[i]);
    return one(scalarTensor(w->count ? sum / w->count : 0.0));
  }

  FailureOr<Results> eval(MSELossGradOp op) {
    FailureOr<MSEWindow> w = mseWindow(op);
    const Tensor &cot = tensor(op.getCotangent());
    if (failed(w) || failed(expectShape(op, cot, {}, "cotangent")))
      return failure();
    const Tensor &p = tensor(op.getPrediction()), &t = tensor(op.getTarget());
    Tensor grad = zeros(p.shape);
    for (int64_t i = 0; i < p.numElements(); ++i)
      if (w->supervised[i / w->features % w->steps])
        grad.data[i] = cot.data[0] * 2 * (p.data[i] - t.data[i]) / w->count;
    return one(std::move(grad));
  }

  /// The labels of an xent op as class indices into its [batch, classes]
  /// logits.
  template <typename Op> FailureOr<std::vector<int64_t>> classIndices(Op op) {
    const Tensor &logits = tensor(op.getLogits()),
                 &labels = tensor(op.getLabels());
    if (logits.shape.size() != 2)
      return op.emitOpError() << "logits must be [batch, classes], got "
                              << formatShape(logits.shape);
    if (failed(expectShape(op, labels, {logits.shape[0]}, "labels")))
      return failure();
    int64_t classes = logits.shape[1];
    std::vector<int64_t> result;
    // Integer tensors hold integers: arguments are checked on entry.
    for (auto [b, value] : llvm::enumerate(labels.data)) {
      auto label = static_cast<int64_t>(value);
      if (label < 0 || label >= classes)
        return op.emitOpError() << "label " << label << " of batch entry " << b
                                << " is out of range [0, " << classes << ")";
      result.push_back(label);
    }
    return result;
  }

  FailureOr<Results> eval(CrossEntropyLossOp op) {
    FailureOr<std::vector<int64_t>> classOf = classIndices(op);
    if (failed(classOf))
      return failure();
    const Tensor &logits = tensor(op.getLogits());
    int64_t batch = logits.shape[0], classes = logits.shape[1];
    double sum = 0;
    for (int64_t b = 0; b < batch; ++b) {
      const double *z = &logits.data[b * classes];
      sum += logSumExp(z, classes) - z[(*classOf)[b]];
    }
    return one(scalarTensor(sum / batch));
  }

  FailureOr<Results> eval(CrossEntropyLossGradOp op) {
    FailureOr<std::vector<int64_t>> classOf = classIndices(op);
    const Tensor &cot = tensor(op.getCotangent());
    if (failed(classOf) || failed(expectShape(op, cot, {}, "cotangent")))
      return failure();
    const Tensor &logits = tensor(op.getLogits());
    int64_t batch = logits.shape[0], classes = logits.shape[1];
    Tensor grad = zeros(logits.shape);
    for (int64_t b = 0; b < batch; ++b) {
      const double *z = &logits.data[b * classes];
      double lse = logSumExp(z, classes);
      for (int64_t c = 0; c < classes; ++c)
        grad.data[b * classes + c] =
            cot.data[0] *
            (std::exp(z[c] - lse) - (c == (*classOf)[b] ? 1.0 : 0.0)) / batch;
    }
    return one(std::move(grad));
  }

  //===--------------------------------------------------------------------===//
  // Recurrent windows
  //===--------------------------------------------------------------------===//

  /// Checks the shapes of a recurrent window's operands, `gates` weight
  /// blocks per hidden unit.
  FailureOr<Layer> layer(Operation *op, int64_t gates, Value input, Value h0,
                         Value wih, Value whh, Value bih, Value bhh) {
    const Tensor &x = tensor(input), &h = tensor(h0);
    if (x.shape.size() != 3)
      return op->emitOpError() << "input must be [batch, steps, features], "
                                  "got "
                               << formatShape(x.shape);
    if (h.shape.size() != 2 || h.shape[0] != x.shape[0])
      return op->emitOpError()
             << "initial state must be [batch = " << x.shape[0]
             << ", hidden], got " << formatShape(h.shape);
    Layer l{x,           tensor(wih),       tensor(whh), tensor(bih),
            tensor(bhh), x.shape[0],        x.shape[1],  x.shape[2],
            h.shape[1],  gates * h.shape[1]};
    if (failed(expectShape(op, l.wih, {l.rows, l.in}, "w_ih")) ||
        failed(expectShape(op, l.whh, {l.rows, l.hidden}, "w_hh")) ||
        failed(expectShape(op, l.bih, {l.rows}, "b_ih")) ||
        failed(expectShape(op, l.bhh, {l.rows}, "b_hh")))
      return failure();
    return l;
  }

  FailureOr<Results> eval(LSTMSeqOp op) {
    FailureOr<Layer> l = layer(op, 4, op.getInput(), op.getH0(), op.getWIh(),
                               op.getWHh(), op.getBIh(), op.getBHh());
    if (failed(l) || failed(expectShape(op, tensor(op.getC0()),
                                        {l->batch, l->hidden}, "c0")))
      return failure();
    LSTMTrace trace = lstmForward(*l, tensor(op.getH0()), tensor(op.getC0()));
    Results results;
    results.push_back(l->sequence(trace.h));
    results.push_back(l->last(trace.h));
    results.push_back(l->last(trace.c));
    return results;
  }

  FailureOr<Results> eval(LSTMSeqGradOp op) {
    FailureOr<Layer> l = layer(op, 4, op.getInput(), op.getH0(), op.getWIh(),
                               op.getWHh(), op.getBIh(), op.getBHh());
    if (failed(l))
      return failure();
    int64_t batch = l->batch, hidden = l->hidden, rows = l->rows;
    const Tensor &dHseq = tensor(op.getDHseq());
    if (failed(expectShape(op, tensor(op.getC0()), {batch, hidden}, "c0")) ||
        failed(expectShape(op, dHseq, {batch, l->steps, hidden}, "d_hseq")) ||
        failed(expectShape(op, tensor(op.getDHLast()), {batch, hidden},
                           "d_h_last")) ||
        failed(expectShape(op, tensor(op.getDCLast()), {batch, hidden},
                           "d_c_last")))
      return failure();
    LSTMTrace trace = lstmForward(*l, tensor(op.getH0()), tensor(op.getC0()));
    LayerGrads grads = l->zeroGrads();
    std::vector<double> dh = tensor(op.getDHLast()).data,
                        dc = tensor(op.getDCLast()).data, dz(batch * rows);
    int64_t state = batch * hidden;
    for (int64_t t = l->steps - 1; t >= 0; --t) {
      l->addStepCotangent(dHseq, t, dh);
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t j = 0; j < hidden; ++j) {
          const double *gate = &trace.gates[(t * batch + b) * rows];
          double i = gate[j], f = gate[hidden + j], g = gate[2 * hidden + j],
                 o = gate[3 * hidden + j];
          int64_t s = b * hidden + j;
          double tc = std::tanh(trace.c[(t + 1) * state + s]);
          double dcs = dc[s] + dh[s] * o * (1 - tc * tc);
          double *dzb = &dz[b * rows];
          dzb[j] = dcs * g * i * (1 - i);
          dzb[hidden + j] = dcs * trace.c[t * state + s] * f * (1 - f);
          dzb[2 * hidden + j] = dcs * i * (1 - g * g);
          dzb[3 * hidden + j] = dh[s] * tc * o * (1 - o);
          dc[s] = dcs * f;
        }
      l->backward(t, dz.data(), &trace.h[t * state], grads, dh.data());
    }
    Results results;
    results.push_back(std::move(grads.dx));
    results.push_back(Tensor{{batch, hidden}, std::move(dh)});
    results.push_back(Tensor{{batch, hidden}, std::move(dc)});
    results.push_back(std::move(grads.dwih));
    results.push_back(std::move(grads.dwhh));
    results.push_back(std::move(grads.dbih));
    results.push_back(std::move(grads.dbhh));
    return results;
  }

  FailureOr<Results> eval(RNNTanhSeqOp op) {
    FailureOr<Layer> l = layer(op, 1, op.getInput(), op.getH0(), op.getWIh(),
                               op.getWHh(), op.getBIh(), op.getBHh());
    if (failed(l))
      return failure();
    std::vector<double> h = rnnTanhForward(*l, tensor(op.getH0()));
    Results results;
    results.push_back(l->sequence(h));
    results.push_back(l->last(h));
    return results;
  }

  FailureOr<Results> eval(RNNTanhSeqGradOp op) {
    FailureOr<Layer> l = layer(op, 1, op.getInput(), op.getH0(), op.getWIh(),
                               op.getWHh(), op.getBIh(), op.getBHh());
    if (failed(l))
      return failure();
    int64_t batch = l->batch, hidden = l->hidden, state = batch * hidden;
    const Tensor &dHseq = tensor(op.getDHseq());
    if (failed(expectShape(op, dHseq, {batch, l->steps, hidden}, "d_hseq")) ||
        failed(expectShape(op, tensor(op.getDHLast()), {batch, hidden},
                           "d_h_last")))
      return failure();
    std::vector<double> h = rnnTanhForward(*l, tensor(op.getH0()));
    LayerGrads grads = l->zeroGrads();
    std::vector<double> dh = tensor(op.getDHLast()).data, dz(state);
    for (int64_t t = l->steps - 1; t >= 0; --t) {
      l->addStepCotangent(dHseq, t, dh);
      for (int64_t s = 0; s < state; ++s) {
        double ht = h[(t + 1) * state + s];
        dz[s] = dh[s] * (1 - ht * ht);
      }
      l->backward(t, dz.data(), &h[t * state], grads, dh.data());
    }
    Results results;
    results.push_back(std::move(grads.dx));
    results.push_back(Tensor{{batch, hidden}, std::move(dh)});
    results.push_back(std::move(grads.dwih));
    results.push_back(std::move(grads.dwhh));
    results.push_back(std::move(grads.dbih));
    results.push_back(std::move(grads.dbhh));
    return results;
  }

  ModuleOp module;
  DenseMap<Value, RValue> env; ///< The current function call's frame.
};

/// Converts argument #i of `func`, given as a tensor, to the runtime value
/// its type asks for.
FailureOr<RValue> toArgument(func::FuncOp func, unsigned i, const Tensor &t) {
  Type type = func.getArgumentTypes()[i];
  auto fail = [&]() {
    return func.emitError() << "argument #" << i << " of @" << func.getSymName()
                            << ", of type " << type << ", ";
  };
  if (static_cast<int64_t>(t.data.size()) != t.numElements())
    return fail() << "holds " << t.data.size() << " values for shape "
                  << formatShape(t.shape);
  if (auto tensorType = dyn_cast<RankedTensorType>(type)) {
    if (!fits(t.shape, tensorType))
      return fail() << "was given shape " << formatShape(t.shape);
    if (tensorType.getElementType().isIntOrIndex() &&
        !llvm::all_of(t.data, isInteger))
      return fail() << "was given non-integer values";
    return RValue(t);
  }
  if (!t.shape.empty())
    return fail() << "is a scalar but was given shape " << formatShape(t.shape);
  if (isa<FloatType>(type))
    return RValue(t.data[0]);
  if (!type.isIntOrIndex())
    return fail() << "is not supported by the reference evaluator";
  if (!isInteger(t.data[0]))
    return fail() << "was given the non-integer " << t.data[0];
  return RValue(static_cast<int64_t>(t.data[0]));
}

Tensor toTensor(RValue value) {
  if (auto *i = std::get_if<int64_t>(&value))
    return scalarTensor(*i);
  if (auto *d = std::get_if<double>(&value))
    return scalarTensor(*d);
  return std::move(*std::get_if<Tensor>(&value));
}

} // namespace

Evaluator::Evaluator(ModuleOp module) : module(module) {}

FailureOr<std::vector<Tensor>> Evaluator::call(StringRef name,
                                               ArrayRef<Tensor> arguments) {
  auto func = module.lookupSymbol<func::FuncOp>(name);
  if (!func)
    return module.emitError() << "no func.func named @" << name;
  // Every tensor is allocated in doubles: bounded (and its element count
  // computed without overflow) before anything is.
  if (failed(checkProgramSizes(module, "ccrnn-run", kMaxEvaluatedElements,
                               "the reference evaluator")))
    return failure();
  if (arguments.size() != func.getNumArguments())
    return func.emitError()
           << "@" << name << " takes " << func.getNumArguments()
           << " arguments, got " << arguments.size();
  Results args;
  for (auto [i, t] : llvm::enumerate(arguments)) {
    FailureOr<RValue> arg = toArgument(func, i, t);
    if (failed(arg))
      return failure();
    args.push_back(std::move(*arg));
  }
  FailureOr<Results> results = Interpreter(module).call(func, std::move(args));
  if (failed(results))
    return failure();
  std::vector<Tensor> tensors;
  for (RValue &value : *results)
    tensors.push_back(toTensor(std::move(value)));
  return tensors;
}

} // namespace ccrnn::reference
