/**
 * Activation layers beyond layers.ts's (SiLU, Softplus, ELU, SELU, PReLU, Hardtanh, Mish,
 * Softsign), Dropout2d and Unflatten: torch.nn's constructors, state and printing.
 */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { isGradEnabled } from '../autograd/grad_mode';
import { toDType, type DTypeLike } from '../dtype';
import { empty } from '../ops/creation';
import type { Tensor } from '../tensor';
import { checkArg, checkOptions } from '../options';
import { silu, softplus } from './functional';
import { elu, hardtanh, mish, prelu, selu, softsign } from './functional_activation';
import { dropout2d } from './functional_norm';
import * as init from './init';
import { Module, Parameter, pyBool } from './module';
import { pyFloatRepr } from './pyrepr';

/**
 * fn(x), written into x when inplace (as PyTorch's inplace=True) unless autograd records: then
 * x, which the result's backward reads, is left as it is and the result is a new tensor.
 */
function maybeInplace(x: Tensor, y: Tensor, inplace: boolean): Tensor {
  if (!inplace || (isGradEnabled() && x.requiresGrad)) return y;
  return x.copy_(y);
}

/** An activation with PyTorch's `inplace` flag, printed as `inplace=True` when set. */
abstract class InplaceActivation extends Module {
  readonly inplace: boolean;

  constructor(opts: { inplace?: boolean } = {}) {
    super();
    this.inplace = checkOptions(new.target.name, opts, { inplace: 'boolean' })?.inplace ?? false;
  }

  protected abstract activate(x: Tensor): Tensor;

  override forward(x: Tensor): Tensor {
    return maybeInplace(x, this.activate(x), this.inplace);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** x * sigmoid(x). @example new nn.SiLU()(x) */
export class SiLU extends InplaceActivation {
  protected activate(x: Tensor): Tensor {
    return silu(x);
  }
}

/** scale * elu(x) with SELU's constants. @example new nn.SELU()(x) */
export class SELU extends InplaceActivation {
  protected activate(x: Tensor): Tensor {
    return selu(x);
  }
}

/** x * tanh(softplus(x)). @example new nn.Mish()(x) */
export class Mish extends InplaceActivation {
  protected activate(x: Tensor): Tensor {
    return mish(x);
  }
}

/** x / (1 + |x|). @example new nn.Softsign()(x) */
export class Softsign extends Module {
  override forward(x: Tensor): Tensor {
    return softsign(x);
  }
}

/** log(1 + exp(beta x)) / beta, linear above threshold. @example new nn.Softplus({ beta: 2 })(x) */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(opts: { beta?: number; threshold?: number } = {}) {
    super();
    checkOptions('Softplus', opts, { beta: 'number', threshold: 'number' });
    this.beta = opts.beta ?? 1;
    this.threshold = opts.threshold ?? 20;
  }

  override forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${pyFloatRepr(this.beta)}, threshold=${pyFloatRepr(this.threshold)}`;
  }
}

/** x above 0, alpha (exp(x) - 1) below. @example new nn.ELU({ alpha: 0.5 })(x) */
export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;

  constructor(opts: { alpha?: number; inplace?: boolean } = {}) {
    super();
    checkOptions('ELU', opts, { alpha: 'number', inplace: 'boolean' });
    this.alpha = opts.alpha ?? 1;
    this.inplace = opts.inplace ?? false;
  }

  override forward(x: Tensor): Tensor {
    return maybeInplace(x, elu(x, this.alpha), this.inplace);
  }

  override extraRepr(): string {
    return `alpha=${pyFloatRepr(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** x clamped to [minVal, maxVal]. @example new nn.Hardtanh({ minVal: 0, maxVal: 6 })(x) */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;

  constructor(opts: { minVal?: number; maxVal?: number; inplace?: boolean } = {}) {
    super();
    checkOptions('Hardtanh', opts, { minVal: 'number', maxVal: 'number', inplace: 'boolean' });
    this.minVal = opts.minVal ?? -1;
    this.maxVal = opts.maxVal ?? 1;
    this.inplace = opts.inplace ?? false;
    if (this.maxVal <= this.minVal) throw new RangeError(`maxVal (${this.maxVal}) must be greater than minVal (${this.minVal})`);
  }

  override forward(x: Tensor): Tensor {
    return maybeInplace(x, hardtanh(x, this.minVal, this.maxVal), this.inplace);
  }

  override extraRepr(): string {
    return `min_val=${pyFloatRepr(this.minVal)}, max_val=${pyFloatRepr(this.maxVal)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/**
 * x above 0, weight * x below, with a learnt slope (one, or one per channel), initialised to init.
 * @example const act = new nn.PReLU({ numParameters: 16 }); act(x) // x: [N, 16, ...]
 */
export class PReLU extends Module {
  readonly numParameters: number;
  readonly init: number;
  weight: Parameter;

  constructor(opts: { numParameters?: number; init?: number; dtype?: DTypeLike; device?: DeviceLike } = {}) {
    super();
    checkOptions('PReLU', opts, { numParameters: 'number', init: 'number', dtype: 'string', device: DEVICE_OPTION });
    this.numParameters = opts.numParameters ?? 1;
    this.init = opts.init ?? 0.25;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight = new Parameter(empty([this.numParameters], { dtype }));
    this.resetParameters();
  }

  /** Sets every slope to init again. */
  resetParameters(): void {
    init.constant_(this.weight, this.init);
  }

  override forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }

  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/**
 * Zeroes whole channels of [N, C, H, W] inputs with probability p in training mode (the same draws
 * as PyTorch's); the identity in eval mode.
 * @example const drop = new nn.Dropout2d(0.2); drop(images)
 */
export class Dropout2d extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super();
    checkArg('Dropout2d', 'p', p, 'number');
    checkOptions('Dropout2d', opts, { inplace: 'boolean' });
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = opts.inplace ?? false;
  }

  override forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, this.training, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return `p=${pyFloatRepr(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * Splits dim into the sizes unflattenedSize (one may be -1), as Tensor.unflatten.
 * @example new nn.Unflatten(1, [2, 5])(x) // [N, 10] -> [N, 2, 5]
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    checkArg('Unflatten', 'dim', dim, 'number');
    if (!Array.isArray(unflattenedSize) || unflattenedSize.some((s) => !Number.isInteger(s))) {
      throw new TypeError(`Unflatten(): unflattenedSize must be an array of integers, but got ${String(unflattenedSize)}`);
    }
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }

  override forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(', ')}${this.unflattenedSize.length === 1 ? ',' : ''})`;
  }
}
