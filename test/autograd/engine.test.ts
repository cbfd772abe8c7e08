import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

const f64 = (v: number[] | number, requiresGrad = true) => tg.tensor(v, { dtype: 'float64', requiresGrad });

describe('backward', () => {
  it('accumulates into an existing .grad in place', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    const first = x.grad!;
    expect(first.tolist()).toEqual([2, 4, 6]);
    y.backward();
    expect(x.grad).toBe(first);
    expect(first.tolist()).toEqual([4, 8, 12]);
  });

  it('adds matrix-product gradients straight into an existing .grad (same buffer, same values)', () => {
    const x = tg.randn(5, 4, { dtype: 'float64' }), w = tg.randn(4, 3, { dtype: 'float64', requiresGrad: true });
    const lin = new tg.nn.Linear(4, 3, { dtype: 'float64' });
    const run = () => x.mm(w).sum().add(lin.forward(x).pow(2).sum());
    run().backward();
    const wGrad = w.grad!, wStorage = wGrad._storage, lGrad = lin.weight.grad!;
    const firstW = wGrad.clone(), firstL = lGrad.clone();
    run().backward();
    expect(w.grad).toBe(wGrad);
    expect(w.grad!._storage).toBe(wStorage);
    expect(lin.weight.grad).toBe(lGrad);
    expect(w.grad!.allclose(firstW.mul(2), { rtol: 1e-12 })).toBe(true);
    expect(lin.weight.grad!.allclose(firstL.mul(2), { rtol: 1e-12 })).toBe(true);
    // autograd.grad never writes into .grad
    const [g] = tg.autograd.grad(x.mm(w).sum(), [w]);
    expect(g).not.toBe(w.grad);
    expect(w.grad!.allclose(firstW.mul(2), { rtol: 1e-12 })).toBe(true);
  });

  it('gives every leaf a .grad of its own, even when an op passes one gradient to several inputs', () => {
    const a = f64([1, 2]), b = f64([3, 4]);
    a.add(b).sum().backward();
    expect(a.grad!._storage).not.toBe(b.grad!._storage);
    a.grad!.add_(1);
    expect(b.grad!.tolist()).toEqual([1, 1]);
    const c = f64([5]);
    const out = c.mul(1);
    out.backward(tg.tensor([2], { dtype: 'float64' }));
    const given = tg.tensor([7], { dtype: 'float64' });
    c.grad = null;
    c.add(0).backward(given);
    c.grad!.add_(1);
    expect(given.tolist()).toEqual([7]);
  });

  it('sums broadcast gradients back to each input shape, converting dtypes', () => {
    const x = f64([1, 2, 3]), y = tg.ones(2, 3, { requiresGrad: true });
    x.mul(y).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
    expect(y.grad!.dtype).toBe('float32');
    expect(y.grad!.tolist()).toEqual([[1, 2, 3], [1, 2, 3]]);
  });

  it('propagates through views', () => {
    const x = tg.arange(6, { dtype: 'float64' }).reshape(2, 3).requiresGrad_();
    x.t().narrow(0, 1, 2).expand(4, 2, 2).sum().backward();
    expect(x.grad!.tolist()).toEqual([[0, 4, 4], [0, 4, 4]]);
  });

  it("relu and clamp pass gradients where PyTorch does: NaN inputs, bounds compared in the tensor's dtype", () => {
    const grad = (f: (x: tg.Tensor) => tg.Tensor, values: number[]) => {
      const x = tg.tensor(values, { requiresGrad: true });
      f(x).sum().backward();
      return x.grad!.tolist();
    };
    // PyTorch 2.13: torch.relu(x).sum().backward() with x = [nan, -1, 0, 2] gives [1, 0, 0, 1]
    expect(grad((x) => x.relu(), [NaN, -1, 0, 2])).toEqual([1, 0, 0, 1]);
    expect(grad((x) => x.clamp({ min: 0 }), [NaN, -1, 0, 2])).toEqual([0, 0, 1, 1]);
    expect(grad((x) => x.clamp({ min: -0.5, max: 1 }), [NaN, -1, 0, 2])).toEqual([0, 0, 1, 0]);
    expect(grad((x) => x.clamp({ min: 0.1 }), [0.1, 0.2])).toEqual([1, 1]); // 0.1 as float32 on both sides
  });

  it('non-scalar outputs take a gradient of their shape', () => {
    const x = f64([1, 2]);
    x.mul(3).backward(tg.tensor([1, 10], { dtype: 'float64' }));
    expect(x.grad!.tolist()).toEqual([3, 30]);
    expect(() => x.mul(3).backward(tg.ones(3, { dtype: 'float64' }))).toThrow(
      'Mismatch in shape: gradient 0 has a shape of [3] and output 0 has a shape of [2].',
    );
  });

  it('retainGrad keeps a non-leaf gradient; others stay null', () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    const k = h.mul(3);
    h.retainGrad();
    expect(h.retainsGrad).toBe(true);
    k.sum().backward();
    expect(h.grad!.tolist()).toEqual([3, 3]);
    expect(k.grad).toBeNull();
    expect(x.grad!.tolist()).toEqual([6, 6]);
  });

  it('records in-place ops on non-leaves', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(2);
    y.mul_(x);
    y.relu_();
    expect(y.gradFn!.name).toBe('ReluBackward0');
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 8, 12]);
    const z = f64([1, -1]);
    const w = z.exp();
    const buf = tg.zeros(2, { dtype: 'float64' });
    buf.add_(w);
    expect(buf.isLeaf).toBe(false);
    buf.sum().backward();
    expect(z.grad!.allclose(tg.tensor([Math.E, Math.exp(-1)], { dtype: 'float64' }))).toBe(true);
  });
});

describe("PyTorch's autograd errors", () => {
  it('an in-place change to a tensor saved for backward', () => {
    const x = f64([1, 2]);
    const y = x.exp();
    y.add_(1);
    expect(() => y.sum().backward()).toThrow(
      'one of the tensors needed for gradient computation has been modified by an inplace operation: a float64 tensor of shape [2], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead.',
    );
    const a = f64([1, 2]), b = tg.tensor([3, 4], { dtype: 'float64' });
    const c = a.mul(b);
    b.mul_(2);
    expect(() => c.sum().backward()).toThrow(tg.AutogradError);
    expect(() => c.sum().backward()).toThrow('a float64 tensor of shape [2] is at version 1; expected version 0 instead');
  });

  it('a change that no rule reads is fine', () => {
    const a = f64([1, 2]), b = tg.tensor([3, 4], { dtype: 'float64' });
    const c = a.add(b);
    b.mul_(2);
    c.sum().backward();
    expect(a.grad!.tolist()).toEqual([1, 1]);
  });

  it('an in-place op on a leaf that requires grad, outside noGrad', () => {
    const w = f64([1, 2]);
    expect(() => w.add_(1)).toThrow(
      'a leaf tensor that requires grad is being used in an in-place operation. ' +
        'To change its values without recording it (an optimizer-style update), do it inside tg.noGrad(() => ...).',
    );
    expect(() => w.zero_()).toThrow(tg.AutogradError);
    expect(w.tolist()).toEqual([1, 2]);
    tg.noGrad(() => w.sub_(0.5));
    expect(w.tolist()).toEqual([0.5, 1.5]);
    expect(w.isLeaf).toBe(true);
  });

  it('a second backward through a freed graph', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow('Trying to backward through the graph a second time');
    expect(() => y.backward()).toThrow('Pass { retainGraph: true } to backward() or autograd.grad() if you need to backward through the graph a second time');
    expect(() => y.backward()).toThrow(tg.AutogradError);
    const z = x.mul(x).sum();
    z.backward(null, { retainGraph: true });
    z.backward();
    expect(x.grad!.tolist()).toEqual([Math.E * 1 + 4, Math.exp(2) + 8].map((v, i) => [Math.E + 4, Math.exp(2) + 8][i]));
  });

  it('backward of a non-scalar without a gradient', () => {
    expect(() => f64([1, 2]).mul(2).backward()).toThrow('grad can be implicitly created only for scalar outputs');
  });

  it('backward of a tensor that does not require grad', () => {
    expect(() => tg.ones(2).sum().backward()).toThrow('element 0 of tensors does not require grad and does not have a gradFn');
  });

  it('changing requiresGrad of a non-leaf, retainGrad without requiresGrad', () => {
    const y = f64([1]).mul(2);
    expect(() => (y.requiresGrad = false)).toThrow('you can only change requiresGrad of leaf tensors');
    expect(() => (y.requiresGrad = false)).toThrow('const xNoGrad = x.detach()');
    expect(() => tg.ones(1).retainGrad()).toThrow("can't retainGrad() on a tensor that has requiresGrad false");
  });

  it("in-place on a view of a leaf that requires grad, or on a view made in noGrad, is PyTorch's error", () => {
    const x = f64([1, 2, 3]);
    expect(() => x.narrow(0, 0, 1).zero_()).toThrow('a view of a leaf tensor that requires grad is being used in an in-place operation. To change its values without recording it, do it inside tg.noGrad(() => ...).');
    expect(() => x.T.mul_(2)).toThrow(tg.AutogradError);
    const y = x.mul(1);
    const v = tg.noGrad(() => y.narrow(0, 0, 2));
    expect(() => v.zero_()).toThrow('A view was created in noGrad mode and is being modified inplace with grad mode enabled');
    expect(y.tolist()).toEqual([1, 2, 3]);
    expect(x.tolist()).toEqual([1, 2, 3]);
    tg.noGrad(() => x.narrow(0, 0, 1).zero_()); // untracked, as an optimizer step
    expect(x.tolist()).toEqual([0, 2, 3]);
  });

  // Expected values from PyTorch 2.13 (the same statements in Python).
  it('in-place on a view of a non-leaf: the base history becomes CopySlices, as in PyTorch', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(1);
    const v = y.narrow(0, 0, 1);
    v.zero_();
    expect(y.gradFn!.name).toBe('CopySlices');
    expect(v.gradFn!.name).toBe('AsStridedBackward0');
    y.mul(y).sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 4, 6]);
  });

  it('writing a tensor that requires grad into a buffer that does not (buf[1] = w)', () => {
    const w = f64([1, 2, 3]);
    const buf = tg.zeros(2, 3, { dtype: 'float64' });
    buf.select(0, 1).copy_(w);
    expect(buf.requiresGrad).toBe(true);
    expect(buf.isLeaf).toBe(false);
    buf.mul(tg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' })).sum().backward();
    expect(w.grad!.tolist()).toEqual([4, 5, 6]);
  });

  it('mul_ through a view: gradients for the base and the operand', () => {
    const x = f64([1, 2, 3]), w = f64([5, 7]);
    const y = x.mul(2);
    y.narrow(0, 1, 2).mul_(w);
    y.pow(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([8, 400, 1176]);
    expect(w.grad!.tolist()).toEqual([160, 504]);
  });

  it('a view taken before an in-place change of its base reads the new history', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(1);
    const v = y.narrow(0, 0, 2);
    y.mul_(3);
    expect(v.gradFn!.name).toBe('AsStridedBackward0');
    v.sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3, 0]);
  });

  it("views from unbind, split and chunk may not be changed in place while recording (PyTorch's errors)", () => {
    const x = tg.tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
    const y = x.mul(1);
    expect(() => y.unbind(0)[1].add_(1)).toThrow('Output 1 of Unbind is a view and is being modified inplace.');
    expect(() => y.split(1)[1].add_(1)).toThrow('Output 1 of Split is a view');
    expect(() => y.split([1, 1])[0].add_(1)).toThrow('Output 0 of SplitWithSizes is a view');
    expect(() => y.chunk(2)[1].add_(1)).toThrow('Output 1 of Split is a view');
    expect(() => tg.zeros(2, 2, { dtype: 'float64' }).unbind(0)[0].copy_(f64([1, 2]))).toThrow('A view was created in noGrad mode');
    const [, b] = y.unbind(0);
    tg.noGrad(() => b.add_(1)); // not recorded: allowed
    tg.zeros(2, 2).split(1)[1].add_(1); // nothing requires grad: allowed
    expect(y.tolist()).toEqual([[1, 2], [4, 5]]);
  });

  it('registerHook: sees and replaces gradients of leaves and non-leaves, removable (values from PyTorch)', () => {
    const x = f64([1, 2, 3]);
    const seen: number[][] = [];
    const handle = x.registerHook((g) => {
      seen.push(g.tolist() as number[]);
    });
    const y = x.mul(2);
    y.registerHook((g) => g.mul(10));
    y.retainGrad();
    y.mul(y).sum().backward();
    expect(seen).toEqual([[80, 160, 240]]);
    expect(x.grad!.tolist()).toEqual([80, 160, 240]);
    expect(y.grad!.tolist()).toEqual([40, 80, 120]); // retainGrad sees the hooked gradient
    handle.remove();
    x.grad = null;
    x.registerHook((g) => g.add(1));
    x.mul(3).sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 4, 4]);
    expect(seen.length).toBe(1);
    const q = f64([1, 2]);
    q.registerHook((g) => g.mul(2));
    expect(tg.autograd.grad([q.mul(q).sum()], [q])[0]!.tolist()).toEqual([4, 8]);
  });

  it('registerHook on a weight whose .grad exists: the hook sees the gradient before it is added', () => {
    const w = tg.ones([2, 2], { requiresGrad: true });
    w.registerHook((g) => g.mul(10));
    tg.ones(1, 2).mm(w).sum().backward();
    w.registerHook((g) => g.mul(0));
    tg.ones(1, 2).mm(w).sum().backward(); // mm would write straight into .grad without the hooks
    expect(w.grad!.tolist()).toEqual([[10, 10], [10, 10]]);
  });

  it('a gradient a hook kept is not written into later (values from PyTorch)', () => {
    const x = f64([1, 2, 3]);
    const saved: tg.Tensor[] = [];
    x.registerHook((g) => {
      saved.push(g);
    });
    x.mul(2).sum().backward();
    x.mul(2).sum().backward();
    expect(saved[0].tolist()).toEqual([2, 2, 2]);
    expect(x.grad!.tolist()).toEqual([4, 4, 4]);
  });

  it("registerHook: PyTorch's errors", () => {
    expect(() => tg.ones(2).registerHook((g) => g)).toThrow("cannot register a hook on a tensor that doesn't require gradient");
    const a = f64([1, 1]);
    a.registerHook(() => tg.ones(3, { dtype: 'float64' }));
    expect(() => a.mul(2).sum().backward()).toThrow('hook has changed the size of value');
    const b = tg.ones([2], { requiresGrad: true });
    b.registerHook((g) => g.to('float64'));
    expect(() => b.mul(2).sum().backward()).toThrow('hook has changed the type of value');
  });

  it('retainGrad() follows a tensor changed in place, and a base changed through a view (values from PyTorch)', () => {
    const x = f64([1, 2]);
    const y = x.mul(1);
    y.retainGrad();
    y.mul_(3);
    y.mul(y).sum().backward();
    expect(y.grad!.tolist()).toEqual([6, 12]);
    expect(x.grad!.tolist()).toEqual([18, 36]);
    const x2 = f64([1, 2]);
    const y2 = x2.mul(1);
    y2.retainGrad();
    y2.narrow(0, 0, 1).mul_(3);
    y2.mul(y2).sum().backward();
    expect(y2.grad!.tolist()).toEqual([6, 4]);
    expect(x2.grad!.tolist()).toEqual([18, 4]);
  });

  it('an operand that is the tensor changed in place is saved as it was (y.mul_(y) fails backward, as in PyTorch)', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(1);
    y.mul_(y);
    expect(() => y.sum().backward()).toThrow('modified by an inplace operation');
  });

  it('an expanded view regenerated after its base changed sums its gradient (values from PyTorch)', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(1);
    const e = y.expand(2, 3);
    y.mul_(2);
    e.mul(tg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' })).sum().backward();
    expect(x.grad!.tolist()).toEqual([10, 14, 18]);
    const b = tg.tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true }).mul(1);
    const mask = tg.tensor([[true, false, false], [false, false, false]]);
    expect(() => b.expand(2, 3).maskedFill_(mask, 0)).toThrow('more than one element of the written-to tensor refers to a single memory location');
  });

  it('retainGrad() moves to a view\'s regenerated node; detach_() of a view is refused (as in PyTorch)', () => {
    const x = f64([1, 1, 1, 1]);
    const b = x.mul(1);
    const v = b.narrow(0, 0, 2);
    v.retainGrad();
    b.mul_(2);
    v.mul(3).sum().backward();
    expect(v.grad!.tolist()).toEqual([3, 3]);
    expect(v.retainsGrad).toBe(true);
    expect(() => x.mul(2).narrow(0, 0, 2).detach_()).toThrow("Can't detach views in-place. Use detach() instead.");
    const buf = tg.zeros(2, 2, { dtype: 'float64' });
    const w = f64([1, 2]);
    const row = buf.select(0, 0);
    buf.add_(w);
    row.backward(tg.ones(2, { dtype: 'float64' })); // a view of a base that came to require grad
    expect(w.grad!.tolist()).toEqual([1, 1]);
  });

  it('the view saved by an earlier op, changed through another view, fails backward as in PyTorch', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(1);
    const z = y.narrow(0, 0, 2).pow(2); // saves its input
    y.narrow(0, 1, 1).zero_();
    expect(() => z.sum().backward()).toThrow('modified by an inplace operation');
  });
});

describe('grad mode', () => {
  it('noGrad, enableGrad, setGradEnabled, isGradEnabled', () => {
    const x = f64([1]);
    expect(tg.isGradEnabled()).toBe(true);
    const y = tg.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(tg.noGrad(() => tg.enableGrad(() => x.mul(2))).requiresGrad).toBe(true);
    expect(() => tg.noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(tg.isGradEnabled()).toBe(true);
    tg.setGradEnabled(false);
    try {
      expect(x.mul(2).gradFn).toBeNull();
    } finally {
      tg.setGradEnabled(true);
    }
  });

  it('detach and detach_ leave the graph; comparisons never require grad', () => {
    const x = f64([1, 2]);
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    const e = x.mul(2).detach_();
    expect(e.gradFn).toBeNull();
    expect(x.gt(0).requiresGrad).toBe(false);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(x.data.requiresGrad).toBe(false);
  });
});

describe('autograd.grad', () => {
  it('returns gradients without touching .grad', () => {
    const x = f64([1, 2]), y = f64([3, 4]);
    const [gx, gy] = tg.autograd.grad(x.mul(y).sum(), [x, y]);
    expect(gx!.tolist()).toEqual([3, 4]);
    expect(gy!.tolist()).toEqual([1, 2]);
    expect(x.grad).toBeNull();
  });

  it('gradients of non-leaf inputs', () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    const [gh] = tg.autograd.grad(h.pow(2).sum(), [h]);
    expect(gh!.tolist()).toEqual([4, 8]);
  });

  it('createGraph gives second derivatives', () => {
    const x = f64([1, 2, 3]);
    const [dx] = tg.autograd.grad(x.pow(3).sum(), [x], { createGraph: true });
    expect(dx!.tolist()).toEqual([3, 12, 27]);
    const [ddx] = tg.autograd.grad(dx!.sum(), [x]);
    expect(ddx!.tolist()).toEqual([6, 12, 18]);
    const a = tg.randn(2, 3, { dtype: 'float64', requiresGrad: true }), w = tg.randn(3, 2, { dtype: 'float64', requiresGrad: true });
    const [da] = tg.autograd.grad(a.mm(w).sum(), [a], { createGraph: true });
    da!.sum().backward();
    expect(w.grad!.allclose(tg.full([3, 2], 2, { dtype: 'float64' }))).toBe(true);
  });

  it('unused inputs are an error unless allowUnused', () => {
    const x = f64([1]), y = f64([2]);
    expect(() => tg.autograd.grad(x.mul(2).sum(), [x, y])).toThrow('appears to not have been used in the graph');
    const [, gy] = tg.autograd.grad(x.mul(2).sum(), [x, y], { allowUnused: true });
    expect(gy).toBeNull();
  });
});

describe('nodes', () => {
  it("are named as PyTorch names them", () => {
    const x = tg.randn(3, { requiresGrad: true });
    const m = tg.randn(2, 3, { requiresGrad: true });
    const names: [tg.Tensor, string][] = [
      [x.mul(2), 'MulBackward0'], [x.rsub(2), 'RsubBackward1'], [x.sub(2), 'SubBackward0'], [x.clamp({ min: 0 }), 'ClampBackward1'],
      [x.clamp(0, 1), 'ClampBackward1'], [x.sum(), 'SumBackward0'], [x.sum(0), 'SumBackward1'], [x.mean(), 'MeanBackward0'],
      [x.view(3), 'ViewBackward0'], [x.unsqueeze(0), 'UnsqueezeBackward0'], [x.index('1:'), 'SliceBackward0'], [x.select(0, 0), 'SelectBackward0'],
      [x.pow(2), 'PowBackward0'], [x.pow(x), 'PowBackward1'], [tg.pow(2, x), 'PowBackward2'], [x.exp(), 'ExpBackward0'],
      [x.max(), 'MaxBackward1'], [x.max(0).values, 'MaxBackward0'], [x.amax(), 'AmaxBackward0'], [x.var(), 'VarBackward0'],
      [x.double(), 'ToCopyBackward0'], [x.clone(), 'CloneBackward0'], [x.expand(2, 3), 'ExpandBackward0'], [tg.cat([x, x]), 'CatBackward0'],
      [tg.stack([x, x]), 'StackBackward0'], [m.t(), 'TBackward0'], [m.permute(1, 0), 'PermuteBackward0'], [m.transpose(0, 1), 'TransposeBackward0'],
      [tg.where(x.gt(0), x, 0), 'WhereBackward0'], [x.maskedFill(x.gt(0), 0), 'MaskedFillBackward0'], [x.dot(x), 'DotBackward0'],
      [m.mm(m.t()), 'MmBackward0'], [tg.maximum(x, x), 'MaximumBackward0'], [x.div(x), 'DivBackward0'], [x.neg(), 'NegBackward0'],
      [x.abs(), 'AbsBackward0'], [x.sigmoid(), 'SigmoidBackward0'], [x.relu(), 'ReluBackward0'], [x.prod(), 'ProdBackward0'],
      [x.prod(0), 'ProdBackward1'], [x.min(0).values, 'MinBackward0'], [x.min(), 'MinBackward1'], [x.tanh(), 'TanhBackward0'],
    ];
    for (const [t, name] of names) expect(t.gradFn?.name, name).toBe(name);
    expect(String(x.mul(2).sum())).toMatch(/grad_fn=<SumBackward0>\)$/);
  });

  it('a backward without retainGraph releases the saved tensors', () => {
    const x = f64([1, 2]);
    const y = x.mul(x);
    const node = y.gradFn!;
    expect(node._inputs!.filter((v) => v !== null).length).toBe(2);
    y.sum().backward();
    expect(node._inputs!.every((v) => v === null)).toBe(true);
  });

  it("a long training loop's memory stays flat", () => {
    const script = `
      const tg = require(${JSON.stringify(join(__dirname, '..', '..'))});
      const x = tg.randn(64, 200), y = tg.randn(64, 10);
      const w1 = tg.randn(200, 50, { requiresGrad: true }), w2 = tg.randn(50, 10, { requiresGrad: true });
      const samples = [];
      (async () => {
        for (let t = 0; t < 3000; t++) {
          const loss = x.mm(w1).clamp(0).mm(w2).sub(y).pow(2).sum();
          loss.backward();
          tg.noGrad(() => { w1.sub_(w1.grad.mul(1e-6)); w2.sub_(w2.grad.mul(1e-6)); w1.grad.zero_(); w2.grad.zero_(); });
          if (t % 500 === 499) {
            // collect, let V8 finish freeing array buffers (it sweeps them in the background), collect again
            global.gc();
            await new Promise((resolve) => setTimeout(resolve, 20));
            global.gc();
            const m = process.memoryUsage();
            samples.push(m.heapUsed + m.arrayBuffers + m.external);
          }
        }
        console.log(JSON.stringify(samples));
      })();`;
    const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
    const samples = JSON.parse(out) as number[];
    const growth = samples[samples.length - 1] - samples[0];
    expect(growth, `memory samples: ${samples.join(', ')}`).toBeLessThan(4 * 1024 * 1024);
  });
});
