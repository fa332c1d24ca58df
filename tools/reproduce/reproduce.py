#!/usr/bin/env python3
"""Reproduces a figure of the papers with ccrnn: runs the experiment's
ccrnn-train runs (tools/reproduce/experiments/<FIGURE>.json: the papers' settings), then
draws its figures (PNG, with gnuplot) and writes its tables (report.md:
mean +- SEM over seeds, paired tests).

Usage: tools/reproduce.sh FIGURE [--quick] [--out DIR] [--figures-dir DIR]
       tools/reproduce.sh --list

  FIGURE         an experiment name (tools/reproduce/experiments/FIGURE.json) or a path
  --quick        the experiment's reduced settings (minutes; the tests)
  --out DIR      where the runs and figures go (default:
                 results/reproduce/FIGURE, or FIGURE-quick)
  --figures-dir  also copy the PNGs there (e.g. docs/figures)
  --report-only  draw the figures from the finished runs, run nothing
  --only RUNS    train only these runs (comma-separated names), draw nothing

A run whose directory holds the reproduce.json of the same arguments is
reused (a second call only redraws); any other is trained again, with
--overwrite. ccrnn-train is $CCRNN_TRAIN, else build/bin/ccrnn-train, else
the one on PATH.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

# Runs are read by the ccrnn package's reader (python/ccrnn/runs.py, numpy
# only), from the source tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "python"))
try:
    import figures
    from ccrnn import RunError
    from plot import PlotError
except ImportError as e:
    sys.exit("reproduce: %s: %s needs numpy and SciPy (Debian's python3-numpy "
             "and python3-scipy, tools/install-deps.sh)" % (e, sys.executable))

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXPERIMENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "experiments")


class ExperimentError(Exception):
    pass


def experiment_path(name):
    if name.endswith(".json") or os.sep in name:
        return name
    return os.path.join(EXPERIMENTS, name + ".json")


def load_experiment(path):
    try:
        with open(path) as f:
            exp = json.load(f)
    except OSError as e:
        known = sorted(n[:-5] for n in os.listdir(EXPERIMENTS) if n.endswith(".json"))
        raise ExperimentError("cannot read %s (%s); the experiments are: %s" %
                              (path, e.strerror, ", ".join(known)))
    except ValueError as e:
        raise ExperimentError("%s: not valid JSON: %s" % (path, e))
    for key in ("title", "runs", "figures"):
        if key not in exp:
            raise ExperimentError("%s: missing \"%s\"" % (path, key))
    for name, run in exp["runs"].items():
        if not isinstance(run.get("args"), dict):
            raise ExperimentError("%s: run %s needs \"args\", an object of "
                                  "ccrnn-train options" % (path, name))
    return exp


def variant(spec, quick):
    """A figure's or comparison's settings, with its "quick" values (e.g.
    the lesion epoch of the --quick runs) when `quick`."""
    if isinstance(spec, list):
        return [variant(v, quick) for v in spec]
    if not isinstance(spec, dict):
        return spec
    out = {k: variant(v, quick) for k, v in spec.items() if k != "quick"}
    if quick:
        out.update(spec.get("quick", {}))
    return out


def command_args(options):
    """{"--flag": value} -> argument list (true: a flag alone)."""
    out = []
    for flag, value in options.items():
        if value is True:
            out.append(flag)
        elif value is not False and value is not None:
            out += [flag, str(value)]
    return out


def ccrnn_train():
    if os.environ.get("CCRNN_TRAIN"):
        return os.environ["CCRNN_TRAIN"]
    built = os.path.join(ROOT, "build", "bin", "ccrnn-train")
    return built if os.access(built, os.X_OK) else (shutil.which("ccrnn-train") or built)


def train(name, args, out, quiet):
    """Runs one ccrnn-train run into out/name unless it is there already."""
    run_dir = os.path.join(out, name)
    stamp = os.path.join(run_dir, "reproduce.json")
    try:
        with open(stamp) as f:
            if json.load(f).get("args") == args:
                print("reproduce: %s: reusing the finished run in %s" % (name, run_dir))
                return 0.0
    except (OSError, ValueError):
        pass
    cmd = [ccrnn_train()] + args + ["--out", run_dir, "--overwrite"]
    if quiet:
        cmd.append("--quiet")
    print("reproduce: %s: %s" % (name, " ".join(cmd)), flush=True)
    t0 = time.time()
    result = subprocess.run(cmd)
    if result.returncode != 0:
        raise ExperimentError("run %s failed (ccrnn-train exit status %d): %s" %
                              (name, result.returncode, " ".join(cmd)))
    seconds = time.time() - t0
    with open(stamp + ".tmp", "w") as f:
        json.dump({"args": args, "seconds": round(seconds, 1)}, f)
    os.replace(stamp + ".tmp", stamp)
    return seconds


def main():
    ap = argparse.ArgumentParser(
        prog="reproduce.sh", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("figure", nargs="?")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--figures-dir")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--list", action="store_true", help="list the experiments")
    a = ap.parse_args()
    if a.list:
        for n in sorted(os.listdir(EXPERIMENTS)):
            if n.endswith(".json"):
                print("%-28s %s" % (n[:-5], load_experiment(os.path.join(EXPERIMENTS, n))["title"]))
        return 0
    if not a.figure:
        ap.error("which figure? (--list lists them)")
    path = experiment_path(a.figure)
    exp = load_experiment(path)
    name = os.path.basename(path)[:-5]
    only = a.only.split(",") if a.only else None
    unknown = [r for r in only or [] if r not in exp["runs"]]
    if unknown:
        raise ExperimentError("--only: %s has no run %s (its runs: %s)" % (
            name, ", ".join(unknown), ", ".join(exp["runs"])))
    if only and a.report_only:
        ap.error("--only trains, --report-only does not: give one of them")
    if a.figures_dir and not os.path.isdir(a.figures_dir):
        ap.error("--figures-dir %s: not a directory" % a.figures_dir)
    out = a.out or os.path.join("results", "reproduce", name + ("-quick" if a.quick else ""))
    os.makedirs(out, exist_ok=True)
    total = 0.0
    commands = []
    for run_name, run in exp["runs"].items():
        options = dict(run["args"])
        if a.quick:
            options.update(run.get("quick", {}))
        args = command_args(options)
        commands.append("ccrnn-train %s --out %s" % (" ".join(args), run_name))
        if not a.report_only and (only is None or run_name in only):
            total += train(run_name, args, out, a.quick)
    if only:
        print("reproduce: trained %s in %.0f s; the figures need every run "
              "(call again without --only)" % (", ".join(only), total))
        return 0
    md = ["# %s" % exp["title"], "", "Runs (`tools/reproduce.sh %s%s`):" %
          (name, " --quick" if a.quick else ""), "", "```sh"] + commands + ["```", ""]
    for fig in variant(exp["figures"], a.quick):
        png = os.path.join(out, fig["png"])
        md += ["## %s" % fig.get("title", fig["png"]), "", "![](%s)" % fig["png"], ""]
        md += figures.figure_kind(fig)(out, fig, png) + [""]
        if a.figures_dir:
            shutil.copyfile(png, os.path.join(a.figures_dir, fig["png"]))
        print("reproduce: wrote %s" % png)
    if exp.get("comparisons"):
        md += ["## Paired comparisons over seeds", ""]
        md += figures.comparisons(out, variant(exp["comparisons"], a.quick)) + [""]
    with open(os.path.join(out, "report.md.tmp"), "w") as f:
        f.write("\n".join(md))
    os.replace(os.path.join(out, "report.md.tmp"), os.path.join(out, "report.md"))
    print("\n".join(md))
    if total:
        print("reproduce: %s trained in %.0f s" % (name, total))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ExperimentError, RunError, PlotError) as e:
        sys.exit("reproduce: error: %s" % e)
    except KeyError as e:
        sys.exit("reproduce: error: the experiment file lacks the key %s" % e)
    except KeyboardInterrupt:
        print("reproduce: interrupted; the runs finished so far are kept and "
              "reused when called again", file=sys.stderr)
        sys.exit(130)
