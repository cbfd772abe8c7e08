/**
 * Datasets, as torch.utils.data's: map-style (Dataset, TensorDataset, Subset, plain arrays) and
 * iterable-style (IterableDataset), and randomSplit.
 */
import { checkOptions } from '../options';
import { isTensor } from '../storage';
import { Generator, generatorKind, randperm } from '../ops/random';
import { ShapeError } from '../errors';
import type { Tensor } from '../tensor';

/**
 * A map-style dataset: `getItem(i)` for i in [0, length), as torch.utils.data.Dataset.
 *
 * For a DataLoader with `numWorkers > 0`, each worker thread builds its own copy: give the class
 * a static `workerModule` (the module that exports it) and, when its constructor takes
 * arguments, a `workerArgs()` method returning them.
 * @example
 * class Squares extends tg.utils.data.Dataset<number> {
 *   get length() { return 10; }
 *   getItem(i: number) { return i * i; }
 * }
 */
export abstract class Dataset<T> {
  /**
   * The module that exports this class, for worker threads to import it from: `__filename` in
   * CommonJS, `import.meta.url` in an ES module (an absolute path or a `file:` URL).
   */
  static workerModule?: string | URL;
  /** The name the class is exported under in `workerModule` (default: the class's name). */
  static workerExport?: string;
  /** How many samples it has. */
  abstract get length(): number;
  /** The sample at index, in [0, length). */
  abstract getItem(index: number): T;
  /**
   * The arguments a worker thread passes to this class's constructor to build its copy (default:
   * none). They may hold tensors, other datasets, and anything `structuredClone` copies.
   */
  workerArgs?(): readonly unknown[];
}

/**
 * An iterable-style dataset, as torch.utils.data.IterableDataset: its samples come from
 * `[Symbol.iterator]()`, one pass per epoch. A DataLoader batches them in order; with
 * `numWorkers > 0` every worker iterates a copy of its own, so the dataset should shard itself
 * by `getWorkerInfo()` (or each worker yields every sample). A `length`, when it has one, gives
 * `loader.length`. Worker threads build their copies as for a {@link Dataset}.
 * @example
 * class Range extends tg.utils.data.IterableDataset<number> {
 *   constructor(readonly start: number, readonly end: number) { super(); }
 *   *[Symbol.iterator]() {
 *     const info = tg.utils.data.getWorkerInfo();
 *     const [id, n] = info === null ? [0, 1] : [info.id, info.numWorkers];
 *     for (let i = this.start + id; i < this.end; i += n) yield i;
 *   }
 * }
 */
export abstract class IterableDataset<T> implements Iterable<T> {
  /** As {@link Dataset.workerModule}. */
  static workerModule?: string | URL;
  /** As {@link Dataset.workerExport}. */
  static workerExport?: string;
  /** One pass over the samples (a generator method is the usual way to write it). */
  abstract [Symbol.iterator](): Iterator<T>;
  /** As {@link Dataset.workerArgs}. */
  workerArgs?(): readonly unknown[];
}

/** What a DataLoader or Subset accepts: a Dataset, or a plain array of samples. */
export type DatasetLike<T> = Dataset<T> | readonly T[];

/**
 * Whether a DataLoader treats `dataset` as iterable-style: an IterableDataset, or (from another
 * copy of the library) anything iterable that is neither an array nor has getItem.
 */
export function isIterableDataset(dataset: unknown): dataset is IterableDataset<unknown> {
  if (dataset instanceof IterableDataset) return true;
  if (typeof dataset !== 'object' || dataset === null || Array.isArray(dataset)) return false;
  const d = dataset as { getItem?: unknown; [Symbol.iterator]?: unknown };
  return typeof d.getItem !== 'function' && typeof d[Symbol.iterator] === 'function';
}

export function sizeOf(dataset: DatasetLike<unknown>): number {
  const n = dataset.length;
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`dataset length must be a non-negative integer, but got ${String(n)}`);
  return n;
}

export function itemOf<T>(dataset: DatasetLike<T>, index: number): T {
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
  /** The tensors whose rows are the samples. */
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

  /** Its tensors: a worker thread gets copies of them. */
  override workerArgs(): readonly unknown[] {
    return this.tensors;
  }
}

/**
 * The samples of `dataset` at `indices`, in that order.
 * @example const firstHundred = new tg.utils.data.Subset(ds, [...Array(100).keys()]);
 */
export class Subset<T> extends Dataset<T> {
  /** The dataset the samples come from. */
  readonly dataset: DatasetLike<T>;
  /** The positions in it, in order. */
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

  /** The dataset (rebuilt in the worker as it says) and the indices. */
  override workerArgs(): readonly unknown[] {
    return [this.dataset, this.indices];
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
