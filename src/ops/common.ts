/** Helpers every op family uses: recognising scalars, checking arguments, allocating results and views. */
import { scalarDType, type DType } from '../dtype';
import { typeName } from '../options';
import { contiguousStrides, isContiguous, numel } from '../shape';
import { allocate, isTensor, makeTensor, Storage } from '../storage';
import type { Tensor } from '../tensor';

/** A JavaScript value that stands for a scalar: PyTorch's Python number or bool. */
export type Scalar = number | boolean | bigint;
/** What an op accepts in place of a tensor. */
export type TensorLike = Tensor | Scalar;

export function isScalar(x: unknown): x is Scalar {
  return typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint';
}

/** A scalar as the number a kernel receives. */
export function scalarNumber(x: Scalar): number {
  return typeof x === 'number' ? x : Number(x);
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Throws PyTorch's overflow error when `v` is out of the range of dtype: integers (a number is
 * checked before truncation, and NaN never fits), and finite values beyond float32's largest
 * (infinities fit every float dtype). Booleans take any value.
 */
export function checkFits(v: Scalar, dtype: DType, op: string): void {
  if (dtype === 'bool' || typeof v === 'boolean') return;
  let fits: boolean;
  if (dtype === 'int32' || dtype === 'int64') {
    const bits = dtype === 'int32' ? 31 : 63;
    if (typeof v === 'bigint') fits = v >= -(1n << BigInt(bits)) && v < 1n << BigInt(bits);
    else fits = v >= -(2 ** bits) && (dtype === 'int32' ? v <= 2 ** 31 - 1 : v < 2 ** 63); // false for NaN
  } else {
    const x = Number(v);
    fits = !Number.isFinite(x) ? typeof v === 'number' : dtype === 'float64' || Math.abs(x) <= FLOAT32_MAX;
  }
  if (!fits) throw new RangeError(`${op}(): value ${typeof v === 'bigint' ? `${v}n` : v} cannot be converted to type ${dtype} without overflow`);
}

/**
 * A value to write into a tensor of `dtype` (fill_, full, maskedFill): a number, boolean, bigint or
 * 0-d tensor, checked to fit the dtype as PyTorch checks it.
 */
export function fillValue(value: unknown, dtype: DType, op: string): Scalar {
  if (isTensor(value)) {
    if (value.shape.length !== 0) {
      throw new RangeError(`${op}() only supports a 0-dimensional value tensor, but got a tensor with ${value.shape.length} dimension(s).`);
    }
    value = value.item();
  }
  if (!isScalar(value)) throw new TypeError(`${op}(): the value must be a number, boolean, bigint or 0-d tensor, but got ${typeName(value)}`);
  checkFits(value, dtype, op);
  return value;
}

/** Whether a kernel given `v` as a JavaScript number would write a different int64 (beyond 2^53). */
export function inexactAsNumber(v: Scalar): v is bigint {
  return typeof v === 'bigint' && (v > 2n ** 53n || v < -(2n ** 53n));
}

/** A 0-d int64 tensor holding v, broadcast (strides 0) to `shape`. */
export function int64Scalar(v: bigint, shape: readonly number[] = []): Tensor {
  return makeTensor(new Storage(BigInt64Array.of(v), 'int64'), shape, shape.map(() => 0), 0);
}

/** A view of t's storage with the given geometry (trusted: callers derive it from t's own). Not recorded. */
export function asStrided(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return makeTensor(t._storage, shape, strides, offset);
}

/** A fresh contiguous tensor; zeroed only when asked (kernels overwrite outputs entirely). */
export function emptyTensor(shape: readonly number[], dtype: DType, zeroed = false): Tensor {
  return makeTensor(allocate(dtype, numel(shape), zeroed), shape, contiguousStrides(shape), 0);
}

/** The first and last element t reaches in its storage ([0, -1] when it has none). */
function extent(t: Tensor): [number, number] {
  let lo = t._offset, hi = t._offset;
  for (let d = 0; d < t.shape.length; d++) {
    if (t.shape[d] === 0) return [0, -1];
    const span = (t.shape[d] - 1) * t._strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  return [lo, hi];
}

/**
 * Whether a and b may share a memory location: the same storage, with overlapping extents. It is
 * conservative: interleaved views (x[0::2] and x[1::2]) count as overlapping.
 */
export function mayOverlap(a: Tensor, b: Tensor): boolean {
  if (a._storage !== b._storage) return false;
  const [alo, ahi] = extent(a), [blo, bhi] = extent(b);
  return alo <= ahi && blo <= bhi && alo <= bhi && blo <= ahi;
}

/** Whether t is all of its storage, in order: a write to every element of t replaces the whole storage. */
export function isWhole(t: Tensor): boolean {
  return t._offset === 0 && numel(t.shape) === t._storage.length && isContiguous(t.shape, t._strides);
}

/** An operand's part in type promotion (see dtype.resultType). */
export function promotionOf(x: TensorLike): { dtype: DType; kind: 'dim' | 'zero' | 'scalar' } {
  if (isTensor(x)) return { dtype: x.dtype, kind: x.shape.length === 0 ? 'zero' : 'dim' };
  return { dtype: scalarDType(x), kind: 'scalar' };
}

/** Checks an argument is a tensor or a scalar, naming it the way PyTorch's argument parser does. */
export function checkTensorLike(x: unknown, op: string, name = 'other'): asserts x is TensorLike {
  if (!isTensor(x) && !isScalar(x)) {
    throw new TypeError(`${op}(): argument '${name}' must be Tensor or Number, not ${typeName(x)}`);
  }
}

export function checkTensor(x: unknown, op: string, name = 'input'): asserts x is Tensor {
  if (!isTensor(x)) throw new TypeError(`${op}(): argument '${name}' must be Tensor, not ${typeName(x)}`);
}
