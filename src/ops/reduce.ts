/** Reductions over some or all dimensions: sum, mean, prod, amax/amin, max/min(dim), argmax/argmin, var, norm, all/any, logsumexp. */
import { noGrad } from '../autograd/grad_mode';
import { record, saveTensor } from '../autograd/graph';
import { isFloatingPoint, type DType } from '../dtype';
import { DTypeError, IndexError } from '../errors';
import { contiguousStrides, normalizeDims } from '../shape';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { launch, Reshaped } from './launch';
import { namedTensors, type MinMax, type ValuesIndices } from './named';

/** Which dims to reduce: undefined, null or [] mean all of them (as torch.sum(x, dim=[]) does). */
export type Dims = number | readonly number[] | null | undefined;

interface Plan {
  dims: boolean[]; // per input dim: reduced?
  outShape: number[];
  kept: number[];
  reduced: number[];
  count: number; // elements per reduced region
}

function plan(x: Tensor, dims: Dims, keepdim: boolean): Plan {
  const nd = x.shape.length;
  const list = dims === undefined || dims === null || (Array.isArray(dims) && dims.length === 0)
    ? [...Array(nd).keys()]
    : normalizeDims(dims as number | readonly number[], nd);
  const reduced = new Array<boolean>(nd).fill(false);
  for (const d of list) reduced[d] = true;
  const p: Plan = { dims: reduced, outShape: [], kept: [], reduced: [], count: 1 };
  for (let d = 0; d < nd; d++) {
    if (reduced[d]) {
      p.reduced.push(d);
      p.count *= x.shape[d];
      if (keepdim) p.outShape.push(1);
    } else {
      p.kept.push(d);
      p.outShape.push(x.shape[d]);
    }
  }
  return p;
}

/** A (new, contiguous) output of reducing x as the kernels take it: x's shape with 1 along the reduced dims. */
function kept(p: Plan, x: Tensor, out: Tensor): Tensor | Reshaped {
  if (out.shape.length === x.shape.length) return out; // keepdim
  const shape = p.dims.map((reduced, d) => (reduced ? 1 : x.shape[d]));
  return new Reshaped(out, shape, contiguousStrides(shape));
}

type Kernel = 'sum' | 'mean' | 'prod' | 'amax' | 'amin' | 'argmax' | 'argmin' | 'all' | 'any';

function reduce(kernel: Kernel, x: Tensor, dims: Dims, keepdim: boolean, outDtype: DType, name?: string): Tensor {
  const p = plan(x, dims, keepdim);
  if (p.count === 0 && (kernel === 'amax' || kernel === 'amin' || kernel === 'argmax' || kernel === 'argmin')) {
    throw emptyError(kernel.replace(/^a(?=m)/, '') as string, x, p);
  }
  const out = emptyTensor(p.outShape, outDtype);
  launch(kernel, [kept(p, x, out), x]);
  if (kernel === 'argmax' || kernel === 'argmin' || kernel === 'all' || kernel === 'any') return out;
  // PyTorch names the node ...Backward1 when dims were given, ...Backward0 for a full reduction
  const given = !(dims === undefined || dims === null) && (kernel === 'sum' || kernel === 'mean' || kernel === 'prod');
  return record(kernel, out, [x], { dims: p.reduced, keepdim }, name ?? (given ? `${capital(kernel)}Backward1` : undefined));
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function emptyError(op: string, x: Tensor, p: Plan): IndexError {
  if (p.kept.length === 0 && x.shape.length > 0 && p.reduced.length === x.shape.length && x.numel() === 0) {
    return new IndexError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  }
  const d = p.reduced.find((i) => x.shape[i] === 0) ?? 0;
  return new IndexError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
}

/** Integer and bool sums and products accumulate into int64, as in PyTorch. */
function accumulateType(d: DType): DType {
  return isFloatingPoint(d) ? d : 'int64';
}

export function sum(x: Tensor, dims?: Dims, keepdim = false): Tensor {
  return reduce('sum', x, dims, keepdim, accumulateType(x.dtype));
}

export function prod(x: Tensor, dims?: Dims, keepdim = false): Tensor {
  return reduce('prod', x, dims, keepdim, accumulateType(x.dtype));
}

export function mean(x: Tensor, dims?: Dims, keepdim = false): Tensor {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(
      `mean(): could not infer output dtype. Input dtype must be a floating point dtype (float32 or float64). Got: ${x.dtype}`,
    );
  }
  return reduce('mean', x, dims, keepdim, x.dtype);
}

export function amax(x: Tensor, dims?: Dims, keepdim = false, name?: string): Tensor {
  return reduce('amax', x, dims, keepdim, x.dtype, name);
}

export function amin(x: Tensor, dims?: Dims, keepdim = false, name?: string): Tensor {
  return reduce('amin', x, dims, keepdim, x.dtype, name);
}

/** Index of the first maximum; over the flattened tensor when dim is not given. */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return reduce('argmax', dim === undefined || dim === null ? flat(x) : x, dim, keepdim, 'int64');
}

export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return reduce('argmin', dim === undefined || dim === null ? flat(x) : x, dim, keepdim, 'int64');
}

function flat(x: Tensor): Tensor {
  return x.reshape(-1);
}

export function all(x: Tensor, dims?: Dims, keepdim = false): Tensor {
  return reduce('all', x, dims, keepdim, 'bool');
}

export function any(x: Tensor, dims?: Dims, keepdim = false): Tensor {
  return reduce('any', x, dims, keepdim, 'bool');
}

/** max(dim) (torch.max.dim): the largest values along dim and the index of the first of each. */
export function maxDim(x: Tensor, dim: number, keepdim = false): ValuesIndices {
  return extremeAlong('max', x, dim, keepdim);
}

/** min(dim) (torch.min.dim): the smallest values along dim and the index of the first of each. */
export function minDim(x: Tensor, dim: number, keepdim = false): ValuesIndices {
  return extremeAlong('min', x, dim, keepdim);
}

function extremeAlong(which: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  const p = plan(x, dim, keepdim);
  if (p.count === 0) throw emptyError(which, x, p);
  const values = emptyTensor(p.outShape, x.dtype);
  const indices = emptyTensor(p.outShape, 'int64');
  launch(which === 'max' ? 'max_dim' : 'min_dim', [kept(p, x, values), kept(p, x, indices), x]);
  record(which === 'max' ? 'maxDim' : 'minDim', values, [x], { dim: p.reduced[0], keepdim, indices: saveTensor(indices) });
  return namedTensors({ values, indices });
}

/** Variance with the given correction (1: unbiased, Bessel's; 0: population). */
export function variance(x: Tensor, dims: Dims, correction: number, keepdim: boolean): Tensor {
  if (!isFloatingPoint(x.dtype)) throw new DTypeError(`std and var only support floating point dtypes (float32, float64), but got ${x.dtype}`);
  const p = plan(x, dims, keepdim);
  const out = emptyTensor(p.outShape, x.dtype);
  launch('variance', [kept(p, x, out), x], { correction });
  return record('variance', out, [x], { dims: p.reduced, keepdim, correction });
}

/**
 * The p-norm over dims (torch.linalg.vector_norm, Tensor.norm): (sum |x|^p)^(1/p); p = Infinity
 * is the largest |x|, -Infinity the smallest, 0 the count of non-zeros. Differentiated by PyTorch's
 * norm_backward (a zero norm gets a zero gradient).
 */
export function norm(x: Tensor, p: number, dims: Dims, keepdim: boolean): Tensor {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(`norm(): Expected a floating point tensor as input. Got ${x.dtype}`);
  }
  if (typeof p !== 'number' || Number.isNaN(p)) throw new TypeError(`norm(): argument 'p' must be a number, not ${String(p)}`);
  const reduced = plan(x, dims, keepdim).reduced;
  const out = noGrad(() => {
    const a = x.abs();
    if (p === 2) return a.mul(a).sum(reduced, keepdim).sqrt();
    if (p === 1) return a.sum(reduced, keepdim);
    if (p === Infinity) return a.amax(reduced, keepdim);
    if (p === -Infinity) return a.amin(reduced, keepdim);
    if (p === 0) return a.ne(0).to(x.dtype).sum(reduced, keepdim);
    return a.pow(p).sum(reduced, keepdim).pow(1 / p);
  });
  return record('norm', out, [x], { p, dims: reduced, keepdim }, 'LinalgVectorNormBackward0');
}

/**
 * log(sum(exp(x))) along dim, shifted by the maximum so that nothing overflows (torch.logsumexp).
 * @example tg.logsumexp(tg.tensor([1000, 1000]), 0) // 1000.6931
 */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  if (x.numel() === 0) return x.exp().sum(dim, keepdim).log();
  const m = x.amax(dim, true).detach();
  const shift = m.where(m.abs().ne(Infinity), 0); // an all -inf row stays -inf, not NaN
  const out = x.sub(shift).exp().sum(dim, true).log().add(shift);
  return keepdim ? out : out.squeeze(dim);
}

/**
 * The number of non-zero elements over dims, int64 (torch.count_nonzero); NaN counts as non-zero.
 * @example tg.tensor([[0, 1], [2, 3]]).countNonzero(1) // [1, 2]
 */
export function countNonzero(x: Tensor, dims?: Dims): Tensor {
  return noGrad(() => x.ne(0)).sum(dims);
}

/** The minimum and the maximum over dims in one call (torch.aminmax). */
export function aminmax(x: Tensor, dims?: Dims, keepdim = false): MinMax {
  return namedTensors({ min: amin(x, dims, keepdim), max: amax(x, dims, keepdim) });
}

/** The sum over dims with NaN counted as zero (torch.nansum); differentiable like sum. */
export function nansum(x: Tensor, dims?: Dims, keepdim = false): Tensor {
  if (!isFloatingPoint(x.dtype)) return sum(x, dims, keepdim);
  return sum(x.where(x.isnan().logicalNot(), 0), dims, keepdim);
}

/** The mean over dims of the elements that are not NaN (torch.nanmean); NaN where there are none. */
export function nanmean(x: Tensor, dims?: Dims, keepdim = false): Tensor {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(`nanmean(): expected input to have floating point dtype (float32 or float64), but got ${x.dtype}`);
  }
  const counted = noGrad(() => x.isnan().logicalNot());
  return nansum(x, dims, keepdim).div(sum(counted, dims, keepdim));
}
