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

describe('the warm-up, cyclic and composite schedulers', () => {
  it("PyTorch's errors", () => {
    expect(() => new S.ConstantLR(optimizer(), { factor: 1.5 })).toThrow('Constant multiplicative factor expected to be between 0 and 1.');
    expect(() => new S.LinearLR(optimizer(), { startFactor: 0 })).toThrow('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    expect(() => new S.LinearLR(optimizer(), { endFactor: 1.5 })).toThrow('Ending multiplicative factor expected to be between 0 and 1.');
    expect(() => new S.LinearLR(optimizer(), { start: 0.1 } as never)).toThrow(/unknown option 'start'/);
    expect(() => new S.PolynomialLR(optimizer(), { totalIters: 2.5 })).toThrow('totalIters must be an integer');
    expect(() => new S.CosineAnnealingWarmRestarts(optimizer(), { T0: 0 })).toThrow('Expected positive integer T0, but got 0');
    expect(() => new S.CosineAnnealingWarmRestarts(optimizer(), { T0: 5, TMult: 0.5 })).toThrow('Expected integer TMult >= 1, but got 0.5');
    expect(() => new S.OneCycleLR(optimizer(), { maxLr: 0.1 })).toThrow('You must define either totalSteps OR (epochs AND stepsPerEpoch)');
    expect(() => new S.OneCycleLR(optimizer(), { maxLr: 0.1, totalSteps: 0 })).toThrow('Expected positive integer totalSteps, but got 0');
    expect(() => new S.OneCycleLR(optimizer(), { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 })).toThrow('Expected float between 0 and 1 pctStart, but got 1.5');
    expect(() => new S.OneCycleLR(optimizer(), { maxLr: [0.1], totalSteps: 10 })).toThrow('maxLr must have the same length as optimizer.paramGroups. maxLr has 1 values, paramGroups has 2.');
    const adagrad = () => new optim.Adagrad([tg.zeros([2], { requiresGrad: true })]) as unknown as Opt;
    expect(() => new S.OneCycleLR(adagrad(), { maxLr: 0.1, totalSteps: 10 })).toThrow(/optimizer must support momentum or beta1 with `cycleMomentum` option enabled/);
    expect(() => new S.CyclicLR(adagrad(), { baseLr: 0.01, maxLr: 0.1 })).toThrow(/optimizer must support momentum or beta1/);
    expect(new S.CyclicLR(adagrad(), { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false }).getLastLr()).toEqual([0.01]);
    expect(() => new S.CyclicLR(optimizer(), { maxLr: 0.1 } as never)).toThrow('CyclicLR(): options baseLr and maxLr are required');
    expect(() => new S.ReduceLROnPlateau(optimizer(), { factor: 1 })).toThrow('Factor should be < 1.0.');
    expect(() => new S.ReduceLROnPlateau(optimizer(), { minLr: [0.1] })).toThrow('expected 2 minLrs, got 1');
    expect(() => new S.ReduceLROnPlateau(optimizer(), { mode: 'up' as never })).toThrow(TypeError);
    expect(() => new S.ReduceLROnPlateau(optimizer()).step()).toThrow(TypeError);
  });

  it('OneCycleLR refuses to step past totalSteps', () => {
    const sched = new S.OneCycleLR(optimizer(), { maxLr: 0.1, totalSteps: 10 });
    for (let t = 0; t < 10; t++) sched.step();
    expect(() => sched.step()).toThrow('Tried to step 11 times. The specified number of total steps is 10');
  });

  it('SequentialLR and ChainedScheduler check their schedulers as PyTorch does', () => {
    const o = optimizer();
    const other = optimizer();
    expect(() => new S.SequentialLR(o, { schedulers: [], milestones: [] })).toThrow('SequentialLR expects at least one scheduler, but got no scheduler.');
    expect(() => new S.SequentialLR(o, [new S.StepLR(o, 3), new S.ExponentialLR(o, 0.9)], [])).toThrow(
      'Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 0',
    );
    expect(() => new S.SequentialLR(o, [new S.StepLR(o, 3), new S.ReduceLROnPlateau(o)], [2])).toThrow(/does not support `ReduceLROnPlateau` scheduler/);
    expect(() => new S.SequentialLR(o, [new S.StepLR(o, 3), new S.StepLR(other, 3)], [2])).toThrow(/expects all schedulers to belong to the same optimizer, but got scheduler StepLR at index 1/);
    expect(() => new S.SequentialLR(o, [{} as never], [])).toThrow('SequentialLR at index 0 should have `optimizer` as its attribute.');
    expect(() => new S.ChainedScheduler([])).toThrow('ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.');
    expect(() => new S.ChainedScheduler([new S.StepLR(o, 3)], other)).toThrow(/expects all schedulers to belong to the same optimizer/);
    expect(new S.ChainedScheduler([new S.StepLR(o, 3)], { optimizer: o }).optimizer).toBe(o);
  });

  it('CosineAnnealingWarmRestarts jumps to a given (fractional) epoch', () => {
    const lr = (base: number, tCur: number, ti: number) => (base * (1 + Math.cos((Math.PI * tCur) / ti))) / 2;
    const a = new S.CosineAnnealingWarmRestarts(optimizer(), { T0: 10 });
    a.step(12.5);
    expect([a.lastEpoch, a.TCur, a.Ti]).toEqual([12, 2.5, 10]);
    expect(a.getLastLr()).toEqual([lr(0.1, 2.5, 10), lr(0.05, 2.5, 10)]);
    const b = new S.CosineAnnealingWarmRestarts(optimizer(), { T0: 5, TMult: 2 });
    b.step(17); // periods 5, 10, 20: epoch 17 is 2 into the third
    expect([b.lastEpoch, b.TCur, b.Ti]).toEqual([17, 2, 20]);
    b.step(3);
    expect([b.TCur, b.Ti]).toEqual([3, 5]);
    expect(() => b.step(-1)).toThrow('Expected non-negative epoch, but got -1');
  });

  it("step(epoch), deprecated in PyTorch, jumps by the closed form", () => {
    const sched = new S.StepLR(optimizer(), { stepSize: 2, gamma: 0.5 });
    sched.step(5);
    expect([sched.lastEpoch, ...sched.getLastLr()]).toEqual([5, 0.1 * 0.5 ** 2, 0.05 * 0.5 ** 2]);
    const linear = new S.LinearLR(optimizer(), { startFactor: 0.5, totalIters: 4 });
    linear.step(2);
    expect(linear.getLastLr()).toEqual([0.1 * (0.5 + (0.5 * 2) / 4), 0.05 * (0.5 + (0.5 * 2) / 4)]);
    expect(() => sched.step(1.5)).toThrow('epoch must be an integer');
  });

  it('ReduceLROnPlateau takes a one-element tensor as its metric', () => {
    const o = optimizer();
    const sched = new S.ReduceLROnPlateau(o, { patience: 0 });
    sched.step(tg.tensor(1.0));
    sched.step(tg.tensor([2.0]));
    expect(sched.getLastLr()).toEqual([0.1 * 0.1, 0.05 * 0.1]);
    expect(sched.best).toBe(1);
    expect(sched.inCooldown).toBe(false);
  });

  it('CyclicLR cycles the momentum RMSprop steps with', () => {
    const w = tg.ones([3], { requiresGrad: true });
    const opt = new optim.RMSprop([w], { lr: 0.01 });
    const sched = new S.CyclicLR(opt as unknown as Opt, { baseLr: 0.001, maxLr: 0.01, stepSizeUp: 2 });
    expect(opt.paramGroups[0].momentum).toBe(0.9);
    w.grad = tg.ones([3]);
    opt.step();
    sched.step();
    expect(Object.keys(opt.state.get(w) as object)).toEqual(['step', 'squareAvg', 'momentumBuffer']);
    expect(opt.paramGroups[0].momentum).toBeCloseTo(0.85, 15);
  });
});
