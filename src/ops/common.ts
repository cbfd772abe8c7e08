/** Helpers every op family uses: recognising tensors and scalars, allocating results. */
import { scalarDType, type DType } from '../dtype';
import { contiguousStrides, isContiguous, numel } from '../shape';
import { allocate, makeTensor, TENSOR } from '../storage';
import type { Tensor } from '../tensor';

/** A JavaScript value that stands for a scalar: PyTorch's Python number or bool. */
export type Scalar = number | boolean | bigint;
/** What an op accepts in place of a tensor. */
export type TensorLike = Tensor | Scalar;

export function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && (x as { [TENSOR]?: boolean })[TENSOR] === true;
}

export function isScalar(x: unknown): x is Scalar {
  return typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint';
}

/** A scalar as the number a kernel receives. */
export function scalarNumber(x: Scalar): number {
  return typeof x === 'number' ? x : Number(x);
}

/** A fresh contiguous tensor; zeroed only when asked (kernels overwrite outputs entirely). */
export function emptyTensor(shape: readonly number[], dtype: DType, zeroed = false): Tensor {
  return makeTensor(allocate(dtype, numel(shape), zeroed), shape, contiguousStrides(shape), 0);
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
    throw new TypeError(`${op}(): argument '${name}' must be Tensor or Number, not ${describe(x)}`);
  }
}

export function checkTensor(x: unknown, op: string, name = 'input'): asserts x is Tensor {
  if (!isTensor(x)) throw new TypeError(`${op}(): argument '${name}' must be Tensor, not ${describe(x)}`);
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'Array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}
