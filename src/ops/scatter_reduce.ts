/**
 * scatterReduce: src's values reduced into x at index along dim (torch.Tensor.scatter_reduce), with
 * its backward. The kernel is `scatter_reduce_` (native/kernels/gather.h); mean is its sum divided
 * by the counts here.
 */
import { inPlace, record } from '../autograd/graph';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { checkOptions } from '../options';
import { normalizeDim } from '../shape';
import { markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { checkTensor, mayOverlap } from './common';
import { clone } from './copy';
import { launch } from './launch';

/** How scatterReduce combines the values that land on one position. */
export type ScatterReduction = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';

/** The options of scatterReduce. */
export interface ScatterReduceOptions {
  /** Whether x's own values take part in the reduction (default true); if not, reached positions start afresh. */
  includeSelf?: boolean;
}

/** The kernel's codes (kernels/gather.h ScatterReduce); mean runs as sum. */
const CODE: Record<ScatterReduction, number> = { sum: 0, prod: 1, mean: 0, amax: 2, amin: 3 };

interface Ctx { dim: number; reduce: ScatterReduction; includeSelf: boolean }

function checkArgs(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: unknown, op: string): number {
  checkTensor(index, op, 'index');
  checkTensor(src, op, 'src');
  if (typeof reduce !== 'string' || !(reduce in CODE)) {
    throw new TypeError(`${op}(): reduce must be one of 'sum', 'prod', 'mean', 'amax' or 'amin', got ${String(reduce)}`);
  }
  if (index.dtype !== 'int64') throw new DTypeError(`${op}(): Expected dtype int64 for index, but got ${index.dtype}`);
  if (src.dtype !== x.dtype) throw new DTypeError(`${op}(): Expected self.dtype to be equal to src.dtype (${x.dtype} and ${src.dtype})`);
  const d = normalizeDim(dim, x.shape.length);
  const nd = Math.max(x.shape.length, 1);
  const size = (t: Tensor, k: number) => (t.shape.length === 0 ? 1 : t.shape[k]);
  if (Math.max(index.shape.length, 1) !== nd || Math.max(src.shape.length, 1) !== nd) {
    throw new ShapeError(`${op}(): Index tensor must have the same number of dimensions as self and src tensors`);
  }
  for (let k = 0; k < nd; k++) {
    if (size(index, k) > size(src, k) || (k !== d && size(index, k) > size(x, k))) {
      throw new ShapeError(`${op}(): Size does not match at dimension ${k}: index ${shapeStr(index.shape)}, self ${shapeStr(x.shape)}, src ${shapeStr(src.shape)}`);
    }
  }
  return d;
}

/** Reduces src into target in place (mean as sum, then divided by the counts). */
function reduceInto(target: Tensor, d: number, index: Tensor, src: Tensor, reduce: ScatterReduction, includeSelf: boolean): void {
  const ix = target.shape.length === 0 ? index.reshape([1]) : index;
  const view = (t: Tensor) => (t.shape.length === 0 ? t.reshape([1]) : t);
  target._storage.beforeWrite();
  launch('scatter_reduce_', [view(target), view(src), ix], { dim: d, reduce: CODE[reduce], includeSelf });
  markWritten(target);
  if (reduce === 'mean') {
    const divisor = meanCounts(target, d, index, src, includeSelf);
    const mean = target.dtype === 'float32' || target.dtype === 'float64' ? target.div(divisor) : target.div(divisor, { roundingMode: 'floor' });
    target._storage.beforeWrite();
    launch('copy', [target, mean]);
    markWritten(target);
  }
}

/**
 * x with src's values reduced in at index along dim: for dim 0, x[index[i][j]][j] becomes
 * reduce(x[...] (with includeSelf), every src[i][j] landing there): torch.Tensor.scatter_reduce.
 * @example tg.tensor([1, 2]).scatterReduce(0, tg.tensor([0, 0], { dtype: 'int64' }), tg.tensor([5, 3]), 'amax') // [5, 2]
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduction, opts?: ScatterReduceOptions): Tensor {
  const d = checkArgs(x, dim, index, src, reduce, 'scatterReduce');
  const includeSelf = checkOptions('scatterReduce', opts, { includeSelf: 'boolean' })?.includeSelf ?? true;
  const out = clone(x).detach();
  reduceInto(out, d, index, src, reduce, includeSelf);
  return record('scatterReduce', out, [x, index, src], { dim: d, reduce, includeSelf } satisfies Ctx);
}

/** scatterReduce in place. */
export function scatterReduce_(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduction, opts?: ScatterReduceOptions): Tensor {
  const d = checkArgs(x, dim, index, src, reduce, 'scatterReduce_');
  const includeSelf = checkOptions('scatterReduce_', opts, { includeSelf: 'boolean' })?.includeSelf ?? true;
  if (mayOverlap(src, x) || mayOverlap(index, x)) {
    throw new ShapeError('scatterReduce_(): unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.');
  }
  return inPlace('scatterReduce', x, [index, src], { dim: d, reduce, includeSelf } satisfies Ctx, () => reduceInto(x, d, index, src, reduce, includeSelf));
}

/**
 * The gradients of scatterReduce for self and src (PyTorch's scatter_reduce_backward): sum and
 * mean pass g (divided by the counts for mean); prod divides the product by each factor, with
 * zeros handled apart; amax/amin share g evenly between the values equal to the result.
 */
export function scatterReduceBackward(g: Tensor, self: Tensor, index: Tensor, src: Tensor, result: Tensor, ctx: unknown): [Tensor, Tensor] {
  const { dim, reduce, includeSelf } = ctx as Ctx;
  let gSelf: Tensor, gSrc: Tensor;
  if (reduce === 'sum') {
    gSelf = g;
    gSrc = g.gather(dim, index);
  } else if (reduce === 'mean') {
    const counts = meanCounts(g, dim, index, src, includeSelf);
    gSelf = g.div(counts);
    gSrc = g.gather(dim, index).div(counts.gather(dim, index));
  } else if (reduce === 'prod') {
    const maskedSelf = self.maskedFill(self.eq(0), 1);
    gSelf = g.mul(scatterReduce(maskedSelf, dim, index, src, 'prod', { includeSelf })).div(maskedSelf);
    const srcI = src.index(...sliced(index)), srcZero = srcI.eq(0);
    const zeros = g.newZeros(self.shape).scatterAdd(dim, index, srcZero.to(self.dtype)).gather(dim, index);
    const single = srcZero.logicalAnd(zeros.eq(1));
    const withoutZero = scatterReduce(self, dim, index, srcI.maskedFill(single, 1), 'prod', { includeSelf });
    gSrc = g.mul(withoutZero).gather(dim, index).where(single, g.mul(result).gather(dim, index).div(srcI.maskedFill(srcZero, 1)));
  } else {
    const value = result.gather(dim, index);
    const selfIs = self.eq(result), srcIs = src.index(...sliced(index)).eq(value);
    const share = g.div(selfIs.to(g.dtype).scatterAdd(dim, index, srcIs.to(g.dtype)));
    gSelf = share.mul(selfIs);
    gSrc = share.gather(dim, index).mul(srcIs);
  }
  if (!includeSelf) gSelf = gSelf.scatter(dim, index, 0);
  return [gSelf, padTo(gSrc, src.shape)];
}

/** How many values each position of mean's result averages (itself with includeSelf, and each src value landing there), at least 1. */
function meanCounts(like: Tensor, dim: number, index: Tensor, src: Tensor, includeSelf: boolean): Tensor {
  const n = like.newFull(like.shape, includeSelf ? 1 : 0).scatterAdd(dim, index, src.newOnes(index.shape));
  return n.maskedFill(n.eq(0), 1);
}

/** The entries of index() that take the part of a tensor the index covers. */
function sliced(index: Tensor): string[] {
  return index.shape.map((n) => `:${n}`);
}

/** g (the shape of the index) placed at the start of a zero tensor of src's shape. */
function padTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.every((n, k) => n === shape[k])) return g;
  return g.newZeros(shape).indexPut(sliced(g), g);
}
