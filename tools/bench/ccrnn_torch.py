#!/usr/bin/python3
"""PyTorch implementation of SPEC §2/§3 for the line-drawing task and
sequential MNIST (SPEC §5).

The reference that ccrnn-train is compared with, number for number (one-batch
gradients, crosscheck-gradients.sh) and for speed (bench-linedraw.sh). It is
written from the specification alone: cRNN (LSTM or tanh RNN + Linear
readout) and ccRNN (the same plus a synthesizer that predicts the gradient at
each truncation boundary), truncated BPTT, sparse feedback, gradient clipping
and Adam.

Modes:
  train       train on linedraw (default) or, with --task seqmnist, on
              sequential MNIST; print `epoch train_loss val_loss seconds`
              (seqmnist: `epoch train_loss val_loss val_accuracy seconds`)
  dump-step   one training batch from given weights: pre-clip gradients,
              reported loss and gradient norm, under the state_dict names
  make-batch  write one linedraw batch (inputs [B,L,1], targets [B,L,2])
  make-init   write initial weights (PyTorch default initialisation)
  selftest    check the training step against finite differences of SPEC §3's
              definitions, computed independently in numpy (float64)

Needs Debian's python3-torch (run with /usr/bin/python3).
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np


from bench_threads import set_thread_env

set_thread_env(sys.argv)  # before torch is imported

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - reported to the user
    sys.stderr.write("ccrnn_torch: PyTorch is missing; install it with\n"
                     "  apt-get install -y python3-torch\n"
                     "and run this script with /usr/bin/python3\n")
    sys.exit(2)

MODELS = ("lstm", "dni_lstm", "tanh", "dni_tanh")
SG_SCALE = 0.1

# ---------------------------------------------------------------------------
# Models (SPEC §2). The module tree mirrors the reference implementation so
# that state_dict() gives exactly the SPEC §7 names.
# ---------------------------------------------------------------------------


class Synthesizer(nn.Module):
    """S(s): input_trigger Linear(|s| -> Hs), then `layers` (ReLU before each);
    the last Linear is zero-initialised (weight and bias; with no hidden layer
    only input_trigger's weight)."""

    def __init__(self, state_size, n_hidden, width, zero_last=True):
        super().__init__()
        first = state_size if n_hidden == 0 else width
        self.input_trigger = nn.Linear(state_size, first)
        self.layers = nn.ModuleList([
            nn.Linear(width, width if k < n_hidden - 1 else state_size)
            for k in range(n_hidden)])
        if zero_last:
            with torch.no_grad():
                if n_hidden == 0:
                    self.input_trigger.weight.zero_()
                else:
                    self.layers[-1].weight.zero_()
                    self.layers[-1].bias.zero_()

    def forward(self, s):
        a = self.input_trigger(s)
        for layer in self.layers:
            a = layer(F.relu(a))
        return a


class BackwardInterface(nn.Module):
    def __init__(self, synthesizer):
        super().__init__()
        self.synthesizer = synthesizer


class DNIRNN(nn.Module):
    """The recurrent network of a ccRNN: `rnn.rnn.*` and
    `rnn.backward_interface.synthesizer.*`."""

    def __init__(self, rnn, synthesizer):
        super().__init__()
        self.rnn = rnn
        self.backward_interface = BackwardInterface(synthesizer)


class Model(nn.Module):
    def __init__(self, kind, input_size=1, output_size=2, hidden=50,
                 synth_width=400, synth_layers=2, zero_last=True):
        super().__init__()
        assert kind in MODELS, kind
        self.kind = kind
        self.cell = "lstm" if kind.endswith("lstm") else "tanh"
        self.dni = kind.startswith("dni_")
        self.hidden = hidden
        if self.cell == "lstm":
            core = nn.LSTM(input_size, hidden, batch_first=True)
        else:
            core = nn.RNN(input_size, hidden, nonlinearity="tanh",
                          batch_first=True)
        if self.dni:
            state_size = 2 * hidden if self.cell == "lstm" else hidden
            self.rnn = DNIRNN(core, Synthesizer(state_size, synth_layers,
                                                synth_width, zero_last))
        else:
            self.rnn = core
        self.linear = nn.Linear(hidden, output_size)

    @property
    def core(self):
        return self.rnn.rnn if self.dni else self.rnn

    @property
    def synth(self):
        return self.rnn.backward_interface.synthesizer

    # The state s: [h, c] (LSTM) or h (tanh), shape [B, |s|].
    def zero_state(self, batch, dtype):
        n = 2 * self.hidden if self.cell == "lstm" else self.hidden
        # On the parameters' device (tools/gpu/torch_step_bench.py: a GPU).
        return torch.zeros(batch, n, dtype=dtype,
                           device=self.linear.weight.device)

    def run(self, x, s):
        """Runs the recurrent net over x [B, T, I] from state s; returns the
        readout [B, T, O] and the final state."""
        if self.cell == "lstm":
            h0, c0 = s[:, :self.hidden], s[:, self.hidden:]
            out, (h1, c1) = self.core(
                x, (h0.unsqueeze(0).contiguous(), c0.unsqueeze(0).contiguous()))
            s1 = torch.cat([h1[0], c1[0]], dim=1)
        else:
            out, h1 = self.core(x, s.unsqueeze(0).contiguous())
            s1 = h1[0]
        return self.linear(out), s1


# ---------------------------------------------------------------------------
# Training step (SPEC §3)
# ---------------------------------------------------------------------------


def windows(length, bptt):
    return [(t0, min(t0 + bptt, length)) for t0 in range(0, length, bptt)]


def train_batch(model, inputs, targets, bptt, interval):
    """Forward and backward of one batch; gradients accumulate in .grad
    (call zero_grad first). Returns the reported loss 2·Σ_w n_w ℓ_w / L.

    Classification (targets a [B] tensor of class indices, seqmnist): the
    cross-entropy of the final step's prediction is the loss of the last
    window only (the other windows have ℓ_w = 0 and still do the synthetic
    part); the reported loss is that cross-entropy."""
    batch, length, _ = inputs.shape
    state = model.zero_state(batch, inputs.dtype)
    if targets.dim() == 1:
        return _train_batch_classify(model, inputs, targets, bptt, state)
    reported = 0.0
    for t0, t1 in windows(length, bptt):
        # The truncation: s0 is cut from the graph.
        s0 = state.detach()
        if model.dni:
            s0.requires_grad_(True)
        y, s1 = model.run(inputs[:, t0:t1], s0)
        sup = [t - t0 for t in range(t0, t1) if t % interval == 0]
        objective = None
        if sup:
            idx = torch.tensor(sup, dtype=torch.long, device=y.device)
            loss_w = F.mse_loss(y[:, idx], targets[:, t0 + idx])
            reported += len(sup) * loss_w.item()
            objective = loss_w
        if model.dni:
            # The synthetic gradient 0.1·S(s1) is the incoming gradient at s1.
            with torch.no_grad():
                sg = SG_SCALE * model.synth(s1)
            inject = (s1 * sg).sum()
            objective = inject if objective is None else objective + inject
        if objective is not None:
            objective.backward()
        if model.dni:
            # g: what this window's backward pass delivered at s0.
            g = s0.grad if s0.grad is not None else torch.zeros_like(s0)
            synth_loss = (model.synth(s0.detach()) - g.detach()).pow(2).sum()
            synth_loss.backward()
        state = s1.detach()
    return 2.0 * reported / length


def _train_batch_classify(model, inputs, labels, bptt, state):
    length = inputs.shape[1]
    reported = 0.0
    for t0, t1 in windows(length, bptt):
        s0 = state.detach()
        if model.dni:
            s0.requires_grad_(True)
        y, s1 = model.run(inputs[:, t0:t1], s0)
        objective = None
        if t1 == length:
            loss_w = F.cross_entropy(y[:, -1], labels)
            reported = loss_w.item()
            objective = loss_w
        if model.dni:
            with torch.no_grad():
                sg = SG_SCALE * model.synth(s1)
            inject = (s1 * sg).sum()
            objective = inject if objective is None else objective + inject
        if objective is not None:
            objective.backward()
        if model.dni:
            g = s0.grad if s0.grad is not None else torch.zeros_like(s0)
            synth_loss = (model.synth(s0.detach()) - g.detach()).pow(2).sum()
            synth_loss.backward()
        state = s1.detach()
    return reported


def evaluate_classify(model, inputs, labels, batch=1000):
    """Full sequence from zero state, no truncation, no synthesizer: mean
    cross-entropy and accuracy of the last step's prediction."""
    loss, correct = 0.0, 0
    with torch.no_grad():
        for b0 in range(0, inputs.shape[0], batch):
            x, lab = inputs[b0:b0 + batch], labels[b0:b0 + batch]
            y, _ = model.run(x, model.zero_state(x.shape[0], x.dtype))
            loss += F.cross_entropy(y[:, -1], lab, reduction="sum").item()
            correct += int((y[:, -1].argmax(dim=1) == lab).sum())
    n = max(inputs.shape[0], 1)
    return loss / n, correct / n


def evaluate(model, inputs, targets):
    """Full sequence from zero state, no truncation, no synthesizer: mean over
    all B·L points of the squared Euclidean distance."""
    with torch.no_grad():
        y, _ = model.run(inputs, model.zero_state(inputs.shape[0], inputs.dtype))
        return (y - targets).pow(2).sum(dim=2).mean().item()


def global_grad_norm(params):
    total = 0.0
    for p in params:
        if p.grad is not None:
            total += p.grad.double().pow(2).sum().item()
    return math.sqrt(total)


# ---------------------------------------------------------------------------
# Linedraw data (SPEC §5)
# ---------------------------------------------------------------------------

ANGLE = {3: 0.0, 2: 60.0, 1: 120.0, -1: 180.0, -2: 240.0, -3: 300.0}


def endpoint(k):
    if k == 0:
        return (0.0, 0.0)
    th = math.radians(ANGLE[k])
    return (10.0 * math.sin(th), 10.0 * math.cos(th))


def linedraw(n, generator, length=10, noise=0.0, dtype=torch.float32):
    """n samples: classes k uniform in {-3..3}; input 0.1·k at t=0, 0 after
    (plus optional Gaussian noise at t>=1); target: L evenly spaced points
    from the origin to the class's endpoint."""
    k = torch.randint(-3, 4, (n,), generator=generator)
    inputs = torch.zeros(n, length, 1, dtype=torch.float64)
    inputs[:, 0, 0] = 0.1 * k.double()
    if noise > 0:
        inputs[:, 1:, 0] += noise * torch.randn(n, length - 1, generator=generator,
                                                dtype=torch.float64)
    ends = torch.tensor([endpoint(int(c)) for c in k], dtype=torch.float64)
    frac = torch.linspace(0.0, 1.0, length, dtype=torch.float64)
    targets = frac[None, :, None] * ends[:, None, :]
    return inputs.to(dtype), targets.to(dtype)


# ---------------------------------------------------------------------------
# Sequential MNIST data (SPEC §5, §6)
# ---------------------------------------------------------------------------

MNIST_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
               "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
SEQMNIST_TRAIN = 48000  # the training pool: 4/5 of MNIST's 60000


def default_mnist_dir():
    base = os.environ.get("CCRNN_DATA_DIR")
    if base:
        return os.path.join(base, "mnist")
    return os.path.join(os.path.expanduser("~"), ".cache", "ccrnn", "data",
                        "mnist")


def read_idx(path, magic, dims):
    """An uncompressed IDX file: big-endian magic, dims sizes, then ubytes."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        sys.exit(f"ccrnn_torch: {path}: {e.strerror} (tools/install-data.sh "
                 "installs MNIST)")
    head = 4 * (1 + dims)
    if len(raw) < head or int.from_bytes(raw[:4], "big") != magic:
        sys.exit(f"ccrnn_torch: {path}: not an IDX file with magic {magic:#x}")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big")
                  for i in range(dims))
    if len(raw) != head + int(np.prod(shape)):
        sys.exit(f"ccrnn_torch: {path}: {len(raw)} bytes, expected "
                 f"{head + int(np.prod(shape))} for shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=head).reshape(shape)


def load_mnist(data_dir, part):
    """(images [N, 784] uint8, labels [N] int64) of `train` or `test`."""
    img_name, lab_name = MNIST_FILES[part]
    images = read_idx(os.path.join(data_dir, img_name), 0x803, 3)
    labels = read_idx(os.path.join(data_dir, lab_name), 0x801, 1)
    if images.shape[0] != labels.shape[0]:
        sys.exit(f"ccrnn_torch: {data_dir}: {images.shape[0]} images but "
                 f"{labels.shape[0]} labels in {part}")
    return images.reshape(images.shape[0], -1), labels.astype(np.int64)


def seq_images(images, input_size=28):
    """uint8 [N, 784] -> float32 [N, 784 / input_size, input_size], /255:
    one 28-pixel row per step by default."""
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    return x.reshape(x.shape[0], -1, input_size)


# ---------------------------------------------------------------------------
# Weights and batches as .npz
# ---------------------------------------------------------------------------


def save_npz(path, arrays):
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def load_weights(model, path):
    with np.load(path) as f:
        sd = {k: torch.from_numpy(np.asarray(f[k], dtype=np.float32))
              for k in f.files}
    own = model.state_dict()
    missing = sorted(set(own) - set(sd))
    extra = sorted(set(sd) - set(own))
    if missing or extra:
        sys.exit(f"ccrnn_torch: {path}: names differ from the model's "
                 f"state_dict: missing {missing}, unexpected {extra}")
    for k, v in sd.items():
        if tuple(v.shape) != tuple(own[k].shape):
            sys.exit(f"ccrnn_torch: {path}: {k} has shape {tuple(v.shape)}, "
                     f"the model wants {tuple(own[k].shape)}")
    model.load_state_dict(sd)


def build_model(args, zero_last=True):
    sizes = (28, 10) if args.task == "seqmnist" else (1, 2)
    return Model(args.model, input_size=sizes[0], output_size=sizes[1],
                 hidden=args.hidden, synth_width=args.synth_width,
                 synth_layers=args.synth_layers, zero_last=zero_last)


# ---------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------


def cmd_make_batch(args):
    gen = torch.Generator().manual_seed(args.seed)
    x, y = linedraw(args.batch, gen, args.length, args.noise)
    save_npz(args.out, {"inputs": x.numpy().astype(np.float32),
                        "targets": y.numpy().astype(np.float32)})


def cmd_make_init(args):
    torch.manual_seed(args.seed)
    model = build_model(args, zero_last=not args.nonzero_synth)
    save_npz(args.out, {k: v.detach().numpy().astype(np.float32)
                        for k, v in model.state_dict().items()})


def cmd_dump_step(args):
    torch.set_num_threads(args.threads)
    model = build_model(args)
    load_weights(model, args.init)
    with np.load(args.batch) as f:
        x = torch.from_numpy(np.asarray(f["inputs"], dtype=np.float32))
        if args.task == "seqmnist":  # class indices [B]
            y = torch.from_numpy(np.asarray(f["targets"], dtype=np.int64))
        else:
            y = torch.from_numpy(np.asarray(f["targets"], dtype=np.float32))
    if args.double:
        model.double()
        x = x.double()
        if args.task != "seqmnist":
            y = y.double()
    model.zero_grad()
    loss = train_batch(model, x, y, args.bptt, args.spars_int)
    out = {}
    for name, p in model.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        out[name] = g.detach().double().numpy()
    out["loss"] = np.array(loss, dtype=np.float64)
    out["grad_norm"] = np.array(global_grad_norm(model.parameters()),
                                dtype=np.float64)
    save_npz(args.out, out)


def cmd_train(args):
    if args.task == "seqmnist":
        return cmd_train_seqmnist(args)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build_model(args)
    if args.init:
        load_weights(model, args.init)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    data_gen = torch.Generator().manual_seed(args.seed + 1000003)
    val_x, val_y = linedraw(args.val_samples, data_gen, args.length, args.noise)
    nbatches = args.train_samples // args.batch
    history = []
    if not args.quiet:
        print("epoch train_loss val_loss seconds", flush=True)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        xs, ys = linedraw(nbatches * args.batch, data_gen, args.length,
                          args.noise)
        losses = []
        for b in range(nbatches):
            sl = slice(b * args.batch, (b + 1) * args.batch)
            opt.zero_grad()
            losses.append(train_batch(model, xs[sl], ys[sl], args.bptt,
                                      args.spars_int))
            if args.clip > 0:
                nn.utils.clip_grad_norm_(params, args.clip)
            opt.step()
        seconds = time.perf_counter() - start
        val = evaluate(model, val_x, val_y)
        history.append((epoch, float(np.mean(losses)), val, seconds))
        if not args.quiet:
            print(f"{epoch} {np.mean(losses):.6f} {val:.6f} {seconds:.4f}",
                  flush=True)
    secs = [h[3] for h in history]
    steady = secs[1:] if len(secs) > 1 else secs
    test = None
    if args.test_samples > 0:
        test_gen = torch.Generator().manual_seed(args.seed + 2000003)
        tx, ty = linedraw(args.test_samples, test_gen, args.length, args.noise)
        test = evaluate(model, tx, ty)
    print(f"mean_epoch_seconds {np.mean(secs):.6f}")
    print(f"mean_epoch_seconds_after_first {np.mean(steady):.6f}")
    print(f"final_val_loss {history[-1][2]:.6f}")
    if test is not None:
        print(f"test_loss {test:.6f}")
    if args.json:
        meta = {"model": args.model, "seed": args.seed, "bptt": args.bptt,
                "spars_int": args.spars_int, "hidden": args.hidden,
                "synth_width": args.synth_width,
                "synth_layers": args.synth_layers, "threads": args.threads,
                "epochs": args.epochs, "batch": args.batch,
                "train_samples": args.train_samples,
                "epoch_seconds": secs,
                "train_loss": [h[1] for h in history],
                "val_loss": [h[2] for h in history], "test_loss": test,
                "torch": torch.__version__}
        with open(args.json + ".tmp", "w") as f:
            json.dump(meta, f, indent=1)
        os.replace(args.json + ".tmp", args.json)


def cmd_train_seqmnist(args):
    """Sequential MNIST (SPEC §5): seeded 48000/12000 split of the 60000
    training images; each epoch visits --train-size of the 48000 in a fresh
    order (the last batch filled up from the start of that order, as
    ccrnn-train does); validation on --val-size of the 12000.

    Seconds per epoch: gathering the epoch's batches plus the training
    batches, without validation. With a subset (--train-size < 48000) they
    are also reported scaled to 48000 images (× 48000 / images trained)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build_model(args)
    if args.init:
        load_weights(model, args.init)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    images, labels = load_mnist(args.data_dir, "train")
    rng = np.random.RandomState(args.seed)
    perm = rng.permutation(images.shape[0])
    n_pool = images.shape[0] * 4 // 5
    train_idx, val_idx = perm[:n_pool], perm[n_pool:]
    n_train = min(args.train_samples, len(train_idx))
    train_idx = train_idx[:n_train]
    val_idx = val_idx[:min(args.val_samples, len(val_idx))]
    # Converted to floats once; an epoch only gathers its batches.
    train_x = seq_images(images[train_idx])
    train_y = torch.from_numpy(labels[train_idx])
    val_x = seq_images(images[val_idx])
    val_y = torch.from_numpy(labels[val_idx])
    nbatches = -(-n_train // args.batch)
    trained = nbatches * args.batch
    scale = SEQMNIST_TRAIN / trained
    history = []
    if not args.quiet:
        if trained != SEQMNIST_TRAIN:
            print(f"# {trained} training images per epoch (subset of "
                  f"{SEQMNIST_TRAIN}); seconds_48000 = seconds x {scale:.4g}")
        print("epoch train_loss val_loss val_accuracy seconds seconds_48000",
              flush=True)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(n_train)
        order = np.concatenate([order, order[:trained - n_train]])
        order = torch.from_numpy(order)
        losses = []
        for b in range(nbatches):
            idx = order[b * args.batch:(b + 1) * args.batch]
            xb, yb = train_x[idx], train_y[idx]
            opt.zero_grad()
            losses.append(train_batch(model, xb, yb, args.bptt, 1))
            if args.clip > 0:
                nn.utils.clip_grad_norm_(params, args.clip)
            opt.step()
        seconds = time.perf_counter() - start
        val, acc = (evaluate_classify(model, val_x, val_y) if len(val_idx)
                    else (float("nan"), float("nan")))
        history.append((epoch, float(np.mean(losses)), val, acc, seconds))
        if not args.quiet:
            print(f"{epoch} {np.mean(losses):.6f} {val:.6f} {acc:.4f} "
                  f"{seconds:.4f} {seconds * scale:.4f}", flush=True)
    secs = [h[4] for h in history]
    steady = secs[1:] if len(secs) > 1 else secs
    test = None
    if args.test_samples > 0:
        timages, tlabels = load_mnist(args.data_dir, "test")
        n = min(args.test_samples, timages.shape[0])
        test = evaluate_classify(model, seq_images(timages[:n]),
                                 torch.from_numpy(tlabels[:n]))
    print(f"train_images_per_epoch {trained}")
    print(f"mean_epoch_seconds {np.mean(secs):.6f}")
    print(f"mean_epoch_seconds_after_first {np.mean(steady):.6f}")
    if trained != SEQMNIST_TRAIN:
        print(f"# subset: {trained} of {SEQMNIST_TRAIN} training images per "
              f"epoch; the next two lines are scaled by {scale:.4g} to "
              f"{SEQMNIST_TRAIN} images")
    print(f"mean_epoch_seconds_48000 {np.mean(secs) * scale:.6f}")
    print(f"mean_epoch_seconds_48000_after_first {np.mean(steady) * scale:.6f}")
    print(f"final_val_loss {history[-1][2]:.6f}")
    print(f"final_val_accuracy {history[-1][3]:.4f}")
    if test is not None:
        print(f"test_loss {test[0]:.6f}")
        print(f"test_accuracy {test[1]:.4f}")
    if args.json:
        meta = {"task": "seqmnist", "model": args.model, "seed": args.seed,
                "bptt": args.bptt, "hidden": args.hidden,
                "synth_width": args.synth_width,
                "synth_layers": args.synth_layers, "threads": args.threads,
                "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
                "train_samples": trained,
                "epoch_seconds": secs,
                "epoch_seconds_48000": [x * scale for x in secs],
                "seconds_scale_to_48000": scale,
                "train_loss": [h[1] for h in history],
                "val_loss": [h[2] for h in history],
                "val_accuracy": [h[3] for h in history],
                "test_loss": test[0] if test else None,
                "test_accuracy": test[1] if test else None,
                "torch": torch.__version__}
        with open(args.json + ".tmp", "w") as f:
            json.dump(meta, f, indent=1)
        os.replace(args.json + ".tmp", args.json)


# ---------------------------------------------------------------------------
# selftest: the training step against finite differences of SPEC §3, with an
# independent numpy float64 forward (LSTM/tanh cell written from SPEC §2).
# ---------------------------------------------------------------------------


def _np_run(p, prefix, cell, x, s, hidden):
    """x [B,T,I], s [B,|s|] -> readout [B,T,O], final state."""
    w_ih, w_hh = p[prefix + "weight_ih_l0"], p[prefix + "weight_hh_l0"]
    b = p[prefix + "bias_ih_l0"] + p[prefix + "bias_hh_l0"]
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))
    h = s[:, :hidden]
    c = s[:, hidden:] if cell == "lstm" else None
    ys = []
    for t in range(x.shape[1]):
        z = x[:, t] @ w_ih.T + h @ w_hh.T + b
        if cell == "lstm":
            H = hidden
            i, f = sig(z[:, :H]), sig(z[:, H:2 * H])
            g, o = np.tanh(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
        else:
            h = np.tanh(z)
        ys.append(h @ p["linear.weight"].T + p["linear.bias"])
    s1 = np.concatenate([h, c], axis=1) if cell == "lstm" else h
    return np.stack(ys, axis=1), s1


def _np_synth(p, s, n_hidden):
    pre = "rnn.backward_interface.synthesizer."
    a = s @ p[pre + "input_trigger.weight"].T + p[pre + "input_trigger.bias"]
    for k in range(n_hidden):
        a = np.maximum(a, 0) @ p[pre + f"layers.{k}.weight"].T \
            + p[pre + f"layers.{k}.bias"]
    return a


def _np_window_objective(p, kind, x, y, t0, t1, s0, sg, interval, hidden):
    """ℓ_w + <s1, sg> with s0 and sg held fixed (SPEC §3)."""
    cell = "lstm" if kind.endswith("lstm") else "tanh"
    prefix = "rnn.rnn." if kind.startswith("dni_") else "rnn."
    out, s1 = _np_run(p, prefix, cell, x[:, t0:t1], s0, hidden)
    sup = [t - t0 for t in range(t0, t1) if t % interval == 0]
    obj = 0.0
    if sup:
        obj = np.mean((out[:, sup] - y[:, [t0 + u for u in sup]]) ** 2)
    if sg is not None:
        obj += np.sum(s1 * sg)
    return obj, s1, (len(sup), obj if sg is None else obj - np.sum(s1 * sg))


def _fd(f, arr, eps=1e-6):
    grad = np.zeros_like(arr)
    it = np.nditer(arr, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = arr[i]
        arr[i] = old + eps
        fp = f()
        arr[i] = old - eps
        fm = f()
        arr[i] = old
        grad[i] = (fp - fm) / (2 * eps)
    return grad


def _selftest_case(kind, bptt, interval, length, seed):
    hidden, width, nl, batch = 5, 7, 2, 3
    torch.manual_seed(seed)
    model = Model(kind, hidden=hidden, synth_width=width, synth_layers=nl,
                  zero_last=False).double()
    gen = torch.Generator().manual_seed(seed)
    x, y = linedraw(batch, gen, length, noise=0.3, dtype=torch.float64)
    model.zero_grad()
    reported = train_batch(model, x, y, bptt, interval)
    auto = {n: q.grad.numpy().copy() if q.grad is not None
            else np.zeros(tuple(q.shape)) for n, q in model.named_parameters()}
    p = {n: q.detach().numpy().copy() for n, q in model.named_parameters()}
    xn, yn = x.numpy(), y.numpy()
    dni = kind.startswith("dni_")
    ssize = 2 * hidden if kind.endswith("lstm") else hidden
    wins = windows(length, bptt)

    # Window start states and synthetic gradients at the base point.
    s0s, sgs, rep = [], [], 0.0
    s = np.zeros((batch, ssize))
    for t0, t1 in wins:
        s0s.append(s.copy())
        _, s1, (n, lw) = _np_window_objective(p, kind, xn, yn, t0, t1, s, None,
                                              interval, hidden)
        rep += n * lw
        sgs.append(SG_SCALE * _np_synth(p, s1, nl) if dni else None)
        s = s1
    rep = 2 * rep / length

    synth_names = [n for n in p if ".synthesizer." in n]
    net_names = [n for n in p if n not in synth_names]

    def net_objective():
        return sum(_np_window_objective(p, kind, xn, yn, t0, t1, s0s[w],
                                        sgs[w], interval, hidden)[0]
                   for w, (t0, t1) in enumerate(wins))

    worst = 0.0
    report = []

    def compare(name, a, b):
        nonlocal worst
        scale = max(np.abs(b).max(), 1e-8)
        err = np.abs(a - b).max() / scale
        worst = max(worst, err)
        report.append((name, err))

    for n in net_names:
        compare(n, auto[n], _fd(net_objective, p[n]))
    if dni:
        # g_w: gradient of the window objective at s0 (finite differences).
        gs = []
        for w, (t0, t1) in enumerate(wins):
            s0 = s0s[w].copy()
            gs.append(_fd(lambda: _np_window_objective(
                p, kind, xn, yn, t0, t1, s0, sgs[w], interval, hidden)[0], s0))

        def synth_objective():
            return sum(np.sum((_np_synth(p, s0s[w], nl) - gs[w]) ** 2)
                       for w in range(len(wins)))
        for n in synth_names:
            compare(n, auto[n], _fd(synth_objective, p[n]))
    compare("loss", np.array(reported), np.array(rep))
    if bptt >= length and not dni:
        # Full BPTT: the gradient of the whole sequence's loss.
        def full():
            out, _ = _np_run(p, "rnn.", "lstm" if kind == "lstm" else "tanh",
                             xn, np.zeros((batch, ssize)), hidden)
            sup = [t for t in range(length) if t % interval == 0]
            return np.mean((out[:, sup] - yn[:, sup]) ** 2)
        for n in net_names:
            compare("full-bptt " + n, auto[n], _fd(full, p[n]))
    return worst, report


def cmd_selftest(args):
    torch.set_num_threads(1)
    cases = []
    for kind in MODELS:
        for bptt, interval in ((1, 2), (3, 2), (2, 1), (7, 3)):
            cases.append((kind, bptt, interval))
    failed = 0
    for i, (kind, bptt, interval) in enumerate(cases):
        worst, report = _selftest_case(kind, bptt, interval, 7, 11 + i)
        ok = worst <= 1e-6
        failed += not ok
        print(f"{kind:9s} bptt={bptt} interval={interval}: max rel err "
              f"{worst:.2e} {'ok' if ok else 'FAIL'}")
        if not ok or args.verbose:
            for name, err in report:
                print(f"    {name:55s} {err:.2e}")

    # Zero-initialised last layer: a new ccRNN starts exactly as a cRNN.
    torch.manual_seed(5)
    a = Model("dni_lstm", hidden=5, synth_width=7, synth_layers=2).double()
    b = Model("lstm", hidden=5).double()
    b.rnn.load_state_dict(a.rnn.rnn.state_dict())
    b.linear.load_state_dict(a.linear.state_dict())
    x, y = linedraw(4, torch.Generator().manual_seed(3), 10,
                    dtype=torch.float64)
    a.zero_grad()
    b.zero_grad()
    la = train_batch(a, x, y, 1, 2)
    lb = train_batch(b, x, y, 1, 2)
    diff = max((a.rnn.rnn.weight_hh_l0.grad - b.rnn.weight_hh_l0.grad)
               .abs().max().item(), abs(la - lb))
    ok = diff == 0.0
    failed += not ok
    print(f"zero-initialised synthesizer: ccRNN step == cRNN step "
          f"(diff {diff:.1e}) {'ok' if ok else 'FAIL'}")

    # state_dict names (SPEC §7).
    names = list(Model("dni_lstm", hidden=5, synth_width=7,
                       synth_layers=2).state_dict())
    want = ["rnn.rnn.weight_ih_l0", "rnn.rnn.weight_hh_l0",
            "rnn.rnn.bias_ih_l0", "rnn.rnn.bias_hh_l0",
            "rnn.backward_interface.synthesizer.input_trigger.weight",
            "rnn.backward_interface.synthesizer.input_trigger.bias",
            "rnn.backward_interface.synthesizer.layers.0.weight",
            "rnn.backward_interface.synthesizer.layers.0.bias",
            "rnn.backward_interface.synthesizer.layers.1.weight",
            "rnn.backward_interface.synthesizer.layers.1.bias",
            "linear.weight", "linear.bias"]
    ok = names == want and list(Model("lstm").state_dict()) == [
        "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
        "rnn.bias_hh_l0", "linear.weight", "linear.bias"]
    failed += not ok
    print(f"state_dict names {'ok' if ok else 'FAIL: ' + str(names)}")

    # Linedraw data: endpoints and evenly spaced points.
    x, y = linedraw(200, torch.Generator().manual_seed(1), 10,
                    dtype=torch.float64)
    k = torch.round(x[:, 0, 0] * 10).long()
    ok = bool((x[:, 1:] == 0).all()) and bool((y[:, 0] == 0).all())
    for i in range(200):
        e = torch.tensor(endpoint(int(k[i])), dtype=torch.float64)
        ok &= bool(torch.allclose(y[i, -1], e))
        ok &= bool(torch.allclose(y[i, 3], e * 3 / 9))
    ok &= endpoint(3) == (0.0, 10.0) and abs(endpoint(-1)[1] + 10) < 1e-12
    failed += not ok
    print(f"linedraw data {'ok' if ok else 'FAIL'}")
    if failed:
        print(f"selftest: {failed} failure(s)")
        sys.exit(1)
    print("selftest: all ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["train", "dump-step", "make-batch",
                                     "make-init", "selftest"])
    ap.add_argument("--task", choices=["linedraw", "seqmnist"],
                    default="linedraw",
                    help="train/make-init/dump-step: the task (seqmnist: "
                         "input 28, 10 classes, classification at the last "
                         "step; its defaults H 30, synthesizer 1x2H, bptt 3, "
                         "lr 1e-4, 48000/12000 images)")
    ap.add_argument("--model", choices=MODELS, default="dni_lstm")
    ap.add_argument("--bptt", type=int, default=None,
                    help="truncation window T (default 1; seqmnist 3)")
    ap.add_argument("--spars-int", type=int, default=2,
                    help="feedback interval k: supervised steps t %% k == 0")
    ap.add_argument("--hidden", type=int, default=None,
                    help="default 50 (seqmnist 30)")
    ap.add_argument("--synth-width", type=int, default=None,
                    help="default 400 (seqmnist 2 x hidden)")
    ap.add_argument("--synth-layers", type=int, default=None,
                    help="default 2 (seqmnist 1)")
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=None,
                    help="default 1e-3 (seqmnist 1e-4)")
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--batch", default=None,
                    help="batch size (make-batch, train; default 50) or the "
                         "batch .npz (dump-step)")
    ap.add_argument("--length", type=int, default=10)
    ap.add_argument("--noise", type=float, default=0.0)
    ap.add_argument("--train-samples", "--train-size", dest="train_samples",
                    type=int, default=None,
                    help="training samples per epoch (default 800; seqmnist: "
                         "48000, fewer times a subset)")
    ap.add_argument("--val-samples", "--val-size", dest="val_samples",
                    type=int, default=None,
                    help="validation samples (default 200; seqmnist 12000)")
    ap.add_argument("--test-samples", "--test-size", dest="test_samples",
                    type=int, default=0,
                    help="train: evaluate on this many test samples at the end")
    ap.add_argument("--data-dir", default=None,
                    help="seqmnist: the directory of the MNIST IDX files "
                         "(default $CCRNN_DATA_DIR/mnist or "
                         "~/.cache/ccrnn/data/mnist)")
    ap.add_argument("--init", help="initial weights .npz (dump-step; train: "
                    "instead of the seeded initialisation)")
    ap.add_argument("--out")
    ap.add_argument("--json", help="train: write the run's numbers as JSON")
    ap.add_argument("--nonzero-synth", action="store_true",
                    help="make-init: keep the synthesizer's last layer "
                         "randomly initialised (for gradient checks)")
    ap.add_argument("--double", action="store_true",
                    help="dump-step: compute in float64")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    mnist = args.task == "seqmnist"
    if args.hidden is None:
        args.hidden = 30 if mnist else 50
    for name, linedraw_default, mnist_default in (
            ("bptt", 1, 3), ("synth_layers", 2, 1), ("lr", 1e-3, 1e-4),
            ("synth_width", 400, 2 * args.hidden),
            ("train_samples", 800, SEQMNIST_TRAIN),
            ("val_samples", 200, 12000)):
        if getattr(args, name) is None:
            setattr(args, name, mnist_default if mnist else linedraw_default)
    if args.data_dir is None:
        args.data_dir = default_mnist_dir()
    if mnist and args.mode in ("make-batch", "selftest"):
        ap.error(f"{args.mode} is for linedraw only")
    if args.train_samples < 1 or args.bptt < 1:
        ap.error("--train-size and --bptt must be positive")
    if args.mode == "dump-step":
        if not (args.init and args.batch and args.out):
            ap.error("dump-step needs --init, --batch and --out")
    else:
        args.batch = int(args.batch) if args.batch is not None else 50
    if args.mode in ("make-batch", "make-init") and not args.out:
        ap.error(f"{args.mode} needs --out")
    {"train": cmd_train, "dump-step": cmd_dump_step,
     "make-batch": cmd_make_batch, "make-init": cmd_make_init,
     "selftest": cmd_selftest}[args.mode](args)


if __name__ == "__main__":
    main()
