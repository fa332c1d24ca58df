#!/usr/bin/python3
"""The captioning task's model and training loop in PyTorch (issue 15;
SPEC §2, §3 and §5 "captioning"), for benchmarks and the cross-check of
ccrnn's captioning trainers.

Model (the reference's other/image-captioning, sizes as flags):
  encoder  e = BatchNorm1d(E, momentum 0.01, eps 1e-5)(Linear(D -> E)(f))
           on a feature vector f [B, D] (batch statistics in training; the
           running statistics move once per batch, PyTorch's rule with the
           unbiased batch variance)
  decoder  Embedding(V, E) of the tokens; the window's input steps (the
           image step e first in window 0) multiplied by an explicit dropout
           mask [B, steps, E] (0 or 1/(1-p), drawn by the caller, so runs are
           comparable); one LSTM layer of H (PyTorch's nn.LSTM); Linear(H -> V);
           loss = mean cross-entropy over the window's B x steps positions
           against the next token.
  ccRNN    a cerebellum S on s = [h, c] (2H): input_trigger Linear(2H -> W),
           then `layers` Linear(W -> W) ... Linear(W -> 2H), a ReLU before each
           (2 hidden layers of W = 1024 by default); the last Linear starts at
           zero (weight and bias), as ccrnn initialises it.

One window (ccrnn's --ccrnn-build-training program of a token model, the
definition this script implements; names as that program's ccrnn.name):
  s0 = the incoming state, cut from the graph (truncation);
  J  = loss + <s1, stop_gradient(0.1 * S(s1))>   (s1 = the window's final
       [h, c]: the synthetic gradient injected there, also in the last window);
  every parameter but S's gets dJ/dparam; g = dJ/ds0 (the real feedback of
  the window plus the injected prediction carried back to s0);
  S's parameters get the gradient of sum_{batch, features} (S(s0) - g)^2,
  NOT divided by the batch (incoming gradient 2 (S(s0) - g)); no gradient of
  this term reaches the rest of the network. The cRNN is the same without S.
Windows of a caption of L tokens (<start> .. <end>), truncation T:
  window 0 = [image, w0 .. w(T-2)] with targets w0 .. w(T-1); window j >= 1
  has inputs w(jT-1) .. w((j+1)T-2), targets w(jT) .. w((j+1)T-1), the last
  one shorter; ceil(L / T) windows, each from the previous one's final state
  (detached), the first from zero.
Training (the reference's loop): after EVERY window zero_grad (to zero, not
None: PyTorch 1.x's zero_grad(), so every parameter that has ever had a
gradient takes an Adam step in every window, also with a zero gradient) and
Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8), no clipping; the encoder runs once
per batch, inside window 0.

Modes:
  time          ms per training batch of one caption length (all its windows,
                dropout masks and Adam steps included): warm-up, then the
                median of --repeats timings; prints one Markdown table row
                (--header also prints the header)
  window-grads  --inputs IN.npz --output OUT.npz: one window from the arrays
                of ccrnn's @<model>_train (parameters by name; `vector` [B, D]
                only in window 0; `input` [B*tokens] int64; `target`
                [B*steps] int64; `dropout_mask` [B, steps, E] (ones when
                absent); `encoder.bn.running_mean`/`_var` (window 0);
                `state.h_l0`, `state.c_l0` [B, H]); writes `loss`, every
                gradient under its parameter's name, `state.h_l0`/`state.c_l0`
                (final) and, in window 0, the new `encoder.bn.running_mean`/
                `running_var` -- the names and order of that program's results
  make-window   writes such an input archive: parameters initialised as
                ccrnn does (PyTorch defaults; S's last layer not zero unless
                --zero-last, so that the synthesizer terms are exercised) and
                random arrays (--first for window 0)
  selftest      checks the window gradients of both models and both window
                kinds against central finite differences (float64) of the
                definition above, computed with an independent numpy forward
                pass; checks the running statistics and final states, the
                window-grads/make-window round trip, and that the per-window
                Adam loop runs and learns; exits non-zero on failure

Needs Debian's python3-torch and python3-numpy (run with /usr/bin/python3).
"""

import argparse
import math
import os
import statistics
import sys
import tempfile
import time


from bench_threads import set_thread_env

set_thread_env(sys.argv)  # before torch is imported

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - reported to the user
    sys.stderr.write("caption_torch: PyTorch or numpy is missing; install\n"
                     "  apt-get install -y python3-torch python3-numpy\n"
                     "and run this script with /usr/bin/python3\n")
    sys.exit(2)

MODELS = ("lstm", "dni_lstm")
SCALE = 0.1       # synthetic-gradient scale
MOMENTUM = 0.01   # the encoder's BatchNorm1d
BN_EPS = 1e-5
SYNTH = "rnn.backward_interface.synthesizer."

# ---------------------------------------------------------------------------
# The model. The module tree gives named_parameters() exactly ccrnn's names
# (dialects/ccrnn/ModelParameters.cpp); parameter_names() gives its order.
# ---------------------------------------------------------------------------


class Synthesizer(nn.Module):
    def __init__(self, size, depth, width):
        super().__init__()
        self.input_trigger = nn.Linear(size, size if depth == 0 else width)
        self.layers = nn.ModuleList(
            nn.Linear(width, width if k + 1 < depth else size)
            for k in range(depth))

    def zero_last(self):
        with torch.no_grad():
            if len(self.layers) == 0:
                self.input_trigger.weight.zero_()
            else:
                self.layers[-1].weight.zero_()
                self.layers[-1].bias.zero_()

    def forward(self, s):
        a = self.input_trigger(s)
        for layer in self.layers:
            a = layer(F.relu(a))
        return a


class _Interface(nn.Module):
    def __init__(self, synthesizer):
        super().__init__()
        self.synthesizer = synthesizer


class _DNI(nn.Module):
    def __init__(self, lstm, synthesizer):
        super().__init__()
        self.rnn = lstm
        self.backward_interface = _Interface(synthesizer)


class _Encoder(nn.Module):
    def __init__(self, features, embed):
        super().__init__()
        self.linear = nn.Linear(features, embed)
        self.bn = nn.BatchNorm1d(embed, momentum=MOMENTUM, eps=BN_EPS)


class CaptionModel(nn.Module):
    def __init__(self, kind, vocab, features, embed=256, hidden=256,
                 synth_layers=2, synth_width=1024):
        super().__init__()
        assert kind in MODELS, kind
        self.kind, self.dni = kind, kind == "dni_lstm"
        self.vocab, self.features = vocab, features
        self.embed_size, self.hidden = embed, hidden
        self.synth_layers = synth_layers
        lstm = nn.LSTM(embed, hidden, batch_first=True)
        if self.dni:
            self.rnn = _DNI(lstm, Synthesizer(2 * hidden, synth_layers,
                                              synth_width))
            self.rnn.backward_interface.synthesizer.zero_last()
        else:
            self.rnn = lstm
        self.encoder = _Encoder(features, embed)
        self.embed = nn.Embedding(vocab, embed)   # N(0, 1), as ccrnn
        self.linear = nn.Linear(hidden, vocab)

    @property
    def lstm(self):
        return self.rnn.rnn if self.dni else self.rnn

    @property
    def synth(self):
        return self.rnn.backward_interface.synthesizer

    def parameter_names(self):
        """ccrnn's order: recurrent, synthesizer, input group, readout."""
        rnn = "rnn.rnn." if self.dni else "rnn."
        names = [rnn + n for n in ("weight_ih_l0", "weight_hh_l0",
                                   "bias_ih_l0", "bias_hh_l0")]
        if self.dni:
            names += [SYNTH + "input_trigger.weight",
                      SYNTH + "input_trigger.bias"]
            for k in range(self.synth_layers):
                names += [SYNTH + "layers.%d.weight" % k,
                          SYNTH + "layers.%d.bias" % k]
        names += ["encoder.linear.weight", "encoder.linear.bias",
                  "encoder.bn.weight", "encoder.bn.bias", "embed.weight",
                  "linear.weight", "linear.bias"]
        return names

    def ordered_parameters(self):
        named = dict(self.named_parameters())
        names = self.parameter_names()
        assert sorted(names) == sorted(named), (names, sorted(named))
        return [(n, named[n]) for n in names]


def window_steps(length, bptt):
    """Steps of each window of a caption of `length` tokens (window 0 holds
    the image and length - 1 ... tokens: the same count of steps)."""
    return [min(bptt, length - t0) for t0 in range(0, length, bptt)]


def window_step(model, state, tokens, targets, mask, vector=None):
    """One training window of ccrnn's definition (module docstring): fills
    every parameter's .grad (accumulating; the caller zeroes), updates the
    batch norm's running statistics when `vector` is given (window 0), and
    returns (loss, h1, c1), detached.

    state: (h0, c0) [B, H]; tokens [B, n_tokens] int64; targets [B, steps];
    mask [B, steps, E] or None (no dropout); vector [B, D] or None."""
    H = model.hidden
    h0, c0 = state[0].detach(), state[1].detach()   # the truncation
    if model.dni:
        s0 = torch.cat([h0, c0], dim=1).requires_grad_(True)
        h0, c0 = s0[:, :H], s0[:, H:]
    x = model.embed(tokens)
    if vector is not None:
        model.encoder.train()
        e = model.encoder.bn(model.encoder.linear(vector))
        x = torch.cat([e.unsqueeze(1), x], dim=1)
    if mask is not None:
        x = x * mask
    out, (h1, c1) = model.lstm(x, (h0.unsqueeze(0).contiguous(),
                                   c0.unsqueeze(0).contiguous()))
    scores = model.linear(out)
    loss = F.cross_entropy(scores.reshape(-1, model.vocab),
                           targets.reshape(-1))
    h1, c1 = h1[0], c1[0]
    if not model.dni:
        loss.backward()
        return loss.detach(), h1.detach(), c1.detach()
    s1 = torch.cat([h1, c1], dim=1)
    with torch.no_grad():
        injected = SCALE * model.synth(s1)
    torch.autograd.backward([loss, s1], [torch.ones_like(loss), injected])
    g = s0.grad
    prediction = model.synth(s0.detach())
    ((prediction - g) ** 2).sum().backward()
    return loss.detach(), h1.detach(), c1.detach()


def make_optimizer(model):
    return torch.optim.Adam([p for _, p in model.ordered_parameters()],
                            lr=1e-3, betas=(0.9, 0.999), eps=1e-8)


def dropout_mask(batch, steps, embed, rate, generator, dtype):
    if rate <= 0:
        return None
    keep = torch.rand(batch, steps, embed, generator=generator, dtype=dtype)
    return (keep >= rate).to(dtype) / (1.0 - rate)


def train_batch(model, optimizer, features, captions, bptt, rate, generator):
    """One batch (captions [B, L] of one length, <start> .. <end>): every
    window, each followed by zero_grad + Adam step. Returns the window
    losses."""
    B, L = captions.shape
    dtype = model.linear.weight.dtype
    inputs = captions[:, :-1]
    h = torch.zeros(B, model.hidden, dtype=dtype)
    c = torch.zeros(B, model.hidden, dtype=dtype)
    losses = []
    t0 = 0
    for j, steps in enumerate(window_steps(L, bptt)):
        optimizer.zero_grad(set_to_none=False)
        mask = dropout_mask(B, steps, model.embed_size, rate, generator, dtype)
        if j == 0:
            loss, h, c = window_step(model, (h, c), inputs[:, :steps - 1],
                                     captions[:, :steps], mask, features)
        else:
            loss, h, c = window_step(model, (h, c),
                                     inputs[:, t0 - 1:t0 + steps - 1],
                                     captions[:, t0:t0 + steps], mask)
        optimizer.step()
        losses.append(float(loss))
        t0 += steps
    return losses


# ---------------------------------------------------------------------------
# .npz in ccrnn's names
# ---------------------------------------------------------------------------


def save_npz(path, arrays):
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _strip(name):
    # SPEC §7's checkpoint prefixes the decoder's names with "decoder.".
    return name[len("decoder."):] if name.startswith("decoder.") else name


def model_from_arrays(a, dtype):
    """A CaptionModel whose sizes and parameters come from the archive `a`
    (a dict of numpy arrays under ccrnn's names)."""
    dni = (SYNTH + "input_trigger.weight") in a
    rnn = "rnn.rnn." if dni else "rnn."
    V, E = a["embed.weight"].shape
    H = a[rnn + "weight_hh_l0"].shape[1]
    D = a["encoder.linear.weight"].shape[1]
    depth, width = 0, 2 * H
    if dni:
        while (SYNTH + "layers.%d.weight" % depth) in a:
            depth += 1
        width = a[SYNTH + "input_trigger.weight"].shape[0]
    model = CaptionModel("dni_lstm" if dni else "lstm", V, D, E, H, depth,
                         width).to(dtype)
    with torch.no_grad():
        for name, p in model.ordered_parameters():
            if name not in a:
                raise SystemExit("caption_torch: the inputs have no array '%s'"
                                 % name)
            value = np.asarray(a[name])
            if tuple(value.shape) != tuple(p.shape):
                raise SystemExit("caption_torch: array '%s' has shape %s, the "
                                 "model needs %s" % (name, value.shape,
                                                     tuple(p.shape)))
            p.copy_(torch.from_numpy(value.astype(np.float64)))
    return model


def run_window_arrays(a, dtype):
    """ccrnn's @<model>_train on the arrays `a`: returns the result arrays
    in the program's order (a list of (name, array))."""
    model = model_from_arrays(a, dtype)
    B, H, E = a["state.h_l0"].shape[0], model.hidden, model.embed_size
    first = "vector" in a
    target = torch.from_numpy(np.asarray(a["target"], dtype=np.int64))
    steps = target.numel() // B
    tokens = torch.from_numpy(np.asarray(a["input"], dtype=np.int64))
    tokens = tokens.reshape(B, steps - 1 if first else steps)
    target = target.reshape(B, steps)

    def tensor(name):
        return torch.from_numpy(np.asarray(a[name], dtype=np.float64)).to(dtype)

    mask = tensor("dropout_mask") if "dropout_mask" in a else None
    if mask is not None and tuple(mask.shape) != (B, steps, E):
        raise SystemExit("caption_torch: dropout_mask has shape %s, needs %s"
                         % (tuple(mask.shape), (B, steps, E)))
    vector = None
    if first:
        vector = tensor("vector")
        with torch.no_grad():
            model.encoder.bn.running_mean.copy_(
                tensor("encoder.bn.running_mean"))
            model.encoder.bn.running_var.copy_(
                tensor("encoder.bn.running_var"))
    for p in model.parameters():
        p.grad = None
    loss, h1, c1 = window_step(model, (tensor("state.h_l0"),
                                       tensor("state.c_l0")),
                               tokens, target, mask, vector)
    out = [("loss", loss.numpy())]
    for name, p in model.ordered_parameters():
        grad = p.grad if p.grad is not None else torch.zeros_like(p)
        out.append((name, grad.detach().numpy()))
    out += [("state.h_l0", h1.numpy()), ("state.c_l0", c1.numpy())]
    if first:
        out += [("encoder.bn.running_mean",
                 model.encoder.bn.running_mean.detach().numpy().copy()),
                ("encoder.bn.running_var",
                 model.encoder.bn.running_var.detach().numpy().copy())]
    return out


def make_window_arrays(kind, vocab, features, embed, hidden, batch, steps,
                       first, rate, seed, synth_layers, synth_width,
                       zero_last=False):
    """Parameters (ccrnn's initialisation, S's last layer random unless
    zero_last) and one window's arrays, as numpy float32/int64."""
    torch.manual_seed(seed)
    model = CaptionModel(kind, vocab, features, embed, hidden, synth_layers,
                         synth_width)
    if model.dni and not zero_last:
        last = (model.synth.layers[-1] if synth_layers
                else model.synth.input_trigger)
        bound = 1.0 / math.sqrt(last.weight.shape[1])
        with torch.no_grad():
            last.weight.uniform_(-bound, bound)
            last.bias.uniform_(-bound, bound)
    rng = np.random.default_rng(seed)
    a = {n: p.detach().numpy().astype(np.float32)
         for n, p in model.ordered_parameters()}
    if first:
        a["vector"] = rng.standard_normal((batch, features)).astype(np.float32)
    a["input"] = rng.integers(0, vocab, batch * (steps - 1 if first else steps),
                              dtype=np.int64)
    a["target"] = rng.integers(0, vocab, batch * steps, dtype=np.int64)
    if rate > 0:
        keep = rng.random((batch, steps, embed)) >= rate
        a["dropout_mask"] = (keep / (1.0 - rate)).astype(np.float32)
    if first:
        a["encoder.bn.running_mean"] = (0.1 * rng.standard_normal(embed)
                                        ).astype(np.float32)
        a["encoder.bn.running_var"] = rng.uniform(0.5, 1.5, embed
                                                  ).astype(np.float32)
    a["state.h_l0"] = rng.uniform(-0.5, 0.5, (batch, hidden)).astype(np.float32)
    a["state.c_l0"] = rng.uniform(-0.5, 0.5, (batch, hidden)).astype(np.float32)
    return a


# ---------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------


def loaded_blas():
    """The BLAS libraries this process has loaded (after a product)."""
    a = torch.randn(64, 64)
    float((a @ a).sum())
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            base = os.path.basename(path)
            if path.startswith("/") and ("blas" in base or "mkl" in base):
                libs.add(os.path.realpath(path))
    return sorted(libs)


def cmd_time(args):
    torch.set_num_threads(args.threads)
    blas = loaded_blas()
    sys.stderr.write("caption_torch: PyTorch %s, BLAS %s\n"
                     % (torch.__version__, ", ".join(blas) or "none loaded"))
    if any("/blas/libblas" in b for b in blas):
        sys.stderr.write("caption_torch: WARNING: the reference (netlib) BLAS;"
                         " install OpenBLAS for a fair timing:\n"
                         "  apt-get install -y libopenblas0-pthread\n")
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    model = CaptionModel(args.model, args.vocab, args.features, args.embed,
                         args.hidden, args.synth_layers, args.synth_width)
    model.train()
    optimizer = make_optimizer(model)
    B, L = args.batch, args.length
    features = torch.randn(B, args.features, generator=generator)
    captions = torch.randint(0, args.vocab, (B, L), generator=generator)
    for _ in range(args.warmup):
        train_batch(model, optimizer, features, captions, args.bptt,
                    args.dropout, generator)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        losses = train_batch(model, optimizer, features, captions, args.bptt,
                             args.dropout, generator)
        times.append(1e3 * (time.perf_counter() - start))
        if not all(math.isfinite(x) for x in losses):
            raise SystemExit("caption_torch: non-finite loss %s" % losses)
    if args.header:
        print("| configuration | threads | windows | PyTorch ms/batch "
              "(median) | min | max |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print("| caption %s V=%d D=%d E=%d H=%d B=%d L=%d T=%d | %d | %d | "
          "%.1f | %.1f | %.1f |"
          % (args.model, args.vocab, args.features, args.embed, args.hidden,
             B, L, args.bptt, args.threads, len(window_steps(L, args.bptt)),
             statistics.median(times), min(times), max(times)))
    sys.stdout.flush()


def cmd_window_grads(args):
    torch.set_num_threads(args.threads)
    with np.load(args.inputs) as f:
        a = {_strip(k): f[k] for k in f.files}
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    out = run_window_arrays(a, dtype)
    save_npz(args.output, dict(out))
    if not getattr(args, "quiet", False):
        print("caption_torch: loss %.9g, %d arrays written to %s"
          % (float(out[0][1]), len(out), args.output))


def cmd_make_window(args):
    a = make_window_arrays(args.model, args.vocab, args.features, args.embed,
                           args.hidden, args.batch, args.steps, args.first,
                           args.dropout, args.seed, args.synth_layers,
                           args.synth_width, args.zero_last)
    save_npz(args.output, a)
    if not getattr(args, "quiet", False):
        print("caption_torch: %d arrays written to %s" % (len(a), args.output))


# --- selftest: an independent numpy definition, finite differences ---------


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_window(p, dni, first, vector, tokens, target, mask, stats, h, c):
    """The window's forward pass in numpy float64: (loss, h1, c1, new
    statistics or None)."""
    rnn = "rnn.rnn." if dni else "rnn."
    B = h.shape[0]
    x = p["embed.weight"][tokens]                      # [B, n, E]
    new_stats = None
    if first:
        e = vector @ p["encoder.linear.weight"].T + p["encoder.linear.bias"]
        mean = e.mean(axis=0)
        var = ((e - mean) ** 2).mean(axis=0)
        y = (p["encoder.bn.weight"] * (e - mean) / np.sqrt(var + BN_EPS)
             + p["encoder.bn.bias"])
        new_stats = ((1 - MOMENTUM) * stats[0] + MOMENTUM * mean,
                     (1 - MOMENTUM) * stats[1] + MOMENTUM * var * B / (B - 1))
        x = np.concatenate([y[:, None, :], x], axis=1)
    if mask is not None:
        x = x * mask
    H = h.shape[1]
    hs = []
    for t in range(x.shape[1]):
        z = (x[:, t] @ p[rnn + "weight_ih_l0"].T + p[rnn + "bias_ih_l0"]
             + h @ p[rnn + "weight_hh_l0"].T + p[rnn + "bias_hh_l0"])
        i, f, g, o = (z[:, k * H:(k + 1) * H] for k in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        hs.append(h)
    scores = np.stack(hs, axis=1) @ p["linear.weight"].T + p["linear.bias"]
    flat = scores.reshape(-1, scores.shape[-1])
    top = flat.max(axis=1)
    lse = top + np.log(np.exp(flat - top[:, None]).sum(axis=1))
    loss = np.mean(lse - flat[np.arange(flat.shape[0]), target.reshape(-1)])
    return loss, h, c, new_stats


def np_synth(p, s):
    a = s @ p[SYNTH + "input_trigger.weight"].T + p[SYNTH + "input_trigger.bias"]
    k = 0
    while (SYNTH + "layers.%d.weight" % k) in p:
        a = (np.maximum(a, 0) @ p[SYNTH + "layers.%d.weight" % k].T
             + p[SYNTH + "layers.%d.bias" % k])
        k += 1
    return a


def _fd(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


class _Failures:
    def __init__(self):
        self.count = 0
        self.checks = 0

    def close(self, what, actual, expected, tol=1e-6, floor=1e-3):
        self.checks += 1
        actual, expected = np.asarray(actual), np.asarray(expected)
        if actual.shape != expected.shape:
            self.count += 1
            print("FAIL %s: shape %s, expected %s" % (what, actual.shape,
                                                      expected.shape))
            return
        diff = float(np.max(np.abs(actual - expected))) if actual.size else 0.0
        scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0,
                    floor)
        if not diff / scale <= tol:
            self.count += 1
            print("FAIL %s: max |diff| %.3g (relative %.3g)" % (what, diff,
                                                              diff / scale))

    def true(self, what, ok):
        self.checks += 1
        if not ok:
            self.count += 1
            print("FAIL %s" % what)


def _selftest_window(kind, first, fails, seed):
    B, steps, D, E, H, V, depth, width = 3, 3, 5, 4, 3, 6, 2, 5
    a = make_window_arrays(kind, V, D, E, H, B, steps, first, 0.5, seed,
                           depth, width)
    a = {k: (v.astype(np.float64) if v.dtype == np.float32 else v)
         for k, v in a.items()}
    out = dict(run_window_arrays(a, torch.float64))
    dni = kind == "dni_lstm"
    names = CaptionModel(kind, V, D, E, H, depth, width).parameter_names()
    p = {n: a[n].copy() for n in names}
    tokens = a["input"].reshape(B, -1)
    target = a["target"].reshape(B, steps)
    stats = ((a["encoder.bn.running_mean"], a["encoder.bn.running_var"])
             if first else None)
    vector = a.get("vector")
    mask = a["dropout_mask"]
    h0, c0 = a["state.h_l0"].copy(), a["state.c_l0"].copy()
    tag = "%s %s window" % (kind, "first" if first else "later")

    base = np_window(p, dni, first, vector, tokens, target, mask, stats, h0, c0)
    injected = SCALE * np_synth(p, np.concatenate([base[1], base[2]], 1)) \
        if dni else None

    def objective(h=h0, c=c0):
        loss, h1, c1, _ = np_window(p, dni, first, vector, tokens, target,
                                    mask, stats, h, c)
        if dni:
            loss += np.sum(np.concatenate([h1, c1], 1) * injected)
        return loss

    fails.close(tag + ": loss", out["loss"], base[0], 1e-12)
    fails.close(tag + ": final h", out["state.h_l0"], base[1], 1e-12)
    fails.close(tag + ": final c", out["state.c_l0"], base[2], 1e-12)
    if first:
        fails.close(tag + ": new running mean",
                    out["encoder.bn.running_mean"], base[3][0], 1e-12)
        fails.close(tag + ": new running var",
                    out["encoder.bn.running_var"], base[3][1], 1e-12)
        fails.true(tag + ": the running statistics moved",
                   not np.allclose(base[3][0], stats[0]))
    else:
        fails.true(tag + ": no statistics out",
                   "encoder.bn.running_mean" not in out)
    fails.true(tag + ": results in ccrnn's order",
               [n for n, _ in run_window_arrays(a, torch.float64)][
                   1:1 + len(names)] == names)
    for n in names:
        if n.startswith(SYNTH):
            continue
        expected = _fd(lambda: objective(), p[n])
        fails.close(tag + ": d/d " + n, out[n], expected)
        if not first and n.startswith("encoder."):
            fails.true(tag + ": " + n + " has a zero gradient",
                       not np.any(out[n]))
    if not dni:
        return
    hh, cc = h0.copy(), c0.copy()
    g = np.concatenate([_fd(lambda: objective(h=hh), hh),
                        _fd(lambda: objective(c=cc), cc)], axis=1)
    s0 = np.concatenate([h0, c0], axis=1)
    fails.true(tag + ": the synthesizer's target is non-trivial",
               np.max(np.abs(g)) > 1e-4)

    def synth_loss():
        return np.sum((np_synth(p, s0) - g) ** 2)

    for n in names:
        if n.startswith(SYNTH):
            fails.close(tag + ": d/d " + n, out[n], _fd(synth_loss, p[n]))


def _selftest_training(fails):
    """The per-window loop: runs, every parameter steps in every window once
    it has had a gradient (the encoder's too, in later windows), and a fixed
    batch is learnt."""
    for kind in MODELS:
        torch.manual_seed(1)
        g = torch.Generator().manual_seed(2)
        model = CaptionModel(kind, 12, 7, 8, 6, 2, 10).double()
        opt = make_optimizer(model)
        feats = torch.randn(10, 7, generator=g, dtype=torch.float64)
        caps = torch.randint(0, 12, (10, 11), generator=g)
        w = model.encoder.linear.weight
        before = w.detach().clone()
        # Window by window by hand: the encoder moves in window 1 although
        # its gradient there is zero (Adam's moments from window 0).
        opt.zero_grad(set_to_none=False)
        h = torch.zeros(10, 6, dtype=torch.float64)
        _, h1, c1 = window_step(model, (h, h), caps[:, :3], caps[:, :4], None,
                                feats)
        opt.step()
        after0 = w.detach().clone()
        opt.zero_grad(set_to_none=False)
        window_step(model, (h1, c1), caps[:, 3:7], caps[:, 4:8], None)
        fails.true(kind + ": the encoder's gradient is zero in window 1",
                   not torch.any(w.grad))
        opt.step()
        fails.true(kind + ": the encoder stepped in window 0",
                   not torch.equal(before, after0))
        fails.true(kind + ": the encoder steps in window 1 (zero gradient)",
                   not torch.equal(after0, w.detach()))
        history = [train_batch(model, opt, feats, caps, 4, 0.0, g)
                   for _ in range(300)]
        fails.true(kind + ": finite losses", all(
            math.isfinite(x) for losses in history for x in losses))
        fails.true(kind + ": ceil(11/4) = 3 windows",
                   all(len(losses) == 3 for losses in history))
        first, last = sum(history[0]), sum(history[-1])
        fails.true(kind + ": a fixed batch is learnt (%.3f -> %.3f)"
                   % (first, last), last < 0.7 * first)
        # With dropout, float32: the loop of the benchmark runs.
        model = CaptionModel(kind, 12, 7, 8, 6, 2, 10)
        opt = make_optimizer(model)
        losses = train_batch(model, opt, feats.float(), caps[:, :9], 5, 0.5, g)
        fails.true(kind + ": float32 with dropout", len(losses) == 2 and
                   all(math.isfinite(x) for x in losses))


def cmd_selftest(args):
    torch.set_num_threads(args.threads)
    fails = _Failures()
    seed = 11
    for kind in MODELS:
        for first in (True, False):
            _selftest_window(kind, first, fails, seed)
            seed += 1
    _selftest_training(fails)
    fails.true("window_steps(13, 5)", window_steps(13, 5) == [5, 5, 3])
    fails.true("window_steps(11, 5)", window_steps(11, 5) == [5, 5, 1])
    fails.true("window_steps(4, 5)", window_steps(4, 5) == [4])
    # The file round trip: make-window, then window-grads, by the CLI's code.
    with tempfile.TemporaryDirectory() as d:
        for kind in MODELS:
            for first in (True, False):
                path_in = os.path.join(d, "in.npz")
                path_out = os.path.join(d, "out.npz")
                ns = argparse.Namespace(
                    model=kind, vocab=9, features=6, embed=4, hidden=5,
                    batch=4, steps=3, first=first, dropout=0.5, seed=3,
                    synth_layers=2, synth_width=8, zero_last=False,
                    output=path_in, quiet=True)
                cmd_make_window(ns)
                cmd_window_grads(argparse.Namespace(
                    inputs=path_in, output=path_out, dtype="float32",
                    threads=args.threads, quiet=True))
                with np.load(path_in) as fi, np.load(path_out) as fo:
                    names = list(fo.files)
                    model = model_from_arrays(dict(fi), torch.float32)
                    expected = (["loss"] + model.parameter_names()
                                + ["state.h_l0", "state.c_l0"]
                                + (["encoder.bn.running_mean",
                                    "encoder.bn.running_var"] if first else []))
                    fails.true("%s round trip: result names" % kind,
                               sorted(names) == sorted(expected))
                    fails.true("%s round trip: shapes" % kind, all(
                        fo[n].shape == fi[n].shape
                        for n in model.parameter_names()))
                    fails.true("%s round trip: float32" % kind,
                               fo["linear.weight"].dtype == np.float32)
    print("%d passed, %d failed" % (fails.checks - fails.count, fails.count))
    return 1 if fails.count else 0


def main():
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)

    def sizes(p, vocab=None, features=None):
        p.add_argument("--model", choices=MODELS, default="dni_lstm")
        p.add_argument("--vocab", type=int, default=vocab,
                       required=vocab is None)
        p.add_argument("--features", type=int, default=features,
                       required=features is None)
        p.add_argument("--embed", type=int, default=256)
        p.add_argument("--hidden", type=int, default=256)
        p.add_argument("--batch", type=int, default=100)
        p.add_argument("--synth-layers", type=int, default=2)
        p.add_argument("--synth-width", type=int, default=1024)
        p.add_argument("--dropout", type=float, default=0.5)
        p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("time", help="ms per training batch")
    sizes(p)
    p.add_argument("--length", type=int, default=13,
                   help="caption length, <start> and <end> included")
    p.add_argument("--bptt", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--header", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=cmd_time)

    p = sub.add_parser("window-grads", help="one window's results")
    p.add_argument("--inputs", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--dtype", choices=("float32", "float64"),
                   default="float32")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=cmd_window_grads)

    p = sub.add_parser("make-window", help="a window-grads input archive")
    sizes(p, vocab=40, features=506)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--first", action="store_true",
                   help="window 0: the image step, the statistics")
    p.add_argument("--zero-last", action="store_true",
                   help="the synthesizer's last layer at zero (ccrnn's start)")
    p.add_argument("--output", required=True)
    p.set_defaults(func=cmd_make_window)

    p = sub.add_parser("selftest", help="finite-difference checks")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=cmd_selftest)

    args = ap.parse_args()
    sys.exit(args.func(args) or 0)


if __name__ == "__main__":
    main()
