/**
 * nn.functional's normalisations: batchNorm (one fused kernel, src/ops/batch_norm.ts), groupNorm
 * (layerNorm's kernel over each group), rmsNorm, normalize, cosineSimilarity, pairwiseDistance and
 * dropout2d, with torch.nn.functional's semantics and checks.
 * @module
 */
import { noGrad } from '../autograd/grad_mode';
import { promoteTypes } from '../dtype';
import { DTypeError, ShapeError, shapeStr, warnOnce } from '../errors';
import { batchNorm as batchNormOp } from '../ops/batch_norm';
import { checkTensor } from '../ops/common';
import { layerNorm as layerNormOp } from '../ops/layer_norm';
import { bernoulli_, generatorKind, type Generator } from '../ops/random';
import { broadcastShapes, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { checkArg, checkOptions, isOptionsObject, kinds } from '../options';

/** PyTorch's check that training statistics have more than one value per channel. */
function verifyBatchSize(shape: readonly number[]): void {
  const values = shape.reduce((n, s, d) => (d === 1 ? n : n * s), 1);
  if (values === 1) throw new ShapeError(`Expected more than 1 value per channel when training, got input size ${shapeStr(shape)}`);
}

/** t (weight, bias, a statistic) checked to hold `c` elements of x's dtype, as a 1-D tensor. */
function perChannel(t: Tensor | null | undefined, name: string, c: number, x: Tensor, fn: string): Tensor | null {
  if (t === undefined || t === null) return null;
  checkTensor(t, fn, name);
  if (t.numel() !== c) throw new ShapeError(`${name} should contain ${c} elements not ${t.numel()}`);
  if (t.dtype !== x.dtype) throw new DTypeError(`${fn}(): expected ${name} to have the input's dtype ${x.dtype}, but got ${t.dtype}`);
  return t.dim() === 1 ? t : t.reshape(c);
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with the batch's statistics (and update the running ones), else with the running ones. Default false. */
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation over dim 1 of an [N, C, ...] input, as torch.nn.functional.batch_norm: in
 * training, the batch's mean and biased variance normalise, and runningMean / runningVar (when
 * given) move towards the batch's mean and unbiased variance by momentum, in place; in eval the
 * running statistics normalise.
 * @example F.batchNorm(x, runningMean, runningVar, { training: true })
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  checkOptions('batchNorm', opts, { weight: kinds.tensorOrNull, bias: kinds.tensorOrNull, training: 'boolean', momentum: 'number', eps: 'number' });
  checkTensor(input, 'batchNorm');
  const training = opts.training ?? false, momentum = opts.momentum ?? 0.1, eps = opts.eps ?? 1e-5;
  if (!input.isFloatingPoint()) throw new DTypeError(`batchNorm() expects a floating-point input (float32 or float64), but got ${input.dtype}`);
  if (input.dim() < 2) throw new ShapeError(`batchNorm(): expected an input of shape [N, C, ...] (at least 2 dims), but got ${shapeStr(input.shape)}`);
  if (training) verifyBatchSize(input.shape);
  if (training && !(eps > 0)) throw new RangeError(`batch_norm eps must be positive during training, but got ${eps}`);
  if (!(eps >= 0)) throw new RangeError(`batch_norm eps must be non-negative, but got ${eps}`);
  const c = input.shape[1];
  const rm = perChannel(runningMean, 'running_mean', c, input, 'batchNorm');
  const rv = perChannel(runningVar, 'running_var', c, input, 'batchNorm');
  if (!training && (rm === null || rv === null)) throw new TypeError('batchNorm(): runningMean and runningVar must be given in evaluation mode ({ training: false })');
  const w = perChannel(opts.weight, 'weight', c, input, 'batchNorm'), b = perChannel(opts.bias, 'bias', c, input, 'batchNorm');
  return batchNormOp(input, rm, rv, w, b, training, momentum, eps);
}

/**
 * Group normalisation: the C channels of an [N, C, ...] input split into numGroups groups, each
 * normalised over its channels and the trailing dims, then scaled and shifted per channel.
 * @example F.groupNorm(x, 2, { weight, bias })
 */
export function groupNorm(input: Tensor, numGroups: number, opts: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {}): Tensor {
  checkOptions('groupNorm', opts, { weight: kinds.tensorOrNull, bias: kinds.tensorOrNull, eps: 'number' });
  checkTensor(input, 'groupNorm');
  checkArg('groupNorm', 'numGroups', numGroups, 'number');
  if (input.dim() < 2) throw new ShapeError(`Expected at least 2 dimensions for input tensor but received ${input.dim()}`);
  const [n, c] = input.shape;
  if (!Number.isInteger(numGroups) || numGroups <= 0 || c % numGroups !== 0) {
    throw new ShapeError(`Expected number of channels in input to be divisible by numGroups, but got input of shape ${shapeStr(input.shape)} and numGroups=${numGroups}`);
  }
  verifyBatchSize([(n * c) / numGroups, numGroups, ...input.shape.slice(2)]);
  for (const [name, t] of [['weight', opts.weight], ['bias', opts.bias]] as const) {
    if (t && (t.dim() !== 1 || t.numel() !== c)) {
      throw new ShapeError(`Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${shapeStr(t.shape)} and input of shape ${shapeStr(input.shape)}`);
    }
  }
  if (!input.isFloatingPoint()) throw new DTypeError(`groupNorm() expects a floating-point input (float32 or float64), but got ${input.dtype}`);
  const groups = input.reshape(n, numGroups, -1);
  let y = (groups.shape[2] === 0 ? groups : layerNormOp(groups, [groups.shape[2]], null, null, opts.eps ?? 1e-5)).reshape(input.shape as number[]);
  const view = input.shape.map((s, d) => (d === 1 ? s : 1)).slice(1);
  if (opts.weight) y = y.mul(opts.weight.reshape(view));
  if (opts.bias) y = y.add(opts.bias.reshape(view));
  return y;
}

/** The machine epsilon of a floating dtype (PyTorch's torch.finfo(dtype).eps). */
function finfoEps(dtype: string): number {
  return dtype === 'float64' ? Number.EPSILON : 2 ** -23;
}

/**
 * Root-mean-square normalisation over the trailing dims normalizedShape: x / sqrt(mean(x^2) + eps)
 * * weight, eps defaulting to the input dtype's machine epsilon (torch.nn.functional.rms_norm).
 * @example F.rmsNorm(x, [x.shape.at(-1)!])
 */
export function rmsNorm(input: Tensor, normalizedShape: number | readonly number[], opts: { weight?: Tensor | null; eps?: number | null } = {}): Tensor {
  checkOptions('rmsNorm', opts, { weight: kinds.tensorOrNull, eps: kinds.numberOrNull });
  checkTensor(input, 'rmsNorm');
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = shape.length, tail = input.shape.slice(input.shape.length - k);
  if (k === 0 || input.shape.length < k || tail.some((s, i) => s !== shape[i])) {
    throw new ShapeError(`Given normalizedShape ${shapeStr(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of shape ${shapeStr(input.shape)}`);
  }
  const weight = opts.weight ?? null;
  if (weight && !sameShape(weight.shape, shape)) {
    throw new ShapeError(`Expected weight to be of same shape as normalizedShape, but got weight of shape ${shapeStr(weight.shape)} and normalizedShape ${shapeStr(shape)}`);
  }
  if (!input.isFloatingPoint()) throw new DTypeError(`rmsNorm() expects a floating-point input (float32 or float64), but got ${input.dtype}`);
  const eps = opts.eps ?? finfoEps(input.dtype);
  const dims = shape.map((_, i) => input.shape.length - k + i);
  const y = input.mul(input.square().mean(dims, true).add(eps).rsqrt());
  return weight ? y.mul(weight) : y;
}

export interface NormalizeOptions {
  p?: number;
  dim?: number;
  eps?: number;
}

/**
 * input / max(||input||_p, eps) along dim (torch.nn.functional.normalize): p 2 and dim 1 by default.
 * @example F.normalize(x, { dim: -1 })
 */
export function normalize(input: Tensor, p: number | NormalizeOptions = 2, dim = 1, eps = 1e-12): Tensor {
  if (isOptionsObject(p)) {
    const o = checkOptions('normalize', p, { p: 'number', dim: 'number', eps: 'number' }) as NormalizeOptions;
    [p, dim, eps] = [o.p ?? 2, o.dim ?? 1, o.eps ?? 1e-12];
  }
  checkTensor(input, 'normalize');
  checkArg('normalize', 'p', p, 'number');
  checkArg('normalize', 'dim', dim, 'number');
  checkArg('normalize', 'eps', eps, 'number');
  const denom = input.norm(p as number, dim, true).clampMin(eps).expandAs(input);
  return input.div(denom);
}

/** The floating-point form of a pair's inputs (integers become the float dtype they promote to). */
function floatPair(x1: Tensor, x2: Tensor, fn: string): [Tensor, Tensor] {
  checkTensor(x1, fn, 'x1');
  checkTensor(x2, fn, 'x2');
  const common = promoteTypes(x1.dtype, x2.dtype);
  if (common !== 'float32' && common !== 'float64') throw new DTypeError(`expected common dtype to be floating point, yet common dtype is ${common}`);
  return [x1.dtype === common ? x1 : x1.to(common), x2.dtype === common ? x2 : x2.to(common)];
}

/**
 * The cosine of the angle between x1 and x2 along dim (broadcasting them), as PyTorch 2.x computes
 * it: each input divided by its own norm clamped at eps (the clamp not differentiated), then the
 * products summed, which keeps the result within [-1, 1].
 * @example F.cosineSimilarity(a, b, { dim: 1 })
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim: number | { dim?: number; eps?: number } = 1, eps = 1e-8): Tensor {
  if (isOptionsObject(dim)) {
    const o = checkOptions('cosineSimilarity', dim, { dim: 'number', eps: 'number' }) as { dim?: number; eps?: number };
    [dim, eps] = [o.dim ?? 1, o.eps ?? 1e-8];
  }
  checkArg('cosineSimilarity', 'dim', dim, 'number');
  checkArg('cosineSimilarity', 'eps', eps, 'number');
  let [a, b] = floatPair(x1, x2, 'cosineSimilarity');
  const shape = broadcastShapes(a.shape, b.shape);
  a = a.expand(shape);
  b = b.expand(shape);
  const na = a.norm(2, dim as number, true).clone(), nb = b.norm(2, dim as number, true).clone();
  noGrad(() => {
    na.clamp_({ min: eps });
    nb.clamp_({ min: eps });
  });
  return a.div(na).mul(b.div(nb)).sum(dim as number);
}

/**
 * The p-norm of x1 - x2 + eps along the last dim (torch.nn.functional.pairwise_distance).
 * @example F.pairwiseDistance(a, b)
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor, opts: { p?: number; eps?: number; keepdim?: boolean } = {}): Tensor {
  checkOptions('pairwiseDistance', opts, { p: 'number', eps: 'number', keepdim: 'boolean' });
  checkTensor(x1, 'pairwiseDistance', 'x1');
  checkTensor(x2, 'pairwiseDistance', 'x2');
  const last = Math.max(x1.dim(), x2.dim()) - 1;
  return x1.sub(x2).add(opts.eps ?? 1e-6).norm(opts.p ?? 2, Math.max(last, 0), opts.keepdim ?? false);
}

/**
 * Zeroes whole channels (input[n, c]) with probability p during training and scales the rest by
 * 1 / (1 - p), drawing PyTorch's numbers: bernoulli(1 - p) over an [N, C, 1, 1] mask.
 * @example F.dropout2d(x, 0.2)
 */
export function dropout2d(input: Tensor, p = 0.5, training: boolean | { training?: boolean; inplace?: boolean; generator?: Generator } = true, opts: { inplace?: boolean; generator?: Generator } = {}): Tensor {
  if (isOptionsObject(training)) [training, opts] = [training.training ?? true, training];
  checkOptions('dropout2d', opts, { training: 'boolean', inplace: 'boolean', generator: generatorKind });
  checkTensor(input, 'dropout2d');
  checkArg('dropout2d', 'p', p, 'number');
  checkArg('dropout2d', 'training', training, 'boolean');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  const nd = input.dim();
  if (nd !== 3 && nd !== 4) {
    warnOnce(`dropout2d: Received a ${nd}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).`);
  }
  if (nd === 3) {
    warnOnce('dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.');
  }
  if (!training || p === 0 || input.numel() === 0) return input;
  if (nd < 2) throw new ShapeError('Feature dropout requires at least 2 dimensions in the input');
  if (p === 1) return opts.inplace ? input.mul_(0) : input.mul(0);
  const maskShape = input.shape.map((s, d) => (d < 2 ? s : 1));
  const mask = bernoulli_(input.newEmpty(maskShape), 1 - p, { generator: opts.generator }).div_(1 - p);
  return opts.inplace ? input.mul_(mask) : input.mul(mask);
}
