"""Figures with gnuplot (already a dependency for the driver's plots):
panels of learning curves (mean +- SEM bands) and of points with error bars,
laid out in a grid, written to a PNG atomically."""
import os
import subprocess
import tempfile


class PlotError(Exception):
    pass


def _quote(text):
    """A gnuplot single-quoted string: '' is its only escape, and a line
    break would end the command, so labels and paths may not hold one."""
    text = str(text)
    if "\n" in text or "\r" in text:
        raise PlotError("a label or path for gnuplot holds a line break: %r" % text)
    return "'" + text.replace("'", "''") + "'"


class Panel:
    """One plot of a figure: lines of (x, mean, sem) rows."""

    def __init__(self, title, xlabel, ylabel, log=False, vline=None, xtics=None,
                 key="top right"):
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.log, self.vline, self.xtics, self.key = log, vline, xtics, key
        self.lines = []  # (label, rows, style: 'band' or 'points'), colour
        self.hline = None

    def band(self, label, rows, colour):
        self.lines.append((label, rows, "band", colour))

    def points(self, label, rows, colour):
        self.lines.append((label, rows, "points", colour))


def _panel_script(panel, tmp, index):
    script = ["set title %s" % _quote(panel.title),
              "set xlabel %s" % _quote(panel.xlabel),
              "set ylabel %s" % _quote(panel.ylabel),
              "set logscale y" if panel.log else "unset logscale y",
              "unset arrow", "set grid", "set key %s noopaque" % panel.key,
              "set xtics (%s)" % ", ".join("%s %g" % (_quote(l), x) for l, x in panel.xtics)
              if panel.xtics else "set xtics autofreq"]
    if panel.vline is not None:
        script.append("set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 "
                      "lc rgb 'black'" % (panel.vline, panel.vline))
    if panel.hline is not None:
        script.append("set arrow from graph 0, first %g to graph 1, first %g "
                      "nohead dt 3 lc rgb 'gray40'" % (panel.hline, panel.hline))
    plots = []
    for i, (label, rows, style, colour) in enumerate(panel.lines):
        data = os.path.join(tmp, "p%d_%d.dat" % (index, i))
        with open(data, "w") as f:
            for x, mean, sem in rows:
                f.write("%.9g %.9g %.9g %.9g %.9g\n" % (x, mean, sem, mean - sem, mean + sem))
        lc = "lc rgb %s" % _quote(colour)
        if style == "band":
            plots.append("%s using 1:4:5 with filledcurves fs transparent solid 0.2 "
                         "noborder %s notitle" % (_quote(data), lc))
            plots.append("%s using 1:2 with lines lw 2 %s title %s" % (_quote(data), lc, _quote(label)))
        else:
            plots.append("%s using 1:2:3 with yerrorlines lw 2 pt 7 %s title %s" %
                         (_quote(data), lc, _quote(label)))
    script.append("plot " + ", ".join(plots))
    return script


def write_png(path, panels, columns, title="", panel_size=(520, 380)):
    """The panels in a grid of `columns`, row by row, into `path`."""
    rows = (len(panels) + columns - 1) // columns
    tmp = tempfile.mkdtemp(prefix="ccrnn-figure-")
    out = path + ".tmp"
    script = ["set terminal pngcairo size %d,%d enhanced font ',10'" %
              (panel_size[0] * columns, panel_size[1] * rows + (30 if title else 0)),
              "set output %s" % _quote(out),
              "set multiplot layout %d,%d %s" % (rows, columns,
                                                 "title %s font ',12'" % _quote(title) if title else "")]
    for i, panel in enumerate(panels):
        script += _panel_script(panel, tmp, i)
    script.append("unset multiplot")
    try:
        subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True,
                       stdout=subprocess.DEVNULL)
        os.replace(out, path)
    except FileNotFoundError:
        raise PlotError("gnuplot not found, needed for %s (tools/install-deps.sh "
                        "installs gnuplot-nox)" % path)
    except subprocess.CalledProcessError as e:
        raise PlotError("gnuplot failed (exit status %d) drawing %s" % (e.returncode, path))
    finally:
        for name in os.listdir(tmp):
            os.remove(os.path.join(tmp, name))
        os.rmdir(tmp)
        if os.path.exists(out):  # a failed drawing leaves no half a PNG
            os.remove(out)
