import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { argsOf, expectTensor, loadFixture, type Case, type EncodedTensor } from '../helpers';

const fixture = loadFixture('reduce.json');

type Kw = { dim?: number | number[]; keepdim?: boolean; correction?: number };

function run(c: Case, x: tg.Tensor): tg.Tensor | { values: tg.Tensor; indices: tg.Tensor } {
  const { dim, keepdim = false, correction } = c.kwargs as Kw;
  switch (c.op) {
    case 'var':
      return x.var(dim, { correction, keepdim });
    case 'std':
      return x.std(dim, { keepdim });
    case 'cumsum':
      return x.cumsum(dim as number);
    case 'countNonzero':
      return x.countNonzero(dim);
    case 'aminmax': {
      const { min, max } = x.aminmax(dim === undefined ? {} : { dim, keepdim });
      return { values: min, indices: max };
    }
    case 'logcumsumexp':
      return x.logcumsumexp(dim as number);
    case 'cummax':
    case 'cummin':
      return x[c.op](dim as number);
    case 'max':
    case 'min':
      return x[c.op](dim as number, keepdim);
    case 'argmax':
    case 'argmin':
      return x[c.op](dim as number | undefined, keepdim);
    default:
      return (x as unknown as Record<string, (d?: unknown, k?: boolean) => tg.Tensor>)[c.op](dim, keepdim);
  }
}

describe('reductions against PyTorch', () => {
  const groups = new Map<string, Case[]>();
  for (const c of fixture.cases) groups.set(c.op, [...(groups.get(c.op) ?? []), c]);
  for (const [op, cases] of groups) {
    it(`${op} (${cases.length} cases)`, () => {
      cases.forEach((c, i) => {
        const [x] = argsOf(fixture, c) as [tg.Tensor];
        const label = `${op} #${i} ${x.dtype}[${x.shape}] ${JSON.stringify(c.kwargs)}`;
        const got = run(c, x);
        if (got instanceof tg.Tensor) {
          expectTensor(got, c.out as EncodedTensor, { rtol: 2e-6 }, label);
        } else {
          const out = (c.op === 'aminmax' ? { values: (c.out as { min: EncodedTensor }).min, indices: (c.out as { max: EncodedTensor }).max } : c.out) as { values: EncodedTensor; indices: EncodedTensor };
          expectTensor(got.values, out.values, {}, `${label} values`);
          expectTensor(got.indices, out.indices, {}, `${label} indices`);
        }
      });
    });
  }
});

describe('reductions on views and edge cases', () => {
  it('reduce transposed, expanded and narrowed views', () => {
    const x = tg.arange(12, { dtype: 'float64' }).reshape(3, 4);
    expect(x.T.sum(1).tolist()).toEqual([12, 15, 18, 21]);
    expect(tg.tensor([1, 2, 3]).expand(4, 3).sum(0).tolist()).toEqual([4, 8, 12]);
    expect(x.narrow(1, 1, 2).sum().item()).toBe(1 + 2 + 5 + 6 + 9 + 10);
    expect(x.index(':', '::2').mean(0).tolist()).toEqual([4, 6]);
  });

  it('sums over empty dims give zero; max over an empty dim is an error', () => {
    expect(tg.zeros(0, 3).sum(0).tolist()).toEqual([0, 0, 0]);
    expect(tg.zeros(0).sum().item()).toBe(0);
    expect(() => tg.zeros(0, 3).max(0)).toThrow('max(): Expected reduction dim 0 to have non-zero size.');
    expect(() => tg.zeros(0).max()).toThrow(
      "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    );
    expect(() => tg.zeros(0).argmax()).toThrow(tg.IndexError);
  });

  it('mean of integers is refused like in PyTorch; sum of bools counts', () => {
    expect(() => tg.tensor([1, 2], { dtype: 'int64' }).mean()).toThrow(
      'mean(): could not infer output dtype. Input dtype must be a floating point dtype (float32 or float64). Got: int64',
    );
    const s = tg.tensor([true, false, true]).sum();
    expect(s.dtype).toBe('int64');
    expect(s.item()).toBe(2);
  });

  it('dims are checked and wrapped', () => {
    const x = tg.zeros(2, 3);
    expect(x.sum(-1).shape).toEqual([2]);
    expect(() => x.sum(2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => x.sum([0, 0])).toThrow('dim 0 appears multiple times in the list of dims');
  });

  it('large float32 sums are accurate (accumulated in double)', () => {
    const n = 1 << 20;
    const x = tg.full([n], 0.1);
    expect(Math.abs((x.sum().item()) - n * Math.fround(0.1))).toBeLessThan(1e-2);
  });

  it('row sums: every row length and its tail, strided and contiguous agree, the same bits on two threads', () => {
    // Rows of 1..70 elements cover the vectorised loop's whole blocks of 32 and every tail.
    for (let len = 1; len <= 70; len++) {
      const rows = tg.arange(3 * len, { dtype: 'float64' }).reshape(3, len);
      const want = [0, 1, 2].map((r) => (len * (2 * r * len + len - 1)) / 2); // exact: small integers
      expect(rows.sum(1).tolist()).toEqual(want);
      expect(rows.float().sum(1).tolist()).toEqual(want);
      expect(rows.t().contiguous().t().sum(1).tolist()).toEqual(want);
    }
    tg.manualSeed(3);
    const m = tg.randn(2000, 300);
    const one = m.sum(1).toTypedArray().slice();
    const before = tg.getNumThreads();
    tg.setNumThreads(2);
    const two = m.sum(1).toTypedArray().slice();
    tg.setNumThreads(before);
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    // float32 rows summed in double and rounded once: within half an ulp of the float64 sum
    const exact = m.double().sum(1);
    expect(m.sum(1).double().sub(exact).abs().div(exact.abs().add(1e-30)).max().item()).toBeLessThan(6e-8);
  });
});

describe('NaN-aware and counting reductions', () => {
  it("nansum's and nanmean's gradients skip the NaNs, as PyTorch's do", () => {
    const x = tg.tensor([[1, NaN, 3], [NaN, NaN, 2]], { dtype: 'float64', requiresGrad: true });
    x.nansum().backward();
    expect(x.grad!.tolist()).toEqual([[1, 0, 1], [0, 0, 1]]);
    x.grad = null;
    x.nanmean(1).sum().backward();
    expect(x.grad!.tolist()).toEqual([[0.5, 0, 0.5], [0, 0, 1]]);
  });

  it('refuses what PyTorch refuses, and options it does not take', () => {
    expect(() => tg.tensor([1, 2], { dtype: 'int64' }).nanmean()).toThrow(tg.DTypeError);
    expect(() => tg.tensor([1, 2]).countNonzero({ dim: 0, keepdim: true } as never)).toThrow(/unknown option 'keepdim'/);
    expect(tg.tensor([[0, 1], [2, 0]]).countNonzero({ dim: 0 }).tolist()).toEqual([1, 1]);
    expect(tg.aminmax(tg.tensor([[1, 5], [3, 2]]), { dim: 1, keepdim: true }).max.tolist()).toEqual([[5], [3]]);
  });
});

describe('keyword arguments after positional ones, as PyTorch takes them', () => {
  it('x.sum(1, { keepdim: true }) is x.sum(1, keepdim=True)', () => {
    const x = tg.tensor([[1, 2], [3, 4]]);
    expect(x.sum(1, { keepdim: true }).tolist()).toEqual([[3], [7]]);
    expect(tg.mean(x, 0, { keepdim: true }).shape).toEqual([1, 2]);
    expect(x.max(1, { keepdim: true }).indices.shape).toEqual([2, 1]);
    expect(x.sort(0, { descending: true }).values.tolist()).toEqual([[3, 4], [1, 2]]);
    expect(x.median(1, { keepdim: true }).values.shape).toEqual([2, 1]);
    expect(() => x.sum(1, { dim: 0 } as never)).toThrow("got 'dim' both as an argument and in the options object");
    expect(() => x.sum(1, { keepdm: true } as never)).toThrow("unknown option 'keepdm'");
    expect(() => x.sort(0, { dim: 1 } as never)).toThrow('both');
  });
});
