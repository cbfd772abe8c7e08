/**
 * Samplers: the order in which a DataLoader visits a dataset's indices, as torch.utils.data's,
 * drawing exactly the random numbers PyTorch's draw (the same calls on the same generator, at the
 * same points of an iteration), so that a seeded script visits the same samples.
 */
import { positionalOrNamed } from '../options';
import { isTensor } from '../storage';
import { tensor } from '../ops/creation';
import { Generator, generatorKind, randint, randperm } from '../ops/random';
import { multinomial } from '../ops/sampling';
import { ShapeError, shapeStr } from '../errors';
import type { Tensor } from '../tensor';

/** What DataLoader's sampler option takes: any iterable of indices; a `length` (Python's `__len__`) makes `loader.length` work. */
export type SamplerLike<T = number> = Iterable<T> & { readonly length?: number };

/** Anything with a length, as samplers take their data source (a dataset, an array). */
export interface Sized {
  /** How many items it has. */
  readonly length: number;
}

/**
 * The base class of samplers, as torch.utils.data.Sampler: an iterable of indices (or, for a batch
 * sampler, of lists of indices), with a `length` getter where the count is known.
 * @example
 * class Reversed extends tg.utils.data.Sampler<number> {
 *   constructor(readonly n: number) { super(); }
 *   get length() { return this.n; }
 *   *[Symbol.iterator]() { for (let i = this.n - 1; i >= 0; i--) yield i; }
 * }
 */
export abstract class Sampler<T = number> implements Iterable<T> {
  /** One pass: the indices (or index lists) in the order to visit them. */
  abstract [Symbol.iterator](): Iterator<T>;
}

function lengthOf(source: Sized, what: string): number {
  const n = source.length;
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`${what}: the data source needs a length (a non-negative integer), but has ${String(n)}`);
  return n;
}

function checkCount(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} should be a positive integer value, but got ${name}=${String(value)}`);
  }
}

const ints = (t: Tensor): number[] => Array.from(t.toTypedArray() as BigInt64Array, Number);

/**
 * 0, 1, ..., length - 1, in order, as torch.utils.data.SequentialSampler.
 * @example [...new tg.utils.data.SequentialSampler([10, 20, 30])] // [0, 1, 2]
 */
export class SequentialSampler extends Sampler<number> {
  constructor(readonly dataSource: Sized) {
    super();
  }

  /** The data source's length. */
  get length(): number {
    return lengthOf(this.dataSource, 'SequentialSampler');
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield i;
  }
}

/** The options of RandomSampler (PyTorch's). */
export interface RandomSamplerOptions {
  /** Draw with replacement (default false: a permutation). */
  replacement?: boolean;
  /** How many indices a pass gives (default: the data source's length). */
  numSamples?: number | null;
  /**
   * Where the draws come from. Default: each pass seeds a generator of its own from one draw of
   * the global generator, as PyTorch.
   */
  generator?: Generator;
}

/**
 * Indices in random order, as torch.utils.data.RandomSampler: a randperm per length of the data
 * source (without replacement), or randint drawn 32 at a time (with replacement), from the same
 * generator calls as PyTorch, so that the same seed gives the same indices.
 * @example
 * const s = new tg.utils.data.RandomSampler(ds, { replacement: true, numSamples: 100, generator: new tg.Generator().manualSeed(0) });
 */
export class RandomSampler extends Sampler<number> {
  /** What the indices index (its length is read at each pass). */
  readonly dataSource: Sized;
  /** Whether an index may come up more than once a pass. */
  readonly replacement: boolean;
  /** The generator given, if any. */
  readonly generator: Generator | undefined;
  private readonly requestedSamples: number | undefined;

  constructor(dataSource: Sized, opts?: RandomSamplerOptions);
  constructor(dataSource: Sized, replacement?: boolean, numSamples?: number | null, generator?: Generator);
  constructor(dataSource: Sized, ...args: unknown[]) {
    super();
    const o = positionalOrNamed<RandomSamplerOptions>('RandomSampler', args, { replacement: 'boolean', numSamples: 'any', generator: generatorKind });
    this.dataSource = dataSource;
    this.replacement = o.replacement ?? false;
    this.requestedSamples = o.numSamples ?? undefined;
    this.generator = o.generator;
    checkCount('numSamples', this.numSamples);
  }

  /** The indices a pass gives. */
  get numSamples(): number {
    return this.requestedSamples ?? lengthOf(this.dataSource, 'RandomSampler');
  }

  /** numSamples. */
  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.dataSource, 'RandomSampler');
    let generator = this.generator;
    if (generator === undefined) {
      // torch.empty((), dtype=torch.int64).random_(): the global generator's draw in [0, 2^63)
      const seed = (randint(0, 2 ** 63, []).toTypedArray() as BigInt64Array)[0];
      generator = new Generator().manualSeed(seed);
    }
    const m = this.numSamples;
    if (this.replacement) {
      for (let k = 0; k < Math.floor(m / 32); k++) yield* ints(randint(0, n, [32], { generator }));
      yield* ints(randint(0, n, [m % 32], { generator }));
    } else {
      for (let k = 0; k < Math.floor(m / n); k++) yield* ints(randperm(n, { generator }));
      // drawn even when none of it is used: PyTorch's generator state after a pass includes it
      yield* ints(randperm(n, { generator })).slice(0, m % n);
    }
  }
}

/**
 * The given indices in random order (one randperm a pass), as torch.utils.data.SubsetRandomSampler.
 * @example new tg.utils.data.SubsetRandomSampler([0, 2, 4, 6], { generator: g })
 */
export class SubsetRandomSampler extends Sampler<number> {
  /** The indices to shuffle. */
  readonly indices: readonly number[];
  /** The generator given, if any (default: the global one). */
  readonly generator: Generator | undefined;

  constructor(indices: readonly number[], opts?: { generator?: Generator });
  constructor(indices: readonly number[], generator?: Generator);
  constructor(indices: readonly number[], ...args: unknown[]) {
    super();
    const o = positionalOrNamed<{ generator?: Generator }>('SubsetRandomSampler', args, { generator: generatorKind });
    if (!Array.isArray(indices)) throw new TypeError('SubsetRandomSampler(): indices must be an array of indices');
    this.indices = indices;
    this.generator = o.generator;
  }

  /** How many indices there are. */
  get length(): number {
    return this.indices.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const i of ints(randperm(this.indices.length, { generator: this.generator }))) yield this.indices[i];
  }
}

/** The options of WeightedRandomSampler (PyTorch's). */
export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (default true); without, an index comes up at most once a pass. */
  replacement?: boolean;
  /** Where the draws come from (default: the global generator). */
  generator?: Generator;
}

/**
 * numSamples indices in [0, weights.length), each drawn with probability proportional to its
 * weight (weights need not sum to 1), by torch.multinomial as torch.utils.data.WeightedRandomSampler.
 * @example new tg.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, { replacement: true })
 */
export class WeightedRandomSampler extends Sampler<number> {
  /** The weights, float64. */
  readonly weights: Tensor;
  /** Indices drawn a pass. */
  readonly numSamples: number;
  /** Whether an index may come up more than once a pass. */
  readonly replacement: boolean;
  /** The generator given, if any (default: the global one). */
  readonly generator: Generator | undefined;

  constructor(weights: readonly number[] | Float64Array | Float32Array | Tensor, numSamples: number, opts?: WeightedRandomSamplerOptions);
  constructor(weights: readonly number[] | Float64Array | Float32Array | Tensor, numSamples: number, replacement?: boolean, generator?: Generator);
  constructor(weights: readonly number[] | Float64Array | Float32Array | Tensor, ...args: unknown[]) {
    super();
    const o = positionalOrNamed<WeightedRandomSamplerOptions & { numSamples?: number }>('WeightedRandomSampler', args, {
      numSamples: 'any', replacement: 'boolean', generator: generatorKind,
    });
    checkCount('numSamples', o.numSamples);
    const w = isTensor(weights) ? weights.detach().to('float64') : tensor(weights as number[], { dtype: 'float64' });
    if (w.dim() !== 1) throw new ShapeError(`weights should be a 1d sequence but given weights have shape ${shapeStr(w.shape)}`);
    this.weights = w;
    this.numSamples = o.numSamples as number;
    this.replacement = o.replacement ?? true;
    this.generator = o.generator;
  }

  /** numSamples. */
  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    yield* ints(multinomial(this.weights, this.numSamples, { replacement: this.replacement, generator: this.generator }));
  }
}

/** The options of BatchSampler. */
export interface BatchSamplerOptions {
  /** Indices per batch. */
  batchSize?: number;
  /** Leave out the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
}

/**
 * Groups the indices of another sampler (any iterable of indices) into lists of batchSize, as
 * torch.utils.data.BatchSampler; pass it as DataLoader's batchSampler.
 * @example [...new tg.utils.data.BatchSampler(new tg.utils.data.SequentialSampler(range10), 3, false)] // [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
 */
export class BatchSampler<T = number> extends Sampler<T[]> {
  /** Where the indices come from. */
  readonly sampler: SamplerLike<T>;
  /** Indices per batch. */
  readonly batchSize: number;
  /** Whether a last, smaller batch is left out. */
  readonly dropLast: boolean;

  constructor(sampler: SamplerLike<T>, opts: BatchSamplerOptions);
  constructor(sampler: SamplerLike<T>, batchSize: number, dropLast?: boolean);
  constructor(sampler: SamplerLike<T>, ...args: unknown[]) {
    super();
    const o = positionalOrNamed<BatchSamplerOptions>('BatchSampler', args, { batchSize: 'any', dropLast: 'boolean' });
    if (typeof sampler !== 'object' || sampler === null || typeof (sampler as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw new TypeError('BatchSampler(): sampler must be an iterable of indices (a Sampler, an array...)');
    }
    checkCount('batchSize', o.batchSize);
    this.sampler = sampler;
    this.batchSize = o.batchSize as number;
    this.dropLast = o.dropLast ?? false;
  }

  /** Batches a pass gives: the sampler's length over batchSize, rounded down with dropLast, else up. */
  get length(): number {
    const n = this.sampler.length;
    if (!Number.isInteger(n)) throw new TypeError('BatchSampler: its sampler has no length');
    return this.dropLast ? Math.floor((n as number) / this.batchSize) : Math.ceil((n as number) / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<T[]> {
    const it = this.sampler[Symbol.iterator]();
    for (;;) {
      const batch: T[] = [];
      while (batch.length < this.batchSize) {
        const r = it.next();
        // with dropLast, PyTorch stops at the first exhausted draw (zip); without, it asks again (islice)
        if (r.done === true) {
          if (this.dropLast) return;
          break;
        }
        batch.push(r.value);
      }
      if (batch.length === 0) return;
      yield batch;
    }
  }
}

/** The sampler of an IterableDataset: null forever (each "index" only counts a sample). @internal */
export class InfiniteConstantSampler extends Sampler<null> {
  *[Symbol.iterator](): Iterator<null> {
    for (;;) yield null;
  }
}

