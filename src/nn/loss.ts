/** Loss modules: each holds its options and calls the nn.functional loss in forward(input, target). */
import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { checkOptions } from '../options';

abstract class Loss<O extends F.ReductionOptions> extends Module {
  readonly reduction: F.Reduction;
  protected readonly opts: O;

  constructor(opts: O, fn: keyof typeof F.lossOptions) {
    super();
    checkOptions(new.target.name, opts, F.lossOptions[fn]);
    this.reduction = F.reductionOf(opts, fn);
    this.opts = { ...opts, reduction: this.reduction, sizeAverage: undefined, reduce: undefined };
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/**
 * Mean squared error; { reduction: 'sum' } (or the legacy { sizeAverage: false }) sums instead.
 * @example const criterion = new nn.MSELoss(); const loss = criterion(pred, y);
 */
export class MSELoss extends Loss<F.ReductionOptions> {
  constructor(opts: F.ReductionOptions = {}) {
    super(opts, 'mseLoss');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this.opts);
  }
}

export class L1Loss extends Loss<F.ReductionOptions> {
  constructor(opts: F.ReductionOptions = {}) {
    super(opts, 'l1Loss');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, this.opts);
  }
}

/** Negative log likelihood of class indices, given log-probabilities. */
export class NLLLoss extends Loss<F.NllOptions> {
  constructor(opts: F.NllOptions = {}) {
    super(opts, 'nllLoss');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, this.opts);
  }
}

/** Log-softmax and NLL in one: logits against class indices or probabilities. */
export class CrossEntropyLoss extends Loss<F.CrossEntropyOptions> {
  constructor(opts: F.CrossEntropyOptions = {}) {
    super(opts, 'crossEntropy');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, this.opts);
  }
}

export class BCELoss extends Loss<F.BceOptions> {
  constructor(opts: F.BceOptions = {}) {
    super(opts, 'binaryCrossEntropy');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, this.opts);
  }
}

export class BCEWithLogitsLoss extends Loss<F.BceWithLogitsOptions> {
  constructor(opts: F.BceWithLogitsOptions = {}) {
    super(opts, 'binaryCrossEntropyWithLogits');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, this.opts);
  }
}
