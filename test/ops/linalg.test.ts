import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { argsOf, expectTensor, loadFixture, pattern, type EncodedTensor } from '../helpers';

const fixture = loadFixture('linalg.json');

describe('matrix products against PyTorch', () => {
  it.each(fixture.cases.map((c, i) => [i, c.op, c] as const))('#%i %s', (_i, op, c) => {
    const [a, b] = argsOf(fixture, c) as [tg.Tensor, tg.Tensor];
    let got: tg.Tensor;
    if (op === 'mm_tt') got = b.t().mm(a.t()); // both operands transposed views
    else got = (a as unknown as Record<string, (o: tg.Tensor) => tg.Tensor>)[op](b);
    expectTensor(got, c.out as EncodedTensor, { rtol: 1e-5, atol: 1e-5 }, `${op} ${a.shape} x ${b.shape}`);
  });
});

describe('matrix products on views', () => {
  const a = pattern([6, 5], 'float64', 1), b = pattern([5, 4], 'float64', 2);
  const ref = a.mm(b);

  it('transposed operands give the same product (passed to BLAS as flags)', () => {
    const at = a.t().contiguous().t(), bt = b.t().contiguous().t();
    expect(at.isContiguous()).toBe(false);
    expect(at.mm(bt).allclose(ref, { rtol: 1e-12 })).toBe(true);
    expect(b.t().mm(a.t()).allclose(ref.t(), { rtol: 1e-12 })).toBe(true);
  });

  it('operands that are neither row- nor column-major are packed', () => {
    const big = pattern([12, 10], 'float64', 3);
    const a2 = big.index('::2', '::2').narrow(1, 0, 5); // strides (20, 2)
    expect(a2.isContiguous()).toBe(false);
    expect(a2.mm(b).allclose(a2.contiguous().mm(b), { rtol: 1e-12 })).toBe(true);
    const e = tg.tensor([[1, 2, 3, 4, 5]], { dtype: 'float64' }).expand(6, 5); // stride 0 rows
    expect(e.mm(b).allclose(e.contiguous().mm(b), { rtol: 1e-12 })).toBe(true);
  });

  it('batched matmul broadcasts batch dims', () => {
    const x = pattern([2, 1, 3, 4], 'float32', 4), y = pattern([5, 4, 2], 'float32', 5);
    const out = x.matmul(y);
    expect(out.shape).toEqual([2, 5, 3, 2]);
    const manual = x.select(1, 0).select(0, 1).mm(y.select(0, 3));
    expect(out.select(0, 1).select(0, 3).allclose(manual, { rtol: 1e-6 })).toBe(true);
  });

  it('integer products are exact and wrap around like PyTorch', () => {
    const x = tg.tensor([[1, 2], [3, 4]], { dtype: 'int64' });
    expect(x.mm(x).tolist()).toEqual([[7, 10], [15, 22]]);
    const big = tg.tensor([[2147483647]], { dtype: 'int32' });
    expect(big.mm(tg.tensor([[2]], { dtype: 'int32' })).tolist()).toEqual([[-2]]);
  });

  it('products with zero-sized dims', () => {
    expect(tg.zeros(3, 0).mm(tg.zeros(0, 2)).tolist()).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(tg.zeros(0, 4).mm(tg.zeros(4, 2)).shape).toEqual([0, 2]);
  });

  it('errors are worded like PyTorch', () => {
    expect(() => tg.zeros(64, 1000).mm(tg.zeros(100, 10))).toThrow(
      'mat1 and mat2 shapes cannot be multiplied (64x1000 and 100x10)',
    );
    expect(() => tg.zeros(2, 3).mm(tg.zeros(3, 2, { dtype: 'float64' }))).toThrow(tg.DTypeError);
    expect(() => tg.zeros(3).mm(tg.zeros(3, 2))).toThrow('input must be a matrix');
    expect(() => tg.zeros(3).dot(tg.zeros(4))).toThrow(
      'inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively',
    );
    expect(() => tg.zeros(2, 3, 4).matmul(tg.zeros(2, 5, 6))).toThrow(tg.ShapeError);
    expect(() => tg.tensor(1).matmul(tg.zeros(2))).toThrow('both arguments to matmul need to be at least 1D, but they are 0D and 1D');
    expect(() => tg.zeros(2, 2, { dtype: 'bool' }).mm(tg.zeros(2, 2, { dtype: 'bool' }))).toThrow('matrix products (mm, matmul, bmm, mv, dot, linear) are not implemented for bool tensors');
    expect(() => tg.zeros(2, 3, 4).bmm(tg.zeros(3, 4, 5))).toThrow('batch1 and batch2 must have same number of batches, got 2 and 3');
  });
});

describe('matrix products split across threads', () => {
  // Products of 16M multiply-adds and more run as blocks of rows (or of columns, when the result is
  // wider than tall) on the thread pool, each block a single-threaded BLAS call.
  const cases: [string, () => [tg.Tensor, tg.Tensor]][] = [
    ['rows', () => [tg.randn(300, 256, { dtype: 'float64' }), tg.randn(256, 280, { dtype: 'float64' })]],
    ['columns', () => [tg.randn(40, 600, { dtype: 'float64' }), tg.randn(600, 700, { dtype: 'float64' })]],
    ['rows, a transposed', () => [tg.randn(256, 300, { dtype: 'float64' }).t(), tg.randn(256, 280, { dtype: 'float64' })]],
    ['columns, b transposed', () => [tg.randn(40, 600, { dtype: 'float64' }), tg.randn(700, 600, { dtype: 'float64' }).t()]],
    ['batched', () => [tg.randn(2, 300, 300, { dtype: 'float64' }), tg.randn(2, 300, 300, { dtype: 'float64' })]],
  ];
  it.each(cases)('%s: two threads give the one-thread product, float64 and float32', (_name, make) => {
    const before = tg.getNumThreads();
    try {
      tg.manualSeed(7);
      const [a, b] = make();
      tg.setNumThreads(1);
      const one = a.matmul(b), one32 = a.float().matmul(b.float());
      tg.setNumThreads(2);
      const two = a.matmul(b), two32 = a.float().matmul(b.float());
      const scale = one.abs().max().item();
      // A block may take another BLAS code path than the whole product: equal to rounding.
      expect(two.sub(one).abs().max().item()).toBeLessThan(1e-12 * scale);
      expect(two32.double().sub(one).abs().max().item()).toBeLessThan(1e-5 * scale);
      expect(two32.sub(one32).abs().max().item()).toBeLessThan(1e-5 * scale);
    } finally {
      tg.setNumThreads(before);
    }
  });
});
