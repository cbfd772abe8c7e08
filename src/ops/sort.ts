/**
 * Sorting and selection along a dim (native/kernels/sort.h): sort, argsort, msort, topk,
 * kthvalue, median, nanmedian and mode. NaN orders above every number, as in PyTorch.
 */
import { noGrad } from '../autograd/grad_mode';
import { record, saveTensor } from '../autograd/graph';
import { DTypeError, IndexError } from '../errors';
import { positionalOrNamed } from '../options';
import { contiguousStrides, normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { launch, Reshaped } from './launch';
import { namedTensors, type ValuesIndices } from './named';

/** sort's and argsort's options (torch.sort): the dim, the direction and whether ties keep their order. */
export interface SortOptions {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
}

/** topk's options (torch.topk): the dim, the largest or the smallest, and whether they come sorted. */
export interface TopkOptions {
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}

/** A selection's dim and whether it is kept with size 1 (kthvalue, median, nanmedian, mode). */
export interface SelectOptions {
  dim?: number;
  keepdim?: boolean;
}

const SORT_SPEC = { dim: 'number', descending: 'boolean', stable: 'boolean' } as const;
const SELECT_SPEC = { dim: 'number', keepdim: 'boolean' } as const;

function notBool(fn: string, x: Tensor, words = `${fn}() is not implemented for bool tensors`): void {
  if (x.dtype === 'bool') throw new DTypeError(words);
}

function checkK(fn: string, k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new TypeError(`${fn}(): argument 'k' must be an integer, but got ${String(k)}`);
  return k;
}

/**
 * x sorted along dim (torch.sort), and where each value came from (int64). NaN sorts as the
 * largest. Ties keep their order (a stable sort) whether or not `stable` is asked for: PyTorch's
 * unstable sort orders ties by its vectorised algorithm, which depends on the CPU.
 * @example tg.tensor([3, 1, 2]).sort() // { values: [1, 2, 3], indices: [1, 2, 0] }
 */
export function sort(x: Tensor, dim?: number | SortOptions, descending?: boolean | Omit<SortOptions, 'dim'>): ValuesIndices {
  const o = positionalOrNamed<SortOptions>('sort', [dim, descending], SORT_SPEC);
  const d = normalizeDim(o.dim ?? -1, x.shape.length);
  const values = emptyTensor(x.shape, x.dtype), indices = emptyTensor(x.shape, 'int64');
  if (x.numel() > 0) launch('sort', [values, indices, x], { dim: d, descending: o.descending ?? false, stable: o.stable ?? false });
  record('sort', values, [x], { dim: d, indices: saveTensor(indices) });
  return namedTensors({ values, indices });
}

/**
 * The indices that sort x along dim (torch.argsort), int64.
 * @example tg.tensor([3, 1, 2]).argsort({ descending: true }) // [0, 2, 1]
 */
export function argsort(x: Tensor, dim?: number | SortOptions, descending?: boolean | Omit<SortOptions, 'dim'>): Tensor {
  const o = positionalOrNamed<SortOptions>('argsort', [dim, descending], SORT_SPEC);
  return noGrad(() => sort(x, o).indices);
}

/**
 * x sorted along its first dim (torch.msort): sort(x, 0).values.
 * @example tg.tensor([[3, 1], [1, 2]]).msort() // [[1, 1], [3, 2]]
 */
export function msort(x: Tensor): Tensor {
  return sort(x, 0).values;
}

/**
 * The k largest (or smallest) elements along dim and their indices (torch.topk), largest first
 * unless `{ largest: false }`. NaN counts as the largest. Ties are reported as PyTorch's CPU kernel
 * reports them.
 * @example tg.tensor([1, 5, 3, 4]).topk(2) // { values: [5, 4], indices: [1, 3] }
 */
export function topk(x: Tensor, k: number, dim?: number | TopkOptions, largest?: boolean, sorted?: boolean): ValuesIndices {
  const o = positionalOrNamed<TopkOptions>('topk', [dim, largest, sorted], { dim: 'number', largest: 'boolean', sorted: 'boolean' });
  checkK('topk', k);
  notBool('topk', x, 'topk() does not support bool tensors');
  const d = normalizeDim(o.dim ?? -1, x.shape.length);
  const size = x.shape.length === 0 ? 1 : x.shape[d];
  if (k < 0 || k > size) throw new RangeError(`topk(): selected index k out of range (k = ${k}, dim ${d} has size ${size})`);
  const shape = x.shape.map((s, i) => (i === d ? k : s));
  const values = emptyTensor(shape, x.dtype), indices = emptyTensor(shape, 'int64');
  if (values.numel() > 0) launch('topk', [values, indices, x], { dim: d, k, largest: o.largest ?? true, sorted: o.sorted ?? true });
  record('topk', values, [x], { dim: d, indices: saveTensor(indices) });
  return namedTensors({ values, indices });
}

/** The outputs of a selection along d: allocated in their final shape, and as the kernel takes them (size 1 along d). */
function selectOutputs(x: Tensor, d: number, keepdim: boolean): { values: Tensor; indices: Tensor; kernel: [Tensor | Reshaped, Tensor | Reshaped] } {
  const nd = x.shape.length;
  const kept = x.shape.map((s, i) => (i === d ? 1 : s));
  const shape = keepdim || nd === 0 ? kept : x.shape.filter((_, i) => i !== d);
  const values = emptyTensor(shape, x.dtype), indices = emptyTensor(shape, 'int64');
  if (shape.length === kept.length) return { values, indices, kernel: [values, indices] };
  const strides = contiguousStrides(kept);
  return { values, indices, kernel: [new Reshaped(values, kept, strides), new Reshaped(indices, kept, strides)] };
}

/** PyTorch's error for selecting along a dim of size 0. */
function checkNonEmptyDim(fn: string, x: Tensor, d: number): void {
  if (x.shape.length > 0 && x.shape[d] === 0) throw new IndexError(`${fn}(): Expected reduction dim ${d} to have non-zero size.`);
}

/**
 * The kth smallest element along dim (k from 1) and its index (torch.kthvalue); NaN counts as the
 * largest. Ties are reported as PyTorch's CPU kernel reports them.
 * @example tg.tensor([4, 1, 3]).kthvalue(2) // { values: 3, indices: 2 }
 */
export function kthvalue(x: Tensor, k: number, dim?: number | SelectOptions, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices {
  const o = positionalOrNamed<SelectOptions>('kthvalue', [dim, keepdim], SELECT_SPEC);
  checkK('kthvalue', k);
  notBool('kthvalue', x);
  const d = normalizeDim(o.dim ?? -1, x.shape.length);
  checkNonEmptyDim('kthvalue', x, d);
  const size = x.shape.length === 0 ? 1 : x.shape[d];
  if (k < 1 || k > size) throw new RangeError(`kthvalue(): selected number k out of range for dimension ${d} (k = ${k}, size ${size})`);
  const out = selectOutputs(x, d, o.keepdim ?? false);
  launch('kthvalue', [...out.kernel, x], { dim: d, k });
  record('kthvalue', out.values, [x], { dim: d, keepdim: o.keepdim ?? false, indices: saveTensor(out.indices) });
  return namedTensors({ values: out.values, indices: out.indices });
}

/** median(dim) and nanmedian(dim): the lower median along d and its index (ties by index, as PyTorch). */
export function medianDim(x: Tensor, d: number, keepdim: boolean, ignoreNan: boolean): ValuesIndices {
  const fn = ignoreNan ? 'nanmedian' : 'median';
  notBool(fn, x);
  checkNonEmptyDim(fn, x, d);
  const out = selectOutputs(x, d, keepdim);
  if (out.values.numel() > 0) launch('median', [...out.kernel, x], { dim: d, ignoreNan });
  record('medianDim', out.values, [x], { dim: d, keepdim, indices: saveTensor(out.indices) }, ignoreNan ? 'NanmedianBackward1' : 'MedianBackward1');
  return namedTensors({ values: out.values, indices: out.indices });
}

/**
 * The lower median (torch.median): of all elements, a 0-d tensor (NaN when there is a NaN); along
 * a dim, `{ values, indices }`.
 * @example tg.tensor([1, 4, 2, 3]).median() // 2
 */
export function median(x: Tensor, dim?: number | SelectOptions, keepdim?: boolean | { keepdim?: boolean }, ignoreNan = false): Tensor | ValuesIndices {
  const fn = ignoreNan ? 'nanmedian' : 'median';
  const o = positionalOrNamed<SelectOptions>(fn, [dim, keepdim], SELECT_SPEC);
  if (o.dim !== undefined) return medianDim(x, normalizeDim(o.dim, x.shape.length), o.keepdim ?? false, ignoreNan);
  if (o.keepdim !== undefined) throw new TypeError(`${fn}(): keepdim needs a dim`);
  notBool(fn, x);
  const out = emptyTensor([], x.dtype);
  if (x.numel() === 0) {
    // PyTorch gives NaN for an empty tensor, converted to the dtype (the smallest integer for integers)
    const data = out._storage.data;
    if (data instanceof BigInt64Array) data[out._offset] = -(2n ** 63n);
    else data[out._offset] = x.dtype === 'int32' ? -(2 ** 31) : NaN;
  } else {
    const flat = x.reshape(-1), indices = emptyTensor([1], 'int64');
    launch('median', [new Reshaped(out, [1], [1]), indices, flat], { dim: 0, ignoreNan });
  }
  return record('median', out, [x], null, ignoreNan ? 'NanmedianBackward0' : 'MedianBackward0');
}

/**
 * The most frequent value along dim (the smallest of the most frequent) and an index where it
 * occurs (torch.mode), the index PyTorch's CPU kernel reports.
 * @example tg.tensor([1, 2, 2, 3]).mode() // { values: 2, indices: 2 }
 */
export function mode(x: Tensor, dim?: number | SelectOptions, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices {
  const o = positionalOrNamed<SelectOptions>('mode', [dim, keepdim], SELECT_SPEC);
  const d = normalizeDim(o.dim ?? -1, x.shape.length);
  checkNonEmptyDim('mode', x, d);
  const out = selectOutputs(x, d, o.keepdim ?? false);
  if (out.values.numel() > 0) launch('mode', [...out.kernel, x], { dim: d });
  record('mode', out.values, [x], { dim: d, keepdim: o.keepdim ?? false, indices: saveTensor(out.indices) });
  return namedTensors({ values: out.values, indices: out.indices });
}
