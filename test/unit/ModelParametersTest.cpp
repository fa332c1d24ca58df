//===- ModelParametersTest.cpp - state_dict layout of models ----*- C++ -*-===//
//
// Expected names and shapes are those of the reference PyTorch models
// (SPEC §7), written out by hand.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/ModelParameters.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir;
using namespace ccrnn;

namespace {

struct Expected {
  std::string name;
  std::vector<int64_t> shape;
  bool zeros;
};

class ModelParametersTest : public ::testing::Test {
protected:
  ModelParametersTest() { context.loadDialect<CCRNNDialect>(); }

  std::vector<ParameterInfo> parametersOf(const char *source) {
    module = parseSourceString<ModuleOp>(source, ParserConfig(&context));
    EXPECT_TRUE(module) << "failed to parse:\n" << source;
    if (!module)
      return {};
    ModelOp model;
    module->walk([&](ModelOp op) { model = op; });
    return getModelParameters(model);
  }

  static void expectLayout(const std::vector<ParameterInfo> &params,
                           const std::vector<Expected> &expected) {
    ASSERT_EQ(params.size(), expected.size());
    for (size_t i = 0; i < params.size(); ++i) {
      EXPECT_EQ(params[i].name, expected[i].name) << "parameter " << i;
      EXPECT_EQ(params[i].shape, expected[i].shape) << expected[i].name;
      EXPECT_EQ(params[i].init.kind == ParameterInit::Kind::Zeros,
                expected[i].zeros)
          << expected[i].name;
    }
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(ModelParametersTest, LinedrawDNILSTM) {
  auto params = parametersOf(R"mlir(
    ccrnn.model @dni_lstm(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
      %h = ccrnn.lstm %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<lstm, 50>
      %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<lstm, 50> -> !ccrnn.seq<2>
      ccrnn.cerebellum %h layers = 2, width = 400, scale = 0.1 : !ccrnn.rnn<lstm, 50>
      ccrnn.return %y loss = mse : !ccrnn.seq<2>
    })mlir");
  const std::string s = "rnn.backward_interface.synthesizer.";
  expectLayout(params, {{"rnn.rnn.weight_ih_l0", {200, 1}, false},
                        {"rnn.rnn.weight_hh_l0", {200, 50}, false},
                        {"rnn.rnn.bias_ih_l0", {200}, false},
                        {"rnn.rnn.bias_hh_l0", {200}, false},
                        {s + "input_trigger.weight", {400, 100}, false},
                        {s + "input_trigger.bias", {400}, false},
                        {s + "layers.0.weight", {400, 400}, false},
                        {s + "layers.0.bias", {400}, false},
                        {s + "layers.1.weight", {100, 400}, true},
                        {s + "layers.1.bias", {100}, true},
                        {"linear.weight", {2, 50}, false},
                        {"linear.bias", {2}, false}});
  // U(-1/sqrt(H), 1/sqrt(H)) for the LSTM, 1/sqrt(fan_in) for Linear layers.
  EXPECT_DOUBLE_EQ(params[0].init.bound, 1.0 / std::sqrt(50.0));
  EXPECT_DOUBLE_EQ(params[4].init.bound, 0.1);  // fan_in 100
  EXPECT_DOUBLE_EQ(params[6].init.bound, 0.05); // fan_in 400
  EXPECT_DOUBLE_EQ(params[10].init.bound, 1.0 / std::sqrt(50.0));
}

TEST_F(ModelParametersTest, StackedTanhCRNN) {
  auto params = parametersOf(R"mlir(
    ccrnn.model @tanh(%x: !ccrnn.seq<28>) -> !ccrnn.seq<10> {
      %h = ccrnn.rnn_tanh %x hidden = 30, layers = 2 : !ccrnn.seq<28> -> !ccrnn.rnn<tanh, 30, layers = 2>
      %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<tanh, 30, layers = 2> -> !ccrnn.seq<10>
      ccrnn.return %y loss = xent : !ccrnn.seq<10>
    })mlir");
  expectLayout(params, {{"rnn.weight_ih_l0", {30, 28}, false},
                        {"rnn.weight_hh_l0", {30, 30}, false},
                        {"rnn.bias_ih_l0", {30}, false},
                        {"rnn.bias_hh_l0", {30}, false},
                        {"rnn.weight_ih_l1", {30, 30}, false},
                        {"rnn.weight_hh_l1", {30, 30}, false},
                        {"rnn.bias_ih_l1", {30}, false},
                        {"rnn.bias_hh_l1", {30}, false},
                        {"linear.weight", {10, 30}, false},
                        {"linear.bias", {10}, false}});
}

TEST_F(ModelParametersTest, LinearSynthesizerWithContext) {
  // layers = 0: S is one Linear(|s| -> |s|) with a zero weight (its bias
  // keeps the default initialisation); the context map's weight is zero too.
  auto params = parametersOf(R"mlir(
    ccrnn.model @cdni(%x: !ccrnn.seq<28>) -> !ccrnn.seq<10> {
      %h = ccrnn.lstm %x hidden = 30 : !ccrnn.seq<28> -> !ccrnn.rnn<lstm, 30>
      %y = ccrnn.linear %h features = 10 : !ccrnn.rnn<lstm, 30> -> !ccrnn.seq<10>
      ccrnn.cerebellum %h layers = 0, scale = 0.1, target_context : !ccrnn.rnn<lstm, 30>
      ccrnn.return %y loss = xent : !ccrnn.seq<10>
    })mlir");
  const std::string s = "rnn.backward_interface.synthesizer.";
  expectLayout(params, {{"rnn.rnn.weight_ih_l0", {120, 28}, false},
                        {"rnn.rnn.weight_hh_l0", {120, 30}, false},
                        {"rnn.rnn.bias_ih_l0", {120}, false},
                        {"rnn.rnn.bias_hh_l0", {120}, false},
                        {s + "input_trigger.weight", {60, 60}, true},
                        {s + "input_trigger.bias", {60}, false},
                        {s + "input_context.weight", {60, 10}, true},
                        {s + "input_context.bias", {60}, false},
                        {"linear.weight", {10, 30}, false},
                        {"linear.bias", {10}, false}});
}

TEST_F(ModelParametersTest, ElementCounts) {
  ParameterInfo info{
      "w", {4, 5, 6}, ParameterInit::zeros(), ParameterGroup::Readout};
  EXPECT_EQ(info.getNumElements(), 120);
}

} // namespace
