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

// Messages keep PyTorch's meaning but name what a JavaScript caller writes: option objects,
// camelCase names, tensorgrad's dtypes and shapes as arrays.
describe('messages in JavaScript terms', () => {
  const messageOf = (f: () => unknown): string => {
    try { f(); } catch (e) { return (e as Error).message; }
    throw new Error('expected a throw');
  };

  it('a second backward says to pass { retainGraph: true }', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    const m = messageOf(() => y.backward());
    expect(m).toContain('Trying to backward through the graph a second time');
    expect(m).toContain('Pass { retainGraph: true } to backward() or autograd.grad()');
    expect(m).not.toMatch(/retain_graph|True/);
    const z = x.mul(x).sum();
    tg.autograd.grad(z, [x]);
    expect(() => tg.autograd.grad(z, [x])).toThrow('{ retainGraph: true }');
  });

  it('in place on a leaf that requires grad points at tg.noGrad', () => {
    const w = tg.zeros(2, { requiresGrad: true });
    expect(() => w.sub_(1)).toThrow(tg.AutogradError);
    expect(() => w.sub_(1)).toThrow('a leaf tensor that requires grad is being used in an in-place operation.');
    expect(() => w.sub_(1)).toThrow('do it inside tg.noGrad(() => ...)');
    tg.noGrad(() => w.sub_(1)); // what the hint says works
    expect(w.tolist()).toEqual([-1, -1]);
  });

  it('shapes are written [2, 3], not torch.Size([2, 3])', () => {
    const x = tg.zeros(2, 3, { requiresGrad: true });
    expect(() => x.mul(2).backward(tg.zeros(3))).toThrow('Mismatch in shape: gradient 0 has a shape of [3] and output 0 has a shape of [2, 3].');
    expect(() => tg.F.binaryCrossEntropyWithLogits(tg.zeros(4), tg.zeros(2, 2))).toThrow(
      'Target size ([2, 2]) must be the same as input size ([4])',
    );
  });

  it('float class labels name the dtypes and how to convert', () => {
    const logits = tg.zeros(2, 3);
    const labels = tg.tensor([0, 2]);
    expect(() => tg.F.crossEntropy(logits, labels)).toThrow(tg.DTypeError);
    expect(() => tg.F.crossEntropy(logits, labels)).toThrow(
      "class indices must be int64 (or int32) but got float32: create targets with { dtype: 'int64' } or convert with .long()",
    );
    expect(tg.F.crossEntropy(logits, labels.long()).dtype).toBe('float32');
    expect(tg.F.crossEntropy(logits, labels.to('int64')).dtype).toBe('float32');
  });

  it('dtypes by their tensorgrad names, functions by their camelCase names', () => {
    const i64 = tg.tensor([1, 2], { dtype: 'int64' });
    expect(() => i64.mean()).toThrow('Got: int64');
    expect(() => i64.add_(0.5)).toThrow("result type float32 can't be cast to the desired output type int64");
    expect(() => tg.zeros(2).gather(0, tg.tensor([0], { dtype: 'int32' }))).toThrow('gather(): Expected dtype int64 for index, but got int32');
    expect(() => tg.zeros(2).indexSelect(0, tg.tensor([0]))).toThrow('indexSelect(): Expected dtype int64 for index, but got float32');
    expect(() => tg.zeros(3).split([1, 1])).toThrow('split() expects the split sizes to sum exactly to 3');
    expect(() => tg.F.nllLoss(tg.zeros(2, 3), tg.tensor([0, 1], { dtype: 'int64' }), { ignoreIndex: 0.5 })).toThrow(
      'nllLoss(): ignoreIndex must be an integer, but got 0.5',
    );
    expect(() => tg.F.crossEntropy(tg.zeros(2, 3), tg.tensor([0, 1], { dtype: 'int64' }), { labelSmoothing: 2 })).toThrow('labelSmoothing must be between');
    expect(() => tg.F.layerNorm(tg.zeros(2, 3), [3], tg.ones(2))).toThrow('Expected weight to be of same shape as normalizedShape');
    expect(() => tg.randn(2, { dtype: 'int64' })).toThrow('randn() expects a floating-point dtype (float32 or float64), got int64');
    expect(() => tg.zeros(2, { dtype: 'int32' }).normal_()).toThrow('normal_() is not implemented for int32 tensors');
    expect(() => tg.randint(3, 3, [2])).toThrow('randint() expects low to be less than high, but got low=3 >= high=3');
    expect(() => tg.tensor([true]).abs()).toThrow('abs() is not implemented for bool tensors');
    expect(() => tg.F.logSoftmax('x' as unknown as tg.Tensor, 0)).toThrow("logSoftmax(): argument 'input' must be Tensor, not string");
    expect(() => new tg.nn.Linear(-1, 2)).toThrow('Linear: inFeatures must be a non-negative integer, got -1');
  });
});
