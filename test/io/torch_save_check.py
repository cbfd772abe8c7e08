"""Loads what test/io/torch_save.test.ts saved with tg.save in the torch format, in PyTorch, and
prints what PyTorch makes of it as JSON.

Usage: python torch_save_check.py <directory>. Every file is read with torch.load(weights_only=True)
(values_huge.pt too, to show that weights_only refuses LONG4, then without it), and once more
mapped (mmap=True) with PyTorch computing each storage's offset from the zip layout itself
(calculate_storage_offsets, checked against the zip directory by TORCH_SERIALIZATION_DEBUG).
"""
import collections
import json
import math
import os
import sys

os.environ['TORCH_SERIALIZATION_DEBUG'] = '1'

import torch  # noqa: E402
import torch.utils.serialization  # noqa: E402

root = sys.argv[1]


def path(name):
    return os.path.join(root, name)


def load(name, **kw):
    return torch.load(path(name), weights_only=True, **kw)


def describe(x):
    """A value as JSON that keeps Python's types apart."""
    if isinstance(x, torch.Tensor):
        return {'tensor': {
            'dtype': str(x.dtype).replace('torch.', ''), 'shape': list(x.shape), 'stride': list(x.stride()),
            'offset': x.storage_offset(), 'storage_bytes': x.untyped_storage().nbytes(), 'requires_grad': x.requires_grad,
            'values': describe(x.tolist()),
        }}
    if isinstance(x, collections.OrderedDict):
        return {'odict': [[describe(k), describe(v)] for k, v in x.items()]}
    if isinstance(x, dict):
        return {'dict': [[describe(k), describe(v)] for k, v in x.items()]}
    if isinstance(x, list):
        return {'list': [describe(v) for v in x]}
    if isinstance(x, tuple):
        return {'tuple': [describe(v) for v in x]}
    if isinstance(x, bytes):
        return {'bytes': x.hex()}
    if isinstance(x, bool):
        return {'bool': x}
    if isinstance(x, int):
        return {'int': str(x)}
    if isinstance(x, float):  # JSON numbers, but for the values JSON has none for
        return {'float': x if math.isfinite(x) and (x != 0 or math.copysign(1, x) > 0) else repr(x)}
    if isinstance(x, str):
        return {'str': x}
    if x is None:
        return {'none': True}
    raise TypeError(type(x))


def sharing(d):
    """Names of the tensors of d by the memory their storage starts at (empty storages left out)."""
    groups = collections.defaultdict(list)
    for k, v in d.items():
        if isinstance(v, torch.Tensor) and v.untyped_storage().nbytes() > 0:
            groups[v.untyped_storage().data_ptr()].append(k)
    return sorted(sorted(g) for g in groups.values())


class Net(torch.nn.Module):
    """The test's Net, in PyTorch."""

    def __init__(self):
        super().__init__()
        self.register_buffer('scale', torch.zeros(4))
        self.register_buffer('count', torch.tensor(0))
        self.emb = torch.nn.Embedding(10, 4)
        self.conv = torch.nn.Conv2d(1, 2, 3, padding=1)
        self.fc1 = torch.nn.Linear(32, 4)
        self.ln = torch.nn.LayerNorm(4)
        self.fc2 = torch.nn.Linear(4, 3)

    def forward(self, tokens, image):
        e = self.emb(tokens).mean(1)
        c = torch.relu(self.conv(image)).flatten(1)
        return self.fc2(self.ln(self.fc1(c) + e) * self.scale)


def check_net():
    sd = load('net.pt')
    io = load('net_io.pt')
    net = Net()
    net.load_state_dict(sd, strict=True)
    with torch.no_grad():
        out = net(io['tokens'], io['image'])
    return {'type': type(sd).__name__, 'keys': list(sd.keys()), 'diff': (out - io['output']).abs().max().item()}


OPTIMIZERS = {'adam': torch.optim.Adam, 'adamw': torch.optim.AdamW, 'amsgrad': torch.optim.Adam, 'sgd': torch.optim.SGD,
              'rmsprop': torch.optim.RMSprop, 'adagrad': torch.optim.Adagrad, 'adadelta': torch.optim.Adadelta,
              'adamax': torch.optim.Adamax, 'nadam': torch.optim.NAdam, 'radam': torch.optim.RAdam, 'asgd': torch.optim.ASGD}


def check_optimizer(kind):
    """Loads the model and optimizer state saved after a few steps, takes the next step in PyTorch."""
    model = torch.nn.Linear(4, 3)
    model.load_state_dict(load(f'{kind}_model.pt'))
    sd = load(f'{kind}_opt.pt')
    saved = describe(sd)  # before the step, which counts on in the loaded step tensors
    opt = OPTIMIZERS[kind](model.parameters(), lr=0.5)
    opt.load_state_dict(sd)
    nxt = load(f'{kind}_next.pt')
    opt.zero_grad()
    (model(nxt['x']) ** 2).sum().backward()
    opt.step()
    diff = max((p - q).abs().max().item() for p, q in zip(model.parameters(), nxt['params']))
    return {'state_dict': saved, 'diff': diff, 'loaded_group': describe({k: v for k, v in opt.param_groups[0].items() if k != 'params'})}


def check_checkpoint():
    ck = load('checkpoint.pt')
    model = torch.nn.Linear(4, 3)
    model.load_state_dict(ck['model'])
    opt = torch.optim.Adam(model.parameters())
    opt.load_state_dict(ck['optimizer'])
    return {'keys': list(ck.keys()), 'epoch': ck['epoch'], 'steps': [s['step'].item() for s in opt.state.values()]}


def check_huge():
    try:
        load('values_huge.pt')
        refused = None
    except Exception as e:  # weights_only refuses LONG4, as it does for torch.save's own
        refused = type(e).__name__
    return {'weights_only': refused, 'value': str(torch.load(path('values_huge.pt'), weights_only=False)['huge'])}


def same(a, b):
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b) and a.stride() == b.stride() and a.storage_offset() == b.storage_offset()
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)


def check_mmap():
    """Each file mapped, PyTorch computing each storage's offset from the zip layout."""
    torch.utils.serialization.config.load.calculate_storage_offsets = True
    out = {}
    for name in sorted(os.listdir(root)):
        if name.endswith('.pt') and name != 'values_huge.pt':
            out[name] = same(load(name), load(name, mmap=True))
    torch.utils.serialization.config.load.calculate_storage_offsets = False
    return out


values = load('values.pt')
print(json.dumps({
    'values': describe(values),
    'sharing': sharing(values),
    'net': check_net(),
    'optimizers': {kind: check_optimizer(kind) for kind in OPTIMIZERS},
    'checkpoint': check_checkpoint(),
    'huge': check_huge(),
    'mmap': check_mmap(),
}))
