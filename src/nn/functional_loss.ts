/**
 * nn.functional's losses beyond functional.ts's: klDiv, smoothL1Loss, huberLoss,
 * marginRankingLoss, cosineEmbeddingLoss, tripletMarginLoss, poissonNllLoss, gaussianNllLoss,
 * composed of ops with ATen's formulas (Loss.cpp) and torch.nn.functional's checks.
 * @module
 */
import { noGrad } from '../autograd/grad_mode';
import { ShapeError, shapeStr, warnOnce } from '../errors';
import { broadcastShapes, sameShape } from '../shape';
import { checkTensor } from '../ops/common';
import type { Tensor } from '../tensor';
import { checkOptions, kinds, type OptionSpec } from '../options';
import { applyReduction, checkTargetSize, REDUCTION_SPEC, reductionFrom, type Reduction, type ReductionOptions } from './reduction';
import { pairwiseDistance } from './functional_norm';


/** The options each loss of this file takes. */
export const extraLossOptions = {
  klDiv: { ...REDUCTION_SPEC, logTarget: 'boolean' },
  smoothL1Loss: { ...REDUCTION_SPEC, beta: 'number' },
  huberLoss: { reduction: 'string', delta: 'number', weight: kinds.tensorOrNull },
  marginRankingLoss: { ...REDUCTION_SPEC, margin: 'number' },
  cosineEmbeddingLoss: { ...REDUCTION_SPEC, margin: 'number' },
  tripletMarginLoss: { ...REDUCTION_SPEC, margin: 'number', p: 'number', eps: 'number', swap: 'boolean' },
  poissonNllLoss: { ...REDUCTION_SPEC, logInput: 'boolean', full: 'boolean', eps: 'number' },
  gaussianNllLoss: { reduction: 'string', full: 'boolean', eps: 'number' },
} satisfies Record<string, OptionSpec>;

/** The reduction the options of `fn` ask for (see reductionFrom); `extra` lists reductions beyond the usual three. */
export function extraReduction(fn: keyof typeof extraLossOptions, opts: ReductionOptions | undefined, extra: readonly string[] = []): string {
  return reductionFrom(fn, opts, extraLossOptions[fn], extra);
}

/** input and target broadcast to one shape, with PyTorch's warning when they differ. */
function broadcastPair(input: Tensor, target: Tensor, fn: string): [Tensor, Tensor] {
  checkTensor(input, fn);
  checkTensor(target, fn, 'target');
  if (sameShape(input.shape, target.shape)) return [input, target];
  checkTargetSize(input, target);
  const shape = broadcastShapes(input.shape, target.shape);
  return [input.expand(shape), target.expand(shape)];
}

export interface KlDivOptions extends Omit<ReductionOptions, 'reduction'> {
  /** 'mean' (every element), 'batchmean' (the sum over the batch size: the KL divergence), 'sum' or 'none'. */
  reduction?: Reduction | 'batchmean';
  /** Whether target holds log-probabilities. */
  logTarget?: boolean;
}

/**
 * The Kullback-Leibler divergence of target from input (log-probabilities): target * (log(target) -
 * input), zero where target is 0 (torch.nn.functional.kl_div).
 * @example F.klDiv(F.logSoftmax(logits, 1), probs, { reduction: 'batchmean' })
 */
export function klDiv(input: Tensor, target: Tensor, opts: KlDivOptions = {}): Tensor {
  const reduction = extraReduction('klDiv', opts as ReductionOptions, ['batchmean']);
  checkTensor(input, 'klDiv');
  checkTensor(target, 'klDiv', 'target');
  if (opts.sizeAverage === undefined && opts.reduce === undefined && reduction === 'mean') {
    warnOnce(
      "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  const loss = opts.logTarget
    ? target.exp().mul(target.sub(input))
    : target.mul(target.log()).where(target.ne(0), 0).sub(target.mul(input)); // xlogy(target, target) - target * input
  if (reduction === 'batchmean') return input.dim() === 0 ? loss.sum() : loss.sum().div(input.shape[0]);
  return applyReduction(loss, reduction);
}

/**
 * 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere, d = input - target (beta 0: the L1
 * loss), as torch.nn.functional.smooth_l1_loss.
 * @example F.smoothL1Loss(pred, y, { beta: 0.5 })
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: ReductionOptions & { beta?: number } = {}): Tensor {
  const reduction = extraReduction('smoothL1Loss', opts);
  const beta = opts.beta ?? 1;
  if (beta < 0) throw new RangeError('smooth_l1_loss does not support negative values for beta.');
  const [x, y] = broadcastPair(input, target, 'smoothL1Loss');
  const d = x.sub(y), ad = d.abs();
  if (beta === 0) return applyReduction(ad, reduction);
  return applyReduction(ad.sub(0.5 * beta).where(ad.ge(beta), d.square().mul(0.5 / beta)), reduction);
}

/**
 * 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere (torch.nn.functional.huber_loss),
 * optionally weighted elementwise.
 * @example F.huberLoss(pred, y, { delta: 2 })
 */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number; weight?: Tensor | null } = {}): Tensor {
  const reduction = extraReduction('huberLoss', opts);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError('huber_loss does not support non-positive values for delta.');
  const [x, y] = broadcastPair(input, target, 'huberLoss');
  const d = x.sub(y), ad = d.abs();
  let loss = ad.sub(0.5 * delta).mul(delta).where(ad.ge(delta), d.square().mul(0.5));
  if (opts.weight !== undefined && opts.weight !== null) {
    if (!sameShape(opts.weight.shape, input.shape)) throw new ShapeError('Weights and input must have the same size.');
    loss = loss.mul(opts.weight);
  }
  return applyReduction(loss, reduction);
}

/**
 * max(0, -target * (input1 - input2) + margin), target 1 or -1 saying which input should rank
 * higher (torch.nn.functional.margin_ranking_loss).
 * @example F.marginRankingLoss(a, b, y, { margin: 0.5 })
 */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, opts: ReductionOptions & { margin?: number } = {}): Tensor {
  const reduction = extraReduction('marginRankingLoss', opts);
  checkTensor(input1, 'marginRankingLoss', 'input1');
  checkTensor(input2, 'marginRankingLoss', 'input2');
  checkTensor(target, 'marginRankingLoss', 'target');
  const sizes = `input1: ${shapeStr(input1.shape)}, input2: ${shapeStr(input2.shape)}, target: ${shapeStr(target.shape)}`;
  if (input1.dim() !== input2.dim() || input1.dim() !== target.dim()) {
    throw new ShapeError(`margin_ranking_loss : All input tensors should have same dimension but got sizes: ${sizes} `);
  }
  if (!sameShape(input1.shape, input2.shape) || !sameShape(input1.shape, target.shape)) {
    throw new ShapeError(`margin_ranking_loss: all input tensors should have same size but got sizes: ${sizes}`);
  }
  return applyReduction(target.neg().mul(input1.sub(input2)).add(opts.margin ?? 0).relu(), reduction);
}

/**
 * 1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1, the cosine
 * taken along the last dim as ATen's cosine_embedding_loss takes it (squared norms plus 1e-12).
 * @example F.cosineEmbeddingLoss(a, b, y)
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, opts: ReductionOptions & { margin?: number } = {}): Tensor {
  const reduction = extraReduction('cosineEmbeddingLoss', opts);
  checkTensor(input1, 'cosineEmbeddingLoss', 'input1');
  checkTensor(input2, 'cosineEmbeddingLoss', 'input2');
  checkTensor(target, 'cosineEmbeddingLoss', 'target');
  const td = target.dim();
  if (td > 1) throw new ShapeError('0D or 1D target tensor expected, multi-target not supported');
  const sizes = `${shapeStr(input1.shape)} and ${shapeStr(input2.shape)}.`;
  if (td === 1 && input1.dim() !== 2) throw new ShapeError(`1D target tensor expects 2D input tensors, but found inputs with sizes ${sizes}`);
  if (td === 0 && input1.dim() !== 1) throw new ShapeError(`0D target tensor expects 1D input tensors, but found inputs with sizes ${sizes}`);
  const EPSILON = 1e-12;
  const prod = input1.mul(input2).sum(td);
  const mag1 = input1.mul(input1).sum(td).add(EPSILON), mag2 = input2.mul(input2).sum(td).add(EPSILON);
  const cos = prod.div(mag1.mul(mag2).sqrt());
  const pos = cos.rsub(1).where(target.eq(1), 0);
  const neg = cos.sub(opts.margin ?? 0).clampMin(0).where(target.eq(-1), 0);
  return applyReduction(pos.add(neg), reduction);
}

export interface TripletMarginOptions extends ReductionOptions {
  margin?: number;
  p?: number;
  eps?: number;
  /** Use the distance from positive to negative when it is the smaller one. */
  swap?: boolean;
}

/**
 * max(0, margin + d(anchor, positive) - d(anchor, negative)) with d the pairwise p-distance
 * (torch.nn.functional.triplet_margin_loss).
 * @example F.tripletMarginLoss(a, p, n, { margin: 1 })
 */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, opts: TripletMarginOptions = {}): Tensor {
  const reduction = extraReduction('tripletMarginLoss', opts);
  const margin = opts.margin ?? 1, p = opts.p ?? 2, eps = opts.eps ?? 1e-6;
  if (margin <= 0) throw new RangeError(`margin must be greater than 0, got ${margin}`);
  checkTensor(anchor, 'tripletMarginLoss', 'anchor');
  checkTensor(positive, 'tripletMarginLoss', 'positive');
  checkTensor(negative, 'tripletMarginLoss', 'negative');
  const [a, pd, nd] = [anchor.dim(), positive.dim(), negative.dim()];
  if (a !== pd || pd !== nd) throw new ShapeError(`All inputs should have same dimension but got ${a}D, ${pd}D and ${nd}D inputs.`);
  const dPos = pairwiseDistance(anchor, positive, { p, eps });
  let dNeg = pairwiseDistance(anchor, negative, { p, eps });
  if (opts.swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, { p, eps }));
  return applyReduction(dPos.sub(dNeg).add(margin).clampMin(0), reduction);
}

export interface PoissonNllOptions extends ReductionOptions {
  /** input is the log of the rate (default true), else the rate itself. */
  logInput?: boolean;
  /** Add Stirling's approximation of log(target!). */
  full?: boolean;
  eps?: number;
}

/**
 * The negative log likelihood of target under Poisson(input): exp(input) - target * input
 * (logInput), or input - target * log(input + eps) (torch.nn.functional.poisson_nll_loss).
 * @example F.poissonNllLoss(logRate, counts)
 */
export function poissonNllLoss(input: Tensor, target: Tensor, opts: PoissonNllOptions = {}): Tensor {
  const reduction = extraReduction('poissonNllLoss', opts);
  checkTensor(input, 'poissonNllLoss');
  checkTensor(target, 'poissonNllLoss', 'target');
  let loss = opts.logInput ?? true ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(opts.eps ?? 1e-8).log()));
  if (opts.full) {
    const stirling = target.mul(target.log()).sub(target).add(target.mul(2 * Math.PI).log().mul(0.5));
    loss = loss.add(stirling.maskedFill(target.le(1), 0));
  }
  return applyReduction(loss, reduction);
}

export interface GaussianNllOptions {
  /** Add the constant 0.5 log(2 pi). */
  full?: boolean;
  eps?: number;
  reduction?: Reduction;
}

/**
 * The negative log likelihood of target under N(input, var): 0.5 (log(var) + (input - target)^2 /
 * var) (+ 0.5 log(2 pi) when full), var clamped at eps without differentiating the clamp, as
 * torch.nn.functional.gaussian_nll_loss; var is per element, one short of the input's dims, or a number.
 * @example F.gaussianNllLoss(mean, y, variance)
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor | number, opts: GaussianNllOptions = {}): Tensor {
  checkOptions('gaussianNllLoss', opts, extraLossOptions.gaussianNllLoss);
  checkTensor(input, 'gaussianNllLoss');
  checkTensor(target, 'gaussianNllLoss', 'target');
  let v: Tensor;
  if (typeof variance === 'number') {
    if (variance < 0) throw new RangeError('var has negative entry/entries');
    v = input.detach().newOnes(input.shape).mul(variance);
  } else {
    checkTensor(variance, 'gaussianNllLoss', 'var');
    if (variance.lt(0).any().item<boolean>()) throw new RangeError('var has negative entry/entries');
    v = variance;
    if (!sameShape(v.shape, input.shape)) {
      const mismatched = v.dim() === input.dim() ? input.shape.filter((s, d) => s !== v.shape[d]).length : -1;
      if (sameShape(input.shape.slice(0, -1), v.shape)) v = v.unsqueeze(-1);
      else if (mismatched !== 1 || input.shape.some((s, d) => s !== v.shape[d] && v.shape[d] !== 1)) throw new ShapeError('var is of incorrect size');
    }
  }
  const reduction = opts.reduction ?? 'mean';
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') throw new RangeError(`${String(reduction)} is not valid`);
  v = v.clone();
  const eps = opts.eps ?? 1e-6;
  noGrad(() => v.clamp_({ min: eps }));
  let loss = v.log().add(input.sub(target).square().div(v)).mul(0.5);
  if (opts.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return applyReduction(loss, reduction);
}
