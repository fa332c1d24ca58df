"""ccrnn from Python: compiled ccRNN trainers called on numpy arrays, the
tasks' data and scoring, the optimizer, and ccrnn-train's runs read back.

    import ccrnn
    trainer = ccrnn.compile("dni_lstm")           # bptt=1, interval=2, ...
    task = ccrnn.Task("linedraw")
    params = trainer.init_params(seed=0)
    opt = ccrnn.Optimizer(trainer)                 # Adam, lr 1e-3, clip 1
    data = task.data(seed=0)
    for epoch in range(1, 101):
        for inputs, targets in task.batches(data, seed=0, epoch=epoch):
            loss, grads, _ = trainer.step(params, inputs, targets)
            opt.step(params, grads)
        print(task.evaluate(trainer, params, data)["loss"])

Run `ccrnn.load_run(dir)` on a directory ccrnn-train wrote, and
`ccrnn.torch.to_module(checkpoint)` for a PyTorch module (needs torch).
numpy is the only dependency; matplotlib and torch are optional.
"""
from ._capi import CcrnnError
from .optim import Optimizer, PlateauScheduler
from .runs import Labelled, Run, RunError, Sweep, load_run
from .task import Dataset, SeedData, Task
from .trainer import StepResult, Trainer, compile, set_threads

__all__ = ["CcrnnError", "Dataset", "Labelled", "Optimizer", "PlateauScheduler", "Run",
           "RunError", "SeedData", "StepResult", "Sweep", "Task", "Trainer",
           "compile", "load_run", "set_threads"]
