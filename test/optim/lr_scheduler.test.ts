// tg.optim.lrScheduler against PyTorch's lr sequences (scripts/fixtures/schedulers.py).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';

const { optim } = tg;
const S = optim.lrScheduler;
type Opt = tg.optim.Optimizer<object>;

interface Run { lrs: number[][]; last_epoch: number; group_lrs: number[]; initial_lrs: number[] }
const fixture = loadFixture<{ steps: number; cases: Record<string, Run> }>('schedulers.json');

const cases: Record<string, (o: Opt) => tg.optim.lrScheduler.LRScheduler> = {
  StepLR: (o) => new S.StepLR(o, { stepSize: 7, gamma: 0.5 }),
  'StepLR default gamma': (o) => new S.StepLR(o, { stepSize: 3 }),
  MultiStepLR: (o) => new S.MultiStepLR(o, { milestones: [5, 12, 12, 30], gamma: 0.3 }),
  ExponentialLR: (o) => new S.ExponentialLR(o, { gamma: 0.93 }),
  CosineAnnealingLR: (o) => new S.CosineAnnealingLR(o, { TMax: 10, etaMin: 0.001 }),
  'CosineAnnealingLR eta_min 0': (o) => new S.CosineAnnealingLR(o, { TMax: 17 }),
  LambdaLR: (o) => new S.LambdaLR(o, (epoch) => 0.95 ** epoch),
  'LambdaLR per group': (o) => new S.LambdaLR(o, [(e) => 1 / (1 + e), (e) => Math.cos(e / 10)]),
};

function optimizer(): Opt {
  const w1 = tg.zeros([2], { requiresGrad: true }), w2 = tg.zeros([2], { requiresGrad: true });
  return new optim.SGD([{ params: [w1] }, { params: [w2], lr: 0.05 }], { lr: 0.1 }) as unknown as Opt;
}

/**
 * Equal but for rounding: V8's cos and pow and the C library's (which PyTorch's Python calls) can
 * differ in the last bit, and the recursive formulas carry that along.
 */
function expectLrs(got: number[], want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `${what}[${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(1e-14 * Math.abs(want[i])));
}

describe('learning-rate schedulers against PyTorch', () => {
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => {
      const want = fixture.cases[name];
      const opt = optimizer();
      const sched = make(opt);
      expectLrs(sched.getLastLr(), want.lrs[0], 'after construction');
      for (let t = 1; t <= fixture.steps; t++) {
        opt.step();
        sched.step();
        expectLrs(sched.getLastLr(), want.lrs[t], `step ${t}`);
      }
      expect(sched.lastEpoch).toBe(want.last_epoch);
      expectLrs(opt.paramGroups.map((g) => (g as unknown as { lr: number }).lr), want.group_lrs, 'groups');
      expect(opt.paramGroups.map((g) => (g as unknown as { initialLr: number }).initialLr)).toEqual(want.initial_lrs);
    });
  }
});

describe('learning-rate schedulers', () => {
  it('drive the optimizer: the step SGD takes uses the scheduled lr', () => {
    const w = tg.tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 1 });
    const sched = new S.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    for (let t = 0; t < 3; t++) {
      w.grad = tg.tensor([1]);
      opt.step();
      sched.step();
    }
    expect(w.tolist()).toEqual([1 - 1 - 0.5 - 0.25]);
    expect(sched.getLastLr()).toEqual([0.125]);
  });

  it('stateDict / loadStateDict resume a schedule where it was', () => {
    const a = optimizer();
    const sa = new S.CosineAnnealingLR(a, { TMax: 10 });
    for (let t = 0; t < 4; t++) sa.step();
    const saved = sa.stateDict();
    expect(saved).not.toHaveProperty('optimizer');
    expect(saved.lastEpoch).toBe(4);
    const b = optimizer();
    const sb = new S.CosineAnnealingLR(b, { TMax: 3 });
    sb.loadStateDict(saved);
    b.loadStateDict(a.stateDict());
    sa.step();
    sb.step();
    expect(sb.getLastLr()).toEqual(sa.getLastLr());
    const lambda = new S.LambdaLR(optimizer(), (e) => e);
    expect(Object.keys(lambda.stateDict())).not.toContain('lrLambdas');
  });

  it("PyTorch's errors", () => {
    expect(() => new S.StepLR({} as Opt, { stepSize: 1 })).toThrow('Object is not an Optimizer');
    expect(() => new S.StepLR(optimizer(), { stepSize: 1.5 })).toThrow('stepSize must be an integer');
    expect(() => new S.LambdaLR(optimizer(), [(e) => e])).toThrow('Expected 2 lrLambdas, but got 1');
    expect(() => new S.ExponentialLR(optimizer(), { gamma: 0.9, lastEpoch: 3 })).toThrow("param 'initialLr' is not specified in paramGroups[0] when resuming scheduler with lastEpoch >= 0.");
  });
});
