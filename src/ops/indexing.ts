/** Indexing along a dim with index tensors: gather, scatter, scatterAdd, indexSelect. */
import { noGrad } from '../autograd/grad_mode';
import { inPlace, record } from '../autograd/graph';
import { isFloatingPoint } from '../dtype';
import { DTypeError, IndexError, ShapeError, shapeStr } from '../errors';
import { checkOptions } from '../options';
import { broadcastShapes, normalizeDim } from '../shape';
import { isTensor, markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { checkTensor, emptyTensor, mayOverlap, scalarNumber, type Scalar } from './common';
import { clone, copyInto } from './copy';
import { launch } from './launch';
import { index as subscriptIndex, indexPut_, type IndexSpec } from './subscript';

function checkIndexDtype(index: Tensor, op: string): void {
  if (index.dtype !== 'int64') throw new DTypeError(`${op}(): Expected dtype int64 for index, but got ${index.dtype}`);
}

function checkIndex(x: Tensor, dim: number, index: Tensor, op: string, other?: Tensor): number {
  checkTensor(index, op, 'index');
  checkIndexDtype(index, op);
  if (index.shape.length !== Math.max(x.shape.length, 1) && !(x.shape.length === 0 && index.shape.length === 0)) {
    throw new ShapeError(`Index tensor must have the same number of dimensions as input tensor`);
  }
  const d = normalizeDim(dim, x.shape.length);
  for (let k = 0; k < index.shape.length; k++) {
    const limit = k === d ? Infinity : x.shape[k] ?? 1;
    if (index.shape[k] > limit || (other !== undefined && index.shape[k] > other.shape[k])) {
      throw new ShapeError(
        `Size does not match at dimension ${k} expected index ${shapeStr(index.shape)} to be smaller than input ${shapeStr(x.shape)} apart from dimension ${d}`,
      );
    }
  }
  return d;
}

/**
 * out[i][j] = x[i][index[i][j]] for dim 1 (and likewise for other dims), as torch.gather.
 * @example tg.tensor([[1, 2], [3, 4]]).gather(1, tg.tensor([[0, 0], [1, 0]], { dtype: 'int64' }))
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = checkIndex(x, dim, index, 'gather');
  if (x.shape.length === 0) return record('gather', clone(x), [x, index], d);
  const out = emptyTensor(index.shape, x.dtype);
  launch('gather', [out, x, index], { dim: d });
  return record('gather', out, [x, index], d);
}

/** A copy of x with src's values (or a value) written at index along dim (torch.scatter). */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar): Tensor {
  return scatterInto(x, dim, index, src, false, false);
}

export function scatter_(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar): Tensor {
  return scatterInto(x, dim, index, src, false, true);
}

/** A copy of x with src's values added at index along dim (torch.scatter_add). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterInto(x, dim, index, src, true, false);
}

export function scatterAdd_(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterInto(x, dim, index, src, true, true);
}

/**
 * scatter / scatterAdd: writes (or adds) src's values (or a value) into x at index along dim;
 * into x itself when inPlaceWrite, else into a copy.
 */
function scatterInto(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, accumulate: boolean, inPlaceWrite: boolean): Tensor {
  const op = accumulate ? 'scatterAdd' : 'scatter';
  const d = checkIndex(x, dim, index, op, isTensor(src) ? src : undefined);
  if (isTensor(src) && src.dtype !== x.dtype) {
    throw new DTypeError(`${op}(): Expected the input's dtype (${x.dtype}) to be equal to src's dtype (${src.dtype})`);
  }
  if (inPlaceWrite && ((isTensor(src) && mayOverlap(src, x)) || mayOverlap(index, x))) {
    // the result would depend on the order of the writes
    throw new ShapeError(
      `${op}_(): unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. ` +
        'Please clone() the tensor before performing the operation.',
    );
  }
  const write = (target: Tensor) => {
    target._storage.beforeWrite();
    launch('scatter_', [target, isTensor(src) ? src : scalarNumber(src), index], { dim: d, accumulate });
    markWritten(target);
  };
  const name = accumulate ? 'ScatterAddBackward0' : isTensor(src) ? 'ScatterBackward0' : 'ScatterBackward1';
  if (inPlaceWrite) return inPlace(op, x, [index, src], d, () => write(x), name);
  const out = clone(x).detach();
  write(out);
  return record(op, out, [x, index, src], d, name);
}

/** The entries at the positions `index` (1-D int64) along dim, as torch.index_select. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor(index, 'indexSelect', 'index');
  if (index.shape.length > 1) throw new ShapeError('indexSelect(): Index is supposed to be a vector');
  checkIndexDtype(index, 'indexSelect'); // here, not in gather, so that the message names indexSelect
  const d = normalizeDim(dim, x.shape.length);
  const shape = x.shape.slice();
  shape[d] = index.numel();
  const along = x.shape.map((_, k) => (k === d ? index.numel() : 1));
  return gather(x, d, index.reshape(along).expand(shape));
}

/**
 * The indices of cond's true (non-zero) elements in row-major order, one int64 tensor per dim
 * (a 0-d cond counts as one element): torch.nonzero(cond, as_tuple=True), and torch.where(cond).
 */
export function nonzeroIndices(cond: Tensor): Tensor[] {
  const flags = (cond.dtype === 'bool' ? cond : cond.ne(0)).contiguous();
  const shape = flags.shape.length === 0 ? [1] : flags.shape;
  const data = flags._storage.data as Uint8Array, start = flags._offset, n = flags.numel();
  let count = 0;
  for (let i = 0; i < n; i++) if (data[start + i] !== 0) count++;
  const out = shape.map(() => emptyTensor([count], 'int64'));
  const cols = out.map((t) => t._storage.data as BigInt64Array);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0, k = 0; i < n; i++) {
    if (data[start + i] !== 0) {
      for (let d = 0; d < shape.length; d++) cols[d][k] = BigInt(index[d]);
      k++;
    }
    for (let d = shape.length - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0; // next row-major index
  }
  return out;
}

// ---- ops built on advanced indexing and gather (their gradients come from those) -------------------

/** The options of indexAdd / indexAdd_. */
export interface IndexAddOptions {
  /** The multiple of source added (default 1). */
  alpha?: number;
}

/** index_add_ / index_copy_ / index_fill_'s checks: a vector of int64 or int32 indices; the dim. */
function checkVectorIndex(x: Tensor, dim: number, index: Tensor, op: string): number {
  checkTensor(index, op, 'index');
  if (index.dtype !== 'int64' && index.dtype !== 'int32') throw new DTypeError(`${op}(): Expected dtype int32/int64 for index but got: ${index.dtype}`);
  if (index.shape.length > 1) throw new IndexError(`${op}(): Index is supposed to be a vector, but got dim: ${index.shape.length} with size: ${shapeStr(index.shape)}`);
  return normalizeDim(dim, x.shape.length);
}

/** source must be shaped like x but for dim, where it has one entry per index (copy and add). */
function checkSource(x: Tensor, d: number, index: Tensor, source: Tensor, op: string): void {
  checkTensor(source, op, 'source');
  if (source.dtype !== x.dtype) throw new DTypeError(`${op}(): self (${x.dtype}) and source (${source.dtype}) must have the same dtype`);
  const n = index.numel(), along = source.shape.length === 0 ? 1 : source.shape[d];
  if (x.shape.length > 0 && source.shape.length > 0 && (source.shape.length !== x.shape.length || x.shape.some((s, k) => k !== d && s !== source.shape[k]))) {
    throw new ShapeError(`${op}(): source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = ${shapeStr(x.shape)} source.shape = ${shapeStr(source.shape)}`);
  }
  if (n !== along) throw new ShapeError(`${op}(): Number of indices (${n}) should be equal to source.size(dim): (${along}), for dim: ${d}`);
}

/** index_add_ and index_copy_ refuse negative indices (index() would count them from the end). */
function checkNonNegative(x: Tensor, d: number, index: Tensor, op: string): void {
  if (index.numel() === 0) return;
  const least = Number(noGrad(() => index.min()).item());
  if (least < 0) throw new IndexError(`${op}(): index ${least} is out of bounds for dimension ${d} with size ${x.shape.length === 0 ? 1 : x.shape[d]}`);
}

/** The index() entries that pick `index` along dim d. */
function along(d: number, index: Tensor): IndexSpec[] {
  return [...new Array<IndexSpec>(d).fill(':'), index.reshape([-1])];
}

/**
 * Adds alpha * source's slices to x's at `index` along dim (repeated indices add up): torch.Tensor.index_add_.
 * @example tg.zeros(3).indexAdd_(0, tg.tensor([0, 0], { dtype: 'int64' }), tg.tensor([1, 2])) // [3, 0, 0]
 */
export function indexAdd_(x: Tensor, dim: number, index: Tensor, source: Tensor, opts?: IndexAddOptions): Tensor {
  const d = checkVectorIndex(x, dim, index, 'indexAdd_');
  checkSource(x, d, index, source, 'indexAdd_');
  checkNonNegative(x, d, index, 'indexAdd_');
  let alpha = checkOptions('indexAdd_', opts, { alpha: 'number' })?.alpha ?? 1;
  if (!isFloatingPoint(x.dtype)) alpha = Math.trunc(alpha); // as PyTorch reads alpha for integer tensors
  return indexPut_(x, along(d, index), alpha === 1 ? source.reshape(sliceShape(x, d, index)) : source.mul(alpha).reshape(sliceShape(x, d, index)), { accumulate: true });
}

/** A copy of x with source added at `index` along dim (torch.index_add). */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, opts?: IndexAddOptions): Tensor {
  return indexAdd_(clone(x), dim, index, source, opts);
}

/** Copies source's slices into x at `index` along dim: torch.Tensor.index_copy_. */
export function indexCopy_(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const d = checkVectorIndex(x, dim, index, 'indexCopy_');
  checkSource(x, d, index, source, 'indexCopy_');
  checkNonNegative(x, d, index, 'indexCopy_');
  return indexPut_(x, along(d, index), source.reshape(sliceShape(x, d, index)));
}

/** A copy of x with source's slices at `index` along dim (torch.index_copy). */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  return indexCopy_(clone(x), dim, index, source);
}

/** Fills x's slices at `index` along dim with value (a number or a 0-d tensor): torch.Tensor.index_fill_. */
export function indexFill_(x: Tensor, dim: number, index: Tensor, value: Scalar | Tensor): Tensor {
  const d = checkVectorIndex(x, dim, index, 'indexFill_');
  if (isTensor(value) && value.shape.length !== 0) {
    throw new ShapeError(`indexFill_() only supports a 0-dimensional value tensor, but got tensor with ${value.shape.length} dimension(s).`);
  }
  return indexPut_(x, along(d, index), isTensor(value) ? value.to(x.dtype) : value);
}

/** A copy of x with its slices at `index` along dim set to value (torch.index_fill). */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: Scalar | Tensor): Tensor {
  return indexFill_(clone(x), dim, index, value);
}

/** x's shape with dim d sized as index (what index(...along(d, index)) gives). */
function sliceShape(x: Tensor, d: number, index: Tensor): number[] {
  return x.shape.length === 0 ? [index.numel()] : x.shape.map((s, k) => (k === d ? index.numel() : s));
}

function checkMask(mask: Tensor, op: string): void {
  checkTensor(mask, op, 'mask');
  if (mask.dtype !== 'bool') throw new DTypeError(`${op}: expected a bool tensor for mask, got ${mask.dtype}`);
}

/**
 * The elements of x where mask (broadcast with x) is true, as a 1-D tensor: torch.masked_select.
 * @example tg.tensor([1, 2, 3]).maskedSelect(tg.tensor([true, false, true])) // [1, 3]
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkMask(mask, 'maskedSelect');
  const shape = broadcastShapes(x.shape, mask.shape);
  return subscriptIndex(x.expand(shape), [mask.expand(shape)]);
}

/**
 * Writes source's first elements, in order, where mask (broadcast to x) is true: torch.Tensor.masked_scatter_.
 * @example tg.zeros(3).maskedScatter_(tg.tensor([true, false, true]), tg.tensor([7, 8, 9])) // [7, 0, 8]
 */
export function maskedScatter_(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  checkMask(mask, 'maskedScatter_');
  checkTensor(source, 'maskedScatter_', 'source');
  if (source.dtype !== x.dtype) throw new DTypeError(`maskedScatter_(): expected source to have dtype ${x.dtype}, got ${source.dtype}`);
  const m = mask.expand(x.shape);
  const n = nonzeroIndices(m)[0]?.numel() ?? 0;
  if (source.numel() < n) throw new ShapeError(`maskedScatter_(): Number of elements of source (${source.numel()}) < number of ones in mask (${n})`);
  return indexPut_(x, [m], source.reshape([-1]).narrow(0, 0, n));
}

/** A copy of x with source scattered where mask is true (torch.masked_scatter). */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  return maskedScatter_(clone(x), mask, source);
}

/** The options of nonzero. */
export interface NonzeroOptions {
  /** Return one 1-D tensor per dim instead of one [n, ndim] tensor. */
  asTuple?: boolean;
}

/**
 * The indices of x's non-zero elements: an int64 [n, ndim] tensor, or one 1-D tensor per dim with
 * `{ asTuple: true }` (torch.nonzero).
 */
export function nonzero(x: Tensor, opts: NonzeroOptions & { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts?: NonzeroOptions & { asTuple?: false }): Tensor;
export function nonzero(x: Tensor, opts?: NonzeroOptions): Tensor | Tensor[];
export function nonzero(x: Tensor, opts?: NonzeroOptions): Tensor | Tensor[] {
  const asTuple = checkOptions('nonzero', opts, { asTuple: 'boolean' })?.asTuple === true;
  const cols = nonzeroIndices(x);
  if (asTuple) return cols;
  if (x.shape.length === 0) return emptyTensor([cols[0].numel(), 0], 'int64');
  const out = emptyTensor([cols[0].numel(), x.shape.length], 'int64');
  cols.forEach((c, d) => copyInto(out.select(1, d), c));
  return out;
}

/** The indices of x's non-zero elements as an int64 [n, ndim] tensor (torch.argwhere). */
export function argwhere(x: Tensor): Tensor {
  return nonzero(x);
}

/**
 * The elements of x, read as 1-D, at `index` (any shape; the result has its shape): torch.take.
 * @example tg.tensor([[4, 3], [5, 6]]).take(tg.tensor([0, 3], { dtype: 'int64' })) // [4, 6]
 */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensor(index, 'take', 'index');
  if (index.dtype !== 'int64') throw new DTypeError(`take(): Expected a long tensor for index, but got ${index.dtype}`);
  return gatherFlat(x, index);
}

function gatherFlat(x: Tensor, index: Tensor): Tensor {
  return subscriptIndex(x.reshape([-1]), [index]);
}

/**
 * x's values at `indices` along dim, indices broadcast with x over the other dims (torch.take_along_dim);
 * without dim, of x and indices read as 1-D.
 */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number | null): Tensor {
  checkTensor(indices, 'takeAlongDim', 'indices');
  if (indices.dtype !== 'int64') throw new DTypeError(`takeAlongDim(): dtype of indices should be int64 but got ${indices.dtype}`);
  if (dim === undefined || dim === null) return gather(x.reshape([-1]), 0, indices.reshape([-1]));
  const d = normalizeDim(dim, x.shape.length);
  if (indices.shape.length !== x.shape.length) {
    throw new ShapeError(`takeAlongDim(): input and indices should have the same number of dimensions, but got ${x.shape.length} dimensions for input, and ${indices.shape.length} dimensions for indices`);
  }
  const xs = x.shape.slice(), is = indices.shape.slice();
  xs[d] = 1;
  is[d] = 1;
  const shape = broadcastShapes(xs, is);
  return gather(x.expand(shape.map((s, k) => (k === d ? x.shape[d] : s))), d, indices.expand(shape.map((s, k) => (k === d ? indices.shape[d] : s))));
}
