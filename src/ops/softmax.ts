/**
 * softmax and logSoftmax along one dim: one kernel call forward and one backward
 * (native/kernels/softmax.h), where composing them from elementwise ops and reductions takes a dozen.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { isFloatingPoint } from '../dtype';
import { DTypeError } from '../errors';
import { native } from '../native';
import { checkOptions, isOptionsObject } from '../options';
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

function checkFloat(x: Tensor, name: string): void {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(`${name}() is not implemented for ${x.dtype} tensors: it needs float32 or float64 (convert with .float())`);
  }
}

function forward(x: Tensor, dim: number, log: boolean): Tensor {
  const d = normalizeDim(dim, x.shape.length);
  checkFloat(x, log ? 'logSoftmax' : 'softmax');
  const out = emptyTensor(x.shape, x.dtype);
  const xb = blockable(x, d);
  describeBlock(blockOf(x.shape, d), [[out, blockStrides(out, d) as number[]], xb]);
  (log ? native.log_softmax : native.softmax)(out._storage.data, xb[0]._storage.data);
  return record(log ? 'logSoftmax' : 'softmax', out, [x], d);
}

/** The dim of softmax / logSoftmax, given as a number or as { dim }. */
function dimOf(fn: string, dim: number | { dim: number }): number {
  const d = isOptionsObject(dim) ? checkOptions(fn, dim, { dim: 'number' })!.dim : dim;
  if (typeof d !== 'number') throw new TypeError(`${fn}(): dim must be given (implicit dim choice is deprecated in PyTorch)`);
  return d;
}

/** exp(x) / sum(exp(x)) along dim (a number or { dim }), one pass per row. */
export function softmax(x: Tensor, dim: number | { dim: number }): Tensor {
  return forward(x, dimOf('softmax', dim), false);
}

/** x - log(sum(exp(x))) along dim (a number or { dim }), one pass per row. */
export function logSoftmax(x: Tensor, dim: number | { dim: number }): Tensor {
  return forward(x, dimOf('logSoftmax', dim), true);
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
