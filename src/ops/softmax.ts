/**
 * softmax and logSoftmax along one dim, and nllLoss over [n, c] log-probabilities: each one
 * kernel call forward and one backward (native/kernels/softmax.h, nll_loss.h), where composing
 * them from elementwise ops and reductions would take a dozen.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { isFloatingPoint, scalarName } from '../dtype';
import { DTypeError } from '../errors';
import { native } from '../native';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { copyInto, toDtype } from './copy';
import * as meta from './meta';

type Block = [outer: number, c: number, inner: number];

function blockOf(shape: readonly number[], dim: number): Block {
  let outer = 1, inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

/** The stride of dims [from, to) walked as one, or null when they cannot be (size-1 dims skipped). */
function mergedStride(t: Tensor, from: number, to: number): number | null {
  let stride: number | null = null, expected = 0;
  for (let d = to - 1; d >= from; d--) {
    const size = t.shape[d];
    if (size === 1) continue;
    if (stride === null) stride = t._strides[d];
    else if (t._strides[d] !== expected) return null;
    expected = t._strides[d] * size;
  }
  return stride ?? 0;
}

/** t's strides over its [outer, c, inner] block, or null when its layout has none. */
function blockStrides(t: Tensor, dim: number): number[] | null {
  if (t.shape.length === 0) return [0, 0, 0];
  const outer = mergedStride(t, 0, dim), inner = mergedStride(t, dim + 1, t.shape.length);
  return outer === null || inner === null ? null : [outer, t._strides[dim], inner];
}

/** t with a layout that has block strides: t itself, or a contiguous copy (not recorded). */
function blockable(t: Tensor, dim: number): [Tensor, number[]] {
  const s = blockStrides(t, dim);
  if (s !== null) return [t, s];
  const c = copyInto(emptyTensor(t.shape, t.dtype), t);
  return [c, blockStrides(c, dim) as number[]];
}

function describeBlock(block: Block, operands: readonly [Tensor, number[]][]): void {
  meta.begin();
  meta.pushShape(block);
  for (const [t, strides] of operands) meta.pushOperand(t, strides);
  meta.end();
}

function checkFloat(x: Tensor, name: string, dim: number): void {
  if (!isFloatingPoint(x.dtype)) {
    const impl = dim === Math.max(x.shape.length - 1, 0) ? `${name}_lastdim_kernel_impl` : `${name}_kernel_impl`;
    throw new DTypeError(`"${impl}" not implemented for '${scalarName(x.dtype)}'`);
  }
}

function forward(x: Tensor, dim: number, log: boolean): Tensor {
  const d = normalizeDim(dim, x.shape.length);
  checkFloat(x, log ? 'log_softmax' : 'softmax', d);
  const out = emptyTensor(x.shape, x.dtype);
  const xb = blockable(x, d);
  describeBlock(blockOf(x.shape, d), [[out, blockStrides(out, d) as number[]], xb]);
  (log ? native.log_softmax : native.softmax)(out._storage.data, xb[0]._storage.data);
  return record(log ? 'logSoftmax' : 'softmax', out, [x], d);
}

/** exp(x) / sum(exp(x)) along dim, one pass per row. */
export function softmax(x: Tensor, dim: number): Tensor {
  return forward(x, dim, false);
}

/** x - log(sum(exp(x))) along dim, one pass per row. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return forward(x, dim, true);
}

/**
 * The gradient of softmax (log: of logSoftmax) given g and its output: one kernel call, or, while
 * a graph is being recorded through it (createGraph), the same formula from differentiable ops.
 */
export function softmaxBackward(g: Tensor, out: Tensor, dim: number, log: boolean): Tensor {
  if (g.dtype !== out.dtype) g = toDtype(g, out.dtype);
  if (isGradEnabled() && (g._requiresGrad || out._requiresGrad)) {
    return log ? g.sub(out.exp().mul(g.sum(dim, true))) : out.mul(g.sub(g.mul(out).sum(dim, true)));
  }
  const gin = emptyTensor(out.shape, out.dtype);
  const [gb, ob] = [blockable(g, dim), blockable(out, dim)];
  describeBlock(blockOf(out.shape, dim), [[gin, blockStrides(gin, dim) as number[]], gb, ob]);
  (log ? native.log_softmax_backward : native.softmax_backward)(gin._storage.data, gb[0]._storage.data, ob[0]._storage.data);
  return gin;
}

export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION_CODE = { none: 0, mean: 1, sum: 2 } as const;

interface NllContext {
  target: Tensor;
  weight: Tensor | null;
  ignoreIndex: number;
  reduction: Reduction;
  totalWeight: Tensor;
}

/** Strides of an [n, c] (or [c]) input and of an [n] (or []) target, as the kernel reads them. */
function rowStrides(t: Tensor, rows: boolean): number[] {
  return rows ? [...t._strides] : [0, ...t._strides];
}

/**
 * nll_loss of log-probabilities input ([n, c], or [c] with a 0-d target) against class indices:
 * -weight[t] * input[i, t] per row, reduced. Targets are checked by the kernel (IndexError).
 */
export function nllLoss(input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: Reduction): Tensor {
  const rows = input.shape.length === 2;
  const n = rows ? input.shape[0] : 1, c = input.shape[input.shape.length - 1];
  const out = emptyTensor(reduction === 'none' && rows ? [n] : [], input.dtype);
  const totalWeight = emptyTensor([], input.dtype);
  meta.begin();
  meta.pushShape([n, c]);
  meta.pushOperand(input, rowStrides(input, rows));
  meta.pushOperand(target, rows ? target._strides : [0]);
  if (weight !== null) meta.pushOperand(weight);
  meta.pushOperand(out, reduction === 'none' ? (rows ? out._strides : [0]) : []);
  meta.pushOperand(totalWeight, []);
  meta.end();
  native.nll_loss(out._storage.data, totalWeight._storage.data, input._storage.data, target._storage.data,
    weight?._storage.data ?? null, ignoreIndex, REDUCTION_CODE[reduction]);
  const ctx: NllContext = { target, weight, ignoreIndex, reduction, totalWeight };
  return record('nllLoss', out, [input], ctx);
}

/** nllLoss's gradient for an input of `shape`, given g (of the loss's shape). */
export function nllLossBackward(g: Tensor, shape: readonly number[], ctx: NllContext): Tensor {
  const { target, weight, ignoreIndex, reduction, totalWeight } = ctx;
  if (g.dtype !== totalWeight.dtype) g = toDtype(g, totalWeight.dtype);
  if (isGradEnabled() && g._requiresGrad) return nllLossBackwardComposite(g, shape, ctx);
  const rows = shape.length === 2;
  const n = rows ? shape[0] : 1, c = shape[shape.length - 1];
  const gin = emptyTensor(shape, g.dtype);
  meta.begin();
  meta.pushShape([n, c]);
  meta.pushOperand(gin, rowStrides(gin, rows));
  meta.pushOperand(target, rows ? target._strides : [0]);
  if (weight !== null) meta.pushOperand(weight);
  meta.pushOperand(g, reduction === 'none' ? (rows ? g._strides : [0]) : []);
  meta.pushOperand(totalWeight, []);
  meta.end();
  native.nll_loss_backward(gin._storage.data, g._storage.data, target._storage.data, weight?._storage.data ?? null,
    totalWeight._storage.data, ignoreIndex, REDUCTION_CODE[reduction]);
  return gin;
}

/** The same gradient from differentiable ops, for second derivatives. */
function nllLossBackwardComposite(g: Tensor, shape: readonly number[], ctx: NllContext): Tensor {
  const { target, weight, ignoreIndex, reduction, totalWeight } = ctx;
  const rows = shape.length === 2;
  const t = rows ? target.long() : target.long().reshape(1);
  const kept = t.ne(ignoreIndex);
  const safe = t.maskedFill(kept.logicalNot(), 0);
  let coef = kept.to(g.dtype);
  if (weight !== null) coef = coef.mul(weight.gather(0, safe));
  let perRow = coef.neg().mul(reduction === 'none' && rows ? g : g.reshape(1));
  if (reduction === 'mean') perRow = perRow.div(totalWeight);
  const gin = g.newZeros([t.shape[0], shape[shape.length - 1]]).scatter(1, safe.unsqueeze(1), perRow.unsqueeze(1));
  return rows ? gin : gin.reshape(shape as number[]);
}
