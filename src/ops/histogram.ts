/**
 * Counting and searching (native/kernels/histogram.h): histc, bincount, searchsorted and
 * bucketize. None is differentiable, as in PyTorch.
 */
import { noGrad } from '../autograd/grad_mode';
import { isFloatingPoint, resultType } from '../dtype';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { kinds, positionalOrNamed } from '../options';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor, isScalar, promotionOf, type Scalar } from './common';
import { toDtype } from './copy';
import { tensor } from './creation';
import { launch } from './launch';

/** histc's options (torch.histc): how many bins, and the range (the data's when min equals max). */
export interface HistcOptions {
  bins?: number;
  min?: number;
  max?: number;
}

/**
 * A histogram of x with `bins` equal bins over [min, max] (torch.histc), in x's dtype (float32 or
 * float64). When min equals max (both 0 by default) the data's range is used; elements outside it
 * and NaN are not counted, and max itself falls in the last bin.
 * @example tg.tensor([1, 2, 1]).histc({ bins: 4, min: 0, max: 3 }) // [0, 2, 1, 0]
 */
export function histc(x: Tensor, bins?: number | HistcOptions, min?: number, max?: number): Tensor {
  const o = positionalOrNamed<HistcOptions>('histc', [bins, min, max], { bins: 'number', min: 'number', max: 'number' });
  if (!isFloatingPoint(x.dtype)) throw new DTypeError(`histc() is not implemented for ${x.dtype} tensors: it needs float32 or float64`);
  const n = o.bins ?? 100;
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`histc(): bins must be > 0, but got ${n}`);
  let lo = o.min ?? 0, hi = o.max ?? 0;
  if (lo > hi) throw new RangeError('histc(): max must be larger than min');
  if (lo === hi && x.numel() > 0) {
    const { min: a, max: b } = noGrad(() => x.aminmax());
    [lo, hi] = [a.item<number>(), b.item<number>()];
  }
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`histc(): range of [${lo}, ${hi}] is not finite`);
  // the kernel bins in x's dtype: the range and its width must be finite there too
  const width = x.dtype === 'float32' ? Math.fround(Math.fround(hi) - Math.fround(lo)) : hi - lo;
  if (!Number.isFinite(width)) throw new RangeError(`histc(): the range [${lo}, ${hi}] is beyond what ${x.dtype} holds`);
  const out = emptyTensor([n], x.dtype);
  launch('histc', [out, x], { min: lo, max: hi });
  return out;
}

/** bincount's options (torch.bincount): weights to sum instead of counting, and the least length. */
export interface BincountOptions {
  weights?: Tensor | null;
  minlength?: number;
}

/**
 * How many times each non-negative integer occurs in x, a 1-D int32 or int64 tensor
 * (torch.bincount): int64 counts, or the sums of `weights` (float32 for float32 weights, else
 * float64); at least `minlength` long.
 * @example tg.tensor([1, 1, 3]).bincount() // [0, 2, 0, 1]
 */
export function bincount(x: Tensor, weights?: Tensor | null | BincountOptions, minlength?: number): Tensor {
  const o = positionalOrNamed<BincountOptions>('bincount', [weights, minlength], { weights: kinds.tensorOrNull, minlength: 'number' });
  if (x.dtype !== 'int32' && x.dtype !== 'int64') throw new DTypeError(`bincount() is not implemented for ${x.dtype} tensors: it needs int32 or int64`);
  if (x.shape.length !== 1) throw new ShapeError(`bincount only supports 1-d non-negative integral inputs, but got a tensor of shape ${shapeStr(x.shape)}`);
  const least = o.minlength ?? 0;
  if (!Number.isInteger(least) || least < 0) throw new RangeError(`bincount(): minlength should be >= 0, but got ${least}`);
  const w = o.weights ?? null;
  if (w !== null && (w.shape.length !== 1 || w.shape[0] !== x.shape[0])) {
    throw new ShapeError(`bincount(): weights should be 1-d and have the same length as input, but got ${shapeStr(w.shape)} for an input of ${shapeStr(x.shape)}`);
  }
  let length = least;
  if (x.numel() > 0) {
    const { min: a, max: b } = noGrad(() => x.aminmax());
    if (Number(a.item()) < 0) throw new RangeError('bincount only supports 1-d non-negative integral inputs, but got a negative value');
    length = Math.max(least, Number(b.item()) + 1);
  }
  const wt = w === null ? null : noGrad(() => (w.dtype === 'float32' ? w : toDtype(w, 'float64')));
  const out = emptyTensor([length], wt === null ? 'int64' : wt.dtype);
  launch('bincount', [out, x, wt]);
  return out;
}

/** searchsorted's options (torch.searchsorted). */
export interface SearchsortedOptions {
  /** Take the last suitable position (after equal boundaries) rather than the first. */
  right?: boolean;
  /** 'left' or 'right', the same as `right: false` or `right: true`. */
  side?: 'left' | 'right';
  /** int64 indices that sort each row of the sorted sequence, when it is not sorted itself. */
  sorter?: Tensor | null;
  /** Give int32 positions instead of int64. */
  outInt32?: boolean;
}

const SEARCH_SPEC = { right: 'boolean', side: kinds.oneOf('left', 'right'), sorter: kinds.tensorOrNull, outInt32: 'boolean' } as const;

/**
 * Where each of `values` would go into `sortedSequence` to keep it sorted (torch.searchsorted): the
 * first such position, or with `{ right: true }` the last. The sequence is 1-D, or its leading
 * dims match the values' and each row is searched for its own values. A number for values gives
 * a 0-d result.
 * @example tg.searchsorted(tg.tensor([1, 3, 5]), tg.tensor([3, 6])) // [1, 3]
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | Scalar, opts?: SearchsortedOptions): Tensor {
  const o = positionalOrNamed<SearchsortedOptions>('searchsorted', [opts ?? {}], SEARCH_SPEC);
  const seq = sortedSequence, nd = seq.shape.length;
  if (o.side !== undefined && o.right !== undefined && o.right !== (o.side === 'right')) {
    throw new TypeError(`searchsorted(): side and right can't be set to opposites, got side of '${o.side}' while right was ${o.right}`);
  }
  const right = o.right ?? o.side === 'right';
  if (nd === 0) throw new ShapeError('searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension');
  if (!isTensor(values) && !isScalar(values)) throw new TypeError('searchsorted(): values must be a Tensor or a number');
  const vs = isTensor(values) ? values.shape : [];
  if (nd > 1 && (vs.length !== nd || seq.shape.slice(0, -1).some((s, i) => s !== vs[i]))) {
    throw new ShapeError(
      'searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor ' +
        `must match, but we got boundaries tensor ${shapeStr(seq.shape)} and input value tensor ${shapeStr(vs)}`,
    );
  }
  const sorter = o.sorter ?? null;
  if (sorter !== null) {
    if (sorter.dtype !== 'int64') throw new DTypeError(`searchsorted(): sorter must be an int64 tensor, but got ${sorter.dtype}`);
    if (sorter.shape.length !== nd || sorter.shape.some((s, i) => s !== seq.shape[i])) {
      throw new ShapeError(`searchsorted(): boundary and sorter must have the same size, but got boundary tensor ${shapeStr(seq.shape)} and sorter tensor ${shapeStr(sorter.shape)}`);
    }
  }
  if (seq.dtype === 'bool' || (isTensor(values) && values.dtype === 'bool')) throw new DTypeError('searchsorted() is not implemented for bool tensors');
  const common = resultType([promotionOf(seq), promotionOf(values)]);
  return noGrad(() => {
    const b = seq.dtype === common ? seq : toDtype(seq, common);
    const v = isTensor(values) ? (values.dtype === common ? values : toDtype(values, common)) : tensor(Number(values), { dtype: common });
    const out = emptyTensor(v.shape, o.outInt32 ? 'int32' : 'int64');
    if (out.numel() > 0) launch('searchsorted', [out, b, v, sorter], { right });
    return out;
  });
}

/** bucketize's options (torch.bucketize). */
export interface BucketizeOptions {
  right?: boolean;
  outInt32?: boolean;
}

/**
 * The bucket of each element of input among 1-D sorted `boundaries` (torch.bucketize): the index i
 * with boundaries[i - 1] < x <= boundaries[i], or with `{ right: true }` boundaries[i - 1] <= x <
 * boundaries[i].
 * @example tg.bucketize(tg.tensor([1, 4, 7]), tg.tensor([2, 4, 6])) // [0, 1, 3]
 */
export function bucketize(input: Tensor | Scalar, boundaries: Tensor, opts?: BucketizeOptions): Tensor {
  const o = positionalOrNamed<BucketizeOptions>('bucketize', [opts ?? {}], { right: 'boolean', outInt32: 'boolean' });
  if (!isTensor(boundaries)) throw new TypeError('bucketize(): boundaries must be a Tensor');
  if (boundaries.shape.length !== 1) throw new ShapeError(`bucketize(): boundaries tensor must be 1 dimension, but got dim(${boundaries.shape.length})`);
  return searchsorted(boundaries, input, o);
}
