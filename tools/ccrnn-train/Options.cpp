//===- Options.cpp - ccrnn-train's command line -----------------*- C++ -*-===//

#include "Options.h"

#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Task.h"
#include "ccrnn/Support/SizeLimits.h"

#include <climits>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

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
  if (cl.seeds > kMaxSeeds)
    throw InputError("--seeds must be at most " + std::to_string(kMaxSeeds) +
                     " (ccrnn's limit), got " + std::to_string(cl.seeds));
  for (int64_t s = 0; s < cl.seeds; ++s)
    seeds.push_back(uint64_t(s));
  return seeds;
}

} // namespace

void addTaskOptions(CLI::App &app, CommandLine &cl) {
  TaskSettings &settings = cl.config;
  const char *group = "Task (SPEC §5)";
  app.add_option("--task", settings.task, "The task: " + taskList())->group(group);
  app.add_option("--seq-len,--seqlen", settings.data.seqLen,
                 "Sequence length L (points of a line)")
      ->group(group);
  app.add_option("--input-noise", settings.data.inputNoise,
                 "Standard deviation of the Gaussian input noise at t >= 1")
      ->group(group);
  app.add_option("--train-size", settings.data.trainSize,
                 "Training samples per epoch (fresh each epoch; rounded up "
                 "to whole batches)")
      ->group(group);
  app.add_option("--val-size", settings.data.valSize,
                 "Validation samples (fixed per seed)")
      ->group(group);
  app.add_option("--test-size", settings.data.testSize,
                 "Test samples (fixed per seed)")
      ->group(group);
  app.add_option("--input-size", settings.inputSize,
                 "seqmnist tasks: pixels per step (must divide 784; the "
                 "length is 784 / input size; the model's input size must "
                 "match)")
      ->group(group);
  app.add_option("--numbers", settings.numbers,
                 "seqmnist-lines/-digits: the digits used, comma-separated "
                 "(default: all)")
      ->group(group);
  app.add_flag("--free-magnitude", settings.freeMagnitude,
               "seqmnist-lines: endpoints drawn once per run from the grid "
               "{0,1/3,2/3,1}^2 x 10, distinct per digit")
      ->group(group);
  app.add_option("--dataset", settings.dataset,
                 "seqmnist tasks: mnist or fashion-mnist")
      ->group(group);
  app.add_option("--data-dir", settings.dataDir,
                 "seqmnist tasks: the directory of the IDX files (default: "
                 "$CCRNN_DATA_DIR/<dataset> or ~/.cache/ccrnn/data/<dataset>; "
                 "install with tools/install-data.sh)")
      ->group(group);
  // The captioning task (docs/UserGuide.md, "The captioning task").
  auto &cap = settings.captioning;
  const char *capGroup = "Captioning (--task captioning)";
  app.add_option("--captions", cap.captions,
                 "COCO caption annotation JSON of the training images "
                 "(default: the bundled MNIST scenes)")
      ->group(capGroup);
  app.add_option("--features", cap.features,
                 "The training images' features, [N, D] float32 .npy")
      ->group(capGroup);
  app.add_option("--feature-ids", cap.featureIds,
                 "The image id of each row of --features, [N] int64 .npy")
      ->group(capGroup);
  app.add_option("--val-captions", cap.valCaptions,
                 "COCO caption annotation JSON of the validation images")
      ->group(capGroup);
  app.add_option("--val-features", cap.valFeatures,
                 "The validation images' features, [N, D] float32 .npy")
      ->group(capGroup);
  app.add_option("--val-feature-ids", cap.valFeatureIds,
                 "The image id of each row of --val-features")
      ->group(capGroup);
  app.add_option("--min-length", cap.minLength,
                 "Shortest caption kept, in tokens with <start> and <end>")
      ->default_str("11 (bundled scenes: 6)")
      ->group(capGroup);
  app.add_option("--max-length", cap.maxLength,
                 "Longest caption kept, in tokens with <start> and <end>")
      ->default_str("15 (bundled scenes: 24)")
      ->group(capGroup);
  app.add_flag("--balance", cap.balance,
               "Every caption length gets as many batches as the rarest")
      ->group(capGroup);
  app.add_option("--vocab-threshold", cap.vocabThreshold,
                 "A word's count in the training captions to be in the "
                 "vocabulary")
      ->group(capGroup);
  app.add_option("--decode-steps", cap.decodeSteps,
                 "Greedy decoding's longest caption, in words")
      ->group(capGroup);
  app.add_option("--examples", cap.examples,
                 "Validation images written to each examples file")
      ->group(capGroup);
}

void addModelOptions(CLI::App &app, CommandLine &cl) {
  ModelSettings &settings = cl.config;
  const char *group = "Model";
  app.add_option("--model", cl.models,
                 "Models (the models axis), comma-separated: bundled names "
                 "(lstm, dni_lstm, tanh, dni_tanh; also LSTM, DNI_LSTM, ...) "
                 "or paths to .mlir files")
      ->group(group);
  app.add_option("--bptt", cl.bptt,
                 "Truncation window T in steps (feedback horizon); T >= L is "
                 "full BPTT. A comma-separated list (e.g. 1,2,3,5,7,28) runs "
                 "a sweep: one run per value in <out>/bptt=<T>/, gathered in "
                 "<out>/scores.npy, sweep.json and sweep.png")
      ->type_name("INT[,INT...]")
      ->default_str("1 (seqmnist tasks: 3)")
      ->group(group);
  app.add_option("--interval,--spars-int,--spars_int", cl.interval,
                 "Feedback interval k: only steps t with t % k == 0 are "
                 "supervised; a comma-separated list runs a sweep")
      ->type_name("INT[,INT...]")
      ->default_str("2 (seqmnist tasks: 1)")
      ->group(group);
  app.add_flag("--predict-last", settings.predictLast,
               "Train and evaluate the last step only (the endpoint)")
      ->group(group);
  // Sizes: the model file's unless given (ccrnn-configure-model).
  app.add_option("--nhid", settings.nhid, "Hidden units of each recurrent layer")
      ->default_str("the model file's")
      ->group(group);
  app.add_option("--nlayers", settings.nlayers,
                 "Stacked recurrent layers; one synthesizer serves every "
                 "layer's state (SPEC §2)")
      ->default_str("the model file's")
      ->group(group);
  app.add_option("--synth-nlayers,--synth_nlayers", settings.synthNlayers,
                 "Hidden layers of the cerebellum (0: one linear map)")
      ->default_str("the model file's")
      ->group(group);
  app.add_option("--synth-nhid,--synth_nhid", settings.synthNhid,
                 "Width of the cerebellum's hidden layers")
      ->default_str("the model file's")
      ->group(group);
  app.add_option("--synth-scale", settings.synthScale,
                 "Scale of the synthetic gradient")
      ->default_str("the model file's (0.1)")
      ->group(group);
  app.add_option("--context", settings.context,
                 "on: the cerebellum also receives the target (cDNI: the "
                 "one-hot class, or the endpoint); off: it does not")
      ->default_str("the model file's")
      ->group(group);
}

void addControlOptions(CLI::App &app, CommandLine &cl) {
  ControlSettings &settings = cl.config;
  const char *group = "Controls (SPEC §4; models with a cerebellum)";
  app.add_option("--ablation-epoch,--ablation_epoch", settings.ablationEpoch,
                 "Remove the cerebellum from this epoch on: the model trains "
                 "as a cRNN with the same truncation")
      ->default_str("off")
      ->group(group);
  app.add_option("--synth-ablation-epoch,--synth_ablation_epoch",
                 settings.synthAblationEpoch,
                 "Inferior-olive lesion from this epoch on: the cerebellum "
                 "still injects its predictions but no longer learns")
      ->default_str("off")
      ->group(group);
  app.add_flag("--fixed-synth,--fixed_synth", settings.fixedSynth,
               "The cerebellum never learns (its initial predictions are "
               "injected throughout)")
      ->group(group);
  app.add_option("--olive-lesion", settings.oliveLesion,
                 "How a cerebellum that no longer learns (--synth-ablation-"
                 "epoch, --fixed-synth) is treated: freeze (its gradients are "
                 "not computed) or reference (as the reference code: they are "
                 "computed, never zeroed and counted in the clipping norm; "
                 "only its update stops)")
      ->check(CLI::IsMember({"freeze", "reference"}))
      ->default_str("freeze")
      ->group(group);
  app.add_option("--nfibres", settings.nfibres,
                 "Sparse mossy fibres: each unit of the cerebellum's first "
                 "layer keeps this many random inputs (drawn from the seed); "
                 "the others are zero and stay zero")
      ->default_str("all")
      ->group(group);
  app.add_flag("--keep-hidden,--keep_hidden", settings.keepHidden,
               "Each batch starts from the previous batch's final state "
               "(detached; zero at the start of an epoch)")
      ->group(group);
  app.add_flag("--record-grads,--record_grads", settings.recordGrads,
               "Per epoch, on its first batch: the synthetic, target and "
               "true full-BPTT gradients at the window boundaries; adds the "
               "scores cosine_synthetic_true and cosine_target_true and "
               "writes feedback_seed<S>_<model>.npz (see ccrnn-analyze)")
      ->group(group);
  app.add_option("--record-samples", settings.recordSamples,
                 "--record-grads: sequences of the recorded batch kept in "
                 "the feedback files")
      ->group(group);
}

void addOptimizerOptions(CLI::App &app, CommandLine &cl) {
  OptimizerSettings &settings = cl.config;
  const char *group = "Training (SPEC §3)";
  app.add_option("--epochs", settings.epochs, "Epochs")->group(group);
  app.add_option("--batch-size,--batch_size", settings.batchSize, "Batch size")
      ->group(group);
  app.add_option("--lr", cl.lr,
                 "Learning rate; a comma-separated list runs a sweep")
      ->type_name("FLOAT[,FLOAT...]")
      ->default_str("1e-3 (seqmnist tasks: 1e-4)")
      ->group(group);
  app.add_option("--optim", cl.optimizer, "Optimizer: " + optimizerList())
      ->group(group);
  app.add_option("--clip", settings.clip,
                 "Clip the global L2 norm of all gradients (synthesizer "
                 "included) to this; 0 disables")
      ->default_str("1.0 (captioning: 0)")
      ->group(group);
  app.add_option("--l2,--l2-norm", settings.l2,
                 "Weight decay, added to the gradient after clipping "
                 "(PyTorch's weight_decay)")
      ->group(group);
  app.add_flag("--decay-lr,--decay_lr", settings.decayLr,
               "Reduce the learning rate on a plateau of the validation loss "
               "(PyTorch's ReduceLROnPlateau: mode min, threshold 1e-4 rel)")
      ->group(group);
  app.add_option("--lr-scale,--lr_scale", settings.lrScale,
                 "--decay-lr: the factor applied to the learning rate")
      ->group(group);
  app.add_option("--lr-decay-patience,--lr_decay_patience",
                 settings.lrDecayPatience,
                 "--decay-lr: epochs without improvement before a "
                 "reduction")
      ->group(group);
  app.add_option("--early-stopping,--early_stopping", settings.earlyStopping,
                 "Stop training a (seed, model) pair after this many epochs "
                 "without a lower validation loss (its remaining epochs are "
                 "NaN in the scores)")
      ->default_str("off")
      ->group(group);
}

void addRunOptions(CLI::App &app, CommandLine &cl) {
  RunSettings &settings = cl.config;
  // The same help group as the optimizer's.
  const char *group = "Training (SPEC §3)";
  app.add_option("--seeds,--nseeds", cl.seeds, "Seeds 0 .. N-1")->group(group);
  app.add_option("--seed-list", cl.seedList,
                 "Seeds, comma-separated (instead of --seeds)")
      ->group(group);
  app.add_option("--threads", settings.threads,
                 "Threads of the trainers' kernels (results are "
                 "bit-identical for the same seed and thread count)")
      ->group(group);
  app.add_option("--device", settings.device,
                 "Where the trainers run: cpu, or cuda (generated CUDA "
                 "trainers; needs a build with nvcc and a GPU)")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->group(group);
  app.add_option("--ensemble", settings.ensemble,
                 "Seeds of a model trained by one call of a trainer for K "
                 "networks (results do not depend on it); 1: one network a "
                 "call")
      ->default_str("all seeds (at most 16) with --device cuda, else 1")
      ->group(group);
  app.add_option("--jobs,-j", settings.jobs,
                 "(seed, model) pairs trained at once, each on its own "
                 "thread; results do not depend on it")
      ->default_str("cores / --threads")
      ->group(group);
  app.add_option("--shard", cl.shard,
                 "Train shard I of N (0 <= I < N) of the run's (seed, model) "
                 "pairs, dealt in turn model by model, into --out like any "
                 "run; --merge gathers the N shards")
      ->type_name("I/N")
      ->group(group);
  app.add_option("--init", settings.initFile,
                 "Initial parameters (.npz with the state_dict names), the "
                 "same for every seed")
      ->group(group);
}

void addFileOptions(CLI::App &app, CommandLine &cl) {
  const char *group = "Files and runs";
  app.add_option("--out", cl.out,
                 "Output directory (default: results/<task>-"
                 "<timestamp>)")
      ->group(group);
  app.add_flag("--overwrite", cl.overwrite,
               "Write into an existing output directory, replacing files of "
               "the same names")
      ->group(group);
  app.add_option("--resume", cl.resume,
                 "Continue the interrupted run in this directory")
      ->group(group);
  app.add_flag("--quiet", cl.quiet, "No progress and no summary")->group(group);
  app.add_option("--merge", cl.merge,
                 "Merge the finished shards of a run (--shard I/N) in these "
                 "directories into --out, as the run trained in one piece")
      ->type_name("DIR...")
      ->default_str("")
      ->group(group);
  app.add_flag("--partial", cl.partial,
               "--merge: merge what is finished (pairs of unfinished or "
               "missing shards stay NaN; the run's status is 'partial')")
      ->group(group);
  app.add_option("--status", cl.status,
                 "Print how far the run, sweep or cluster run (its shards) in "
                 "this directory is, then exit")
      ->type_name("DIR")
      ->group(group);
  app.add_option("--slurm", cl.slurm,
                 "Run on a Slurm cluster as a job array of this many shards "
                 "(--shard) and a merge job into --out; prints the job ids")
      ->type_name("N")
      ->default_str("off")
      ->group(group);
  app.add_option("--slurm-opts", cl.slurmOptions,
                 "--slurm: more sbatch options for both jobs, separated by "
                 "spaces (e.g. '--partition=long --time=4:00:00')")
      ->group(group);
  app.add_flag("--emit-slurm", cl.emitSlurm,
               "--slurm: write the job scripts into <out>/slurm and print "
               "how to submit them, without submitting")
      ->group(group);
  app.add_option("--dump-step", cl.dumpStep,
                 "Write the gradients of one training batch (--batch) from "
                 "the initial weights to this .npz, then exit")
      ->group(group);
  app.add_option("--batch", cl.batchFile,
                 "The batch of --dump-step: 'inputs' [B, L, I] float32, "
                 "'targets' [B, L, O] float32 or [B] int64")
      ->group(group);
  app.add_option("--cache-dir", cl.cacheDir,
                 "Cache of compiled trainers (default: $CCRNN_CACHE_DIR, "
                 "$XDG_CACHE_HOME/ccrnn/trainers or ~/.cache/ccrnn/trainers)")
      ->group(group);
  app.add_option("--prune-cache", cl.pruneCache,
                 "Remove the least recently used trainers of the cache until "
                 "it holds at most SIZE (e.g. 500M, 2G; 0 empties it) and "
                 "what killed compiles left, then exit")
      ->type_name("SIZE")
      ->group(group);
}
std::string describeParseError(const CLI::App &app,
                               const CLI::ParseError &e) {
  const std::string what = e.what();
  const std::string prefix = "Could not convert: ";
  const size_t eq = what.find(" = ");
  if (what.compare(0, prefix.size(), prefix) != 0 || eq == std::string::npos)
    return what;
  const std::string flag = what.substr(prefix.size(), eq - prefix.size());
  const std::string value = what.substr(eq + 3);
  const CLI::Option *opt = app.get_option_no_throw(flag);
  const std::string type = opt ? opt->get_type_name() : "";
  std::string expected = "a valid value";
  if (type == "INT")
    expected = "an integer";
  else if (type == "UINT")
    expected = "a non-negative integer";
  else if (type == "FLOAT")
    expected = "a number";
  return flag + ": '" + value + "' is not " + expected + " (or out of range)";
}

void checkCommonFlags(const CLI::App &app, const CommandLine &cl) {
  // Paths the file system cannot take, before anything is read or written
  // (the models' in resolveModels).
  checkPathLength("--out", cl.out, kRunDirectoryReserve);
  checkPathLength("--resume", cl.resume, kRunDirectoryReserve);
  checkPathLength("--status", cl.status, kRunDirectoryReserve);
  for (const std::string &dir : cl.merge)
    checkPathLength("--merge", dir, kRunDirectoryReserve);
  checkPathLength("--init", cl.config.initFile);
  checkPathLength("--data-dir", cl.config.dataDir, NAME_MAX + 1);
  checkPathLength("--cache-dir", cl.cacheDir, kRunDirectoryReserve);
  checkPathLength("--dump-step", cl.dumpStep);
  checkPathLength("--batch", cl.batchFile);
  const auto &cap = cl.config.captioning;
  for (auto [flag, path] :
       {std::pair<const char *, const std::string *>{"--captions",
                                                     &cap.captions},
        {"--features", &cap.features},
        {"--feature-ids", &cap.featureIds},
        {"--val-captions", &cap.valCaptions},
        {"--val-features", &cap.valFeatures},
        {"--val-feature-ids", &cap.valFeatureIds}})
    checkPathLength(flag, *path);
  if (cl.partial && cl.merge.empty())
    throw InputError("--partial goes with --merge");
  if (given(app, "--context") && cl.config.context.empty())
    throw InputError("--context must be 'on' or 'off', got ''");
  if (given(app, "--jobs") && cl.config.jobs < 1)
    throw InputError("--jobs must be a positive integer, got " +
                     std::to_string(cl.config.jobs));
  // Also for --resume, whose other settings are the saved run's.
  for (auto [flag, value, max] :
       {std::tuple<const char *, int64_t, int64_t>{"--threads",
                                                   cl.config.threads,
                                                   kMaxThreads},
        {"--jobs", cl.config.jobs, kMaxThreads},
        {"--ensemble", cl.config.ensemble, kMaxEnsemble}})
    if (value > max)
      throw InputError(std::string(flag) + " must be at most " +
                       std::to_string(max) + " (ccrnn's limit), got " +
                       std::to_string(value));
}

namespace {
/// InputError for a flag given besides `allowed` (and --help): `why` says
/// where the settings come from instead.
void checkOnlyFlags(const CLI::App &app, std::set<std::string> allowed,
                    const std::string &with, const std::string &why) {
  allowed.insert("--help");
  for (const CLI::Option *opt : app.get_options())
    if (opt->count() > 0 && !allowed.count(opt->get_name()))
      throw InputError(opt->get_name() + " cannot be combined with " + with +
                       " (" + why + ")");
}
} // namespace

void checkResumeFlags(const CLI::App &app, const CommandLine &cl) {
  checkOnlyFlags(app,
                 {"--resume", "--threads", "--jobs", "--ensemble", "--quiet",
                  "--cache-dir"},
                 "--resume",
                 "the run's settings come from " + cl.resume + "/meta.json");
  if (given(app, "--threads") && cl.config.threads < 1)
    throw InputError("--threads must be a positive integer");
}

void checkMergeFlags(const CLI::App &app, const CommandLine &cl) {
  checkOnlyFlags(app, {"--merge", "--out", "--overwrite", "--quiet",
                       "--cache-dir", "--partial"},
                 "--merge", "the run's settings come from the shards' meta.json");
  if (cl.out.empty())
    throw InputError("--merge needs --out (the directory of the merged run)");
}

void checkStatusFlags(const CLI::App &app) {
  checkOnlyFlags(app, {"--status"}, "--status", "it only reads the run");
}

void checkPruneFlags(const CLI::App &app) {
  checkOnlyFlags(app, {"--prune-cache", "--cache-dir", "--quiet"},
                 "--prune-cache", "it only prunes the cache");
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
  if (given(app, "--shard"))
    parseShard(cl.shard, cfg);
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
  // Each grid point is a run of its own: bounded before they are made.
  double points = 1;
  std::string flags;
  for (const SweepAxis &a : axes) {
    points *= double(a.values.size());
    flags += (flags.empty() ? "--" : " x --") + a.name;
  }
  if (points > double(kMaxGridPoints))
    throw InputError(flags + ": a sweep of " +
                     std::to_string(int64_t(points)) +
                     " grid points; at most " + std::to_string(kMaxGridPoints) +
                     " (ccrnn's limit)");
  // A task of tokens (captioning) has no sweeps yet: said before its
  // checks read the sweep's base settings.
  if (!axes.empty() && findTask(cfg.task).trainsTokens)
    throw InputError("--task " + cfg.task + ": a sweep (" + flags +
                     " with several values) is not supported for it yet");
  applyTaskDefaults(cfg, [&](TaskSetting setting) {
    return given(app, taskSettingFlag(setting));
  });
  validateConfig(cfg);
  return axes;
}

std::vector<std::string> shardCommand(int argc, char **argv,
                                      const std::string &program) {
  // The flags that are not the shard's, and which of them take a value.
  static const std::map<std::string, bool> dropped = {
      {"--slurm", true},      {"--slurm-opts", true}, {"--emit-slurm", false},
      {"--out", true},        {"--overwrite", false}};
  std::vector<std::string> command = {program};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string name = arg.substr(0, arg.find('='));
    auto it = dropped.find(name);
    if (it == dropped.end()) {
      command.push_back(arg);
      continue;
    }
    if (it->second && name == arg)
      ++i; // its value is the next argument
  }
  return command;
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
