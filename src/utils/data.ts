/**
 * tg.utils.data: datasets, samplers and minibatches, as torch.utils.data. A Dataset is anything
 * with a `length` and `getItem(i)` (an array serves too), an IterableDataset anything iterable; a
 * DataLoader walks either in batches, in the calling thread or in worker threads. Samplers and
 * shuffling make the same random draws as PyTorch's, so that a seeded script sees the same batches.
 * @module
 */
export { Dataset, IterableDataset, TensorDataset, Subset, randomSplit } from './dataset';
export type { DatasetLike } from './dataset';
export { defaultCollate } from './collate';
export type { Collated } from './collate';
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from './sampler';
export type { SamplerLike, Sized, RandomSamplerOptions, WeightedRandomSamplerOptions, BatchSamplerOptions } from './sampler';
export { DataLoader } from './dataloader';
export type { DataLoaderOptions } from './dataloader';
export { getWorkerInfo } from './transfer';
export type { WorkerInfo, WorkerFunction } from './transfer';
export { DistributedSampler } from './distributed';
export type { DistributedSamplerOptions } from './distributed';
