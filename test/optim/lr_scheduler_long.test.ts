// ConstantLR, LinearLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR,
// ReduceLROnPlateau, SequentialLR and ChainedScheduler against PyTorch's lr (and momentum)
// sequences over 100 steps (scripts/fixtures/schedulers.py's long_cases).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';

const { optim } = tg;
const S = optim.lrScheduler;
type Opt = tg.optim.Optimizer<object>;
type Sched = tg.optim.lrScheduler.LRScheduler;

interface Run { lrs: number[][]; momentums?: number[][]; last_epoch: number | null; group_lrs: number[]; initial_lrs: (number | null)[] }
const fixture = loadFixture<{ long_steps: number; metrics: number[]; long_cases: Record<string, Run> }>('schedulers.json');

const [sgd, adam] = [false, true]; // whether the case's optimizer is Adam (its beta1 cycles) rather than SGD
const cases: Record<string, [(o: Opt) => Sched, boolean]> = {
  ConstantLR: [(o) => new S.ConstantLR(o), sgd],
  'ConstantLR factor 0.5 for 10': [(o) => new S.ConstantLR(o, { factor: 0.5, totalIters: 10 }), sgd],
  LinearLR: [(o) => new S.LinearLR(o), sgd],
  'LinearLR 0.25 to 0.9 over 30': [(o) => new S.LinearLR(o, { startFactor: 0.25, endFactor: 0.9, totalIters: 30 }), sgd],
  PolynomialLR: [(o) => new S.PolynomialLR(o), sgd],
  'PolynomialLR power 2 over 60': [(o) => new S.PolynomialLR(o, { totalIters: 60, power: 2.0 }), sgd],
  'PolynomialLR power 0.5 over 120': [(o) => new S.PolynomialLR(o, { totalIters: 120, power: 0.5 }), sgd],
  CosineAnnealingWarmRestarts: [(o) => new S.CosineAnnealingWarmRestarts(o, { T0: 10 }), sgd],
  'CosineAnnealingWarmRestarts T_mult 2': [(o) => new S.CosineAnnealingWarmRestarts(o, { T0: 5, TMult: 2, etaMin: 0.001 }), sgd],
  'CyclicLR triangular': [(o) => new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10 }), sgd],
  'CyclicLR triangular2': [(o) => new S.CyclicLR(o, { baseLr: [0.01, 0.005], maxLr: [0.1, 0.2], stepSizeUp: 7, stepSizeDown: 13, mode: 'triangular2' }), sgd],
  'CyclicLR exp_range': [
    (o) => new S.CyclicLR(o, { baseLr: 0.001, maxLr: 0.1, stepSizeUp: 5, mode: 'exp_range', gamma: 0.97, baseMomentum: 0.7, maxMomentum: [0.95, 0.9] }),
    sgd,
  ],
  'CyclicLR no momentum': [(o) => new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4, cycleMomentum: false }), sgd],
  'CyclicLR Adam': [(o) => new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 8 }), adam],
  OneCycleLR: [(o) => new S.OneCycleLR(o, { maxLr: 0.5, totalSteps: 100 }), sgd],
  'OneCycleLR linear three-phase': [(o) => new S.OneCycleLR(o, { maxLr: [0.5, 0.2], totalSteps: 100, annealStrategy: 'linear', threePhase: true }), sgd],
  'OneCycleLR epochs': [
    (o) => new S.OneCycleLR(o, { maxLr: 1.0, epochs: 10, stepsPerEpoch: 12, pctStart: 0.25, divFactor: 10.0, finalDivFactor: 100.0, baseMomentum: 0.8, maxMomentum: 0.9 }),
    sgd,
  ],
  'OneCycleLR Adam': [(o) => new S.OneCycleLR(o, { maxLr: 0.01, totalSteps: 100, cycleMomentum: true }), adam],
  'OneCycleLR no momentum': [(o) => new S.OneCycleLR(o, { maxLr: 0.3, totalSteps: 100, cycleMomentum: false }), sgd],
  ReduceLROnPlateau: [(o) => new S.ReduceLROnPlateau(o), sgd],
  'ReduceLROnPlateau patience 3, cooldown 4, min_lr': [(o) => new S.ReduceLROnPlateau(o, { factor: 0.5, patience: 3, cooldown: 4, minLr: [0.01, 0.02] }), sgd],
  'ReduceLROnPlateau max, abs': [(o) => new S.ReduceLROnPlateau(o, { mode: 'max', factor: 0.3, patience: 2, threshold: 0.01, thresholdMode: 'abs' }), sgd],
  'ReduceLROnPlateau eps': [(o) => new S.ReduceLROnPlateau(o, { factor: 0.9, patience: 0, eps: 0.004 }), sgd],
  'SequentialLR warm-up then exponential': [
    (o) => new S.SequentialLR(o, { schedulers: [new S.ConstantLR(o, { factor: 0.1, totalIters: 2 }), new S.ExponentialLR(o, { gamma: 0.9 })], milestones: [2] }),
    sgd,
  ],
  'SequentialLR linear, cosine, step': [
    (o) => new S.SequentialLR(o, [new S.LinearLR(o, { startFactor: 0.1, totalIters: 5 }), new S.CosineAnnealingLR(o, { TMax: 20 }), new S.StepLR(o, { stepSize: 10, gamma: 0.5 })], [5, 30]),
    sgd,
  ],
  'SequentialLR with warm restarts and multi-step': [
    (o) => new S.SequentialLR(o, {
      schedulers: [new S.MultiStepLR(o, { milestones: [3, 6], gamma: 0.5 }), new S.CosineAnnealingWarmRestarts(o, { T0: 7 }), new S.PolynomialLR(o, { totalIters: 30 })],
      milestones: [10, 40],
    }),
    sgd,
  ],
  ChainedScheduler: [(o) => new S.ChainedScheduler([new S.ConstantLR(o, { factor: 0.1, totalIters: 2 }), new S.ExponentialLR(o, { gamma: 0.9 })]), sgd],
  'ChainedScheduler linear and step': [
    (o) => new S.ChainedScheduler([new S.LinearLR(o, { startFactor: 0.5, totalIters: 10 }), new S.StepLR(o, { stepSize: 7, gamma: 0.7 }), new S.CosineAnnealingLR(o, { TMax: 25 })]),
    sgd,
  ],
};

/** Two groups, lr 0.1 and 0.05: SGD with momentum 0.9, or Adam. */
function optimizer(useAdam = false): Opt {
  const w1 = tg.zeros([2], { requiresGrad: true }), w2 = tg.zeros([2], { requiresGrad: true });
  const groups = [{ params: [w1] }, { params: [w2], lr: 0.05 }];
  return (useAdam ? new optim.Adam(groups, { lr: 0.1 }) : new optim.SGD(groups, { lr: 0.1, momentum: 0.9 })) as unknown as Opt;
}

const momentumOf = (o: Opt, useAdam: boolean) =>
  o.paramGroups.map((g) => (useAdam ? (g as unknown as { betas: number[] }).betas[0] : (g as unknown as { momentum: number }).momentum));

/** Equal but for the last bits of V8's cos and pow against the C library's. */
function expectClose(got: number[], want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `${what}[${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(1e-14 * Math.abs(want[i])));
}

describe('learning-rate schedulers against PyTorch, 100 steps', () => {
  expect(Object.keys(cases)).toEqual(Object.keys(fixture.long_cases));
  for (const [name, [make, useAdam]] of Object.entries(cases)) {
    it(name, () => {
      const want = fixture.long_cases[name];
      const opt = optimizer(useAdam);
      const sched = make(opt);
      const plateau = sched instanceof S.ReduceLROnPlateau;
      expectClose(sched.getLastLr(), want.lrs[0], 'after construction');
      if (want.momentums) expectClose(momentumOf(opt, useAdam), want.momentums[0], 'momentum after construction');
      for (let t = 1; t <= fixture.long_steps; t++) {
        opt.step();
        if (plateau) sched.step(fixture.metrics[t - 1]);
        else sched.step();
        expectClose(sched.getLastLr(), want.lrs[t], `step ${t}`);
        if (want.momentums) expectClose(momentumOf(opt, useAdam), want.momentums[t], `momentum at step ${t}`);
      }
      if (want.last_epoch !== null) expect(sched.lastEpoch).toBe(want.last_epoch);
      expectClose(opt.paramGroups.map((g) => (g as unknown as { lr: number }).lr), want.group_lrs, 'groups');
      expect(opt.paramGroups.map((g) => (g as unknown as { initialLr?: number }).initialLr ?? null)).toEqual(want.initial_lrs);
    });
  }
});

describe('schedulers resume from their state dicts', () => {
  for (const [name, [make, useAdam]] of Object.entries(cases)) {
    it(name, () => {
      const metrics = fixture.metrics;
      const [a, b] = [optimizer(useAdam), optimizer(useAdam)];
      const [sa, sb] = [make(a), make(b)];
      const step = (s: Sched, t: number) => (s instanceof S.ReduceLROnPlateau ? s.step(metrics[t]) : s.step());
      for (let t = 0; t < 37; t++) step(sa, t);
      const saved = JSON.parse(JSON.stringify(sa.stateDict())) as tg.optim.lrScheduler.SchedulerStateDict;
      expect(saved).not.toHaveProperty('optimizer');
      sb.loadStateDict(saved);
      b.loadStateDict(a.stateDict());
      for (let t = 37; t < 60; t++) {
        step(sa, t);
        step(sb, t);
        expect(sb.getLastLr(), `step ${t}`).toEqual(sa.getLastLr());
      }
    });
  }
});
