# Bad arguments raise ValueError or TypeError naming what was expected, and
# the C side's failures arrive as ccrnn.CcrnnError with ccrnn-train's
# one-line message; nothing crashes.
#
# RUN: rm -rf %t && mkdir -p %t
# RUN: env CCRNN_CACHE_DIR=%t/cache %pyccrnn %s ccrnn-train 2>&1 | FileCheck %s
# CHECK: compile('nosuch'): CcrnnError: unknown model 'nosuch' (bundled models: {{.*}}; or give a path to a .mlir file)
# CHECK-NEXT: the same message as ccrnn-train's: True
# CHECK-NEXT: compile(3): TypeError: model: expected a bundled model's name or a path to a .mlir file, got 3
# CHECK-NEXT: compile(bptt=0): ValueError: bptt: expected a positive integer, got 0
# CHECK-NEXT: compile(device='gpu'): ValueError: device: expected 'cpu' or 'cuda', got 'gpu'
# CHECK-NEXT: compile(hiden=3): CcrnnError: trainer options: {{.*}}hiden{{.*}}
# CHECK-NEXT: compile(bad.mlir): CcrnnError: cannot compile model bad: `{{.*}}ccrnn-opt --ccrnn-describe-model {{.*}}bad.mlir -o /dev/null` failed (exit status 1): | {{.*}}bad.mlir:1:15: error: expected '(' | ccrnn.model @m {
# CHECK-NEXT: the same message as ccrnn-train's: True
# CHECK-NEXT: Trainer.load: CcrnnError: model {{.*}}nosuch.so: cannot load trainer {{.*}}
# CHECK-NEXT: init_params(-1): TypeError: seed: expected an integer in [0, 2**64), got -1
# CHECK-NEXT: step(missing): ValueError: params: missing linear.bias (the model's parameters: rnn.rnn.weight_ih_l0, {{.*}})
# CHECK-NEXT: step(extra): ValueError: params: unknown bogus (the model's parameters: {{.*}})
# CHECK-NEXT: step(float64): TypeError: params['linear.weight']: expected dtype float32, got float64
# CHECK-NEXT: step(shape): ValueError: inputs: expected shape [50, 10, 1], got [50, 10, 2]
# CHECK-NEXT: step(list): TypeError: targets: expected a numpy array of float32 [50, 10, 2], got list
# CHECK-NEXT: step(strided): ValueError: inputs: expected a C-contiguous array (np.ascontiguousarray makes one)
# CHECK-NEXT: step(state): ValueError: state: expected shape [{{[0-9]+}}], got [3]
# CHECK-NEXT: step(readonly grads): ValueError: grads['rnn.rnn.weight_ih_l0']: expected a writable array
# CHECK-NEXT: Task('nosuch'): CcrnnError: {{.*}}nosuch{{.*}}linedraw{{.*}}
# CHECK-NEXT: Task('captioning'): CcrnnError: task captioning: a task of token models trains window by window through a loop of its own; the C API does not drive it (train it with ccrnn-train)
# CHECK-NEXT: Task(seq_length=3): CcrnnError: task setting 'seq_length': task linedraw has no such setting (its settings: name, seq_len, input_noise, train_size, val_size, test_size)
# CHECK-NEXT: Task(seq_len='x'): CcrnnError: task settings: {{.*}}
# CHECK-NEXT: Task(seq_len=0): CcrnnError: --seq-len {{.*}}
# CHECK-NEXT: Task(batch_size=0): ValueError: batch_size: expected a positive integer, got 0
# CHECK-NEXT: batches(epoch=0): CcrnnError: epoch 0: epochs count from 1
# CHECK-NEXT: evaluate(which='dev'): ValueError: which: expected 'train', 'val' or 'test', got 'dev'
# CHECK-NEXT: Optimizer('adamw'): ValueError: kind: expected one of adam, rmsprop, sgd, adamax, adagrad, adadelta, got 'adamw'
# CHECK-NEXT: Optimizer(lr=0): ValueError: lr: expected a positive number, got 0
# CHECK-NEXT: step(frozen): ValueError: frozen: unknown nosuch (the model's parameters: {{.*}})
# CHECK-NEXT: step(read-only params): ValueError: params['rnn.rnn.weight_ih_l0']: expected a writable array
# CHECK-NEXT: set_threads(0): CcrnnError: threads must be in [1, 1024], got 0
# CHECK-NEXT: set_threads(2.5): TypeError: threads: expected an integer, got 2.5
# CHECK-NEXT: PlateauScheduler(factor=2): CcrnnError: factor must be in (0, 1), got 2
# CHECK-NEXT: load_run(3): TypeError: path: expected a directory path, got 3
# CHECK-NEXT: load_run(missing): RunError: {{.*}}/nowhere: not a directory
import os
import subprocess
import sys
import tempfile

import numpy as np

import ccrnn


def attempt(what, fn):
    """Prints the error of fn() on one line (a compiler's diagnostics
    joined with " | "); returns its message."""
    try:
        fn()
        print("%s: no error" % what)
    except (ValueError, TypeError, ccrnn.CcrnnError, ccrnn.RunError) as e:
        print("%s: %s: %s" % (what, type(e).__name__,
                              str(e).rstrip("\n").replace("\n", " | ")))
        return str(e)


def same_as_train(message, model):
    """Whether ccrnn-train --model MODEL fails with `message`."""
    out = subprocess.run([sys.argv[1], "--model", model, "--out",
                          os.path.join(tmp, "train")], capture_output=True,
                         text=True)
    print("the same message as ccrnn-train's:",
          out.stderr == "ccrnn-train: error: " + message + "\n" or
          out.stderr == "ccrnn-train: error: " + message)


tmp = tempfile.mkdtemp()
same_as_train(attempt("compile('nosuch')", lambda: ccrnn.compile("nosuch")),
              "nosuch")
attempt("compile(3)", lambda: ccrnn.compile(3))
attempt("compile(bptt=0)", lambda: ccrnn.compile("lstm", bptt=0))
attempt("compile(device='gpu')", lambda: ccrnn.compile("lstm", device="gpu"))
attempt("compile(hiden=3)", lambda: ccrnn.compile("lstm", hiden=3))
bad = os.path.join(tmp, "bad.mlir")
with open(bad, "w") as f:
    f.write("ccrnn.model @m {\n")
same_as_train(attempt("compile(bad.mlir)", lambda: ccrnn.compile(bad)), bad)
attempt("Trainer.load",
        lambda: ccrnn.Trainer.load(os.path.join(tmp, "nosuch.so")))

t = ccrnn.compile("dni_lstm")
attempt("init_params(-1)", lambda: t.init_params(-1))
p = t.init_params(0)
task = ccrnn.Task("linedraw")
data = task.data(0)
x, y = next(task.batches(data, 0, 1))
attempt("step(missing)", lambda: t.step(
    {k: v for k, v in p.items() if k != "linear.bias"}, x, y))
attempt("step(extra)", lambda: t.step(dict(p, bogus=p["linear.bias"]), x, y))
attempt("step(float64)", lambda: t.step(
    dict(p, **{"linear.weight": p["linear.weight"].astype(np.float64)}), x, y))
attempt("step(shape)", lambda: t.step(p, np.zeros((50, 10, 2), np.float32), y))
attempt("step(list)", lambda: t.step(p, x, y.tolist()))
attempt("step(strided)", lambda: t.step(
    p, np.zeros((50, 10, 2), np.float32)[:, :, :1], y))
attempt("step(state)", lambda: t.step(p, x, y, state=np.zeros(3, np.float32)))
readonly = t.new_grads()
readonly["rnn.rnn.weight_ih_l0"].flags.writeable = False
attempt("step(readonly grads)", lambda: t.step(p, x, y, grads=readonly))

attempt("Task('nosuch')", lambda: ccrnn.Task("nosuch"))
attempt("Task('captioning')", lambda: ccrnn.Task("captioning"))
attempt("Task(seq_length=3)", lambda: ccrnn.Task("linedraw", seq_length=3))
attempt("Task(seq_len='x')", lambda: ccrnn.Task("linedraw", seq_len="x"))
attempt("Task(seq_len=0)", lambda: ccrnn.Task("linedraw", seq_len=0))
attempt("Task(batch_size=0)", lambda: ccrnn.Task("linedraw", batch_size=0))
attempt("batches(epoch=0)", lambda: next(task.batches(data, 0, 0)))
attempt("evaluate(which='dev')",
        lambda: task.evaluate(t, p, data, which="dev"))

attempt("Optimizer('adamw')", lambda: ccrnn.Optimizer(t, "adamw"))
attempt("Optimizer(lr=0)", lambda: ccrnn.Optimizer(t, lr=0))
opt = ccrnn.Optimizer(t)
_, g, _ = t.step(p, x, y)
attempt("step(frozen)", lambda: opt.step(p, g, frozen=["nosuch"]))
frozen_p = {k: v.copy() for k, v in p.items()}
frozen_p["rnn.rnn.weight_ih_l0"].flags.writeable = False
attempt("step(read-only params)", lambda: opt.step(frozen_p, g))

attempt("set_threads(0)", lambda: ccrnn.set_threads(0))
attempt("set_threads(2.5)", lambda: ccrnn.set_threads(2.5))
attempt("PlateauScheduler(factor=2)",
        lambda: ccrnn.PlateauScheduler(factor=2))
attempt("load_run(3)", lambda: ccrnn.load_run(3))
attempt("load_run(missing)",
        lambda: ccrnn.load_run(os.path.join(tmp, "nowhere")))
