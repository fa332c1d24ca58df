#!/usr/bin/env python3
"""Overlays learning curves of several ccrnn-train runs in one PNG (gnuplot).

  tools/plot-runs.py --metric val_loss --out lesions.png \\
      'intact=results/intact:dni_lstm' 'ablated at 50=results/ablated:dni_lstm'

Each curve is LABEL=RUN_DIR:MODEL[@METRIC]: the mean +- SEM over the run's
seeds of one score (scores.npy, whose metric names meta.json lists; --metric
unless the curve names its own). --vline E draws
a dashed line at epoch E (e.g. a lesion). Needs only python3 and gnuplot.
"""

import argparse
import ast
import json
import math
import os
import struct
import subprocess
import sys
import tempfile


def read_scores(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit("plot-runs: %s: not a .npy file" % path)
    length, start = (struct.unpack("<H", data[8:10])[0], 10) if data[6] == 1 \
        else (struct.unpack("<I", data[8:12])[0], 12)
    header = ast.literal_eval(data[start:start + length].decode("latin1"))
    shape = header["shape"]
    count = 1
    for n in shape:
        count *= n
    return shape, struct.unpack("<%dd" % count, data[start + length:])


def curve(run, model, metric):
    try:
        meta = json.load(open(os.path.join(run, "meta.json")))
        (seeds, models, metrics, epochs), values = read_scores(
            os.path.join(run, "scores.npy"))
    except OSError as e:
        sys.exit("plot-runs: %s" % e)
    names = [m["name"] for m in meta["models"]]
    if model not in names:
        sys.exit("plot-runs: %s has no model %s (it has %s)" %
                 (run, model, ", ".join(names)))
    if metric not in meta["metrics"]:
        sys.exit("plot-runs: %s has no score %s (it has %s)" %
                 (run, metric, ", ".join(meta["metrics"])))
    m, k = names.index(model), meta["metrics"].index(metric)
    rows = []
    for e in range(epochs):
        v = [values[((s * models + m) * metrics + k) * epochs + e]
             for s in range(seeds)]
        v = [x for x in v if math.isfinite(x)]
        if not v:
            continue
        mean = sum(v) / len(v)
        sem = (math.sqrt(sum((x - mean) ** 2 for x in v) / (len(v) - 1)) /
               math.sqrt(len(v))) if len(v) > 1 else 0.0
        rows.append((e + 1, mean, sem))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("curves", nargs="+", help="LABEL=RUN_DIR:MODEL[@METRIC]")
    p.add_argument("--metric", default="val_loss")
    p.add_argument("--out", required=True, help="the PNG to write")
    p.add_argument("--title", default="")
    p.add_argument("--log", action="store_true", help="log-scale y")
    p.add_argument("--vline", type=float, help="a dashed line at this epoch")
    p.add_argument("--yrange", help="gnuplot's y range, e.g. -1:1")
    a = p.parse_args()
    tmp = tempfile.mkdtemp()
    plots = []
    for i, spec in enumerate(a.curves):
        if "=" not in spec or ":" not in spec.split("=", 1)[1]:
            sys.exit("plot-runs: %r is not LABEL=RUN_DIR:MODEL[@METRIC]" % spec)
        label, rest = spec.split("=", 1)
        run, model = rest.rsplit(":", 1)
        model, _, metric = model.partition("@")
        data = os.path.join(tmp, "c%d.dat" % i)
        with open(data, "w") as f:
            for e, mean, sem in curve(run, model, metric or a.metric):
                f.write("%d %.9g %.9g %.9g\n" % (e, mean, mean - sem, mean + sem))
        plots.append("'%s' using 1:3:4 with filledcurves fs transparent solid "
                     "0.2 noborder lc %d notitle, '%s' using 1:2 with lines "
                     "lw 2 lc %d title '%s'" % (data, i + 1, data, i + 1, label))
    script = ["set terminal pngcairo size 800,500 enhanced",
              "set output '%s'" % (a.out + ".tmp"),
              "set xlabel 'epoch'", "set ylabel '%s'" % a.metric.replace("_", " "),
              "set yrange [%s]" % a.yrange if a.yrange else "",
              "set grid", "set key top right",
              "set title '%s'" % a.title.replace("'", "")]
    if a.log:
        script.append("set logscale y")
    if a.vline is not None:
        script.append("set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 "
                      "lc rgb 'black'" % (a.vline, a.vline))
    script.append("plot " + ", ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True,
                   check=True)
    os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
