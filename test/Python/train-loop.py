# A Python loop with ccrnn's trainer, task and optimizer (compile, init,
# 100 epochs of line drawing) gives ccrnn-train's scores and final
# parameters bit for bit, with the same seed and settings: for bundled
# trainers (the paper setting) and for one compiled into the cache (T = 3).
#
# RUN: rm -rf %t && mkdir -p %t
# RUN: ccrnn-train --quiet --cache-dir %t/cache --model lstm,dni_lstm --seed-list 3 --epochs 100 --out %t/paper
# RUN: %pyccrnn %s %t/paper | FileCheck %s --check-prefix=PAPER
# PAPER: lstm (bundled): 100 epochs, scores identical, final parameters identical
# PAPER: dni_lstm (bundled): 100 epochs, scores identical, final parameters identical
#
# RUN: ccrnn-train --quiet --cache-dir %t/cache --model dni_tanh --seed-list 1 --epochs 5 --bptt 3 --interval 1 --lr 0.003 --clip 0.5 --l2 0.001 --input-noise 0.1 --out %t/compiled
# RUN: env CCRNN_CACHE_DIR=%t/cache %pyccrnn %s %t/compiled | FileCheck %s --check-prefix=COMPILED
# COMPILED: dni_tanh (compiled): 5 epochs, scores identical, final parameters identical
#
# With sparse mossy fibres (the seed's mask passed to every step), and the
# learning rate decayed on plateaus:
# RUN: ccrnn-train --quiet --cache-dir %t/cache --model dni_lstm --seed-list 6 --epochs 6 --nfibres 7 --optim sgd --lr 0.2 --decay-lr --lr-decay-patience 0 --lr-scale 0.5 --out %t/fibres
# RUN: env CCRNN_CACHE_DIR=%t/cache %pyccrnn %s %t/fibres | FileCheck %s --check-prefix=FIBRES
# FIBRES: dni_lstm (compiled): 6 epochs, scores identical, final parameters identical
# FIBRES-NEXT: learning rates: {{[0-9.]+, [0-9.]+}}{{.*}} (as meta.json's: True)
import sys

import numpy as np

import ccrnn

run = ccrnn.load_run(sys.argv[1])
seed = run.seeds[0]
training = run.config["training"]
task = ccrnn.Task.from_run(run)
assert task.score_names == run.metrics, (task.score_names, run.metrics)
data = task.data(seed)
epochs = training["epochs"]
nfibres = run.config["controls"]["nfibres"]

for model in run.models:
    trainer = ccrnn.compile(model, bptt=training["bptt"],
                            interval=training["interval"],
                            batch=training["batch_size"],
                            steps=run.config["task"]["seq_len"],
                            fibres=nfibres)
    params = trainer.init_params(seed)
    mask = trainer.fibre_mask(seed)
    opt = ccrnn.Optimizer(trainer, training["optim"], lr=training["lr"],
                          clip=training["clip"], l2=training["l2"])
    scheduler = ccrnn.PlateauScheduler(training["lr_scale"],
                                       training["lr_decay_patience"]) \
        if training["decay_lr"] else None
    rates = []
    scores = np.full((len(run.metrics), epochs), np.nan)
    for epoch in range(1, epochs + 1):
        total, batches = 0.0, 0
        for inputs, targets in task.batches(data, seed, epoch):
            loss, grads, _ = trainer.step(params, inputs, targets,
                                          fibre_mask=mask)
            opt.step(params, grads)
            total += loss
            batches += 1
        val = task.evaluate(trainer, params, data)
        rates.append(opt.lr)
        if scheduler:
            scheduler.step(val["loss"], opt)
        scores[:, epoch - 1] = [total / batches, val["loss"]] + \
            [val[m] for m in task.validation_metrics]
    same_scores = scores.tobytes() == \
        run.scores.sel(seed=seed, model=model).values.tobytes()
    final = run.checkpoint(seed, model)
    same_params = sorted(final) == sorted(trainer.param_names) and all(
        final[n].tobytes() == params[n].tobytes() for n in params)
    kind = "bundled" if trainer.id == "bundled" else "compiled"
    print("%s (%s): %d epochs, scores %s, final parameters %s" %
          (model, kind, epochs, "identical" if same_scores else "DIFFER",
           "identical" if same_params else "DIFFER"))
    if scheduler:
        print("learning rates: %s (as meta.json's: %s)" % (
            ", ".join(sorted({"%g" % r for r in rates}, key=float,
                             reverse=True)),
            rates == run.result(seed, model)["lr"]))
    if not same_scores:
        print(scores[:, :3], run.scores.sel(seed=seed, model=model).values[:, :3])
