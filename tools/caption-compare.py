#!/usr/bin/env python3
"""Compares the models of a captioning run (ccrnn-train --task captioning)
seed by seed, from its meta.json: per model the mean +- SEM over seeds of
the best validation bits per word, BLEU-4 overall and per caption-length
bucket, and the same with the validation images shuffled; then, for a pair
of models, the paired differences (second - first, seed by seed: both
models of a seed share the data, the batch order and the dropout streams)
with the number of seeds where the second is better, an exact two-sided
sign test and the paired t statistic.

Usage: tools/caption-compare.py RUN_DIR [--pair FIRST SECOND] [--markdown]
  --pair      the models to compare (default: the run's first two)
"better/worse" counts the seeds where the second model is better / worse
(lower bits, higher BLEU); ties count for neither.
  --markdown  tables as Markdown (docs/Results.md)
Needs python3-scipy (tools/install-deps.sh): the sign test is tools/reproduce/stats.py's.
"""
import argparse
import json
import os
import sys

# The statistics and measures shared with tools/reproduce.sh.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reproduce"))
from captioning import caption_measures as measures  # noqa: E402
try:
    from stats import mean_sem, sign_test  # noqa: E402
except ImportError as e:
    sys.exit("caption-compare: %s: %s needs SciPy (Debian's python3-scipy, "
             "tools/install-deps.sh)" % (e, sys.executable))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--pair", nargs=2)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    path = os.path.join(args.run, "meta.json")
    try:
        with open(path) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("caption-compare: cannot read %s: %s" % (path, e))
    if meta.get("task", {}).get("name") != "captioning":
        sys.exit("caption-compare: %s is not a captioning run" % path)
    results = [r for r in meta["results"] if r.get("finished")]
    models = [m["name"] for m in meta["models"]]
    by = {}
    for r in results:
        by.setdefault(r["model"], {})[r["seed"]] = measures(r)
    if not by:
        sys.exit("caption-compare: %s has no finished (seed, model) pair" % path)
    names = list(measures(results[0]).keys())

    def row(cells):
        if args.markdown:
            return "| " + " | ".join(cells) + " |"
        return "  ".join("%-22s" % c for c in cells)

    print(row(["model", "seeds"] + names))
    if args.markdown:
        print(row(["---"] * (len(names) + 2)))
    for model in models:
        seeds = by.get(model, {})
        if not seeds:
            continue
        cells = [model, str(len(seeds))]
        for name in names:
            m, s = mean_sem([v[name][0] for v in seeds.values()])
            cells.append("%.3f ± %.3f" % (m, s))
        print(row(cells))

    first, second = args.pair or models[:2]
    if first not in by or second not in by:
        sys.exit("caption-compare: no finished pairs of %s and %s" % (first, second))
    seeds = sorted(set(by[first]) & set(by[second]))
    print()
    print("%s - %s, paired over %d seeds:" % (second, first, len(seeds)))
    print(row(["measure", "difference", "better/worse", "sign test p",
               "paired t"]))
    if args.markdown:
        print(row(["---"] * 5))
    for name in names:
        diffs = [by[second][s][name][0] - by[first][s][name][0] for s in seeds]
        higher = by[first][seeds[0]][name][1]
        # Ties (equal to 1e-12) count for neither side of the sign test.
        better = sum(1 for d in diffs if (d > 1e-12 if higher else d < -1e-12))
        worse = sum(1 for d in diffs if (d < -1e-12 if higher else d > 1e-12))
        m, sem = mean_sem(diffs)
        t = "%.2f" % (m / sem) if sem > 1e-12 else "-"
        p = "%.3f" % sign_test(better, better + worse) if better + worse else "-"
        print(row([name, "%+.3f ± %.3f" % (m, sem),
                   "%d/%d" % (better, worse), p, t]))


if __name__ == "__main__":
    main()
