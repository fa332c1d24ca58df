//===- Task.cpp - The task registry and epoch batches -----------*- C++ -*-===//

#include "ccrnn/Driver/Task.h"

#include "ccrnn/Driver/Error.h"

#include <algorithm>
#include <deque>
#include <mutex>

namespace ccrnn::driver {

Task::~Task() = default;
Scorer::~Scorer() = default;

EpochData::EpochData(EpochData &&other) noexcept
    : own(std::move(other.own)),
      set(other.set == &other.own ? &own : other.set),
      order(std::move(other.order)), batches(other.batches) {}

void EpochData::gather(int64_t b, int64_t B, float *inputs, float *targets,
                       int64_t *labels) const {
  const Dataset &d = *set;
  const int64_t in = d.sampleInputs(), out = d.targetSize;
  if (order.empty()) {
    d.readInputs(b * B, B, inputs);
    std::copy_n(d.targets.begin() + b * B * out, B * out, targets);
    if (labels)
      for (int64_t i = 0; i < B; ++i)
        labels[i] = d.labels[b * B + i];
    return;
  }
  for (int64_t i = 0; i < B; ++i) {
    const int64_t j = order[(b * B + i) % d.size];
    d.readInputs(j, 1, inputs + i * in);
    std::copy_n(d.targets.begin() + j * out, out, targets + i * out);
    if (labels)
      labels[i] = d.labels[j];
  }
}

namespace {
struct Registry {
  std::mutex mutex;
  /// A deque: registering a kind leaves the ones found before in place.
  std::deque<TaskKind> kinds;
};

Registry &registry() {
  static Registry *r = [] {
    auto *reg = new Registry;
    for (TaskKind k : {lineDrawTask(), seqMnistTask(), seqMnistLinesTask(),
                       seqMnistDigitsTask(), captioningTask()})
      reg->kinds.push_back(std::move(k));
    return reg;
  }();
  return *r;
}
} // namespace

void registerTask(TaskKind kind) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const TaskKind &k : r.kinds)
    if (k.name == kind.name)
      throw InputError("task '" + kind.name + "' is registered twice");
  r.kinds.push_back(std::move(kind));
}

std::vector<std::string> taskNames() {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const TaskKind &k : r.kinds)
    names.push_back(k.name);
  return names;
}

std::string taskList() {
  std::string list;
  for (const std::string &name : taskNames())
    list += (list.empty() ? "" : ", ") + name;
  return list;
}

const TaskKind &findTask(const std::string &name) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const TaskKind &k : r.kinds)
    if (k.name == name)
      return k;
  std::string list;
  for (const TaskKind &k : r.kinds)
    list += (list.empty() ? "" : ", ") + k.name;
  throw InputError("unknown task '" + name + "' (valid: " + list + ")");
}

std::unique_ptr<Task> makeTask(const TrainConfig &config) {
  return findTask(config.task).make(config);
}

} // namespace ccrnn::driver
