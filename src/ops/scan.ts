/** Scans along one dim: cumsum, logcumsumexp, cummax and cummin (native/kernels/scan.h). */
import { record } from '../autograd/graph';
import { isFloatingPoint, toDType, type DTypeLike } from '../dtype';
import { DTypeError } from '../errors';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { checkOptions } from '../options';
import { emptyTensor } from './common';
import { toDtype } from './copy';
import { launch } from './launch';
import { namedTensors, type ValuesIndices } from './named';

/** cumsum's options: the dtype to convert the input to first (torch.cumsum's dtype). */
export interface CumsumOptions {
  dtype?: DTypeLike;
}

/**
 * The running sums of x along dim (torch.cumsum): float inputs keep their dtype, integer and
 * bool inputs sum into int64; with `{ dtype }` the input is converted to it first.
 * @example tg.tensor([[1, 2, 3], [4, 5, 6]]).cumsum(1) // [[1, 3, 6], [4, 9, 15]]
 */
export function cumsum(x: Tensor, dim: number, opts?: CumsumOptions): Tensor {
  checkOptions('cumsum', opts, { dtype: 'string' });
  const d = normalizeDim(dim, x.shape.length);
  const src = opts?.dtype === undefined ? x : toDtype(x, toDType(opts.dtype));
  const out = emptyTensor(x.shape, isFloatingPoint(src.dtype) ? src.dtype : 'int64');
  launch('cumsum', [out, src], { dim: d });
  return record('cumsum', out, [src], d);
}

/**
 * log(cumsum(exp(x))) along dim without overflow (torch.logcumsumexp), for float tensors.
 * @example tg.tensor([0, 0, 0]).logcumsumexp(0) // [0, 0.6931, 1.0986]
 */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(`logcumsumexp() is not implemented for ${x.dtype} tensors: it needs float32 or float64 (convert with .float())`);
  }
  const d = normalizeDim(dim, x.shape.length);
  const out = emptyTensor(x.shape, x.dtype);
  launch('logcumsumexp', [out, x], { dim: d });
  return record('logcumsumexp', out, [x], d);
}


function cumextreme(which: 'cummax' | 'cummin', x: Tensor, dim: number): ValuesIndices {
  const d = normalizeDim(dim, x.shape.length);
  const values = emptyTensor(x.shape, x.dtype), indices = emptyTensor(x.shape, 'int64');
  launch(which, [values, indices, x], { dim: d });
  record(which, values, [x], { dim: d, indices });
  return namedTensors({ values, indices });
}

/**
 * The running maximum along dim and the index where each was reached (torch.cummax): a later
 * equal value takes over, and a NaN takes over and stays.
 * @example tg.tensor([1, 3, 2, 5]).cummax(0).values // [1, 3, 3, 5]
 */
export function cummax(x: Tensor, dim: number): ValuesIndices {
  return cumextreme('cummax', x, dim);
}

/** The running minimum along dim and the index where each was reached (torch.cummin). */
export function cummin(x: Tensor, dim: number): ValuesIndices {
  return cumextreme('cummin', x, dim);
}
