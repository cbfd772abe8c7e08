"""The attention block of bench/attention.ts in PyTorch: nn.TransformerEncoderLayer(64, 4, 256,
batch_first=True) (dropout 0.1, training mode) forward and backward on a [32, 32, 64] input, built
after manual_seed(0), the input drawn after manual_seed(1), as tensorgrad's side does."""
import time

D_MODEL, HEADS, FF, BATCH, SEQ = 64, 4, 256, 32, 32


def attention_steps(steps):
    import torch
    from torch import nn

    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, batch_first=True)
    torch.manual_seed(1)
    x = torch.randn(BATCH, SEQ, D_MODEL, requires_grad=True)
    ms, loss = [], 0.0
    for _ in range(steps):
        t0 = time.perf_counter()
        layer.zero_grad()
        x.grad = None
        out = layer(x).square().mean()
        out.backward()
        loss = out.item()
        ms.append((time.perf_counter() - t0) * 1e3)
    return ms, loss
