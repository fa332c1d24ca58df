# Trainer.step's loss and gradients are those of ccrnn-train --dump-step on
# the same batch from the same seed's parameters, bit for bit: a batch of
# the line-drawing task (the bundled trainer) and one of another shape (a
# trainer compiled into the cache); the optimizer's norm is the dump's.
#
# RUN: rm -rf %t && mkdir -p %t
# RUN: %pyccrnn %s write %t/paper.npz 50 10
# RUN: ccrnn-train --quiet --cache-dir %t/cache --model dni_lstm --seed-list 7 --dump-step %t/paper-dump.npz --batch %t/paper.npz
# RUN: %pyccrnn %s compare %t/paper.npz %t/paper-dump.npz dni_lstm 7 | FileCheck %s --check-prefix=PAPER
# PAPER: dni_lstm (bundled): loss identical, 12 gradients identical, norm identical
#
# RUN: %pyccrnn %s write %t/other.npz 6 13
# RUN: ccrnn-train --quiet --cache-dir %t/cache --model cdni_lstm --seed-list 2 --dump-step %t/other-dump.npz --batch %t/other.npz
# RUN: env CCRNN_CACHE_DIR=%t/cache %pyccrnn %s compare %t/other.npz %t/other-dump.npz cdni_lstm 2 | FileCheck %s --check-prefix=OTHER
# OTHER: cdni_lstm (compiled): loss identical, 14 gradients identical, norm identical
import sys

import numpy as np

import ccrnn


def write(path, batch, steps):
    """A batch of the line-drawing task: its first epoch's first batch."""
    task = ccrnn.Task("linedraw", batch_size=batch, seq_len=steps)
    inputs, targets = next(task.batches(task.data(11), seed=11, epoch=1))
    np.savez(path, inputs=inputs, targets=targets)


def compare(batch_path, dump_path, model, seed):
    batch = np.load(batch_path)
    dump = np.load(dump_path)
    inputs, targets = batch["inputs"], batch["targets"]
    trainer = ccrnn.compile(model, bptt=1, interval=2, batch=inputs.shape[0],
                            steps=inputs.shape[1])
    params = trainer.init_params(seed)
    loss, grads, _ = trainer.step(params, inputs, targets)
    same = [n for n in grads if grads[n].tobytes() == dump[n].tobytes()]
    norm = ccrnn.Optimizer(trainer).step(params, grads)
    print("%s (%s): loss %s, %d gradients %s, norm %s" % (
        model, "bundled" if trainer.id == "bundled" else "compiled",
        "identical" if np.float32(loss) == dump["loss"] else "DIFFERS",
        len(grads), "identical" if len(same) == len(grads) else "DIFFER",
        "identical" if norm == dump["grad_norm"] else "DIFFERS"))


if sys.argv[1] == "write":
    write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
else:
    compare(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
