/**
 * torch.linalg's norms: vector_norm, matrix_norm and norm, composed of the p-norm reduction
 * (reduce.norm, whose backward is PyTorch's norm_backward) and amax/amin, as ATen composes them.
 * The matrix norms that need singular values (2, -2, 'nuc') are not available yet.
 */
import { isFloatingPoint, toDType, type DTypeLike } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { checkOptions, describeValue, isOptionsObject, kinds } from '../options';
import { normalizeDim, normalizeDims } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor } from './common';
import { amax, amin, norm as pNorm, type Dims } from './reduce';

/** vectorNorm's options. */
export interface VectorNormOptions {
  dim?: Dims | null;
  keepdim?: boolean;
  dtype?: DTypeLike;
}

/** matrixNorm's options; `dim` names the two dims of the matrices ([-2, -1] by default). */
export interface MatrixNormOptions {
  dim?: readonly [number, number] | readonly number[];
  keepdim?: boolean;
  dtype?: DTypeLike;
}

/** A matrix norm's order: 'fro', 1, -1, Infinity or -Infinity ('nuc', 2 and -2 need an SVD). */
export type MatrixOrd = 'fro' | 'nuc' | number;

const dtypeKind = 'string' as const;

function converted(x: Tensor, op: string, dtype: DTypeLike | undefined): Tensor {
  if (!isFloatingPoint(x.dtype)) throw new DTypeError(`${op}: Expected a floating point tensor as input. Got ${x.dtype}`);
  if (dtype === undefined) return x;
  const d = toDType(dtype);
  if (!isFloatingPoint(d)) throw new DTypeError(`${op}: dtype should be floating point, but got ${d}`);
  return x.to(d);
}

/**
 * The ord-norm of x as a vector over `dim` (all elements when not given): (sum |x|^ord)^(1/ord),
 * Infinity the largest |x|, -Infinity the smallest, 0 the number of non-zeros
 * (torch.linalg.vector_norm). `dtype` converts x first.
 * @example tg.linalg.vectorNorm(tg.tensor([3, 4])) // 5
 * @example tg.linalg.vectorNorm(x, 1, { dim: -1, keepdim: true })
 */
export function vectorNorm(x: Tensor, ord: number = 2, opts?: VectorNormOptions): Tensor {
  checkTensor(x, 'linalg.vectorNorm', 'x');
  checkOptions('linalg.vectorNorm', opts, { dim: kinds.dims, keepdim: 'boolean', dtype: dtypeKind });
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new TypeError(`linalg.vectorNorm(): argument 'ord' must be a number, but got ${describeValue(ord)}`);
  const dim = opts?.dim ?? undefined;
  const y = converted(x, 'linalg.vectorNorm', opts?.dtype);
  if (ord < 0 || ord === Infinity) {
    const empty = dim === undefined || dim === null ? y.numel() === 0 : normalizeDims(dim, y.shape.length).some((d) => y.shape[d] === 0);
    if (empty) throw new ShapeError(`linalg.vectorNorm cannot compute the ${ord} norm on an empty tensor because the operation does not have an identity`);
  }
  return pNorm(y, ord, dim, opts?.keepdim ?? false);
}

/**
 * The ord-norm of the matrices in the two dims `dim` of x (torch.linalg.matrix_norm): 'fro'
 * (default) the square root of the sum of squares, 1 / -1 the largest / smallest column sum of
 * |x|, Infinity / -Infinity the largest / smallest row sum. 'nuc', 2 and -2 need singular values
 * and are not supported yet.
 * @example tg.linalg.matrixNorm(tg.tensor([[1, -2], [3, 4]]), 1) // 6
 */
export function matrixNorm(x: Tensor, ord: MatrixOrd = 'fro', opts?: MatrixNormOptions): Tensor {
  checkTensor(x, 'linalg.matrixNorm', 'x');
  checkOptions('linalg.matrixNorm', opts, { dim: kinds.dims, keepdim: 'boolean', dtype: dtypeKind });
  if (x.shape.length < 2) throw new ShapeError(`linalg.matrixNorm: The input tensor A must have at least 2 dimensions.`);
  const given = opts?.dim ?? [-2, -1];
  if (!Array.isArray(given) || given.length !== 2) throw new ShapeError(`linalg.matrixNorm: dim must be a 2-tuple. Got ${describeValue(given)}`);
  const dims = (given as number[]).map((d) => normalizeDim(d, x.shape.length));
  if (dims[0] === dims[1]) throw new ShapeError(`linalg.matrixNorm: dims must be different. Got [${given.join(', ')}]`);
  const keepdim = opts?.keepdim ?? false;
  const y = converted(x, 'linalg.matrixNorm', opts?.dtype);
  if (ord === 'fro') return pNorm(y, 2, dims, keepdim);
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    throw new Error(`linalg.matrixNorm: ord ${describeValue(ord)} needs singular values, which tensorgrad does not compute yet`);
  }
  if (ord !== 1 && ord !== -1 && ord !== Infinity && ord !== -Infinity) throw new RangeError(`linalg.matrixNorm: Order ${describeValue(ord)} not supported.`);
  // the Infinity norm is the 1 norm of the transpose: sum |x| over one dim, then max or min over the other
  let [first, second] = Math.abs(ord) === Infinity ? [dims[1], dims[0]] : dims;
  if (!keepdim && first < second) second--;
  if (y.shape[first] === 0 || y.shape[second] === 0) {
    throw new ShapeError(`linalg.matrixNorm cannot compute the ${ord} norm on an empty matrix because the operation does not have an identity`);
  }
  const sums = pNorm(y, 1, first, keepdim);
  return ord > 0 ? amax(sums, second, keepdim) : amin(sums, second, keepdim);
}

/** linalg.norm's options. */
export interface LinalgNormOptions {
  dim?: Dims | null;
  keepdim?: boolean;
  dtype?: DTypeLike;
}

/**
 * torch.linalg.norm: a vector norm when `dim` is one dim (or, without dim, x is 1-D), a matrix
 * norm when it is two (or x is 2-D); without ord and dim, the 2-norm of all elements. ord may
 * also be given in the options object: `norm(x, { ord, dim })`.
 * @example tg.linalg.norm(tg.tensor([[1, 2], [3, 4]])) // 5.4772
 * @example tg.linalg.norm(x, Infinity, { dim: [0, 1] })
 */
export function linalgNorm(x: Tensor, ord?: MatrixOrd | null | (LinalgNormOptions & { ord?: MatrixOrd | null }), opts?: LinalgNormOptions): Tensor {
  checkTensor(x, 'linalg.norm', 'x');
  if (isOptionsObject(ord)) {
    if (opts !== undefined) throw new TypeError('linalg.norm(): expected (x, ord, { dim, keepdim, dtype }) or (x, { ord, dim, keepdim, dtype }), but got both');
    const { ord: o, ...rest } = checkOptions('linalg.norm', ord, { ord: { test: (v) => v === null || typeof v === 'number' || typeof v === 'string', what: 'a number or a string' }, dim: kinds.dims, keepdim: 'boolean', dtype: dtypeKind })!;
    return linalgNorm(x, o as MatrixOrd | null | undefined, rest);
  }
  checkOptions('linalg.norm', opts, { dim: kinds.dims, keepdim: 'boolean', dtype: dtypeKind });
  const o = (ord ?? undefined) as MatrixOrd | undefined, keepdim = opts?.keepdim ?? false, dtype = opts?.dtype;
  const rawDim = opts?.dim ?? undefined;
  const dim = typeof rawDim === 'number' ? [rawDim] : rawDim;
  if (dim !== undefined) {
    if (dim.length === 1) return vectorNorm(x, vectorOrd(o), { dim, keepdim, dtype });
    if (dim.length === 2) return matrixNorm(x, o ?? 'fro', { dim, keepdim, dtype });
    throw new ShapeError(`linalg.norm: If dim is specified, it must be of length 1 or 2. Got [${dim.join(', ')}]`);
  }
  if (o === undefined) return vectorNorm(x, 2, { keepdim, dtype });
  if (x.shape.length === 1) return vectorNorm(x, vectorOrd(o), { keepdim, dtype });
  if (x.shape.length === 2) return matrixNorm(x, o, { keepdim, dtype });
  throw new ShapeError(`linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ${x.shape.length}D.`);
}

function vectorOrd(ord: MatrixOrd | undefined): number {
  if (ord === undefined) return 2;
  if (typeof ord !== 'number') throw new TypeError(`linalg.norm: ord ${describeValue(ord)} is a matrix norm, but dim names one dim (a vector norm takes a number)`);
  return ord;
}
