import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { argsOf, decodeValue, expectTensor, loadFixture, pattern, type EncodedTensor } from '../helpers';

const fixture = loadFixture('linalg_ext.json');
type T = tg.Tensor;
type Kw = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'string' && v !== 'fro' && v !== 'nuc' ? decodeValue(v) : v) as number;
const decoded = (kw: Kw): Kw => Object.fromEntries(Object.entries(kw).map(([k, v]) => [k, k === 'ord' || k === 'p' ? num(v) : v]));

function run(op: string, args: unknown[], kw: Kw): T {
  const [x, a, b, c] = args as [T, unknown, unknown, unknown];
  const { ord, ...rest } = decoded(kw);
  switch (op) {
    case 'tensordot': return tg.tensordot(x, a as T, ...((b === undefined ? [] : [b]) as [tg.TensordotDims]));
    case 'kron': return x.kron(a as T);
    case 'cross': return x.cross(a as T, kw as { dim?: number });
    case 'linalgCross': return tg.linalg.cross(x, a as T, kw as { dim?: number });
    case 'cdist': return tg.cdist(x, a as T, decoded(kw) as tg.CdistOptions);
    case 'cdistGrad': {
      const x1 = x.detach().requiresGrad_(), x2 = (a as T).detach().requiresGrad_();
      tg.cdist(x1, x2, decoded(kw) as tg.CdistOptions).backward(b as T);
      return tg.cat([(x1.grad as T).flatten(), (x2.grad as T).flatten()]);
    }
    case 'baddbmm': case 'addbmm': case 'addmv': case 'addr':
      return x[op](a as T, b as T, kw as tg.AddProductOptions);
    case 'diagonal': return x.diagonal(a as number, b as number, c as number);
    case 'vectorNorm': return tg.linalg.vectorNorm(x, ord as number | undefined, rest);
    case 'matrixNorm': return tg.linalg.matrixNorm(x, ord as tg.MatrixOrd | undefined, rest as tg.MatrixNormOptions);
    case 'norm': return tg.linalg.norm(x, ord as tg.MatrixOrd | undefined, rest);
    case 'tensorNorm': return x.norm(num(a), kw as { dim?: number });
    default: throw new Error(`no case for ${op}`);
  }
}

describe('linalg extensions against PyTorch', () => {
  const groups = new Map<string, typeof fixture.cases>();
  for (const c of fixture.cases) if (c.op !== 'einsum') groups.set(c.op, [...(groups.get(c.op) ?? []), c]);
  it('covers every op', () => expect([...groups.keys()].sort()).toEqual(
    ['addbmm', 'addmv', 'addr', 'baddbmm', 'cdist', 'cdistGrad', 'cross', 'diagonal', 'kron', 'linalgCross', 'matrixNorm', 'norm', 'tensorNorm', 'tensordot', 'vectorNorm'],
  ));
  for (const [op, cases] of groups) {
    it(`${op} (${cases.length} cases)`, () => {
      cases.forEach((c, i) => {
        const got = run(op, argsOf(fixture, c), c.kwargs as Kw);
        // products and sums in another order than PyTorch's BLAS; cdist's p = 2 by a GEMM of |x|^2 - 2 x y + |y|^2
        const tol = got.dtype === 'float32' ? { rtol: 1e-5, atol: op === 'cdist' ? 1e-5 : 2e-6 } : { rtol: 1e-12, atol: 1e-12 };
        expectTensor(got, c.out as EncodedTensor, tol, `${op} #${i} ${JSON.stringify(c.kwargs)}`);
      });
    });
  }
});

let seed = 500;
const leaf = (shape: number[]) => pattern(shape, 'float64', seed++).requiresGrad_();
const second = (f: (...xs: T[]) => T) => (...xs: T[]) => tg.autograd.grad(f(...xs).pow(2).sum(), xs, { createGraph: true }) as T[];

describe('linalg extensions: gradients', () => {
  it.each<[string, (...xs: T[]) => T, number[][]]>([
    ['tensordot', (a, b) => tg.tensordot(a, b, [[1, 0], [0, 1]]), [[3, 2, 2], [2, 3, 2]]],
    ['kron', (a, b) => a.kron(b), [[2, 2], [3]]],
    ['cross', (a, b) => a.cross(b, { dim: 1 }), [[2, 3], [1, 3]]],
    ['cdist p=2 (direct)', (a, b) => tg.cdist(a, b), [[3, 2], [4, 2]]],
    ['cdist p=2 (matrix product)', (a, b) => tg.cdist(a, b, { computeMode: 'use_mm_for_euclid_dist' }), [[3, 2], [4, 2]]],
    ['cdist p=1', (a, b) => tg.cdist(a, b, { p: 1 }), [[2, 3, 2], [4, 2]]],
    ['cdist p=3', (a, b) => tg.cdist(a, b, { p: 3 }), [[3, 2], [4, 2]]],
    ['cdist p=inf', (a, b) => tg.cdist(a, b, { p: Infinity }), [[3, 2], [4, 2]]],
    ['baddbmm', (c, a, b) => c.baddbmm(a, b, { beta: 0.5, alpha: 2 }), [[2, 1], [3, 2, 4], [3, 4, 1]]],
    ['addbmm', (c, a, b) => c.addbmm(a, b, { alpha: -1 }), [[2, 3], [2, 2, 4], [2, 4, 3]]],
    ['addmv', (c, a, b) => tg.addmv(c, a, b), [[3], [3, 2], [2]]],
    ['addr', (c, a, b) => tg.addr(c, a, b, { beta: 2 }), [[3, 1], [3], [2]]],
    ['vectorNorm 3', (x) => tg.linalg.vectorNorm(x, 3, { dim: 1 }), [[2, 3]]],
    ['matrixNorm 1', (x) => tg.linalg.matrixNorm(x, 1), [[2, 3, 3]]],
    ['matrixNorm -inf', (x) => tg.linalg.matrixNorm(x, -Infinity, { keepdim: true }), [[3, 2]]],
    ['matrixNorm fro', (x) => tg.linalg.matrixNorm(x), [[3, 2]]],
    ['norm', (x) => tg.linalg.norm(x, { dim: 0 }), [[3, 2]]],
    ['diagonal', (x) => x.diagonal(1, 0, 2), [[3, 2, 4]]],
  ])('%s', (_name, f, shapes) => {
    const inputs = shapes.map(leaf);
    expect(tg.autograd.gradcheck(f, inputs)).toBe(true);
    expect(tg.autograd.gradcheck(second(f), inputs.map((x) => x.detach().requiresGrad_()))).toBe(true);
  });

  it('cdist gives a zero distance a zero gradient, by both p = 2 paths', () => {
    const x1 = tg.tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true }), x2 = tg.tensor([[1, 2]], { dtype: 'float64', requiresGrad: true });
    for (const computeMode of ['use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist'] as const) {
      const [g1] = tg.autograd.grad(tg.cdist(x1, x2, { computeMode }).sum(), [x1]) as T[];
      expect((g1.tolist() as number[][])[0]).toEqual([0, 0]);
      expect((g1.tolist() as number[][])[1].map((v) => Math.round(v * 1e12) / 1e12)).toEqual([Math.SQRT1_2, Math.SQRT1_2].map((v) => Math.round(v * 1e12) / 1e12));
    }
  });

  it('in-place forms write into self', () => {
    const c = tg.ones(2, 3, 4), b1 = tg.ones(2, 3, 5), b2 = tg.ones(2, 5, 4);
    expect(c.clone().baddbmm_(b1, b2, { beta: 2 }).tolist()).toEqual(tg.baddbmm(c, b1, b2, { beta: 2 }).tolist());
    expect(tg.zeros(3, 4).addbmm_(b1, b2).tolist()).toEqual(tg.full([3, 4], 10).tolist());
    expect(tg.zeros(3).addmv_(tg.ones(3, 2), tg.ones(2)).tolist()).toEqual([2, 2, 2]);
    expect(tg.zeros(2, 2).addr_(tg.ones(2), tg.ones(2), { alpha: 3 }).tolist()).toEqual([[3, 3], [3, 3]]);
    expect(() => tg.zeros(3, 4).baddbmm_(b1, b2)).toThrow(/bad in-place call: input tensor size \[3, 4\] and output tensor size \[2, 3, 4\]/);
  });
});

describe('linalg extensions: errors', () => {
  it('refuses what PyTorch refuses', () => {
    const a = tg.zeros(2, 3, 4), b = tg.zeros(4, 3, 5);
    expect(() => tg.tensordot(a, b, [[1], [0]])).toThrow('contracted dimensions need to match, but first has size 3 in dim 1 and second has size 4 in dim 0');
    expect(() => tg.tensordot(a, b, -1)).toThrow('tensordot expects dims >= 0, but got dims=-1');
    expect(() => tg.tensordot(a, b, 4)).toThrow(/dims < ndim_a or ndim_b/);
    expect(() => tg.tensordot(a, b, [[1, 2], [1]])).toThrow('both dimension lists should have same length');
    expect(() => tg.tensordot(a, b, 'x' as never)).toThrow(TypeError);
    expect(() => tg.linalg.cross(tg.zeros(3, 4), tg.zeros(3, 4))).toThrow('linalg.cross: inputs dimension -1 must have length 3. Got 4 and 4');
    // without a dim, the first dim of size 3 of the input itself (PyTorch's default)
    expect(tg.cross(tg.tensor([[1, 0, 0]]), tg.tensor([[0, 1, 0], [0, 0, 1], [1, 1, 1]])).shape).toEqual([3, 3]);
    expect(() => tg.cross(tg.zeros(3, 3), tg.zeros(1, 3))).toThrow('dimension 0 must have length 3');
    expect(() => tg.linalg.cross(tg.zeros(4, 3), tg.zeros(2, 3))).toThrow(tg.ShapeError);
    expect(() => tg.linalg.cross(tg.zeros(3), tg.zeros(3).double())).toThrow(tg.DTypeError);
    expect(() => tg.cross(tg.zeros(2, 4), tg.zeros(2, 4))).toThrow(/no dimension of size 3/);
    expect(() => tg.cross(tg.zeros(3), tg.zeros(3), { axis: 0 } as never)).toThrow(/unknown option 'axis'/);
    expect(() => tg.cdist(tg.zeros(3, 4), tg.zeros(5, 3))).toThrow('X1 and X2 must have the same number of columns. X1: 4 X2: 3');
    expect(() => tg.cdist(tg.zeros(3, 4), tg.zeros(5, 4), { p: -1 })).toThrow('cdist only supports non-negative p values');
    expect(() => tg.cdist(tg.zeros(3), tg.zeros(5))).toThrow('cdist only supports at least 2D tensors, X1 got: 1D');
    expect(() => tg.cdist(tg.zeros(3, 4, { dtype: 'int64' }), tg.zeros(5, 4, { dtype: 'int64' }))).toThrow(tg.DTypeError);
    expect(() => tg.cdist(tg.zeros(3, 4), tg.zeros(5, 4), { computeMode: 'mm' } as never)).toThrow(TypeError);
    expect(() => tg.baddbmm(tg.zeros(3, 3, 4), tg.zeros(2, 3, 5), tg.zeros(2, 5, 4))).toThrow(/does not broadcast to the product's shape \[2, 3, 4\]/);
    expect(() => tg.baddbmm(tg.zeros(3, 4), tg.zeros(3, 5), tg.zeros(2, 5, 4))).toThrow(/batch1 must be a 3-D tensor/);
    expect(() => tg.addmv(tg.zeros(3), tg.zeros(3, 2), tg.zeros(3))).toThrow(tg.ShapeError);
    expect(() => tg.addr(tg.zeros(2, 2, { dtype: 'int64' }), tg.zeros(2, { dtype: 'int64' }), tg.zeros(2, { dtype: 'int64' }), { alpha: 0.5 })).toThrow(TypeError);
    expect(() => tg.addmv(tg.zeros(3), tg.zeros(3, 2), tg.zeros(2), { gamma: 1 } as never)).toThrow(/unknown option 'gamma'/);
    const m = tg.zeros(2, 2);
    expect(() => tg.linalg.vectorNorm(tg.zeros(4, { dtype: 'int64' }))).toThrow(tg.DTypeError);
    expect(() => tg.linalg.vectorNorm(m, 'fro' as never)).toThrow(TypeError);
    expect(() => tg.linalg.vectorNorm(tg.zeros(0, 3), Infinity)).toThrow(/cannot compute the Infinity norm on an empty tensor/);
    expect(tg.linalg.vectorNorm(tg.zeros(0, 3)).item()).toBe(0);
    expect(tg.linalg.vectorNorm(tg.tensor([3, 4]), 2, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => tg.linalg.matrixNorm(tg.zeros(4))).toThrow('linalg.matrixNorm: The input tensor A must have at least 2 dimensions.');
    expect(() => tg.linalg.matrixNorm(m, 3)).toThrow('linalg.matrixNorm: Order 3 not supported.');
    expect(() => tg.linalg.matrixNorm(m, 'nuc')).toThrow(/needs singular values/);
    expect(() => tg.linalg.matrixNorm(m, 2)).toThrow(/needs singular values/);
    expect(() => tg.linalg.matrixNorm(m, 1, { dim: [0, 0] })).toThrow(/dims must be different/);
    expect(() => tg.linalg.matrixNorm(m, 1, { dim: [0] })).toThrow(/dim must be a 2-tuple/);
    expect(() => tg.linalg.norm(tg.zeros(2, 2, 2), 2)).toThrow('linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D.');
    expect(() => tg.linalg.norm(m, null, { dim: [0, 1, 1] })).toThrow('linalg.norm: If dim is specified, it must be of length 1 or 2. Got [0, 1, 1]');
    expect(() => tg.linalg.norm(m, 1, { axis: 0 } as never)).toThrow(/unknown option 'axis'/);
    expect(() => tg.zeros(3).diagonal(0, 0, 1)).toThrow(tg.IndexError);
    expect(() => m.diagonal(0, 1, -1)).toThrow('diagonal dimensions cannot be identical 1, -1');
    expect(() => m.norm(2, { dim: 0 }, true)).toThrow(TypeError);
    expect(m.norm(2, { dim: 0, keepdim: true }).shape).toEqual([1, 2]);
    expect(tg.linalg.matmul(m, m).shape).toEqual([2, 2]);
  });
});
