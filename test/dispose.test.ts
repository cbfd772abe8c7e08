// Releasing memory before the garbage collector would: t.dispose(), Symbol.dispose, tg.scope(fn),
// and the gradients backward uses up. Whatever is released, no tensor, view or typed array handed
// out may ever see memory reused under it: using a released tensor is an Error.
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';

const DISPOSED = /memory was released by dispose\(\)/;
const rssMB = () => process.memoryUsage().rss / 2 ** 20;

describe('t.dispose()', () => {
  it('gives the memory back at once', () => {
    const before = rssMB();
    const t = tg.ones(64 * 2 ** 20); // 256 MB
    expect(rssMB() - before).toBeGreaterThan(200);
    const afterAlloc = rssMB();
    t.dispose();
    expect(afterAlloc - rssMB()).toBeGreaterThan(200);
    expect(t.isDisposed).toBe(true);
    t.dispose(); // twice: nothing
  });

  it('leaves every path to the memory an Error, views included; copies stay valid', () => {
    for (const n of [6, 60000]) { // carved from a shared slab, and a buffer of its own
      const x = tg.arange(n, { dtype: 'float32' });
      const views = [x.view(2, -1), x.view(2, -1).T, x.narrow(0, 1, 2), x.expand(3, n)];
      const copy = x.toTypedArray();
      const row = x.view(2, -1).select(0, 0);
      x.dispose();
      expect(() => x.add_(1)).toThrow(DISPOSED);
      expect(() => row.mul_(2)).toThrow(DISPOSED);
      for (const v of [x, ...views, row]) {
        expect(v.isDisposed).toBe(true);
        expect(() => v.add(1)).toThrow(DISPOSED);
        expect(() => v.sum()).toThrow(DISPOSED);
        expect(() => v.tolist()).toThrow(DISPOSED);
        expect(() => v.toTypedArray()).toThrow(DISPOSED);
        expect(() => tg.ones(v.shape).copy_(v)).toThrow(DISPOSED);
        expect(String(v)).toMatch(/^tensor\(<disposed>, size=\[/);
      }
      // new tensors take the memory over; the copy handed out before does not change
      for (let i = 0; i < 20; i++) tg.full([n], -7);
      expect(Array.from(copy.slice(0, 4) as Float32Array)).toEqual([0, 1, 2, 3]);
      expect(copy[n - 1]).toBe(n - 1);
    }
  });

  it('Symbol.dispose is dispose (for `using t = ...`)', () => {
    const t = tg.randn(1000);
    t[Symbol.dispose]();
    expect(t.isDisposed).toBe(true);
  });

  it('backward through a disposed saved tensor is an Error, not wrong gradients', () => {
    const w = tg.randn([100, 100], { requiresGrad: true });
    const h = w.mul(w);
    const loss = h.sum();
    w.dispose();
    expect(() => loss.backward()).toThrow(DISPOSED);
  });
});

describe('gradients used up inside backward', () => {
  it('keeps what was handed out: hooks, retained gradients, autograd.grad', () => {
    const x = tg.randn([300, 300], { requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    const seen: tg.Tensor[] = [];
    const z = y.tanh();
    z.registerHook((g) => { seen.push(g); });
    z.mul(3).sum().backward();
    for (let i = 0; i < 10; i++) tg.full([300, 300], -1).mul(5); // reuse whatever was released
    expect(seen[0].isDisposed).toBe(false);
    expect(seen[0].sum().item()).toBe(90000 * 3);
    expect(y.grad!.isDisposed).toBe(false);
    expect(y.grad!.allclose(z.detach().pow(2).neg().add(1).mul(3))).toBe(true);
    expect(x.grad!.allclose(y.grad!.mul(2))).toBe(true);
    const a = tg.randn([300, 300], { requiresGrad: true });
    const b = a.mul(a);
    const [gb] = tg.autograd.grad([b.exp().sum()], [b]);
    for (let i = 0; i < 10; i++) tg.full([300, 300], -1).mul(5);
    expect(gb!.allclose(b.detach().exp())).toBe(true);
  });
});

describe('tg.scope(fn)', () => {
  it('releases what fn made but for what it returns and what outlives it (.grad, parameters, optimizer state)', () => {
    tg.manualSeed(0);
    const model = new tg.nn.Linear(50, 20);
    const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = tg.randn(64, 50), y = tg.randn(64, 20);
    let inner: tg.Tensor[] = [];
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      const out = tg.scope(() => {
        const pred = model.forward(x);
        const loss = tg.nn.functional.mseLoss(pred, y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        inner = [pred, loss];
        return { loss: loss.detach() };
      });
      losses.push(out.loss.item());
      expect(inner[0].isDisposed).toBe(true);
      expect(out.loss.isDisposed).toBe(false);
      expect(inner[1].isDisposed).toBe(false); // the returned detach() shares the loss's memory
      for (const p of model.parameters()) {
        expect(p.isDisposed).toBe(false);
        expect(p.grad!.isDisposed).toBe(false);
      }
    }
    // the same steps without scopes give the same numbers
    tg.manualSeed(0);
    const model2 = new tg.nn.Linear(50, 20);
    const opt2 = new tg.optim.Adam(model2.parameters(), { lr: 1e-2 });
    const plain: number[] = [];
    for (let step = 0; step < 5; step++) {
      const loss = tg.nn.functional.mseLoss(model2.forward(x), y);
      opt2.zeroGrad();
      loss.backward();
      opt2.step();
      plain.push(loss.item());
    }
    expect(losses).toEqual(plain);
    expect(x.isDisposed).toBe(false); // made outside
  });

  it('nests: an inner scope hands what it returns to the outer one', () => {
    let kept: tg.Tensor | undefined, fromInner: tg.Tensor | undefined;
    const result = tg.scope(() => {
      fromInner = tg.scope(() => [tg.ones(1000).mul(2), tg.ones(3)])[0];
      kept = tg.scope(() => tg.ones(1000));
      expect(fromInner.isDisposed).toBe(false);
      return kept;
    });
    expect(result).toBe(kept);
    expect(kept!.isDisposed).toBe(false);
    expect(fromInner!.isDisposed).toBe(true);
  });

  it('follows async functions across awaits, and releases on a throw or a rejection too', async () => {
    let made: tg.Tensor | undefined;
    const r = await tg.scope(async () => {
      await new Promise((res) => setTimeout(res, 1));
      made = tg.randn(1000);
      await Promise.resolve();
      return made.mul(2);
    });
    expect(made!.isDisposed).toBe(true);
    expect(r.isDisposed).toBe(false);
    let t1: tg.Tensor | undefined, t2: tg.Tensor | undefined;
    expect(() => tg.scope(() => { t1 = tg.ones(10); throw new Error('boom'); })).toThrow('boom');
    await expect(tg.scope(async () => { await null; t2 = tg.ones(10); throw new Error('later'); })).rejects.toThrow('later');
    expect(t1!.isDisposed).toBe(true);
    expect(t2!.isDisposed).toBe(true);
    // two concurrent scopes each release only their own
    let a: tg.Tensor | undefined, b: tg.Tensor | undefined;
    const pa = tg.scope(async () => { await new Promise((res) => setTimeout(res, 5)); a = tg.ones(100); });
    await tg.scope(async () => { b = tg.ones(100); await null; });
    expect(b!.isDisposed).toBe(true);
    await pa;
    expect(a!.isDisposed).toBe(true);
    expect(() => tg.scope(42 as unknown as () => void)).toThrow(TypeError);
  });
});
