// The optimizers' API beyond their numbers: options and PyTorch's errors, addParamGroup, state
// dicts, closures, and the checks the fused kernels make.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { native } from '../../src/native';

const { optim } = tg;
const ADAPTIVE = ['RMSprop', 'Adagrad', 'Adadelta', 'Adamax', 'NAdam', 'RAdam', 'ASGD'] as const;
type Name = (typeof ADAPTIVE)[number];
const make = (name: Name, params: unknown, opts?: unknown) => new optim[name](params as tg.Tensor[], opts as never) as unknown as tg.optim.Optimizer<Record<string, unknown>>;
const params = () => [tg.tensor([[1.0, -2.0], [0.5, 3.0]], { requiresGrad: true }), tg.tensor([0.25, -0.75], { requiresGrad: true })];

/** Takes steps with the gradient of sum(p^3) for every parameter. */
function train(opt: tg.optim.Optimizer<object>, ps: tg.Tensor[], steps: number): void {
  for (let t = 0; t < steps; t++) {
    opt.zeroGrad();
    ps.reduce((acc, p) => acc.add(p.pow(3).sum()), tg.tensor(0)).backward();
    opt.step();
  }
}

describe('options', () => {
  it("invalid values are PyTorch's errors", () => {
    const p = () => params();
    const cases: [Name, Record<string, unknown>, string][] = [
      ['RMSprop', { lr: -1 }, 'Invalid learning rate: -1'],
      ['RMSprop', { eps: -1 }, 'Invalid epsilon value: -1'],
      ['RMSprop', { momentum: -0.1 }, 'Invalid momentum value: -0.1'],
      ['RMSprop', { weightDecay: -1 }, 'Invalid weightDecay value: -1'],
      ['RMSprop', { alpha: -0.5 }, 'Invalid alpha value: -0.5'],
      ['Adagrad', { lrDecay: -1 }, 'Invalid lrDecay value: -1'],
      ['Adagrad', { initialAccumulatorValue: -1 }, 'Invalid initialAccumulatorValue value: -1'],
      ['Adagrad', { eps: -1 }, 'Invalid epsilon value: -1'],
      ['Adadelta', { rho: 1.5 }, 'Invalid rho value: 1.5'],
      ['Adadelta', { lr: NaN }, 'Invalid learning rate: NaN'],
      ['Adamax', { betas: [1, 0.999] }, 'Invalid beta parameter at index 0: 1'],
      ['NAdam', { betas: [0.9, -0.1] }, 'Invalid beta parameter at index 1: -0.1'],
      ['NAdam', { momentumDecay: -1 }, 'Invalid momentumDecay value: -1'],
      ['RAdam', { weightDecay: -0.1 }, 'Invalid weightDecay value: -0.1'],
      ['ASGD', { lr: -0.5 }, 'Invalid learning rate: -0.5'],
    ];
    for (const [name, opts, message] of cases) expect(() => make(name, p(), opts), `${name} ${JSON.stringify(opts)}`).toThrow(message);
  });

  it('an unknown option or a value of the wrong kind is a TypeError', () => {
    for (const name of ADAPTIVE) {
      expect(() => make(name, params(), { learningRate: 0.1 })).toThrow(TypeError);
      expect(() => make(name, params(), { lr: '0.1' })).toThrow(TypeError);
    }
    expect(() => make('NAdam', params(), { betas: [0.9] })).toThrow(/option 'betas' must be a pair of numbers/);
    expect(() => make('RMSprop', params(), { foreach: true })).toThrow(/unknown option 'foreach'/);
  });

  it("PyTorch's defaults, and the learning rate as a positional argument", () => {
    const defaults = Object.fromEntries(ADAPTIVE.map((n) => [n, make(n, params()).defaults]));
    expect(defaults).toEqual({
      RMSprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
      Adagrad: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
      Adadelta: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
      Adamax: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
      NAdam: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false },
      RAdam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false },
      ASGD: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false },
    });
    for (const n of ADAPTIVE) expect(make(n, params(), 0.123).defaults.lr).toBe(0.123);
    expect(make('RMSprop', params(), { lr: undefined, alpha: 0.9 }).defaults.lr).toBe(1e-2);
  });
});

describe('addParamGroup', () => {
  it('fills in the defaults, keeps the given options and refuses parameters already there', () => {
    const [a, b] = params();
    const opt = new optim.NAdam([a], { lr: 0.01, weightDecay: 0.1 });
    opt.addParamGroup({ params: b, lr: 0.5, momentumDecay: undefined });
    expect(opt.paramGroups[1]).toEqual({ ...opt.defaults, lr: 0.5, params: [b] });
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('some parameters appear in more than one parameter group');
    expect(() => opt.addParamGroup({ params: [tg.zeros([1], { requiresGrad: true })], eps2: 1 } as never)).toThrow(/unknown option 'eps2'/);
    expect(opt.paramGroups.length).toBe(2);
  });

  it("an added group's parameters get their state at their first step", () => {
    const [a, b] = params();
    const opt = new optim.RMSprop([a], { momentum: 0.9 });
    train(opt, [a], 2);
    opt.addParamGroup({ params: [b], centered: true, momentum: 0 });
    train(opt, [a, b], 1);
    expect(opt.state.get(a)).toMatchObject({ step: 3 });
    expect(Object.keys(opt.state.get(b) as object)).toEqual(['step', 'squareAvg', 'gradAvg']);
    expect(opt.state.get(b)?.step).toBe(1);
  });

  it("Adagrad's state exists from the constructor, its sums at the constructor's initialAccumulatorValue", () => {
    const [a, b] = params();
    const opt = new optim.Adagrad([a], { initialAccumulatorValue: 0.1 });
    expect(opt.state.get(a)?.step).toBe(0);
    expect((opt.state.get(a)?.sum as tg.Tensor).tolist()).toEqual([[0.1, 0.1], [0.1, 0.1]].map((r) => r.map(Math.fround)));
    opt.addParamGroup({ params: [b], initialAccumulatorValue: 0.5 });
    expect(opt.state.has(b)).toBe(false);
    train(opt, [a, b], 1);
    expect(opt.stateDict().state[1].sum).toBeDefined();
    // PyTorch fills an added group's sums from the defaults too
    const g = 3 * 0.25 ** 2;
    expect(((opt.state.get(b)?.sum as tg.Tensor).tolist() as number[])[0]).toBeCloseTo(0.1 + g * g, 6);
  });
});

describe('stateDict / loadStateDict', () => {
  it.each(ADAPTIVE)('%s resumes exactly where it stopped', (name) => {
    const opts = { lr: 0.01, weightDecay: 0.01, ...(name === 'ASGD' ? { t0: 3 } : {}), ...(name === 'RMSprop' ? { momentum: 0.9, centered: true } : {}) };
    const straight = params();
    train(make(name, straight, opts), straight, 10);
    const ps = params();
    const first = make(name, ps, opts);
    train(first, ps, 4);
    const saved = first.stateDict();
    const again = make(name, ps, { lr: 0.5 });
    again.loadStateDict(saved);
    expect(again.paramGroups[0].lr).toBe(0.01);
    train(again, ps, 6);
    expect(ps.map((p) => p.tolist())).toEqual(straight.map((p) => p.tolist()));
  });

  it('keeps state tensors of the parameter dtype and scalars as numbers', () => {
    const p = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.NAdam([p]);
    train(opt, [p], 2);
    const s = opt.stateDict().state[0];
    expect(Object.keys(s)).toEqual(['step', 'muProduct', 'expAvg', 'expAvgSq']);
    expect([typeof s.step, typeof s.muProduct, (s.expAvg as tg.Tensor).dtype]).toEqual(['number', 'number', 'float64']);
    // mu_product is a float32 scalar in PyTorch (its default dtype): the product is rounded each step
    expect(s.muProduct).toBe(Math.fround(s.muProduct as number));
  });
});

describe('step', () => {
  it('calls a closure with gradients enabled and returns its loss', () => {
    const [a] = params();
    const opt = new optim.Adamax([a]);
    const loss = tg.noGrad(() =>
      opt.step(() => {
        expect(tg.isGradEnabled()).toBe(true);
        opt.zeroGrad();
        const l = a.sum();
        l.backward();
        return l;
      }),
    );
    expect((loss as tg.Tensor).item()).toBe(2.5);
    expect(opt.step()).toBeUndefined();
    expect(() => opt.step(5 as never)).toThrow(TypeError);
  });

  it('skips parameters without a gradient and refuses an expanded one', () => {
    const [a, b] = params();
    const opt = new optim.RAdam([a, b]);
    a.grad = tg.onesLike(a);
    opt.step();
    expect([opt.state.has(a), opt.state.has(b)]).toEqual([true, false]);
    const e = tg.zeros([1]).expand(3).requiresGrad_();
    e.grad = tg.ones([3]);
    expect(() => new optim.RMSprop([e]).step()).toThrow();
  });

  it('maximize ascends', () => {
    for (const name of ADAPTIVE) {
      const p = tg.tensor([0.5], { requiresGrad: true });
      const opt = make(name, [p], { lr: 0.1, maximize: true });
      p.grad = tg.tensor([1.0]);
      opt.step();
      expect(p.item(), name).toBeGreaterThan(0.5);
    }
  });

  it('the kernels check their operands', () => {
    const [p, g, s] = [new Float32Array(4), new Float32Array(4), new Float32Array(2)];
    const call = (name: string, ...args: unknown[]) => () => (native as unknown as Record<string, (...a: unknown[]) => void>)[name](...args);
    expect(Object.keys(native.ops).filter((k) => k.endsWith('_step'))).toEqual(['sgd_step', 'adam_step', ...ADAPTIVE.map((n) => `${n.toLowerCase()}_step`)]);
    expect(native.ops.rmsprop_step.params).toEqual(['lr', 'alpha', 'eps', 'weight_decay', 'momentum', 'centered', 'maximize']);
    expect(call('adagrad_step', p, g, s)).toThrow();
  });
});
