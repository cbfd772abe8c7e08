/**
 * softmax and logSoftmax along one dim: one kernel call forward and one backward
 * (native/kernels/softmax.h), where composing them from elementwise ops and reductions takes a dozen.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { isFloatingPoint } from '../dtype';
import { DTypeError } from '../errors';
import { checkOptions, isOptionsObject } from '../options';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { toDtype } from './copy';
import { launch } from './launch';

function checkFloat(x: Tensor, name: string): void {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(`${name}() is not implemented for ${x.dtype} tensors: it needs float32 or float64 (convert with .float())`);
  }
}

function forward(x: Tensor, dim: number, log: boolean): Tensor {
  const d = normalizeDim(dim, x.shape.length);
  checkFloat(x, log ? 'logSoftmax' : 'softmax');
  const out = emptyTensor(x.shape, x.dtype);
  launch(log ? 'log_softmax' : 'softmax', [out, x], { dim: d });
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
  launch(log ? 'log_softmax_backward' : 'softmax_backward', [gin, g, out], { dim });
  return gin;
}
