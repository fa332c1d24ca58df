# ccrnn.load_run reads every file a line-drawing run writes (scores as a
# labelled array, meta.json, checkpoints, trajectories, feedback, plots),
# a shard's shard.npz, an interrupted run's resume.npz, and a sweep.
#
# RUN: rm -rf %t && mkdir -p %t
# DEFINE: %{train} = ccrnn-train --quiet --cache-dir %t/cache --model lstm,dni_lstm --train-size 100 --val-size 50 --test-size 70
# RUN: %{train} --epochs 3 --seed-list 4,9 --record-grads --out %t/run
# RUN: %pyccrnn %s run %t/run | FileCheck %s --check-prefix=ONE
# ONE-LABEL: <ccrnn.Run {{.*}}/run: complete, 2 seeds, models lstm, dni_lstm, 3 epochs>
# ONE-NEXT: scores (seed: 2, model: 2, metric: 5, epoch: 3) ['train_loss', 'val_loss', 'val_dysmetria', 'cosine_synthetic_true', 'cosine_target_true']
# ONE-NEXT: val_loss of dni_lstm equals scores.npy: True
# ONE-NEXT: series [2, 3]
# ONE-NEXT: checkpoints 8: seed4/dni_lstm/final has 12 arrays, rnn.rnn.weight_ih_l0 [4H x 1]
# ONE-NEXT: trajectories: classes, per_seed/dni_lstm, per_seed/lstm, pred/dni_lstm, pred/lstm, target
# ONE-NEXT: feedback of seed 9, dni_lstm: 6 arrays
# ONE-NEXT: result of seed 9, lstm: 3 epochs
# ONE-NEXT: plots: curves.png, lines.png
# ONE-NEXT: config: controls, model_sizes, seeds, task, training
# ONE-NEXT: no shard, no resume
#
# RUN: %{train} --epochs 3 --seed-list 4,9 --shard 1/2 --out %t/shard
# RUN: %pyccrnn %s shard %t/shard | FileCheck %s --check-prefix=SHARD
# SHARD: shard.npz: {{[0-9]+}} arrays
#
# RUN: not %S/../Driver/Inputs/interrupt.sh %t/stopped/resume.npz %{train} --seed-list 4 --epochs 40 --out %t/stopped
# RUN: %pyccrnn %s stopped %t/stopped | FileCheck %s --check-prefix=STOPPED
# STOPPED: status interrupted, resume.npz: {{[0-9]+}} arrays
#
# RUN: %{train} --epochs 3 --seed-list 4 --bptt 1,2 --out %t/sweep
# RUN: %pyccrnn %s sweep %t/sweep | FileCheck %s --check-prefix=SWEEP
# SWEEP: <ccrnn.Sweep {{.*}}/sweep: complete, points bptt=1, bptt=2>
# SWEEP-NEXT: scores (point: 2, seed: 1, model: 2, metric: 3, epoch: 3)
# SWEEP-NEXT: point bptt=2 is a run: complete, scores equal the sweep's: True
#
# RUN: not %pyccrnn %s run %t 2>&1 | FileCheck %s --check-prefix=NODIR
# NODIR: ccrnn.runs.RunError: {{.*}}: no meta.json (not a ccrnn-train run directory)
import sys

import numpy as np

import ccrnn


def names(d):
    return ", ".join(sorted(d))


kind, path = sys.argv[1], sys.argv[2]
r = ccrnn.load_run(path)
if kind == "run":
    print(r)
    s = r.scores
    print("scores (%s) %s" % (", ".join("%s: %d" % x for x in
                                        zip(s.dims, s.shape)),
                              s.coords["metric"]))
    raw = np.load(path + "/scores.npy")
    print("val_loss of dni_lstm equals scores.npy:",
          np.array_equal(s.sel(model="dni_lstm", metric="val_loss").values,
                         raw[:, 1, 1, :]))
    print("series", list(r.series("lstm", "train_loss").shape))
    c = r.checkpoint(4, "dni_lstm")
    w = c["rnn.rnn.weight_ih_l0"]
    print("checkpoints %d: seed4/dni_lstm/final has %d arrays, "
          "rnn.rnn.weight_ih_l0 [%s x %d]" % (
              len(r.checkpoints), len(c),
              "4H" if w.shape[0] == 4 * c["rnn.rnn.weight_hh_l0"].shape[1]
              else w.shape[0], w.shape[1]))
    print("trajectories:", names(r.trajectories))
    print("feedback of seed 9, dni_lstm: %d arrays" %
          len(r.feedback(9, "dni_lstm")))
    print("result of seed 9, lstm: %d epochs" %
          r.result(9, "lstm")["epochs_completed"])
    print("plots:", ", ".join(p.rsplit("/", 1)[1] for p in r.plots))
    print("config:", names(r.config))
    print("no shard" if r.shard is None else "shard",
          "no resume" if r.resume is None else "resume", sep=", ")
elif kind == "shard":
    print("shard.npz: %d arrays" % len(r.shard))
elif kind == "stopped":
    print("status %s, resume.npz: %d arrays" % (r.status, len(r.resume)))
elif kind == "sweep":
    print(r)
    s = r.scores
    print("scores (%s)" % ", ".join("%s: %d" % x for x in zip(s.dims, s.shape)))
    p = r.point(bptt=2)
    print("point bptt=2 is a run: %s, scores equal the sweep's: %s" % (
        p.status, np.array_equal(p.scores.values,
                                 s.sel(point="bptt=2").values)))
