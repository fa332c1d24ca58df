//===- Options.cpp - ccrnn-train's command line -----------------*- C++ -*-===//

#include "Options.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Task.h"

#include <ctime>
#include <set>

namespace ccrnn::train {

using namespace driver;

namespace {

bool given(const CLI::App &app, const char *flag) {
  return app.count(flag) > 0;
}

uint64_t parseSeed(const std::string &s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos ||
      s.size() > 19)
    throw InputError("--seed-list: '" + s +
                     "' is not a seed (a non-negative integer)");
  return std::stoull(s);
}

std::vector<uint64_t> seedsOf(const CLI::App &app, const CommandLine &cl) {
  if (given(app, "--seeds") && given(app, "--seed-list"))
    throw InputError("--seeds and --seed-list exclude each other");
  std::vector<uint64_t> seeds;
  if (given(app, "--seed-list")) {
    for (const std::string &s : splitFlagList("--seed-list", cl.seedList))
      seeds.push_back(parseSeed(s));
    return seeds;
  }
  if (cl.seeds < 1)
    throw InputError("--seeds must be a positive integer, got " +
                     std::to_string(cl.seeds));
  for (int64_t s = 0; s < cl.seeds; ++s)
    seeds.push_back(uint64_t(s));
  return seeds;
}

} // namespace

void addTaskOptions(CLI::App &app, CommandLine &cl) {
  const char *task = "Task (SPEC §5)";
  app.add_option("--task", cl.config.task, "The task: " + taskList())->group(task);
  app.add_option("--seq-len,--seqlen", cl.config.data.seqLen,
                 "Sequence length L (points of a line)")
      ->group(task);
  app.add_option("--input-noise", cl.config.data.inputNoise,
                 "Standard deviation of the Gaussian input noise at t >= 1")
      ->group(task);
  app.add_option("--train-size", cl.config.data.trainSize,
                 "Training samples per epoch (fresh each epoch; rounded up "
                 "to whole batches)")
      ->group(task);
  app.add_option("--val-size", cl.config.data.valSize,
                 "Validation samples (fixed per seed)")
      ->group(task);
  app.add_option("--test-size", cl.config.data.testSize,
                 "Test samples (fixed per seed)")
      ->group(task);
  app.add_option("--input-size", cl.config.inputSize,
                 "seqmnist tasks: pixels per step (must divide 784; the "
                 "length is 784 / input size; the model's input size must "
                 "match)")
      ->group(task);
  app.add_option("--numbers", cl.config.numbers,
                 "seqmnist-lines/-digits: the digits used, comma-separated "
                 "(default: all)")
      ->group(task);
  app.add_flag("--free-magnitude", cl.config.freeMagnitude,
               "seqmnist-lines: endpoints drawn once per run from the grid "
               "{0,1/3,2/3,1}^2 x 10, distinct per digit")
      ->group(task);
  app.add_option("--dataset", cl.config.dataset,
                 "seqmnist tasks: mnist or fashion-mnist")
      ->group(task);
  app.add_option("--data-dir", cl.config.dataDir,
                 "seqmnist tasks: the directory of the IDX files (default: "
                 "$CCRNN_DATA_DIR/<dataset> or ~/.cache/ccrnn/data/<dataset>; "
                 "install with tools/install-data.sh)")
      ->group(task);
  app.add_option("--interval,--spars-int,--spars_int", cl.interval,
                 "Feedback interval k: only steps t with t % k == 0 are "
                 "supervised; a comma-separated list runs a sweep")
      ->type_name("INT[,INT...]")
      ->default_str("2 (seqmnist tasks: 1)")
      ->group(task);
}

void addModelOptions(CLI::App &app, CommandLine &cl) {
  const char *model = "Model";
  app.add_option("--model", cl.models,
                 "Models (the models axis), comma-separated: bundled names "
                 "(lstm, dni_lstm, tanh, dni_tanh; also LSTM, DNI_LSTM, ...) "
                 "or paths to .mlir files")
      ->group(model);
  app.add_option("--bptt", cl.bptt,
                 "Truncation window T in steps (feedback horizon); T >= L is "
                 "full BPTT. A comma-separated list (e.g. 1,2,3,5,7,28) runs "
                 "a sweep: one run per value in <out>/bptt=<T>/, gathered in "
                 "<out>/scores.npy, sweep.json and sweep.png")
      ->type_name("INT[,INT...]")
      ->default_str("1 (seqmnist tasks: 3)")
      ->group(model);
  app.add_flag("--predict-last", cl.config.predictLast,
               "Train and evaluate the last step only (the endpoint)")
      ->group(model);
  // Sizes: the model file's unless given (ccrnn-configure-model).
  app.add_option("--nhid", cl.config.nhid, "Hidden units of each recurrent layer")
      ->default_str("the model file's")
      ->group(model);
  app.add_option("--nlayers", cl.config.nlayers,
                 "Stacked recurrent layers; one synthesizer serves every "
                 "layer's state (SPEC §2)")
      ->default_str("the model file's")
      ->group(model);
  app.add_option("--synth-nlayers,--synth_nlayers", cl.config.synthNlayers,
                 "Hidden layers of the cerebellum (0: one linear map)")
      ->default_str("the model file's")
      ->group(model);
  app.add_option("--synth-nhid,--synth_nhid", cl.config.synthNhid,
                 "Width of the cerebellum's hidden layers")
      ->default_str("the model file's")
      ->group(model);
  app.add_option("--synth-scale", cl.config.synthScale,
                 "Scale of the synthetic gradient")
      ->default_str("the model file's (0.1)")
      ->group(model);
  app.add_option("--context", cl.config.context,
                 "on: the cerebellum also receives the target (cDNI: the "
                 "one-hot class, or the endpoint); off: it does not")
      ->default_str("the model file's")
      ->group(model);
}

void addControlOptions(CLI::App &app, CommandLine &cl) {
  const char *controls = "Controls (SPEC §4; models with a cerebellum)";
  app.add_option("--ablation-epoch,--ablation_epoch", cl.config.ablationEpoch,
                 "Remove the cerebellum from this epoch on: the model trains "
                 "as a cRNN with the same truncation")
      ->default_str("off")
      ->group(controls);
  app.add_option("--synth-ablation-epoch,--synth_ablation_epoch",
                 cl.config.synthAblationEpoch,
                 "Inferior-olive lesion from this epoch on: the cerebellum "
                 "still injects its predictions but no longer learns")
      ->default_str("off")
      ->group(controls);
  app.add_flag("--fixed-synth,--fixed_synth", cl.config.fixedSynth,
               "The cerebellum never learns (its initial predictions are "
               "injected throughout)")
      ->group(controls);
  app.add_option("--nfibres", cl.config.nfibres,
                 "Sparse mossy fibres: each unit of the cerebellum's first "
                 "layer keeps this many random inputs (drawn from the seed); "
                 "the others are zero and stay zero")
      ->default_str("all")
      ->group(controls);
  app.add_flag("--keep-hidden,--keep_hidden", cl.config.keepHidden,
               "Each batch starts from the previous batch's final state "
               "(detached; zero at the start of an epoch)")
      ->group(controls);
  app.add_flag("--record-grads,--record_grads", cl.config.recordGrads,
               "Per epoch, on its first batch: the synthetic, target and "
               "true full-BPTT gradients at the window boundaries; adds the "
               "scores cosine_synthetic_true and cosine_target_true and "
               "writes feedback_seed<S>_<model>.npz (see ccrnn-analyze)")
      ->group(controls);
  app.add_option("--record-samples", cl.config.recordSamples,
                 "--record-grads: sequences of the recorded batch kept in "
                 "the feedback files")
      ->group(controls);
}

void addTrainingOptions(CLI::App &app, CommandLine &cl) {
  const char *train = "Training (SPEC §3)";
  app.add_option("--epochs", cl.config.epochs, "Epochs")->group(train);
  app.add_option("--batch-size,--batch_size", cl.config.batchSize, "Batch size")
      ->group(train);
  app.add_option("--lr", cl.lr,
                 "Learning rate; a comma-separated list runs a sweep")
      ->type_name("FLOAT[,FLOAT...]")
      ->default_str("1e-3 (seqmnist tasks: 1e-4)")
      ->group(train);
  app.add_option("--optim", cl.optimizer, "Optimizer: " + optimizerList())
      ->group(train);
  app.add_option("--clip", cl.config.clip,
                 "Clip the global L2 norm of all gradients (synthesizer "
                 "included) to this; 0 disables")
      ->group(train);
  app.add_option("--l2,--l2-norm", cl.config.l2,
                 "Weight decay, added to the gradient after clipping "
                 "(PyTorch's weight_decay)")
      ->group(train);
  app.add_flag("--decay-lr,--decay_lr", cl.config.decayLr,
               "Reduce the learning rate on a plateau of the validation loss "
               "(PyTorch's ReduceLROnPlateau: mode min, threshold 1e-4 rel)")
      ->group(train);
  app.add_option("--lr-scale,--lr_scale", cl.config.lrScale,
                 "--decay-lr: the factor applied to the learning rate")
      ->group(train);
  app.add_option("--lr-decay-patience,--lr_decay_patience",
                 cl.config.lrDecayPatience,
                 "--decay-lr: epochs without improvement before a "
                 "reduction")
      ->group(train);
  app.add_option("--early-stopping,--early_stopping", cl.config.earlyStopping,
                 "Stop training a (seed, model) pair after this many epochs "
                 "without a lower validation loss (its remaining epochs are "
                 "NaN in the scores)")
      ->default_str("off")
      ->group(train);
  app.add_option("--seeds,--nseeds", cl.seeds, "Seeds 0 .. N-1")->group(train);
  app.add_option("--seed-list", cl.seedList,
                 "Seeds, comma-separated (instead of --seeds)")
      ->group(train);
  app.add_option("--threads", cl.config.threads,
                 "Threads of the trainers' kernels (results are "
                 "bit-identical for the same seed and thread count)")
      ->group(train);
  app.add_option("--device", cl.config.device,
                 "Where the trainers run: cpu, or cuda (generated CUDA "
                 "trainers; needs a build with nvcc and a GPU)")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->group(train);
  app.add_option("--ensemble", cl.config.ensemble,
                 "Seeds of a model trained by one call of a trainer for K "
                 "networks (results do not depend on it); 1: one network a "
                 "call")
      ->default_str("all seeds (at most 16) with --device cuda, else 1")
      ->group(train);
  app.add_option("--jobs,-j", cl.config.jobs,
                 "(seed, model) pairs trained at once, each on its own "
                 "thread; results do not depend on it")
      ->default_str("cores / --threads")
      ->group(train);
  app.add_option("--init", cl.config.initFile,
                 "Initial parameters (.npz with the state_dict names), the "
                 "same for every seed")
      ->group(train);
}

void addFileOptions(CLI::App &app, CommandLine &cl) {
  const char *files = "Files and runs";
  app.add_option("--out", cl.out,
                 "Output directory (default: results/<task>-"
                 "<timestamp>)")
      ->group(files);
  app.add_flag("--overwrite", cl.overwrite,
               "Write into an existing output directory, replacing files of "
               "the same names")
      ->group(files);
  app.add_option("--resume", cl.resume,
                 "Continue the interrupted run in this directory")
      ->group(files);
  app.add_flag("--quiet", cl.quiet, "No progress and no summary")->group(files);
  app.add_option("--dump-step", cl.dumpStep,
                 "Write the gradients of one training batch (--batch) from "
                 "the initial weights to this .npz, then exit")
      ->group(files);
  app.add_option("--batch", cl.batchFile,
                 "The batch of --dump-step: 'inputs' [B, L, I] float32, "
                 "'targets' [B, L, O] float32 or [B] int64")
      ->group(files);
  app.add_option("--cache-dir", cl.cacheDir,
                 "Cache of compiled trainers (default: $CCRNN_CACHE_DIR, "
                 "$XDG_CACHE_HOME/ccrnn/trainers or ~/.cache/ccrnn/trainers)")
      ->group(files);
}
void checkCommonFlags(const CLI::App &app, const CommandLine &cl) {
  if (given(app, "--context") && cl.config.context.empty())
    throw InputError("--context must be 'on' or 'off', got ''");
  if (given(app, "--jobs") && cl.config.jobs < 1)
    throw InputError("--jobs must be a positive integer, got " +
                     std::to_string(cl.config.jobs));
}

void checkResumeFlags(const CLI::App &app, const CommandLine &cl) {
  static const std::set<std::string> allowed = {
      "--resume", "--threads", "--jobs", "--ensemble", "--quiet",
      "--cache-dir", "--help"};
  for (const CLI::Option *opt : app.get_options())
    if (opt->count() > 0 && !allowed.count(opt->get_name()))
      throw InputError(opt->get_name() +
                       " cannot be combined with --resume (the run's "
                       "settings come from " +
                       cl.resume + "/meta.json)");
  if (given(app, "--threads") && cl.config.threads < 1)
    throw InputError("--threads must be a positive integer");
}

void applyRunFlags(const CLI::App &app, const CommandLine &cl,
                   TrainConfig &config) {
  if (given(app, "--threads"))
    config.threads = cl.config.threads;
  if (given(app, "--jobs"))
    config.jobs = cl.config.jobs;
  if (given(app, "--ensemble"))
    config.ensemble = cl.config.ensemble;
}

std::vector<SweepAxis> finishConfig(const CLI::App &app, CommandLine &cl) {
  TrainConfig &cfg = cl.config;
  auto kind = parseOptimizer(cl.optimizer);
  if (!kind)
    throw InputError("unknown optimizer '" + cl.optimizer +
                     "' (valid: " + optimizerList() + ")");
  cfg.optim = *kind;
  cfg.seeds = seedsOf(app, cl);
  if (given(app, "--early-stopping") && cfg.earlyStopping < 1)
    throw InputError("--early-stopping must be a positive integer, got " +
                     std::to_string(cfg.earlyStopping));
  for (const char *flag : {"--lr-scale", "--lr-decay-patience"})
    if (given(app, flag) && !cfg.decayLr)
      throw InputError(std::string(flag) + " applies with --decay-lr");

  // One value of a list-valued flag sets it; several make a sweep axis.
  std::vector<SweepAxis> axes;
  struct ListFlag {
    const char *flag, *axis;
    const std::vector<std::string> &items;
  };
  for (const ListFlag &f : {ListFlag{"--bptt", "bptt", cl.bptt},
                            ListFlag{"--interval", "interval", cl.interval},
                            ListFlag{"--lr", "lr", cl.lr}}) {
    if (!given(app, f.flag))
      continue;
    std::vector<double> values =
        parseFlagList(f.flag, f.items, std::string(f.axis) != "lr");
    if (values.size() == 1)
      setSweepValue(cfg, f.axis, values[0]);
    else
      axes.push_back({f.axis, values});
  }
  applyTaskDefaults(cfg, [&](TaskSetting setting) {
    return given(app, taskSettingFlag(setting));
  });
  validateConfig(cfg);
  return axes;
}

std::string defaultOutDir(const std::string &task) {
  char buf[32];
  std::time_t t = std::time(nullptr);
  std::tm tm;
  localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return "results/" + task + "-" + buf;
}

} // namespace ccrnn::train
