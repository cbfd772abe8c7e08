/**
 * How a DataLoader turns what its sampler gives (an index, a list of indices, or for an iterable
 * dataset a count) into a batch, as PyTorch's _MapDatasetFetcher and _IterableDatasetFetcher: in
 * the calling thread with numWorkers 0, in each worker thread otherwise.
 */
import { tensor } from '../ops/creation';
import type { Tensor } from '../tensor';
import { defaultCollate } from './collate';
import { itemOf, Subset, TensorDataset, sizeOf, type DatasetLike } from './dataset';

/** What fetch() returns when an iterable dataset has no more batches to give. */
export const END: unique symbol = Symbol('end of the dataset');

export interface FetchOptions {
  /** Whether each index is a list of indices to collate (false: batchSize null, one sample each). */
  autoCollation: boolean;
  /** Makes the batch of a list of samples (or converts one sample); null leaves them as they are. */
  collate: ((data: never) => unknown) | null;
  dropLast: boolean;
}

export interface Fetcher {
  fetch(index: unknown): unknown;
  /** The index being loaded when fetch() last threw: a number, null for an iterable dataset's sample, undefined while collating. */
  readonly index: number | null | undefined;
}

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

class MapFetcher implements Fetcher {
  index: number | null | undefined = undefined;
  /** Default collation of a TensorDataset's rows: one indexSelect per tensor instead of a stack of rows. */
  private readonly fast: ReturnType<typeof tensorRows>;

  constructor(private readonly dataset: DatasetLike<unknown>, private readonly opts: FetchOptions) {
    this.fast = opts.autoCollation && opts.collate === defaultCollate ? tensorRows(dataset) : null;
  }

  fetch(index: unknown): unknown {
    const collate = this.opts.collate as ((data: unknown) => unknown) | null;
    if (!this.opts.autoCollation) {
      const sample = this.item(index as number);
      this.index = undefined;
      return collate === null ? sample : collate(sample);
    }
    const indices = index as readonly number[];
    if (this.fast !== null) {
      for (const i of indices) this.check(i);
      const rows = tensor(indices.map(this.fast.rows), { dtype: 'int64' });
      return this.fast.tensors.map((t) => t.indexSelect(0, rows));
    }
    const samples = indices.map((i) => this.item(i));
    this.index = undefined;
    return collate === null ? samples : collate(samples);
  }

  private check(i: number): void {
    this.index = i;
    const n = sizeOf(this.dataset);
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`DataLoader: the sampler gave index ${String(i)}, outside the dataset's ${n} samples`);
  }

  private item(i: number): unknown {
    this.check(i);
    return itemOf(this.dataset, i);
  }
}

class IterableFetcher implements Fetcher {
  index: number | null | undefined = undefined;
  private readonly it: Iterator<unknown>;
  private ended = false;

  constructor(dataset: Iterable<unknown>, private readonly opts: FetchOptions) {
    this.it = dataset[Symbol.iterator]();
  }

  fetch(index: unknown): unknown {
    if (this.ended) return END;
    const collate = this.opts.collate as ((data: unknown) => unknown) | null;
    if (!this.opts.autoCollation) {
      this.index = null;
      const r = this.it.next();
      this.index = undefined;
      if (r.done === true) return END;
      return collate === null ? r.value : collate(r.value);
    }
    const wanted = (index as readonly unknown[]).length;
    const data: unknown[] = [];
    this.index = null;
    while (data.length < wanted) {
      const r = this.it.next();
      if (r.done === true) {
        this.ended = true;
        break;
      }
      data.push(r.value);
    }
    this.index = undefined;
    if (data.length === 0 || (this.opts.dropLast && data.length < wanted)) return END;
    return collate === null ? data : collate(data);
  }
}

/** The fetcher of a dataset; for an iterable one this starts its iteration (as PyTorch, when the loader's iterator is made). */
export function makeFetcher(dataset: DatasetLike<unknown> | Iterable<unknown>, iterable: boolean, opts: FetchOptions): Fetcher {
  return iterable ? new IterableFetcher(dataset as Iterable<unknown>, opts) : new MapFetcher(dataset as DatasetLike<unknown>, opts);
}
