import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, decodeState, expectState, loadFixture, type EncodedTensor } from '../helpers';

const { nn, F, optim } = tg;
type State = Record<string, EncodedTensor>;
interface Run { name: 'SGD' | 'Adam' | 'AdamW'; options: Record<string, unknown>; initial: State; losses: number[]; final: State }
const fixture = loadFixture<{ x: EncodedTensor; y: EncodedTensor; runs: Run[]; groups: { initial: State; losses: number[]; final: State } }>('optim.json');
const x = decode(fixture.x), y = decode(fixture.y);

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const mlp = () => new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 3));

describe('optimizers against PyTorch (200 steps, rel 1e-4)', () => {
  it.each(fixture.runs.map((r) => [`${r.name} ${JSON.stringify(r.options)}`, r] as const))('%s', (_label, run) => {
    const model = mlp();
    model.loadStateDict(decodeState(run.initial));
    const opts = Object.fromEntries(Object.entries(run.options).map(([k, v]) => [camel(k), v]));
    const opt = new optim[run.name](model.parameters(), opts);
    const sign = run.options.maximize ? -1 : 1; // maximizing the negated loss descends it
    run.losses.forEach((want, t) => {
      const loss = F.mseLoss(model.forward(x) as tg.Tensor, y).mul(sign);
      expect(Math.abs(loss.item() - want) / Math.abs(want), `step ${t}`).toBeLessThan(1e-4);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
    expectState(model.stateDict(), run.final, 1e-4);
  });

  it('parameter groups keep their own options', () => {
    const model = mlp();
    model.loadStateDict(decodeState(fixture.groups.initial));
    const layers = [...model.children()];
    const opt = new optim.SGD([{ params: layers[0].parameters() }, { params: layers[2].parameters(), lr: 0.01 }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.01]);
    expect(opt.paramGroups[1].momentum).toBe(0.9);
    fixture.groups.losses.forEach((want, t) => {
      const loss = F.mseLoss(model.forward(x) as tg.Tensor, y);
      expect(Math.abs(loss.item() - want) / want, `step ${t}`).toBeLessThan(1e-4);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
    expectState(model.stateDict(), fixture.groups.final, 1e-4);
  });
});

describe('optimizer behaviour', () => {
  it('stateDict / loadStateDict resume training exactly', () => {
    const run = (steps: number, resumeAt?: number) => {
      const model = mlp();
      model.loadStateDict(decodeState(fixture.runs[6].initial));
      let opt = new optim.Adam(model.parameters(), { lr: 0.01, amsgrad: true });
      for (let t = 0; t < steps; t++) {
        if (t === resumeAt) {
          const saved = opt.stateDict();
          opt = new optim.Adam(model.parameters(), { lr: 0.5 });
          opt.loadStateDict(saved);
        }
        const loss = F.mseLoss(model.forward(x) as tg.Tensor, y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
      return model.stateDict();
    };
    const a = run(20), b = run(20, 10);
    for (const k of Object.keys(a)) expect(a[k].equal(b[k])).toBe(true);
  });

  it('stateDict refers to parameters by index and copies state', () => {
    const model = mlp();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    F.mseLoss(model.forward(x) as tg.Tensor, y).backward();
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups[0].params).toEqual([0, 1, 2, 3]);
    expect(Object.keys(sd.state)).toEqual(['0', '1', '2', '3']);
    expect((sd.state[0].momentumBuffer as tg.Tensor).shape).toEqual([8, 4]);
    expect(() => new optim.SGD(mlp().parameters()).loadStateDict({ ...sd, paramGroups: [] })).toThrow(RangeError);
  });

  it('zeroGrad sets to null by default, or zeroes', () => {
    const model = mlp();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    F.mseLoss(model.forward(x) as tg.Tensor, y).backward();
    opt.zeroGrad({ setToNone: false });
    expect([...model.parameters()].every((p) => p.grad !== null && p.grad.abs().sum().item() === 0)).toBe(true);
    opt.zeroGrad();
    expect([...model.parameters()].every((p) => p.grad === null)).toBe(true);
    opt.step(); // no gradients: nothing happens
  });

  it('after zeroGrad, backward reuses the memory of gradients nobody read, and never of one that was read', () => {
    const model = mlp();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const [w, b] = [...model.parameters()];
    const lossOf = (scale: number) => F.mseLoss(model.forward(x.mul(scale)) as tg.Tensor, y);
    lossOf(1).backward();
    const unseen = w._grad!._storage, unseenBias = b._grad!._storage;
    opt.zeroGrad();
    expect(w.grad).toBeNull();
    lossOf(2).backward();
    // reused: the same memory, holding exactly the new gradient
    expect(w._grad!._storage).toBe(unseen);
    expect(b._grad!._storage).toBe(unseenBias);
    const reference = mlp();
    reference.loadStateDict(model.stateDict());
    F.mseLoss(reference.forward(x.mul(2)) as tg.Tensor, y).backward();
    const [rw, rb] = [...reference.parameters()];
    expect(w.grad!.tolist()).toEqual(rw.grad!.tolist());
    expect(b.grad!.tolist()).toEqual(rb.grad!.tolist());
    // w.grad and b.grad were read just now: they stay the caller's after zeroGrad
    const seen = w.grad!, seenValues = seen.tolist();
    opt.zeroGrad();
    lossOf(3).backward();
    expect(w.grad).not.toBe(seen);
    expect(w.grad!._storage).not.toBe(seen._storage);
    expect(seen.tolist()).toEqual(seenValues);
    // a gradient assigned by hand is the caller's too
    const mine = tg.zerosLike(w);
    w.grad = mine;
    opt.zeroGrad();
    lossOf(1).backward();
    expect(w.grad!._storage).not.toBe(mine._storage);
    expect(mine.abs().sum().item()).toBe(0);
  });

  it('invalid options are errors worded like PyTorch', () => {
    const params = () => mlp().parameters();
    expect(() => new optim.SGD(params(), { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new optim.SGD(params(), { lr: 0.1, momentum: -0.5 })).toThrow('Invalid momentum value: -0.5');
    expect(() => new optim.SGD(params(), { lr: 0.1, weightDecay: -1 })).toThrow('Invalid weightDecay value: -1');
    expect(() => new optim.SGD(params(), { lr: 0.1, nesterov: true })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => new optim.Adam(params(), { betas: [1.0, 0.999] })).toThrow('Invalid beta parameter at index 0: 1');
    expect(() => new optim.Adam(params(), { betas: [0.9, -0.1] })).toThrow('Invalid beta parameter at index 1: -0.1');
    expect(() => new optim.Adam(params(), { eps: -1e-8 })).toThrow('Invalid epsilon value: -1e-8');
    expect(() => new optim.AdamW(params(), { lr: NaN })).toThrow('Invalid learning rate: NaN');
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('optimizer got an empty parameter list');
    const p = tg.ones(2, { requiresGrad: true });
    expect(() => new optim.SGD([p, p], { lr: 0.1 })).toThrow('some parameters appear in more than one parameter group');
    expect(() => new optim.SGD([p.mul(2)], { lr: 0.1 })).toThrow("can't optimize a non-leaf Tensor");
  });

  it('a changed learning rate in a group takes effect', () => {
    const w = tg.tensor([1.0], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.mul(2).sum().backward();
    opt.paramGroups[0].lr = 0.5;
    opt.step();
    expect(w.item()).toBeCloseTo(0, 6);
  });
});
