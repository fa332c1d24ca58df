# Run.plot draws a metric's learning curves with matplotlib: one line per
# model, its mean over the seeds, with the SEM band (scipy.stats.sem's:
# the sample deviation over sqrt(n)).
#
# REQUIRES: matplotlib
# RUN: rm -rf %t && mkdir -p %t
# RUN: ccrnn-train --quiet --cache-dir %t/cache --model lstm,dni_lstm --epochs 3 --train-size 100 --val-size 50 --test-size 20 --seeds 3 --out %t/run
# RUN: env MPLBACKEND=Agg %pyccrnn %s %t/run %t/curves.png | FileCheck %s
# CHECK: lines: lstm, dni_lstm
# CHECK-NEXT: lstm: mean of the seeds: True, band of the SEM: True
# CHECK-NEXT: dni_lstm: mean of the seeds: True, band of the SEM: True
# CHECK-NEXT: y axis log, written: True
import os
import sys

import numpy as np

import ccrnn

run = ccrnn.load_run(sys.argv[1])
ax = run.plot("val_loss")
print("lines:", ", ".join(line.get_label() for line in ax.get_lines()))
for line, band in zip(ax.get_lines(), ax.collections):
    v = run.series(line.get_label(), "val_loss")
    mean = v.mean(axis=0)
    sem = v.std(axis=0, ddof=1) / np.sqrt(len(v))
    top = band.get_paths()[0].vertices[:, 1].max()
    print("%s: mean of the seeds: %s, band of the SEM: %s" % (
        line.get_label(), np.allclose(line.get_ydata(), mean),
        np.isclose(top, (mean + sem).max())))
ax.figure.savefig(sys.argv[2])
print("y axis %s, written: %s" % (ax.get_yscale(),
                                  os.path.getsize(sys.argv[2]) > 0))
