//===- TrainerOptions.cpp - the trainer pipeline's options ------*- C++ -*-===//

#include "ccrnn/Support/TrainerOptions.h"

#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <sstream>

namespace ccrnn {

std::string formatOptionNumber(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

namespace {

/// Appends " name=value" (no leading space on an empty string).
void append(std::string &s, std::string_view word) {
  if (!s.empty())
    s += ' ';
  s += word;
}

std::string assign(std::string_view name, const std::string &value) {
  return std::string(name) + "=" + value;
}

bool oneOf(std::string_view value, std::initializer_list<std::string_view> ok) {
  for (std::string_view o : ok)
    if (value == o)
      return true;
  return false;
}

} // namespace

std::string ModelSizes::toString() const {
  std::string s;
  if (hidden != 0)
    append(s, assign("hidden", std::to_string(hidden)));
  if (layers != 0)
    append(s, assign("layers", std::to_string(layers)));
  if (synthLayers != -1)
    append(s, assign("synth-layers", std::to_string(synthLayers)));
  if (synthWidth != 0)
    append(s, assign("synth-width", std::to_string(synthWidth)));
  if (synthScale != -1)
    append(s, assign("synth-scale", formatOptionNumber(synthScale)));
  if (context != "keep")
    append(s, assign("context", context));
  if (vocab != 0)
    append(s, assign("vocab", std::to_string(vocab)));
  if (vectorInputs != 0)
    append(s, assign("vector-inputs", std::to_string(vectorInputs)));
  return s;
}

bool ModelSizes::operator==(const ModelSizes &o) const {
  return hidden == o.hidden && layers == o.layers &&
         synthLayers == o.synthLayers && synthWidth == o.synthWidth &&
         synthScale == o.synthScale && context == o.context &&
         vocab == o.vocab && vectorInputs == o.vectorInputs;
}

std::string TrainerOptions::trainingString() const {
  std::string s =
      "bptt=" + std::to_string(bptt) + " interval=" + std::to_string(interval) +
      " batch=" + std::to_string(batch) + " steps=" + std::to_string(steps);
  if (predictLast)
    append(s, "predict-last");
  if (!loss.empty())
    append(s, assign("loss", loss));
  if (cerebellum != "train")
    append(s, assign("cerebellum", cerebellum));
  if (fibres != 0)
    append(s, assign("fibres", std::to_string(fibres)));
  if (record)
    append(s, "record");
  if (firstWindow)
    append(s, "first-window");
  if (decode)
    append(s, assign("decode", std::to_string(decode)));
  return s;
}

std::string TrainerOptions::toString() const {
  std::string s = sizes.toString();
  append(s, trainingString());
  if (ensemble != 1)
    append(s, assign("ensemble", std::to_string(ensemble)));
  return s;
}

bool TrainerOptions::operator==(const TrainerOptions &o) const {
  return sizes == o.sizes && bptt == o.bptt && interval == o.interval &&
         batch == o.batch && steps == o.steps && loss == o.loss &&
         predictLast == o.predictLast && cerebellum == o.cerebellum &&
         fibres == o.fibres && record == o.record &&
         firstWindow == o.firstWindow && decode == o.decode &&
         ensemble == o.ensemble;
}

bool TrainerOptions::parse(std::string_view text, TrainerOptions &out,
                           std::string &error) {
  TrainerOptions options;
  std::istringstream in{std::string(text)};
  std::string word;
  while (in >> word) {
    const size_t eq = word.find('=');
    const std::string key = word.substr(0, eq);
    const bool hasValue = eq != std::string::npos;
    const std::string value = hasValue ? word.substr(eq + 1) : "";
    auto fail = [&](const std::string &expected) {
      error = "option '" + word + "': " + expected;
      return false;
    };
    auto integer = [&](int64_t &field) {
      const char *first = value.data(), *last = first + value.size();
      auto [end, ec] = std::from_chars(first, last, field);
      return hasValue && ec == std::errc() && end == last;
    };
    auto real = [&](double &field) {
      if (!hasValue || value.empty())
        return false;
      char *end = nullptr;
      field = std::strtod(value.c_str(), &end);
      return *end == '\0';
    };
    auto boolean = [&](bool &field) {
      if (!hasValue || value == "true" || value == "1")
        field = true;
      else if (value == "false" || value == "0")
        field = false;
      else
        return false;
      return true;
    };
    auto choice = [&](std::string &field,
                      std::initializer_list<std::string_view> ok) {
      field = value;
      return hasValue && oneOf(value, ok);
    };
    static const char *const kInteger = "expected an integer value";
    bool ok = true;
    std::string expected = kInteger;
    if (key == "hidden")
      ok = integer(options.sizes.hidden);
    else if (key == "layers")
      ok = integer(options.sizes.layers);
    else if (key == "synth-layers")
      ok = integer(options.sizes.synthLayers);
    else if (key == "synth-width")
      ok = integer(options.sizes.synthWidth);
    else if (key == "vocab")
      ok = integer(options.sizes.vocab);
    else if (key == "vector-inputs")
      ok = integer(options.sizes.vectorInputs);
    else if (key == "synth-scale")
      ok = real(options.sizes.synthScale), expected = "expected a number";
    else if (key == "context")
      ok = choice(options.sizes.context, {"on", "off", "keep"}),
      expected = "expected 'on', 'off' or 'keep'";
    else if (key == "bptt")
      ok = integer(options.bptt);
    else if (key == "interval")
      ok = integer(options.interval);
    else if (key == "batch")
      ok = integer(options.batch);
    else if (key == "steps")
      ok = integer(options.steps);
    else if (key == "loss")
      ok = choice(options.loss, {"mse", "xent"}),
      expected = "expected 'mse' or 'xent'";
    else if (key == "predict-last")
      ok = boolean(options.predictLast), expected = "expected true or false";
    else if (key == "cerebellum")
      ok = choice(options.cerebellum, {"train", "frozen", "off"}),
      expected = "expected 'train', 'frozen' or 'off'";
    else if (key == "fibres")
      ok = integer(options.fibres);
    else if (key == "record")
      ok = boolean(options.record), expected = "expected true or false";
    else if (key == "first-window")
      ok = boolean(options.firstWindow), expected = "expected true or false";
    else if (key == "decode")
      ok = integer(options.decode);
    else if (key == "ensemble")
      ok = integer(options.ensemble);
    else
      return fail("unknown option (known: hidden, layers, synth-layers, "
                  "synth-width, synth-scale, context, vocab, vector-inputs, "
                  "bptt, interval, batch, steps, loss, predict-last, "
                  "cerebellum, fibres, record, first-window, decode, "
                  "ensemble)");
    if (!ok)
      return fail(expected);
  }
  out = options;
  return true;
}

} // namespace ccrnn
