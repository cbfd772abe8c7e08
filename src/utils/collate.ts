/** defaultCollate: how a DataLoader makes one batch of a list of samples, as torch.utils.data.default_collate. */
import { typeName } from '../options';
import { isTensor } from '../storage';
import { tensor } from '../ops/creation';
import { stack } from '../ops/join';
import type { Tensor } from '../tensor';

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
