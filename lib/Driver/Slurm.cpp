//===- Slurm.cpp - A run as a Slurm job array -------------------*- C++ -*-===//

#include "ccrnn/Driver/Slurm.h"

#include "System.h"
#include "ccrnn/Driver/Error.h"

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace ccrnn::driver {

namespace {

std::string slurmDir(const SlurmJob &job) {
  return (fs::path(job.dir) / "slurm").string();
}

/// The job's sbatch options, one "#SBATCH" line each, then `lines`.
std::string script(const std::vector<std::string> &options,
                   const std::string &lines) {
  std::string s = "#!/bin/sh\n";
  for (const std::string &o : options)
    s += "#SBATCH " + o + "\n";
  return s + "set -eu\n" + lines;
}

} // namespace

std::string shardDirectory(const std::string &dir, int64_t i) {
  return (fs::path(dir) / "shards" / std::to_string(i)).string();
}

std::vector<std::string> writeSlurmScripts(const SlurmJob &job) {
  if (hasControlCharacter(job.dir))
    throw InputError("--out " + printable(job.dir) +
                     ": has a control character, which a Slurm job script "
                     "cannot hold safely");
  const std::string slurm = slurmDir(job);
  std::error_code ec;
  fs::create_directories(slurm, ec);
  if (ec)
    throw InputError("--out " + job.dir + ": cannot create " + slurm + ": " +
                     ec.message());
  const std::string shards = (fs::path(job.dir) / "shards").string();
  // A requeued task resumes its shard; a finished one has nothing to do;
  // one stopped before its first save starts again.
  const std::string trainLine = shellJoin(job.train) + " --shard \"$SLURM_ARRAY_TASK_ID/" +
                          std::to_string(job.shards) + "\" --overwrite --out \"$shard\"";
  const std::string shardScript = script(
      {"--job-name=ccrnn-shards", "--array=0-" + std::to_string(job.shards - 1),
       "--cpus-per-task=" + std::to_string(job.threads), "--requeue",
       "--output=" + shellJoin({slurm + "/shard-%a.out"}),
       "--open-mode=append"},
      "shard=" + shellJoin({shards}) + "/\"$SLURM_ARRAY_TASK_ID\"\n"
      "saved=\"$shard/meta.json\"\n"
      "[ -f \"$shard/sweep.json\" ] && saved=\"$shard/sweep.json\"\n"
      "if [ -f \"$saved\" ]; then\n"
      "  grep -q '\"status\": \"complete\"' \"$saved\" && exit 0\n"
      "  exec " + shellJoin({job.train.front()}) + " --resume \"$shard\"\n"
      "fi\n"
      "mkdir -p " + shellJoin({shards}) + "\n"
      "exec " + trainLine + "\n");
  std::vector<std::string> merge = {job.train.front(), "--merge"};
  for (int64_t i = 0; i < job.shards; ++i)
    merge.push_back(shardDirectory(job.dir, i));
  merge.insert(merge.end(), {"--out", job.dir, "--overwrite"});
  merge.insert(merge.end(), job.mergeFlags.begin(), job.mergeFlags.end());
  const std::string mergeScript =
      script({"--job-name=ccrnn-merge", "--cpus-per-task=1",
              "--output=" + shellJoin({slurm + "/merge.out"})},
             "exec " + shellJoin(merge) + "\n");
  const std::string shardFile = slurm + "/shard.sh",
                    mergeFile = slurm + "/merge.sh";
  writeFileAtomic(shardFile, shardScript);
  writeFileAtomic(mergeFile, mergeScript);
  return {shardFile, mergeFile};
}

std::vector<std::string> submitSlurmJob(const SlurmJob &job) {
  const std::vector<std::string> files = writeSlurmScripts(job);
  // --slurm-opts split at white space (no shell sees it).
  std::vector<std::string> extra;
  std::istringstream words(job.sbatchOptions);
  for (std::string word; words >> word;)
    extra.push_back(word);
  const std::string sbatchPath = findProgram("sbatch");
  if (sbatchPath.empty())
    throw InputError("--slurm: no sbatch in PATH (Slurm's client commands; "
                     "--emit-slurm writes the job scripts without "
                     "submitting them)");
  auto sbatch = [&](std::vector<std::string> args, const std::string &file) {
    std::vector<std::string> argv = {sbatchPath, "--parsable"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(file);
    std::string output;
    if (runProgram(argv, output) != 0)
      throw InputError("--slurm: `" + shellJoin(argv) + "` failed:\n" +
                       output);
    // "<id>[;<cluster>]\n"
    return output.substr(0, output.find_first_of(";\n"));
  };
  const std::string array = sbatch({}, files[0]);
  const std::string merge =
      sbatch({"--dependency=afterok:" + array, "--kill-on-invalid-dep=yes"},
             files[1]);
  return {array, merge};
}

} // namespace ccrnn::driver
