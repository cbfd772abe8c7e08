/**
 * The torch.* forms of Tensor methods: `tg.add(a, b)` is `a.add(b)`, `tg.matmul(a, b)` is
 * `a.matmul(b)`, and so on.
 */
import { checkTensor, type Scalar, type TensorLike } from './ops/common';
import { binaryReversed, where as whereOp, type DivOptions } from './ops/binary';
import type { ScatterReduceOptions, ScatterReduction } from './ops/scatter_reduce';
import type { Dims } from './ops/reduce';
import type { CumsumOptions } from './ops/scan';
import type { DiagonalOptions } from './ops/view';
import { repeatInterleaveIndices, type RepeatInterleaveOptions } from './ops/rearrange';
import { isOptionsObject } from './options';
import type { IndexPutOptions, IndexSpec } from './ops/subscript';
import type { CloseOptions, ScaleOptions } from './ops/pointwise';
export { addbmm, addmv, addr, baddbmm, cdist, kron, tensordot } from './ops/linalg_ext';
export { einsum } from './ops/einsum';
import type { ClampBounds } from './ops/unary';
import { isTensor } from './storage';
import type { DimOptions, KeepdimOptions, Tensor, VarOptions } from './tensor';
import { nonzeroIndices, type IndexAddOptions, type NonzeroOptions } from './ops/indexing';
import type { SelectOptions, SortOptions, TopkOptions } from './ops/sort';
import type { UniqueConsecutiveOptions, UniqueExtras, UniqueOptions, UniqueResult } from './ops/unique';
import type { BincountOptions, HistcOptions } from './ops/histogram';
export { bucketize, searchsorted } from './ops/histogram';
import type { MinMax, ValuesIndices } from './ops/named';

export function add(input: Tensor, other: TensorLike, opts?: { alpha?: number }): Tensor { checkTensor(input, 'add'); return input.add(other, opts); }
export function sub(input: Tensor, other: TensorLike, opts?: { alpha?: number }): Tensor { checkTensor(input, 'sub'); return input.sub(other, opts); }
/** other - alpha * input (torch.rsub). */
export function rsub(input: Tensor, other: TensorLike, opts?: { alpha?: number }): Tensor { checkTensor(input, 'rsub'); return input.rsub(other, opts); }
export function mul(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'mul'); return input.mul(other); }
export function div(input: Tensor, other: TensorLike, opts?: DivOptions): Tensor { checkTensor(input, 'div'); return input.div(other, opts); }
export function floorDivide(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'floorDivide'); return input.floorDivide(other); }
export function pow(input: Tensor | Scalar, exponent: TensorLike): Tensor {
  if (isTensor(input)) return input.pow(exponent);
  checkTensor(exponent, 'pow', 'exponent');
  return binaryReversed('pow', exponent, input);
}
export function maximum(input: Tensor, other: Tensor): Tensor { checkTensor(input, 'maximum'); return input.maximum(other); }
export function minimum(input: Tensor, other: Tensor): Tensor { checkTensor(input, 'minimum'); return input.minimum(other); }
export function atan2(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'atan2'); return input.atan2(other); }
export function lerp(input: Tensor, end: Tensor, weight: Tensor | number): Tensor { checkTensor(input, 'lerp'); return input.lerp(end, weight); }
export function addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: ScaleOptions): Tensor { checkTensor(input, 'addcmul'); return input.addcmul(tensor1, tensor2, opts); }
export function addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: ScaleOptions): Tensor { checkTensor(input, 'addcdiv'); return input.addcdiv(tensor1, tensor2, opts); }
export function isclose(input: Tensor, other: Tensor, opts?: CloseOptions): Tensor { checkTensor(input, 'isclose'); return input.isclose(other, opts); }
export function clip(input: Tensor, min?: Scalar | Tensor | null | ClampBounds, max?: Scalar | Tensor | null): Tensor { checkTensor(input, 'clip'); return input.clip(min, max); }
export function outer(input: Tensor, vec2: Tensor): Tensor { checkTensor(input, 'outer'); return input.outer(vec2); }
export function movedim(input: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor { checkTensor(input, 'movedim'); return input.movedim(source, destination); }
export function roll(input: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor { checkTensor(input, 'roll'); return input.roll(shifts, dims); }
export function tile(input: Tensor, reps: readonly number[]): Tensor { checkTensor(input, 'tile'); return input.tile(reps); }
export function hypot(input: Tensor, other: Tensor): Tensor { checkTensor(input, 'hypot'); return input.hypot(other); }
export function fmod(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'fmod'); return input.fmod(other); }
export function remainder(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'remainder'); return input.remainder(other); }
export function neg(input: Tensor): Tensor { checkTensor(input, 'neg'); return input.neg(); }
export function abs(input: Tensor): Tensor { checkTensor(input, 'abs'); return input.abs(); }
export function exp(input: Tensor): Tensor { checkTensor(input, 'exp'); return input.exp(); }
export function log(input: Tensor): Tensor { checkTensor(input, 'log'); return input.log(); }
export function sqrt(input: Tensor): Tensor { checkTensor(input, 'sqrt'); return input.sqrt(); }
export function square(input: Tensor): Tensor { checkTensor(input, 'square'); return input.square(); }
export function sin(input: Tensor): Tensor { checkTensor(input, 'sin'); return input.sin(); }
export function cos(input: Tensor): Tensor { checkTensor(input, 'cos'); return input.cos(); }
export function tanh(input: Tensor): Tensor { checkTensor(input, 'tanh'); return input.tanh(); }
export function sigmoid(input: Tensor): Tensor { checkTensor(input, 'sigmoid'); return input.sigmoid(); }
export function relu(input: Tensor): Tensor { checkTensor(input, 'relu'); return input.relu(); }
export function sign(input: Tensor): Tensor { checkTensor(input, 'sign'); return input.sign(); }
export function floor(input: Tensor): Tensor { checkTensor(input, 'floor'); return input.floor(); }
export function ceil(input: Tensor): Tensor { checkTensor(input, 'ceil'); return input.ceil(); }
export function round(input: Tensor): Tensor { checkTensor(input, 'round'); return input.round(); }
export function trunc(input: Tensor): Tensor { checkTensor(input, 'trunc'); return input.trunc(); }
export function log2(input: Tensor): Tensor { checkTensor(input, 'log2'); return input.log2(); }
export function log10(input: Tensor): Tensor { checkTensor(input, 'log10'); return input.log10(); }
export function log1p(input: Tensor): Tensor { checkTensor(input, 'log1p'); return input.log1p(); }
export function expm1(input: Tensor): Tensor { checkTensor(input, 'expm1'); return input.expm1(); }
export function rsqrt(input: Tensor): Tensor { checkTensor(input, 'rsqrt'); return input.rsqrt(); }
export function reciprocal(input: Tensor): Tensor { checkTensor(input, 'reciprocal'); return input.reciprocal(); }
export function tan(input: Tensor): Tensor { checkTensor(input, 'tan'); return input.tan(); }
export function asin(input: Tensor): Tensor { checkTensor(input, 'asin'); return input.asin(); }
export function acos(input: Tensor): Tensor { checkTensor(input, 'acos'); return input.acos(); }
export function atan(input: Tensor): Tensor { checkTensor(input, 'atan'); return input.atan(); }
export function sinh(input: Tensor): Tensor { checkTensor(input, 'sinh'); return input.sinh(); }
export function cosh(input: Tensor): Tensor { checkTensor(input, 'cosh'); return input.cosh(); }
export function erf(input: Tensor): Tensor { checkTensor(input, 'erf'); return input.erf(); }
export function softmax(input: Tensor, dim: number | { dim: number }): Tensor { checkTensor(input, 'softmax'); return input.softmax(dim); }
export function logSoftmax(input: Tensor, dim: number | { dim: number }): Tensor { checkTensor(input, 'logSoftmax'); return input.logSoftmax(dim); }
export function clamp(input: Tensor, min?: Scalar | Tensor | null | ClampBounds, max?: Scalar | Tensor | null): Tensor { checkTensor(input, 'clamp'); return input.clamp(min, max); }
export function clampMin(input: Tensor, min: Scalar): Tensor { checkTensor(input, 'clampMin'); return input.clampMin(min); }
export function clampMax(input: Tensor, max: Scalar): Tensor { checkTensor(input, 'clampMax'); return input.clampMax(max); }
export function mm(input: Tensor, mat2: Tensor): Tensor { checkTensor(input, 'mm'); return input.mm(mat2); }
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor { checkTensor(input, 'addmm'); return input.addmm(mat1, mat2, opts); }
export function matmul(input: Tensor, other: Tensor): Tensor { checkTensor(input, 'matmul'); return input.matmul(other); }
export function bmm(input: Tensor, mat2: Tensor): Tensor { checkTensor(input, 'bmm'); return input.bmm(mat2); }
export function mv(input: Tensor, vec: Tensor): Tensor { checkTensor(input, 'mv'); return input.mv(vec); }
export function dot(input: Tensor, other: Tensor): Tensor { checkTensor(input, 'dot'); return input.dot(other); }
export function t(input: Tensor): Tensor { checkTensor(input, 't'); return input.t(); }
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor { checkTensor(input, 'transpose'); return input.transpose(dim0, dim1); }
export function swapaxes(input: Tensor, axis0: number, axis1: number): Tensor { checkTensor(input, 'swapaxes'); return input.swapaxes(axis0, axis1); }
export function swapdims(input: Tensor, dim0: number, dim1: number): Tensor { checkTensor(input, 'swapdims'); return input.swapdims(dim0, dim1); }
/** The diagonal of dims dim1 and dim2 as a view (torch.diagonal). @example tg.diagonal(tg.eye(3), { offset: 1 }) // [0, 0] */
export function diagonal(input: Tensor, offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor { checkTensor(input, 'diagonal'); return input.diagonal(offset, dim1, dim2); }
/** A vector as a diagonal matrix, or a matrix's diagonal as a copy (torch.diag). @example tg.diag(tg.tensor([1, 2])) */
export function diag(input: Tensor, diagonal = 0): Tensor { checkTensor(input, 'diag'); return input.diag(diagonal); }
/** The last dim written on the diagonal of two new dims (torch.diag_embed). @example tg.diagEmbed(tg.ones(2, 3)).shape // [2, 3, 3] */
export function diagEmbed(input: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor { checkTensor(input, 'diagEmbed'); return input.diagEmbed(offset, dim1, dim2); }
/** The sum of a matrix's main diagonal (torch.trace). @example tg.trace(tg.eye(3)) // 3 */
export function trace(input: Tensor): Tensor { checkTensor(input, 'trace'); return input.trace(); }
/** Rotated 90 degrees k times in the plane of dims (torch.rot90). @example tg.rot90(tg.tensor([[1, 2], [3, 4]])) // [[2, 4], [1, 3]] */
export function rot90(input: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor { checkTensor(input, 'rot90'); return input.rot90(k, dims); }
/**
 * Each element of input repeated along dim (torch.repeat_interleave); or, given only a 1-D
 * int64 tensor of counts, each index i repeated repeats[i] times.
 * @example tg.repeatInterleave(tg.tensor([1, 2]), 2) // [1, 1, 2, 2]
 * @example tg.repeatInterleave(tg.tensor([2, 1], { dtype: 'int64' })) // [0, 0, 1]
 */
export function repeatInterleave(input: Tensor, repeats?: number | Tensor | { outputSize?: number | null }, opts?: RepeatInterleaveOptions): Tensor {
  checkTensor(input, 'repeatInterleave');
  if (repeats === undefined || isOptionsObject(repeats)) return repeatInterleaveIndices(input, repeats);
  return input.repeatInterleave(repeats, opts);
}
export function permute(input: Tensor, dims: readonly number[]): Tensor { checkTensor(input, 'permute'); return input.permute(dims); }
export function reshape(input: Tensor, shape: readonly number[]): Tensor { checkTensor(input, 'reshape'); return input.reshape(shape); }
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor { checkTensor(input, 'flatten'); return input.flatten(startDim, endDim); }
export function unflatten(input: Tensor, dim: number, sizes: readonly number[]): Tensor { checkTensor(input, 'unflatten'); return input.unflatten(dim, sizes); }
export function squeeze(input: Tensor, dim?: number | readonly number[]): Tensor { checkTensor(input, 'squeeze'); return input.squeeze(dim); }
export function unsqueeze(input: Tensor, dim: number): Tensor { checkTensor(input, 'unsqueeze'); return input.unsqueeze(dim); }
export function narrow(input: Tensor, dim: number, start: number, length: number): Tensor { checkTensor(input, 'narrow'); return input.narrow(dim, start, length); }
export function select(input: Tensor, dim: number, index: number): Tensor { checkTensor(input, 'select'); return input.select(dim, index); }
export function unbind(input: Tensor, dim = 0): Tensor[] { checkTensor(input, 'unbind'); return input.unbind(dim); }
export function split(tensor: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] { checkTensor(tensor, 'split', 'tensor'); return tensor.split(splitSizeOrSections, dim); }
export function chunk(input: Tensor, chunks: number, dim = 0): Tensor[] { checkTensor(input, 'chunk'); return input.chunk(chunks, dim); }
export function clone(input: Tensor): Tensor { checkTensor(input, 'clone'); return input.clone(); }
export function detach(input: Tensor): Tensor { checkTensor(input, 'detach'); return input.detach(); }
export function sum(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'sum'); return input.sum(dim, keepdim); }
export function mean(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'mean'); return input.mean(dim, keepdim); }
export function prod(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'prod'); return input.prod(dim, keepdim); }
export function amax(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'amax'); return input.amax(dim, keepdim); }
export function amin(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'amin'); return input.amin(dim, keepdim); }
export function argmax(input: Tensor, dim?: number | null | DimOptions<number | null>, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'argmax'); return input.argmax(dim, keepdim); }
export function argmin(input: Tensor, dim?: number | null | DimOptions<number | null>, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'argmin'); return input.argmin(dim, keepdim); }
export function cumsum(input: Tensor, dim: number, opts?: CumsumOptions): Tensor { checkTensor(input, 'cumsum'); return input.cumsum(dim, opts); }
/** The running products along dim (torch.cumprod). @example tg.cumprod(tg.tensor([1, 2, 3]), 0) // [1, 2, 6] */
export function cumprod(input: Tensor, dim: number, opts?: CumsumOptions): Tensor { checkTensor(input, 'cumprod'); return input.cumprod(dim, opts); }
export function nansum(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'nansum'); return input.nansum(dim, keepdim); }
export function nanmean(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'nanmean'); return input.nanmean(dim, keepdim); }
export function countNonzero(input: Tensor, dim?: Dims | { dim?: Dims }): Tensor { checkTensor(input, 'countNonzero'); return input.countNonzero(dim); }
export function aminmax(input: Tensor, opts?: DimOptions): MinMax { checkTensor(input, 'aminmax'); return input.aminmax(opts); }
export function logcumsumexp(input: Tensor, dim: number): Tensor { checkTensor(input, 'logcumsumexp'); return input.logcumsumexp(dim); }
export function cummax(input: Tensor, dim: number): ValuesIndices { checkTensor(input, 'cummax'); return input.cummax(dim); }
export function cummin(input: Tensor, dim: number): ValuesIndices { checkTensor(input, 'cummin'); return input.cummin(dim); }
export function logsumexp(input: Tensor, dim: number | readonly number[] | DimOptions<number | readonly number[]>, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'logsumexp'); return input.logsumexp(dim, keepdim); }
export function variance(input: Tensor, dim?: Dims | (VarOptions & { dim?: Dims }), opts?: VarOptions | boolean, keepdim?: boolean): Tensor { checkTensor(input, 'var'); return input.var(dim, opts, keepdim); }
export function std(input: Tensor, dim?: Dims | (VarOptions & { dim?: Dims }), opts?: VarOptions | boolean, keepdim?: boolean): Tensor { checkTensor(input, 'std'); return input.std(dim, opts, keepdim); }
export function isnan(input: Tensor): Tensor { checkTensor(input, 'isnan'); return input.isnan(); }
export function isinf(input: Tensor): Tensor { checkTensor(input, 'isinf'); return input.isinf(); }
export function isfinite(input: Tensor): Tensor { checkTensor(input, 'isfinite'); return input.isfinite(); }
export function flip(input: Tensor, dims: number | readonly number[]): Tensor { checkTensor(input, 'flip'); return input.flip(typeof dims === 'number' ? [dims] : dims); }
export function tril(input: Tensor, diagonal = 0): Tensor { checkTensor(input, 'tril'); return input.tril(diagonal); }
export function triu(input: Tensor, diagonal = 0): Tensor { checkTensor(input, 'triu'); return input.triu(diagonal); }
export function norm(input: Tensor, p: number | 'fro' | { p?: number | 'fro'; dim?: Dims; keepdim?: boolean } = 2, dim?: Dims | { dim?: Dims; keepdim?: boolean }, keepdim?: boolean): Tensor { checkTensor(input, 'norm'); return input.norm(p, dim, keepdim); }
export function all(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'all'); return input.all(dim, keepdim); }
export function any(input: Tensor, dim?: Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { checkTensor(input, 'any'); return input.any(dim, keepdim); }
export function eq(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'eq'); return input.eq(other); }
export function ne(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'ne'); return input.ne(other); }
export function lt(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'lt'); return input.lt(other); }
export function le(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'le'); return input.le(other); }
export function gt(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'gt'); return input.gt(other); }
export function ge(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'ge'); return input.ge(other); }
export function equal(input: Tensor, other: Tensor): boolean { checkTensor(input, 'equal'); return input.equal(other); }
export function allclose(input: Tensor, other: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean { checkTensor(input, 'allclose'); return input.allclose(other, opts); }
export function logicalNot(input: Tensor): Tensor { checkTensor(input, 'logicalNot'); return input.logicalNot(); }
export function logicalAnd(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'logicalAnd'); return input.logicalAnd(other); }
export function logicalOr(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'logicalOr'); return input.logicalOr(other); }
export function logicalXor(input: Tensor, other: TensorLike): Tensor { checkTensor(input, 'logicalXor'); return input.logicalXor(other); }
export function maskedFill(input: Tensor, mask: Tensor, value: TensorLike): Tensor { checkTensor(input, 'maskedFill'); return input.maskedFill(mask, value); }
export function gather(input: Tensor, dim: number, index: Tensor): Tensor { checkTensor(input, 'gather'); return input.gather(dim, index); }
export function indexSelect(input: Tensor, dim: number, index: Tensor): Tensor { checkTensor(input, 'indexSelect'); return input.indexSelect(dim, index); }
export function scatter(input: Tensor, dim: number, index: Tensor, src: Tensor | Scalar): Tensor { checkTensor(input, 'scatter'); return input.scatter(dim, index, src); }
export function scatterAdd(input: Tensor, dim: number, index: Tensor, src: Tensor): Tensor { checkTensor(input, 'scatterAdd'); return input.scatterAdd(dim, index, src); }
export function indexPut(input: Tensor, indices: IndexSpec[] | Tensor, values: Tensor | Scalar, opts?: IndexPutOptions): Tensor { checkTensor(input, 'indexPut'); return input.indexPut(indices, values, opts); }
export function indexAdd(input: Tensor, dim: number, index: Tensor, source: Tensor, opts?: IndexAddOptions): Tensor { checkTensor(input, 'indexAdd'); return input.indexAdd(dim, index, source, opts); }
export function indexCopy(input: Tensor, dim: number, index: Tensor, source: Tensor): Tensor { checkTensor(input, 'indexCopy'); return input.indexCopy(dim, index, source); }
export function indexFill(input: Tensor, dim: number, index: Tensor, value: Scalar | Tensor): Tensor { checkTensor(input, 'indexFill'); return input.indexFill(dim, index, value); }
export function maskedSelect(input: Tensor, mask: Tensor): Tensor { checkTensor(input, 'maskedSelect'); return input.maskedSelect(mask); }
export function maskedScatter(input: Tensor, mask: Tensor, source: Tensor): Tensor { checkTensor(input, 'maskedScatter'); return input.maskedScatter(mask, source); }
export function nonzero(input: Tensor, opts: NonzeroOptions & { asTuple: true }): Tensor[];
export function nonzero(input: Tensor, opts?: NonzeroOptions & { asTuple?: false }): Tensor;
export function nonzero(input: Tensor, opts?: NonzeroOptions): Tensor | Tensor[] { checkTensor(input, 'nonzero'); return input.nonzero(opts); }
export function argwhere(input: Tensor): Tensor { checkTensor(input, 'argwhere'); return input.argwhere(); }
export function take(input: Tensor, index: Tensor): Tensor { checkTensor(input, 'take'); return input.take(index); }
export function takeAlongDim(input: Tensor, indices: Tensor, dim?: number | null): Tensor { checkTensor(input, 'takeAlongDim'); return input.takeAlongDim(indices, dim); }
export function scatterReduce(input: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduction, opts?: ScatterReduceOptions): Tensor { checkTensor(input, 'scatterReduce'); return input.scatterReduce(dim, index, src, reduce, opts); }
export function sort(input: Tensor, dim?: number | SortOptions, descending?: boolean | Omit<SortOptions, 'dim'>): ValuesIndices { checkTensor(input, 'sort'); return input.sort(dim, descending); }
export function argsort(input: Tensor, dim?: number | SortOptions, descending?: boolean | Omit<SortOptions, 'dim'>): Tensor { checkTensor(input, 'argsort'); return input.argsort(dim, descending); }
export function msort(input: Tensor): Tensor { checkTensor(input, 'msort'); return input.msort(); }
export function topk(input: Tensor, k: number, dim?: number | TopkOptions, largest?: boolean, sorted?: boolean): ValuesIndices { checkTensor(input, 'topk'); return input.topk(k, dim, largest, sorted); }
export function kthvalue(input: Tensor, k: number, dim?: number | SelectOptions, keepdim?: boolean | KeepdimOptions): ValuesIndices { checkTensor(input, 'kthvalue'); return input.kthvalue(k, dim, keepdim); }
export function mode(input: Tensor, dim?: number | SelectOptions, keepdim?: boolean | KeepdimOptions): ValuesIndices { checkTensor(input, 'mode'); return input.mode(dim, keepdim); }
export function bincount(input: Tensor, weights?: Tensor | null | BincountOptions, minlength?: number): Tensor { checkTensor(input, 'bincount'); return input.bincount(weights, minlength); }
export function histc(input: Tensor, bins?: number | HistcOptions, min?: number, max?: number): Tensor { checkTensor(input, 'histc'); return input.histc(bins, min, max); }
export function numel(input: Tensor): number { checkTensor(input, 'numel'); return input.numel(); }

/**
 * The largest element (torch.max): of all of input; along dim as { values, indices }; or the
 * elementwise maximum with other.
 * @example tg.max(x); const { values, indices } = tg.max(x, 1)
 */
export function max(input: Tensor): Tensor;
export function max(input: Tensor, dim: number | DimOptions<number>, keepdim?: boolean | KeepdimOptions): ValuesIndices;
export function max(input: Tensor, other: Tensor): Tensor;
export function max(input: Tensor, dim?: number | Tensor | DimOptions<number>, keepdim?: boolean | KeepdimOptions): Tensor | ValuesIndices {
  checkTensor(input, 'max');
  if (isTensor(dim)) return input.max(dim);
  return dim === undefined && keepdim === undefined ? input.max() : input.max(dim as number, keepdim);
}

/** The smallest element (torch.min), as max gives the largest. @example tg.min(x, 0, true).values */
export function min(input: Tensor): Tensor;
export function min(input: Tensor, dim: number | DimOptions<number>, keepdim?: boolean | KeepdimOptions): ValuesIndices;
export function min(input: Tensor, other: Tensor): Tensor;
export function min(input: Tensor, dim?: number | Tensor | DimOptions<number>, keepdim?: boolean | KeepdimOptions): Tensor | ValuesIndices {
  checkTensor(input, 'min');
  if (isTensor(dim)) return input.min(dim);
  return dim === undefined && keepdim === undefined ? input.min() : input.min(dim as number, keepdim);
}

/** The lower median (torch.median): of all of input, or along dim as { values, indices }. @example tg.median(x); tg.median(x, 1).indices */
export function median(input: Tensor): Tensor;
export function median(input: Tensor, dim: number | (SelectOptions & { dim: number }), keepdim?: boolean | KeepdimOptions): ValuesIndices;
export function median(input: Tensor, dim?: number | SelectOptions, keepdim?: boolean | KeepdimOptions): Tensor | ValuesIndices {
  checkTensor(input, 'median');
  return dim === undefined && keepdim === undefined ? input.median() : input.median(dim as number, keepdim);
}

/** The lower median ignoring NaN (torch.nanmedian), as tg.median. @example tg.nanmedian(x, 0) */
export function nanmedian(input: Tensor): Tensor;
export function nanmedian(input: Tensor, dim: number | (SelectOptions & { dim: number }), keepdim?: boolean | KeepdimOptions): ValuesIndices;
export function nanmedian(input: Tensor, dim?: number | SelectOptions, keepdim?: boolean | KeepdimOptions): Tensor | ValuesIndices {
  checkTensor(input, 'nanmedian');
  return dim === undefined && keepdim === undefined ? input.nanmedian() : input.nanmedian(dim as number, keepdim);
}

/** The distinct elements of input, sorted (torch.unique); see Tensor.unique. @example tg.unique(x, { returnCounts: true }).counts */
export function unique(input: Tensor, opts: UniqueOptions & UniqueExtras): UniqueResult;
export function unique(input: Tensor, opts?: UniqueOptions): Tensor;
export function unique(input: Tensor, opts?: UniqueOptions): Tensor | UniqueResult { checkTensor(input, 'unique'); return input.unique(opts as UniqueOptions & UniqueExtras); }

/** Runs of equal consecutive elements kept once (torch.unique_consecutive). @example tg.uniqueConsecutive(x) */
export function uniqueConsecutive(input: Tensor, opts: UniqueConsecutiveOptions & UniqueExtras): UniqueResult;
export function uniqueConsecutive(input: Tensor, opts?: UniqueConsecutiveOptions): Tensor;
export function uniqueConsecutive(input: Tensor, opts?: UniqueConsecutiveOptions): Tensor | UniqueResult { checkTensor(input, 'uniqueConsecutive'); return input.uniqueConsecutive(opts as UniqueConsecutiveOptions & UniqueExtras); }

/**
 * cond ? input : other elementwise (torch.where); the condition must be a bool tensor. With the
 * condition alone, the indices where it is true (or non-zero), one int64 tensor per dim, as
 * torch.where(cond) and torch.nonzero(cond, as_tuple=True) give them.
 * @example tg.where(x.gt(0), x, 0); const [rows, cols] = tg.where(mask)
 */
export function where(cond: Tensor): Tensor[];
export function where(cond: Tensor, input: TensorLike, other: TensorLike): Tensor;
export function where(cond: Tensor, ...rest: TensorLike[]): Tensor | Tensor[] {
  checkTensor(cond, 'where', 'condition');
  if (rest.length === 0) return nonzeroIndices(cond);
  if (rest.length !== 2) throw new TypeError(`where(): expected a condition alone or a condition, input and other, but got ${rest.length + 1} arguments`);
  return whereOp(cond, rest[0], rest[1]);
}

export { isTensor };
/** torch.cross: the cross product along `dim`, by default the first dim of size 3 (tg.linalg.cross defaults to -1). */
export function cross(input: Tensor, other: Tensor, opts?: { dim?: number | null }): Tensor { checkTensor(input, 'cross'); return input.cross(other, opts); }
