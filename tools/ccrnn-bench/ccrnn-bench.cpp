//===- ccrnn-bench.cpp - Speed of the machine and of the trainers ---------===//
//
// ccrnn-bench sgemm [--size N] [--threads T]
//   GFLOP/s of oneDNN's matmul on N x N x N float32 (the machine's limit the
//   trainers are compared with).
// ccrnn-bench train [ccrnn-train's task, model and size flags] [--threads T]
//                   [--batches N] [--ensemble K]
//   ms per training batch (the trainer's train(), clipping, Adam: what
//   ccrnn-train does per batch, without data preparation) on random data,
//   the trainer's FLOPs per batch (counted by the compiler) and GFLOP/s.
//   With --ensemble K, of a trainer of K networks (ccrnn-ensemble): a batch
//   is one batch of each network, clipped per network.
// ccrnn-bench caption [--model M] [--vocab V] [--features D] [--length L]
//                     [--bptt T] [--batch-size B] [--threads T] [--batches N]
//   ms per training batch of a caption model: every window of a batch of
//   captions of one length with its dropout masks and an Adam step after
//   each window, by ccrnn-train's own loop (CaptionLoop::trainEpoch) on
//   random features and tokens; the FLOPs of the batch's windows (the
//   compiler's counts) and GFLOP/s. tools/bench/bench-caption.sh times the
//   PyTorch model (caption_torch.py) in the same run.
// ccrnn-bench batched --m M --k K --n N [--batch B] [--transpose-a]
//   GFLOP/s of B products of one shape run one after the other on one
//   oneDNN matmul against one oneDNN batched matmul of all B (warm caches;
//   what an ensemble of B networks could gain from batching a product).
// All print one line "key value ..." per measurement, for scripts
// (tools/bench/bench-suite.sh). Errors: "ccrnn-bench: error: ..." and 2.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Driver/Captioning/CaptionLoop.h"
#include "ccrnn/Driver/Captioning/CaptionRun.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Parameters.h"
#include "ccrnn/Driver/Optimizer.h"
#include "ccrnn/Driver/Rng.h"
#include "ccrnn/Driver/TrainConfig.h"
#include "ccrnn/Driver/TrainerSession.h"
#include "ccrnn/Driver/Trainers.h"
#include "ccrnn/Runtime/Kernels.h"
#include "ccrnn/Support/SizeLimits.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

#include <unistd.h>

using namespace ccrnn;
using namespace ccrnn::driver;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The median of `repeats` timings of `work`, after one warm-up.
template <typename F> double medianSeconds(int repeats, F &&work) {
  work();
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = Clock::now();
    work();
    t.push_back(seconds(t0));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

char **commandArgv = nullptr;

/// InputError naming `flags` unless `floats` float32 values fit in this
/// machine's memory: a size too large is refused before it is allocated
/// (std::bad_alloc, or the OOM killer when each array fits but not all).
void checkFloats(double floats, const std::string &flags) {
  const double bytes = floats * sizeof(float);
  const double available =
      double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE));
  if (available > 0 && bytes > available) {
    char text[128];
    std::snprintf(text, sizeof text,
                  ": the matrices need %.3g GB of memory, more than this "
                  "machine's %.3g GB",
                  bytes / 1e9, available / 1e9);
    throw InputError(flags + text);
  }
}

int sgemm(int64_t n, int threads) {
  rt::preferSleepingThreads(threads, commandArgv);
  rt::setNumThreads(threads);
  checkFloats(3.0 * double(n) * double(n), "--size " + std::to_string(n));
  std::vector<float> a(n * n), b(n * n), c(n * n);
  Rng rng(0, "bench.sgemm");
  for (float &x : a)
    x = float(rng.uniform(-1, 1));
  for (float &x : b)
    x = float(rng.uniform(-1, 1));
  rt::Matmul matmul(n, n, n, false, false);
  double s = medianSeconds(5, [&] { matmul.run(a.data(), b.data(), nullptr,
                                               c.data()); });
  std::printf("sgemm size %lld threads %d seconds %.6f gflops %.2f\n",
              (long long)n, threads, s, 2.0 * n * n * n / s * 1e-9);
  return 0;
}

/// A float32 [batch, rows, cols] oneDNN memory descriptor (rows x cols
/// stored transposed when `transposed`); batch 0: a 2-D matrix.
dnnl::memory::desc matrixDesc(int64_t batch, int64_t rows, int64_t cols,
                              bool transposed) {
  dnnl::memory::dims strides = transposed ? dnnl::memory::dims{1, rows}
                                          : dnnl::memory::dims{cols, 1};
  if (batch == 0)
    return dnnl::memory::desc({rows, cols}, dnnl::memory::data_type::f32,
                              strides);
  return dnnl::memory::desc({batch, rows, cols}, dnnl::memory::data_type::f32,
                            {rows * cols, strides[0], strides[1]});
}

int batched(int64_t m, int64_t k, int64_t n, int64_t batch,
            bool transposeA) {
  rt::setNumThreads(1);
  checkFloats(double(batch) * (double(m) * double(k) + double(k) * double(n) +
                               double(m) * double(n)),
              "--m " + std::to_string(m) + " --k " + std::to_string(k) +
                  " --n " + std::to_string(n) + " --batch " +
                  std::to_string(batch));
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  Rng rng(0, "bench.batched");
  std::vector<float> a(batch * m * k), b(batch * k * n), c(batch * m * n);
  for (float &x : a)
    x = float(rng.uniform(-1, 1));
  for (float &x : b)
    x = float(rng.uniform(-1, 1));
  // One product (count 0) or all `batch` of them; the product at `offset`.
  auto primitive = [&](int64_t count) {
    return dnnl::matmul(dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(matrixDesc(count, m, k, transposeA),
                           matrixDesc(count, k, n, false),
                           matrixDesc(count, m, n, false)),
        engine));
  };
  auto arguments = [&](int64_t count, int64_t offset) {
    auto memory = [&](dnnl::memory::desc d, float *data) {
      return dnnl::memory(d, engine, data);
    };
    return std::unordered_map<int, dnnl::memory>{
        {DNNL_ARG_SRC, memory(matrixDesc(count, m, k, transposeA),
                              a.data() + offset * m * k)},
        {DNNL_ARG_WEIGHTS,
         memory(matrixDesc(count, k, n, false), b.data() + offset * k * n)},
        {DNNL_ARG_DST,
         memory(matrixDesc(count, m, n, false), c.data() + offset * m * n)}};
  };
  const dnnl::matmul one = primitive(0), all = primitive(batch);
  std::vector<std::unordered_map<int, dnnl::memory>> each;
  for (int64_t e = 0; e < batch; ++e)
    each.push_back(arguments(0, e));
  const std::unordered_map<int, dnnl::memory> together = arguments(batch, 0);

  const double flops = 2.0 * double(batch) * double(m) * double(n) * double(k);
  const int repeats = 20;
  double oneByOne = medianSeconds(5, [&] {
    for (int r = 0; r < repeats; ++r)
      for (int64_t e = 0; e < batch; ++e)
        one.execute(stream, each[e]);
    stream.wait();
  });
  double batchedSeconds = medianSeconds(5, [&] {
    for (int r = 0; r < repeats; ++r)
      all.execute(stream, together);
    stream.wait();
  });
  std::printf("batched m %lld k %lld n %lld batch %lld transpose_a %d "
              "one_by_one_gflops %.2f batched_gflops %.2f\n",
              (long long)m, (long long)k, (long long)n, (long long)batch,
              int(transposeA), flops * repeats / oneByOne * 1e-9,
              flops * repeats / batchedSeconds * 1e-9);
  return 0;
}

int train(const TrainConfig &cfg, const std::string &modelSpec,
          const std::string &cacheDir, int64_t batches, int64_t ensemble) {
  rt::preferSleepingThreads(cfg.threads, commandArgv);
  rt::setNumThreads(cfg.threads);
  // The trainer as ccrnn-train finds, compiles and loads it.
  TrainerSession session(cacheDir, [](const std::string &line) {
    std::fprintf(stderr, "ccrnn-bench: %s\n", line.c_str());
  });
  ModelRef ref = resolveModel(modelSpec);
  TrainerOptions options =
      trainerPrograms(cfg, cfg.batchSize, cfg.data.seqLen,
                      session.facts(ref).hasCerebellum)
          .main;
  options.ensemble = ensemble;
  TrainerInstance trainer(session.trainer({ref, options}).api);
  const ccrnn_trainer_desc &d = trainer.desc();

  // Random data of the trainer's shapes: the time does not depend on it.
  const int64_t K = d.ensemble;
  Rng rng(0, "bench.data");
  std::vector<float> inputs(K * d.batch * d.steps * d.input_size);
  for (float &x : inputs)
    x = float(rng.uniform(0, 1));
  std::vector<float> targets(K * d.batch * (d.predict_last ? 1 : d.steps) *
                             d.output_size);
  for (float &x : targets)
    x = float(rng.uniform(-10, 10));
  std::vector<int64_t> labels(K * d.batch);
  for (int64_t &l : labels)
    l = int64_t(rng.below(uint64_t(d.output_size)));
  const void *target =
      d.classify ? static_cast<const void *>(labels.data()) : targets.data();

  // Network e starts from seed e's initialisation.
  Tensors params = initialParameters(d, 0, nullptr);
  for (int64_t e = 1; e < K; ++e) {
    Tensors more = initialParameters(d, uint64_t(e), nullptr);
    for (size_t i = 0; i < params.size(); ++i)
      params[i].insert(params[i].end(), more[i].begin(), more[i].end());
  }
  Tensors grads = params;
  std::vector<int64_t> sizes;
  for (const auto &p : params)
    sizes.push_back(int64_t(p.size()));
  Optimizer optim(OptimKind::Adam, 1e-6, sizes);
  std::vector<const float *> p(params.size());
  std::vector<float *> g(grads.size());
  auto step = [&] {
    for (size_t i = 0; i < params.size(); ++i) {
      p[i] = params[i].data();
      g[i] = grads[i].data();
    }
    trainer.train(p.data(), inputs.data(), target, g.data());
    // As ccrnn-train's update (clipping at norm 1, no weight decay).
    if (K == 1) {
      clipDecayStep(optim, pointersOf(params), pointersOf(grads), {}, 1.0,
                    0.0);
    } else {
      clipGradNormPerNetwork(grads, 1.0, K);
      optim.step(params, grads);
    }
  };
  double s = medianSeconds(3, [&] {
               for (int64_t b = 0; b < batches; ++b)
                 step();
             }) /
             double(batches);
  std::printf("train model %s options %s threads %d networks %lld "
              "ms_per_batch %.4f flops_per_batch %.6e gflops %.2f\n",
              ref.name.c_str(), options.trainingString().c_str(), cfg.threads,
              (long long)K, s * 1e3, d.flops_per_batch,
              d.flops_per_batch / s * 1e-9);
  return 0;
}

/// Sizes of `ccrnn-bench caption` (the defaults: COCO's, the paper's T).
struct CaptionBenchSizes {
  int64_t vocab = 9956, features = 2048, length = 13, batches = 5;
};

/// A corpus of `batches` batches of random captions of one length, each
/// of its own random image, over a vocabulary of `vocab` ids.
captioning::CaptionCorpus randomCaptions(const CaptionBenchSizes &z,
                                         int64_t batchSize) {
  using namespace captioning;
  if (z.vocab <= Vocabulary::kSpecials)
    throw InputError("--vocab " + std::to_string(z.vocab) +
                     ": more than the " +
                     std::to_string(Vocabulary::kSpecials) +
                     " special tokens are needed");
  if (z.length < 2)
    throw InputError("--length " + std::to_string(z.length) +
                     ": a caption has at least <start> and <end>");
  const int64_t n = z.batches * batchSize;
  checkFloats(double(n) * double(z.features),
              "--features " + std::to_string(z.features));
  std::vector<std::string> words;
  for (int64_t i = Vocabulary::kSpecials; i < z.vocab; ++i)
    words.push_back("w" + std::to_string(i));
  CaptionCorpus corpus;
  corpus.source = "random captions (ccrnn-bench)";
  corpus.vocab = Vocabulary::fromWords(words);
  corpus.minLength = corpus.maxLength = z.length;
  Rng rng(0, "bench.captions");
  CaptionImages &images = corpus.train.images;
  images.count = n;
  images.width = z.features;
  images.features.resize(n * z.features);
  for (float &x : images.features)
    x = float(rng.uniform(0, 1));
  for (int64_t i = 0; i < n; ++i) {
    EncodedCaption c;
    c.image = i;
    c.ids.push_back(Vocabulary::kStart);
    for (int64_t t = 1; t + 1 < z.length; ++t)
      c.ids.push_back(Vocabulary::kSpecials +
                      int64_t(rng.below(uint64_t(z.vocab -
                                                 Vocabulary::kSpecials))));
    c.ids.push_back(Vocabulary::kEnd);
    corpus.train.captions.push_back(std::move(c));
  }
  corpus.train.allCaptions = n;
  return corpus;
}

int caption(TrainConfig cfg, const std::string &modelSpec,
            const std::string &cacheDir, const CaptionBenchSizes &z) {
  using namespace captioning;
  rt::preferSleepingThreads(cfg.threads, commandArgv);
  rt::setNumThreads(cfg.threads);
  if (cfg.bptt < 2)
    throw InputError("--bptt " + std::to_string(cfg.bptt) +
                     ": a caption's first window holds the image and at "
                     "least one token (>= 2)");
  const CaptionCorpus corpus = randomCaptions(z, cfg.batchSize);
  // The window trainers and the decoder as ccrnn-train plans them.
  TrainerSession session(cacheDir, [](const std::string &line) {
    std::fprintf(stderr, "ccrnn-bench: %s\n", line.c_str());
  });
  const ModelRef ref = resolveModel(modelSpec);
  const CaptionModel model =
      planCaptionModels(session, {ref}, cfg, corpus).front();
  double flops = 0;
  for (const CaptionWindow &w : captionWindows(z.length, cfg.bptt))
    flops += model.window(w)->desc->flops_per_batch;

  CaptionLoop loop(cfg, corpus);
  TrainerInstances instances;
  CaptionState state = loop.start(model, 0);
  int64_t epoch = 0;
  const double s =
      medianSeconds(3, [&] {
        loop.trainEpoch(instances, model, state, 0, ++epoch,
                        [](int64_t, int64_t) {});
      }) /
      double(z.batches);
  std::printf("caption model %s vocab %lld features %lld length %lld bptt "
              "%lld batch %lld threads %d windows %zu ms_per_batch %.4f "
              "flops_per_batch %.6e gflops %.2f\n",
              ref.name.c_str(), (long long)z.vocab, (long long)z.features,
              (long long)z.length, (long long)cfg.bptt,
              (long long)cfg.batchSize, cfg.threads,
              captionWindows(z.length, cfg.bptt).size(), s * 1e3, flops,
              flops / s * 1e-9);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  commandArgv = argv;
  CLI::App app{"ccrnn-bench: the machine's sgemm rate and the speed of "
               "generated trainers"};
  app.require_subcommand(1);
  int64_t size = 2048;
  int threads = 1;
  CLI::App *gemm = app.add_subcommand(
      "sgemm", "GFLOP/s of oneDNN's float32 matmul of two N x N matrices");
  // Sizes and counts within ccrnn's limits (ccrnn/Support/SizeLimits.h);
  // whether the matrices fit in memory is checked before they are made.
  const CLI::Range units(int64_t(1), kMaxUnits), threadCount(1, int(kMaxThreads));
  gemm->add_option("--size", size, "N")->check(units);
  gemm->add_option("--threads", threads, "Threads")->check(threadCount);

  int64_t bm = 50, bk = 400, bn = 400, bBatch = 10;
  bool bTransposeA = false;
  CLI::App *bat = app.add_subcommand(
      "batched", "GFLOP/s of B products one by one against one oneDNN "
                 "batched matmul of them");
  bat->add_option("--m", bm, "Rows of the product")->check(units);
  bat->add_option("--k", bk, "Contraction")->check(units);
  bat->add_option("--n", bn, "Columns")->check(units);
  bat->add_option("--batch", bBatch, "Products")
      ->check(CLI::Range(int64_t(1), kMaxEnsemble));
  bat->add_flag("--transpose-a", bTransposeA,
                "The left factor stored transposed (a weight gradient)");

  TrainConfig cfg;
  std::string model = "dni_lstm", task = "linedraw", cacheDir;
  int64_t batches = 20;
  CLI::App *tr = app.add_subcommand(
      "train", "ms per training batch of a model's trainer, its FLOPs (from "
               "the compiler) and GFLOP/s");
  tr->add_option("--task", task, "linedraw or seqmnist (sets the shapes)");
  tr->add_option("--model", model, "A bundled model or a .mlir file");
  tr->add_option("--bptt", cfg.bptt, "Truncation window");
  tr->add_option("--interval", cfg.interval, "Feedback interval");
  tr->add_option("--batch-size", cfg.batchSize, "Batch size");
  tr->add_option("--seq-len", cfg.data.seqLen, "Sequence length (linedraw)");
  tr->add_option("--nhid", cfg.nhid, "Hidden units");
  tr->add_option("--synth-nlayers", cfg.synthNlayers, "Synthesizer depth");
  tr->add_option("--synth-nhid", cfg.synthNhid, "Synthesizer width");
  tr->add_option("--threads", cfg.threads, "Threads")->check(threadCount);
  tr->add_option("--batches", batches, "Batches per timing")
      ->check(CLI::Range(int64_t(1), kMaxEpochs));
  tr->add_option("--cache-dir", cacheDir, "Cache of compiled trainers");
  int64_t ensemble = 1;
  tr->add_option("--ensemble", ensemble,
                 "Networks trained by one call (ccrnn-ensemble); a batch is "
                 "one batch of each")
      ->check(CLI::Range(int64_t(1), kMaxEnsemble));
  TrainConfig ccfg;
  ccfg.task = "captioning";
  std::string captionModel = "caption_dni_lstm", captionCache;
  CaptionBenchSizes csizes;
  CLI::App *cap = app.add_subcommand(
      "caption", "ms per training batch of a caption model (every window, "
                 "an Adam step after each: ccrnn-train's loop), its FLOPs "
                 "and GFLOP/s");
  cap->add_option("--model", captionModel,
                  "A bundled caption model or a .mlir file");
  cap->add_option("--vocab", csizes.vocab,
                  "Vocabulary, the 4 special tokens included")
      ->check(units);
  cap->add_option("--features", csizes.features, "Image feature width")
      ->check(units);
  cap->add_option("--length", csizes.length,
                  "Caption length, <start> and <end> included")
      ->check(units);
  cap->add_option("--bptt", ccfg.bptt, "Truncation window (default 5)")
      ->check(units);
  cap->add_option("--batch-size", ccfg.batchSize, "Batch size (default 100)")
      ->check(units);
  cap->add_option("--threads", ccfg.threads, "Threads")->check(threadCount);
  cap->add_option("--batches", csizes.batches, "Batches per timing")
      ->check(CLI::Range(int64_t(1), kMaxEpochs));
  cap->add_option("--cache-dir", captionCache, "Cache of compiled trainers");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    // One line, as every other error.
    std::fprintf(stderr, "ccrnn-bench: error: %s\n", e.what());
    return 2;
  }
  try {
    if (*gemm)
      return sgemm(size, threads);
    if (*bat)
      return batched(bm, bk, bn, bBatch, bTransposeA);
    if (*cap) {
      applyTaskDefaults(ccfg, [&](TaskSetting setting) {
        const CLI::Option *option =
            cap->get_option_no_throw(taskSettingFlag(setting));
        return option && option->count() > 0;
      });
      return caption(ccfg, captionModel, captionCache, csizes);
    }
    cfg.task = task;
    applyTaskDefaults(cfg, [&](TaskSetting setting) {
      const CLI::Option *option =
          tr->get_option_no_throw(taskSettingFlag(setting));
      return option && option->count() > 0;
    });
    validateConfig(cfg);
    return train(cfg, model, cacheDir, batches, ensemble);
  } catch (const InputError &e) {
    std::fprintf(stderr, "ccrnn-bench: error: %s\n", e.what());
    return 2;
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "ccrnn-bench: error: out of memory: the sizes "
                         "given need more than this machine has\n");
    return 2;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "ccrnn-bench: error: %s\n", e.what());
    return 1;
  }
}
