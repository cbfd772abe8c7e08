/**
 * layerNorm over the last dims: one kernel call forward and one backward
 * (native/kernels/layer_norm.h), where composing it from reductions and elementwise ops takes eight
 * forward and a dozen backward. Inside a backward that records (createGraph), the backward is
 * composed of ops instead, so that second derivatives flow through it.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { numel } from '../shape';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { contiguous } from './copy';
import { launch } from './launch';

interface Saved {
  mean: Tensor;
  rstd: Tensor;
  eps: number;
  /** the normalized (last) dims' sizes */
  shape: readonly number[];
}

/** t with a contiguous layout (the kernels take any offset): t itself when it has one. */
const whole = (t: Tensor) => contiguous(t.detach());

/**
 * y = (x - mean) / sqrt(var + eps) * weight + bias over the last `n` elements of x, for x, weight
 * and bias of one floating-point dtype (functional.layerNorm checks shapes and composes the rest).
 */
export function layerNorm(x: Tensor, shape: readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const n = numel(shape), rows = n === 0 ? 0 : x.numel() / n;
  const xc = whole(x), w = weight && whole(weight), b = bias && whole(bias);
  const y = emptyTensor(x.shape, x.dtype), mean = emptyTensor([rows], x.dtype), rstd = emptyTensor([rows], x.dtype);
  if (rows > 0) {
    launch('layer_norm', [y, mean, rstd, xc, w, b], { eps });
  }
  const saved: Saved = { mean, rstd, eps, shape };
  return record('layerNorm', y, [x, weight, bias], saved, 'NativeLayerNormBackward0');
}

/** The gradients of x, weight and bias (null where not needed), from layerNorm's saved statistics. */
export function layerNormBackward(g: Tensor, x: Tensor, weight: Tensor | null, ctx: unknown, need: readonly boolean[]): (Tensor | null)[] {
  const { mean, rstd, eps, shape } = ctx as Saved;
  if (isGradEnabled()) return composed(g, x, weight, eps, shape.length, need);
  const n = numel(shape), rows = n === 0 ? 0 : x.numel() / n;
  const dx = need[0] ? emptyTensor(x.shape, x.dtype) : null;
  const dw = need[1] ? emptyTensor(shape, x.dtype, rows === 0) : null;
  const db = need[2] ? emptyTensor(shape, x.dtype, rows === 0) : null;
  if (rows > 0) {
    const gc = whole(g), xc = whole(x), w = weight && whole(weight);
    launch('layer_norm_backward', [dx, dw, db, gc, xc, mean, rstd, w]);
  }
  return [dx, dw, db];
}

/** The same backward composed of recorded ops (createGraph), over the last k dims. */
function composed(g: Tensor, x: Tensor, weight: Tensor | null, eps: number, k: number, need: readonly boolean[]): (Tensor | null)[] {
  const lead = Array.from({ length: x.shape.length - k }, (_, i) => i);
  const dims = Array.from({ length: k }, (_, i) => x.shape.length - k + i);
  const mean = x.mean(dims, true);
  const rstd = x.var(dims, { correction: 0, keepdim: true }).add(eps).rsqrt();
  const xhat = x.sub(mean).mul(rstd);
  const gw = weight ? g.mul(weight) : g;
  const dx = need[0] ? rstd.mul(gw.sub(gw.mean(dims, true)).sub(xhat.mul(gw.mul(xhat).mean(dims, true)))) : null;
  const dw = need[1] ? (lead.length > 0 ? g.mul(xhat).sum(lead) : g.mul(xhat)) : null;
  const db = need[2] ? (lead.length > 0 ? g.sum(lead) : g) : null;
  return [dx, dw, db];
}
