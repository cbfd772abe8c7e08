/**
 * Schedulers over other schedulers (SequentialLR, ChainedScheduler) and ReduceLROnPlateau, which
 * follows a metric rather than the step count.
 */
import { checkOptions, isOptionsObject, kinds, typeName } from '../../options';
import { isTensor } from '../../storage';
import type { Tensor } from '../../tensor';
import { Optimizer } from '../optimizer';
import { checkInt, LRScheduler, type SchedulerStateDict } from './base';

/** The checks PyTorch makes of the schedulers that SequentialLR and ChainedScheduler drive. */
function checkSchedulers(name: string, schedulers: readonly LRScheduler[], optimizer: Optimizer<object>): void {
  if (!Array.isArray(schedulers) || schedulers.length < 1) throw new RangeError(`${name} expects at least one scheduler, but got no scheduler.`);
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) throw new TypeError(`${name} at index ${i} should have \`optimizer\` as its attribute.`);
    if (s instanceof ReduceLROnPlateau) {
      throw new RangeError(
        `${name} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be specified when calling \`step\`, ` +
          `but got one at index ${i} in the given schedulers sequence.`,
      );
    }
    if (s.optimizer !== optimizer) {
      throw new RangeError(
        `${name} expects all schedulers to belong to the same optimizer, but got scheduler ${s.constructor.name} at index ${i} with another ` +
          `optimizer than this ${optimizer.constructor.name}.`,
      );
    }
  });
}

/** A composite scheduler's state: its own, with each of its schedulers' state dicts in `_schedulers`. */
function compositeState(self: LRScheduler & { _schedulers: LRScheduler[] }): SchedulerStateDict {
  const own = structuredClone(Object.fromEntries(Object.entries(self).filter(([k]) => k !== 'optimizer' && k !== '_schedulers')));
  return { ...own, _schedulers: self._schedulers.map((s) => s.stateDict()) };
}

function loadComposite(self: LRScheduler & { _schedulers: LRScheduler[] }, state: SchedulerStateDict): void {
  const { _schedulers: saved, ...own } = state;
  Object.assign(self, structuredClone(own));
  (saved as SchedulerStateDict[]).forEach((s, i) => self._schedulers[i].loadStateDict(s));
}

/**
 * Runs schedulers one after another: schedulers[i] from milestones[i - 1] on, each restarted
 * there (its lr set from its closed form at epoch 0), as in PyTorch.
 * @example
 * const warmup = new S.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new S.CosineAnnealingLR(opt, { TMax: 95 });
 * const sched = new S.SequentialLR(opt, { schedulers: [warmup, decay], milestones: [5] });
 */
export class SequentialLR extends LRScheduler {
  /** @internal */ _schedulers: LRScheduler[];
  /** @internal */ _milestones: number[];

  /** Also PyTorch's positional form: `new SequentialLR(opt, [warmup, decay], [5])`. */
  constructor(optimizer: Optimizer<object>, opts: { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number } | LRScheduler[], milestones?: number[]) {
    const o = Array.isArray(opts) ? { schedulers: opts, milestones: milestones as number[] } : checkOptions('SequentialLR', opts, { schedulers: 'object', milestones: 'object', lastEpoch: 'number' }, true)!;
    const lastEpoch = o.lastEpoch ?? -1;
    super(optimizer, lastEpoch, true);
    checkSchedulers('SequentialLR', o.schedulers, optimizer);
    const ms = [...(o.milestones ?? [])].map((m) => checkInt(m, 'milestone'));
    if (ms.length !== o.schedulers.length - 1) {
      throw new RangeError(
        'Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of ' +
          `schedulers ${o.schedulers.length} and the number of milestones to be equal to ${ms.length}`,
      );
    }
    [this._schedulers, this._milestones] = [[...o.schedulers], ms];
    this.lastEpoch = lastEpoch + 1;
    for (const g of this.groups()) g.lr = g.initialLr as number;
    this.undo(this);
    const first = this._schedulers[bisectRight(this._milestones, 0)];
    first._initialStep();
    this._lastLr = first.getLastLr();
  }

  /** Takes back the first step of every scheduler below (their constructors took one each). */
  private undo(s: LRScheduler): void {
    if (s instanceof SequentialLR || s instanceof ChainedScheduler) for (const sub of s._schedulers) this.undo(sub);
    else s.lastEpoch -= 1;
  }

  protected getLr(): number[] {
    return this.currentLrs();
  }

  /** Steps the scheduler whose turn it is (restarting it at its milestone). */
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this._milestones, this.lastEpoch);
    const s = this._schedulers[idx];
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) s._updateLr(0);
    else s.step();
    this._lastLr = s.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    return compositeState(this);
  }

  override loadStateDict(state: SchedulerStateDict): void {
    loadComposite(this, state);
  }
}

/** How many of the sorted values are <= x (Python's bisect_right). */
function bisectRight(sorted: readonly number[], x: number): number {
  let n = 0;
  while (n < sorted.length && sorted[n] <= x) n++;
  return n;
}

/**
 * Steps several schedulers together, each after the other, so that their factors compound.
 * @example const sched = new S.ChainedScheduler([new S.ConstantLR(opt, { factor: 0.1, totalIters: 2 }), new S.ExponentialLR(opt, 0.9)]);
 */
export class ChainedScheduler extends LRScheduler {
  /** @internal */ _schedulers: LRScheduler[];

  /** optimizer: the schedulers' (default: the first one's), as PyTorch's second argument. */
  constructor(schedulers: LRScheduler[], optimizer?: Optimizer<object> | { optimizer?: Optimizer<object> }) {
    if (!Array.isArray(schedulers) || schedulers.length < 1) throw new RangeError('ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.');
    const given = isOptionsObject(optimizer) ? checkOptions('ChainedScheduler', optimizer, { optimizer: 'object' })?.optimizer : optimizer;
    const opt = given ?? schedulers[0]?.optimizer;
    super(opt as Optimizer<object>, -1, true);
    checkSchedulers('ChainedScheduler', schedulers, opt as Optimizer<object>);
    this._schedulers = [...schedulers];
    this._lastLr = this.currentLrs();
  }

  protected getLr(): number[] {
    return this.currentLrs();
  }

  /** Steps every scheduler, in order. */
  override step(): void {
    for (const s of this._schedulers) s.step();
    this._lastLr = this.currentLrs();
  }

  override stateDict(): SchedulerStateDict {
    return compositeState(this);
  }

  override loadStateDict(state: SchedulerStateDict): void {
    loadComposite(this, state);
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/**
 * Multiplies the lr by factor once the metric given to step(metric) has not improved (by more
 * than threshold, relative or absolute) for patience steps, then waits cooldown steps; never below
 * minLr, and not by less than eps.
 * @example const sched = new S.ReduceLROnPlateau(opt, { patience: 5 }); ... sched.step(valLoss);
 */
export class ReduceLROnPlateau extends LRScheduler {
  factor: number;
  minLrs: number[];
  defaultMinLr: number | null;
  patience: number;
  cooldown: number;
  eps: number;
  mode: 'min' | 'max';
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  best = 0;
  modeWorse = Infinity;
  cooldownCounter = 0;
  numBadEpochs = 0;

  constructor(optimizer: Optimizer<object>, opts: ReduceLROnPlateauOptions = {}) {
    const numberList = { test: (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')), what: 'a number or an array of numbers' };
    const o = checkOptions('ReduceLROnPlateau', opts, {
      mode: kinds.oneOf('min', 'max'), factor: 'number', patience: 'number', threshold: 'number', thresholdMode: kinds.oneOf('rel', 'abs'),
      cooldown: 'number', minLr: numberList, eps: 'number',
    }) ?? {};
    const factor = o.factor ?? 0.1;
    if (factor >= 1.0) throw new RangeError('Factor should be < 1.0.');
    super(optimizer, 0, true);
    this.factor = factor;
    const minLr = o.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== optimizer.paramGroups.length) throw new RangeError(`expected ${optimizer.paramGroups.length} minLrs, got ${minLr.length}`);
      [this.defaultMinLr, this.minLrs] = [null, [...minLr]];
    } else {
      [this.defaultMinLr, this.minLrs] = [minLr, new Array<number>(optimizer.paramGroups.length).fill(minLr)];
    }
    [this.patience, this.cooldown, this.eps] = [checkInt(o.patience ?? 10, 'patience'), checkInt(o.cooldown ?? 0, 'cooldown'), o.eps ?? 1e-8];
    this._lastLr = this.currentLrs();
    [this.mode, this.threshold, this.thresholdMode] = [o.mode ?? 'min', o.threshold ?? 1e-4, o.thresholdMode ?? 'rel'];
    this.modeWorse = this.mode === 'min' ? Infinity : -Infinity;
    this.best = this.modeWorse;
  }

  protected getLr(): number[] {
    return this.currentLrs();
  }

  /** Whether the scheduler is waiting out its cooldown. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records this step's metric (a number or a one-element tensor) and reduces the lr if it has plateaued. */
  override step(metric?: number | Tensor): void {
    const current = isTensor(metric) ? (metric.item() as number) : metric;
    if (typeof current !== 'number') throw new TypeError(`ReduceLROnPlateau.step(): expected the metric, a number or a Tensor, but got ${typeName(metric)}`);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.currentLrs();
  }

  private reduceLr(): void {
    const groups = this.groups();
    if (groups.length !== this.minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new RangeError(
          `The number of param groups in the \`optimizer\` (${groups.length}) differs from when \`ReduceLROnPlateau\` was initialized ` +
            `(${this.minLrs.length}), usually due to a new param group being added to the optimizer. Please modify the \`minLrs\` field to match ` +
            'the length of the `optimizer` param groups.',
        );
      }
      this.minLrs = new Array<number>(groups.length).fill(this.defaultMinLr);
    }
    groups.forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1.0 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }
}
