/**
 * Shapes and strides: validation, broadcasting, dimension wrapping, view strides.
 * Pure functions over number arrays; nothing here knows about tensors.
 */
import { IndexError, ShapeError, shapeStr } from './errors';

export type Shape = readonly number[];

/** The largest element count we accept: past it indices stop being exact doubles. */
const MAX_NUMEL = Number.MAX_SAFE_INTEGER;

/** Checks one size: a non-negative integer (RangeError otherwise, naming the whole shape). */
export function checkSize(n: unknown, shape: readonly unknown[]): number {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new RangeError(`size must be an array of non-negative integers, but got ${String(n)} in ${fmt(shape)}`);
  }
  if (n < 0) {
    throw new RangeError(`Trying to create tensor with negative dimension ${n}: ${fmt(shape)}`);
  }
  return n;
}

function fmt(shape: readonly unknown[]): string {
  return `[${shape.map((x) => String(x)).join(', ')}]`;
}

/**
 * A shape given either as one array or as separate numbers: `randn([2, 3])` == `randn(2, 3)`.
 * Returns the validated shape and the arguments after it.
 */
export function parseShapeArgs(args: readonly unknown[]): { shape: number[]; rest: unknown[] } {
  if (args.length > 0 && Array.isArray(args[0])) {
    const given = args[0] as unknown[];
    return { shape: given.map((n) => checkSize(n, given)), rest: args.slice(1) };
  }
  let i = 0;
  while (i < args.length && (typeof args[i] === 'number' || typeof args[i] === 'bigint')) i++;
  const given = args.slice(0, i).map((n) => (typeof n === 'bigint' ? Number(n) : n));
  return { shape: given.map((n) => checkSize(n, given)), rest: args.slice(i) };
}

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]; // indexed: for-of over a frozen array runs the generic iterator
  if (n > MAX_NUMEL) throw new RangeError(`a tensor of shape ${shapeStr(shape)} has more elements than can be indexed`);
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= Math.max(shape[d], 1);
  }
  return strides;
}

/** Whether strides are row-major for the shape (size-1 dimensions may have any stride). */
export function isContiguous(shape: Shape, strides: Shape): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 0) return true;
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The broadcast of two shapes, or PyTorch's size-mismatch error. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  if (sameShape(a, b)) return a.slice();
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a.length - n + i, db = b.length - n + i;
    const sa = da >= 0 ? a[da] : 1, sb = db >= 0 ? b[db] : 1;
    if (sa !== sb && sa !== 1 && sb !== 1) {
      throw new ShapeError(
        `The size of tensor a (${sa}) must match the size of tensor b (${sb}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = sa === 1 ? sb : sa;
  }
  return out;
}

/** Whether a tensor of `shape` broadcasts to exactly `target` (right-aligned, each dim 1 or equal). */
export function broadcastsTo(shape: Shape, target: Shape): boolean {
  if (shape.length > target.length) return false;
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1 && shape[i] !== target[lead + i]) return false;
  return true;
}

/** Strides that read a tensor of (shape, strides) as if expanded to `target` (0 where it repeats). */
export function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const out = new Array<number>(target.length);
  const lead = target.length - shape.length;
  for (let i = 0; i < target.length; i++) {
    const d = i - lead;
    out[i] = d < 0 || (shape[d] === 1 && target[i] !== 1) ? 0 : strides[d];
  }
  return out;
}

/** Wraps a possibly negative dimension into [0, ndim), or PyTorch's IndexError. */
export function normalizeDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1); // a 0-d tensor accepts dims -1 and 0
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, but got ${String(dim)}`);
  if (dim < -n || dim >= n) {
    throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Normalised, de-duplicated dims (a list or a single dim). */
export function normalizeDims(dims: number | readonly number[], ndim: number): number[] {
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normalizeDim(d, ndim));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new ShapeError(`dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return out;
}

/**
 * The permutation torch.movedim makes: dims `source` go to `destination` (one each, in order),
 * and the other dims fill the places left, in their order.
 */
export function movedDims(ndim: number, source: number | readonly number[], destination: number | readonly number[]): number[] {
  const src = normalizeDims(source, ndim), dst = normalizeDims(destination, ndim);
  if (src.length !== dst.length) {
    throw new ShapeError(`movedim: Invalid source or destination dims: source (${src.length} dims) should contain the same number of dims as destination (${dst.length} dims)`);
  }
  const order = new Array<number>(ndim).fill(-1);
  src.forEach((s, i) => (order[dst[i]] = s));
  const rest = [...Array(ndim).keys()].filter((d) => !src.includes(d));
  for (let d = 0, k = 0; d < ndim; d++) if (order[d] === -1) order[d] = rest[k++];
  return order;
}

/** Resolves one -1 in a requested shape against the element count, as view/reshape do. */
export function inferShape(requested: readonly number[], count: number): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < requested.length; i++) {
    const s = requested[i];
    if (s === -1) {
      if (infer >= 0) throw new ShapeError('only one dimension can be inferred');
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(`invalid shape dimension ${s}`);
    } else {
      known *= s;
    }
  }
  const out = requested.slice();
  if (infer >= 0) {
    if (known === 0 || count % known !== 0) {
      throw new ShapeError(`shape '${shapeStr(requested)}' is invalid for input of size ${count}`);
    }
    out[infer] = count / known;
  } else if (known !== count) {
    throw new ShapeError(`shape '${shapeStr(requested)}' is invalid for input of size ${count}`);
  }
  return out;
}

/**
 * Strides that view (shape, strides) as `target` without copying, or null when the memory layout
 * does not allow it (PyTorch's computeStride): each run of target dims must map onto a run of
 * input dims that is contiguous within itself.
 */
export function viewStrides(shape: Shape, strides: Shape, target: Shape): number[] | null {
  if (shape.length === 0) return target.map(() => 1);
  const total = shape.reduce((a, b) => a * b, 1);
  if (total === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length);
  let viewD = target.length - 1;
  let base = strides[shape.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * base)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * base;
        viewNumel *= target[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        base = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/**
 * Refuses an in-place write into a tensor whose elements share memory (a dimension of size > 1
 * with stride 0, as expand() makes): the result would depend on the order of the writes.
 */
export function checkNoInternalOverlap(shape: Shape, strides: Shape): void {
  for (let d = 0; d < shape.length; d++) {
    if (strides[d] === 0 && shape[d] > 1) {
      throw new ShapeError(
        'unsupported operation: more than one element of the written-to tensor refers to a single memory location. ' +
          'Please clone() the tensor before performing the operation.',
      );
    }
  }
}
