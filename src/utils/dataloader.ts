/**
 * DataLoader: a dataset in batches, as torch.utils.data.DataLoader, with its options, its errors
 * and its random draws: the same samplers, and the same base seed drawn when an epoch's iterator
 * is made, so that a seeded script visits the same samples and leaves the generator where PyTorch
 * leaves it. Loading runs in the calling thread (numWorkers 0) or in worker threads.
 */
import { checkOptions, describeValue, kinds } from '../options';
import { Generator, generatorKind, randint } from '../ops/random';
import { defaultCollate, type Collated } from './collate';
import { isIterableDataset, type DatasetLike, type IterableDataset } from './dataset';
import { END, makeFetcher } from './fetch';
import { BatchSampler, InfiniteConstantSampler, RandomSampler, SequentialSampler, type SamplerLike } from './sampler';
import { datasetForWorkers, decode, moduleHref, type WorkerFunction } from './transfer';
import { WorkerIterator } from './worker_iter';

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null yields samples one by one, uncollated. */
  batchSize?: number | null;
  /** Reshuffle the order at every epoch (default false): a RandomSampler over the dataset. */
  shuffle?: boolean;
  /** Where the indices come from instead of 0..n-1 or shuffle: any iterable of indices (a Sampler, DistributedSampler, an array). */
  sampler?: SamplerLike<number>;
  /** Where whole lists of indices come from (a BatchSampler...); excludes batchSize, shuffle, sampler and dropLast. */
  batchSampler?: SamplerLike<readonly number[]>;
  /**
   * Worker threads loading batches (default 0: the calling thread). With workers the loader is
   * iterated with `for await`, and each worker builds its own copy of the dataset (see
   * {@link Dataset.workerModule}).
   */
  numWorkers?: number;
  /**
   * Makes a batch from a list of samples (default: defaultCollate); with batchSize null it gets
   * each sample alone. With workers it runs in the calling thread, on the samples they send.
   */
  collateFn?: (samples: T[]) => B;
  /** Accepted as PyTorch takes it; has no effect (there is no accelerator: batches already live in host memory). */
  pinMemory?: boolean;
  /** Drop the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seconds to wait for a batch from the workers before it is an error (default 0: no limit). */
  timeout?: number;
  /** A function each worker calls with its id once its dataset is built: the module exporting it and the export's name. */
  workerInitFn?: WorkerFunction;
  /** The generator shuffling draws from, and the base seed of the workers (default: the global one, as PyTorch). */
  generator?: Generator;
  /** Batches each worker works on ahead of time (default 2 with workers): at most numWorkers * prefetchFactor in flight. */
  prefetchFactor?: number;
  /** Keep the workers between epochs instead of starting new ones each epoch (default false). */
  persistentWorkers?: boolean;
}

const ITERABLE = { test: (v: unknown) => typeof v === 'object' && v !== null && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function', what: 'an iterable' };
const WORKER_FUNCTION = {
  test: (v: unknown) => typeof v === 'object' && v !== null && typeof (v as WorkerFunction).export === 'string',
  what: 'a { module, export } naming a function a worker thread imports',
};

/** torch.empty((), dtype=torch.int64).random_(generator=loader.generator): what each epoch's iterator draws first. */
function drawBaseSeed(generator: Generator | undefined): bigint {
  return (randint(0, 2 ** 63, [], { generator }).toTypedArray() as BigInt64Array)[0];
}

/**
 * Iterates over a dataset in batches, as torch.utils.data.DataLoader. Samplers and shuffling draw
 * from the generator what PyTorch's draw, so a seeded run visits samples in PyTorch's order.
 * With `numWorkers: 0` (the default) it is iterated with `for...of` (or `for await`); with
 * `numWorkers > 0` batches are loaded in worker threads and it is iterated with `for await`,
 * giving the same batches in the same order.
 * @example
 * const loader = new tg.utils.data.DataLoader(new tg.utils.data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 * const files = new tg.utils.data.DataLoader(new ImageFiles(paths), { batchSize: 32, numWorkers: 4 });
 * for await (const [xb, yb] of files) { ... }
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
  /** Worker threads loading batches; 0: the calling thread. */
  readonly numWorkers: number;
  /** null without workers. */
  readonly prefetchFactor: number | null;
  /** Whether workers are kept between epochs. */
  readonly persistentWorkers: boolean;
  /** Seconds to wait for a batch from the workers; 0: no limit. */
  readonly timeout: number;
  /** The function each worker calls with its id, if given. */
  readonly workerInitFn: WorkerFunction | undefined;
  /** As given; it has no effect. */
  readonly pinMemory: boolean;
  private readonly iterable: boolean;
  private persistentIter: WorkerIterator<B> | null = null;

  constructor(dataset: DatasetLike<T> | IterableDataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    checkOptions('DataLoader', opts, {
      batchSize: kinds.numberOrNull, shuffle: 'boolean', sampler: ITERABLE, batchSampler: ITERABLE, numWorkers: 'number',
      collateFn: 'function', pinMemory: 'boolean', dropLast: 'boolean', timeout: 'number', workerInitFn: WORKER_FUNCTION,
      generator: generatorKind, prefetchFactor: 'number', persistentWorkers: 'boolean',
    });
    const { numWorkers = 0, timeout = 0, persistentWorkers = false, generator, sampler, batchSampler } = opts;
    if (!Number.isInteger(numWorkers) || numWorkers < 0) {
      throw new RangeError(`numWorkers option should be a non-negative integer (use numWorkers: 0 to load in the calling thread), but got ${numWorkers}`);
    }
    if (!(timeout >= 0)) throw new RangeError('timeout option should be non-negative');
    if (numWorkers === 0 && opts.prefetchFactor !== undefined) {
      throw new TypeError('the prefetchFactor option can only be given with worker threads: set numWorkers > 0, or leave prefetchFactor out');
    }
    const prefetchFactor = numWorkers > 0 ? (opts.prefetchFactor ?? 2) : null;
    if (prefetchFactor !== null && (!Number.isInteger(prefetchFactor) || prefetchFactor <= 0)) {
      throw new RangeError(`prefetchFactor option should be a positive integer, but got ${prefetchFactor}`);
    }
    if (persistentWorkers && numWorkers === 0) throw new TypeError('the persistentWorkers option needs numWorkers > 0');
    if (timeout > 0 && numWorkers === 0) throw new TypeError('the timeout option needs numWorkers > 0 (it bounds the wait for a worker)');
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
    this.numWorkers = numWorkers;
    this.prefetchFactor = prefetchFactor;
    this.persistentWorkers = persistentWorkers;
    this.timeout = timeout;
    this.workerInitFn = opts.workerInitFn;
    this.pinMemory = opts.pinMemory === true;
    if (numWorkers > 0) {
      datasetForWorkers(dataset); // says now, not at the first epoch, when the dataset cannot go to workers
      if (opts.workerInitFn !== undefined) moduleHref(opts.workerInitFn.module, 'workerInitFn.module');
    }
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

  /**
   * One epoch in the calling thread. With numWorkers > 0 this is a TypeError: use `for await`.
   */
  [Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0) {
      throw new TypeError('DataLoader: with numWorkers > 0 batches come from worker threads; iterate with for await (const batch of loader)');
    }
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

  /**
   * One epoch, in worker threads when numWorkers > 0 (persistent workers are reused from the
   * last epoch); a `break` out of `for await` stops the workers.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<B> {
    if (this.numWorkers === 0) {
      const it = this[Symbol.iterator]();
      return {
        next: async () => it.next(),
        return: async () => (it.return?.(), { done: true, value: undefined }),
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    }
    if (this.persistentIter?.alive === true) {
      this.persistentIter.reset();
      return this.persistentIter;
    }
    const it = this.workerIterator();
    if (this.persistentWorkers) this.persistentIter = it;
    return it;
  }

  /**
   * Stops the worker threads that persistentWorkers keeps between epochs. Optional: idle workers
   * never keep the process alive, and they stop when it exits.
   */
  async shutdownWorkers(): Promise<void> {
    const it = this.persistentIter;
    this.persistentIter = null;
    await it?.close();
  }

  private workerIterator(): WorkerIterator<B> {
    this.indexSampler[Symbol.iterator](); // as PyTorch's iterator, once before the base seed and once per epoch
    const baseSeed = drawBaseSeed(this.generator);
    const autoCollation = this.batchSampler !== null;
    const collateFn = this.collateFn as ((data: unknown) => B) | undefined;
    const init = this.workerInitFn;
    return new WorkerIterator<B>({
      numWorkers: this.numWorkers,
      prefetchFactor: this.prefetchFactor as number,
      persistent: this.persistentWorkers,
      timeout: this.timeout,
      indexSampler: this.indexSampler,
      setup: {
        numWorkers: this.numWorkers, baseSeed, dataset: datasetForWorkers(this.dataset), autoCollation,
        collateHere: collateFn === undefined, dropLast: this.dropLast,
        initFn: init === undefined ? null : { module: moduleHref(init.module, 'workerInitFn.module'), export: init.export },
      },
      finish: collateFn === undefined ? decode : (value) => collateFn(decode(value)),
    });
  }
}
