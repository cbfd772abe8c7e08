// Every op a Tensor has as a method and PyTorch also has as a torch.* function is a tg.* function.
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';
import { logsumexp } from '../src/ops/reduce';

/** Tensor methods without a tg.* function of their name, and why. */
const METHODS_ONLY: Record<string, string> = {
  backward: 'autograd', retainGrad: 'autograd', registerHook: 'autograd', registerPostAccumulateGradHook: 'autograd', dispose: 'memory',
  size: 'a fact about the tensor', stride: 'a fact about the tensor', storageOffset: 'a fact about the tensor',
  dim: 'a fact about the tensor', elementSize: 'a fact about the tensor', isContiguous: 'a fact about the tensor',
  isFloatingPoint: 'tg.isFloatingPoint takes a dtype',
  item: 'values out', tolist: 'values out', toTypedArray: 'values out', toString: 'values out', toJSON: 'values out',
  to: 'a conversion', cpu: 'a conversion (torch.cpu is a module)', cuda: 'a conversion (torch.cuda is a module; an Error here)', float: 'a conversion', double: 'a conversion', int: 'a conversion', long: 'a conversion',
  bool: 'a conversion (tg.bool is the dtype)', type: 'a conversion',
  newZeros: 'a new tensor like this one', newOnes: 'a new tensor like this one', newFull: 'a new tensor like this one',
  newEmpty: 'a new tensor like this one', newTensor: 'a new tensor like this one',
  // torch.Tensor methods that torch has no function of
  view: 'no torch.view', viewAs: 'no torch.view_as', reshapeAs: 'no torch.reshape_as', expand: 'no torch.expand',
  expandAs: 'no torch.expand_as', repeat: 'no torch.repeat', contiguous: 'no torch.contiguous',
  slice: 'no public torch.slice', index: "Python's indexing", nelement: 'no torch.nelement (tg.numel is its function)',
};

const proto = tg.Tensor.prototype as unknown as Record<string, unknown>;
const methods = Object.getOwnPropertyNames(proto).filter((name) => {
  const d = Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor;
  // internals start with _; in-place forms end with _ (their torch.* functions are rare)
  return typeof d.value === 'function' && name !== 'constructor' && !name.startsWith('_') && !name.endsWith('_');
});
const exported = tg as unknown as Record<string, unknown>;
const f64 = (data: number[][]) => tg.tensor(data, { dtype: 'float64' });

describe('tg.* functions', () => {
  it('every op method of Tensor is also a tg.* function', () => {
    const missing = methods.filter((name) => !(name in METHODS_ONLY) && typeof exported[name] !== 'function');
    expect(missing).toEqual([]);
  });

  it('the methods listed as method-only are Tensor methods', () => {
    expect(Object.keys(METHODS_ONLY).filter((name) => !methods.includes(name))).toEqual([]);
  });

  it('take the input first and give what the method gives', () => {
    const x = f64([[1, -2, 3], [0.5, 4, -1]]);
    const index = tg.tensor([[2, 0], [1, 1]], { dtype: 'int64' });
    expect(tg.softmax(x, 1).tolist()).toEqual(x.softmax(1).tolist());
    expect(tg.logSoftmax(x, { dim: 0 }).tolist()).toEqual(x.logSoftmax(0).tolist());
    expect(tg.gather(x, 1, index).tolist()).toEqual([[3, 1], [4, 4]]);
    expect(tg.floor(x).tolist()).toEqual([[1, -2, 3], [0, 4, -1]]);
    expect(tg.log2(f64([[8]])).item()).toBe(3);
    expect(tg.erf(f64([[0]])).item()).toBe(0);
    expect(tg.split(x, 1, 1).map((t) => t.shape)).toEqual([[2, 1], [2, 1], [2, 1]]);
    expect(tg.scatterAdd(tg.zeros(2, 3, { dtype: 'float64' }), 1, index, f64([[1, 2], [3, 4]])).tolist()).toEqual([[2, 0, 1], [0, 7, 0]]);
    expect(tg.rsub(x, 1).tolist()).toEqual(x.rsub(1).tolist());
  });

  it('max and min take PyTorch\'s three forms', () => {
    const x = f64([[1, 5, 3], [4, 2, 6]]);
    expect(tg.max(x).item()).toBe(6);
    const { values, indices } = tg.max(x, 1);
    expect([values.tolist(), indices.tolist()]).toEqual([[5, 6], [1, 2]]);
    expect(tg.min(x, { dim: 0, keepdim: true }).values.tolist()).toEqual([[1, 2, 3]]);
    expect(tg.min(x, f64([[2, 2, 2], [2, 2, 2]])).tolist()).toEqual([[1, 2, 2], [2, 2, 2]]);
    expect(() => tg.max(x, undefined as unknown as number, true)).toThrow('keepdim needs a dim');
    expect(() => tg.max([1, 2] as unknown as tg.Tensor)).toThrow("max(): argument 'input' must be Tensor, not Array");
  });
});

describe('logsumexp', () => {
  it('is a method, a tg.* function and F.logsumexp, without overflow', () => {
    const x = f64([[1000, 1000], [-Infinity, -Infinity]]);
    expect(x.logsumexp(1).tolist()).toEqual([1000 + Math.log(2), -Infinity]);
    expect(tg.logsumexp(x, 1, true).shape).toEqual([2, 1]);
    expect(x.logsumexp({ dim: [0, 1] }).shape).toEqual([]);
    expect(tg.F.logsumexp).toBe(logsumexp);
    expect(tg.F.logsumexp(x, 1).tolist()).toEqual(x.logsumexp(1).tolist());
  });

  it('has the gradient softmax gives', () => {
    const x = f64([[1, 2, 3]]).requiresGrad_();
    x.logsumexp(1).sum().backward();
    const expected = x.detach().softmax(1).tolist() as number[][];
    (x.grad?.tolist() as number[][])[0].forEach((g, i) => expect(g).toBeCloseTo(expected[0][i], 12));
  });

  it('needs a dim', () => {
    const x = f64([[1, 2]]);
    expect(() => (x.logsumexp as (d?: number) => tg.Tensor)()).toThrow('logsumexp(): dim must be given');
    expect(() => x.logsumexp(1, 'yes' as unknown as boolean)).toThrow(TypeError);
  });
});
