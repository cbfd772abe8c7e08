"""The transformer training step of bench/transformer.ts in PyTorch, from the initial weights and
token batches it exported (.npy files in `data_dir`): the same model, module for module and name for
name, cross entropy, AdamW, the loss read every step."""
import math
import os
import time

import numpy as np

VOCAB, BLOCK, EMBD, HEADS, LAYERS, BATCH, BATCHES = 27, 32, 64, 4, 2, 32, 8


def transformer_steps(data_dir, steps):
    import torch
    from torch import nn
    from torch.nn import functional as F

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.cAttn = nn.Linear(EMBD, 3 * EMBD)
            self.cProj = nn.Linear(EMBD, EMBD)

        def forward(self, x, mask):
            b, t, c = x.shape
            hs = c // HEADS
            q, k, v = (z.view(b, t, HEADS, hs).transpose(1, 2) for z in self.cAttn(x).split(EMBD, dim=2))
            att = (q @ k.transpose(-2, -1)).mul(1 / math.sqrt(hs)).masked_fill(mask, float('-inf')).softmax(-1)
            return self.cProj((att @ v).transpose(1, 2).contiguous().view(b, t, c))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.attn, self.ln2 = nn.LayerNorm(EMBD), SelfAttention(), nn.LayerNorm(EMBD)
            self.fc, self.gelu, self.proj = nn.Linear(EMBD, 4 * EMBD), nn.GELU(), nn.Linear(4 * EMBD, EMBD)

        def forward(self, x, mask):
            x = x + self.attn(self.ln1(x), mask)
            return x + self.proj(self.gelu(self.fc(self.ln2(x))))

    class Transformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(VOCAB, EMBD), nn.Embedding(BLOCK, EMBD)
            self.h = nn.ModuleList(Block() for _ in range(LAYERS))
            self.lnF, self.lmHead = nn.LayerNorm(EMBD), nn.Linear(EMBD, VOCAB)
            self.mask = torch.ones(BLOCK, BLOCK).tril() == 0
            self.pos = torch.arange(BLOCK)

        def forward(self, idx):
            x = self.wte(idx) + self.wpe(self.pos)
            for block in self.h:
                x = block(x, self.mask)
            return self.lmHead(self.lnF(x))

    load = lambda name: torch.from_numpy(np.load(os.path.join(data_dir, f'{name}.npy')))
    model = Transformer()
    model.load_state_dict({name: load(name) for name in model.state_dict()})
    tokens = load('tokens')
    batches = [(b[:, :BLOCK].contiguous(), b[:, 1:].contiguous()) for b in tokens.unbind(0)]
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    ms, loss = [], 0.0
    for s in range(steps):
        x, y = batches[s % BATCHES]
        t0 = time.perf_counter()
        logits = model(x)
        out = F.cross_entropy(logits.view(-1, VOCAB), y.view(-1))
        optimizer.zero_grad()
        out.backward()
        optimizer.step()
        loss = out.item()
        ms.append((time.perf_counter() - t0) * 1e3)
    return ms, loss
