"""ms per training batch driven from Python (tools/bench/bench-python.sh):
ccrnn.Trainer.step and ccrnn.Optimizer.step on random data of the model's
line-drawing shapes, as ccrnn-bench train times the same step from C++.
Prints three medians of 3 timings of N batches: the package's step with
new gradient arrays each time; with preallocated ones; and the same two C
calls made from Python with every argument prepared once (no checks, no
pointer arrays): the difference to the first is what the package's
wrappers cost.  Usage: bench_python.py MODEL N

bench_python.py epochs MODEL E RUN: the median seconds per epoch (its
batches from the task, steps, updates and the validation) of a Python
loop of E epochs on line drawing, and of ccrnn-train's run RUN of the
same (meta.json's epoch_seconds), epochs 2..E."""
import ctypes
import sys
import time

import numpy as np

import ccrnn
from ccrnn import _capi

if sys.argv[1] == "epochs":
    model, epochs, run_dir = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    trainer, task = ccrnn.compile(model), ccrnn.Task("linedraw")
    params, opt, data = trainer.init_params(0), ccrnn.Optimizer(trainer), \
        task.data(0)
    seconds = []
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        for inputs, targets in task.batches(data, 0, epoch):
            opt.step(params, trainer.step(params, inputs, targets).grads)
        task.evaluate(trainer, params, data)
        seconds.append(time.perf_counter() - t0)
    theirs = ccrnn.load_run(run_dir).result(0, model)["epoch_seconds"]
    print("%.5f %.5f" % (np.median(theirs[1:]), np.median(seconds[1:])))
    sys.exit(0)

model, batches = sys.argv[1], int(sys.argv[2])
trainer = ccrnn.compile(model)
rng = np.random.default_rng(0)
inputs = rng.uniform(0, 1, trainer.input_shape).astype(np.float32)
targets = rng.uniform(-10, 10, trainer.target_shape).astype(np.float32)
params = trainer.init_params(0)
# lr 1e-6 as ccrnn-bench: the weights hardly move, the work is the same.
opt = ccrnn.Optimizer(trainer, lr=1e-6)


def median_ms(step):
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(batches):
            step()
        times.append((time.perf_counter() - t0) / batches * 1e3)
    return sorted(times)[1]


def package(grads):
    def step():
        _, g, _ = trainer.step(params, inputs, targets, grads=grads)
        opt.step(params, g)
    return step


# The raw calls: the trainer's train() and ccrnn_optimizer_step with
# every argument built once.
grads = trainer.new_grads()
p = _capi.float_pointers(list(params.values()))
g = _capi.float_pointers(list(grads.values()))
batch = _capi.Batch()
batch.params, batch.inputs, batch.targets = p, inputs.ctypes.data, \
    targets.ctypes.data
state = np.empty(trainer.state_size, np.float32)
handle, train = trainer._handle(), trainer._api.train
step_c = _capi.lib().ccrnn_optimizer_step
norm = ctypes.c_double()


def raw():
    train(handle, ctypes.byref(batch), g, state.ctypes.data)
    step_c(opt._ptr, p, g, None, 1.0, 0.0, ctypes.byref(norm))


for _ in range(20):  # warm-up, as ccrnn-bench
    package(None)()
print("%.4f %.4f %.4f" % (median_ms(package(None)),
                          median_ms(package(trainer.new_grads())),
                          median_ms(raw)))
