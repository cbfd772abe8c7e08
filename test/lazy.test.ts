import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';

// g.mul(number) on a whole float tensor of 4096 elements or more is computed when first read, and
// zero_() on a whole tensor writes its zeros when next read; an in-place add or sub of such a
// product reads its source instead (w.sub_(g.mul(lr)) in one pass). None of it may show: every
// result is the one the eager ops give, bit for bit, whatever happens to the source in between.

const N = [64, 100]; // 6400 elements: lazy
const lazyOf = (t: tg.Tensor) => (t as unknown as { _storage: { pendingScale(): unknown } })._storage.pendingScale() !== null;
/** t * s computed at once: a 0-d tensor operand is never deferred, and gives the same bits. */
const eager = (t: tg.Tensor, s: number) => t.mul(tg.tensor(s, { dtype: t.dtype }));

describe('deferred scaling (g.mul(lr))', () => {
  it('w.sub_(g.mul(lr)) and w.add_(g.mul(-lr)) give the bits of the two eager ops', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const g = tg.randn(N, { dtype }), w = tg.randn(N, { dtype });
      const expected = w.sub(eager(g, 1e-3)), expectedAdd = w.add(eager(g, -0.37));
      const l = g.mul(1e-3);
      expect(lazyOf(l)).toBe(true);
      const w1 = w.clone(), w2 = w.clone();
      w1.sub_(l);
      w2.add_(g.mul(-0.37));
      expect(w1.equal(expected)).toBe(true);
      expect(w2.equal(expectedAdd)).toBe(true);
      expect(l.equal(eager(g, 1e-3))).toBe(true); // and the product itself, read afterwards
    }
  });

  it('a deferred product keeps the values its source had, whatever is written to the source later', () => {
    const writes: [string, (g: tg.Tensor) => void][] = [
      ['zero_', (g) => g.zero_()],
      ['fill_', (g) => g.fill_(3)],
      ['add_ (whole)', (g) => g.add_(1)],
      ['a slice written', (g) => g.narrow(0, 5, 2).mul_(-2)],
      ['copy_', (g) => g.copy_(tg.ones(N))],
      ['normal_', (g) => g.normal_()],
      ['clamp_', (g) => g.clamp_(0, 0.1)],
      ['maskedFill_', (g) => g.maskedFill_(g.gt(0), 7)],
      ['dispose', (g) => g.dispose()],
    ];
    for (const [name, write] of writes) {
      const g = tg.randn(N);
      const expected = eager(g, 0.5);
      const l = g.mul(0.5), l2 = g.mul(2);
      write(g);
      expect(l.equal(expected), name).toBe(true);
      expect(l2.equal(eager(expected, 4)), name).toBe(true); // 2x is exact: 0.5 * g * 4
    }
  });

  it('a write that fails leaves the source and its products as they were', () => {
    const g = tg.ones([5000]);
    const l = g.mul(2);
    expect(() => g.copy_(tg.ones([3]))).toThrow(tg.ShapeError);
    const gone = tg.ones([5000]);
    gone.dispose();
    expect(() => g.copy_(gone)).toThrow(/released/);
    expect(g.sum().item()).toBe(5000);
    expect(l.sum().item()).toBe(10000);
    expect(() => gone.zero_()).toThrow(/released/);
  });

  it('many products of one source, read after the source changed', () => {
    const g = tg.randn(N), copy = g.clone();
    const ls = Array.from({ length: 20 }, (_, i) => g.mul(i + 1));
    g.zero_();
    ls.forEach((l, i) => expect(l.equal(eager(copy, i + 1))).toBe(true));
  });

  it('a deferred product read in the middle of describing another call (an operand of ops of every kind)', () => {
    const g = tg.randn(N), b = tg.randn(100, 3);
    const e = eager(g, 0.25);
    const ops: ((x: tg.Tensor) => tg.Tensor)[] = [
      (x) => x.add(g), (x) => g.sub(x), (x) => x.mm(b), (x) => tg.cat([g, x], 0), (x) => x.sum(1), (x) => x.T.contiguous(),
      (x) => tg.where(g.gt(0), x, g), (x) => x.exp(), (x) => x.index(null, '1:5'), (x) => x.softmax(1),
    ];
    for (const op of ops) expect(op(g.mul(0.25)).equal(op(e))).toBe(true);
  });

  it('a product a tg.scope() returns outlives the source the scope releases', () => {
    const g0 = tg.randn(N);
    const l = tg.scope(() => g0.clone().mul(3));
    expect(l.equal(eager(g0, 3))).toBe(true);
  });

  it('small tensors, views, integers and recorded products are computed at once', () => {
    expect(lazyOf(tg.randn(10).mul(2))).toBe(false);
    expect(lazyOf(tg.randn(200, 100).narrow(0, 0, 100).mul(2))).toBe(false);
    expect(lazyOf(tg.ones(N, { dtype: 'int64' }).mul(2))).toBe(false);
    expect(lazyOf(tg.randn(N).mul(tg.tensor(2)))).toBe(false);
  });
});

describe('deferred zeros (zero_())', () => {
  it('reads as zeros, through views and every op', () => {
    const t = tg.randn(N);
    const v = t.T;
    t.zero_();
    expect(v.sum().item()).toBe(0);
    expect(t.add(1).sum().item()).toBe(6400);
    t.narrow(0, 0, 1).fill_(2);
    expect(t.sum().item()).toBe(200);
    expect(tg.randn(3).zero_().tolist()).toEqual([0, 0, 0]);
    expect(tg.ones(N, { dtype: 'int64' }).zero_().sum().item()).toBe(0);
    expect(tg.randn(N).fill_(-0).toTypedArray()[0]).toBe(-0); // -0 is written, not deferred
  });

  it("a product added into a zeroed .grad (backward's beta = 0 path) gives the gradient, step after step", () => {
    tg.manualSeed(0);
    const x = tg.randn(64, 300, { dtype: 'float64' }), w = tg.randn(300, 20, { dtype: 'float64', requiresGrad: true });
    const expected = x.T.mm(tg.ones(64, 20, { dtype: 'float64' }));
    for (let step = 0; step < 3; step++) {
      x.mm(w).sum().backward();
      expect(w.grad!.allclose(expected, { rtol: 1e-12 })).toBe(true);
      w.grad!.zero_();
      expect(w.grad!.abs().sum().item()).toBe(0);
    }
    x.mm(w).sum().backward();
    x.mm(w).sum().backward(); // accumulates onto what is there
    expect(w.grad!.allclose(expected.mul(2), { rtol: 1e-12 })).toBe(true);
  });

  it('the hand-written seed step (w.sub_(w.grad.mul(lr)); w.grad.zero_()) matches the eager form bit for bit', () => {
    const run = (fused: boolean) => {
      tg.manualSeed(0);
      const x = tg.randn(64, 1000), y = tg.randn(64, 10);
      const w1 = tg.randn(1000, 100, { requiresGrad: true }), w2 = tg.randn(100, 10, { requiresGrad: true });
      for (let i = 0; i < 5; i++) {
        x.mm(w1).clamp({ min: 0 }).mm(w2).sub(y).pow(2).sum().backward();
        tg.noGrad(() => {
          for (const w of [w1, w2]) {
            w.sub_(fused ? w.grad!.mul(1e-6) : eager(w.grad!, 1e-6));
            if (fused) w.grad!.zero_();
            else w.grad!.copy_(tg.zeros(w.shape));
          }
        });
      }
      return [w1, w2];
    };
    const [a1, a2] = run(true), [b1, b2] = run(false);
    expect(a1.equal(b1) && a2.equal(b2)).toBe(true);
  });
});
