/**
 * DistributedSampler: each rank's share of a dataset, as torch.utils.data.DistributedSampler
 * gives it (the same index lists for the same seed, epoch, rank and number of replicas).
 */
import { getRank, getWorldSize, isInitialized } from '../distributed/index';
import { checkOptions } from '../options';
import { Generator, randperm } from '../ops/random';
import type { DatasetLike } from './dataset';
import { Sampler } from './sampler';

/** The options of DistributedSampler (PyTorch's). */
export interface DistributedSamplerOptions {
  /** How many ranks share the dataset (default: the default group's world size). */
  numReplicas?: number;
  /** This rank (default: the default group's). */
  rank?: number;
  /** A new order every epoch, from seed + epoch (default true). */
  shuffle?: boolean;
  seed?: number;
  /** Leave out the tail that does not divide evenly, instead of repeating samples to fill it (default false). */
  dropLast?: boolean;
}

/**
 * The indices of rank's share: the dataset's (shuffled with a generator seeded with seed + epoch),
 * padded by repeating its start (or cut, with dropLast) to a multiple of numReplicas, then every
 * numReplicas-th from rank on. Pass it as DataLoader's sampler; call setEpoch(e) before each epoch.
 * @example new tg.utils.data.DataLoader(ds, { batchSize: 32, sampler: new tg.utils.data.DistributedSampler(ds) })
 */
export class DistributedSampler extends Sampler<number> {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** How many indices each rank gets. */
  readonly numSamples: number;
  readonly totalSize: number;
  private epoch = 0;

  constructor(private readonly dataset: DatasetLike<unknown>, opts?: DistributedSamplerOptions) {
    super();
    const o = checkOptions('DistributedSampler', opts, { numReplicas: 'number', rank: 'number', shuffle: 'boolean', seed: 'number', dropLast: 'boolean' });
    const fromGroup = (what: string) => {
      if (!isInitialized()) throw new Error(`DistributedSampler(): give { ${what} } or initialize the default process group first`);
    };
    if (o?.numReplicas === undefined) fromGroup('numReplicas');
    if (o?.rank === undefined) fromGroup('rank');
    this.numReplicas = o?.numReplicas ?? getWorldSize();
    this.rank = o?.rank ?? getRank();
    if (!Number.isInteger(this.numReplicas) || this.numReplicas < 1) throw new RangeError(`DistributedSampler(): numReplicas must be a positive integer, got ${this.numReplicas}`);
    if (!Number.isInteger(this.rank) || this.rank < 0 || this.rank >= this.numReplicas) {
      throw new RangeError(`Invalid rank ${this.rank}, rank should be in the interval [0, ${this.numReplicas - 1}]`);
    }
    this.shuffle = o?.shuffle ?? true;
    this.seed = o?.seed ?? 0;
    if (!Number.isInteger(this.seed)) throw new TypeError(`DistributedSampler(): seed must be an integer, got ${this.seed}`);
    this.dropLast = o?.dropLast ?? false;
    const n = this.size();
    this.numSamples = this.dropLast && n % this.numReplicas !== 0 ? Math.max(0, Math.ceil((n - this.numReplicas) / this.numReplicas)) : Math.ceil(n / this.numReplicas);
    this.totalSize = this.numSamples * this.numReplicas;
  }

  private size(): number {
    const d = this.dataset as { length: unknown };
    if (!Number.isInteger(d.length) || (d.length as number) < 0) throw new TypeError('DistributedSampler(): the dataset needs a length');
    return d.length as number;
  }

  get length(): number {
    return this.numSamples;
  }

  /** The epoch whose order the next pass gives (it seeds the shuffle): call before each epoch. */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch)) throw new TypeError(`setEpoch(): epoch must be an integer, got ${epoch}`);
    this.epoch = epoch;
  }

  [Symbol.iterator](): Iterator<number> {
    const n = this.size();
    let indices: number[];
    if (this.shuffle) {
      const g = new Generator().manualSeed(this.seed + this.epoch);
      indices = Array.from(randperm(n, { generator: g }).toTypedArray() as BigInt64Array, Number);
    } else {
      indices = Array.from({ length: n }, (_, i) => i);
    }
    if (!this.dropLast) {
      const padding = this.totalSize - indices.length;
      if (padding <= indices.length) indices = indices.concat(indices.slice(0, padding));
      else indices = indices.concat(Array.from({ length: Math.ceil(padding / indices.length) }, () => indices).flat().slice(0, padding));
    } else {
      indices = indices.slice(0, this.totalSize);
    }
    return indices.filter((_, i) => i % this.numReplicas === this.rank)[Symbol.iterator]();
  }
}
