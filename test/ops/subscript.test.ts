// x[...] and x[...] = v: values, gradients and errors against PyTorch (scripts/fixtures/indexing.py).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, expectTensor, loadFixture, tensorOf, type EncodedTensor } from '../helpers';

type Spec = number | boolean | null | string | { ref: number } | { list: Spec[] };
interface ReadCase { x: { ref: number }; specs: Spec[]; out: EncodedTensor; weight?: { ref: number }; grad?: EncodedTensor }
interface PutCase extends ReadCase { values: { ref: number } | number; accumulate: boolean; valuesGrad?: EncodedTensor }
interface ErrorCase { x: { ref: number }; specs: Spec[]; values: { ref: number } | null; error: string; message: string }
interface IndexingFixture { index: ReadCase[]; put: PutCase[]; errors: ErrorCase[]; tensors: EncodedTensor[] }

const fixture = loadFixture<IndexingFixture>('indexing.json');
const tensor = (ref: unknown) => decode(tensorOf(fixture as never, ref));
const spec = (s: Spec): tg.IndexSpec =>
  s !== null && typeof s === 'object' ? ('list' in s ? (s.list.map(spec) as tg.IndexSpec) : tensor(s)) : s;
const GRAD = { rtol: 1e-14, atol: 1e-14 };

describe('x.index(...) against PyTorch', () => {
  it(`reads (${fixture.index.length} cases), with gradients`, () => {
    fixture.index.forEach((c, i) => {
      const x = tensor(c.x);
      if (c.grad) x.requiresGrad_();
      const out = x.index(...c.specs.map(spec));
      const label = `#${i} ${JSON.stringify(c.specs)}`;
      expectTensor(out, c.out, { rtol: 0, atol: 0 }, label);
      if (c.grad) {
        out.mul(tensor(c.weight)).sum().backward();
        expectTensor(x.grad as tg.Tensor, c.grad, GRAD, `grad ${label}`);
      }
    });
  });

  it(`writes (${fixture.put.length} cases), with gradients of self and values`, () => {
    fixture.put.forEach((c, i) => {
      const leaf = tensor(c.x);
      const values = typeof c.values === 'number' ? c.values : tensor(c.values);
      if (c.grad) {
        leaf.requiresGrad_();
        if (typeof values !== 'number') values.requiresGrad_();
      }
      const y = leaf.clone();
      const returned = y.indexPut_(c.specs.map(spec), values, { accumulate: c.accumulate });
      expect(returned).toBe(y);
      const label = `#${i} ${JSON.stringify(c.specs)}`;
      expectTensor(y, c.out, { rtol: 0, atol: 0 }, label);
      if (c.grad) {
        y.mul(tensor(c.weight)).sum().backward();
        expectTensor(leaf.grad as tg.Tensor, c.grad, GRAD, `grad ${label}`);
        if (c.valuesGrad) expectTensor((values as tg.Tensor).grad as tg.Tensor, c.valuesGrad, GRAD, `values grad ${label}`);
      }
    });
  });

  it(`gives PyTorch's errors (${fixture.errors.length} cases)`, () => {
    for (const c of fixture.errors) {
      const x = tensor(c.x);
      const run = () => (c.values === null ? x.index(...c.specs.map(spec)) : x.clone().indexPut_(c.specs.map(spec), tensor(c.values)));
      const kind = c.error === 'IndexError' ? tg.IndexError : c.message.includes('dtype') ? tg.DTypeError : tg.ShapeError;
      expect(run, JSON.stringify(c.specs)).toThrow(kind);
      // PyTorch's wording, with dtypes named as tensorgrad names them
      const words = c.message.replace('Double', 'float64').replace('Float', 'float32');
      expect(run).toThrow(words);
    }
  });
});

describe('advanced indexing as PyTorch programs use it', () => {
  const I = (a: number[] | number[][]) => tg.tensor(a, { dtype: 'int64' });

  it('an embedding lookup C[X] and its gradient', () => {
    const C = tg.randn([27, 2], { dtype: 'float64' }).requiresGrad_();
    const X = I([[1, 2, 3], [3, 3, 0]]);
    const emb = C.index(X);
    expect(emb.shape).toEqual([2, 3, 2]);
    expect(emb.index(1, 0).tolist()).toEqual(C.index(3).tolist());
    emb.sum().backward();
    expect((C.grad as tg.Tensor).index(':4', 0).tolist()).toEqual([1, 1, 1, 3]);
  });

  it('logits[arange(n), y] picks one entry a row, as an array of tensors or as separate entries', () => {
    const logits = tg.tensor([[1, 2, 3], [4, 5, 6]]);
    const y = I([2, 0]);
    expect(logits.index([tg.arange(2, { dtype: 'int64' }), y]).tolist()).toEqual([3, 4]);
    expect(logits.index(tg.arange(2, { dtype: 'int64' }), y).tolist()).toEqual([3, 4]);
    expect(logits.index([0, 1], [2, 0]).tolist()).toEqual([3, 4]);
  });

  it('without tensor entries the result is a view; with them a copy', () => {
    const x = tg.arange(6).reshape(2, 3);
    x.index(0, '1:').fill_(9);
    expect(x.tolist()).toEqual([[0, 9, 9], [3, 4, 5]]);
    x.index([0]).fill_(-1);
    expect(x.tolist()).toEqual([[0, 9, 9], [3, 4, 5]]);
  });

  it('indexPut with only view entries writes through the view; the out-of-place form leaves x alone', () => {
    const x = tg.zeros(2, 3);
    x.indexPut_([0, '1:'], tg.tensor([1, 2]));
    x.indexPut_([1], 5, { accumulate: true });
    expect(x.tolist()).toEqual([[0, 1, 2], [5, 5, 5]]);
    const y = tg.indexPut(x, [I([0])], 7);
    expect(y.tolist()).toEqual([[7, 7, 7], [5, 5, 5]]);
    expect(x.tolist()).toEqual([[0, 1, 2], [5, 5, 5]]);
  });

  it('double backward through index and indexPut', () => {
    const x = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const y = x.index(I([0, 0, 2])).pow(2).sum();
    const [g] = tg.autograd.grad([y], [x], { createGraph: true });
    expect((g as tg.Tensor).tolist()).toEqual([4, 0, 6]);
    const [gg] = tg.autograd.grad([(g as tg.Tensor).sum()], [x]);
    expect((gg as tg.Tensor).tolist()).toEqual([4, 0, 2]);
  });

  it('gradcheck of index and indexPut', () => {
    const x = tg.randn([4, 3], { dtype: 'float64' }).requiresGrad_();
    const v = tg.randn([2, 3], { dtype: 'float64' }).requiresGrad_();
    const idx = I([3, 1]);
    expect(tg.autograd.gradcheck((a: tg.Tensor) => a.index(idx, [0, 2]), [x])).toBe(true);
    expect(tg.autograd.gradcheck((a: tg.Tensor, b: tg.Tensor) => a.indexPut([idx], b), [x, v])).toBe(true);
    expect(tg.autograd.gradcheck((a: tg.Tensor, b: tg.Tensor) => a.indexPut([I([1, 1])], b, { accumulate: true }), [x, v])).toBe(true);
  });

  it('refuses what PyTorch refuses, in JavaScript terms', () => {
    const x = tg.zeros(3, 4);
    expect(() => x.index([0.5])).toThrow(tg.IndexError);
    expect(() => x.index([0, true])).toThrow('only integers or only booleans');
    expect(() => x.index({} as never)).toThrow(TypeError);
    expect(() => x.index('...', '...')).toThrow('single ellipsis');
    expect(() => x.indexPut_([I([0])], 1, { acumulate: true } as never)).toThrow(TypeError);
    expect(() => x.indexPut_(5 as never, 1)).toThrow(TypeError);
    const leaf = tg.zeros(3, { requiresGrad: true });
    expect(() => leaf.indexPut_([I([0])], 1)).toThrow('leaf');
    expect(() => x.expand(2, 3, 4).indexPut_([I([0])], 1)).toThrow();
  });
});

describe('ops built on indexing, against PyTorch', () => {
  interface OpCase { op: string; args: ({ ref: number } | { scalar: unknown })[]; kwargs: Record<string, number>; out: EncodedTensor | EncodedTensor[] }
  const cases = (fixture as unknown as { ops: OpCase[] }).ops;
  const arg = (a: OpCase['args'][number]) => ('ref' in a ? tensor(a) : a.scalar);
  const run = (c: OpCase): tg.Tensor | tg.Tensor[] => {
    const [x, a, b, v] = c.args.map(arg) as [tg.Tensor, never, never, never];
    switch (c.op) {
      case 'indexAdd': return tg.indexAdd(x, a, b, v, c.kwargs);
      case 'indexCopy': return x.indexCopy(a, b, v);
      case 'indexFill': return x.indexFill(a, b, v);
      case 'maskedSelect': return x.maskedSelect(a);
      case 'maskedScatter': return x.maskedScatter(a, b);
      case 'nonzero': return x.nonzero();
      case 'nonzeroTuple': return tg.nonzero(x, { asTuple: true });
      case 'argwhere': return tg.argwhere(x);
      case 'take': return tg.take(x, a);
      case 'takeAlongDim': return x.takeAlongDim(a, b);
      default: throw new Error(`no case for ${c.op}`);
    }
  };
  it(`${cases.length} cases`, () => {
    cases.forEach((c, i) => {
      const got = run(c);
      const want = Array.isArray(c.out) ? c.out : [c.out];
      const list = Array.isArray(got) ? got : [got];
      expect(list.length).toBe(want.length);
      list.forEach((g, k) => expectTensor(g, want[k], { rtol: 0, atol: 0 }, `${c.op} #${i}`));
    });
  });

  it('in-place forms write into x and return it; gradients flow through them', () => {
    const I = (a: number[]) => tg.tensor(a, { dtype: 'int64' });
    const x = tg.zeros(3, 2);
    expect(x.indexAdd_(0, I([2, 2]), tg.ones(2, 2), { alpha: 3 })).toBe(x);
    expect(x.indexCopy_(0, I([0]), tg.full([1, 2], 4)).indexFill_(1, I([1]), -1).tolist()).toEqual([[4, -1], [0, -1], [6, -1]]);
    expect(x.maskedScatter_(tg.tensor([true, false]), tg.tensor([8, 9, 10])).tolist()).toEqual([[8, -1], [9, -1], [10, -1]]);
    const leaf = () => tg.randn([3, 2], { dtype: 'float64' }).requiresGrad_();
    const src = tg.randn([2, 2], { dtype: 'float64' }).requiresGrad_();
    const mask = tg.tensor([[true, false], [false, false], [true, true]]);
    const check = (fn: (...a: tg.Tensor[]) => tg.Tensor, inputs: tg.Tensor[]) => expect(tg.autograd.gradcheck(fn, inputs)).toBe(true);
    check((a, s) => a.indexAdd(0, I([2, 2]), s, { alpha: -2 }), [leaf(), src]);
    check((a, s) => a.indexCopy(0, I([2, 0]), s), [leaf(), src]);
    check((a) => a.indexFill(1, I([1]), 2), [leaf()]);
    check((a) => a.maskedSelect(mask), [leaf()]);
    check((a, s) => a.maskedScatter(mask, s), [leaf(), src]);
    check((a) => a.take(I([5, 0, 0])), [leaf()]);
    check((a) => a.takeAlongDim(tg.tensor([[1], [0], [1]], { dtype: 'int64' }), 1), [leaf()]);
  });

  it('refuses bad input with PyTorch-like errors', () => {
    const x = tg.zeros(3, 4), I = (a: number[]) => tg.tensor(a, { dtype: 'int64' });
    expect(() => x.indexAdd_(1, I([0, 1]), tg.ones(3, 3))).toThrow('Number of indices (2) should be equal to source.size(dim): (3)');
    expect(() => x.indexAdd_(1, tg.tensor([[0, 1]], { dtype: 'int64' }), tg.ones(3, 2))).toThrow('Index is supposed to be a vector');
    expect(() => x.indexAdd_(1, I([0, 1]), tg.ones([3, 2], { dtype: 'float64' }))).toThrow(tg.DTypeError);
    expect(() => x.indexAdd_(1, I([0, 1]), tg.ones(2, 2))).toThrow('source tensor shape must match self tensor shape');
    expect(() => x.indexAdd_(1, tg.tensor([0, 1]), tg.ones(3, 2))).toThrow('int32/int64');
    expect(() => x.indexAdd_(1, I([0]), tg.ones(3, 1), { alfa: 2 } as never)).toThrow(TypeError);
    expect(() => x.indexFill_(1, I([0]), tg.tensor([1, 2]))).toThrow('0-dimensional value tensor');
    expect(() => x.indexCopy_(1, I([5]), tg.ones(3, 1))).toThrow('index 5 is out of bounds');
    expect(() => x.maskedSelect(tg.ones(4))).toThrow('bool');
    expect(() => x.maskedScatter_(tg.ones([4], { dtype: 'bool' }), tg.ones(5))).toThrow('Number of elements of source (5) < number of ones in mask (12)');
    expect(() => x.take(I([12]))).toThrow(tg.IndexError);
    expect(() => x.nonzero({ as_tuple: true } as never)).toThrow(TypeError);
    expect(() => x.takeAlongDim(I([0]), 0)).toThrow('same number of dimensions');
    // negative indices: indexAdd_ and indexCopy_ refuse them, indexFill_ counts from the end (PyTorch's choices)
    expect(() => x.indexAdd_(0, I([-1]), tg.ones(1, 4))).toThrow(tg.IndexError);
    expect(() => x.indexCopy_(0, I([-1]), tg.ones(1, 4))).toThrow('index -1 is out of bounds for dimension 0 with size 3');
    expect(tg.zeros(3).indexFill_(0, I([-1]), 2).tolist()).toEqual([0, 0, 2]);
    // an integer tensor reads alpha as an integer, as PyTorch does
    expect(tg.zeros([3], { dtype: 'int64' }).indexAdd_(0, I([0]), tg.ones([1], { dtype: 'int64' }), { alpha: 2.5 }).tolist()).toEqual([2, 0, 0]);
  });
});

describe('scatterReduce against PyTorch', () => {
  interface ReduceCase {
    x: { ref: number }; dim: number; index: { ref: number }; src: { ref: number }; reduce: tg.ScatterReduction; includeSelf: boolean;
    out: EncodedTensor; weight?: { ref: number }; grad?: EncodedTensor; srcGrad?: EncodedTensor;
  }
  const cases = (fixture as unknown as { scatterReduce: ReduceCase[] }).scatterReduce;
  it(`${cases.length} cases, with gradients of self and src`, () => {
    cases.forEach((c, i) => {
      const x = tensor(c.x), src = tensor(c.src), label = `#${i} ${c.reduce} includeSelf ${c.includeSelf}`;
      if (c.grad) {
        x.requiresGrad_();
        src.requiresGrad_();
      }
      const out = x.scatterReduce(c.dim, tensor(c.index), src, c.reduce, { includeSelf: c.includeSelf });
      expectTensor(out, c.out, { rtol: 1e-15, atol: 0 }, label);
      const inPlace = (c.grad ? x.detach() : x).clone().scatterReduce_(c.dim, tensor(c.index), src.detach(), c.reduce, { includeSelf: c.includeSelf });
      expectTensor(inPlace, c.out, { rtol: 1e-15, atol: 0 }, `in place ${label}`);
      if (c.grad) {
        out.mul(tensor(c.weight)).sum().backward();
        expectTensor(x.grad as tg.Tensor, c.grad, GRAD, `grad ${label}`);
        expectTensor(src.grad as tg.Tensor, c.srcGrad as EncodedTensor, GRAD, `src grad ${label}`);
      }
    });
  });

  it('a src larger than the index gets zero gradient beyond it; bad arguments are refused', () => {
    const x = tg.zeros([2], { dtype: 'float64', requiresGrad: true }), src = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    x.scatterReduce(0, tg.tensor([1, 1], { dtype: 'int64' }), src, 'amax').sum().backward();
    expect((src.grad as tg.Tensor).tolist()).toEqual([0, 1, 0]);
    const I = tg.tensor([0], { dtype: 'int64' });
    expect(() => tg.zeros(2).scatterReduce(0, I, tg.ones(1), 'max' as never)).toThrow(TypeError);
    expect(() => tg.zeros(2).scatterReduce(0, I, tg.ones(1), 'sum', { include_self: false } as never)).toThrow(TypeError);
    expect(() => tg.zeros(2).scatterReduce(0, I, tg.ones([1], { dtype: 'float64' }), 'sum')).toThrow(tg.DTypeError);
    expect(() => tg.zeros(2).scatterReduce(0, tg.tensor([2], { dtype: 'int64' }), tg.ones(1), 'sum')).toThrow('index 2 is out of bounds');
  });
});
