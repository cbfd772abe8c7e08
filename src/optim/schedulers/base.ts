/** The base of the learning-rate schedulers (torch.optim.lr_scheduler.LRScheduler) and the helpers they share. */
import { checkOptions, type OptionSpec, typeName } from '../../options';
import { Optimizer } from '../optimizer';

/** A parameter group as the schedulers see it: its lr, the initialLr they record, and the options they cycle. */
export type SchedulerGroup = { lr: number; initialLr?: number; params: unknown[]; [option: string]: unknown };

/** What stateDict() saves: everything but the optimizer (and functions such as LambdaLR's). */
export type SchedulerStateDict = Record<string, unknown>;

/** Whether a value is (or lists) functions, which a state dict leaves out. */
const isFunction = (v: unknown) => typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function'));

/**
 * The base of every scheduler (torch.optim.lr_scheduler.LRScheduler). A scheduler records each
 * group's initialLr and, once constructed, has taken its first step, as in PyTorch.
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer<object>;
  /** The groups' lr when the schedule started (initialLr). */
  baseLrs: number[] = [];
  /** The number of steps taken (-1 before the first, which the constructor takes). */
  lastEpoch: number;
  /** @internal PyTorch's _step_count. */ _stepCount = 0;
  /** @internal Whether the constructor's step is running (PyTorch's _is_initial). */ _isInitial = false;
  /** @internal */ _lastLr: number[] = [];

  /**
   * Subclasses set their settings, then call _initialStep(). A bare scheduler (ReduceLROnPlateau,
   * SequentialLR, ChainedScheduler, which PyTorch builds without LRScheduler's constructor)
   * neither records initialLr nor reads baseLrs.
   */
  constructor(optimizer: Optimizer<object>, lastEpoch = -1, bare = false) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
    checkInt(lastEpoch, 'lastEpoch');
    this.optimizer = optimizer;
    this.lastEpoch = lastEpoch;
    if (bare) return;
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
  }

  /** @internal The first step (PyTorch's _initial_step), taken when the subclass's settings are in place. */
  _initialStep(): void {
    this._stepCount = 0;
    this._isInitial = true;
    try {
      this.step();
    } finally {
      this._isInitial = false;
    }
  }

  /** The lrs this step sets, one per group (PyTorch's get_lr, with lastEpoch already advanced). */
  protected abstract getLr(): number[];

  /** The lrs at lastEpoch in closed form, where the schedule has one (for SequentialLR's restarts). */
  protected closedFormLr?(): number[];

  /**
   * Advances the schedule one step and sets each group's lr. Call it after optimizer.step().
   * PyTorch's deprecated step(epoch) jumps to that epoch instead (by the closed form, where the
   * schedule has one).
   */
  step(epoch?: number): void {
    if (epoch !== undefined) checkInt(epoch, 'epoch');
    this._stepCount += 1;
    this._updateLr(epoch);
  }

  /** @internal One step to the next epoch, or (PyTorch's _update_lr(epoch)) a jump to epoch. */
  _updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr?.() ?? this.getLr();
    }
    this.groups().forEach((g, i) => (g.lr = values[i]));
    this._lastLr = this.currentLrs();
  }

  /** The lrs the last step set, one per group. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** The schedule's state: its position, base lrs and settings (not the optimizer, nor functions). */
  stateDict(): SchedulerStateDict {
    return structuredClone(Object.fromEntries(Object.entries(this).filter(([k, v]) => k !== 'optimizer' && !isFunction(v))));
  }

  /** Restores a state saved by stateDict(). */
  loadStateDict(state: SchedulerStateDict): void {
    Object.assign(this, structuredClone(state));
  }

  /** @internal */
  protected groups(): SchedulerGroup[] {
    return this.optimizer.paramGroups as unknown as SchedulerGroup[];
  }

  /** @internal Each group's current lr. */
  protected currentLrs(): number[] {
    return this.groups().map((g) => g.lr);
  }
}

/** v, checked to be an integer. */
export function checkInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${what} must be an integer, but got ${String(v)}`);
  return v;
}

/** A scheduler's options, checked (required: an options object must be given), with lastEpoch's default. */
export function schedulerOptions<T extends { lastEpoch?: number }>(name: string, opts: T | undefined, spec: OptionSpec, required = false): T & { lastEpoch: number } {
  const o = checkOptions(name, opts, { ...spec, lastEpoch: 'number' }, required) ?? ({} as T);
  return { ...o, lastEpoch: o.lastEpoch ?? -1 };
}

/**
 * A per-group setting given as one value or one per group (PyTorch's _format_param): always a
 * list with one value per group.
 */
export function perGroup(name: string, optimizer: Optimizer<object>, value: number | readonly number[]): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) {
      throw new RangeError(`${name} must have the same length as optimizer.paramGroups. ${name} has ${value.length} values, paramGroups has ${n}.`);
    }
    return [...value];
  }
  return new Array<number>(n).fill(value as number);
}

/**
 * Sets every group's momentum (or beta1 for Adam-like optimizers) to the given values, as the
 * cyclic schedules do; useBeta1 says which.
 */
export function setMomentum(groups: SchedulerGroup[], values: readonly number[], useBeta1: boolean): void {
  groups.forEach((g, i) => {
    if (useBeta1) g.betas = [values[i], ...(g.betas as number[]).slice(1)];
    else g.momentum = values[i];
  });
}
