/**
 * nn.functional (also tg.F): activations, softmax and losses as functions, composed from tensor
 * ops so that autograd differentiates them; softmax, logSoftmax, nllLoss and mseLoss are single
 * kernels (src/ops/softmax.ts, src/ops/nll_loss.ts, src/ops/mse_loss.ts). Semantics follow torch.nn.functional.
 * @module
 */
import { AutogradError, DTypeError, ShapeError, shapeStr } from '../errors';
import { where } from '../ops/binary';
import { checkTensor } from '../ops/common';
import { linear as linearOp } from '../ops/linalg';
import { fusable as mseFusable, mseLoss as mseLossOp } from '../ops/mse_loss';
import { nllLoss as nllLossOp } from '../ops/nll_loss';
import * as fused from '../ops/softmax';
import { gelu as geluOp } from '../ops/unary';
import { layerNorm as layerNormOp } from '../ops/layer_norm';
import { isGradEnabled } from '../autograd/grad_mode';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { applyReduction, checkTargetSize, REDUCTION_SPEC, reductionFrom, type Reduction, type ReductionOptions } from './reduction';
import { checkOptions, kinds, type OptionSpec } from '../options';

export type { Reduction, ReductionOptions } from './reduction';
const NLL_SPEC = { ...REDUCTION_SPEC, weight: kinds.tensorOrNull, ignoreIndex: 'number' } as const;
const BCE_SPEC = { ...REDUCTION_SPEC, weight: kinds.tensorOrNull } as const;
/** The options each loss takes. */
export const lossOptions = {
  mseLoss: REDUCTION_SPEC,
  l1Loss: REDUCTION_SPEC,
  nllLoss: NLL_SPEC,
  crossEntropy: { ...NLL_SPEC, labelSmoothing: 'number' },
  binaryCrossEntropy: BCE_SPEC,
  binaryCrossEntropyWithLogits: { ...BCE_SPEC, posWeight: kinds.tensorOrNull },
} satisfies Record<string, OptionSpec>;

/**
 * The reduction an options object asks for, mapping the legacy sizeAverage / reduce as PyTorch
 * does, after checking the options against what the loss `fn` takes.
 */
export function reductionOf(opts: ReductionOptions | undefined, fn: keyof typeof lossOptions): Reduction {
  return reductionFrom(fn, opts, lossOptions[fn]) as Reduction;
}

// ---- activations ---------------------------------------------------------------------------------

export function relu(x: Tensor): Tensor {
  return x.relu();
}

export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}

export function tanh(x: Tensor): Tensor {
  return x.tanh();
}

/** max(0, x) + negativeSlope * min(0, x). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return x.where(x.gt(0), x.mul(negativeSlope));
}

/** x * Φ(x) with the exact normal CDF (PyTorch's default GELU), one pass forward and backward. */
export function gelu(x: Tensor, opts?: { approximate?: 'none' | 'tanh' }): Tensor {
  checkTensor(x, 'gelu');
  const approximate = checkOptions('gelu', opts, { approximate: kinds.oneOf('none', 'tanh') })?.approximate ?? 'none';
  if (approximate === 'none' || !x.isFloatingPoint()) return geluOp(x); // (which refuses integers)
  // PyTorch's tanh form, composed of ops: x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))
  const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(inner.tanh().add(1));
}

/** x * sigmoid(x). */
export function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

/**
 * log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold (as torch.nn.functional.softplus).
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const bx = x.mul(beta);
  // the exponent is capped so that the branch where() discards cannot overflow into NaN gradients
  const smooth = bx.clamp({ max: threshold }).exp().log1p().div(beta);
  return x.where(bx.gt(threshold), smooth);
}

export { logsumexp } from '../ops/reduce';

/**
 * exp(x) / sum(exp(x)) along dim.
 * @example F.softmax(logits, 1)
 */
export function softmax(x: Tensor, dim: number | { dim: number }): Tensor {
  checkTensor(x, 'softmax');
  return fused.softmax(x, dim);
}

/**
 * log(softmax(x)) along dim, without the overflow of taking the log of a softmax.
 * @example F.logSoftmax(logits, 1)
 */
export function logSoftmax(x: Tensor, dim: number | { dim: number }): Tensor {
  checkTensor(x, 'logSoftmax');
  return fused.logSoftmax(x, dim);
}

/**
 * x @ weight^T + bias, with weight of shape [out, in].
 * @example F.linear(x, layer.weight, layer.bias)
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearOp(x, weight, bias);
}

export { dropout } from './functional_dropout';
export type { DropoutOptions } from './functional_dropout';

/**
 * Rows of weight picked by integer indices (int64 or int32), shaped [...input.shape, dim]. The
 * row paddingIdx gets no gradient, as in PyTorch.
 * @example F.embedding(tg.tensor([[1, 2]], { dtype: 'int64' }), table) // [1, 2, dim]
 */
export function embedding(input: Tensor, weight: Tensor, opts: { paddingIdx?: number | null } = {}): Tensor {
  checkOptions('embedding', opts, { paddingIdx: kinds.numberOrNull });
  checkTensor(input, 'embedding');
  checkTensor(weight, 'embedding', 'weight');
  if (input.dtype !== 'int64' && input.dtype !== 'int32') {
    throw new DTypeError(
      `embedding(): expected the indices (argument 'input') to be int64 or int32, but got ${input.dtype}: create them with { dtype: 'int64' } or convert with .long()`,
    );
  }
  if (weight.shape.length !== 2) throw new ShapeError(`'weight' must be 2-D, but got ${weight.shape.length}-D`);
  const rows = weight.indexSelect(0, input.reshape(-1).to('int64'));
  let out = rows;
  const pad = paddingIndex(opts.paddingIdx, weight.shape[0]);
  if (pad !== null && rows.requiresGrad) {
    out = where(input.reshape(-1, 1).ne(pad), rows, rows.detach()); // the same values; no gradient at paddingIdx
  }
  return out.reshape([...input.shape, weight.shape[1]]);
}

/** paddingIdx as a row number (negative counts from the end), checked as nn.Embedding checks it. */
export function paddingIndex(paddingIdx: number | null | undefined, num: number): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= num || paddingIdx < -num) throw new RangeError(`paddingIdx must be within numEmbeddings (${num}), but got ${paddingIdx}`);
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/**
 * Normalises over the trailing dims normalizedShape: (x - mean) / sqrt(var + eps), the variance
 * biased, then * weight + bias when given (torch.nn.functional.layer_norm).
 * @example F.layerNorm(x, [x.shape.at(-1)!])
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkTensor(x, 'layerNorm');
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.shape.length - k);
  if (k === 0 || x.shape.length < k || tail.some((s, i) => s !== normalizedShape[i])) {
    throw new ShapeError(
      `Given normalizedShape ${shapeStr(normalizedShape)}, expected input with shape [*, ${normalizedShape.join(', ')}], but got input of shape ${shapeStr(x.shape)}`,
    );
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && !sameShape(t.shape, normalizedShape)) {
      throw new ShapeError(`Expected ${name} to be of same shape as normalizedShape, but got ${name} of shape ${shapeStr(t.shape)} and normalizedShape ${shapeStr(normalizedShape)}`);
    }
  }
  const fused = x.isFloatingPoint() && [weight, bias].every((t) => !t || t.dtype === x.dtype);
  if (fused) return layerNormOp(x, normalizedShape, weight ?? null, bias ?? null, eps);
  const dims = normalizedShape.map((_, i) => x.shape.length - k + i);
  const mean = x.mean(dims, true);
  const rstd = x.var(dims, { correction: 0, keepdim: true }).add(eps).rsqrt();
  let y = x.sub(mean).mul(rstd);
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

export { conv1d, conv2d, convTranspose2d } from './functional_conv';
export type { Conv1dOptions, Conv2dOptions, ConvTranspose2dOptions, Pair } from './functional_conv';
export { adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d } from './functional_pool';
export type { AdaptiveSize, AvgPool1dOptions, AvgPool2dOptions, MaxPool1dOptions, MaxPool2dOptions, Single } from './functional_pool';
export { interpolate, pad } from './functional_resample';
export type { InterpolateMode, InterpolateOptions, PadMode, PadOptions } from './functional_resample';
export { oneHot } from './functional_one_hot';
export { batchNorm, cosineSimilarity, dropout2d, groupNorm, normalize, pairwiseDistance, rmsNorm } from './functional_norm';
export type { BatchNormOptions, NormalizeOptions } from './functional_norm';
export { elu, hardtanh, mish, prelu, selu, softsign } from './functional_activation';
export { cosineEmbeddingLoss, gaussianNllLoss, huberLoss, klDiv, marginRankingLoss, poissonNllLoss, smoothL1Loss, tripletMarginLoss } from './functional_loss';
export type { GaussianNllOptions, KlDivOptions, PoissonNllOptions, TripletMarginOptions } from './functional_loss';
export { ctcLoss } from './functional_ctc';
export type { CtcLossOptions } from './functional_ctc';
export { scaledDotProductAttention } from '../ops/attention';
export type { ScaledDotProductAttentionOptions } from '../ops/attention';

// ---- losses -----------------------------------------------------------------------------------

/** Mean (or summed) squared error. @example F.mseLoss(pred, y) */
export function mseLoss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const reduction = reductionOf(opts, 'mseLoss');
  checkTensor(input, 'mseLoss');
  checkTensor(target, 'mseLoss', 'target');
  checkTargetSize(input, target);
  if (reduction !== 'none' && mseFusable(input, target)) return mseLossOp(input, target, reduction);
  return applyReduction(input.sub(target).pow(2), reduction);
}

/** Mean (or summed) absolute error. */
export function l1Loss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const reduction = reductionOf(opts, 'l1Loss');
  checkTensor(input, 'l1Loss');
  checkTensor(target, 'l1Loss', 'target');
  checkTargetSize(input, target);
  return applyReduction(input.sub(target).abs(), reduction);
}

export interface NllOptions extends ReductionOptions {
  /** A weight per class. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (default -100). */
  ignoreIndex?: number;
}

function classDimOf(input: Tensor): number {
  if (input.dim() < 1) throw new ShapeError(`Expected 1 or more dimensions (got ${input.dim()})`);
  return input.dim() === 1 ? 0 : 1;
}

function checkClassTargets(input: Tensor, target: Tensor, classDim: number): void {
  if (target.dtype !== 'int64' && target.dtype !== 'int32') {
    throw new DTypeError(
      `class indices must be int64 (or int32) but got ${target.dtype}: create targets with { dtype: 'int64' } or convert with .long()`,
    );
  }
  if (input.dim() > 1 && input.shape[0] !== target.shape[0]) {
    throw new ShapeError(`Expected input batch size (${input.shape[0]}) to match target batch size (${target.shape[0]}).`);
  }
  const expected = input.shape.filter((_, d) => d !== classDim);
  if (!sameShape(target.shape, expected)) {
    throw new ShapeError(`Expected target size ${shapeStr(expected)}, got ${shapeStr(target.shape)}`);
  }
}

/**
 * Negative log likelihood of class-index targets, given log-probabilities ([N, C], [C] or
 * [N, C, d1, ...] with targets [N], [] or [N, d1, ...]). A target outside [0, C) other than
 * ignoreIndex is an IndexError.
 * @example F.nllLoss(F.logSoftmax(logits, 1), labels)
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  const reduction = reductionOf(opts, 'nllLoss');
  const ignoreIndex = opts.ignoreIndex ?? -100;
  checkTensor(input, 'nllLoss');
  checkTensor(target, 'nllLoss', 'target');
  const classDim = classDimOf(input);
  checkClassTargets(input, target, classDim);
  if (!input.isFloatingPoint()) throw new DTypeError(`nllLoss() expects floating-point log-probabilities (float32 or float64), but got ${input.dtype}`);
  if (!Number.isInteger(ignoreIndex)) throw new TypeError(`nllLoss(): ignoreIndex must be an integer, but got ${ignoreIndex}`);
  const c = input.shape[classDim];
  const weight = opts.weight ?? null;
  if (weight !== null) {
    if (weight.dim() !== 1 || weight.numel() !== c) {
      throw new ShapeError(`weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${shapeStr(weight.shape)}`);
    }
    if (weight.requiresGrad && isGradEnabled()) {
      throw new AutogradError('nllLoss() is not differentiable with respect to the weight option: it cannot have requiresGrad true (pass weight.detach())');
    }
  }
  const w = weight === null || weight.dtype === input.dtype ? weight : weight.to(input.dtype);
  if (input.dim() <= 2) return nllLossOp(input, target, w, ignoreIndex, reduction);
  // [N, C, d1, ...]: every position is a row of C classes
  const nd = input.dim();
  const rows = input.permute([0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2), 1]).reshape(-1, c);
  const loss = nllLossOp(rows, target.reshape(-1), w, ignoreIndex, reduction);
  return reduction === 'none' ? loss.reshape(target.shape as number[]) : loss;
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the targets with the uniform distribution by this much (0 to 1). */
  labelSmoothing?: number;
}

/**
 * Cross entropy of logits against class indices (int64) or class probabilities (same shape as
 * the input), as torch.nn.functional.cross_entropy: log_softmax then nll_loss, with PyTorch's
 * weighting, ignoreIndex and label smoothing.
 * @example F.crossEntropy(logits, labels)
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const reduction = reductionOf(opts, 'crossEntropy');
  checkTensor(input, 'crossEntropy');
  checkTensor(target, 'crossEntropy', 'target');
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`labelSmoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const classDim = classDimOf(input);
  const c = input.shape[classDim];
  const logp = logSoftmax(input, classDim);
  const weight = opts.weight ?? null;
  const weightView = weight === null ? null : weight.reshape(input.shape.map((s, d) => (d === classDim ? c : 1)));
  if (sameShape(input.shape, target.shape)) {
    if (!target.isFloatingPoint()) throw new DTypeError(`Expected floating point type for target with class probabilities, got ${target.dtype}`);
    const t = eps > 0 ? target.mul(1 - eps).add(eps / c) : target;
    let prod = logp.mul(t);
    if (weightView !== null) prod = prod.mul(weightView);
    if (reduction === 'none') return prod.sum(classDim).neg();
    if (reduction === 'sum') return prod.sum().neg();
    return prod.sum().neg().div(input.numel() / c);
  }
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const nll = nllLoss(logp, target, { weight, ignoreIndex, reduction });
  if (eps === 0) return nll;
  let smooth = (weightView === null ? logp : logp.mul(weightView)).sum(classDim).neg();
  const ignored = target.eq(ignoreIndex);
  smooth = smooth.maskedFill(ignored, 0);
  let s: Tensor;
  if (reduction === 'none') s = smooth;
  else if (reduction === 'sum') s = smooth.sum();
  else if (weight !== null) {
    const safe = target.long().maskedFill(ignored, 0);
    s = smooth.sum().div(weight.gather(0, safe.reshape(-1)).maskedFill(ignored.reshape(-1), 0).sum());
  } else s = smooth.sum().div(ignored.logicalNot().sum());
  return nll.mul(1 - eps).add(s.mul(eps / c));
}

export interface BceOptions extends ReductionOptions {
  weight?: Tensor | null;
}

/** Binary cross entropy of probabilities in [0, 1]; logs are clamped at -100 as in PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  const reduction = reductionOf(opts, 'binaryCrossEntropy');
  checkTensor(input, 'binaryCrossEntropy');
  checkTensor(target, 'binaryCrossEntropy', 'target');
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `Using a target size (${shapeStr(target.shape)}) that is different to the input size (${shapeStr(input.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
  if (input.numel() > 0 && (input.lt(0).logicalOr(input.gt(1)).any().item<boolean>())) {
    throw new RangeError('all elements of input should be between 0 and 1');
  }
  const logx = input.log().clamp({ min: -100 });
  const log1mx = input.rsub(1).log().clamp({ min: -100 });
  let loss = target.mul(logx).add(target.rsub(1).mul(log1mx)).neg();
  if (opts.weight !== undefined && opts.weight !== null) loss = loss.mul(opts.weight);
  return applyReduction(loss, reduction);
}

export interface BceWithLogitsOptions extends BceOptions {
  /** A weight for positive examples, per class (broadcast over the last dim). */
  posWeight?: Tensor | null;
}

/** Sigmoid followed by binary cross entropy, in one numerically stable expression. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  const reduction = reductionOf(opts, 'binaryCrossEntropyWithLogits');
  checkTensor(input, 'binaryCrossEntropyWithLogits');
  checkTensor(target, 'binaryCrossEntropyWithLogits', 'target');
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`Target size (${shapeStr(target.shape)}) must be the same as input size (${shapeStr(input.shape)})`);
  }
  // softplus(-x) = log(1 + exp(-x)), stably
  const softplusNeg = input.abs().neg().exp().log1p().add(input.neg().relu());
  const logWeight = opts.posWeight === undefined || opts.posWeight === null ? null : opts.posWeight.sub(1).mul(target).add(1);
  let loss = target.rsub(1).mul(input).add(logWeight === null ? softplusNeg : logWeight.mul(softplusNeg));
  if (opts.weight !== undefined && opts.weight !== null) loss = loss.mul(opts.weight);
  return applyReduction(loss, reduction);
}

