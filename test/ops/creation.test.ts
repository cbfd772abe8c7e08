import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { expectTensor, loadFixture, type EncodedTensor } from '../helpers';

const fixture = loadFixture('creation.json');

describe('creation against PyTorch', () => {
  it.each(fixture.cases.map((c, i) => [i, c.op, c] as const))('#%i %s', (_i, op, c) => {
    const args = c.args.map((a) => (a as { scalar: unknown }).scalar) as number[];
    const opts = c.kwargs.dtype === undefined ? undefined : { dtype: c.kwargs.dtype as tg.DType };
    let got: tg.Tensor;
    if (op === 'arange') got = tg.arange(args[0], args[1], args[2], opts);
    else if (op === 'linspace') got = tg.linspace(args[0], args[1], args[2], opts);
    else if (op === 'eye') got = tg.eye(args[0], args[1]);
    else if (op === 'full') got = tg.full(args[0] as unknown as number[], args[1]);
    else got = tg.tensor(args[0] as unknown as tg.NestedArray, opts);
    // arange and linspace reproduce PyTorch's float32 arithmetic: equal bit for bit
    expectTensor(got, c.out as EncodedTensor, { rtol: 0, atol: 0 }, `${op}(${JSON.stringify(args)})`);
  });
});

describe('creation', () => {
  it('takes a shape as an array or as numbers, with options', () => {
    expect(tg.zeros(2, 3).shape).toEqual([2, 3]);
    expect(tg.zeros([2, 3]).shape).toEqual([2, 3]);
    expect(tg.ones([2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(tg.ones(2, 2, { dtype: 'int32' }).tolist()).toEqual([[1, 1], [1, 1]]);
    expect(tg.zeros().shape).toEqual([]);
    expect(tg.empty(3, 4).shape).toEqual([3, 4]);
    expect(tg.full([2], 3n).dtype).toBe('int64');
  });

  it('tensor() infers dtypes: numbers float, booleans bool, bigints int64, typed arrays their own', () => {
    expect(tg.tensor([1, 2]).dtype).toBe('float32');
    expect(tg.tensor([true]).dtype).toBe('bool');
    expect(tg.tensor([1n, 2n]).dtype).toBe('int64');
    expect(tg.tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(tg.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tg.tensor(new Uint8Array([1, 255])).tolist()).toEqual([1, 255]);
    expect(tg.tensor(new Uint8Array([1, 255])).dtype).toBe('int32');
    expect(tg.tensor([1.5, 2.5], { dtype: 'float64' }).dtype).toBe('float64');
    tg.setDefaultDtype('float64');
    try {
      expect(tg.tensor([1]).dtype).toBe('float64');
      expect(tg.randn(2).dtype).toBe('float64');
    } finally {
      tg.setDefaultDtype('float32');
    }
    expect(() => tg.setDefaultDtype('int64')).toThrow(tg.DTypeError);
  });

  it('tensor() copies its input', () => {
    const src = new Float32Array([1, 2, 3]);
    const t = tg.tensor(src);
    src[0] = 99;
    expect(t.tolist()).toEqual([1, 2, 3]);
    const u = tg.tensor(t);
    t.add_(1);
    expect(u.tolist()).toEqual([1, 2, 3]);
  });

  it('ragged nested arrays are refused', () => {
    expect(() => tg.tensor([[1, 2], [3]])).toThrow('expected sequence of length 2 at dim 1 (got 1)');
    expect(() => tg.tensor([[1, 2], 3] as unknown as tg.NestedArray)).toThrow(tg.ShapeError);
    expect(() => tg.tensor(['a'] as unknown as tg.NestedArray)).toThrow(TypeError);
  });

  it('like-functions and eye', () => {
    const x = tg.zeros(2, 3, { dtype: 'float64' });
    expect(tg.onesLike(x).dtype).toBe('float64');
    expect(tg.fullLike(x, 2).tolist()).toEqual([[2, 2, 2], [2, 2, 2]]);
    expect(tg.zerosLike(x, { dtype: 'int32' }).dtype).toBe('int32');
    expect(tg.eye(2, { dtype: 'int64' }).tolist()).toEqual([[1, 0], [0, 1]]);
  });

  it('requiresGrad only on floating-point tensors', () => {
    expect(tg.zeros(2, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => tg.zeros(2, { dtype: 'int64', requiresGrad: true })).toThrow(
      'only floating-point tensors (float32, float64) can require gradients, but this one is int64',
    );
  });

  it('bad sizes are RangeErrors', () => {
    expect(() => tg.zeros(-1, 3)).toThrow('Trying to create tensor with negative dimension -1: [-1, 3]');
    expect(() => tg.zeros(1.5)).toThrow(RangeError);
    expect(() => tg.zeros(NaN)).toThrow(RangeError);
    expect(() => tg.randn([2, -3])).toThrow(RangeError);
    expect(() => tg.arange(0, 10, 0)).toThrow('step must be nonzero');
    expect(() => tg.arange(0, 10, -1)).toThrow('upper bound and larger bound inconsistent with step sign');
  });

  it('an allocation beyond what the machine can hold is a RangeError, not a crash', () => {
    expect(() => tg.zeros(1e6, 1e6)).toThrow(RangeError);
    expect(() => tg.empty(2 ** 40)).toThrow(RangeError);
    expect(() => tg.ones([2 ** 31, 2 ** 31, 2 ** 31])).toThrow(RangeError);
  });
});
