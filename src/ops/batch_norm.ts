/**
 * batchNorm over the channels (dim 1) of an [n, c, ...] input: one kernel call forward (the batch
 * statistics, the running statistics' update and the output) and one backward
 * (native/kernels/batch_norm.h). Inside a backward that records (createGraph), the backward is
 * composed of ops instead, so that second derivatives flow through it.
 */
import { isGradEnabled, noGrad } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { contiguous } from './copy';
import { launch } from './launch';

interface Saved {
  mean: Tensor;
  invstd: Tensor;
  training: boolean;
  eps: number;
}

/** t with a contiguous layout (the kernels take any offset): t itself when it has one. */
const whole = (t: Tensor) => contiguous(t.detach());

/**
 * y = (x - mean) * invstd * weight + bias per channel, the statistics those of the batch (training,
 * which also updates runningMean and runningVar in place when given) or the running ones (eval).
 * Every tensor is of x's floating-point dtype; functional.batchNorm checks the shapes.
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null, bias: Tensor | null,
  training: boolean, momentum: number, eps: number,
): Tensor {
  const c = x.shape[1];
  const y = emptyTensor(x.shape, x.dtype), mean = emptyTensor([c], x.dtype), invstd = emptyTensor([c], x.dtype);
  // the kernel updates the running statistics in place: a copy when they are not laid out whole
  const rm = runningMean && (runningMean.isContiguous() ? runningMean : runningMean.contiguous());
  const rv = runningVar && (runningVar.isContiguous() ? runningVar : runningVar.contiguous());
  if (x.numel() > 0 || !training) {
    launch('batch_norm', [y, mean, invstd, whole(x), weight && whole(weight), bias && whole(bias), rm, rv], { training, momentum, eps });
  }
  if (training) {
    for (const [given, used] of [[runningMean, rm], [runningVar, rv]] as const) {
      if (given === null || used === null) continue;
      if (used !== given) noGrad(() => given.copy_(used));
      else markWritten(given);
    }
  }
  const saved: Saved = { mean, invstd, training, eps };
  return record('batchNorm', y, [x, weight, bias], saved, 'NativeBatchNormBackward0');
}

/** The gradients of x, weight and bias (null where not needed), from batchNorm's saved statistics. */
export function batchNormBackward(g: Tensor, x: Tensor, weight: Tensor | null, ctx: unknown, need: readonly boolean[]): (Tensor | null)[] {
  const { mean, invstd, training } = ctx as Saved;
  if (isGradEnabled()) return composed(g, x, weight, ctx as Saved, need);
  const c = x.shape[1];
  const dx = need[0] ? emptyTensor(x.shape, x.dtype) : null;
  const dw = need[1] ? emptyTensor([c], x.dtype) : null;
  const db = need[2] ? emptyTensor([c], x.dtype) : null;
  launch('batch_norm_backward', [dx, dw, db, whole(g), whole(x), mean, invstd, weight && whole(weight)], { training });
  return [dx, dw, db];
}

/** The same backward composed of recorded ops (createGraph). */
function composed(g: Tensor, x: Tensor, weight: Tensor | null, saved: Saved, need: readonly boolean[]): (Tensor | null)[] {
  const dims = x.shape.map((_, i) => i).filter((d) => d !== 1);
  const view = x.shape.map((s, d) => (d === 1 ? s : 1));
  let mean = saved.mean.reshape(view), invstd = saved.invstd.reshape(view);
  if (saved.training) {
    // the batch statistics depend on x: recompute them with ops
    mean = x.mean(dims, true);
    invstd = x.var(dims, { correction: 0, keepdim: true }).add(saved.eps).rsqrt();
  }
  const xhat = x.sub(mean).mul(invstd);
  const gw = weight ? g.mul(weight.reshape(view)) : g;
  let dx: Tensor | null = null;
  if (need[0]) {
    dx = saved.training ? invstd.mul(gw.sub(gw.mean(dims, true)).sub(xhat.mul(gw.mul(xhat).mean(dims, true)))) : gw.mul(invstd);
  }
  const dw = need[1] ? g.mul(xhat).sum(dims) : null;
  const db = need[2] ? g.sum(dims) : null;
  return [dx, dw, db];
}
