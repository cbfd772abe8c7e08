/**
 * Learning-rate schedulers (torch.optim.lr_scheduler): each step() sets every parameter group's
 * lr by PyTorch's formula, in PyTorch's order of float operations (most multiply the group's
 * current lr), so the values are PyTorch's but for the last bits where V8's cos and pow round
 * differently from the C library's.
 * @module
 */
import { checkOptions, typeName } from '../options';
import { Optimizer } from './optimizer';

type Group = { lr: number; initialLr?: number; params: unknown[] };

/** What stateDict() saves: everything but the optimizer (and LambdaLR's functions). */
export type SchedulerStateDict = Record<string, unknown>;

/**
 * The base of every scheduler (torch.optim.lr_scheduler.LRScheduler). A scheduler records each
 * group's initialLr and, once constructed, has taken its first step, as in PyTorch.
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer<object>;
  /** The groups' lr when the schedule started (initialLr). */
  baseLrs: number[];
  /** The number of steps taken (-1 before the first, which the constructor takes). */
  lastEpoch: number;
  /** @internal PyTorch's _step_count. */ _stepCount = 0;
  /** @internal Whether the constructor's step is running (PyTorch's _is_initial). */ _isInitial = false;
  /** @internal */ _lastLr: number[] = [];

  /** Subclasses set their settings, then call start(). */
  constructor(optimizer: Optimizer<object>, lastEpoch = -1) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
    checkInt(lastEpoch, 'lastEpoch');
    this.optimizer = optimizer;
    const groups = this.groups();
    if (lastEpoch === -1) {
      for (const g of groups) g.initialLr ??= g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new RangeError(`param 'initialLr' is not specified in paramGroups[${i}] when resuming scheduler with lastEpoch >= 0.`);
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The first step, taken when the subclass's settings are in place. */
  protected start(): void {
    this._isInitial = true;
    try {
      this.step();
    } finally {
      this._isInitial = false;
    }
  }

  /** The lrs this step sets, one per group (PyTorch's get_lr, with lastEpoch already advanced). */
  protected abstract getLr(): number[];

  /** Advances the schedule one step and sets each group's lr. Call it after optimizer.step(). */
  step(): void {
    this._stepCount += 1;
    this.lastEpoch += 1;
    const values = this.getLr();
    this.groups().forEach((g, i) => (g.lr = values[i]));
    this._lastLr = this.currentLrs();
  }

  /** The lrs the last step set, one per group. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** The schedule's state: its position, base lrs and settings (not the optimizer, nor functions). */
  stateDict(): SchedulerStateDict {
    const isFunction = (v: unknown) => typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function'));
    return structuredClone(Object.fromEntries(Object.entries(this).filter(([k, v]) => k !== 'optimizer' && !isFunction(v))));
  }

  /** Restores a state saved by stateDict(). */
  loadStateDict(state: SchedulerStateDict): void {
    Object.assign(this, structuredClone(state));
  }

  /** @internal */
  protected groups(): Group[] {
    return this.optimizer.paramGroups as unknown as Group[];
  }

  /** @internal Each group's current lr. */
  protected currentLrs(): number[] {
    return this.groups().map((g) => g.lr);
  }
}

function checkInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${what} must be an integer, but got ${String(v)}`);
  return v;
}

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
    this.start();
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
    this.start();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
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
    this.start();
  }

  protected getLr(): number[] {
    const times = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (times === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** times);
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
    this.start();
  }

  protected getLr(): number[] {
    if (this._isInitial) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
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
    this.start();
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
}
