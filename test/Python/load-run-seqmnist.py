# ccrnn.load_run on a sequential-MNIST run (a classification task: no
# trajectories), and the run's own trainer and task (Run.trainer,
# Task.from_run) score its final parameters on the validation set with the
# bits of the last epoch's scores.
#
# REQUIRES: mnist
# RUN: rm -rf %t && mkdir -p %t
# RUN: ccrnn-train --quiet --cache-dir %t/cache --task seqmnist --model lstm,dni_lstm --epochs 2 --train-size 300 --val-size 120 --test-size 60 --seed-list 1 --out %t/run
# RUN: env CCRNN_CACHE_DIR=%t/cache %pyccrnn %s %t/run | FileCheck %s
# CHECK: <ccrnn.Run {{.*}}/run: complete, 1 seeds, models lstm, dni_lstm, 2 epochs>
# CHECK-NEXT: metrics: train_loss, val_loss, val_accuracy, val_uncertainty
# CHECK-NEXT: test metrics: test_loss, test_accuracy, test_dysmetria
# CHECK-NEXT: trajectories: None
# CHECK-NEXT: task seqmnist, classifies: True, labels of the test set: 60
# CHECK-NEXT: lstm: trainer bptt=3 interval=1 batch=50 steps=28, final epoch's validation scores identical
# CHECK-NEXT: dni_lstm: trainer bptt=3 interval=1 batch=50 steps=28, final epoch's validation scores identical
import sys

import ccrnn

run = ccrnn.load_run(sys.argv[1])
print(run)
print("metrics:", ", ".join(run.metrics))
print("test metrics:", ", ".join(run.test_metrics))
print("trajectories:", run.trajectories)
task = ccrnn.Task.from_run(run)
seed = run.seeds[0]
data = task.data(seed)
print("task %s, classifies: %s, labels of the test set: %d" %
      (task.name, task.classifies, len(data["test"].labels)))
for model in run.models:
    trainer = run.trainer(model)
    val = task.evaluate(trainer, run.checkpoint(seed, model), data)
    mine = [val["loss"]] + [val[m] for m in task.validation_metrics]
    theirs = run.scores.sel(seed=seed, model=model).values[1:, -1]
    print("%s: trainer %s, final epoch's validation scores %s" % (
        model, trainer.options,
        "identical" if mine == list(theirs) else "DIFFER %s %s" %
        (mine, list(theirs))))
