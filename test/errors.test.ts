// The errors a user meets first, worded like PyTorch's and of classes they can catch.
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';

describe('errors', () => {
  it('mat1/mat2 shape mismatch is a ShapeError', () => {
    const err = (() => { try { tg.randn(64, 1000).mm(tg.randn(100, 10)); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(tg.ShapeError);
    expect((err as Error).message).toBe('mat1 and mat2 shapes cannot be multiplied (64x1000 and 100x10)');
  });

  it('broadcast mismatch names the sizes and the dimension', () => {
    expect(() => tg.zeros(2, 3).add(tg.zeros(2, 4))).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1',
    );
    expect(() => tg.zeros(2, 3).add(tg.zeros(2, 4))).toThrow(tg.ShapeError);
  });

  it('an invalid view shape', () => {
    expect(() => tg.zeros(4).view(3)).toThrow("shape '[3]' is invalid for input of size 4");
    expect(() => tg.zeros(4).reshape([3])).toThrow(tg.ShapeError);
  });

  it('dimension out of range is an IndexError (a RangeError)', () => {
    expect(() => tg.zeros(2, 3).sum(5)).toThrow(tg.IndexError);
    expect(() => tg.zeros(2, 3).sum(5)).toThrow(RangeError);
    expect(() => tg.zeros(2, 3).sum(-3)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got -3)');
  });

  it('negative, non-integer and NaN sizes are RangeErrors', () => {
    expect(() => tg.zeros(-2)).toThrow(RangeError);
    expect(() => tg.ones(2.5)).toThrow(RangeError);
    expect(() => tg.randn(NaN)).toThrow(RangeError);
    expect(() => tg.empty([3, -1])).toThrow('Trying to create tensor with negative dimension -1: [3, -1]');
  });

  it('allocations beyond what the machine can hold are RangeErrors', () => {
    expect(() => tg.zeros(2 ** 20, 2 ** 20)).toThrow(RangeError);
    expect(() => tg.randn(2 ** 30, 2 ** 30)).toThrow(RangeError);
    expect(() => tg.zeros(1e6, 1e6, 1e6)).toThrow(RangeError);
  });

  it('dtype mismatches are DTypeErrors (TypeErrors)', () => {
    const f32 = tg.zeros(2, 2), f64 = tg.zeros(2, 2, { dtype: 'float64' });
    expect(() => f32.mm(f64)).toThrow(tg.DTypeError);
    expect(() => f32.mm(f64)).toThrow(TypeError);
    expect(() => f32.mm(f64)).toThrow('expected m1 and m2 to have the same dtype, but got: float32 != float64');
    expect(() => tg.zeros(2, { dtype: 'int64' }).mean()).toThrow(tg.DTypeError);
    expect(() => tg.zeros(2, { dtype: 'float16' as tg.DType })).toThrow('invalid dtype "float16"');
  });

  it('item() on more than one element', () => {
    expect(() => tg.zeros(2).item()).toThrow('item() needs a tensor with one element, but this one has 2 (shape [2])');
    expect(() => tg.zeros(0).item()).toThrow('item() needs a tensor with one element, but this one has 0 (shape [0])');
    expect(tg.tensor([[3.5]]).item()).toBe(3.5);
    expect(tg.tensor(true).item()).toBe(true);
  });

  it('wrong argument types are TypeErrors naming the argument', () => {
    expect(() => tg.zeros(2).add('1' as unknown as number)).toThrow("add(): argument 'other' must be Tensor or Number, not string");
    expect(() => tg.zeros(2).mm([1, 2] as unknown as tg.Tensor)).toThrow("mm(): argument 'mat2' must be Tensor, not Array");
    expect(() => tg.zeros(2, 'x' as unknown as number)).toThrow(TypeError);
  });

  it('a failed op leaves its inputs as they were', () => {
    const x = tg.tensor([1, 2, 3]);
    expect(() => x.add_(tg.zeros(2, 3))).toThrow(tg.ShapeError);
    expect(() => x.div_(tg.zeros(2))).toThrow(tg.ShapeError);
    expect(x.tolist()).toEqual([1, 2, 3]);
  });
});
