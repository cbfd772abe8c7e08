// diagonal (a view), diag, diagEmbed, trace, fillDiagonal_, rot90, repeatInterleave, F.oneHot,
// cumprod (its gradient with zeros included) and the in-place scans, against PyTorch's values
// (scripts/fixtures/shape_ext.py), and their error cases.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, expectScaled, expectTensor, loadFixture, type EncodedTensor } from '../helpers';

interface ExtCase { op: string; kwargs: Record<string, unknown>; x: EncodedTensor; out: EncodedTensor; grad: EncodedTensor | null }
const fixture = loadFixture<{ cases: ExtCase[] }>('shape_ext.json');
const int64 = (v: number[]) => tg.tensor(v, { dtype: 'int64' });

function run(c: ExtCase, x: tg.Tensor): tg.Tensor {
  const k = c.kwargs as Record<string, any>;
  switch (c.op) {
    case 'diagonal': return x.diagonal({ offset: k.offset, dim1: k.dim1, dim2: k.dim2 });
    case 'diagonalMul_': { const y = x.mul(1); y.diagonal(k.offset).mul_(3); return y; }
    case 'diag': return tg.diag(x, k.diagonal);
    case 'diagEmbed': return tg.diagEmbed(x, k.offset, k.dim1, k.dim2);
    case 'trace': return x.trace();
    case 'fillDiagonal_': return x.mul(1).fillDiagonal_(k.value, { wrap: k.wrap });
    case 'rot90': return tg.rot90(x, k.k, k.dims);
    case 'repeatInterleave': {
      const repeats = k.repeatsTensor === undefined ? k.repeats : int64(k.repeatsTensor);
      return k.dim === undefined ? x.repeatInterleave(repeats) : tg.repeatInterleave(x, repeats, { dim: k.dim });
    }
    case 'repeatInterleaveIndices': return tg.repeatInterleave(x);
    case 'oneHot': return tg.nn.functional.oneHot(x, k.numClasses);
    case 'cumprod': return k.dtype === undefined ? tg.cumprod(x, k.dim) : x.cumprod(k.dim, { dtype: k.dtype });
    case 'cumsum_': return x.mul(1).cumsum_(k.dim);
    case 'cumprod_': return x.mul(1).cumprod_(k.dim);
    default: throw new Error(`no op ${c.op}`);
  }
}

describe('against PyTorch', () => {
  const groups = new Map<string, ExtCase[]>();
  for (const c of fixture.cases) groups.set(c.op, [...(groups.get(c.op) ?? []), c]);
  for (const [op, cases] of groups) {
    it(`${op} (${cases.length} cases)`, () => {
      cases.forEach((c, i) => {
        const label = `${op} #${i} ${JSON.stringify(c.kwargs)}`;
        let x = decode(c.x);
        if (c.grad !== null) x = x.requiresGrad_();
        const out = run(c, x);
        expectTensor(out, c.out, { rtol: 1e-12 }, label);
        if (c.grad !== null) {
          out.mul(out).sum().backward();
          expectScaled(x.grad, c.grad, 1e-12, `${label} grad`);
        }
      });
    });
  }
});

describe('diagonal is a view', () => {
  it('shares memory, with PyTorch\'s strides and offset, and takes writes', () => {
    const x = tg.arange(12, { dtype: 'float64' }).reshape(3, 4);
    const d = x.diagonal(1);
    expect([d.shape, d.stride(), d.storageOffset()]).toEqual([[3], [5], 1]);
    expect(x.diagonal(-3).storageOffset()).toBe(0);
    expect(x.diagonal(4).storageOffset()).toBe(0);
    d.fill_(-1);
    expect(x.tolist()).toEqual([[0, -1, 2, 3], [4, 5, -1, 7], [8, 9, 10, -1]]);
    expect(tg.diagonal(x, { offset: 1 }).gradFn).toBeNull();
    const y = tg.zeros([2, 2], { dtype: 'float64' }).requiresGrad_().mul(1);
    expect(y.diagonal().gradFn?.name).toBe('DiagonalBackward0');
  });

  it('a write through it reaches the base\'s gradient', () => {
    const x = tg.tensor([[1, 2], [3, 4]], { dtype: 'float64' }).requiresGrad_();
    const y = x.mul(1);
    y.diagonal().mul_(10);
    y.sum().backward();
    expect(x.grad?.tolist()).toEqual([[10, 1], [1, 10]]);
  });

  it('refuses what PyTorch refuses', () => {
    const x = tg.zeros(3, 4);
    expect(() => x.diagonal(0, 1, -1)).toThrow('diagonal dimensions cannot be identical 1, -1');
    expect(() => x.diagonal({ offset: 0, dim2: 2 })).toThrow(/Dimension out of range/);
    expect(() => tg.zeros(3).diagonal()).toThrow(/Dimension out of range/);
    expect(() => x.diagonal({ ofset: 1 } as never)).toThrow(TypeError);
    expect(() => x.diagonal(0.5)).toThrow(TypeError);
  });
});

describe('errors', () => {
  it('diag, diagEmbed, trace, fillDiagonal_', () => {
    expect(() => tg.diag(tg.zeros(2, 2, 2))).toThrow('diag(): Supports 1D or 2D tensors. Got 3D');
    expect(() => tg.diag(tg.tensor(1))).toThrow('Got 0D');
    expect(() => tg.diagEmbed(tg.zeros(3), 0, 0, 0)).toThrow('diagonal dimensions cannot be identical');
    expect(() => tg.trace(tg.zeros(3))).toThrow('trace: expected a matrix, but got tensor with dim 1');
    expect(() => tg.ones([2, 2], { dtype: 'bool' }).trace()).toThrow(tg.DTypeError);
    expect(() => tg.zeros(3).fillDiagonal_(1)).toThrow('at least 2 dimensions');
    expect(() => tg.zeros(2, 3, 4).fillDiagonal_(1)).toThrow('all dimensions of input must be of equal length');
    expect(() => tg.zeros(2, 2).fillDiagonal_(1, { warp: true } as never)).toThrow(TypeError);
    expect(() => tg.zeros(2, 2).requiresGrad_().fillDiagonal_(1)).toThrow(/view of a leaf tensor that requires grad/);
  });

  it('rot90', () => {
    const x = tg.zeros(2, 3);
    expect(() => x.rot90(1, [0])).toThrow('expected total rotation dims == 2, but got dims = 1');
    expect(() => tg.zeros(3).rot90()).toThrow('expected total dims >= 2, but got total dims = 1');
    expect(() => x.rot90(1, [0, 0])).toThrow('expected rotation dims to be different, but got dim0 = 0 and dim1 = 0');
    expect(() => x.rot90(1, [0, 2])).toThrow(/Dimension out of range/);
    expect(x.rot90(4).shape).toEqual([2, 3]);
  });

  it('repeatInterleave', () => {
    const x = tg.zeros(3, 4);
    expect(() => x.repeatInterleave(-1)).toThrow('repeats must be non-negative');
    expect(() => x.repeatInterleave(int64([1, 0]), { dim: 0 })).toThrow('repeats must have the same size as input along dim, but got repeats.size(0) = 2 and input.size(0) = 3');
    expect(() => x.repeatInterleave(int64([1, -1, 2]), { dim: 0 })).toThrow('repeats can not be negative');
    expect(() => x.repeatInterleave(tg.tensor([[2]], { dtype: 'int64' }), { dim: 1 })).toThrow('repeats must be 0-dim or 1-dim tensor');
    expect(() => x.repeatInterleave(tg.tensor([1, 2, 3]), { dim: 0 })).toThrow(tg.DTypeError);
    expect(() => x.repeatInterleave(2, { dim: 0, outputSize: 5 })).toThrow('invalid outputSize, expected 6 but got 5');
    expect(x.repeatInterleave(2, { dim: 0, outputSize: 6 }).shape).toEqual([6, 4]);
    expect(() => x.repeatInterleave(int64([1, 0, 2]), { dim: 0, outputSize: 4 })).toThrow('invalid outputSize, expected 3 but got 4');
    expect(() => x.repeatInterleave(2, { dims: 0 } as never)).toThrow(TypeError);
    expect(() => tg.repeatInterleave(tg.tensor([[1, 2]], { dtype: 'int64' }))).toThrow('1-D');
    expect(tg.repeatInterleave(int64([2, 1]), { outputSize: 3 }).tolist()).toEqual([0, 0, 1]);
    expect(x.repeatInterleave(tg.tensor(2, { dtype: 'int64' }), { dim: 1 }).shape).toEqual([3, 8]);
    expect(tg.tensor(5).repeatInterleave(3).tolist()).toEqual([5, 5, 5]);
  });

  it('F.oneHot', () => {
    const { oneHot } = tg.F;
    expect(() => oneHot(int64([0, -1]))).toThrow('Class values must be non-negative.');
    expect(() => oneHot(int64([0, 3]), 2)).toThrow('Class values must be smaller than numClasses');
    expect(() => oneHot(int64([0, 1]), -2)).toThrow('Class values must be smaller than numClasses');
    expect(() => oneHot(tg.tensor([0, 3], { dtype: 'int32' }), 4)).toThrow(tg.DTypeError);
    expect(() => oneHot(int64([]))).toThrow('Can not infer total number of classes from empty tensor.');
    const empty = oneHot(int64([]), 3);
    expect([empty.shape, empty.dtype]).toEqual([[0, 3], 'int64']);
  });

  it('cumprod and the in-place scans', () => {
    expect(() => tg.zeros(2).cumprod(1)).toThrow(/Dimension out of range/);
    expect(() => tg.zeros(2).cumprod(0, { dtyp: 'float64' } as never)).toThrow(TypeError);
    expect(() => tg.zeros(2).cumsum_(0, { dtype: 'float64' })).toThrow(tg.DTypeError);
    expect(() => tg.zeros(2).cumprod_(0, { dtype: 'int64' })).toThrow(tg.DTypeError);
    expect(() => tg.ones([2], { dtype: 'bool' }).cumsum_(0)).toThrow(tg.DTypeError);
    expect(() => tg.ones(2).requiresGrad_().cumprod_(0)).toThrow(/leaf tensor that requires grad/);
    expect(tg.zeros(2).cumprod_(0, { dtype: 'float32' }).tolist()).toEqual([0, 0]);
  });
});

describe('swapdims and unflatten', () => {
  it('are transpose and a view', () => {
    const x = tg.arange(6).reshape(2, 3);
    expect(tg.swapdims(x, 0, 1).tolist()).toEqual(x.t().tolist());
    expect(x.swapdims(1, 0).tolist()).toEqual(tg.swapaxes(x, 0, 1).tolist());
    expect(tg.unflatten(tg.arange(6), 0, [2, -1]).shape).toEqual([2, 3]);
  });
});
