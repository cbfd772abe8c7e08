// tg.utils.data against torch.utils.data: batch order, generator draws, collation and errors
// (fixtures: scripts/fixtures/data.py).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';

const { Dataset, DataLoader, Subset, TensorDataset, defaultCollate, randomSplit } = tg.utils.data;

interface LoaderCase {
  n: number; batchSize: number; shuffle: boolean; dropLast: boolean; ownGenerator: boolean;
  length: number; epochs: number[][][]; after: number[];
}
interface SplitCase { n: number; lengths: number[]; defaultSeed?: number; parts: number[][] }
const fixture = loadFixture<{ loaders: LoaderCase[]; splits: SplitCase[] }>('data.json');

const ints = (t: tg.Tensor): number[] => (t.tolist() as number[]).map(Number);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('DataLoader visits samples in PyTorch order', () => {
  for (const c of fixture.loaders) {
    const name = `n=${c.n} batch=${c.batchSize} shuffle=${c.shuffle} dropLast=${c.dropLast} ${c.ownGenerator ? 'own generator' : 'global generator'}`;
    it(name, () => {
      tg.manualSeed(7);
      const g = c.ownGenerator ? new tg.Generator().manualSeed(1234) : undefined;
      const x = tg.arange(c.n);
      const ds = new TensorDataset(x, x.mul(2));
      const loader = new DataLoader(ds, { batchSize: c.batchSize, shuffle: c.shuffle, dropLast: c.dropLast, generator: g });
      expect(loader.length).toBe(c.length);
      const epochs = [0, 1].map(() => [...loader].map(([xb, yb]) => {
        expect(ints(yb)).toEqual(ints(xb).map((v) => v * 2));
        expect(xb.dtype).toBe('int64');
        return ints(xb);
      }));
      expect(epochs).toEqual(c.epochs);
      // The same draws were consumed: what the generator gives next matches too.
      expect(tg.randn(3, { dtype: 'float64', generator: g }).tolist()).toEqual(c.after);
    });
  }

  it('the generic path (a custom Dataset, default collate) gives the same batches as the tensor fast path', () => {
    class Rows extends Dataset<[tg.Tensor, number]> {
      constructor(readonly x: tg.Tensor) { super(); }
      get length(): number { return this.x.shape[0]; }
      getItem(i: number): [tg.Tensor, number] { return [this.x.select(0, i), i]; }
    }
    const x = tg.randn(23, 4);
    const a = new DataLoader(new Rows(x), { batchSize: 5, shuffle: true, generator: new tg.Generator().manualSeed(3) });
    const b = new DataLoader(new TensorDataset(x, tg.arange(23)), { batchSize: 5, shuffle: true, generator: new tg.Generator().manualSeed(3) });
    const ba = [...a], bb = [...b];
    expect(ba.length).toBe(5);
    ba.forEach(([xa, ia], k) => {
      expect(xa.shape).toEqual(bb[k][0].shape);
      expect(xa.tolist()).toEqual(bb[k][0].tolist());
      expect(ia.dtype).toBe('int64');
      expect(ints(ia)).toEqual(ints(bb[k][1]));
    });
  });

  it('iterates over Subsets of a TensorDataset and plain arrays', () => {
    const ds = new TensorDataset(tg.arange(10).mul(10));
    const sub = new Subset(new Subset(ds, [9, 8, 7, 6, 5]), [0, 2, 4]);
    expect([...new DataLoader(sub, { batchSize: 2 })].map(([b]) => ints(b))).toEqual([[90, 70], [50]]);
    // Numbers batch as int64 when every one is an integer (as Python ints), float64 otherwise.
    expect([...new DataLoader([1.5, 2, 3], { batchSize: 2 })].map((b) => [b.dtype, b.tolist()])).toEqual([
      ['float64', [1.5, 2]], ['int64', [3]],
    ]);
    expect([...new DataLoader(['a', 'b', 'c'], { batchSize: 2 })]).toEqual([['a', 'b'], ['c']]);
    expect([...new DataLoader([5, 6], { batchSize: null })]).toEqual([5, 6]);
  });

  it('a collateFn receives the samples of each batch', () => {
    const loader = new DataLoader(range(7), { batchSize: 3, collateFn: (s) => s.join('+') });
    expect([...loader]).toEqual(['0+1+2', '3+4+5', '6']);
  });

  it('checks its options like PyTorch', () => {
    const ds = new TensorDataset(tg.zeros(4, 2));
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('batchSize should be a positive integer value, but got batchSize=0');
    expect(() => new DataLoader(ds, { batchSize: 1.5 })).toThrow(RangeError);
    expect(() => new DataLoader(ds, { batchSize: null, dropLast: true })).toThrow('the { batchSize: null } option disables auto-batching and is mutually exclusive with { dropLast: true }');
    expect(() => new DataLoader(new TensorDataset(tg.zeros(0, 2)), { shuffle: true })).toThrow('numSamples should be a positive integer value, but got numSamples=0');
    expect(() => new DataLoader(ds, { generator: {} as tg.Generator })).toThrow("DataLoader(): option 'generator' must be a tg.Generator, but got an Object");
  });
});

describe('TensorDataset, Subset and defaultCollate', () => {
  it('TensorDataset indexes rows and checks sizes', () => {
    const ds = new TensorDataset(tg.tensor([[1, 2], [3, 4], [5, 6]]), tg.tensor([7, 8, 9]));
    expect(ds.length).toBe(3);
    const [x, y] = ds.getItem(-1);
    expect(x.tolist()).toEqual([5, 6]);
    expect(y.item()).toBe(9);
    expect(() => ds.getItem(3)).toThrow('index 3 is out of range for a dataset of length 3');
    expect(() => ds.getItem(0.5)).toThrow(TypeError);
    expect(() => new TensorDataset(tg.zeros(3), tg.zeros(4))).toThrow('Size mismatch between tensors');
    expect(() => new TensorDataset(tg.tensor(1))).toThrow('0-d');
  });

  it('Subset checks its indices', () => {
    expect(() => new Subset([1, 2, 3], [0, 3])).toThrow('index 3 is out of range');
    expect(new Subset([1, 2, 3], [2, -3]).getItem(1)).toBe(1);
  });

  it('defaultCollate stacks tensors and collates arrays and objects field by field', () => {
    const batch = defaultCollate([
      { x: tg.tensor([1, 2]), label: 3, ok: true, name: 'a' },
      { x: tg.tensor([3, 4]), label: 4, ok: false, name: 'b' },
    ]);
    expect(batch.x.shape).toEqual([2, 2]);
    expect(batch.label.dtype).toBe('int64');
    expect(batch.ok.dtype).toBe('bool');
    expect(batch.name).toEqual(['a', 'b']);
    expect(() => defaultCollate([[1, 2], [3]])).toThrow('each element in the array of a batch should be of equal size');
    expect(() => defaultCollate([1, 'a'] as unknown[])).toThrow('must be of one kind');
    expect(() => defaultCollate([new Map()])).toThrow('found Map');
  });
});

describe('randomSplit', () => {
  for (const c of fixture.splits) {
    it(`${c.n} into [${c.lengths.join(', ')}]${c.defaultSeed === undefined ? '' : ' with the global generator'}`, () => {
      let parts: tg.utils.data.Subset<number>[];
      if (c.defaultSeed === undefined) {
        parts = randomSplit(range(c.n), c.lengths, { generator: new tg.Generator().manualSeed(42) });
      } else {
        tg.manualSeed(c.defaultSeed);
        parts = randomSplit(range(c.n), c.lengths);
      }
      expect(parts.map((p) => [...p.indices])).toEqual(c.parts);
      expect(parts.map((p) => p.length)).toEqual(c.parts.map((p) => p.length));
    });
  }

  it('rejects lengths that do not add up', () => {
    expect(() => randomSplit(range(10), [3, 3])).toThrow('Sum of input lengths does not equal the length of the input dataset!');
    expect(() => randomSplit(range(10), [1.5, -0.5])).toThrow('Fraction at index 0 is not between 0 and 1');
    expect(() => randomSplit(range(10), [2.5, 7.5])).toThrow(RangeError);
  });
});
