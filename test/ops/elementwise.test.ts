import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { argsOf, expectTensor, loadFixture, type Case, type EncodedTensor } from '../helpers';

const fixture = loadFixture('elementwise.json');

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function run(c: Case, args: unknown[]): tg.Tensor {
  const [a, b, d] = args as [tg.Tensor, tg.TensorLike, tg.TensorLike];
  const kw = c.kwargs as { alpha?: number; min?: number; max?: number };
  switch (c.op) {
    case 'clamp':
      return a.clamp(kw.min ?? null, kw.max ?? null);
    case 'where':
      return tg.where(a, b, d);
    case 'maskedFill':
      return a.maskedFill(b as tg.Tensor, d);
    case 'add':
    case 'sub':
      return a[c.op](b, { alpha: kw.alpha });
    default: {
      const method = (a as unknown as Record<string, (...x: unknown[]) => tg.Tensor>)[camel(c.op)];
      if (typeof method !== 'function') throw new Error(`no method ${c.op}`);
      return method.call(a, ...args.slice(1));
    }
  }
}

describe('elementwise ops against PyTorch', () => {
  const groups = new Map<string, Case[]>();
  for (const c of fixture.cases) groups.set(c.op, [...(groups.get(c.op) ?? []), c]);
  for (const [op, cases] of groups) {
    it(`${op} (${cases.length} cases)`, () => {
      cases.forEach((c, i) => {
        const args = argsOf(fixture, c);
        const label = `${op} #${i} ${args.map((a) => (a instanceof tg.Tensor ? `${a.dtype}[${a.shape}]` : String(a))).join(', ')}`;
        expectTensor(run(c, args), c.out as EncodedTensor, { rtol: 4e-6 }, label);
      });
    });
  }
});

describe('in-place ops', () => {
  it('add_/sub_/mul_/div_ write into the tensor and its views', () => {
    const x = tg.tensor([[1, 2], [3, 4]]);
    const row = x.select(0, 1);
    row.add_(10);
    expect(x.tolist()).toEqual([[1, 2], [13, 14]]);
    x.T.mul_(tg.tensor([1, 2]));
    expect(x.tolist()).toEqual([[1, 2], [26, 28]]);
    x.sub_(1, { alpha: 2 }).div_(2);
    expect(x.tolist()).toEqual([[-0.5, 0], [12, 13]]);
  });

  it("refuses to write into elements that share memory (an expanded tensor), except fill_, zero_ and maskedFill_, as PyTorch does", () => {
    const message = 'unsupported operation: more than one element of the written-to tensor refers to a single memory location';
    const z = tg.zeros(1, 3);
    const e = z.expand(2, 3);
    expect(() => e.add_(1)).toThrow(message);
    expect(() => e.add_(1)).toThrow(tg.ShapeError);
    expect(() => e.copy_(tg.ones(2, 3))).toThrow(message);
    expect(() => e.exp_()).toThrow(message);
    expect(() => e.clamp_({ min: 1 })).toThrow(message);
    expect(() => e.uniform_()).toThrow(message);
    expect(() => e.normal_()).toThrow(message);
    expect(z.tolist()).toEqual([[0, 0, 0]]);
    e.fill_(2);
    expect(z.tolist()).toEqual([[2, 2, 2]]);
    e.maskedFill_(tg.ones(2, 3, { dtype: 'bool' }), 3);
    e.zero_();
    expect(z.tolist()).toEqual([[0, 0, 0]]);
    tg.zeros(3, 1).expand(3, 1).add_(1); // size-1 dims may have any stride
    expect(tg.ones([2, 2], { dtype: 'bool' }).tril().dtype).toBe('bool');
    expect(tg.tensor(3).flip(0).item()).toBe(3);
  });

  it('broadcasts the other operand but never the target', () => {
    const x = tg.zeros(2, 3);
    x.add_(tg.tensor([1, 2, 3]));
    expect(x.tolist()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(() => tg.zeros(3).add_(tg.zeros(2, 3))).toThrow(
      "output with shape [3] doesn't match the broadcast shape [2, 3]",
    );
  });

  it('an integer tensor cannot hold a floating-point result', () => {
    expect(() => tg.tensor([1, 2], { dtype: 'int64' }).div_(2)).toThrow(
      "result type float32 can't be cast to the desired output type int64",
    );
    expect(() => tg.tensor([1, 2], { dtype: 'int32' }).add_(1.5)).toThrow(tg.DTypeError);
    expect(tg.tensor([1, 2], { dtype: 'int32' }).add_(2).tolist()).toEqual([3, 4]);
  });

  it('reads a source overlapping the target before writing it', () => {
    const x = tg.arange(5, { dtype: 'float32' });
    x.narrow(0, 1, 4).add_(x.narrow(0, 0, 4));
    expect(x.tolist()).toEqual([0, 1, 3, 5, 7]);
    const y = tg.arange(4, { dtype: 'float32' });
    y.narrow(0, 1, 3).copy_(y.narrow(0, 0, 3));
    expect(y.tolist()).toEqual([0, 0, 1, 2]);
  });

  it('unary in-place ops, clamp_, zero_, fill_, maskedFill_', () => {
    const x = tg.tensor([-1, 0.25, 4]);
    expect(x.clone().relu_().tolist()).toEqual([0, 0.25, 4]);
    expect((x.clone().sqrt_().tolist() as number[])[2]).toBe(2);
    expect(x.clone().clamp_(0, 1).tolist()).toEqual([0, 0.25, 1]);
    expect(x.clone().clamp_({ max: 0 }).tolist()).toEqual([-1, 0, 0]);
    expect(x.clone().zero_().tolist()).toEqual([0, 0, 0]);
    expect(x.clone().fill_(7).tolist()).toEqual([7, 7, 7]);
    expect(x.clone().maskedFill_(x.lt(0), 9).tolist()).toEqual([9, 0.25, 4]);
    expect(x.clone().neg_().tolist()).toEqual([1, -0.25, -4]);
    expect(() => tg.tensor([1, 2], { dtype: 'int64' }).exp_()).toThrow(tg.DTypeError);
  });

  it('every in-place op bumps the storage version shared by views', () => {
    const x = tg.zeros(3);
    const v = x.narrow(0, 0, 2);
    const before = x._storage.version;
    v.add_(1);
    x.mul_(2);
    x.zero_();
    expect(x._storage.version).toBe(before + 3);
  });
});

describe('bool arithmetic and dtype rules', () => {
  it('bool + bool is or, bool * bool is and, bool - bool is refused', () => {
    const a = tg.tensor([true, true, false]), b = tg.tensor([true, false, false]);
    expect(a.add(b).tolist()).toEqual([true, true, false]);
    expect(a.mul(b).tolist()).toEqual([true, false, false]);
    expect(() => a.sub(b)).toThrow('Subtraction, sub(), with two bool tensors is not supported. Use logicalXor() instead.');
    expect(() => a.neg()).toThrow('Negation, neg(), on a bool tensor is not supported. If you are trying to invert a mask, use logicalNot() instead.');
  });

  it('integer overflow wraps around as in PyTorch', () => {
    const x = tg.tensor([2147483647], { dtype: 'int32' });
    expect(x.add(1).tolist()).toEqual([-2147483648]);
    expect(tg.tensor([-2147483648], { dtype: 'int32' }).abs().tolist()).toEqual([-2147483648]);
  });

  it('integers to negative integer powers are refused', () => {
    expect(() => tg.tensor([2], { dtype: 'int64' }).pow(-1)).toThrow('Integers to negative integer powers are not allowed.');
  });

  it('conversions of NaN and out-of-range floats to integers are defined', () => {
    const x = tg.tensor([NaN, 1e20, -1e20, 2.9, -2.9]);
    expect(x.to('int32').tolist()).toEqual([-2147483648, -2147483648, -2147483648, 2, -2]);
    expect(x.to('bool').tolist()).toEqual([true, true, true, true, true]);
  });

  it('where needs a bool condition; clamp needs a bound', () => {
    expect(() => tg.where(tg.ones(2), 1, 0)).toThrow(
      'where() expected condition to be a bool tensor, but got a tensor with dtype float32',
    );
    expect(() => tg.ones(2).clamp()).toThrow("clamp(): At least one of 'min' or 'max' must not be null");
    expect(() => tg.ones(2).maskedFill(tg.ones(2), 0)).toThrow('maskedFill() only supports bool masks, but got a mask with dtype float32');
    expect(() => tg.ones(2).maskedFill_(tg.ones(2), 0)).toThrow('maskedFill_() only supports bool masks, but got a mask with dtype float32');
  });

  it('clamp takes tensor bounds', () => {
    const x = tg.tensor([-2, 0.5, 3]);
    expect(x.clamp(tg.tensor([-1, 1, 1]), tg.tensor([0, 2, 2])).tolist()).toEqual([-1, 1, 2]);
  });
});

describe('where over contiguous rows and strided ones', () => {
  it('selects the same values, NaN and -0 included, for tensors and numbers on either side, in every dtype', () => {
    const cond = tg.tensor([[true, false, true], [false, false, true]]);
    const cases: [string, number[][], number[][]][] = [
      ['float32', [[NaN, -0, 1.5], [2, -3, Infinity]], [[0, 7, -0], [NaN, 5, -Infinity]]],
      ['float64', [[NaN, -0, 1e-300], [2, -3, Infinity]], [[0, 7, -0], [NaN, 5, -Infinity]]],
      ['int32', [[1, -2, 3], [4, 5, 6]], [[-7, 8, 9], [10, -11, 12]]],
      ['int64', [[1, -2, 3], [4, 5, 6]], [[-7, 8, 9], [10, -11, 12]]],
    ];
    for (const [dtype, av, bv] of cases) {
      const a = tg.tensor(av, { dtype: dtype as tg.DType }), b = tg.tensor(bv, { dtype: dtype as tg.DType });
      const rows = cond.tolist() as boolean[][];
      const pick = (x: tg.TensorLike, y: tg.TensorLike) =>
        rows.map((row, i) => row.map((c, j) => {
          const v = c ? x : y;
          return typeof v === 'number' ? v : ((v as tg.Tensor).tolist() as number[][])[i][j];
        }));
      for (const [x, y] of [[a, b], [a, 4], [-1, b], [2, 3]] as [tg.TensorLike, tg.TensorLike][]) {
        const want = pick(x, y);
        expect(tg.where(cond, x, y).tolist()).toEqual(want); // contiguous rows
        const t = (v: tg.TensorLike) => (typeof v === 'number' ? v : (v as tg.Tensor).T.contiguous().T);
        expect(tg.where(cond.T.contiguous().T, t(x), t(y)).tolist()).toEqual(want); // strided
      }
    }
  });
});
