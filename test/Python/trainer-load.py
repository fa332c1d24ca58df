# ccrnn.Trainer.load: a trainer CMake built as a shared library
# (ccrnn_add_trainer_library in test/CMakeLists.txt) and a cache entry's
# trainer.so load and step with the bits of the same trainer compiled by
# ccrnn.compile; and steps in two threads at once (ctypes releases the GIL;
# each thread has its own trainer instance) give the bits of the same steps
# one after the other.
#
# RUN: rm -rf %t && mkdir -p %t
# RUN: env CCRNN_CACHE_DIR=%t/cache %pyccrnn %s %ccrnn_obj_root/test/Python/trainer_tanh_b8.so | FileCheck %s
# CHECK: loaded tanh (bptt=2 interval=1 batch=8 steps=6): same description as compiled: True
# CHECK-NEXT: CMake's library: loss and gradients identical to the compiled trainer's
# CHECK-NEXT: the cache's trainer.so: loss and gradients identical to the compiled trainer's
# CHECK-NEXT: two threads: identical to one after the other
import sys
import threading

import numpy as np

import ccrnn

compiled = ccrnn.compile("tanh", bptt=2, interval=1, batch=8, steps=6)
loaded = ccrnn.Trainer.load(sys.argv[1])
print("loaded %s (%s): same description as compiled: %s" % (
    loaded.model, loaded.options,
    (loaded.param_shapes, loaded.options, loaded.state_size) ==
    (compiled.param_shapes, compiled.options, compiled.state_size)))

rng = np.random.default_rng(1)
inputs = rng.standard_normal(compiled.input_shape).astype(np.float32)
targets = rng.standard_normal(compiled.target_shape).astype(np.float32)
params = compiled.init_params(4)


def same(a, b):
    return a.loss == b.loss and a.state.tobytes() == b.state.tobytes() and \
        all(a.grads[n].tobytes() == b.grads[n].tobytes() for n in a.grads)


reference = compiled.step(params, inputs, targets)
for name, trainer in (("CMake's library", loaded),
                      ("the cache's trainer.so", ccrnn.Trainer.load(compiled.id))):
    print("%s: loss and gradients %s to the compiled trainer's" % (
        name, "identical" if same(trainer.step(params, inputs, targets),
                                  reference) else "DIFFERENT"))

# Eight seeds' steps, in two threads and then one after the other.
seeds = range(8)
together = {}


def work(part):
    for s in part:
        together[s] = compiled.step(compiled.init_params(s), inputs, targets)


threads = [threading.Thread(target=work, args=(seeds[i::2],))
           for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
alone = {s: compiled.step(compiled.init_params(s), inputs, targets)
         for s in seeds}
print("two threads:", "identical to one after the other" if all(
    same(together[s], alone[s]) for s in seeds) else "DIFFERENT")
