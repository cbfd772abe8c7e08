/** Scans along one dim: cumsum, cumprod, logcumsumexp, cummax and cummin (native/kernels/scan.h). */
import { inPlace, record, saveTensor } from '../autograd/graph';
import { isGradEnabled, noGrad } from '../autograd/grad_mode';
import { isFloatingPoint, toDType, type DTypeLike } from '../dtype';
import { DTypeError } from '../errors';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { checkOptions } from '../options';
import { emptyTensor } from './common';
import { where } from './binary';
import { copyInto, toDtype } from './copy';
import { arange } from './creation';
import { launch } from './launch';
import { namedTensors, type ValuesIndices } from './named';

/** cumsum's and cumprod's options: the dtype to convert the input to first (torch.cumsum's dtype). */
export interface CumsumOptions {
  dtype?: DTypeLike;
}

function cumulative(op: 'cumsum' | 'cumprod', x: Tensor, dim: number, opts?: CumsumOptions): Tensor {
  checkOptions(op, opts, { dtype: 'string' });
  const d = normalizeDim(dim, x.shape.length);
  const src = opts?.dtype === undefined ? x : toDtype(x, toDType(opts.dtype));
  const out = emptyTensor(x.shape, isFloatingPoint(src.dtype) ? src.dtype : 'int64');
  launch(op, [out, src], { dim: d });
  return record(op, out, [src], d);
}

/**
 * The running sums of x along dim (torch.cumsum): float inputs keep their dtype, integer and
 * bool inputs sum into int64; with `{ dtype }` the input is converted to it first.
 * @example tg.tensor([[1, 2, 3], [4, 5, 6]]).cumsum(1) // [[1, 3, 6], [4, 9, 15]]
 */
export function cumsum(x: Tensor, dim: number, opts?: CumsumOptions): Tensor {
  return cumulative('cumsum', x, dim, opts);
}

/**
 * The running products of x along dim (torch.cumprod): float inputs keep their dtype, integer
 * and bool inputs multiply into int64 (wrapping); with `{ dtype }` the input is converted first.
 * @example tg.tensor([1, 2, 3, 4]).cumprod(0) // [1, 2, 6, 24]
 */
export function cumprod(x: Tensor, dim: number, opts?: CumsumOptions): Tensor {
  return cumulative('cumprod', x, dim, opts);
}

function cumulative_(op: 'cumsum' | 'cumprod', x: Tensor, dim: number, opts?: CumsumOptions): Tensor {
  checkOptions(`${op}_`, opts, { dtype: 'string' });
  if (opts?.dtype !== undefined && toDType(opts.dtype) !== x.dtype) {
    throw new DTypeError(`${op}_(): the dtype option (${toDType(opts.dtype)}) must be the tensor's own dtype (${x.dtype}) for an in-place call`);
  }
  if (x.dtype === 'bool') throw new DTypeError(`${op}_() is not implemented for bool tensors: the result is int64 (use ${op}(), or convert first)`);
  const d = normalizeDim(dim, x.shape.length);
  // the running results are computed in the usual accumulator (int64 for integers), then stored
  // in x's dtype: modular arithmetic makes that the same as accumulating in x's own width
  return inPlace(op, x, [], d, () => {
    copyInto(x, noGrad(() => cumulative(op, x.detach(), d)));
  });
}

/** cumsum in place (torch.Tensor.cumsum_): the running sums written into x, in x's dtype. */
export function cumsum_(x: Tensor, dim: number, opts?: CumsumOptions): Tensor {
  return cumulative_('cumsum', x, dim, opts);
}

/** cumprod in place (torch.Tensor.cumprod_): the running products written into x, in x's dtype. */
export function cumprod_(x: Tensor, dim: number, opts?: CumsumOptions): Tensor {
  return cumulative_('cumprod', x, dim, opts);
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
  record(which, values, [x], { dim: d, indices: saveTensor(indices) });
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

/** Sums from each position to the end of dim. */
function reversedCumsum(w: Tensor, dim: number): Tensor {
  return w.flip(dim).cumsum(dim).flip(dim);
}

/**
 * cumprod's gradient, right where the input has zeros too (the cases of PyTorch's
 * cumprod_backward). Along a line, d out_j / d x_k is the product of x_0..x_j without x_k (j >= k).
 * Without zeros that is out_j / x_k. With zeros, z1 being the first: positions after z1 get
 * nothing, positions before it get the no-zero formula over j < z1 only, and z1 itself gets
 * prod(x before z1) * sum over z1 <= j < z2 of g_j * prod(x_{z1+1..j}). That O(n) form is not
 * differentiable at the zeros, so while recording (createGraph) the products with x_k left out
 * are built outright, O(n^2) per line, from ops that are.
 */
export function cumprodBackward(g: Tensor, x: Tensor, out: Tensor, dim: number): Tensor {
  if (x.shape.length === 0 || x.shape[dim] <= 1) return g;
  const isZero = x.eq(0);
  if (!isZero.any().item()) return reversedCumsum(out.mul(g), dim).div(x);
  if (isGradEnabled()) return omittedProducts(x, dim).mul(g.movedim(dim, -1).unsqueeze(-2)).sum(-1).movedim(-1, dim);
  const zeros = isZero.cumsum(dim);
  const before = zeros.eq(0), firstZero = isZero.logicalAnd(zeros.eq(1));
  const between = zeros.eq(1).logicalAnd(firstZero.logicalNot());
  const early = reversedCumsum(out.mul(g).maskedFill(before.logicalNot(), 0), dim).div(x);
  const prefix = x.maskedFill(before.logicalNot(), 1).prod(dim, true);
  const tail = x.maskedFill(between.logicalNot(), 1).cumprod(dim).mul(g).maskedFill(zeros.ne(1), 0).sum(dim, true);
  return where(before, early, where(firstZero, tail.mul(prefix), 0));
}

/** [..., k, j] (dim moved last): the product of x_0..x_j without x_k where j >= k, else 0. */
function omittedProducts(x: Tensor, dim: number): Tensor {
  const xm = x.movedim(dim, -1), n = xm.shape[xm.shape.length - 1];
  const index = arange(n, { dtype: 'int64' });
  const diagonal = index.unsqueeze(1).eq(index);
  const rows = xm.unsqueeze(-2).expand([...xm.shape.slice(0, -1), n, n]);
  return rows.maskedFill(diagonal, 1).cumprod(-1).triu();
}
