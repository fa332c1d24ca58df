//===- DialectTest.cpp - building ccrnn ops programmatically ----*- C++ -*-===//

#include "ccrnn/CCRNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace ccrnn;

namespace {

class DialectTest : public ::testing::Test {
protected:
  DialectTest() : builder(&context) {
    context.loadDialect<CCRNNDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// Builds `x -> cell(hidden, layers) -> linear(out)`, with a cerebellum of
  /// `synthLayers` hidden layers when `synthLayers >= 0`.
  ModelOp buildModel(CellKind cell, int64_t in, int64_t hidden, int64_t out,
                     int64_t synthLayers, int64_t layers = 1) {
    Location loc = builder.getUnknownLoc();
    auto model = ModelOp::create(builder, loc, "m", SeqType::get(&context, in),
                                 SeqType::get(&context, out));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(&model.getBody().front());
    Value x = model.getBody().front().getArgument(0);
    Value h;
    if (cell == CellKind::lstm)
      h = LSTMOp::create(builder, loc, x, hidden, layers);
    else
      h = RNNTanhOp::create(builder, loc, x, hidden, layers);
    Value y = LinearOp::create(builder, loc, h, out);
    if (synthLayers >= 0)
      CerebellumOp::create(builder, loc, h, synthLayers);
    ReturnOp::create(builder, loc, y, /*loss=*/LossKindAttr());
    return model;
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(DialectTest, BuiltModelVerifiesAndExposesItsStructure) {
  ModelOp model = buildModel(CellKind::lstm, 1, 50, 2, /*synthLayers=*/2);
  ASSERT_TRUE(succeeded(verify(*module)));
  EXPECT_EQ(model.getInputType().getFeatures(), 1);
  EXPECT_EQ(model.getOutputType().getFeatures(), 2);
  RecurrentLayerOpInterface layer = model.getRecurrentLayer();
  ASSERT_TRUE(layer);
  EXPECT_EQ(layer.getCellKind(), CellKind::lstm);
  EXPECT_EQ(layer.getHiddenSize(), 50);
  EXPECT_EQ(layer.getInputSize(), 1);
  ASSERT_TRUE(model.getReadout());
  EXPECT_EQ(model.getReadout().getInputSize(), 50);
  ASSERT_TRUE(model.getCerebellum());
  EXPECT_EQ(model.getCerebellum().getHiddenWidth(), 100)
      << "the width defaults to twice the hidden size";
  EXPECT_DOUBLE_EQ(model.getCerebellum().getScale().convertToDouble(), 0.1);
}

TEST_F(DialectTest, BuildersInferRecurrentResultTypes) {
  buildModel(CellKind::tanh, 28, 30, 10, /*synthLayers=*/-1, /*layers=*/3);
  RecurrentType type;
  module->walk([&](RNNTanhOp op) { type = op.getType(); });
  ASSERT_TRUE(type);
  EXPECT_EQ(type.getCell(), CellKind::tanh);
  EXPECT_EQ(type.getHidden(), 30);
  EXPECT_EQ(type.getLayers(), 3);
  EXPECT_EQ(type.getLayerStateSize(), 30);
  EXPECT_EQ(
      RecurrentType::get(&context, CellKind::lstm, 30, 1).getLayerStateSize(),
      60);
}

TEST_F(DialectTest, CRNNHasNoCerebellum) {
  ModelOp model = buildModel(CellKind::lstm, 28, 30, 10, /*synthLayers=*/-1);
  ASSERT_TRUE(succeeded(verify(*module)));
  EXPECT_FALSE(model.getCerebellum());
}

TEST_F(DialectTest, VerifierRejectsCerebellumOnStatelessValue) {
  ModelOp model = buildModel(CellKind::lstm, 1, 50, 2, /*synthLayers=*/-1);
  builder.setInsertionPoint(model.getReturn());
  CerebellumOp::create(builder, builder.getUnknownLoc(),
                       model.getReturn().getOutput(), /*layers=*/1);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_NE(message.find("has no recurrent state"), std::string::npos)
      << message;
}

TEST_F(DialectTest, PrintedModelParsesBackIdentically) {
  buildModel(CellKind::lstm, 1, 50, 2, /*synthLayers=*/2, /*layers=*/2);
  std::string printed;
  llvm::raw_string_ostream os(printed);
  module->print(os);
  OwningOpRef<ModuleOp> reparsed =
      parseSourceString<ModuleOp>(printed, ParserConfig(&context));
  ASSERT_TRUE(reparsed);
  std::string reprinted;
  llvm::raw_string_ostream os2(reprinted);
  reparsed->print(os2);
  EXPECT_EQ(printed, reprinted);
  EXPECT_NE(printed.find("!ccrnn.rnn<lstm, 50, layers = 2>"), std::string::npos)
      << printed;
}

TEST_F(DialectTest, EnumHelpers) {
  EXPECT_EQ(symbolizeCellKind("lstm"), CellKind::lstm);
  EXPECT_EQ(symbolizeCellKind("tanh"), CellKind::tanh);
  EXPECT_FALSE(symbolizeCellKind("gru").has_value());
  EXPECT_EQ(symbolizeLossKind("xent"), LossKind::xent);
  EXPECT_FALSE(symbolizeLossKind("hinge").has_value());
  EXPECT_EQ(getNumGates(CellKind::lstm), 4);
  EXPECT_EQ(getNumGates(CellKind::tanh), 1);
  EXPECT_EQ(getFeatureSize(SeqType::get(&context, 7)), 7);
  EXPECT_EQ(getFeatureSize(Float32Type::get(&context)), 0);
}

} // namespace
