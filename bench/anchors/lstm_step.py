"""The LSTM step of bench/lstm.ts in PyTorch, from the initial weights and batches it exported (.npy
files in `data_dir`): nn.LSTM(64, 128), forward and backward of a mean-squared loss, no optimizer."""
import os
import time

import numpy as np

INPUT, HIDDEN = 64, 128


def lstm_steps(data_dir, steps):
    import torch
    from torch import nn

    load = lambda name: torch.from_numpy(np.load(os.path.join(data_dir, f'{name}.npy')))
    lstm = nn.LSTM(INPUT, HIDDEN)
    lstm.load_state_dict({name: load(name) for name in lstm.state_dict()})
    inputs, targets = load('inputs').unbind(0), load('targets').unbind(0)
    ms, loss = [], 0.0
    for s in range(steps):
        t0 = time.perf_counter()
        out, _ = lstm(inputs[s % len(inputs)])
        l = (out - targets[s % len(targets)]).square().mean()
        lstm.zero_grad()
        l.backward()
        loss = l.item()
        ms.append((time.perf_counter() - t0) * 1e3)
    return ms, loss
