# ccrnn.torch.to_module: the PyTorch module of a checkpoint has the
# checkpoint as its state_dict, and its predictions on a seed's test set,
# averaged per class, are the run's trajectories (within 1e-5), for the
# LSTM and tanh cRNNs and ccRNNs (context variant, two layers, a deeper
# cerebellum included).
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# DEFINE: %{train} = ccrnn-train --quiet --cache-dir %t/cache --epochs 3 --train-size 100 --val-size 50 --test-size 300 --seed-list 2,5
# RUN: %{train} --model lstm,dni_lstm,tanh,cdni_tanh --out %t/run
# RUN: %pyccrnn %s %t/run | FileCheck %s
# RUN: %{train} --model dni_lstm --nlayers 2 --synth-nlayers 2 --out %t/deep
# RUN: %pyccrnn %s %t/deep | FileCheck %s --check-prefix=DEEP
# CHECK: seed 2, lstm: LSTM, state_dict is the checkpoint, trajectories within 1e-5
# CHECK: seed 2, dni_lstm: DNI, state_dict is the checkpoint, trajectories within 1e-5
# CHECK: seed 2, tanh: RNN, state_dict is the checkpoint, trajectories within 1e-5
# CHECK: seed 2, cdni_tanh: DNI, state_dict is the checkpoint, trajectories within 1e-5
# CHECK: seed 5, cdni_tanh: DNI, state_dict is the checkpoint, trajectories within 1e-5
# DEEP: seed 5, dni_lstm: DNI, state_dict is the checkpoint, trajectories within 1e-5
#
# RUN: not %pyccrnn -c "import ccrnn.torch; ccrnn.torch.to_module({'x': 1})" 2>&1 | FileCheck %s --check-prefix=BAD
# BAD: ValueError: checkpoint has no rnn.weight_ih_l0 (not a ccrnn model checkpoint; it has x)
import sys

import numpy as np
import torch

import ccrnn
import ccrnn.torch

run = ccrnn.load_run(sys.argv[1])
task = ccrnn.Task.from_run(run)
traj = run.trajectories
for seed in run.seeds:
    test = task.data(seed)["test"]
    for model in run.models:
        state = run.checkpoint(seed, model)
        module = ccrnn.torch.to_module(state)
        same = all(np.array_equal(v.numpy(), state[k])
                   for k, v in module.state_dict().items()) and \
            sorted(module.state_dict()) == sorted(state)
        with torch.no_grad():
            pred = module(torch.from_numpy(test.inputs)).double().numpy()
        classes = traj["classes"]
        # Label c is class k = c - 3 (LineDraw.h).
        mine = np.stack([pred[test.labels == k + 3].mean(0) for k in classes])
        theirs = traj["per_seed/" + model][run.seeds.index(seed)]
        err = np.abs(mine - theirs).max()
        print("seed %d, %s: %s, state_dict %s, trajectories %s" % (
            seed, model, type(module.rnn).__name__,
            "is the checkpoint" if same else "DIFFERS",
            "within 1e-5" if err <= 1e-5 else "off by %g" % err))
