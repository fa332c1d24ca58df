"""ms per training batch driven from Python (tools/bench/bench-python.sh):
ccrnn.Trainer.step and ccrnn.Optimizer.step on random data of the model's
line-drawing shapes, as ccrnn-bench train times the same step from C++.
Prints the median of 3 timings of N batches: with new gradient arrays each
step, and with preallocated ones.  Usage: bench_python.py MODEL N"""
import sys
import time

import numpy as np

import ccrnn

model, batches = sys.argv[1], int(sys.argv[2])
trainer = ccrnn.compile(model)
rng = np.random.default_rng(0)
inputs = rng.uniform(0, 1, trainer.input_shape).astype(np.float32)
targets = rng.uniform(-10, 10, trainer.target_shape).astype(np.float32)
params = trainer.init_params(0)
# lr 1e-6 as ccrnn-bench: the weights hardly move, the work is the same.
opt = ccrnn.Optimizer(trainer, lr=1e-6)


def ms_per_batch(grads):
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(batches):
            _, g, _ = trainer.step(params, inputs, targets, grads=grads)
            opt.step(params, g)
        times.append((time.perf_counter() - t0) / batches * 1e3)
    return sorted(times)[1]


for _ in range(20):  # warm-up, as ccrnn-bench
    opt.step(params, trainer.step(params, inputs, targets).grads)
print("%.4f %.4f" % (ms_per_batch(None), ms_per_batch(trainer.new_grads())))
