/**
 * Views: tensors that share their input's storage with another shape, strides or offset.
 * view, reshape, transpose, permute, t, unsqueeze, squeeze, flatten, unflatten, expand, narrow,
 * select, slice, diagonal, unbind, split, chunk (x.index(...) is in subscript.ts).
 */
import { record } from '../autograd/graph';
import { isGradEnabled } from '../autograd/grad_mode';
import { IndexError, ShapeError, shapeStr } from '../errors';
import { checkOptions } from '../options';
import { inferShape, normalizeDim, viewStrides } from '../shape';
import { makeTensor } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { arange } from './creation';
import { contiguous, copyInto, fillInto } from './copy';

/** A public view op's result: remembers its base tensor and records its node. */
function viewOf(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number, op: string, ctx?: unknown, name?: string): Tensor {
  const v = makeTensor(t._storage, shape, strides, offset);
  v._base = t._base ?? t;
  v._viewVersion = t._storage.version;
  if (!isGradEnabled() || t._noGradView) v._noGradView = true;
  v._multiOutput = t._multiOutput;
  return record(op, v, [t], ctx, name);
}

/**
 * What PyTorch calls a view's replay function: it takes, of any tensor shaped like base, the view
 * that v is of base (same sizes, strides and offset relative to base), recorded as a view. base
 * must be contiguous; the tensors it is applied to are made contiguous first.
 */
export function stridedReplay(base: Tensor, v: Tensor): (x: Tensor) => Tensor {
  const shape = v.shape, strides = v._strides, from = v._offset - base._offset;
  const replay = (x: Tensor): Tensor => {
    const c = contiguous(x);
    return viewOf(c, shape, strides, c._offset + from, 'slice', replay, 'AsStridedBackward0');
  };
  return replay;
}

/** The same data without autograd history (shares memory). */
export function detach(t: Tensor): Tensor {
  return makeTensor(t._storage, t.shape, t._strides, t._offset);
}

export function view(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, t.numel());
  const strides = viewStrides(t.shape, t._strides, target);
  if (strides === null) {
    throw new ShapeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  return viewOf(t, target, strides, t._offset, 'view', undefined, 'ViewBackward0');
}

/** A view when the layout allows one, else a contiguous copy with the new shape. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, t.numel());
  const strides = viewStrides(t.shape, t._strides, target);
  if (strides !== null) return viewOf(t, target, strides, t._offset, 'view', undefined, 'ViewBackward0');
  const c = contiguous(t);
  return viewOf(c, target, viewStrides(c.shape, c._strides, target) as number[], c._offset, 'view', undefined, 'UnsafeViewBackward0');
}

export function transpose(t: Tensor, dim0: number, dim1: number, name = 'TransposeBackward0'): Tensor {
  const nd = t.shape.length;
  const a = normalizeDim(dim0, nd), b = normalizeDim(dim1, nd);
  if (nd === 0) return t;
  const shape = t.shape.slice(), strides = t._strides.slice();
  [shape[a], shape[b]] = [shape[b], shape[a]];
  [strides[a], strides[b]] = [strides[b], strides[a]];
  return viewOf(t, shape, strides, t._offset, 'transpose', [a, b], name);
}

export function permute(t: Tensor, dims: readonly number[]): Tensor {
  const nd = t.shape.length;
  if (dims.length !== nd) {
    throw new ShapeError(
      `permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${nd} is not equal to dims.length = ${dims.length}`,
    );
  }
  const order = dims.map((d) => normalizeDim(d, nd));
  if (new Set(order).size !== nd) throw new ShapeError('permute(): duplicate dims are not allowed.');
  return viewOf(t, order.map((d) => t.shape[d]), order.map((d) => t._strides[d]), t._offset, 'permute', order, 'PermuteBackward0');
}

/** Transpose of a matrix; vectors and scalars are returned as they are. */
export function t2d(t: Tensor): Tensor {
  if (t.shape.length > 2) throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but this tensor is ${t.shape.length}D`);
  return t.shape.length < 2 ? t : transpose(t, 0, 1, 'TBackward0');
}

/** All dims reversed (Tensor.T). */
export function reverseDims(t: Tensor): Tensor {
  return permute(t, t.shape.map((_, i) => t.shape.length - 1 - i));
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, t.shape.length + 1);
  const shape = t.shape.slice(), strides = t._strides.slice();
  const stride = d < t.shape.length ? t._strides[d] * t.shape[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return viewOf(t, shape, strides, t._offset, 'view', undefined, 'UnsqueezeBackward0');
}

/** Removes size-1 dims: all of them, or those listed that have size 1. */
export function squeeze(t: Tensor, dims?: number | readonly number[]): Tensor {
  const nd = t.shape.length;
  const drop = new Set<number>();
  if (dims === undefined) {
    t.shape.forEach((s, i) => s === 1 && drop.add(i));
  } else {
    for (const d of typeof dims === 'number' ? [dims] : dims) {
      const n = normalizeDim(d, nd);
      if (nd > 0 && t.shape[n] === 1) drop.add(n);
    }
  }
  const name = dims === undefined ? 'SqueezeBackward0' : 'SqueezeBackward1';
  return viewOf(t, t.shape.filter((_, i) => !drop.has(i)), t._strides.filter((_, i) => !drop.has(i)), t._offset, 'view', undefined, name);
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.shape.length === 0) return reshape(t, [1]);
  const s = normalizeDim(startDim, t.shape.length), e = normalizeDim(endDim, t.shape.length);
  if (s > e) throw new ShapeError('flatten() has invalid args: startDim cannot come after endDim');
  if (s === e) return t;
  const shape = [...t.shape.slice(0, s), t.shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...t.shape.slice(e + 1)];
  return reshape(t, shape);
}

export function unflatten(t: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, t.shape.length);
  const inner = inferShape(sizes, t.shape[d]);
  return view(t, [...t.shape.slice(0, d), ...inner, ...t.shape.slice(d + 1)]);
}

/** Repeats size-1 dims (and new leading dims) without copying: stride 0. -1 keeps a size. */
export function expand(t: Tensor, sizes: readonly number[]): Tensor {
  const nd = t.shape.length;
  if (sizes.length < nd) {
    throw new ShapeError(
      `expand: the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${nd})`,
    );
  }
  const lead = sizes.length - nd;
  const shape = new Array<number>(sizes.length), strides = new Array<number>(sizes.length);
  for (let i = 0; i < sizes.length; i++) {
    const want = sizes[i];
    if (!Number.isInteger(want) || want < -1) throw new RangeError(`expand: invalid size ${want} in ${shapeStr(sizes)}`);
    const d = i - lead;
    if (d < 0) {
      if (want === -1) {
        throw new ShapeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      }
      shape[i] = want;
      strides[i] = 0;
    } else if (want === -1 || want === t.shape[d]) {
      shape[i] = t.shape[d];
      strides[i] = t._strides[d];
    } else if (t.shape[d] === 1) {
      shape[i] = want;
      strides[i] = 0;
    } else {
      throw new ShapeError(
        `The expanded size of the tensor (${want}) must match the existing size (${t.shape[d]}) at non-singleton dimension ${i}.  Target sizes: ${shapeStr(sizes)}.  Tensor sizes: ${shapeStr(t.shape)}`,
      );
    }
  }
  return viewOf(t, shape, strides, t._offset, 'expand', undefined, 'ExpandBackward0');
}

/** The `length` elements of dim starting at `start`. */
export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  if (t.shape.length === 0) throw new IndexError('narrow() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, t.shape.length);
  const size = t.shape[d];
  if (!Number.isInteger(start) || start < -size || start > size) {
    throw new IndexError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(length) || length < 0) throw new RangeError('narrow(): length must be non-negative.');
  if (s + length > size) throw new IndexError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  const shape = t.shape.slice();
  shape[d] = length;
  const replay = (x: Tensor) => narrow(x, d, s, length);
  return viewOf(t, shape, t._strides, t._offset + s * t._strides[d], 'slice', replay, 'SliceBackward0');
}

/** The slice at `index` along dim, with that dim removed. */
export function select(t: Tensor, dim: number, index: number): Tensor {
  if (t.shape.length === 0) throw new IndexError('select() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, t.shape.length);
  const size = t.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(`index ${index} is out of bounds for dimension ${d} with size ${size}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = t.shape.slice(), strides = t._strides.slice();
  shape.splice(d, 1);
  strides.splice(d, 1);
  const replay = (x: Tensor) => select(x, d, i);
  return viewOf(t, shape, strides, t._offset + i * t._strides[d], 'slice', replay, 'SelectBackward0');
}

/** Python's t[start:end:step] along dim, with its clamping of out-of-range bounds. */
export function slice(t: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  if (t.shape.length === 0) throw new IndexError('slice() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, t.shape.length);
  if (!Number.isInteger(step) || step <= 0) throw new RangeError('slice step must be positive');
  const size = t.shape[d];
  const clampIdx = (v: number | null | undefined, dflt: number) => {
    if (v === undefined || v === null) return dflt;
    if (!Number.isInteger(v)) throw new TypeError(`slice indices must be integers, got ${v}`);
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const s = clampIdx(start, 0);
  const e = Math.max(clampIdx(end, size), s);
  const shape = t.shape.slice(), strides = t._strides.slice();
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = t._strides[d] * step;
  const replay = (x: Tensor) => slice(x, d, start, end, step);
  return viewOf(t, shape, strides, t._offset + (shape[d] > 0 ? s * t._strides[d] : 0), 'slice', replay, 'SliceBackward0');
}

/** diagonal's options (torch.diagonal's offset, dim1, dim2). */
export interface DiagonalOptions {
  /** Which diagonal: 0 the main one, > 0 above it, < 0 below it. */
  offset?: number;
  dim1?: number;
  dim2?: number;
}

/**
 * The elements x[..., i, ..., i + offset, ...] of dims dim1 and dim2 as a view: those two dims are
 * removed and the diagonal becomes the last dim (torch.diagonal).
 */
export function diagonal(t: Tensor, offsetOrOptions: number | DiagonalOptions = 0, dim1 = 0, dim2 = 1): Tensor {
  let offset = offsetOrOptions as number;
  if (typeof offsetOrOptions === 'object' && offsetOrOptions !== null) {
    checkOptions('diagonal', offsetOrOptions, { offset: 'number', dim1: 'number', dim2: 'number' });
    ({ offset = 0, dim1 = 0, dim2 = 1 } = offsetOrOptions);
  }
  if (!Number.isInteger(offset)) throw new TypeError(`diagonal(): offset must be an integer, but got ${String(offset)}`);
  const nd = t.shape.length;
  const a = normalizeDim(dim1, nd), b = normalizeDim(dim2, nd);
  if (a === b) throw new ShapeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const rows = t.shape[a], cols = t.shape[b];
  const size = Math.max(0, offset >= 0 ? Math.min(rows, cols - offset) : Math.min(rows + offset, cols));
  let start = t._offset;
  if (size > 0) start += offset >= 0 ? offset * t._strides[b] : -offset * t._strides[a];
  const keep = t.shape.map((_, i) => i).filter((i) => i !== a && i !== b);
  const shape = [...keep.map((i) => t.shape[i]), size];
  const strides = [...keep.map((i) => t._strides[i]), t._strides[a] + t._strides[b]];
  const replay = (x: Tensor) => diagonal(x, offset, a, b);
  return viewOf(t, shape, strides, start, 'slice', replay, 'DiagonalBackward0');
}

/** The slices along dim, each with that dim removed. */
export function unbind(t: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim(dim, t.shape.length);
  return multiOutput(t, Array.from({ length: t.shape[d] }, (_, i) => select(t, d, i)), 'Unbind');
}

/**
 * Marks the views one call returned together (unbind, split, chunk): as in PyTorch, they may not
 * be changed in place while recording (of a base that requires grad), and of a base that does
 * not they count as made without grad mode.
 */
function multiOutput(t: Tensor, views: Tensor[], fn: string): Tensor[] {
  views.forEach((v, i) => {
    if (isGradEnabled() && t._requiresGrad) v._multiOutput = `Output ${i} of ${fn}`;
    else v._noGradView = true;
  });
  return views;
}

/** Pieces of `size` elements along dim (the last may be smaller), or of the listed sizes. */
export function split(t: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, t.shape.length);
  const total = t.shape[d];
  const out: Tensor[] = [];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new RangeError(`split(): a split size must be a positive integer, but got ${sizes}`);
    for (let s = 0; s < total || (total === 0 && out.length === 0); s += sizes) out.push(narrow(t, d, s, Math.min(sizes, total - s)));
    return multiOutput(t, out, 'Split');
  }
  if (sizes.reduce((a, b) => a + b, 0) !== total) {
    throw new ShapeError(`split() expects the split sizes to sum exactly to ${total} (input tensor's size at dimension ${d}), but got sizes ${shapeStr(sizes)}`);
  }
  let start = 0;
  for (const s of sizes) {
    out.push(narrow(t, d, start, s));
    start += s;
  }
  return multiOutput(t, out, 'SplitWithSizes');
}

/** `chunks` pieces along dim, as equal as torch.chunk makes them. */
export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk() expects chunks to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(dim, t.shape.length);
  return split(t, Math.max(1, Math.ceil(t.shape[d] / chunks)), d);
}

/**
 * The backward of a slicing view (narrow, select, slice): a zero tensor of the input's shape with
 * g written into the part `replay` selects. Recorded, so that second derivatives flow through it.
 */
export function unslice(g: Tensor, shape: readonly number[], replay: (x: Tensor) => Tensor): Tensor {
  const z = fillInto(emptyTensor(shape, g.dtype), 0);
  const target = replay(detach(z));
  if (overlaps(target)) {
    // a view that reads some elements more than once (of an expanded tensor): sum their gradients
    const count = z.numel();
    const positions = replay(arange(count, { dtype: 'int64' }).reshape(shape as number[])).reshape(-1);
    return z.reshape(-1).scatterAdd(0, positions, g.reshape(-1)).reshape(shape as number[]);
  }
  copyInto(target, g);
  return record('unslice', z, [g], replay);
}

function overlaps(t: Tensor): boolean {
  return t.shape.some((n, d) => n > 1 && t._strides[d] === 0);
}
