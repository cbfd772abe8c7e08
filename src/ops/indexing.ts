/** Indexing along a dim with index tensors: gather, scatter, scatterAdd, indexSelect. */
import { inPlace, record } from '../autograd/graph';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { normalizeDim } from '../shape';
import { isTensor, markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { checkTensor, emptyTensor, mayOverlap, scalarNumber, type Scalar } from './common';
import { clone } from './copy';
import { launch } from './launch';

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
