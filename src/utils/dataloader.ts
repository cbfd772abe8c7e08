/**
 * DataLoader: a dataset in batches, as torch.utils.data.DataLoader, with its options, its errors
 * and its random draws: the same samplers, and the same base seed drawn when an epoch's iterator
 * is made, so that a seeded script visits the same samples and leaves the generator where PyTorch
 * leaves it.
 */
import { checkOptions, describeValue, kinds } from '../options';
import { Generator, generatorKind, randint } from '../ops/random';
import { defaultCollate, type Collated } from './collate';
import { isIterableDataset, type DatasetLike, type IterableDataset } from './dataset';
import { END, makeFetcher } from './fetch';
import { BatchSampler, InfiniteConstantSampler, RandomSampler, SequentialSampler, type SamplerLike } from './sampler';

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null yields samples one by one, uncollated. */
  batchSize?: number | null;
  /** Reshuffle the order at every epoch (default false): a RandomSampler over the dataset. */
  shuffle?: boolean;
  /** Where the indices come from instead of 0..n-1 or shuffle: any iterable of indices (a Sampler, DistributedSampler, an array). */
  sampler?: SamplerLike<number>;
  /** Where whole lists of indices come from (a BatchSampler...); excludes batchSize, shuffle, sampler and dropLast. */
  batchSampler?: SamplerLike<readonly number[]>;
  /** Makes a batch from a list of samples (default: defaultCollate); with batchSize null it gets each sample alone. */
  collateFn?: (samples: T[]) => B;
  /** Drop the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator shuffling draws from (default: the global one, as PyTorch). */
  generator?: Generator;
}

const ITERABLE = { test: (v: unknown) => typeof v === 'object' && v !== null && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function', what: 'an iterable' };

/**
 * torch.empty((), dtype=torch.int64).random_(generator=loader.generator): what each epoch's
 * iterator draws first (the base seed of PyTorch's worker processes).
 */
function drawBaseSeed(generator: Generator | undefined): void {
  randint(0, 2 ** 63, [], { generator });
}

/**
 * Iterates over a dataset in batches, as torch.utils.data.DataLoader. Samplers and shuffling draw
 * from the generator what PyTorch's draw, so a seeded run visits samples in PyTorch's order.
 * Loading happens in the calling thread; the loader is iterated with `for...of` (or `for await`).
 * @example
 * const loader = new tg.utils.data.DataLoader(new tg.utils.data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  /** The dataset batches are made of. */
  readonly dataset: DatasetLike<T> | IterableDataset<T>;
  /** null with a batchSampler, or when batching is off. */
  readonly batchSize: number | null;
  /** Whether it shuffles (through a RandomSampler). */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is left out (false with a batchSampler). */
  readonly dropLast: boolean;
  /** The generator given, if any. */
  readonly generator: Generator | undefined;
  /** The collateFn given, if any. */
  readonly collateFn: ((samples: T[]) => B) | undefined;
  /** The sampler of indices: the one given, or the SequentialSampler or RandomSampler the options call for. */
  readonly sampler: SamplerLike<number | null>;
  /** The sampler of index lists: the one given, a BatchSampler over sampler, or null when batchSize is null. */
  readonly batchSampler: SamplerLike<readonly (number | null)[]> | null;
  private readonly iterable: boolean;

  constructor(dataset: DatasetLike<T> | IterableDataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    checkOptions('DataLoader', opts, {
      batchSize: kinds.numberOrNull, shuffle: 'boolean', sampler: ITERABLE, batchSampler: ITERABLE,
      collateFn: 'function', dropLast: 'boolean', generator: generatorKind,
    });
    const { generator, sampler, batchSampler } = opts;
    this.iterable = isIterableDataset(dataset);
    if (this.iterable) {
      const refuse = (what: string, v: unknown) => new TypeError(`DataLoader with IterableDataset: expected unspecified ${what} option, but got ${what}=${describeValue(v)}`);
      if (opts.shuffle === true) throw refuse('shuffle', true);
      if (sampler !== undefined) throw refuse('sampler', sampler);
      if (batchSampler !== undefined) throw refuse('batchSampler', batchSampler);
    }
    const shuffle = opts.shuffle === true;
    if (sampler !== undefined && shuffle) throw new TypeError('DataLoader(): the sampler option is mutually exclusive with shuffle');
    let batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    let dropLast = opts.dropLast === true;
    if (batchSampler !== undefined) {
      if (batchSize !== 1 || shuffle || sampler !== undefined || dropLast) {
        throw new TypeError('DataLoader(): the batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast');
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new TypeError('the { batchSize: null } option disables auto-batching and is mutually exclusive with { dropLast: true }');
    }
    this.dataset = dataset;
    this.sampler = sampler ?? (this.iterable ? new InfiniteConstantSampler() : shuffle ? new RandomSampler(dataset as DatasetLike<T>, { generator }) : new SequentialSampler(dataset as DatasetLike<T>));
    this.batchSampler = batchSampler ?? (batchSize === null ? null : new BatchSampler(this.sampler, batchSize, dropLast));
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator;
    this.collateFn = opts.collateFn;
  }

  /** Batches per epoch, as len(loader): from the batch sampler's length (an IterableDataset's own length, when it has one). */
  get length(): number {
    if (this.iterable) {
      const n = (this.dataset as { length?: unknown }).length;
      if (!Number.isInteger(n)) throw new TypeError('DataLoader: its IterableDataset has no length');
      if (this.batchSize === null) return n as number;
      return this.dropLast ? Math.floor((n as number) / this.batchSize) : Math.ceil((n as number) / this.batchSize);
    }
    const n = this.indexSampler.length;
    if (!Number.isInteger(n)) throw new TypeError(`DataLoader: its ${this.batchSampler === null ? 'sampler' : 'batchSampler'} has no length`);
    return n as number;
  }

  /** What each step of an epoch draws from: the batch sampler, or the sampler when batching is off. */
  private get indexSampler(): SamplerLike<unknown> {
    return this.batchSampler ?? this.sampler;
  }

  /** One epoch. */
  [Symbol.iterator](): Iterator<B> {
    // PyTorch's order: iter(index sampler), the base seed, then the fetcher (which starts an iterable dataset)
    const indices = this.indexSampler[Symbol.iterator]();
    drawBaseSeed(this.generator);
    const fetcher = makeFetcher(this.dataset, this.iterable, {
      autoCollation: this.batchSampler !== null,
      collate: (this.collateFn ?? (this.batchSampler !== null ? defaultCollate : null)) as (data: never) => unknown,
      dropLast: this.dropLast,
    });
    return (function* batches(): IterableIterator<B> {
      for (;;) {
        const r = indices.next();
        if (r.done === true) return;
        const batch = fetcher.fetch(r.value);
        if (batch === END) return;
        yield batch as B;
      }
    })();
  }

  /** One epoch, for `for await`: the same batches as `for...of`. */
  [Symbol.asyncIterator](): AsyncIterableIterator<B> {
    const it = this[Symbol.iterator]();
    return {
      next: async () => it.next(),
      return: async () => (it.return?.(), { done: true, value: undefined }),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
