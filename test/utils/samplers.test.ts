// Samplers and DataLoader options against torch.utils.data: the same index lists and batches, and
// the same generator state after two passes (fixtures: scripts/fixtures/samplers.py). The loader
// cases with workers load batches in worker threads, which run the compiled library (dist/).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';

const { BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, TensorDataset, WeightedRandomSampler } = tg.utils.data;
const { Range } = createRequire(__filename)('./datasets/range.cjs') as { Range: new (start: number, end: number) => tg.utils.data.IterableDataset<number> };

interface SamplerCase { kind: string; args: Record<string, unknown>; own: boolean; length: number; passes: unknown[][]; after: number[] }
interface LoaderCase { name: string; own: boolean; length: number | null; epochs: unknown[][]; after: number[] }
const fixture = loadFixture<{ globalSeed: number; ownSeed: number; samplers: SamplerCase[]; loaders: LoaderCase[] }>('samplers.json');

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** Tensors as nested lists of numbers (int64 elements too). */
const plain = (v: unknown): unknown => (tg.isTensor(v) ? plain(v.tolist()) : Array.isArray(v) ? v.map(plain) : typeof v === 'bigint' ? Number(v) : v);

function seeded(own: boolean): tg.Generator | undefined {
  tg.manualSeed(fixture.globalSeed);
  return own ? new tg.Generator().manualSeed(fixture.ownSeed) : undefined;
}

function makeSampler(c: SamplerCase, generator: tg.Generator | undefined): Iterable<unknown> & { length: number } {
  const a = c.args as Record<string, never>;
  switch (c.kind) {
    case 'SequentialSampler': return new SequentialSampler(range(a.n));
    case 'RandomSampler': return new RandomSampler(range(a.n), { replacement: a.replacement, numSamples: a.numSamples, generator });
    case 'SubsetRandomSampler': return new SubsetRandomSampler(a.indices, { generator });
    case 'WeightedRandomSampler': return new WeightedRandomSampler(a.weights, a.numSamples, { replacement: a.replacement, generator });
    case 'BatchSampler': return new BatchSampler(new RandomSampler(range(a.n), { generator }), a.batchSize, a.dropLast);
    default: throw new Error(`unknown sampler ${c.kind}`);
  }
}

describe('samplers draw what PyTorch draws', () => {
  for (const c of fixture.samplers) {
    it(`${c.kind} ${JSON.stringify(c.args)} (${c.own ? 'own' : 'global'} generator)`, () => {
      const g = seeded(c.own);
      const s = makeSampler(c, g);
      expect(s.length).toBe(c.length);
      expect([[...s], [...s]]).toEqual(c.passes);
      expect(tg.rand(3, { dtype: 'float64', generator: g }).tolist()).toEqual(c.after);
    });
  }
});

const n = 23;
const dataset = (): tg.utils.data.TensorDataset => new TensorDataset(tg.arange(n), tg.arange(n).mul(2));
type AnyLoader = tg.utils.data.DataLoader<unknown, unknown>;
const loaders: Record<string, (g: tg.Generator | undefined) => unknown> = {
  'sampler: RandomSampler with replacement, numSamples 25; batchSize 4': (g) => new DataLoader(dataset(), { batchSize: 4, sampler: new RandomSampler(range(n), { replacement: true, numSamples: 25, generator: g }), generator: g }),
  'sampler: WeightedRandomSampler; batchSize 3': (g) => new DataLoader(dataset(), { batchSize: 3, sampler: new WeightedRandomSampler(range(n).map((i) => i % 4), 10, { generator: g }), generator: g }),
  'sampler: SubsetRandomSampler; batchSize 2, dropLast': (g) => new DataLoader(dataset(), { batchSize: 2, dropLast: true, sampler: new SubsetRandomSampler([0, 5, 7, 9, 11], { generator: g }), generator: g }),
  'batchSampler: BatchSampler(RandomSampler, 3, dropLast)': (g) => new DataLoader(dataset(), { batchSampler: new BatchSampler(new RandomSampler(dataset(), { generator: g }), 3, true), generator: g }),
  'batchSize null, shuffle': (g) => new DataLoader(dataset(), { batchSize: null, shuffle: true, generator: g }),
  'shuffle, batchSize 5, numWorkers 2': (g) => new DataLoader(dataset(), { batchSize: 5, shuffle: true, numWorkers: 2, generator: g }),
  'shuffle, batchSize 4, dropLast, numWorkers 3, prefetchFactor 1': (g) => new DataLoader(dataset(), { batchSize: 4, shuffle: true, dropLast: true, numWorkers: 3, prefetchFactor: 1, generator: g }),
  'shuffle, batchSize 5, numWorkers 2, persistentWorkers': (g) => new DataLoader(dataset(), { batchSize: 5, shuffle: true, numWorkers: 2, persistentWorkers: true, generator: g }),
  ...Object.fromEntries([0, 1, 2, 3].map((w) => [`IterableDataset Range(3, 20), batchSize 4, numWorkers ${w}`, (g: tg.Generator | undefined) => new DataLoader(new Range(3, 20), { batchSize: 4, numWorkers: w, generator: g })])),
  'IterableDataset Range(0, 10), batchSize 4, dropLast, numWorkers 2': (g) => new DataLoader(new Range(0, 10), { batchSize: 4, dropLast: true, numWorkers: 2, generator: g }),
  'IterableDataset Range(0, 5), batchSize null': (g) => new DataLoader(new Range(0, 5), { batchSize: null, generator: g }),
};

describe('DataLoader with samplers, batch samplers, iterable datasets and workers: PyTorch batches and draws', () => {
  it('the fixture has a loader for every case', () => {
    expect(fixture.loaders.map((c) => c.name).filter((name) => !(name in loaders))).toEqual([]);
  });

  for (const c of fixture.loaders) {
    it(`${c.name} (${c.own ? 'own' : 'global'} generator)`, async () => {
      const g = seeded(c.own);
      const loader = loaders[c.name](g) as AnyLoader;
      if (c.length === null) expect(() => loader.length).toThrow('has no length');
      else expect(loader.length).toBe(c.length);
      const epochs: unknown[][] = [];
      for (let e = 0; e < 2; e++) {
        const batches: unknown[] = [];
        for await (const b of loader) batches.push(plain(Array.isArray(b) ? b[0] : b));
        epochs.push(batches);
      }
      await loader.shutdownWorkers();
      expect(epochs).toEqual(c.epochs);
      expect(tg.rand(3, { dtype: 'float64', generator: g }).tolist()).toEqual(c.after);
    });
  }

  it('numWorkers 0 iterates with for...of too, and a break leaves the generator where PyTorch would', () => {
    const g = new tg.Generator().manualSeed(1);
    const loader = new DataLoader(range(10), { batchSize: 3, shuffle: true, generator: g });
    const all = [...loader].map(plain);
    expect(all.flat().sort((a, b) => (a as number) - (b as number))).toEqual(range(10));
    expect([...new DataLoader(new Range(0, 7), { batchSize: 2 })].map(plain)).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
  });
});

describe('samplers', () => {
  it('BatchSampler groups any iterable, and takes its options positionally or by name', () => {
    expect([...new BatchSampler(new SequentialSampler(range(10)), 3, false)]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect([...new BatchSampler(range(10), { batchSize: 3, dropLast: true })]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    expect(new BatchSampler(range(10), 3, true).length).toBe(3);
    expect(new BatchSampler(range(10), 3).length).toBe(4);
    expect(() => new BatchSampler(new Set([1, 2]), 1).length).toThrow('BatchSampler: its sampler has no length');
  });

  it('a Sampler subclass drives a DataLoader; one without a length has no loader length', async () => {
    class Reversed extends Sampler<number> {
      constructor(readonly n: number) { super(); }
      get length(): number { return this.n; }
      *[Symbol.iterator](): Iterator<number> { for (let i = this.n - 1; i >= 0; i--) yield i; }
    }
    const loader = new DataLoader(range(5).map((i) => i * 10), { batchSize: 2, sampler: new Reversed(5) });
    expect(loader.length).toBe(3);
    expect([...loader].map(plain)).toEqual([[40, 30], [20, 10], [0]]);
    const noLength = new DataLoader(range(5), { batchSize: 2, sampler: new Set([4, 0]) });
    expect(() => noLength.length).toThrow('BatchSampler: its sampler has no length');
    expect([...noLength].map(plain)).toEqual([[4, 0]]);
    expect(new tg.utils.data.DistributedSampler(range(4), { numReplicas: 2, rank: 0 })).toBeInstanceOf(Sampler);
  });

  it('refuse what PyTorch refuses', () => {
    expect(() => new RandomSampler([])).toThrow('numSamples should be a positive integer value, but got numSamples=0');
    expect(() => new RandomSampler(range(3), { numSamples: 2.5 })).toThrow(RangeError);
    expect(() => new RandomSampler(range(3), 1 as never)).toThrow("RandomSampler(): argument 'replacement' must be a boolean");
    expect(() => new RandomSampler(range(3), { replace: true } as never)).toThrow("RandomSampler(): unknown option 'replace'");
    expect(() => new WeightedRandomSampler([[1, 2], [3, 4]] as never, 2)).toThrow('weights should be a 1d sequence but given weights have shape [2, 2]');
    expect(() => new WeightedRandomSampler([1, 2], 0)).toThrow('numSamples should be a positive integer value, but got numSamples=0');
    expect(() => [...new WeightedRandomSampler([0, 0, 0], 2)]).toThrow('invalid multinomial distribution (sum of probabilities <= 0)');
    expect(() => new BatchSampler(range(3), 0)).toThrow('batchSize should be a positive integer value, but got batchSize=0');
    expect(() => new BatchSampler(range(3), 2, 1 as never)).toThrow("argument 'dropLast' must be a boolean");
    expect(() => new BatchSampler(3 as never, 2)).toThrow('sampler must be an iterable of indices');
  });
});

describe('DataLoader options', () => {
  const ds = new TensorDataset(tg.arange(6));

  it('batchSampler excludes batchSize, shuffle, sampler and dropLast, as PyTorch', () => {
    const bs = new BatchSampler(range(6), 4);
    const message = 'DataLoader(): the batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast';
    for (const extra of [{ batchSize: 2 }, { shuffle: true }, { sampler: range(6) }, { dropLast: true }]) {
      expect(() => new DataLoader(ds, { batchSampler: bs, ...extra })).toThrow(message);
    }
    const loader = new DataLoader(ds, { batchSampler: bs, batchSize: 1 });
    expect(loader.batchSize).toBe(null);
    expect(loader.length).toBe(2);
    expect([...loader].map((b) => plain(b[0]))).toEqual([[0, 1, 2, 3], [4, 5]]);
  });

  it('an IterableDataset takes no shuffle, sampler or batchSampler', () => {
    const it6 = new Range(0, 6);
    expect(() => new DataLoader(it6, { shuffle: true })).toThrow('DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true');
    expect(() => new DataLoader(it6, { sampler: range(6) })).toThrow('expected unspecified sampler option, but got sampler=an Array');
    expect(() => new DataLoader(it6, { batchSampler: [[0]] })).toThrow('expected unspecified batchSampler option');
    expect(new DataLoader(it6, { shuffle: false }).sampler).not.toBe(null);
  });

  it('an IterableDataset with a length gives the loader one, and its samples batch in order', () => {
    class Squares extends IterableDataset<number> {
      get length(): number { return 5; }
      *[Symbol.iterator](): Iterator<number> { for (let i = 0; i < 5; i++) yield i * i; }
    }
    expect(new DataLoader(new Squares(), { batchSize: 2 }).length).toBe(3);
    expect(new DataLoader(new Squares(), { batchSize: 2, dropLast: true }).length).toBe(2);
    expect([...new DataLoader(new Squares(), { batchSize: 2, dropLast: true })].map(plain)).toEqual([[0, 1], [4, 9]]);
    expect([...new DataLoader(new Squares(), { batchSize: null, collateFn: (x) => `<${x}>` })]).toEqual(['<0>', '<1>', '<4>', '<9>', '<16>']);
  });

  it('worker options are checked as PyTorch checks them', () => {
    expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow('numWorkers option should be a non-negative integer');
    expect(() => new DataLoader(ds, { prefetchFactor: 2 })).toThrow('the prefetchFactor option can only be given with worker threads');
    expect(() => new DataLoader(ds, { numWorkers: 1, prefetchFactor: 0 })).toThrow('prefetchFactor option should be a positive integer, but got 0');
    expect(() => new DataLoader(ds, { persistentWorkers: true })).toThrow('the persistentWorkers option needs numWorkers > 0');
    expect(() => new DataLoader(ds, { timeout: -1 })).toThrow('timeout option should be non-negative');
    expect(() => new DataLoader(ds, { timeout: 5 })).toThrow('the timeout option needs numWorkers > 0');
    expect(() => new DataLoader(ds, { num_workers: 2 } as never)).toThrow("DataLoader(): unknown option 'num_workers'");
    expect(() => new DataLoader(ds, { numWorkers: 1, workerInitFn: (() => {}) as never })).toThrow("option 'workerInitFn' must be a { module, export }");
    expect(() => new DataLoader(ds, { numWorkers: 1, workerInitFn: { module: 'init.js', export: 'f' } })).toThrow('workerInitFn.module must be an absolute path or a file: URL');
    const loader = new DataLoader(ds, { numWorkers: 2, pinMemory: true });
    expect(loader.prefetchFactor).toBe(2);
    expect(() => [...loader]).toThrow('with numWorkers > 0 batches come from worker threads; iterate with for await (const batch of loader)');
  });

  it('a dataset that cannot say how workers rebuild it is refused when the loader is made', () => {
    class Local extends Dataset<number> {
      get length(): number { return 3; }
      getItem(i: number): number { return i; }
    }
    expect(() => new DataLoader(new Local(), { numWorkers: 2 })).toThrow('with numWorkers > 0 every worker thread builds its own copy of the dataset, and Local does not say how');
    class Relative extends Local {
      static override workerModule = 'datasets/local.js';
    }
    expect(() => new DataLoader(new Relative(), { numWorkers: 2 })).toThrow('Relative.workerModule must be an absolute path or a file: URL');
    expect(() => new DataLoader(range(3), { numWorkers: 2 })).not.toThrow(); // arrays are copied to each worker
  });

  it('getWorkerInfo() is null outside workers', () => {
    expect(tg.utils.data.getWorkerInfo()).toBe(null);
  });
});
