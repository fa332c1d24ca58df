#!/usr/bin/env python3
"""PyTorch (cuDNN's nn.LSTM) on the GPU, for the GPU check's table: ms per
training batch of SPEC §3's algorithm (tools/bench/ccrnn_torch.py's
train_batch, clipping, Adam) for the check's configurations, and 10 seeds
trained one after the other. Random data of the configurations' shapes.

  torch_step_bench.py [--device cuda] [--repeats N]
"""
import argparse
import os
import sys
import time

# Next to this script in the bundle; tools/bench in the repository.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "bench")]
import torch  # noqa: E402
from torch import nn  # noqa: E402

import ccrnn_torch as ct  # noqa: E402

# name, model kind, input size, output size (classes), hidden, synthesizer
# width and layers, batch, steps, bptt, interval, classify
CONFIGS = [
    ("linedraw ccRNN T=1", "dni_lstm", 1, 2, 50, 400, 2, 50, 10, 1, 2, False),
    ("seqMNIST ccRNN T=3", "dni_lstm", 28, 10, 30, 400, 2, 50, 28, 3, 1, True),
    ("large ccRNN H512 B256 T=8 L64", "dni_lstm", 1, 2, 512, 1024, 2, 256, 64,
     8, 2, False),
]


def bench(config, device, repeats, networks=1):
    (_, kind, inputs, outputs, hidden, width, layers, batch, steps, bptt,
     interval, classify) = config
    models, opts = [], []
    for seed in range(networks):
        torch.manual_seed(seed)
        m = ct.Model(kind, inputs, outputs, hidden, width, layers,
                     zero_last=False).to(device)
        models.append(m)
        opts.append(torch.optim.Adam(m.parameters(), lr=1e-4,
                                     betas=(0.9, 0.98), eps=1e-9))
    x = torch.rand(batch, steps, inputs, device=device)
    y = (torch.randint(0, outputs, (batch,), device=device) if classify
         else torch.randn(batch, steps, outputs, device=device))

    def step():
        for m, opt in zip(models, opts):
            opt.zero_grad()
            ct.train_batch(m, x, y, bptt, interval)
            nn.utils.clip_grad_norm_(list(m.parameters()), 1.0)
            opt.step()

    for _ in range(3):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(repeats):
            step()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) / repeats * 1e3)
    return sorted(times)[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print("torch_step_bench: no CUDA device for PyTorch", file=sys.stderr)
        return 3
    name = (torch.cuda.get_device_name(0) if args.device == "cuda"
            else "cpu")
    print(f"PyTorch {torch.__version__} on {name} "
          f"(cuDNN {torch.backends.cudnn.version()})")
    print("| configuration | PyTorch ms/batch |\n| --- | ---: |")
    for config in CONFIGS:
        repeats = max(1, args.repeats // (10 if config[7] > 100 else 1))
        print(f"| {config[0]} | {bench(config, args.device, repeats):.3f} |",
              flush=True)
    ms = bench(CONFIGS[0], args.device, max(1, args.repeats // 4), networks=10)
    print(f"| {CONFIGS[0][0]}, 10 seeds one after the other | {ms:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
