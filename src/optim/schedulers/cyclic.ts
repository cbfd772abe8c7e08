/**
 * The cyclic schedules: CyclicLR, OneCycleLR (both also cycle momentum, or Adam's beta1, against
 * the lr) and CosineAnnealingWarmRestarts, with PyTorch's formulas in its order of operations.
 */
import { kinds } from '../../options';
import type { Optimizer } from '../optimizer';
import { LRScheduler, perGroup, schedulerOptions, setMomentum } from './base';

/** CyclicLR's amplitude scaling: a function of the cycle number or of the step. */
export type ScaleFn = (x: number) => number;

const numberOrList = { test: (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')), what: 'a number or an array of numbers' };

/** Which momentum the cyclic schedules drive: beta1 for optimizers with betas (Adam...), else momentum. */
function momentumKind(name: string, optimizer: Optimizer<object>): boolean {
  const defaults = optimizer.defaults as Record<string, unknown>;
  if (!('momentum' in defaults) && !('betas' in defaults)) {
    throw new RangeError(`optimizer must support momentum or beta1 with \`cycleMomentum\` option enabled (${name})`);
  }
  return 'betas' in defaults;
}

/**
 * A cyclic schedule's start: each group's momentum (or beta1) at its maximum, and both bounds kept
 * in the group (maxMomentum, baseMomentum) as PyTorch keeps them.
 */
function startMomentum(groups: Record<string, unknown>[], useBeta1: boolean, maxMomentums: number[], baseMomentums: number[]): void {
  groups.forEach((g, i) => {
    if (useBeta1) g.betas = [maxMomentums[i], ...(g.betas as number[]).slice(1)];
    else g.momentum = maxMomentums[i];
    [g.maxMomentum, g.baseMomentum] = [maxMomentums[i], baseMomentums[i]];
  });
}

export interface CyclicLROptions {
  baseLr: number | number[];
  maxLr: number | number[];
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  gamma?: number;
  scaleFn?: ScaleFn | null;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  lastEpoch?: number;
}

/**
 * Cycles the lr between baseLr and maxLr (Smith's cyclical learning rates): up over stepSizeUp
 * steps, down over stepSizeDown, the amplitude kept ('triangular'), halved each cycle
 * ('triangular2'), scaled by gamma ** step ('exp_range') or by scaleFn. With cycleMomentum the
 * momentum (beta1 for Adam-like optimizers) cycles the other way, between maxMomentum and baseMomentum.
 * @example new optim.lrScheduler.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2000 })
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: string;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  useBeta1 = false;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  /** The scaling function, when one was given (not saved by stateDict). */
  scaleFnCustom: ScaleFn | null;

  constructor(optimizer: Optimizer<object>, opts: CyclicLROptions) {
    const o = schedulerOptions('CyclicLR', opts, {
      baseLr: numberOrList, maxLr: numberOrList, stepSizeUp: 'number', stepSizeDown: kinds.numberOrNull, mode: kinds.oneOf('triangular', 'triangular2', 'exp_range'),
      gamma: 'number', scaleFn: { test: (v) => v === null || typeof v === 'function', what: 'a function or null' }, scaleMode: kinds.oneOf('cycle', 'iterations'),
      cycleMomentum: 'boolean', baseMomentum: numberOrList, maxMomentum: numberOrList,
    }, true);
    if (o.baseLr === undefined || o.maxLr === undefined) throw new TypeError('CyclicLR(): options baseLr and maxLr are required');
    const baseLrs = perGroup('baseLr', optimizer, o.baseLr);
    const groups = optimizer.paramGroups as unknown as { lr: number; [k: string]: unknown }[];
    if (o.lastEpoch === -1) groups.forEach((g, i) => (g.lr = baseLrs[i]));
    const maxLrs = perGroup('maxLr', optimizer, o.maxLr);
    const up = o.stepSizeUp ?? 2000, down = o.stepSizeDown ?? up;
    const cycleMomentum = o.cycleMomentum ?? true;
    let useBeta1 = false, baseMomentums: number[] = [], maxMomentums: number[] = [];
    if (cycleMomentum) {
      useBeta1 = momentumKind('CyclicLR', optimizer);
      baseMomentums = perGroup('baseMomentum', optimizer, o.baseMomentum ?? 0.8);
      maxMomentums = perGroup('maxMomentum', optimizer, o.maxMomentum ?? 0.9);
      if (o.lastEpoch === -1) startMomentum(groups, useBeta1, maxMomentums, baseMomentums);
    }
    super(optimizer, o.lastEpoch);
    [this.maxLrs, this.totalSize] = [maxLrs, up + down];
    this.stepRatio = up / this.totalSize;
    [this.mode, this.gamma, this.scaleFnCustom] = [o.mode ?? 'triangular', o.gamma ?? 1.0, o.scaleFn ?? null];
    this.scaleMode = this.scaleFnCustom !== null ? (o.scaleMode ?? 'cycle') : this.mode === 'exp_range' ? 'iterations' : 'cycle';
    [this.cycleMomentum, this.useBeta1, this.baseMomentums, this.maxMomentums] = [cycleMomentum, useBeta1, baseMomentums, maxMomentums];
    this._initialStep();
    this.baseLrs = baseLrs;
  }

  /** The amplitude's scale at cycle (or step) x. */
  scaleFn(x: number): number {
    if (this.scaleFnCustom !== null) return this.scaleFnCustom(x);
    if (this.mode === 'triangular2') return 1 / 2.0 ** (x - 1);
    if (this.mode === 'exp_range') return this.gamma ** x;
    return 1.0;
  }

  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1.0 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i] - base) * scaleFactor * scale);
    if (this.cycleMomentum) {
      const momentums = this.baseMomentums.map((base, i) => this.maxMomentums[i] - (this.maxMomentums[i] - base) * scaleFactor * scale);
      setMomentum(this.groups(), momentums, this.useBeta1);
    }
    return lrs;
  }
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

export interface OneCycleLROptions {
  maxLr: number | number[];
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

/**
 * The 1cycle policy: the lr rises from maxLr / divFactor to maxLr over pctStart of totalSteps
 * (or epochs * stepsPerEpoch), then anneals (cosine or linear) to initialLr / finalDivFactor;
 * threePhase comes back down to the initial lr first. Momentum (beta1 for Adam-like optimizers)
 * moves the other way between maxMomentum and baseMomentum. Stepping past totalSteps is an error.
 * @example new optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 1000 })
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;
  /** @internal */ _schedulePhases: Phase[];

  constructor(optimizer: Optimizer<object>, opts: OneCycleLROptions) {
    const o = schedulerOptions('OneCycleLR', opts, {
      maxLr: numberOrList, totalSteps: kinds.numberOrNull, epochs: kinds.numberOrNull, stepsPerEpoch: kinds.numberOrNull, pctStart: 'number',
      annealStrategy: kinds.oneOf('cos', 'linear'), cycleMomentum: 'boolean', baseMomentum: numberOrList, maxMomentum: numberOrList,
      divFactor: 'number', finalDivFactor: 'number', threePhase: 'boolean',
    }, true);
    const total = oneCycleTotal(o);
    const pct = o.pctStart ?? 0.3;
    const phases: Phase[] = o.threePhase
      ? [
          { endStep: pct * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pct * total - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pct * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    if (!(pct >= 0 && pct <= 1)) throw new RangeError(`Expected float between 0 and 1 pctStart, but got ${pct}`);
    if (o.maxLr === undefined) throw new TypeError('OneCycleLR(): option maxLr is required');
    const maxLrs = perGroup('maxLr', optimizer, o.maxLr);
    const groups = optimizer.paramGroups as unknown as Record<string, unknown>[];
    const [divFactor, finalDivFactor] = [o.divFactor ?? 25.0, o.finalDivFactor ?? 1e4];
    if (o.lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    const cycleMomentum = o.cycleMomentum ?? true;
    let useBeta1 = false;
    if (cycleMomentum) {
      useBeta1 = momentumKind('OneCycleLR', optimizer);
      const maxMomentums = perGroup('maxMomentum', optimizer, o.maxMomentum ?? 0.95);
      const baseMomentums = perGroup('baseMomentum', optimizer, o.baseMomentum ?? 0.85);
      if (o.lastEpoch === -1) startMomentum(groups, useBeta1, maxMomentums, baseMomentums);
    }
    super(optimizer, o.lastEpoch);
    [this.totalSteps, this._schedulePhases, this.annealStrategy] = [total, phases, o.annealStrategy ?? 'cos'];
    [this.cycleMomentum, this.useBeta1] = [cycleMomentum, useBeta1];
    this._initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    const cosOut = Math.cos(Math.PI * pct) + 1;
    return end + ((start - end) / 2.0) * cosOut;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) throw new RangeError(`Tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`);
    const lrs: number[] = [], momentums: number[] = [];
    for (const group of this.groups()) {
      let start = 0.0;
      for (const [i, phase] of this._schedulePhases.entries()) {
        if (stepNum <= phase.endStep || i === this._schedulePhases.length - 1) {
          const pct = (stepNum - start) / (phase.endStep - start);
          lrs.push(this.anneal(group[phase.startLr] as number, group[phase.endLr] as number, pct));
          if (this.cycleMomentum) momentums.push(this.anneal(group[phase.startMomentum] as number, group[phase.endMomentum] as number, pct));
          break;
        }
        start = phase.endStep;
      }
    }
    if (this.cycleMomentum) setMomentum(this.groups(), momentums, this.useBeta1);
    return lrs;
  }
}

/** OneCycleLR's number of steps: totalSteps, or epochs * stepsPerEpoch. */
function oneCycleTotal(o: { totalSteps?: number | null; epochs?: number | null; stepsPerEpoch?: number | null }): number {
  const positive = (v: number) => Number.isInteger(v) && v > 0;
  if (o.totalSteps !== undefined && o.totalSteps !== null) {
    if (!positive(o.totalSteps)) throw new RangeError(`Expected positive integer totalSteps, but got ${o.totalSteps}`);
    return o.totalSteps;
  }
  if (o.epochs !== undefined && o.epochs !== null && o.stepsPerEpoch !== undefined && o.stepsPerEpoch !== null) {
    if (!positive(o.epochs)) throw new RangeError(`Expected positive integer epochs, but got ${o.epochs}`);
    if (!positive(o.stepsPerEpoch)) throw new RangeError(`Expected positive integer stepsPerEpoch, but got ${o.stepsPerEpoch}`);
    return o.epochs * o.stepsPerEpoch;
  }
  throw new RangeError('You must define either totalSteps OR (epochs AND stepsPerEpoch)');
}

/**
 * Cosine annealing with warm restarts (SGDR): the lr follows half a cosine from its initial value
 * to etaMin over T0 steps, then restarts, each period TMult times the last. step(epoch) may jump
 * to a (fractional) epoch, as in PyTorch.
 * @example new optim.lrScheduler.CosineAnnealingWarmRestarts(opt, { T0: 10, TMult: 2 })
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  T0: number;
  /** The current period's length. */
  Ti: number;
  TMult: number;
  etaMin: number;
  /** Steps since the last restart. */
  TCur: number;

  /** opts may also be PyTorch's positional T0: `new CosineAnnealingWarmRestarts(opt, 10)`. */
  constructor(optimizer: Optimizer<object>, opts: { T0: number; TMult?: number; etaMin?: number; lastEpoch?: number } | number) {
    const o = schedulerOptions('CosineAnnealingWarmRestarts', typeof opts === 'number' ? { T0: opts } : opts, { T0: 'number', TMult: 'number', etaMin: 'number' }, true);
    if (!(Number.isInteger(o.T0) && o.T0 > 0)) throw new RangeError(`Expected positive integer T0, but got ${o.T0}`);
    const TMult = o.TMult ?? 1;
    if (!(Number.isInteger(TMult) && TMult >= 1)) throw new RangeError(`Expected integer TMult >= 1, but got ${TMult}`);
    super(optimizer, o.lastEpoch);
    [this.T0, this.Ti, this.TMult, this.etaMin, this.TCur] = [o.T0, o.T0, TMult, o.etaMin ?? 0.0, o.lastEpoch];
    this._initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.TCur) / this.Ti))) / 2);
  }

  /** Advances one step, or jumps to epoch (which may be fractional: epoch + i / itersPerEpoch). */
  override step(epoch?: number): void {
    if (epoch !== undefined && typeof epoch !== 'number') throw new TypeError(`CosineAnnealingWarmRestarts.step(): epoch must be a number, but got ${typeof epoch}`);
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.TCur += 1;
      if (this.TCur >= this.Ti) {
        this.TCur = this.TCur % this.Ti;
        this.Ti = this.Ti * this.TMult;
      }
    } else {
      if (epoch < 0) throw new RangeError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.T0) {
        if (this.TMult === 1) {
          this.TCur = epoch % this.T0;
        } else {
          const n = Math.trunc(Math.log((epoch / this.T0) * (this.TMult - 1) + 1) / Math.log(this.TMult));
          this.TCur = epoch - (this.T0 * (this.TMult ** n - 1)) / (this.TMult - 1);
          this.Ti = this.T0 * this.TMult ** n;
        }
      } else {
        this.Ti = this.T0;
        this.TCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const values = this.getLr();
    this.groups().forEach((g, i) => (g.lr = values[i]));
    this._lastLr = this.currentLrs();
  }
}
