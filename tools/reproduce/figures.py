"""The figures and tables of an experiment (experiments/*.json), from its
finished runs: learning-curve panels, the ccRNN/cRNN ratio across feedback
horizons, the captioning comparison, and paired comparisons over seeds.
Each function returns Markdown lines for the report."""
import math
import os

import numpy as np

import plot
import stats
from captioning import caption_measures
from ccrnn import Run, RunError

# The reference's plotting colours (plotting/seqmnist_curves_all.py): cRNN
# grey, ccRNN orange, full BPTT red; then others.
COLOURS = {"lstm": "#808080", "caption_lstm": "#808080", "tanh": "#808080",
           "dni_lstm": "#f9aa38", "caption_dni_lstm": "#f9aa38", "dni_tanh": "#f9aa38"}
OTHERS = ["#1f77b4", "#2ca02c", "#9467bd", "#d62728", "#8c564b"]


def fmt(mean, sem):
    if not math.isfinite(mean):
        return "—"
    if sem <= 1e-12 * abs(mean):  # no spread but rounding's
        sem = 0.0
    digits = 3 if sem == 0 else max(2, 1 - int(math.floor(math.log10(abs(sem)))))
    digits = min(digits, 6)
    return "%.*f ± %.*f" % (digits, mean, digits, sem)


def fmt_p(p):
    if not math.isfinite(p):
        return "—"
    return "%.3f" % p if p >= 0.001 else ("%.1e" % p if p > 0 else "0")


def open_run(path):
    """The finished run in `path` (ccrnn.load_run's reader)."""
    for name in ("meta.json", "scores.npy"):
        if not os.path.exists(os.path.join(path, name)):
            raise RunError("no finished run in %s (%s is missing; train it "
                           "without --report-only)" % (path, name))
    return Run(path)


def finished_results(run, model):
    """The per-seed result objects of meta.json for `model`, by seed."""
    return {r["seed"]: r for r in run.results
            if r["model"] == model and r.get("finished")}


def sweep_points(path):
    """bptt value -> Run of a --bptt sweep's directory."""
    out = {}
    for name in os.listdir(path):
        if name.startswith("bptt="):
            out[int(name[5:])] = open_run(os.path.join(path, name))
    if not out:
        raise RunError("%s holds no bptt=<T> run (not a --bptt sweep)" % path)
    return out


def run_of(runs_dir, ref):
    path = os.path.join(runs_dir, ref["run"])
    if "bptt" in ref:
        path = os.path.join(path, "bptt=%d" % ref["bptt"])
    return open_run(path)


def series(runs_dir, ref, metric):
    """[seeds, epochs] of a curve reference {run, [bptt], model}, scaled."""
    return run_of(runs_dir, ref).series(ref["model"], metric) * ref.get("scale", 1.0)


def curve_rows(values):
    rows = []
    for e in range(values.shape[1]):
        col = [v for v in values[:, e] if math.isfinite(v)]
        if col:
            rows.append((e + 1,) + stats.mean_sem(col))
    return rows


def colour(ref, i):
    return ref.get("colour") or COLOURS.get(ref["model"], OTHERS[i % len(OTHERS)])


def curves_figure(runs_dir, fig, png):
    """Panels of learning curves (mean +- SEM over seeds)."""
    panels, md = [], ["| panel | curve | seeds | final | mean over epochs |",
                      "| --- | --- | --- | --- | --- |"]
    for p in fig["panels"]:
        panel = plot.Panel(p["title"], "epoch", p["ylabel"], log=p.get("log", False),
                           vline=p.get("vline"))
        for i, c in enumerate(p["curves"]):
            v = series(runs_dir, c, p["metric"])
            panel.band(c["label"], curve_rows(v), colour(c, i))
            md.append("| %s | %s | %d | %s | %s |" % (
                p["title"], c["label"], v.shape[0], fmt(*stats.mean_sem(list(v[:, -1]))),
                fmt(*stats.mean_sem(list(np.nanmean(v, axis=1))))))
        panels.append(panel)
    plot.write_png(png, panels, fig.get("columns", len(panels)), fig.get("title", ""))
    return md


def compare(a, b, label, lower_better=True):
    """A paired comparison of per-seed values: b against a."""
    n = len(a)
    ratio = [y / x for x, y in zip(a, b)]
    better = sum(1 for x, y in zip(a, b) if (y < x if lower_better else y > x))
    t, p = stats.paired_t(a, b)
    _, pw = stats.wilcoxon(a, b)
    return "| %s | %d | %s | %s | %s | %d/%d | %s | %s |" % (
        label, n, fmt(*stats.mean_sem(a)), fmt(*stats.mean_sem(b)),
        fmt(*stats.mean_sem(ratio)), better, n, fmt_p(p), fmt_p(pw))


COMPARE_HEADER = ["| comparison | seeds | first | second | second / first (per seed) | "
                  "second better | paired t p | Wilcoxon p |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]


def reduce_epochs(values, at, first_epoch=1):
    """Per seed: the last epoch's value ('final') or the mean over epochs
    ('mean', the area under the learning curve) from `first_epoch` on."""
    if at == "final":
        return list(values[:, -1])
    if at != "mean":
        raise RunError("\"at\" is \"final\" or \"mean\", not %r" % at)
    return list(np.nanmean(values[:, first_epoch - 1:], axis=1))


def comparisons(runs_dir, items):
    md = list(COMPARE_HEADER)
    for c in items:
        at, first_epoch = c.get("at", "final"), c.get("from_epoch", 1)
        va = series(runs_dir, c["first"], c["metric"])
        a = reduce_epochs(va, at, first_epoch)
        b = reduce_epochs(series(runs_dir, c["second"], c["metric"]), at, first_epoch)
        if len(a) != len(b):
            raise RunError("%s: the two runs have different seeds" % c["label"])
        label = c["label"]
        if at == "mean" and first_epoch > 1:
            label += " (mean over epochs %d–%d)" % (first_epoch, va.shape[1])
        md.append(compare(a, b, label))
    return md


def horizons_figure(runs_dir, fig, png):
    """The second model's error relative to the first's at each horizon of
    --bptt sweeps (per seed: the mean training error over epochs, the area
    under the learning curve), with a paired t-test per horizon."""
    h = fig["horizons"]
    panel = plot.Panel(fig.get("panel_title", ""), "feedback horizon (% of the sequence)",
                       "%s / %s error" % (h["second_label"], h["first_label"]),
                       xtics=None, key="top left")  # the longest horizons sit right
    panel.hline = 1.0
    md = ["| task | T | %% of L | %s | %s | ratio (per seed) | paired t p |" %
          (h["first_label"], h["second_label"]), "| --- | --- | --- | --- | --- | --- | --- |"]
    for i, task in enumerate(h["tasks"]):
        points = sweep_points(os.path.join(runs_dir, task["run"]))
        rows = []
        for T in sorted(points):
            run = points[T]
            a = reduce_epochs(run.series(h["first"], h["metric"]) * task.get("scale", 1), "mean")
            b = reduce_epochs(run.series(h["second"], h["metric"]) * task.get("scale", 1), "mean")
            ratio = [y / x for x, y in zip(a, b)]
            _, p = stats.paired_t(a, b)
            pct = 100.0 * T / h["length"]
            rows.append((pct,) + stats.mean_sem(ratio))
            md.append("| %s | %d | %.0f | %s | %s | %s | %s |" % (
                task["label"], T, pct, fmt(*stats.mean_sem(a)), fmt(*stats.mean_sem(b)),
                fmt(*stats.mean_sem(ratio)), fmt_p(p)))
        if "full" in task:
            full = open_run(os.path.join(runs_dir, task["full"]))
            v = reduce_epochs(full.series(h["first"], h["metric"]) * task.get("scale", 1), "mean")
            md.append("| %s | %d (full BPTT) | 100 | %s | | | |" % (
                task["label"], full.meta["training"]["bptt"], fmt(*stats.mean_sem(v))))
        panel.points(task["label"], rows, task.get("colour", OTHERS[i % len(OTHERS)]))
    plot.write_png(png, [panel], 1, fig.get("title", ""), panel_size=(700, 450))
    return md


def captioning_figure(runs_dir, fig, png):
    """BLEU-4 by caption length per model, and the second model's
    difference by length, over the seeds both models finished."""
    c = fig["captioning"]
    run = open_run(os.path.join(runs_dir, c["run"]))
    first = finished_results(run, c["first"])
    second = finished_results(run, c["second"])
    seeds = sorted(set(first) & set(second))
    if not seeds:
        raise RunError("%s: no seed finished both models" % run.path)
    m1 = [caption_measures(first[s]) for s in seeds]
    m2 = [caption_measures(second[s]) for s in seeds]
    buckets = [k for k in m1[0] if k.startswith("BLEU-4 ")]
    xtics = [(k[len("BLEU-4 "):], i) for i, k in enumerate(buckets)]
    scores = plot.Panel("BLEU-4 by caption length", "caption length", "BLEU-4", xtics=xtics)
    diff = plot.Panel("%s − %s" % (c["second_label"], c["first_label"]), "caption length",
                      "BLEU-4 difference", xtics=xtics)
    diff.hline = 0.0
    for label, ms, model in ((c["first_label"], m1, c["first"]), (c["second_label"], m2, c["second"])):
        scores.points(label, [(i,) + stats.mean_sem([m[k][0] for m in ms])
                              for i, k in enumerate(buckets)], COLOURS.get(model, OTHERS[0]))
    diff.points("paired difference (mean ± SEM)",
                [(i,) + stats.mean_sem([b[k][0] - a[k][0] for a, b in zip(m1, m2)])
                 for i, k in enumerate(buckets)], OTHERS[0])
    plot.write_png(png, [scores, diff], 2, fig.get("title", ""))
    md = ["| measure | seeds | %s | %s | %s − %s | %s better | sign test p | paired t p | Wilcoxon p |" %
          (c["first_label"], c["second_label"], c["second_label"], c["first_label"], c["second_label"]),
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for k in m1[0]:
        a, b = [m[k][0] for m in m1], [m[k][0] for m in m2]
        higher = m1[0][k][1]
        wins = sum(1 for x, y in zip(a, b) if (y > x if higher else y < x))
        ties = sum(1 for x, y in zip(a, b) if y == x)
        _, pt = stats.paired_t(a, b)
        _, pw = stats.wilcoxon(a, b)
        md.append("| %s | %d | %s | %s | %s | %d/%d | %s | %s | %s |" % (
            k, len(a), fmt(*stats.mean_sem(a)), fmt(*stats.mean_sem(b)),
            fmt(*stats.mean_sem([y - x for x, y in zip(a, b)])), wins, len(a) - ties,
            fmt_p(stats.sign_test(wins, len(a) - ties)), fmt_p(pt), fmt_p(pw)))
    return md


KINDS = {"panels": curves_figure, "horizons": horizons_figure, "captioning": captioning_figure}


def figure_kind(fig):
    kinds = [k for k in KINDS if k in fig]
    if len(kinds) != 1:
        raise RunError("figure %s: needs exactly one of %s" % (fig.get("png"), ", ".join(KINDS)))
    return KINDS[kinds[0]]
