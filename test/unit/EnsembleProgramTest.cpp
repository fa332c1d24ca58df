//===- EnsembleProgramTest.cpp - an ensemble program is K programs -*- C++ -*-//
//
// --ccrnn-ensemble=size=K rewrites a training program into one of K
// networks. The reference evaluator runs that program; each network's
// slice of every result of the training, evaluation and recording
// functions must be, bit for bit, what the single program computes from
// that network's slice of the arguments.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/CCRNNOps.h"
#include "ccrnn/Pipeline/Pipeline.h"
#include "ccrnn/Reference/Evaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir;
using ccrnn::reference::Evaluator;
using ccrnn::reference::Tensor;

namespace {

constexpr int64_t kNetworks = 3;

struct ProgramCase {
  const char *model, *options;
};

void PrintTo(const ProgramCase &c, std::ostream *os) {
  *os << c.model << " (" << c.options << ")";
}

OwningOpRef<ModuleOp> compile(MLIRContext &context, const ProgramCase &c,
                              const std::string &extra) {
  std::string path = std::string(CCRNN_TEST_INPUTS_DIR) + "/" + c.model +
                     ".mlir";
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(path, ParserConfig(&context));
  if (!module)
    return nullptr;
  ccrnn::registerTrainerPipeline();
  PassManager pm(&context);
  std::string pipeline =
      "ccrnn-trainer-pipeline{" + std::string(c.options) + extra + "}";
  if (failed(parsePassPipeline(pipeline, pm)) || failed(pm.run(*module)))
    return nullptr;
  return module;
}

/// One network's random argument of `type`: floats, or class labels 0/1.
Tensor randomArgument(Type type, std::mt19937 &rng) {
  auto tensor = cast<RankedTensorType>(type);
  Tensor t{{tensor.getShape().begin(), tensor.getShape().end()}, {}};
  std::uniform_real_distribution<double> dist(-0.5, 0.5);
  for (int64_t i = 0; i < t.numElements(); ++i)
    t.data.push_back(tensor.getElementType().isInteger(64)
                         ? double(rng() % 2)
                         : float(dist(rng)));
  return t;
}

/// The networks' tensors, network after network: [K, ...].
Tensor stack(const std::vector<Tensor> &networks) {
  Tensor all{{int64_t(networks.size())}, {}};
  all.shape.insert(all.shape.end(), networks[0].shape.begin(),
                   networks[0].shape.end());
  for (const Tensor &t : networks)
    all.data.insert(all.data.end(), t.data.begin(), t.data.end());
  return all;
}

class EnsembleProgramTest : public ::testing::TestWithParam<ProgramCase> {};

TEST_P(EnsembleProgramTest, IsKSinglePrograms) {
  MLIRContext context;
  context.loadDialect<ccrnn::CCRNNDialect, arith::ArithDialect,
                      func::FuncDialect, scf::SCFDialect>();
  OwningOpRef<ModuleOp> single = compile(context, GetParam(), "");
  OwningOpRef<ModuleOp> ensemble = compile(
      context, GetParam(), " ensemble=" + std::to_string(kNetworks));
  ASSERT_TRUE(single && ensemble);
  EXPECT_EQ(ccrnn::getEnsembleSize(*ensemble), kNetworks);
  EXPECT_EQ(ccrnn::getEnsembleSize(*single), 1);

  Evaluator singleEvaluator(*single), ensembleEvaluator(*ensemble);
  std::mt19937 rng(7);
  int entryPoints = 0;
  for (auto f : single->getOps<func::FuncOp>()) {
    if (f.isPrivate())
      continue;
    ++entryPoints;
    SCOPED_TRACE(f.getSymName().str());
    // Each network's own arguments and results.
    std::vector<std::vector<Tensor>> args(kNetworks), expected;
    for (int64_t e = 0; e < kNetworks; ++e) {
      for (Type type : f.getArgumentTypes())
        args[e].push_back(randomArgument(type, rng));
      FailureOr<std::vector<Tensor>> results =
          singleEvaluator.call(f.getSymName(), args[e]);
      ASSERT_TRUE(succeeded(results));
      expected.push_back(std::move(*results));
    }
    std::vector<Tensor> stacked;
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      std::vector<Tensor> networks;
      for (int64_t e = 0; e < kNetworks; ++e)
        networks.push_back(args[e][i]);
      stacked.push_back(stack(networks));
    }
    FailureOr<std::vector<Tensor>> actual =
        ensembleEvaluator.call(f.getSymName(), stacked);
    ASSERT_TRUE(succeeded(actual));
    ASSERT_EQ(actual->size(), expected[0].size());
    for (unsigned r = 0; r < actual->size(); ++r) {
      std::vector<Tensor> networks;
      for (int64_t e = 0; e < kNetworks; ++e)
        networks.push_back(expected[e][r]);
      Tensor want = stack(networks);
      EXPECT_EQ((*actual)[r].shape, want.shape) << "result " << r;
      EXPECT_EQ((*actual)[r].data, want.data) << "result " << r;
    }
  }
  // Training, evaluation and (where built) recording.
  EXPECT_GE(entryPoints, 2);
}

INSTANTIATE_TEST_SUITE_P(
    Programs, EnsembleProgramTest,
    ::testing::Values(
        ProgramCase{"tiny_lstm", "bptt=3 interval=2 batch=4 steps=5"},
        ProgramCase{"tiny_dni_lstm",
                    "bptt=2 interval=1 fibres=3 record batch=4 steps=5"},
        ProgramCase{"tiny_cdni_tanh_xent",
                    "bptt=2 interval=1 record batch=4 steps=5"},
        ProgramCase{"tiny_cdni_lstm2",
                    "bptt=2 interval=1 predict-last fibres=2 batch=4 "
                    "steps=5"}));

} // namespace
