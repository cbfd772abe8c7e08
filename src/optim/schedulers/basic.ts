/**
 * The schedulers whose lr follows a formula of the step: each step() sets every parameter group's
 * lr by PyTorch's formula, in PyTorch's order of float operations (most multiply the group's
 * current lr), so the values are PyTorch's but for the last bits where V8's cos and pow round
 * differently from the C library's.
 */
import { checkOptions } from '../../options';
import type { Optimizer } from '../optimizer';
import { checkInt, LRScheduler, schedulerOptions } from './base';

/** LambdaLR's factor for an epoch: lr = initialLr * lrLambda(epoch). */
export type LrLambda = (epoch: number) => number;

/**
 * lr = initialLr * lrLambda(epoch), one function for all groups or one per group.
 * @example new optim.lrScheduler.LambdaLR(opt, (epoch) => 0.95 ** epoch)
 */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer<object>, lrLambda: LrLambda | LrLambda[], opts: { lastEpoch?: number } = {}) {
    super(optimizer, checkOptions('LambdaLR', opts, { lastEpoch: 'number' })?.lastEpoch ?? -1);
    const n = this.optimizer.paramGroups.length;
    this.lrLambdas = Array.isArray(lrLambda) ? [...lrLambda] : new Array<LrLambda>(n).fill(lrLambda);
    if (this.lrLambdas.length !== n) throw new RangeError(`Expected ${n} lrLambdas, but got ${this.lrLambdas.length}`);
    if (this.lrLambdas.some((f) => typeof f !== 'function')) throw new TypeError('lrLambda must be a function or an array of functions');
    this._initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }
}

/**
 * Multiplies the lr by gamma every stepSize steps.
 * @example const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  /** opts may also be PyTorch's positional stepSize (and gamma): `new StepLR(opt, 30, 0.1)`. */
  constructor(optimizer: Optimizer<object>, opts: { stepSize: number; gamma?: number; lastEpoch?: number } | number, gamma?: number) {
    if (typeof opts === 'number') opts = { stepSize: opts, gamma };
    else if (gamma !== undefined) throw new TypeError('StepLR(): expected (optimizer, { stepSize, gamma }) or (optimizer, stepSize, gamma), but got both');
    super(optimizer, checkOptions('StepLR', opts, { stepSize: 'number', gamma: 'number', lastEpoch: 'number' }, true)?.lastEpoch ?? -1);
    this.stepSize = checkInt(opts.stepSize, 'stepSize');
    this.gamma = opts.gamma ?? 0.1;
    this._initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies the lr by gamma at each milestone (a step number; one listed twice counts twice).
 * @example new optim.lrScheduler.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 })
 */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;

  /** opts may also be PyTorch's positional milestones (and gamma): `new MultiStepLR(opt, [30, 80], 0.1)`. */
  constructor(optimizer: Optimizer<object>, opts: { milestones: Iterable<number>; gamma?: number; lastEpoch?: number } | number[], gamma?: number) {
    if (Array.isArray(opts)) opts = { milestones: opts, gamma };
    else if (gamma !== undefined) throw new TypeError('MultiStepLR(): expected (optimizer, { milestones, gamma }) or (optimizer, milestones, gamma), but got both');
    super(optimizer, checkOptions('MultiStepLR', opts, { milestones: 'object', gamma: 'number', lastEpoch: 'number' }, true)?.lastEpoch ?? -1);
    this.milestones = [...opts.milestones].map((m) => checkInt(m, 'milestone'));
    this.gamma = opts.gamma ?? 0.1;
    this._initialStep();
  }

  protected getLr(): number[] {
    const times = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (times === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** times);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}

/**
 * Multiplies the lr by gamma every step.
 * @example new optim.lrScheduler.ExponentialLR(opt, { gamma: 0.9 })
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  /** opts may also be PyTorch's positional gamma: `new ExponentialLR(opt, 0.9)`. */
  constructor(optimizer: Optimizer<object>, opts: { gamma: number; lastEpoch?: number } | number) {
    if (typeof opts === 'number') opts = { gamma: opts };
    super(optimizer, checkOptions('ExponentialLR', opts, { gamma: 'number', lastEpoch: 'number' }, true)?.lastEpoch ?? -1);
    if (typeof opts.gamma !== 'number') throw new TypeError(`gamma must be a number, but got ${String(opts.gamma)}`);
    this.gamma = opts.gamma;
    this._initialStep();
  }

  protected getLr(): number[] {
    if (this._isInitial) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}

/**
 * Anneals the lr from its initial value to etaMin along half a cosine over TMax steps (SGDR
 * without restarts), by PyTorch's recursive formula.
 * @example new optim.lrScheduler.CosineAnnealingLR(opt, { TMax: 100, etaMin: 1e-5 })
 */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;

  /** opts may also be PyTorch's positional TMax (and etaMin): `new CosineAnnealingLR(opt, 100)`. */
  constructor(optimizer: Optimizer<object>, opts: { TMax: number; etaMin?: number; lastEpoch?: number } | number, etaMin?: number) {
    if (typeof opts === 'number') opts = { TMax: opts, etaMin };
    else if (etaMin !== undefined) throw new TypeError('CosineAnnealingLR(): expected (optimizer, { TMax, etaMin }) or (optimizer, TMax, etaMin), but got both');
    super(optimizer, checkOptions('CosineAnnealingLR', opts, { TMax: 'number', etaMin: 'number', lastEpoch: 'number' }, true)?.lastEpoch ?? -1);
    this.TMax = checkInt(opts.TMax, 'TMax');
    this.etaMin = opts.etaMin ?? 0;
    this._initialStep();
  }

  protected getLr(): number[] {
    const { TMax: T, etaMin: eta, lastEpoch: e } = this;
    if (this._isInitial) return this.currentLrs();
    if (this._stepCount === 1 && e > 0) return this.baseLrs.map((base) => eta + ((base - eta) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.currentLrs().map((lr, i) => lr + ((this.baseLrs[i] - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.currentLrs().map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - eta) + eta);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.TMax))) / 2);
  }
}

/**
 * Multiplies the lr by factor until step totalIters, then restores it (a warm-up at a constant
 * fraction of the lr).
 * @example new optim.lrScheduler.ConstantLR(opt, { factor: 0.5, totalIters: 4 })
 */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: Optimizer<object>, opts: { factor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    const o = schedulerOptions('ConstantLR', opts, { factor: 'number', totalIters: 'number' });
    const factor = o.factor ?? 1.0 / 3;
    if (factor > 1.0 || factor < 0) throw new RangeError('Constant multiplicative factor expected to be between 0 and 1.');
    super(optimizer, o.lastEpoch);
    this.factor = factor;
    this.totalIters = checkInt(o.totalIters ?? 5, 'totalIters');
    this._initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * (this.factor + Number(this.lastEpoch >= this.totalIters) * (1 - this.factor)));
  }
}

/**
 * Scales the lr linearly from startFactor to endFactor of its initial value over totalIters steps
 * (a linear warm-up), by PyTorch's recursive formula.
 * @example new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 10 })
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: Optimizer<object>, opts: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    const o = schedulerOptions('LinearLR', opts, { startFactor: 'number', endFactor: 'number', totalIters: 'number' });
    const start = o.startFactor ?? 1.0 / 3, end = o.endFactor ?? 1.0;
    if (start > 1.0 || start <= 0) throw new RangeError('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (end > 1.0 || end < 0) throw new RangeError('Ending multiplicative factor expected to be between 0 and 1.');
    super(optimizer, o.lastEpoch);
    [this.startFactor, this.endFactor] = [start, end];
    this.totalIters = checkInt(o.totalIters ?? 5, 'totalIters');
    this._initialStep();
  }

  protected getLr(): number[] {
    const { startFactor: a, endFactor: b, totalIters: n, lastEpoch: e } = this;
    if (e === 0) return this.currentLrs().map((lr) => lr * a);
    if (this._isInitial || e > n) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1.0 + (b - a) / (n * a + (e - 1) * (b - a))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: a, endFactor: b, totalIters: n } = this;
    return this.baseLrs.map((base) => base * (a + ((b - a) * Math.min(n, this.lastEpoch)) / n));
  }
}

/**
 * Decays the lr to zero over totalIters steps along (1 - step / totalIters) ** power.
 * @example new optim.lrScheduler.PolynomialLR(opt, { totalIters: 100, power: 2 })
 */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(optimizer: Optimizer<object>, opts: { totalIters?: number; power?: number; lastEpoch?: number } = {}) {
    const o = schedulerOptions('PolynomialLR', opts, { totalIters: 'number', power: 'number' });
    super(optimizer, o.lastEpoch);
    this.totalIters = checkInt(o.totalIters ?? 5, 'totalIters');
    this.power = o.power ?? 1.0;
    this._initialStep();
  }

  protected getLr(): number[] {
    const { totalIters: n, lastEpoch: e } = this;
    if (this._isInitial || e > n) return this.currentLrs();
    const decay = ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** this.power;
    return this.currentLrs().map((lr) => lr * decay);
  }

  protected override closedFormLr(): number[] {
    const { totalIters: n } = this;
    return this.baseLrs.map((base) => base * (1.0 - Math.min(n, this.lastEpoch) / n) ** this.power);
  }
}
