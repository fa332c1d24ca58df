//===- Plots.cpp - PNG plots of a run (gnuplot) -----------------*- C++ -*-===//

#include "ccrnn/Driver/Plots.h"

#include "System.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace ccrnn::driver {

namespace {

// gnuplot's single-quoted strings have no escapes but '' for a quote, and
// a line break ends the command, so that what follows it would run as
// gnuplot's (and, after '!', the shell's) next command: a control
// character never reaches the script, it is shown as '?'. Paths are
// refused before (cannotPlot), so only titles and labels are changed.
std::string quote(const std::string &s) {
  std::string q = "'";
  for (char c : printable(s))
    q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::string number(double v) {
  if (!std::isfinite(v))
    return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

/// A scratch directory removed when the plot is done.
class ScratchDir {
public:
  ScratchDir() {
    const char *tmp = std::getenv("TMPDIR");
    std::string templ =
        std::string(tmp && *tmp ? tmp : "/tmp") + "/ccrnn-plot-XXXXXX";
    if (mkdtemp(templ.data()))
      path = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty())
      fs::remove_all(path, ec);
  }
  std::string path;
};

// Why a plot cannot be made ("" when it can): checked before any data is
// written.
std::string cannotPlot(const std::string &gnuplot, const std::string &png,
                       const ScratchDir &scratch) {
  std::string what = fs::path(png).filename().string();
  if (findProgram(gnuplot).empty())
    return gnuplot + " not found; " + what + " not written";
  if (scratch.path.empty())
    return "cannot create a temporary directory; " + what + " not written";
  if (hasControlCharacter(png) || hasControlCharacter(scratch.path))
    return "the path " + png + " (or of the temporary directory " +
           scratch.path + ") has a control character; " + what +
           " not written";
  return "";
}

// Writes one data file of a plot: "" or why it failed.
std::string writeData(const std::string &file, const std::string &data,
                      const char *what) {
  try {
    writeFileAtomic(file, data);
  } catch (const std::exception &e) {
    return std::string(e.what()) + "; " + what + " not plotted";
  }
  return "";
}

// Runs `script` (header()'s terminal line, then the plot) with its output
// set to a new temporary next to `png`, and renames the result.
std::string render(const std::string &gnuplot, const std::string &png,
                   const ScratchDir &scratch, const std::string &script) {
  std::string what = fs::path(png).filename().string();
  std::string program = findProgram(gnuplot);
  std::string scriptFile = scratch.path + "/plot.gp", output, tmp;
  try {
    // Created here, exclusively: gnuplot opens its output with fopen,
    // which would follow a link planted under a predictable name.
    tmp = createTempFileFor(png);
    const size_t terminal = script.find('\n') + 1;
    writeFileAtomic(scriptFile, script.substr(0, terminal) + "set output " +
                                    quote(tmp) + "\n" +
                                    script.substr(terminal));
  } catch (const std::exception &e) {
    std::error_code ec;
    if (!tmp.empty())
      fs::remove(tmp, ec);
    return std::string(e.what()) + "; " + what + " not written";
  }
  int status = runProgram({program, scriptFile}, output);
  std::error_code ec;
  if (status != 0 || fs::file_size(tmp, ec) == 0) {
    fs::remove(tmp, ec);
    return "gnuplot failed (exit status " + std::to_string(status) + "); " +
           what + " not written" + (output.empty() ? "" : ":\n" + output);
  }
  try {
    renameOver(tmp, png);
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

// The terminal, on the script's first line (render() sets the output).
std::string header(int width, int height) {
  std::ostringstream s;
  s << "set terminal pngcairo noenhanced size " << width << "," << height
    << " font 'sans,10'\n";
  return s.str();
}

} // namespace

/// Ten distinguishable colours (matplotlib's tab10): gnuplot's own cycle
/// has eight, which would give digits 0 and 8 the same colour.
const std::array<const char *, 10> kClassColors = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string plotCurves(const std::string &gnuplot, const std::string &png,
                       const std::vector<std::string> &metrics,
                       const std::vector<std::string> &models,
                       const std::vector<std::vector<Curve>> &curves) {
  if (gnuplot.empty())
    return "";
  ScratchDir scratch;
  if (std::string why = cannotPlot(gnuplot, png, scratch); !why.empty())
    return why;
  std::ostringstream script;
  script << header(600 * int(metrics.size()), 450)
         << "set multiplot layout 1," << metrics.size() << "\n"
         << "set xlabel 'epoch'\nset grid\n"
         << "set key top right\n";
  for (size_t k = 0; k < metrics.size(); ++k) {
    // Losses and dysmetria span decades; accuracy, uncertainty and BLEU are
    // fractions and cosine similarities lie in [-1, 1], read on a linear
    // axis.
    bool fraction = metrics[k].find("accuracy") != std::string::npos ||
                    metrics[k].find("uncertainty") != std::string::npos ||
                    metrics[k].find("bleu") != std::string::npos;
    bool cosine = metrics[k].rfind("cosine", 0) == 0;
    script << (fraction ? "unset logscale y\nset yrange [0:1]\n"
               : cosine ? "unset logscale y\nset yrange [-1:1]\n"
                        : "set logscale y\nset autoscale y\n")
           << "set title " << quote(metrics[k]) << "\nplot ";
    for (size_t m = 0; m < models.size(); ++m) {
      // Columns: epoch, mean, band low, band high. On the log scale the
      // band's low end is kept positive.
      std::ostringstream data;
      const Curve &c = curves[k][m];
      for (size_t e = 0; e < c.mean.size(); ++e) {
        double mu = c.mean[e], se = std::isfinite(c.sem[e]) ? c.sem[e] : 0;
        double lo = mu - se > 0 || fraction || cosine ? mu - se : mu * 1e-3;
        data << e + 1 << " " << number(mu) << " " << number(lo) << " "
             << number(mu + se) << "\n";
      }
      std::string file =
          scratch.path + "/curve" + std::to_string(k) + "_" + std::to_string(m);
      if (std::string why = writeData(file, data.str(), "curves");
          !why.empty())
        return why;
      script << (m ? ", " : "") << quote(file)
             << " using 1:3:4 with filledcurves fillstyle transparent solid "
                "0.25 noborder lc "
             << m + 1 << " notitle, " << quote(file)
             << " using 1:2 with linespoints lw 2 pt 7 ps 0.4 lc " << m + 1
             << " title " << quote(models[m]);
    }
    script << "\n";
  }
  script << "unset multiplot\n";
  return render(gnuplot, png, scratch, script.str());
}

std::string
plotLines(const std::string &gnuplot, const std::string &png,
          const std::vector<std::string> &models,
          const std::vector<std::string> &labels,
          const std::vector<std::vector<std::vector<double>>> &lines,
          const std::vector<std::vector<double>> &targets,
          std::array<double, 4> box) {
  if (gnuplot.empty())
    return "";
  ScratchDir scratch;
  if (std::string why = cannotPlot(gnuplot, png, scratch); !why.empty())
    return why;
  // Each class is a data block (two blank lines apart), selected by index.
  auto blocks = [](const std::vector<std::vector<double>> &perClass) {
    std::ostringstream data;
    for (const auto &points : perClass) {
      for (size_t i = 0; i + 1 < points.size(); i += 2)
        data << number(points[i]) << " " << number(points[i + 1]) << "\n";
      data << "\n\n";
    }
    return data.str();
  };
  std::string targetFile = scratch.path + "/targets";
  std::string why = writeData(targetFile, blocks(targets), "lines");
  for (size_t m = 0; m < models.size() && why.empty(); ++m)
    why = writeData(scratch.path + "/lines" + std::to_string(m),
                    blocks(lines[m]), "lines");
  if (!why.empty())
    return why;
  std::ostringstream script;
  script << header(450 * int(models.size()), 480)
         << "set multiplot layout 1," << models.size() << "\n"
         << "set size ratio -1\nset xrange [" << number(box[0]) << ":"
         << number(box[1]) << "]\nset yrange [" << number(box[2]) << ":"
         << number(box[3]) << "]\n"
         << "set grid\nset key outside right\n";
  for (size_t m = 0; m < models.size(); ++m) {
    script << "set title " << quote(models[m]) << "\nplot ";
    for (size_t c = 0; c < labels.size(); ++c)
      script << (c ? ", " : "") << quote(targetFile) << " index " << c
             << " using 1:2 with lines dt 2 lc rgb 'gray50' notitle, "
             << quote(scratch.path + "/lines" + std::to_string(m)) << " index "
             << c << " using 1:2 with linespoints pt 7 ps 0.6 lc rgb '"
             << kClassColors[c % kClassColors.size()] << "' title "
             << quote(labels[c]);
    script << "\n";
  }
  script << "unset multiplot\n";
  return render(gnuplot, png, scratch, script.str());
}

std::string plotSweep(const std::string &gnuplot, const std::string &png,
                      const SweepPlot &plot) {
  if (gnuplot.empty())
    return "";
  ScratchDir scratch;
  if (std::string why = cannotPlot(gnuplot, png, scratch); !why.empty())
    return why;
  std::ostringstream script;
  script << header(760, 480) << "set title " << quote(plot.title)
         << "\nset xlabel " << quote(plot.xLabel) << "\nset ylabel "
         << quote(plot.yLabel) << "\nset grid\nset key outside right\n"
         << (plot.logX ? "set logscale x\n" : "")
         << (plot.logY ? "set logscale y\n" : "")
         // Points at the ends of the axis stay visible.
         << "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n";
  for (size_t i = 0; i < plot.xTics.size(); ++i)
    script << (i ? ", " : "set xtics (") << number(plot.xTics[i])
           << (i + 1 == plot.xTics.size() ? ")\n" : "");
  if (std::isfinite(plot.referenceY))
    script << "set arrow from graph 0, first " << number(plot.referenceY)
           << " to graph 1, first " << number(plot.referenceY)
           << " nohead dt 2 lc rgb 'gray50'\n";
  script << "plot ";
  for (size_t i = 0; i < plot.series.size(); ++i) {
    const Series &s = plot.series[i];
    std::ostringstream data;
    for (size_t j = 0; j < s.x.size(); ++j)
      data << number(s.x[j]) << " " << number(s.mean[j]) << " "
           << number(std::isfinite(s.sem[j]) ? s.sem[j] : 0) << "\n";
    std::string file = scratch.path + "/series" + std::to_string(i);
    if (std::string why = writeData(file, data.str(), "sweep"); !why.empty())
      return why;
    script << (i ? ", " : "") << quote(file)
           << " using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 lc rgb '"
           << kClassColors[i % kClassColors.size()] << "' title "
           << quote(s.title);
  }
  script << "\n";
  return render(gnuplot, png, scratch, script.str());
}

} // namespace ccrnn::driver
