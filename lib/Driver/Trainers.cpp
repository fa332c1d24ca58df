//===- Trainers.cpp - Finding, compiling and loading trainers ---*- C++ -*-===//

#include "ccrnn/Driver/Trainers.h"

#include "System.h"
#include "ccrnn/Driver/Error.h"
#include "ccrnn/Driver/Rng.h"
#include "ccrnn/Driver/TrainerCache.h"
#include "ccrnn/Runtime/Idx.h"
#include "ccrnn/Runtime/UserDirs.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CCRNN_MODELS_DIR
#error "CCRNN_MODELS_DIR must name the bundled models directory"
#endif
#ifndef CCRNN_INCLUDE_DIR
#error "CCRNN_INCLUDE_DIR must name the ccrnn include directory"
#endif
#ifndef CCRNN_VERSION
#error "CCRNN_VERSION must be defined"
#endif
// The compiler of the trainers compiled on the fly and the flags it adds:
// in a sanitizer build (CCRNN_SANITIZE) the build's compiler and its
// sanitizer flags (lib/Driver/CMakeLists.txt), so that a trainer is
// instrumented like the program that loads it.
#ifndef CCRNN_TRAINER_CXX
#define CCRNN_TRAINER_CXX "c++"
#endif
#ifndef CCRNN_TRAINER_CXXFLAGS
#define CCRNN_TRAINER_CXXFLAGS ""
#endif

namespace fs = std::filesystem;

namespace ccrnn::driver {

std::vector<std::string> bundledModelNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(CCRNN_MODELS_DIR, ec))
    if (entry.path().extension() == ".mlir")
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

std::string join(const std::vector<std::string> &items) {
  std::string s;
  for (const std::string &i : items)
    s += (s.empty() ? "" : ", ") + i;
  return s;
}

// A model file must at least be readable and hold a model op; anything
// subtler is ccrnn-opt's to report (when the trainer is compiled).
void checkModelFile(const std::string &spec, const std::string &file) {
  std::string text;
  try {
    text = readWholeFile(file);
  } catch (const std::exception &e) {
    throw InputError("--model " + spec + ": " + e.what());
  }
  if (text.find("ccrnn.model") == std::string::npos)
    throw InputError("--model " + spec + ": " + file +
                     " is not a model file (it has no ccrnn.model op)");
}

} // namespace

ModelRef resolveModel(const std::string &spec) {
  std::vector<std::string> bundled = bundledModelNames();
  ModelRef ref;
  bool isPath = spec.find('/') != std::string::npos ||
                (spec.size() > 5 && spec.substr(spec.size() - 5) == ".mlir");
  if (isPath) {
    ref.file = spec;
    ref.name = fs::path(spec).stem().string();
    // The name goes into file names, messages and plot titles.
    if (hasControlCharacter(ref.name))
      throw InputError("--model: the file name of '" + printable(spec) +
                       "' has a control character (a model is named by "
                       "its file's name; rename the file)");
    if (!fs::exists(spec))
      throw InputError("--model " + spec + ": no such file");
    checkModelFile(spec, spec);
    // A bundled model given by its path can still use its bundled trainer.
    std::error_code ec;
    fs::path bundledFile = fs::path(CCRNN_MODELS_DIR) / (ref.name + ".mlir");
    ref.bundled = fs::equivalent(spec, bundledFile, ec);
    return ref;
  }
  // The reference scripts spell models DNI_LSTM, LSTM, TANH, DNI_TANH.
  std::string lower = spec;
  for (char &c : lower)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  if (std::find(bundled.begin(), bundled.end(), lower) == bundled.end())
    throw InputError("unknown model '" + spec + "' (bundled models: " +
                     join(bundled) + "; or give a path to a .mlir file)");
  ref.name = lower;
  ref.file = (fs::path(CCRNN_MODELS_DIR) / (lower + ".mlir")).string();
  ref.bundled = true;
  checkModelFile(spec, ref.file);
  return ref;
}

namespace {

// Seconds a step of a trainer's compile may take: $CCRNN_COMPILE_TIMEOUT,
// else 600 (the largest models compile in under a minute on 2 cores; a
// step past that is hung, e.g. on input no limit caught).
int compileTimeoutSeconds() {
  if (const char *text = std::getenv("CCRNN_COMPILE_TIMEOUT"); text && *text) {
    char *end = nullptr;
    const long seconds = std::strtol(text, &end, 10);
    if (*end || seconds < 1 || seconds > 86400)
      throw InputError("CCRNN_COMPILE_TIMEOUT must be a number of seconds "
                       "from 1 to 86400, got '" + printable(text) + "'");
    return int(seconds);
  }
  return 600;
}

// Runs one step of compiling `model`; its output when it succeeds, else an
// InputError with the command, how it ended and what it printed.
std::string runCompileStep(const std::vector<std::string> &argv,
                           const std::string &model) {
  std::string output;
  const int timeout = compileTimeoutSeconds();
  const int status = runProgram(argv, output, nullptr, timeout);
  if (status == 0)
    return output;
  throw InputError(
      "cannot compile model " + model + ": `" + shellJoin(argv) + "` " +
      (status == kTimedOut
           ? "did not finish within " + std::to_string(timeout) +
                 " s (CCRNN_COMPILE_TIMEOUT) and was stopped"
           : "failed (exit status " + std::to_string(status) + ")") +
      (output.empty() ? "" : ":\n" + output));
}

} // namespace

TrainerHost executableHost() {
  return {selfDirectory(), "/proc/self/exe"};
}

ModelFacts describeModel(const ModelRef &model, const TrainerHost &host) {
  const std::vector<std::string> argv = {host.toolsDir + "/ccrnn-opt",
                                         "--ccrnn-describe-model", model.file,
                                         "-o", "/dev/null"};
  const std::string output = runCompileStep(argv, model.name);
  ModelFacts facts;
  try {
    const nlohmann::json models = nlohmann::json::parse(output).at("models");
    if (models.size() != 1)
      throw InputError("--model " + model.name + ": " + model.file +
                       " holds " + std::to_string(models.size()) +
                       " models; a model file holds exactly one");
    const nlohmann::json &m = models[0];
    facts.hasCerebellum = !m.at("cerebellum").is_null();
    facts.hidden = m.at("hidden").get<int64_t>();
    facts.layers = m.at("layers").get<int64_t>();
    facts.readsTokens = m.contains("vocab");
    if (facts.readsTokens)
      facts.dropout = m.at("dropout").get<double>();
  } catch (const nlohmann::json::exception &e) {
    throw InputError("--model " + model.name + ": cannot read `" +
                     shellJoin(argv) + "`'s description: " + e.what());
  }
  return facts;
}

namespace {
/// libccrnn_cuda.so, loaded on first use (lib/RuntimeCUDA/CUDALibrary.cpp):
/// its bundled trainers and device check; `error` says why not when the
/// build has none or it cannot be loaded.
struct CUDALibrary {
  void *handle = nullptr;
  const ccrnn_trainer_api *const *(*bundled)() = nullptr;
  int (*deviceAvailable)(char *, size_t) = nullptr;
  std::string error;
};

const CUDALibrary &cudaLibrary() {
  static const CUDALibrary lib = [] {
    CUDALibrary l;
#ifdef CCRNN_CUDA_LIBRARY
    l.handle = dlopen(CCRNN_CUDA_LIBRARY, RTLD_NOW | RTLD_GLOBAL);
    if (!l.handle) {
      l.error = std::string("cannot load the CUDA runtime: ") + dlerror();
      return l;
    }
    l.bundled = reinterpret_cast<const ccrnn_trainer_api *const *(*)()>(
        dlsym(l.handle, "ccrnn_cuda_bundled_trainers"));
    l.deviceAvailable = reinterpret_cast<int (*)(char *, size_t)>(
        dlsym(l.handle, "ccrnn_cuda_device_available"));
    if (!l.bundled || !l.deviceAvailable)
      l.error = std::string(CCRNN_CUDA_LIBRARY) +
                " lacks ccrnn_cuda_bundled_trainers or "
                "ccrnn_cuda_device_available";
#else
    l.error = "this build has no CUDA runtime (no CUDA compiler was found "
              "when it was configured)";
#endif
    return l;
  }();
  return lib;
}
} // namespace

const ccrnn_trainer_api *findBundledTrainer(std::string_view model,
                                            const TrainerOptions &options,
                                            bool cuda) {
  static const ccrnn_trainer_api *const none[] = {nullptr};
  const ccrnn_trainer_api *const *table = ccrnn_bundled_trainers;
  if (cuda)
    table = cudaLibrary().error.empty() ? cudaLibrary().bundled() : none;
  for (const ccrnn_trainer_api *const *t = table; *t; ++t) {
    const ccrnn_trainer_desc *d = (*t)->desc;
    if (!d || !d->model || !d->options || model != d->model)
      continue;
    TrainerOptions built;
    std::string error;
    if (!TrainerOptions::parse(d->options, built, error))
      continue;
    built.ensemble = d->ensemble;
    if (built == options)
      return *t;
  }
  return nullptr;
}

void requireDevice(const std::string &device) {
  if (device == "cpu")
    return;
  if (device != "cuda")
    throw InputError("--device must be cpu or cuda, got '" + device + "'");
  const CUDALibrary &lib = cudaLibrary();
  if (!lib.error.empty())
    throw InputError("--device cuda: " + lib.error);
  char why[512];
  if (!lib.deviceAvailable(why, sizeof why))
    throw InputError(std::string("--device cuda: no CUDA device found: ") +
                     why);
}

std::string defaultCacheDir() {
  if (const char *dir = std::getenv("CCRNN_CACHE_DIR"); dir && *dir)
    return dir;
  const std::string cache = userCacheDirectory();
  return cache.empty() ? "" : cache + "/ccrnn/trainers";
}

namespace {

// Size and modification time: a rebuilt tool invalidates the cache
// without hashing tens of megabytes of binary on every run.
std::string fileIdentity(const std::string &path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    return "missing";
  std::ostringstream s;
  s << st.st_size << "@" << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
  return s.str();
}

std::string firstLine(const std::string &s) {
  return s.substr(0, s.find('\n'));
}

std::string hex64(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
  return buf;
}

// Everything a compiled trainer depends on. Stored next to the trainer and
// compared in full on reuse, so a hash collision cannot load the wrong one.
std::string cacheKey(const std::string &modelText,
                     const TrainerOptions &options, bool cuda,
                     const TrainerHost &host, const std::string &cxx) {
  const std::string &tools = host.toolsDir;
  std::string cxxVersion;
  runProgram({cxx, "--version"}, cxxVersion);
  std::ostringstream key;
  key << "ccrnn " << CCRNN_VERSION << "\n"
      << "cache entry 2\n" // 1 had trainer.sha256, no manifest
      << "trainer abi " << CCRNN_TRAINER_ABI_VERSION << "\n"
      << "model " << hex64(hashName(modelText)) << " " << modelText.size()
      << "\n"
      << "options " << options.toString() << "\n"
      << "device " << (cuda ? "cuda" : "cpu") << "\n"
      << "ccrnn-opt " << fileIdentity(tools + "/ccrnn-opt") << "\n"
      << "ccrnn-translate " << fileIdentity(tools + "/ccrnn-translate") << "\n"
      << "ccrnn-train " << fileIdentity(host.runtimeFile) << "\n"
      << "c++ " << firstLine(cxxVersion) << "\n";
  // Only in sanitizer builds, so that other builds keep their entries.
  if (*CCRNN_TRAINER_CXXFLAGS)
    key << "c++ flags " << CCRNN_TRAINER_CXXFLAGS << "\n";
  return key.str();
}

// What a cache entry in `dir` was built from and into: the SHA-256 of each
// file (sha256sum's format) and the commands that built them.
std::string entryManifest(const fs::path &dir, const std::string &commands) {
  std::string manifest;
  for (const char *file : {"prog.mlir", "trainer.cpp", "trainer.so"})
    manifest += idx::sha256File((dir / file).string()) + "  " + file + "\n";
  return manifest + "built by:\n" + commands;
}

} // namespace

LoadedTrainer loadTrainerLibrary(const std::string &so,
                                 const std::string &modelName) {
  void *handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    throw InputError("model " + modelName + ": cannot load trainer " + so +
                     ": " + dlerror());
  LoadedTrainer t;
  t.library = std::shared_ptr<void>(handle, [](void *h) { dlclose(h); });
  auto entry = reinterpret_cast<ccrnn_trainer_entry_fn>(
      dlsym(handle, "ccrnn_trainer_entry"));
  if (!entry)
    throw InputError("model " + modelName + ": " + so +
                     " has no ccrnn_trainer_entry");
  t.api = entry();
  if (!t.api || !t.api->desc ||
      t.api->desc->abi_version != CCRNN_TRAINER_ABI_VERSION)
    throw InputError("model " + modelName + ": " + so +
                     " was built for another trainer ABI version");
  t.id = so;
  return t;
}

namespace {
/// The compile command with CCRNN_TRAINER_CXXFLAGS after the compiler.
std::vector<std::string> withTrainerFlags(std::vector<std::string> command) {
  std::istringstream flags(CCRNN_TRAINER_CXXFLAGS);
  std::vector<std::string> extra;
  for (std::string flag; flags >> flag;)
    extra.push_back(flag);
  command.insert(command.begin() + 1, extra.begin(), extra.end());
  return command;
}

/// A CUDA trainer compiled on the fly links libccrnn_cuda.so (the CUDA
/// kernels), found again at run time through its rpath.
std::vector<std::string> cudaLinkFlags(bool cuda,
                                       std::vector<std::string> command) {
#ifdef CCRNN_CUDA_LIBRARY
  if (cuda) {
    const std::string dir = fs::path(CCRNN_CUDA_LIBRARY).parent_path();
    command.insert(command.end(),
                   {"-L" + dir, "-lccrnn_cuda", "-Wl,-rpath," + dir});
  }
#endif
  return command;
}
} // namespace

LoadedTrainer getTrainer(const TrainerSpec &spec, const std::string &cacheDir,
                         const std::function<void(const std::string &)> &log,
                         const TrainerHost &host) {
  const ModelRef &model = spec.model;
  const TrainerOptions &options = spec.options;
  if (model.bundled)
    if (const ccrnn_trainer_api *api =
            findBundledTrainer(model.name, options, spec.cuda))
      return {api, "bundled", nullptr};

  std::string modelText;
  try {
    modelText = readWholeFile(model.file);
  } catch (const std::exception &e) {
    throw InputError(std::string("--model: ") + e.what());
  }
  if (cacheDir.empty())
    throw InputError("model " + model.name +
                     ": no directory for the trainer cache (HOME is not set "
                     "and the user has no home directory); pass --cache-dir "
                     "or set CCRNN_CACHE_DIR");
  const std::string &tools = host.toolsDir, cxx = CCRNN_TRAINER_CXX;
  const std::string key = cacheKey(modelText, options, spec.cuda, host, cxx);
  const fs::path dir = fs::path(cacheDir) / hex64(hashName(key));
  const std::string so = (dir / "trainer.so").string();
  // The commands that build an entry in `entry`, and their text with the
  // entry's directory left out (recorded in the manifest).
  auto buildCommands = [&](const fs::path &entry) {
    const std::string prog = (entry / "prog.mlir").string(),
                      cpp = (entry / "trainer.cpp").string();
    return std::vector<std::vector<std::string>>{
        {tools + "/ccrnn-opt", model.file,
         "--ccrnn-trainer-pipeline=" + options.toString(), "-o", prog},
        {tools + "/ccrnn-translate",
         spec.cuda ? "--emit-trainer=cuda" : "--emit-trainer=cpp",
         "--trainer-entry", prog, "-o", cpp},
        cudaLinkFlags(spec.cuda,
                      withTrainerFlags({cxx, "-std=c++17", "-O2", "-fPIC",
                                        "-shared",
                                        "-I" + std::string(CCRNN_INCLUDE_DIR),
                                        cpp, "-o",
                                        (entry / "trainer.so").string()}))};
  };
  std::string commandText;
  for (const auto &argv : buildCommands("ENTRY"))
    commandText += shellJoin(argv) + "\n";

  // Code is loaded from the cache, so only this user may be able to write
  // it: the directory is created 0700, and one that others can write to
  // (mode 1777, a group's share) is refused rather than trusted.
  try {
    makePrivateDirectories(cacheDir);
  } catch (const std::exception &e) {
    throw InputError("trainer cache: " + std::string(e.what()));
  }
  if (std::string why = untrustedReason(cacheDir); !why.empty())
    throw InputError("trainer cache: " + why +
                     "; compiled trainers are loaded only from a directory "
                     "that no one else can write to (chmod go-w, or pass "
                     "--cache-dir)");

  // An entry is loaded only when it is complete, all of it is this user's
  // and no one else can write it, and its files are the ones that were
  // built (their SHA-256 recorded in its manifest): a truncated or altered
  // trainer.so (a crash or power loss mid-write, a tampered file) is
  // rebuilt instead of loaded, which could crash every later run or run
  // someone else's code.
  std::string problem;
  auto built = [&] {
    problem.clear();
    std::string stored;
    try {
      stored = readWholeFile((dir / "key.txt").string());
    } catch (const std::exception &) {
      return false; // not built (yet)
    }
    if (stored != key)
      return false; // another trainer with the same hash: rebuilt
    for (const char *file : {"", "key.txt", "manifest.txt", "prog.mlir",
                             "trainer.cpp", "trainer.so"})
      if (std::string why =
              untrustedReason(*file ? (dir / file).string() : dir.string());
          !why.empty()) {
        problem = "the cached trainer " + dir.string() +
                  " is not trusted (" + why + ")";
        return false;
      }
    try {
      if (readWholeFile((dir / "manifest.txt").string()) ==
          entryManifest(dir, commandText))
        return true;
    } catch (const std::exception &) {
    }
    problem = "the cached trainer " + so +
              " does not match its SHA-256 (damaged or altered)";
    return false;
  };
  auto load = [&] {
    markCacheEntryUsed(dir.string());
    return loadTrainerLibrary(so, model.name);
  };
  if (built())
    return load();

  // One process builds an entry at a time (the shards of a run, the ranks
  // of an MPI job start together); the others wait and load its build.
  const FileLock lock(cacheEntryLockPath(cacheDir, dir.filename().string()));
  if (built())
    return load();
  if (!problem.empty() && log)
    log(problem + "; rebuilding it");
  removeStaleBuilds(cacheDir, dir.filename().string());
  // Built under a private name and renamed into place: a run that does not
  // take the lock (an older ccrnn-train) never sees a half-built trainer.
  std::error_code ec;
  fs::path tmp = dir.string() + ".tmp-" + hostName() + "-" +
                 std::to_string(getpid());
  fs::remove_all(tmp, ec);
  fs::create_directory(tmp, ec);
  if (ec)
    throw InputError("cache directory " + cacheDir + ": cannot create " +
                     tmp.string() + ": " + ec.message());
  if (log)
    log("compiling model " + model.name + " (" + options.toString() +
        ") into " + dir.string());

  try {
    for (const auto &argv : buildCommands(tmp))
      runCompileStep(argv, model.name);
  } catch (const InputError &) {
    fs::remove_all(tmp, ec);
    throw;
  }
  try {
    // The files' digests, then the key that marks the entry complete, each
    // on disk (fsync) before the directory is renamed into place.
    for (const char *file : {"prog.mlir", "trainer.cpp", "trainer.so"})
      syncFile((tmp / file).string());
    writeFileAtomic((tmp / "manifest.txt").string(),
                    entryManifest(tmp, commandText));
    syncFile((tmp / "manifest.txt").string());
    writeFileAtomic((tmp / "key.txt").string(), key);
    syncFile((tmp / "key.txt").string());
  } catch (const std::exception &e) {
    fs::remove_all(tmp, ec);
    throw InputError(e.what());
  }
  if (built()) {
    // A run without the lock finished the same trainer first; theirs is as
    // good.
    fs::remove_all(tmp, ec);
  } else {
    fs::remove_all(dir, ec); // a stale, broken or untrusted earlier build
    fs::rename(tmp, dir, ec);
    if (ec) {
      fs::remove_all(tmp, ec);
      throw InputError("cache directory " + cacheDir + ": cannot replace " +
                       dir.string() + ": " + ec.message());
    }
  }
  return load();
}

TrainerInstance::TrainerInstance(const ccrnn_trainer_api *api)
    : api_(api), handle_(api->create()) {
  if (!handle_)
    throw InputError(std::string("model ") + api->desc->model +
                     ": cannot create its trainer");
}

TrainerInstance::~TrainerInstance() { api_->destroy(handle_); }

} // namespace ccrnn::driver
