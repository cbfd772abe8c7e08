/** Creating tensors: tensor(), zeros, ones, empty, full, arange, linspace, eye and the *Like forms. */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { dtypeOfArray, getDefaultDtype, toDType, type DType, type DTypeLike } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { contiguousStrides, numel, parseShapeArgs } from '../shape';
import { allocate, isTensor, makeTensor, Storage } from '../storage';
import type { Tensor } from '../tensor';
import { asStrided, checkFits, emptyTensor, fillValue, type Scalar } from './common';
import { copyInto, fillInto } from './copy';
import { launch } from './launch';
import { checkArg, checkOptions, isOptionsObject, typeName } from '../options';

/** Options every creation function takes. */
export interface TensorOptions {
  dtype?: DTypeLike;
  requiresGrad?: boolean;
  /** Where the tensor lives: 'cpu' (tensorgrad's only device; others are an Error). */
  device?: DeviceLike;
}

/** Nested arrays of numbers (or booleans, or bigints), as tensor() takes them. */
export type NestedArray = Scalar | readonly NestedArray[];

/** Applies { requiresGrad } after creation, with PyTorch's check that only floats can. */
export function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function optsFrom(rest: readonly unknown[]): TensorOptions | undefined {
  const o = rest[0];
  if (o === undefined) return undefined;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new TypeError(`expected an options object after the shape, but got ${typeName(o)}`);
  }
  return o as TensorOptions;
}

/** What every creation function's options may hold. */
export const TENSOR_OPTIONS = { dtype: 'string', requiresGrad: 'boolean', device: DEVICE_OPTION } as const;

/** The dtype the options of `fn` ask for (fallback when none), after checking them. */
function dtypeOr(fn: string, opts: TensorOptions | undefined, fallback: DType): DType {
  checkOptions(fn, opts, TENSOR_OPTIONS);
  return opts?.dtype === undefined ? fallback : toDType(opts.dtype);
}

/** The options of a *Like function, checked, with the dtype of t unless they give one. */
function likeOpts(fn: string, t: Tensor, opts: TensorOptions | undefined): TensorOptions {
  checkOptions(fn, opts, TENSOR_OPTIONS);
  return { ...opts, dtype: opts?.dtype ?? t.dtype };
}

// ---- tensor() -----------------------------------------------------------------------------------

/** The most dims a tensor may have (the kernels' limit). */
const MAX_DIMS = 64;

/**
 * The shape of nested arrays (every level rectangular, at most 64 deep, so an array nested in
 * itself stops there) and the dtype their values suggest: bool when all are booleans, int64 when
 * all are bigints, else the default float dtype.
 */
function inspect(data: NestedArray): { shape: number[]; natural: DType } {
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) {
    if (shape.length === MAX_DIMS) {
      throw new RangeError(`tensor(): nested arrays deeper than ${MAX_DIMS} levels (a tensor has at most ${MAX_DIMS} dims; is an array nested in itself?)`);
    }
    shape.push(level.length);
  }
  let bools = 0, bigints = 0, count = 0;
  const check = (x: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) throw new ShapeError(`expected a number at dim ${dim} but got a sequence`);
      if (typeof x === 'boolean') bools++;
      else if (typeof x === 'bigint') bigints++;
      else if (typeof x !== 'number') throw new TypeError(`tensor(): could not infer dtype of ${typeName(x)}`);
      count++;
      return;
    }
    if (!Array.isArray(x)) throw new ShapeError(`expected sequence of length ${shape[dim]} at dim ${dim} (got a number)`);
    if (x.length !== shape[dim]) throw new ShapeError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${x.length})`);
    for (let i = 0; i < x.length; i++) check(x[i], dim + 1);
  };
  check(data, 0);
  const natural = count > 0 && bools === count ? 'bool' : count > 0 && bigints === count ? 'int64' : getDefaultDtype();
  return { shape, natural };
}

/** How a JavaScript value is written into a typed array of each dtype (checked to fit integers). */
const WRITE: Record<DType, (v: Scalar) => number | bigint> = {
  float32: Number,
  float64: Number,
  int32: (v) => (checkFits(v, 'int32', 'tensor'), Number(v)), // the store truncates toward zero
  int64: (v) => (checkFits(v, 'int64', 'tensor'), typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))),
  bool: (v) => (typeof v === 'bigint' ? v !== 0n : Number(v) !== 0) ? 1 : 0, // NaN is true, as in C++
};

/**
 * The values of nested arrays (checked by inspect) written straight into the tensor of `dtype`
 * they make: no intermediate JavaScript list, whose length V8 caps far below what memory
 * holds, and no second copy.
 */
function gather(data: NestedArray, shape: readonly number[], dtype: DType): Tensor {
  const out = emptyTensor(shape, dtype);
  const values = out._storage.data as unknown as { [i: number]: number | bigint };
  const write = WRITE[dtype];
  let at = 0;
  const put = (x: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      values[at++] = write(x as Scalar);
      return;
    }
    const list = x as readonly NestedArray[];
    for (let i = 0; i < list.length; i++) put(list[i], dim + 1);
  };
  put(data, 0);
  return out;
}

/** Typed arrays tensor() accepts, and the dtype each becomes (no unsigned 8-bit dtype: int32). */
function arrayDType(a: ArrayBufferView): DType | undefined {
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray || a instanceof Int8Array || a instanceof Int16Array || a instanceof Uint16Array) {
    return 'int32';
  }
  if (a instanceof Uint32Array) return 'int64';
  return dtypeOfArray(a);
}

/**
 * A tensor holding a copy of `data`: a number, nested arrays, or a typed array. JavaScript
 * numbers become the default float dtype (JavaScript has no separate integers; pass
 * `{ dtype: 'int64' }` for those), booleans bool, bigints int64, typed arrays their own dtype.
 * @example tg.tensor([[1, 2], [3, 4]]) // tensor([[1., 2.], [3., 4.]])
 */
export function tensor(data: NestedArray | ArrayBufferView | Tensor, opts?: TensorOptions): Tensor {
  if (isTensor(data)) return finish(copyInto(emptyTensor(data.shape, dtypeOr('tensor', opts, data.dtype)), data), opts);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const natural = arrayDType(data);
    if (natural === undefined) throw new TypeError(`tensor(): unsupported typed array ${data.constructor.name}`);
    const src = (natural === dtypeOfArray(data) ? data : convertArray(data, natural)) as Storage['data'];
    const view = fromStorage(new Storage(src, natural), [src.length]);
    return finish(copyInto(emptyTensor(view.shape, dtypeOr('tensor', opts, natural)), view), opts);
  }
  // the common case, a flat list of numbers (labels, indices), needs no walk through the nesting
  const { shape, natural } = isNumberList(data) ? { shape: [data.length], natural: getDefaultDtype() } : inspect(data as NestedArray);
  return finish(gather(data as NestedArray, shape, dtypeOr('tensor', opts, natural)), opts);
}

function isNumberList(data: unknown): data is number[] {
  if (!Array.isArray(data) || data.length === 0) return false;
  for (let i = 0; i < data.length; i++) if (typeof data[i] !== 'number') return false;
  return true;
}

function convertArray(a: ArrayBufferView, to: DType): Int32Array | BigInt64Array {
  const values = a as unknown as ArrayLike<number>;
  return to === 'int32' ? Int32Array.from(values) : BigInt64Array.from(values, (v) => BigInt(v));
}

function fill(t: Tensor, value: Scalar, opts: TensorOptions | undefined): Tensor {
  return finish(fillInto(t, value), opts);
}

function fromStorage(storage: Storage, shape: number[]): Tensor {
  return makeTensor(storage, shape, contiguousStrides(shape), 0);
}

// ---- filled tensors -------------------------------------------------------------------------------

/** A shape as one array or as separate sizes, optionally followed by options. @inline */
type ShapeArgs = [shape: readonly number[], opts?: TensorOptions] | [...sizes: number[]] | [...sizes: number[], opts: TensorOptions];

/** @example tg.zeros(2, 3) // also tg.zeros([2, 3], { dtype: 'float64' }) */
export function zeros(...args: ShapeArgs): Tensor {
  const { shape, rest } = parseShapeArgs(args);
  const opts = optsFrom(rest);
  const dtype = dtypeOr('zeros', opts, getDefaultDtype());
  return finish(fromStorage(allocate(dtype, numel(shape), true), shape), opts);
}

/** @example tg.ones(2, 3) */
export function ones(...args: ShapeArgs): Tensor {
  const { shape, rest } = parseShapeArgs(args);
  const opts = optsFrom(rest);
  return finish(fillInto(emptyTensor(shape, dtypeOr('ones', opts, getDefaultDtype())), 1), opts);
}

/** A tensor whose values are whatever the memory held: fill it before reading. */
export function empty(...args: ShapeArgs): Tensor {
  const { shape, rest } = parseShapeArgs(args);
  const opts = optsFrom(rest);
  return finish(emptyTensor(shape, dtypeOr('empty', opts, getDefaultDtype())), opts);
}

/**
 * A tensor filled with value: default float dtype for numbers, bool for booleans, int64 for bigints.
 * @example tg.full([2, 2], 7)
 */
export function full(shape: readonly number[] | number, value: Scalar, opts?: TensorOptions): Tensor {
  const { shape: s } = parseShapeArgs([typeof shape === 'number' ? [shape] : shape]);
  const natural: DType = typeof value === 'boolean' ? 'bool' : typeof value === 'bigint' ? 'int64' : getDefaultDtype();
  const dtype = dtypeOr('full', opts, natural);
  return finish(fillInto(emptyTensor(s, dtype), fillValue(value, dtype, 'full')), opts);
}

export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return zeros(t.shape, likeOpts('zerosLike', t, opts));
}

export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return ones(t.shape, likeOpts('onesLike', t, opts));
}

export function emptyLike(t: Tensor, opts?: TensorOptions): Tensor {
  return empty(t.shape, likeOpts('emptyLike', t, opts));
}

export function fullLike(t: Tensor, value: Scalar, opts?: TensorOptions): Tensor {
  return full(t.shape, value, likeOpts('fullLike', t, opts));
}

/** The n x m identity matrix (m = n unless given). */
export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (isOptionsObject(m)) return eye(n, undefined, m);
  checkArg('eye', 'm', m, 'number');
  const cols = (m as number | undefined) ?? n;
  const t = zeros([n, cols], { dtype: dtypeOr('eye', opts, getDefaultDtype()) });
  const k = Math.min(n, cols);
  if (k > 0) fillInto(asStrided(t, [k], [cols + 1], 0), 1);
  return finish(t, opts);
}

// ---- ranges -----------------------------------------------------------------------------------------

/** A 1-D tensor of n values filled by a range kernel (see native/kernels/range.h). */
function rangeFill(kernel: 'arange_' | 'linspace_', n: number, dtype: DType, a: number, b: number, opts: TensorOptions | undefined): Tensor {
  const out = emptyTensor([n], dtype);
  launch(kernel, [out], kernel === 'arange_' ? { start: a, step: b } : { start: a, end: b });
  return finish(out, opts);
}

/**
 * Values from start (inclusive) to end (exclusive) by step; int64 when all of them are integers
 * (as in PyTorch), the default float dtype otherwise.
 * @example tg.arange(5) // tensor([0, 1, 2, 3, 4])
 */
export function arange(start: number, end?: number | TensorOptions, step?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (isOptionsObject(end)) return arange(0, start, 1, end);
  if (isOptionsObject(step)) return arange(start, end as number | undefined, 1, step);
  checkArg('arange', 'end', end, 'number');
  checkArg('arange', 'step', step, 'number');
  const [s, e, st] = (end === undefined ? [0, start, step ?? 1] : [start, end, step ?? 1]) as [number, number, number];
  for (const v of [s, e, st]) if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`arange: bounds must be finite numbers, got ${v}`);
  if (st === 0) throw new RangeError('step must be nonzero');
  if ((e - s) / st < 0) throw new RangeError('upper bound and larger bound inconsistent with step sign');
  const allInt = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(st);
  const dtype = dtypeOr('arange', opts, allInt ? 'int64' : getDefaultDtype());
  if (dtype === 'bool') throw new DTypeError('arange: bool tensors are not supported');
  return rangeFill('arange_', Math.ceil((e - s) / st), dtype, s, st, opts);
}

/**
 * `steps` values evenly spaced from start to end inclusive.
 * @example tg.linspace(-1, 1, 5) // tensor([-1.0000, -0.5000,  0.0000,  0.5000,  1.0000])
 */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError('number of steps must be non-negative');
  const dtype = dtypeOr('linspace', opts, getDefaultDtype());
  if (dtype === 'bool') throw new DTypeError('linspace: bool tensors are not supported');
  if (steps <= 1) return fill(emptyTensor([steps], dtype), start, opts);
  return rangeFill('linspace_', steps, dtype, start, end, opts);
}
