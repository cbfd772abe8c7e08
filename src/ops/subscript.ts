/**
 * Python's subscripts: `x.index(...)` is `x[...]` and `x.indexPut_(indices, v)` is `x[indices] = v`,
 * with PyTorch's rules. Numbers, slices ('1:3'), null and '...' make a view; index tensors (int64,
 * int32), arrays of integers and bool masks then pick elements (advanced indexing, a copy): their
 * shapes broadcast together, and the result's dims for them stand where the indexed dims stood when
 * those are adjacent, else first. The kernels are `index` and `index_put_` (native/kernels/index.h).
 */
import { inPlace, record } from '../autograd/graph';
import { isGradEnabled } from '../autograd/grad_mode';
import { DTypeError, IndexError, ShapeError, shapeStr } from '../errors';
import { broadcastShapes, broadcastStrides, broadcastsTo } from '../shape';
import { checkOptions } from '../options';
import { isTensor, markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { checkFits, emptyTensor, mayOverlap, scalarNumber, type Scalar } from './common';
import { clone, copyInto } from './copy';
import { tensor, type NestedArray } from './creation';
import { nonzeroIndices } from './indexing';
import { launch, Reshaped } from './launch';
import { select, slice, unsqueeze } from './view';

/**
 * One entry of an index: a number selects (removing the dim), `null` adds a dim of size 1, `'...'`
 * stands for the dims not named, `'start:end:step'` slices, `true`/`false` add a dim of size 1/0,
 * and a tensor (int64, int32 or bool) or an array of integers or booleans picks elements.
 */
export type IndexSpec = number | boolean | null | string | Tensor | NestedArray | readonly IndexSpec[];

/** The options of indexPut / indexPut_. */
export interface IndexPutOptions {
  /** Add the values instead of writing them (repeated positions add up). Default false. */
  accumulate?: boolean;
}

/** Advanced indexing of a view: which of its dims are indexed, and the indices stacked as int64 [k, ...batch]. */
interface Indexed {
  readonly positions: readonly number[];
  readonly indices: Tensor | Reshaped;
  readonly batch: readonly number[];
  readonly adjacent: boolean;
}

/**
 * `x[...specs]` as Python writes it: `x.index(0, '1:3', null, '...')` is `x[0, 1:3, None, ...]`,
 * `x.index(idx)` is `x[idx]`, `x.index(tg.arange(n), y)` is `x[torch.arange(n), y]`. A single
 * array holding tensors, arrays, null or slices is read as the list of entries, as PyTorch reads a
 * list (`x.index([rows, cols])` is `x[rows, cols]`). Without tensors or arrays the result is a view.
 * @example tg.arange(12).reshape(3, 4).index(':', 1).tolist() // [1, 5, 9]
 */
export function index(t: Tensor, specs: readonly IndexSpec[]): Tensor {
  const { view, tensors } = walk(t, entries(specs));
  if (tensors.length === 0) return view;
  return gatherIndexed(view, advanced(view, tensors, isRecording(view)));
}

/** A copy of x with `values` written (or added, with accumulate) at `indices`: torch.index_put. */
export function indexPut(t: Tensor, indices: readonly IndexSpec[] | Tensor, values: Tensor | Scalar, opts?: IndexPutOptions): Tensor {
  return indexPut_(clone(t), indices, values, opts);
}

/**
 * Writes `values` (broadcast to what `x.index(...indices)` would return) at `indices`, or adds
 * them with `{ accumulate: true }`: Python's `x[indices] = values`, and torch.Tensor.index_put_
 * when the entries are all tensors. Entries are those of index(); `':'` stands for a whole dim.
 * @example x.indexPut_([tg.tensor([0, 2], { dtype: 'int64' })], 1) // x[[0, 2]] = 1
 */
export function indexPut_(t: Tensor, indices: readonly IndexSpec[] | Tensor, values: Tensor | Scalar, opts?: IndexPutOptions): Tensor {
  const accumulate = accumulateOption(opts);
  const list = isTensor(indices) ? [indices] : Array.isArray(indices) ? (indices as IndexSpec[]) : badIndices(indices);
  const { view, tensors } = walk(t, list);
  if (tensors.length === 0) {
    // only views: a plain write, as Python's x[0, 1:3] = v
    if (accumulate) view.add_(values);
    else if (isTensor(values)) view.copy_(values);
    else view.fill_(values);
    return t;
  }
  const adv = advanced(view, tensors, true);
  putIndexed(view, adv, values, accumulate, true);
  return t;
}

function accumulateOption(opts: IndexPutOptions | undefined): boolean {
  return checkOptions('indexPut_', opts, { accumulate: 'boolean' })?.accumulate === true;
}

function badIndices(indices: unknown): never {
  throw new TypeError(`indexPut_(): indices must be an array of index entries (tensors, arrays, numbers, slices), got ${String(indices)}`);
}

// ---- reading the entries ----------------------------------------------------------------------

/** PyTorch reads one list index holding tensors, lists, None, slices or Ellipsis as the entries themselves. */
function entries(specs: readonly IndexSpec[]): readonly IndexSpec[] {
  if (specs.length !== 1 || !Array.isArray(specs[0])) return specs;
  const list = specs[0] as readonly unknown[];
  const tuple = list.length < 32 && list.some((e) => e === null || typeof e === 'string' || isTensor(e) || Array.isArray(e) || ArrayBuffer.isView(e));
  return tuple ? (list as IndexSpec[]) : specs;
}

/** An array (or typed array) index as a tensor: bool for booleans, int64 for integers. */
function indexTensor(spec: NestedArray | ArrayBufferView): Tensor {
  if (ArrayBuffer.isView(spec)) return tensor(spec);
  let kind = 'none' as 'bool' | 'int' | 'none';
  const check = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(check);
    const k = typeof x === 'boolean' ? 'bool' : (typeof x === 'number' && Number.isInteger(x)) || typeof x === 'bigint' ? 'int' : null;
    if (k === null) throw new IndexError(`tensors used as indices must be long, int, byte or bool tensors (got the array entry ${String(x)})`);
    if (kind !== 'none' && kind !== k) throw new IndexError('an index array must hold only integers or only booleans');
    kind = k;
  };
  check(spec);
  return tensor(spec as NestedArray, { dtype: kind === 'bool' ? 'bool' : 'int64' });
}

/** How many dims of the input an entry consumes. */
function consumes(s: IndexSpec): number {
  if (typeof s === 'number' || (typeof s === 'string' && s !== '...')) return 1;
  if (isTensor(s)) return s.dtype === 'bool' ? s.shape.length : 1;
  return 0;
}

/**
 * Applies the view entries (numbers, slices, null, '...', booleans) and sets the index tensors
 * aside at the dims of the view they index.
 */
function walk(t: Tensor, raw: readonly IndexSpec[]): { view: Tensor; tensors: { at: number; index: Tensor }[] } {
  const specs = raw.map((s): IndexSpec => (Array.isArray(s) || ArrayBuffer.isView(s) ? indexTensor(s as NestedArray) : s));
  const ellipses = specs.filter((s) => s === '...').length;
  if (ellipses > 1) throw new IndexError('an index can only have a single ellipsis (...)');
  const consumed = specs.reduce((n: number, s) => n + consumes(s), 0);
  if (consumed > t.shape.length) throw new IndexError(`too many indices for tensor of dimension ${t.shape.length}`);
  let view = t, dim = 0;
  const tensors: { at: number; index: Tensor }[] = [];
  const flag = (b: boolean) => {
    view = unsqueeze(view, dim);
    tensors.push({ at: dim++, index: emptyTensor(b ? [1] : [0], 'int64', true) });
  };
  for (const s of specs) {
    if (s === null) view = unsqueeze(view, dim++);
    else if (typeof s === 'number') view = select(view, dim, s);
    else if (typeof s === 'boolean') flag(s);
    else if (s === '...') dim += t.shape.length - consumed;
    else if (typeof s === 'string') {
      const [start, end, step] = parseSlice(s);
      view = slice(view, dim++, start, end, step ?? 1);
    } else if (isTensor(s)) {
      if (s.dtype !== 'int64' && s.dtype !== 'int32' && s.dtype !== 'bool') {
        throw new IndexError(`tensors used as indices must be long, int, byte or bool tensors (got ${s.dtype})`);
      }
      if (s.dtype === 'bool' && s.shape.length === 0) flag(Boolean(s.item()));
      else {
        tensors.push({ at: dim, index: s });
        dim += s.dtype === 'bool' ? s.shape.length : 1;
      }
    } else {
      throw new TypeError(`index: unsupported index entry ${String(s)}; use numbers, null, '...', 'start:end:step' strings, booleans, tensors or arrays`);
    }
  }
  return { view, tensors };
}

function parseSlice(s: string): [number | null, number | null, number | null] {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new TypeError(`index: invalid slice '${s}'`);
  const num = (p: string | undefined) => {
    if (p === undefined || p.trim() === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new TypeError(`index: invalid slice '${s}'`);
    return v;
  };
  return [num(parts[0]), num(parts[1]), num(parts[2])];
}

// ---- advanced indexing ------------------------------------------------------------------------

function isRecording(view: Tensor): boolean {
  return view.requiresGrad && isGradEnabled();
}

/**
 * Masks become the indices of their true elements (one index per dim they cover), the indices
 * broadcast together, and are stacked as one int64 tensor; a single int64 index is used in place
 * unless the result is saved for backward.
 */
function advanced(view: Tensor, tensors: readonly { at: number; index: Tensor }[], saved: boolean): Indexed {
  const list: { at: number; index: Tensor }[] = [];
  for (const { at, index: ix } of tensors) {
    if (ix.dtype !== 'bool') {
      list.push({ at, index: ix });
      continue;
    }
    for (let i = 0; i < ix.shape.length; i++) {
      if (ix.shape[i] !== view.shape[at + i]) {
        throw new IndexError(
          `The shape of the mask ${shapeStr(ix.shape)} at index ${i} does not match the shape of the indexed tensor ${shapeStr(view.shape)} at index ${at + i}`,
        );
      }
    }
    nonzeroIndices(ix).forEach((n, i) => list.push({ at: at + i, index: n }));
  }
  let batch: readonly number[] = list[0].index.shape;
  for (const { index: ix } of list.slice(1)) {
    try {
      batch = broadcastShapes(batch, ix.shape);
    } catch {
      const shapes = list.map((e) => shapeStr(e.index.shape)).join(', ');
      throw new IndexError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${shapes}`);
    }
  }
  const positions = list.map((e) => e.at);
  const adjacent = positions[positions.length - 1] - positions[0] === positions.length - 1;
  const first = list[0].index;
  let indices: Tensor | Reshaped;
  if (list.length === 1 && first.dtype === 'int64' && !saved) {
    indices = new Reshaped(first, [1, ...batch], [0, ...broadcastStrides(first.shape, first._strides, batch)]);
  } else {
    const stacked = emptyTensor([list.length, ...batch], 'int64');
    const rows = stacked.unbind(0);
    list.forEach((e, j) => copyInto(rows[j], e.index.expand(batch)));
    indices = stacked;
  }
  return { positions, indices, batch, adjacent };
}

/** The result's shape: the batch shape where the indexed dims stood (adjacent) or first. */
function resultShape(shape: readonly number[], adv: Indexed): number[] {
  const p = adv.positions;
  if (adv.adjacent) return [...shape.slice(0, p[0]), ...adv.batch, ...shape.slice(p[p.length - 1] + 1)];
  return [...adv.batch, ...shape.filter((_, d) => !p.includes(d))];
}

/** `t` described with the dims `order` lists first, in that order, then the rest. */
function reordered(t: Tensor | Reshaped, shape: readonly number[], strides: readonly number[], order: readonly number[]): Reshaped {
  const dims = [...order, ...shape.map((_, d) => d).filter((d) => !order.includes(d))];
  return new Reshaped(t as Tensor, dims.map((d) => shape[d]), dims.map((d) => strides[d]));
}

/** A tensor of the result's shape described as the kernels read it: [batch..., rest...]. */
function batchFirst(t: Tensor | Reshaped, adv: Indexed): Reshaped {
  const nb = adv.batch.length, p0 = adv.adjacent ? adv.positions[0] : 0;
  return reordered(t, t.shape, t._strides, Array.from({ length: nb }, (_, i) => p0 + i));
}

/** view.index(...) for the tensor entries: the kernel `index`. */
function gatherIndexed(view: Tensor, adv: Indexed): Tensor {
  const out = emptyTensor(resultShape(view.shape, adv), view.dtype);
  const self = reordered(view, view.shape, view._strides, adv.positions);
  launch('index', [batchFirst(out, adv), self, adv.indices]);
  return record('index', out, [view], adv);
}

/** Writes (or adds) values at the indexed positions of view: the kernel `index_put_`, in place or into a copy. */
function putIndexed(view: Tensor, adv: Indexed, values: Tensor | Scalar, accumulate: boolean, inPlaceWrite: boolean): Tensor {
  const shape = resultShape(view.shape, adv);
  let operand: number | Reshaped;
  if (isTensor(values)) {
    if (values.dtype !== view.dtype) {
      throw new DTypeError(`indexPut_(): Index put requires the source and destination dtypes match, got ${view.dtype} for the destination and ${values.dtype} for the source.`);
    }
    if (!broadcastsTo(values.shape, shape)) {
      throw new ShapeError(`shape mismatch: value tensor of shape ${shapeStr(values.shape)} cannot be broadcast to indexing result of shape ${shapeStr(shape)}`);
    }
    if (inPlaceWrite && mayOverlap(values, view)) values = clone(values);
    operand = batchFirst(new Reshaped(values, shape, broadcastStrides(values.shape, values._strides, shape)), adv);
  } else {
    checkFits(values, view.dtype, 'indexPut_');
    operand = scalarNumber(values);
  }
  const write = (target: Tensor) => {
    target._storage.beforeWrite();
    launch('index_put_', [reordered(target, target.shape, target._strides, adv.positions), operand, adv.indices], { accumulate });
    markWritten(target);
  };
  const ctx = { adv, accumulate };
  if (inPlaceWrite) return inPlace('indexPut', view, [values], ctx, () => write(view), 'IndexPutBackward0');
  const out = clone(view).detach();
  write(out);
  return record('indexPut', out, [view, values], ctx, 'IndexPutBackward0');
}

/** The backward of index: g added into zeros at the indexed positions (in place: the zeros are new, no copy of them is needed). */
export function indexBackward(g: Tensor, shape: readonly number[], adv: unknown): Tensor {
  return putIndexed(emptyTensor(shape, g.dtype, true), adv as Indexed, g, true, true);
}

/** The backward of indexPut: self's gradient (zero where values were written) and values' (g at the positions). */
export function indexPutBackward(g: Tensor, ctx: unknown, need: readonly boolean[]): (Tensor | null)[] {
  const { adv, accumulate } = ctx as { adv: Indexed; accumulate: boolean };
  return [need[0] ? (accumulate ? g : putIndexed(g, adv, 0, false, false)) : null, need[1] ? gatherIndexed(g, adv) : null];
}
