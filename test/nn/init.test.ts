// nn.init against the formulas of torch/nn/init.py (bounds and standard deviations) and against
// PyTorch's values for the same seed (scripts/fixtures/init.py), with the QR decomposition
// orthogonal_ rests on.
import { describe, expect, it, vi } from 'vitest';
import * as tg from '../../src/index';
import { householderQr } from '../../src/nn/qr';
import { decode, expectScaled, loadFixture, type EncodedTensor } from '../helpers';

const { init } = tg.nn;
const close = (a: number, b: number, tol = 0.02) => expect(Math.abs(a - b) / b).toBeLessThan(tol);

describe('nn.init', () => {
  it('calculateGain follows the table', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('relu')).toBe(Math.SQRT2);
    expect(init.calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain('leaky_relu', 0.2)).toBe(Math.sqrt(2 / 1.04));
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as 'relu')).toThrow('Unsupported nonlinearity swish');
  });

  it('fans include the receptive field', () => {
    expect(init.calculateFanInAndFanOut(tg.empty(16, 8, 3, 3))).toEqual({ fanIn: 72, fanOut: 144 });
    expect(() => init.calculateFanInAndFanOut(tg.empty(5))).toThrow('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  });

  it('xavier and kaiming give the std and bounds of their formulas', () => {
    tg.manualSeed(0);
    const w = tg.empty(600, 400);
    init.xavierUniform_(w, 2);
    const a = 2 * Math.sqrt(6 / 1000);
    expect(w.abs().amax().item()).toBeLessThanOrEqual(a);
    close(w.std().item(), 2 * Math.sqrt(2 / 1000));
    init.xavierNormal_(w);
    close(w.std().item(), Math.sqrt(2 / 1000));
    init.kaimingUniform_(w, { nonlinearity: 'relu' });
    expect(w.abs().amax().item()).toBeLessThanOrEqual(Math.SQRT2 * Math.sqrt(3 / 400));
    close(w.std().item(), Math.SQRT2 / Math.sqrt(400));
    init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' });
    close(w.std().item(), Math.SQRT2 / Math.sqrt(600));
    close(Math.abs(w.mean().item()) + 1, 1, 0.01);
  });

  it('constant, zeros, ones, uniform, normal fill in place without recording', () => {
    const p = tg.empty(3, 4, { requiresGrad: true });
    expect(init.constant_(p, 0.5)).toBe(p);
    expect(p.eq(0.5).all().item()).toBe(true);
    init.zeros_(p);
    expect(p.sum().item()).toBe(0);
    init.ones_(p);
    expect(p.sum().item()).toBe(12);
    init.uniform_(p, -1, 1);
    expect(p.abs().amax().item()).toBeLessThanOrEqual(1);
    init.normal_(p, 5, 0.01);
    close(p.mean().item(), 5, 0.01);
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBeNull();
  });
});

interface InitCase {
  fn: 'truncNormal_' | 'orthogonal_' | 'sparse_' | 'eye_' | 'dirac_';
  shape: number[];
  dtype: 'float32' | 'float64';
  seed: number;
  generator_seed: number | null;
  kwargs: Record<string, number>;
  out: EncodedTensor;
}
const fixture = loadFixture<{ cases: InitCase[]; qr: { a: EncodedTensor; q: EncodedTensor; r: EncodedTensor }[] }>('init.json');

function run(c: InitCase): tg.Tensor {
  tg.manualSeed(c.seed);
  const t = tg.empty(c.shape, { dtype: c.dtype });
  const generator = c.generator_seed === null ? undefined : new tg.Generator().manualSeed(c.generator_seed);
  const k = c.kwargs;
  switch (c.fn) {
    case 'truncNormal_': return init.truncNormal_(t, { ...k, generator });
    case 'orthogonal_': return init.orthogonal_(t, { ...k, generator });
    case 'sparse_': return init.sparse_(t, k.sparsity, { std: k.std, generator });
    case 'eye_': return init.eye_(t);
    case 'dirac_': return init.dirac_(t, k.groups);
  }
}

const label = (c: InitCase) => `${c.fn} ${JSON.stringify(c.shape)} ${c.dtype} ${JSON.stringify(c.kwargs)}${c.generator_seed === null ? '' : ' generator'}`;

describe('nn.init against PyTorch', () => {
  for (const c of fixture.cases) {
    it(label(c), () => {
      const t = run(c);
      expect(t.dtype).toBe(c.dtype);
      // orthogonal_'s QR rounds its own way (in float64 here, LAPACK in the tensor's dtype there);
      // every other fill draws the same numbers and transforms them alike
      if (c.fn === 'orthogonal_') expectScaled(t, c.out, c.dtype === 'float32' ? 2e-6 : 1e-13, 'values');
      else expect(t.tolist()).toEqual(decode(c.out).tolist());
    });
  }

  it('householderQr gives torch.linalg.qr Q and R, signs included', () => {
    for (const { a, q, r } of fixture.qr) {
      const [m, n] = a.shape;
      const res = householderQr(decode(a).toTypedArray() as Float64Array, m, n);
      expectScaled(tg.tensor(res.q).reshape(m, n), q, 1e-14, 'q');
      expectScaled(tg.tensor(res.r).reshape(n, n), r, 1e-14, 'r');
    }
    expect(() => householderQr([1, 2], 1, 2)).toThrow('householderQr: expected a matrix with at least as many rows as columns, got 1 x 2');
  });

  it('orthogonal_ gives orthonormal rows or columns, times gain', () => {
    const w = init.orthogonal_(tg.empty(6, 10, { dtype: 'float64' }), 3);
    expect(w.matmul(w.T).sub(tg.eye(6, { dtype: 'float64' }).mul(9)).abs().amax().item()).toBeLessThan(1e-12);
    const v = init.orthogonal_(tg.empty(10, 6, { dtype: 'float64' }));
    expect(v.T.matmul(v).sub(tg.eye(6, { dtype: 'float64' })).abs().amax().item()).toBeLessThan(1e-12);
  });

  it('fill without recording, in place, and check their tensors as PyTorch does', () => {
    const p = new tg.nn.Parameter(tg.empty(4, 4));
    for (const fn of [() => init.truncNormal_(p), () => init.orthogonal_(p), () => init.sparse_(p, 0.5), () => init.eye_(p)]) {
      expect(fn()).toBe(p);
      expect(p.isLeaf && p.gradFn === null && p.requiresGrad).toBe(true);
    }
    expect(init.truncNormal_(p, 0, 1, -0.5, 0.5).abs().amax().item()).toBeLessThanOrEqual(0.5);
    expect(() => init.orthogonal_(tg.empty(3))).toThrow('Only tensors with 2 or more dimensions are supported');
    expect(() => init.sparse_(tg.empty(3), 0.1)).toThrow('Only tensors with 2 dimensions are supported');
    expect(() => init.eye_(tg.empty(2, 2, 2))).toThrow('Only tensors with 2 dimensions are supported');
    expect(() => init.dirac_(tg.empty(2, 2))).toThrow('Only tensors with 3, 4, or 5 dimensions are supported');
    expect(() => init.dirac_(tg.empty(3, 2, 3), 2)).toThrow('dim 0 must be divisible by groups');
    expect(() => init.truncNormal_(p, { mu: 1 } as never)).toThrow(TypeError);
    expect(init.orthogonal_(tg.empty(0, 3)).numel()).toBe(0);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    init.truncNormal_(tg.empty(3), { mean: 5, a: -1, b: 1 });
    expect(warn).toHaveBeenCalledWith('mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.', 'UserWarning');
    warn.mockRestore();
  });

  it('dirac_ makes a convolution the identity on the channels', () => {
    const conv = new tg.nn.Conv2d(3, 3, 3, { padding: 1 });
    init.dirac_(conv.weight);
    init.zeros_(conv.bias!);
    const x = tg.randn(1, 3, 5, 5);
    expect(conv(x).sub(x).abs().amax().item()).toBeLessThan(1e-6);
  });
});
