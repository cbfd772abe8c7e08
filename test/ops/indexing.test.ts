// indexSelect, gather and scatterAdd with an index that is constant along a run (the expanded
// index indexSelect builds): values against a plain reference, gradients with repeated indices,
// and out-of-range indices.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

const idx = (v: number[]) => tg.tensor(v, { dtype: 'int64' });

/** indexSelect by hand: the entries at `index` along `dim`, through tolist(). */
function reference(x: tg.Tensor, dim: number, index: number[]): unknown {
  const moved = x.transpose(0, dim);
  const rows = index.map((i) => moved.select(0, i));
  return tg.stack(rows).transpose(0, dim).tolist();
}

describe('indexSelect', () => {
  const x = tg.arange(60, { dtype: 'float32' }).reshape(3, 4, 5);
  for (const dim of [0, 1, 2, -1]) {
    it(`along dim ${dim}, contiguous and transposed sources`, () => {
      const size = x.shape[(dim + 3) % 3];
      const index = [size - 1, 0, size - 1, 1];
      expect(x.indexSelect(dim, idx(index)).tolist()).toEqual(reference(x, (dim + 3) % 3, index));
      const t = x.transpose(0, 2); // [5, 4, 3], non-contiguous
      const tsize = t.shape[(dim + 3) % 3];
      const tindex = [0, tsize - 1, 1];
      expect(t.indexSelect(dim, idx(tindex)).tolist()).toEqual(reference(t, (dim + 3) % 3, tindex));
    });
  }

  it('works for every dtype and an empty index', () => {
    for (const dtype of ['float64', 'int32', 'int64', 'bool'] as const) {
      const y = tg.tensor([[1, 0], [0, 1], [1, 1]], { dtype });
      expect(y.indexSelect(0, idx([2, 0])).tolist()).toEqual(tg.tensor([[1, 1], [1, 0]], { dtype }).tolist());
    }
    expect(x.indexSelect(1, idx([])).shape).toEqual([3, 0, 5]);
  });

  it('sums the gradient of repeated rows', () => {
    const w = tg.randn(4, 3, { dtype: 'float64', requiresGrad: true });
    w.indexSelect(0, idx([1, 3, 1, 1])).sum().backward();
    expect(w.grad!.tolist()).toEqual([[0, 0, 0], [3, 3, 3], [0, 0, 0], [1, 1, 1]]);
    const v = tg.randn(3, 4, { dtype: 'float64', requiresGrad: true });
    v.indexSelect(1, idx([0, 0, 2])).mul(tg.tensor([1, 2, 3], { dtype: 'float64' })).sum().backward();
    expect(v.grad!.tolist()).toEqual([[3, 0, 3, 0], [3, 0, 3, 0], [3, 0, 3, 0]]);
  });

  it('rejects an index out of range, without writing anything', () => {
    expect(() => x.indexSelect(0, idx([0, 3]))).toThrow('index 3 is out of bounds for dimension 0 with size 3');
    expect(() => x.indexSelect(2, idx([-1]))).toThrow('index -1 is out of bounds for dimension 2 with size 5');
    const target = tg.zeros(3, 2);
    expect(() => target.scatterAdd_(0, idx([0, 9]).reshape(2, 1).expand(2, 2), tg.ones(2, 2))).toThrow('out of bounds');
  });
});

describe('gather and scatterAdd with an index constant along the inner dim', () => {
  it('gather along the last dim with an index expanded along it repeats one entry', () => {
    const x = tg.tensor([[1, 2, 3], [4, 5, 6]]);
    const index = idx([2, 0]).reshape(2, 1).expand(2, 4);
    expect(x.gather(1, index).tolist()).toEqual([[3, 3, 3, 3], [4, 4, 4, 4]]);
  });

  it('scatterAdd along the last dim with an index expanded along it adds every source entry', () => {
    const target = tg.zeros(2, 3);
    target.scatterAdd_(1, idx([1, 2]).reshape(2, 1).expand(2, 4), tg.tensor([[1, 2, 3, 4], [5, 6, 7, 8]], { dtype: 'float32' }));
    expect(target.tolist()).toEqual([[0, 10, 0], [0, 0, 26]]);
  });
});
