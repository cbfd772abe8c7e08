/** Loss modules for the losses of functional_loss.ts and functional_ctc.ts: each holds its options. */
import type { Tensor } from '../tensor';
import { checkOptions } from '../options';
import type { ReductionOptions } from './functional';
import { ctcLoss, type CtcLossOptions } from './functional_ctc';
import * as L from './functional_loss';
import { Module } from './module';

/** A loss with its options, checked when constructed; `reduction` as PyTorch's modules keep it. */
abstract class OptionsLoss<O extends object> extends Module {
  readonly reduction: string;
  protected readonly opts: O;

  constructor(opts: O, fn: keyof typeof L.extraLossOptions, extra: readonly string[] = []) {
    super();
    this.reduction = L.extraReduction(fn, opts as ReductionOptions, extra);
    const { sizeAverage: _s, reduce: _r, ...rest } = opts as ReductionOptions;
    this.opts = { ...rest, reduction: this.reduction } as O;
  }
}

/** KL divergence of the target from the input (log-probabilities). @example new nn.KLDivLoss({ reduction: 'batchmean' }) */
export class KLDivLoss extends OptionsLoss<L.KlDivOptions> {
  constructor(opts: L.KlDivOptions = {}) {
    super(opts, 'klDiv', ['batchmean']);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, this.opts);
  }
}

/** Squared error below beta, absolute error above. @example new nn.SmoothL1Loss({ beta: 0.5 }) */
export class SmoothL1Loss extends OptionsLoss<ReductionOptions & { beta?: number }> {
  constructor(opts: ReductionOptions & { beta?: number } = {}) {
    super(opts, 'smoothL1Loss');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, this.opts);
  }
}

/** Squared error below delta, delta-scaled absolute error above. @example new nn.HuberLoss({ delta: 2 }) */
export class HuberLoss extends OptionsLoss<{ reduction?: ReductionOptions['reduction']; delta?: number }> {
  constructor(opts: { reduction?: ReductionOptions['reduction']; delta?: number } = {}) {
    checkOptions('HuberLoss', opts, { reduction: 'string', delta: 'number' });
    super(opts, 'huberLoss');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, this.opts as { delta?: number });
  }
}

/** max(0, -y (x1 - x2) + margin). @example new nn.MarginRankingLoss({ margin: 0.1 })(x1, x2, y) */
export class MarginRankingLoss extends OptionsLoss<ReductionOptions & { margin?: number }> {
  constructor(opts: ReductionOptions & { margin?: number } = {}) {
    super(opts, 'marginRankingLoss');
  }

  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return L.marginRankingLoss(input1, input2, target, this.opts);
  }
}

/** 1 - cos for similar pairs (y = 1), max(0, cos - margin) for dissimilar ones (y = -1). */
export class CosineEmbeddingLoss extends OptionsLoss<ReductionOptions & { margin?: number }> {
  constructor(opts: ReductionOptions & { margin?: number } = {}) {
    super(opts, 'cosineEmbeddingLoss');
  }

  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return L.cosineEmbeddingLoss(input1, input2, target, this.opts);
  }
}

/** max(0, margin + d(a, p) - d(a, n)). @example new nn.TripletMarginLoss({ margin: 1 })(a, p, n) */
export class TripletMarginLoss extends OptionsLoss<L.TripletMarginOptions> {
  constructor(opts: L.TripletMarginOptions = {}) {
    super(opts, 'tripletMarginLoss');
    if ((opts.margin ?? 1) <= 0) throw new RangeError(`TripletMarginLoss: expected margin to be greater than 0, got ${opts.margin} instead`);
  }

  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return L.tripletMarginLoss(anchor, positive, negative, this.opts);
  }
}

/** Poisson negative log likelihood. @example new nn.PoissonNLLLoss({ logInput: true }) */
export class PoissonNLLLoss extends OptionsLoss<L.PoissonNllOptions> {
  constructor(opts: L.PoissonNllOptions = {}) {
    super(opts, 'poissonNllLoss');
  }

  override forward(logInput: Tensor, target: Tensor): Tensor {
    return L.poissonNllLoss(logInput, target, this.opts);
  }
}

/** Gaussian negative log likelihood. @example new nn.GaussianNLLLoss()(mean, y, variance) */
export class GaussianNLLLoss extends OptionsLoss<L.GaussianNllOptions> {
  constructor(opts: L.GaussianNllOptions = {}) {
    super(opts, 'gaussianNllLoss');
  }

  override forward(input: Tensor, target: Tensor, variance: Tensor | number): Tensor {
    return L.gaussianNllLoss(input, target, variance, this.opts as L.GaussianNllOptions);
  }
}

/**
 * The connectionist temporal classification loss.
 * @example new nn.CTCLoss({ blank: 0 })(logProbs, targets, inputLengths, targetLengths)
 */
export class CTCLoss extends Module {
  readonly blank: number;
  readonly reduction: string;
  readonly zeroInfinity: boolean;

  constructor(opts: CtcLossOptions = {}) {
    super();
    checkOptions('CTCLoss', opts, { blank: 'number', reduction: 'string', zeroInfinity: 'boolean' });
    this.blank = opts.blank ?? 0;
    this.reduction = opts.reduction ?? 'mean';
    if (!['mean', 'sum', 'none'].includes(this.reduction)) throw new RangeError(`${this.reduction} is not a valid value for reduction`);
    this.zeroInfinity = opts.zeroInfinity ?? false;
  }

  override forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[], targetLengths: Tensor | readonly number[]): Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, {
      blank: this.blank, reduction: this.reduction as CtcLossOptions['reduction'], zeroInfinity: this.zeroInfinity,
    });
  }
}
