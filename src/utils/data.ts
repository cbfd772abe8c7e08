/**
 * tg.utils.data: datasets and minibatches, as torch.utils.data. A Dataset is anything with a
 * `length` and `getItem(i)` (an array serves too); a DataLoader walks it in batches, shuffled with
 * the same random draws PyTorch's DataLoader makes, so that a seeded script sees the same batches.
 * @module
 */
import { checkOptions, kinds, typeName } from '../options';
import { isTensor } from '../storage';
import { tensor } from '../ops/creation';
import { stack } from '../ops/join';
import { Generator, generatorKind, randint, randperm } from '../ops/random';
import { ShapeError } from '../errors';
import type { Tensor } from '../tensor';

/**
 * A map-style dataset: `getItem(i)` for i in [0, length).
 * @example
 * class Squares extends tg.utils.data.Dataset<number> {
 *   get length() { return 10; }
 *   getItem(i: number) { return i * i; }
 * }
 */
export abstract class Dataset<T> {
  abstract get length(): number;
  abstract getItem(index: number): T;
}

/** What a DataLoader or Subset accepts: a Dataset, or a plain array of samples. */
export type DatasetLike<T> = Dataset<T> | readonly T[];

function sizeOf(dataset: DatasetLike<unknown>): number {
  const n = dataset.length;
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`dataset length must be a non-negative integer, but got ${String(n)}`);
  return n;
}

function itemOf<T>(dataset: DatasetLike<T>, index: number): T {
  return Array.isArray(dataset) ? (dataset as readonly T[])[index] : (dataset as Dataset<T>).getItem(index);
}

function checkIndex(index: number, length: number): number {
  if (!Number.isInteger(index)) throw new TypeError(`dataset index must be an integer, but got ${String(index)}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new RangeError(`index ${index} is out of range for a dataset of length ${length}`);
  return i;
}

/**
 * Samples are the i-th rows of the given tensors, which share their first dimension.
 * @example const ds = new tg.utils.data.TensorDataset(images, labels); const [x, y] = ds.getItem(0);
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new TypeError('TensorDataset needs at least one tensor');
    for (const t of tensors) {
      if (!isTensor(t)) throw new TypeError('TensorDataset expects Tensors');
      if (t.dim() === 0) throw new ShapeError('TensorDataset: tensors must have a first dimension to index, got a 0-d tensor');
    }
    if (tensors.some((t) => t.shape[0] !== tensors[0].shape[0])) {
      throw new ShapeError(`Size mismatch between tensors: first dimensions are ${tensors.map((t) => t.shape[0]).join(', ')}`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex(index, this.length);
    return this.tensors.map((t) => t.select(0, i));
  }
}

/**
 * The samples of `dataset` at `indices`, in that order.
 * @example const firstHundred = new tg.utils.data.Subset(ds, [...Array(100).keys()]);
 */
export class Subset<T> extends Dataset<T> {
  readonly dataset: DatasetLike<T>;
  readonly indices: readonly number[];

  constructor(dataset: DatasetLike<T>, indices: readonly number[]) {
    super();
    const n = sizeOf(dataset);
    this.indices = Array.from(indices, (i) => checkIndex(i, n));
    this.dataset = dataset;
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return itemOf(this.dataset, this.indices[checkIndex(index, this.indices.length)]);
  }
}

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths (counts summing to the
 * dataset's length, or fractions summing to 1), drawing one randperm as torch.utils.data.random_split.
 * @example const [train, test] = tg.utils.data.randomSplit(ds, [0.8, 0.2], { generator: new tg.Generator().manualSeed(42) });
 */
export function randomSplit<T>(
  dataset: DatasetLike<T>,
  lengths: readonly number[],
  opts: { generator?: Generator } = {},
): Subset<T>[] {
  checkOptions('randomSplit', opts, { generator: generatorKind });
  const n = sizeOf(dataset);
  let counts = [...lengths];
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.length > 0 && Math.abs(total - 1) <= 1e-9 && total <= 1) {
    counts = counts.map((frac, i) => {
      if (!(frac >= 0 && frac <= 1)) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
  }
  for (const c of counts) {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`randomSplit: lengths must be non-negative integers or fractions summing to 1, got ${lengths.join(', ')}`);
  }
  if (counts.reduce((a, b) => a + b, 0) !== n) {
    throw new RangeError('Sum of input lengths does not equal the length of the input dataset!');
  }
  const perm = Array.from(randperm(n, { generator: opts.generator }).toTypedArray() as BigInt64Array, Number);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.slice(offset, offset + c)));
    offset += c;
  }
  return out;
}

/** What the default collate makes of a batch of samples of type T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | bigint | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : never;

/** A sample's kind: its type's name, one for every tensor (a Parameter among Tensors too). */
function kindOf(x: unknown): string {
  return isTensor(x) ? 'Tensor' : typeName(x);
}

/**
 * Stacks a list of samples into a batch, as torch.utils.data.default_collate: tensors are stacked
 * along a new first dim; numbers become a tensor (int64 when all are integers, else float64);
 * booleans a bool tensor; arrays and plain objects are collated field by field; strings stay a list.
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  const first = batch[0] as unknown;
  const kind = kindOf(first);
  if (batch.some((s) => kindOf(s) !== kind)) {
    throw new TypeError(`defaultCollate: samples in a batch must be of one kind, found ${[...new Set(batch.map(kindOf))].join(' and ')}`);
  }
  const samples = batch as readonly unknown[];
  if (isTensor(first)) return stack(samples as Tensor[]) as Collated<T>;
  if (typeof first === 'number') {
    const nums = samples as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? 'int64' : 'float64' }) as Collated<T>;
  }
  if (typeof first === 'bigint') return tensor(Array.from(samples as bigint[], Number), { dtype: 'int64' }) as Collated<T>;
  if (typeof first === 'boolean') return tensor(samples as boolean[], { dtype: 'bool' }) as Collated<T>;
  if (typeof first === 'string') return [...(samples as string[])] as Collated<T>;
  if (Array.isArray(first)) {
    const width = first.length;
    if (samples.some((s) => (s as unknown[]).length !== width)) {
      throw new RangeError('each element in the array of a batch should be of equal size');
    }
    return Array.from({ length: width }, (_, k) => defaultCollate(samples.map((s) => (s as unknown[])[k]))) as Collated<T>;
  }
  if (kind === 'Object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first as object)) {
      const value = defaultCollate(samples.map((s) => (s as Record<string, unknown>)[key]));
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true }); // a key '__proto__' stays a key
    }
    return out as Collated<T>;
  }
  throw new TypeError(`defaultCollate: batch must contain tensors, numbers, booleans, strings, arrays or plain objects; found ${kind}`);
}

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null yields samples one by one, uncollated. */
  batchSize?: number | null;
  /** Reshuffle the order at every epoch (default false). */
  shuffle?: boolean;
  /** The generator shuffling draws from (default: the global one, as PyTorch). */
  generator?: Generator;
  /** Drop the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Makes a batch from a list of samples (default: defaultCollate). */
  collateFn?: (samples: T[]) => B;
  /** Where the indices come from instead of 0..n-1 or shuffle: an iterable of indices with a length, as DistributedSampler. */
  sampler?: Sampler;
}

/** What DataLoader's sampler option takes: the indices of an epoch, and how many there are (torch.utils.data.Sampler). */
export interface Sampler extends Iterable<number> {
  readonly length: number;
}

const SAMPLER = { test: (v: unknown) => typeof v === 'object' && v !== null && typeof (v as Sampler)[Symbol.iterator] === 'function' && Number.isInteger((v as Sampler).length), what: 'a sampler (an iterable of indices with a length)' };

/** A TensorDataset reached through Subsets: its tensors and, per position, the row to take. */
function tensorRows(dataset: DatasetLike<unknown>): { tensors: readonly Tensor[]; rows: (i: number) => number } | null {
  if (dataset instanceof TensorDataset) return { tensors: dataset.tensors, rows: (i) => i };
  if (dataset instanceof Subset) {
    const inner = tensorRows(dataset.dataset);
    if (inner === null) return null;
    const { indices } = dataset;
    return { tensors: inner.tensors, rows: (i) => inner.rows(indices[i]) };
  }
  return null;
}

/**
 * Iterates over a dataset in batches, as torch.utils.data.DataLoader (in this thread; there are no
 * worker processes). With shuffle, each epoch draws the same numbers from the generator as PyTorch's
 * DataLoader does, so a seeded run visits samples in PyTorch's order.
 * @example
 * const loader = new tg.utils.data.DataLoader(new tg.utils.data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: DatasetLike<T>;
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;
  readonly collateFn: ((samples: T[]) => B) | undefined;
  readonly sampler: Sampler | undefined;

  constructor(dataset: DatasetLike<T>, opts: DataLoaderOptions<T, B> = {}) {
    checkOptions('DataLoader', opts, {
      batchSize: kinds.numberOrNull, shuffle: 'boolean', dropLast: 'boolean', collateFn: 'function',
      generator: generatorKind, sampler: SAMPLER,
    });
    if (opts.sampler !== undefined && opts.shuffle === true) throw new TypeError('DataLoader(): the sampler option is mutually exclusive with shuffle');
    const n = sizeOf(dataset);
    const { batchSize = 1, shuffle = false, dropLast = false, generator, collateFn } = opts;
    if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize <= 0)) {
      throw new RangeError(`batchSize should be a positive integer value, but got batchSize: ${String(batchSize)}`);
    }
    if (batchSize === null && dropLast) {
      throw new RangeError('the { batchSize: null } option disables auto-batching and is mutually exclusive with { dropLast: true }');
    }
    if (generator !== undefined && !(generator instanceof Generator)) throw new TypeError('generator must be a tg.Generator');
    if (collateFn !== undefined && typeof collateFn !== 'function') throw new TypeError('collateFn must be a function');
    if (shuffle && n === 0) {
      throw new RangeError('shuffle needs at least one sample: the number of samples should be a positive integer value, but the dataset has 0');
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = Boolean(shuffle);
    this.dropLast = Boolean(dropLast);
    this.generator = generator;
    this.collateFn = collateFn;
    this.sampler = opts.sampler;
  }

  /** Batches per epoch, as len(loader). */
  get length(): number {
    const n = this.sampler?.length ?? sizeOf(this.dataset);
    if (this.batchSize === null) return n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  [Symbol.iterator](): Iterator<B> {
    // Like PyTorch's iterator, first draw a base seed (for worker processes) from the loader's generator.
    randint(0, 2 ** 63, [], { generator: this.generator });
    return this.batches();
  }

  private *batches(): IterableIterator<B> {
    const n = this.sampler?.length ?? sizeOf(this.dataset);
    const size = this.batchSize ?? 1;
    const fast = this.batchSize !== null && this.collateFn === undefined ? tensorRows(this.dataset) : null;
    const order = this.order();
    let positions: number[] = [];
    for (let i = 0; i < n; i++) {
      positions.push(order.next());
      if (positions.length === size) {
        yield this.fetch(positions, fast);
        positions = [];
      }
    }
    order.finish();
    if (positions.length > 0 && !this.dropLast) yield this.fetch(positions, fast);
  }

  /** The sampler: sequential, or PyTorch's RandomSampler (a randperm per pass, one more when exhausted). */
  private order(): { next(): number; finish(): void } {
    const n = sizeOf(this.dataset);
    if (this.sampler !== undefined) {
      const it = this.sampler[Symbol.iterator]();
      return {
        next: () => {
          const r = it.next();
          if (r.done === true) throw new RangeError('DataLoader: the sampler gave fewer indices than its length');
          if (!Number.isInteger(r.value) || r.value < 0 || r.value >= n) throw new RangeError(`DataLoader: the sampler gave index ${String(r.value)}, outside the dataset's ${n} samples`);
          return r.value;
        },
        finish: () => {},
      };
    }
    if (!this.shuffle) {
      let i = 0;
      return { next: () => i++, finish: () => {} };
    }
    let generator = this.generator;
    if (generator === undefined) {
      const seed = (randint(0, 2 ** 63, [], { dtype: 'int64' }).toTypedArray() as BigInt64Array)[0];
      generator = new Generator().manualSeed(seed);
    }
    const g = generator;
    let perm: BigInt64Array | null = null;
    let i = 0;
    return {
      next: () => {
        perm ??= randperm(n, { generator: g }).toTypedArray() as BigInt64Array;
        return Number(perm[i++]);
      },
      // RandomSampler yields from randperm(n)[:0] after the full pass: one more draw, then StopIteration.
      finish: () => void randperm(n, { generator: g }),
    };
  }

  private fetch(positions: number[], fast: ReturnType<typeof tensorRows>): B {
    if (this.batchSize === null) return itemOf(this.dataset, positions[0]) as unknown as B;
    if (fast !== null) {
      const rows = tensor(positions.map(fast.rows), { dtype: 'int64' });
      return fast.tensors.map((t) => t.indexSelect(0, rows)) as unknown as B;
    }
    const samples = positions.map((p) => itemOf(this.dataset, p));
    return this.collateFn ? this.collateFn(samples) : (defaultCollate(samples) as unknown as B);
  }
}

export { DistributedSampler } from './distributed';
export type { DistributedSamplerOptions } from './distributed';
