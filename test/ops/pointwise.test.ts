import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { argsOf, expectTensor, loadFixture, type EncodedTensor } from '../helpers';

const fixture = loadFixture('pointwise.json');

type Kw = Record<string, number | boolean>;

function run(op: string, args: unknown[], kw: Kw): tg.Tensor {
  const [x, a, b] = args as [tg.Tensor, unknown, unknown];
  switch (op) {
    case 'lerp':
      return x.lerp(a as tg.Tensor, b as tg.Tensor | number);
    case 'addcmul':
    case 'addcdiv':
      return x[op](a as tg.Tensor, b as tg.Tensor, kw);
    case 'isclose':
      return x.isclose(a as tg.Tensor, kw);
    case 'outer':
      return x.outer(a as tg.Tensor);
    case 'movedim':
      return x.movedim(a as number | number[], b as number | number[]);
    case 'tile':
      return x.tile(a as number[]);
    case 'mT':
      return x.mT;
    case 'floorDivide':
      return x.floorDivide(a as tg.Tensor | number);
    case 'divTrunc':
      return x.div(a as tg.Tensor, { roundingMode: 'trunc' });
    case 'roll':
      return x.roll(a as number | number[], b as number | number[] | undefined);
    default:
      throw new Error(`no case for ${op}`);
  }
}

describe('pointwise and arrangement ops against PyTorch', () => {
  const groups = new Map<string, typeof fixture.cases>();
  for (const c of fixture.cases) groups.set(c.op, [...(groups.get(c.op) ?? []), c]);
  for (const [op, cases] of groups) {
    it(`${op} (${cases.length} cases)`, () => {
      cases.forEach((c, i) => {
        const got = run(op, argsOf(fixture, c), c.kwargs as Kw);
        // PyTorch's CPU kernels fuse lerp's, addcmul's and addcdiv's last multiply-add (an FMA);
        // composed, it rounds twice: within an ulp of the product (whose inputs are at most 5 here)
        const eps = got.dtype === 'float32' ? 2 ** -23 : 2 ** -52;
        const fused = op === 'lerp' || op === 'addcmul' || op === 'addcdiv';
        expectTensor(got, c.out as EncodedTensor, fused ? { rtol: 2 * eps, atol: 40 * eps } : { rtol: 0, atol: 0 }, `${op} #${i} ${JSON.stringify(c.kwargs)}`);
      });
    });
  }
});

describe('pointwise ops: functions, in-place forms, gradients and errors', () => {
  it('floorDivide and div with a rounding mode: integers stay integers, zero divisors and bad modes are refused', () => {
    const i = (a: (number | bigint)[]) => tg.tensor(a, { dtype: 'int64' });
    expect(Array.from(i([-(2n ** 63n), 7n]).floorDivide(-1).toTypedArray() as BigInt64Array)).toEqual([-(2n ** 63n), -7n]); // wraps, as the int64 arithmetic does
    expect(tg.floorDivide(i([7]), i([-2])).dtype).toBe('int64');
    expect(tg.div(i([7]), 2, { roundingMode: 'floor' }).tolist()).toEqual([3]);
    expect(i([-7]).div_(2, { roundingMode: 'trunc' }).tolist()).toEqual([-3]);
    expect(tg.tensor([7.5]).floorDivide_(2).tolist()).toEqual([3]);
    expect(() => i([1]).floorDivide(0)).toThrow('ZeroDivisionError');
    expect(() => i([1]).div(i([0]), { roundingMode: 'trunc' })).toThrow('ZeroDivisionError');
    expect(() => tg.tensor([1]).div(2, { roundingMode: 'round' } as never)).toThrow(TypeError);
    expect(() => tg.tensor([1]).div(2, { rounding_mode: 'floor' } as never)).toThrow(TypeError);
    expect(() => tg.tensor([true]).floorDivide(true)).toThrow(tg.DTypeError);
  });

  it('the in-place forms and tg.* functions agree with the methods', () => {
    const a = tg.tensor([1, 2, 3]), b = tg.tensor([10, 20, 30]), c = tg.tensor([2, 4, 8]);
    expect(a.clone().lerp_(b, 0.25).tolist()).toEqual(tg.lerp(a, b, 0.25).tolist());
    expect(a.clone().addcmul_(b, c, { value: 0.5 }).tolist()).toEqual(tg.addcmul(a, b, c, { value: 0.5 }).tolist());
    expect(a.clone().addcdiv_(b, c, { value: 2 }).tolist()).toEqual(tg.addcdiv(a, b, c, { value: 2 }).tolist());
    expect(a.clone().clip_(1.5, 2.5).tolist()).toEqual(tg.clip(a, 1.5, 2.5).tolist());
    expect(tg.outer(a, c).shape).toEqual([3, 3]);
    expect(tg.movedim(tg.zeros(2, 3, 4), [0, 1], [2, 0]).shape).toEqual([3, 4, 2]);
    expect(tg.tile(a, [2]).tolist()).toEqual([1, 2, 3, 1, 2, 3]);
    expect(tg.roll(a, 1).tolist()).toEqual([3, 1, 2]);
    expect(tg.zeros(0, 2).roll(1, 0).shape).toEqual([0, 2]);
    expect(() => a.roll([1, 2], [0])).toThrow(/shifts and dimensions must align/);
    expect(a.nelement()).toBe(3);
  });

  it('gradients flow through the composed formulas', () => {
    const a = tg.tensor([1, 2], { dtype: 'float64', requiresGrad: true }), b = tg.tensor([3, 5], { dtype: 'float64', requiresGrad: true });
    const w = tg.tensor([0.25, 0.75], { dtype: 'float64', requiresGrad: true });
    expect(tg.autograd.gradcheck((x, y, z) => x.lerp(y, z).pow(2), [a, b, w])).toBe(true);
    expect(tg.autograd.gradcheck((x, y, z) => x.addcdiv(y, z.add(3), { value: 0.5 }).pow(2), [a, b, w])).toBe(true);
    expect(tg.autograd.gradcheck((x, y) => x.outer(y).pow(2), [a, b])).toBe(true);
    expect(tg.autograd.gradcheck((x) => x.roll(1).mul(tg.tensor([1, 2], { dtype: 'float64' })), [a])).toBe(true);
  });

  it('refuses what PyTorch refuses', () => {
    expect(() => tg.tensor([1, 2]).lerp(tg.tensor([1, 2], { dtype: 'float64' }), 0.5)).toThrow(tg.DTypeError);
    expect(() => tg.tensor([1, 2], { dtype: 'int64' }).lerp(tg.tensor([1, 2], { dtype: 'int64' }), 0.5)).toThrow(tg.DTypeError);
    const i = tg.tensor([1, 2], { dtype: 'int64' });
    expect(() => i.addcdiv(i, i)).toThrow(/integer division/);
    expect(() => tg.tensor([1]).isclose(tg.tensor([1], { dtype: 'float64' }))).toThrow(tg.DTypeError);
    expect(() => tg.tensor([1]).isclose(tg.tensor([1]), { rtol: -1 })).toThrow(RangeError);
    expect(() => tg.tensor([1]).isclose(tg.tensor([1]), { tol: 1 } as never)).toThrow(/unknown option 'tol'/);
    expect(() => tg.zeros(2, 2).outer(tg.zeros(2))).toThrow(tg.ShapeError);
    expect(() => tg.zeros(3).mT).toThrow(/mT is only supported on matrices/);
    expect(() => tg.zeros(2, 3).movedim([0, 1], [0])).toThrow(/same number of dims/);
    expect(() => tg.zeros(2).hypot(1 as never)).toThrow(TypeError);
    const ints = tg.tensor([5, -5], { dtype: 'int64' });
    expect(() => ints.fmod(tg.tensor([1, 0], { dtype: 'int64' }))).toThrow(/integer division by zero/);
    expect(() => ints.remainder(0)).toThrow(/integer division by zero/);
    expect(ints.remainder(0.0 + 2).tolist()).toEqual([1, 1]);
    expect((tg.tensor([5, -5]).fmod(0).tolist() as number[]).every(Number.isNaN)).toBe(true);
    expect(() => tg.tensor([true]).remainder(tg.tensor([true]))).toThrow(tg.DTypeError);
  });
});
