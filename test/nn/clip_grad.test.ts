// Tensor.norm and nn.utils.clipGradNorm_ / clipGradValue_ against PyTorch (scripts/fixtures/norms.py).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

type P = number | 'inf' | '-inf';
interface NormCase { p: P; dim: number | number[] | null; keepdim: boolean; out: EncodedTensor; grad: EncodedTensor | null }
interface ClipCase { max_norm: number; norm_type: P; total: EncodedTensor; grads: EncodedTensor[] }
type ByDtype<T> = Record<'float32' | 'float64', T[]>;
const fixture = loadFixture<{ norm: ByDtype<NormCase>; clip: ByDtype<ClipCase> }>('norms.json');

const num = (p: P) => (p === 'inf' ? Infinity : p === '-inf' ? -Infinity : p);

for (const dtype of ['float64', 'float32'] as const) {
  const rtol = dtype === 'float64' ? 1e-13 : 2e-6;

  describe(`Tensor.norm against PyTorch (${dtype})`, () => {
    for (const c of fixture.norm[dtype]) {
      it(`p=${c.p} dim=${JSON.stringify(c.dim)} keepdim=${c.keepdim}`, () => {
        const x = pattern([3, 4], dtype, 41);
        tg.noGrad(() => x.select(0, 2).zero_());
        x.requiresGrad_();
        const y = x.norm(num(c.p), c.dim, c.keepdim);
        expectScaled(y, c.out, rtol, 'norm');
        y.sum().backward();
        if (c.grad === null) expect(x.grad).toBeNull();
        else expectScaled(x.grad!, c.grad, rtol, 'gradient');
      });
    }
  });

  describe(`nn.utils.clipGradNorm_ against PyTorch (${dtype})`, () => {
    for (const c of fixture.clip[dtype]) {
      it(`maxNorm ${c.max_norm}, normType ${c.norm_type}`, () => {
        const ps = [[3, 4], [5], [2, 2]].map((s, i) => {
          const p = tg.zeros(s, { dtype, requiresGrad: true });
          p.grad = pattern(s, dtype, 50 + i, -1.5, 1.5);
          return p;
        });
        const total = tg.nn.utils.clipGradNorm_(ps, c.max_norm, { normType: c.norm_type === 'inf' ? 'inf' : num(c.norm_type) });
        expectScaled(total, c.total, rtol, 'total norm');
        ps.forEach((p, i) => expectScaled(p.grad!, c.grads[i], rtol, `grad ${i}`));
      });
    }
  });
}

describe('gradient clipping', () => {
  it('clipGradValue_ clamps every gradient; parameters without one are skipped', () => {
    const a = tg.zeros([3], { requiresGrad: true }), b = tg.zeros([2], { requiresGrad: true });
    a.grad = tg.tensor([-2, 0.1, 3]);
    tg.nn.utils.clipGradValue_([a, b], 0.5);
    expect(a.grad!.tolist()).toEqual([-0.5, 0.10000000149011612, 0.5]);
    expect(b.grad).toBeNull();
    expect(tg.nn.utils.clipGradNorm_([b], 1).item()).toBe(0);
  });

  it('errorIfNonfinite, and a single tensor as parameters', () => {
    const a = tg.zeros([2], { requiresGrad: true });
    a.grad = tg.tensor([Infinity, 1]);
    expect(() => tg.nn.utils.clipGradNorm_(a, 1, { errorIfNonfinite: true })).toThrow('The total norm of order 2 for gradients from `parameters` is non-finite');
    expect(tg.nn.utils.clipGradNorm_(a, 1).item()).toBe(Infinity);
  });

  it('norm of an integer tensor is a dtype error, as in PyTorch', () => {
    expect(() => tg.tensor([1, 2], { dtype: 'int64' }).norm()).toThrow('norm(): Expected a floating point tensor as input. Got int64');
    expect(tg.tensor([3, 4]).norm('fro').item()).toBe(5);
    expect(tg.norm(tg.tensor([[3, -4]]), 1, 1).tolist()).toEqual([7]);
  });
});
