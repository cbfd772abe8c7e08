/**
 * Results made of several named tensors, as PyTorch's named tuples (torch.return_types): read by
 * name, `x.max(1).values`, or destructured in order, `const [values, indices] = x.max(1)`.
 */
import type { Tensor } from '../tensor';

/** Named tensors that are also iterable in their order, as a PyTorch named tuple. */
export type NamedTensors<T extends Record<string, Tensor>> = T & Iterable<Tensor>;

/** `{ values, indices }` (max(dim), min(dim), cummax, cummin), also `const [values, indices] = ...`. */
export type ValuesIndices = NamedTensors<{ values: Tensor; indices: Tensor }>;

/** `{ min, max }` (aminmax), also `const [min, max] = ...`. */
export type MinMax = NamedTensors<{ min: Tensor; max: Tensor }>;

function* inOrder(this: Record<string, Tensor>): Generator<Tensor> {
  for (const key of Object.keys(this)) yield this[key];
}

/**
 * fields, made iterable over its values in key order (or over the keys `order` lists, for results
 * whose PyTorch tuple holds only what was asked for). The iterator is not enumerable, so the
 * result still prints, compares (toEqual) and serialises as the plain object.
 */
export function namedTensors<T extends Record<string, Tensor>>(fields: T, order?: readonly (keyof T & string)[]): NamedTensors<T> {
  const value = order === undefined ? inOrder : function* listed(this: T): Generator<Tensor> {
    for (const key of order) yield this[key];
  };
  Object.defineProperty(fields, Symbol.iterator, { value, enumerable: false, writable: true, configurable: true });
  return fields as NamedTensors<T>;
}
