"""The MNIST epoch of bench/mnist.ts in PyTorch, from the data and initial weights it exported
(.npy files in `data_dir`): torch.utils.data.DataLoader over a TensorDataset, batches of 64
shuffled by torch.Generator().manual_seed(0), SGD with momentum, the loss read every step."""
import os
import time

import numpy as np


def mnist_epochs(data_dir, epochs):
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    load = lambda name: torch.from_numpy(np.load(os.path.join(data_dir, f'{name}.npy')))
    x, y = load('x_train'), load('y_train')
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    model.load_state_dict({name: load(name) for name in ['0.weight', '0.bias', '2.weight', '2.bias']})
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    ms, loss = [], 0.0
    for _ in range(epochs):
        t0 = time.perf_counter()
        total = 0.0
        for xb, yb in loader:
            out = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            out.backward()
            optimizer.step()
            total += out.item() * yb.shape[0]
        ms.append((time.perf_counter() - t0) * 1e3)
        loss = total / x.shape[0]
    return ms, loss
