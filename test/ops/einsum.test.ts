import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { argsOf, expectTensor, loadFixture, pattern, type EncodedTensor } from '../helpers';

const fixture = loadFixture('linalg_ext.json');
const f64 = (shape: number[], seed: number) => pattern(shape, 'float64', seed).requiresGrad_();

describe('einsum against PyTorch', () => {
  const cases = fixture.cases.filter((c) => c.op === 'einsum');
  it(`${cases.length} equations`, () => {
    expect(cases.length).toBeGreaterThan(40);
    for (const c of cases) {
      const [eq, ...ops] = argsOf(fixture, c) as [string, ...tg.Tensor[]];
      // sums of up to a few dozen products: PyTorch's BLAS and ours may add them in other orders
      expectTensor(tg.einsum(eq, ...ops), c.out as EncodedTensor, { rtol: 1e-5, atol: 1e-5 }, eq);
      expectTensor(tg.einsum(eq, ops), c.out as EncodedTensor, { rtol: 1e-5, atol: 1e-5 }, `${eq} (array)`);
    }
  });
});

describe('einsum', () => {
  it('contracts through the matrix products (its graph holds BmmBackward0 nodes)', () => {
    const a = f64([2, 3, 4], 1), b = f64([2, 4, 5], 2);
    const y = tg.einsum('bij,bjk->bik', a, b);
    const names: string[] = [];
    const walk = (n: { name: string; next: unknown[] } | null) => {
      if (!n || !('next' in n)) return;
      names.push(n.name);
      for (const m of n.next) walk(m as typeof n);
    };
    walk(y.gradFn as never);
    expect(names).toContain('BmmBackward0');
    expect(y.sub(a.bmm(b)).abs().max().item()).toBeLessThan(1e-12);
  });

  it('gradients (and second derivatives) through contractions, diagonals, broadcasting and sums', () => {
    const checks: [string, number[][]][] = [
      ['ij,jk->ik', [[3, 4], [4, 2]]], ['ii->i', [[3, 3]]], ['ii', [[3, 3]]], ['iji->j', [[2, 3, 2]]],
      ['...ij,...jk', [[2, 1, 2, 3], [4, 3, 2]]], ['bn,anm,bm->ba', [[2, 3], [2, 3, 4], [2, 4]]], ['i,j', [[2], [3]]],
      ['ij->', [[2, 3]]], ['ij,kj->ik', [[3, 1], [2, 4]]], ['i,i,i->', [[3], [3], [3]]], ['ijk,jil->kl', [[2, 3, 2], [3, 2, 2]]],
    ];
    checks.forEach(([eq, shapes], k) => {
      const inputs = shapes.map((s, j) => f64(s, 10 + 5 * k + j));
      expect(tg.autograd.gradcheck((...xs) => tg.einsum(eq, ...xs), inputs), eq).toBe(true);
      if (k % 3 !== 0) return;
      const grads = (...xs: tg.Tensor[]) => tg.autograd.grad(tg.einsum(eq, ...xs).pow(2).sum(), xs, { createGraph: true }) as tg.Tensor[];
      expect(tg.autograd.gradcheck(grads, inputs), `${eq} (second derivatives)`).toBe(true);
    });
  });

  it('returns a view for a pure permutation and a diagonal', () => {
    const m = tg.arange(9, { dtype: 'float64' }).reshape(3, 3);
    expect(tg.einsum('ij->ji', m).tolist()).toEqual(m.t().tolist());
    expect(tg.einsum('ii->i', m).tolist()).toEqual([0, 4, 8]);
    expect(tg.einsum('ii', m).item()).toBe(12);
  });

  it('refuses what PyTorch refuses, in its words', () => {
    const m = tg.zeros(2, 3), v = tg.zeros(3);
    expect(() => tg.einsum('ij,jk', m, tg.zeros(4, 5))).toThrow('einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3');
    expect(() => tg.einsum('ii', m)).toThrow("einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2");
    expect(() => tg.einsum('i,i,', v, v)).toThrow('einsum(): fewer operands were provided than specified in the equation');
    expect(() => tg.einsum('i', v, v)).toThrow('einsum(): more operands were provided than specified in the equation');
    expect(() => tg.einsum('ij->jz', m)).toThrow('einsum(): output subscript z does not appear in the equation for any input operand');
    expect(() => tg.einsum('ij->ii', m)).toThrow('einsum(): output subscript i appears more than once in the output');
    expect(() => tg.einsum('i.j', m)).toThrow("einsum(): found '.' for operand 0 that is not part of any ellipsis");
    expect(() => tg.einsum('......', m)).toThrow("einsum(): found '.' for operand 0 for which an ellipsis was already found");
    expect(() => tg.einsum('i1', m)).toThrow('einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]');
    expect(() => tg.einsum('ijk', m)).toThrow('einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given');
    expect(() => tg.einsum('ijk...', m)).toThrow('einsum(): the number of subscripts in the equation (3) is more than the number of dimensions (2) for operand 0');
    expect(() => tg.einsum('...i,...i', tg.zeros(2, 3), tg.zeros(4, 3))).toThrow(/dimension 0 covered by ellipsis in operand 1 has size 4/);
    expect(() => tg.einsum('ij')).toThrow(TypeError);
    expect(() => tg.einsum('i,i', v, v.double())).toThrow(tg.DTypeError);
    expect(() => tg.einsum('i,i', v, [1, 2, 3] as never)).toThrow(/operand 1 must be a Tensor, but got Array/);
    expect(() => tg.einsum(3 as never, v)).toThrow(TypeError);
    expect(tg.einsum('i,i', tg.tensor([1, 2], { dtype: 'int64' }), tg.tensor([3, 4], { dtype: 'int64' })).item()).toBe(11);
  });
});
