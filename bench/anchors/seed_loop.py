"""The benchmark's measurements on NumPy and PyTorch, run by bench/run.ts in a child process.

argv[1]: 'numpy' or 'torch'; argv[2]: a JSON list of configurations (as bench/seed-loop.ts; the
mnist, transformer and attention kinds are torch only, in mnist_epoch.py, transformer_step.py and attention_block.py).
Prints one JSON result per line. The loops are the seed tutorial's programs.
"""
import json
import resource
import statistics
import sys
import time

N, D_IN, H, D_OUT, LR = 64, 1000, 100, 10, 1e-6


def numpy_loop(dtype, steps):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, D_IN)).astype(dtype)
    y = rng.standard_normal((N, D_OUT)).astype(dtype)
    w1 = rng.standard_normal((D_IN, H)).astype(dtype)
    w2 = rng.standard_normal((H, D_OUT)).astype(dtype)

    def step():
        h = x.dot(w1)
        h_relu = np.maximum(h, 0)
        y_pred = h_relu.dot(w2)
        float(np.square(y_pred - y).sum())
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T.dot(grad_y_pred)
        grad_h_relu = grad_y_pred.dot(w2.T)
        grad_h = grad_h_relu.copy()
        grad_h[h < 0] = 0
        grad_w1 = x.T.dot(grad_h)
        w1[...] -= LR * grad_w1
        w2[...] -= LR * grad_w2
    return step


def torch_loop(mode, dtype, steps):
    import torch
    torch.manual_seed(0)
    dt = {'float32': torch.float32, 'float64': torch.float64}[dtype]
    x, y = torch.randn(N, D_IN, dtype=dt), torch.randn(N, D_OUT, dtype=dt)
    w1 = torch.randn(D_IN, H, dtype=dt, requires_grad=mode == 'autograd')
    w2 = torch.randn(H, D_OUT, dtype=dt, requires_grad=mode == 'autograd')

    def autograd_step():
        loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
        loss.item()
        loss.backward()
        with torch.no_grad():
            w1.sub_(LR * w1.grad)
            w2.sub_(LR * w2.grad)
            w1.grad.zero_()
            w2.grad.zero_()

    def manual_step():
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        (y_pred - y).pow(2).sum().item()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h = grad_y_pred.mm(w2.t())
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)
        w1.sub_(LR * grad_w1)
        w2.sub_(LR * grad_w2)
    return autograd_step if mode == 'autograd' else manual_step


def timed(step, steps):
    """Milliseconds for the first `steps` steps of a fresh run (cold) and for the next `steps` (warm)."""
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    t1 = time.perf_counter()
    for _ in range(steps):
        step()
    return (t1 - t0) * 1e3, (time.perf_counter() - t1) * 1e3


def op(lib, grad):
    if lib == 'numpy':
        import numpy as np
        a = np.random.default_rng(0).standard_normal(4).astype(np.float32)
        f = lambda: a + a
    else:
        import torch
        a = torch.randn(4, requires_grad=grad)
        f = lambda: a + a
    n = 200000
    for _ in range(20000):
        f()
    t0 = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - t0) * 1e6 / n


def gemm(lib, dtype, n=1024):
    if lib == 'numpy':
        import numpy as np
        a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)
        b = a.copy()
        mm = lambda: a.dot(b)
    else:
        import torch
        dt = {'float32': torch.float32, 'float64': torch.float64}[dtype]
        a, b = torch.randn(n, n, dtype=dt), torch.randn(n, n, dtype=dt)
        mm = lambda: a.mm(b)
    mm()
    best = min(_t(mm) for _ in range(5))
    return 2 * n ** 3 / best / 1e9


def elementwise(name, size):
    import torch
    torch.manual_seed(0)
    a, b = torch.randn(size), torch.randn(size)
    m = a.reshape(size // 128, 128)
    f = {'add': lambda: a + b, 'mul': lambda: a * b, 'tanh': lambda: a.tanh(), 'exp': lambda: a.exp(),
         'clone': lambda: a.clone(), 'sum': lambda: m.sum(1)}[name]
    n = max(20, min(20000, int(5e7 // size)))
    for _ in range(n):
        f()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        times.append((time.perf_counter() - t0) * 1e6 / n)
    return statistics.median(times)


def _t(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main():
    lib, configs = sys.argv[1], json.loads(sys.argv[2])
    for c in configs:
        if lib == 'torch':
            import torch
            torch.set_num_threads(c['threads'])
        warm, loss = None, None
        if c['kind'] == 'mnist':
            from mnist_epoch import mnist_epochs
            ms, loss = mnist_epochs(c['data'], c.get('epochs', 5))
            value, warm = ms[0], statistics.median(ms[1:])
        elif c['kind'] == 'transformer':
            from transformer_step import transformer_steps
            ms, loss = transformer_steps(c['data'], c.get('steps', 100))
            value, warm = statistics.median(ms[:10]), statistics.median(ms[10:])
        elif c['kind'] == 'lstm':
            from lstm_step import lstm_steps
            ms, loss = lstm_steps(c['data'], c.get('steps', 60))
            value, warm = statistics.median(ms[:10]), statistics.median(ms[10:])
        elif c['kind'] == 'attention':
            from attention_block import attention_steps
            ms, loss = attention_steps(c.get('steps', 100))
            value, warm = statistics.median(ms[:10]), statistics.median(ms[10:])
        elif c['kind'] == 'loop':
            step = numpy_loop(c['dtype'], c.get('steps', 500)) if lib == 'numpy' else torch_loop(c['mode'], c['dtype'], c.get('steps', 500))
            value, warm = timed(step, c.get('steps', 500))
        elif c['kind'] == 'elementwise':
            value = elementwise(c['op'], c['size'])
        elif c['kind'] == 'op':
            value = op(lib, c.get('mode') == 'autograd')
        else:
            value = gemm(lib, c['dtype'])
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({**c, 'value': value, 'warm': warm, 'loss': loss, 'rssMB': rss}), flush=True)


if __name__ == '__main__':
    main()
