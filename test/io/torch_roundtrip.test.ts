// tg.save to the torch format, then tg.load: a model's state dict, an optimizer resuming training,
// a checkpoint of both with other values, tensors of every dtype with their views still sharing
// one storage, and randomly built nested values, all coming back as they were saved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

const dir = mkdtempSync(join(tmpdir(), 'tg-torch-roundtrip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);

class Net extends tg.nn.Module {
  emb = new tg.nn.Embedding(10, 4);
  conv = new tg.nn.Conv2d(1, 2, 3);
  norm = new tg.nn.LayerNorm(4);
  fc = new tg.nn.Linear(4, 3);
  override forward(tokens: tg.Tensor): tg.Tensor {
    return this.fc.forward(this.norm.forward(this.emb.forward(tokens))).sum(1);
  }
}

const values = (t: tg.Tensor) => Array.from(t.toTypedArray() as ArrayLike<number | bigint>);

function train(net: Net, opt: tg.optim.Optimizer<object>, steps: number): number[] {
  const losses: number[] = [];
  const tokens = tg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'int64' });
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = net.forward(tokens).pow(2).mean();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}

describe('tg.save in the torch format, read back by tg.load', () => {
  it("a model's state dict loads into a fresh model (strict), which then computes the same", () => {
    tg.manualSeed(1);
    const net = new Net();
    tg.save(net, path('net.pt'));
    tg.manualSeed(2);
    const other = new Net();
    const sd = tg.load(path('net.pt'));
    expect(Object.keys(sd)).toEqual(Object.keys(net.stateDict()));
    other.loadStateDict(sd, { strict: true });
    const tokens = tg.tensor([[0, 9, 3]], { dtype: 'int64' });
    expect(values(other.forward(tokens))).toEqual(values(net.forward(tokens)));
  });

  for (const [name, make] of [
    ['Adam', (p: Iterable<tg.Tensor>) => new tg.optim.Adam(p, { lr: 0.01, amsgrad: true })],
    ['AdamW', (p: Iterable<tg.Tensor>) => new tg.optim.AdamW(p, { lr: 0.01, weightDecay: 0.1 })],
    ['SGD', (p: Iterable<tg.Tensor>) => new tg.optim.SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true })],
  ] as const) {
    it(`a checkpoint of a model and its ${name} optimizer resumes training exactly`, () => {
      tg.manualSeed(3);
      const net = new Net();
      const opt = make(net.parameters());
      train(net, opt, 3);
      tg.save({ model: net.stateDict(), optimizer: opt.stateDict(), epoch: 3, note: 'after 3 steps' }, path(`${name}.pt`));
      const expected = train(net, opt, 3);

      tg.manualSeed(4);
      const resumed = new Net();
      const opt2 = make(resumed.parameters());
      const ck = tg.load<{ model: Record<string, tg.Tensor>; optimizer: never; epoch: number; note: string }>(path(`${name}.pt`));
      expect([ck.epoch, ck.note]).toEqual([3, 'after 3 steps']);
      resumed.loadStateDict(ck.model);
      opt2.loadStateDict(ck.optimizer);
      expect(train(resumed, opt2, 3)).toEqual(expected);
      for (const [k, v] of Object.entries(resumed.stateDict())) expect(values(v), k).toEqual(values(net.stateDict()[k]));
    });
  }

  it('every dtype, 0-d and empty tensors, and views that still share one storage', async () => {
    const base = tg.arange(24, { dtype: 'float64' }).reshape(4, 6);
    const obj = {
      f32: tg.tensor([1.5, -2, NaN, Infinity], { dtype: 'float32' }),
      i32: tg.tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: 'int32' }),
      i64: tg.tensor([-(2n ** 63n), 2n ** 63n - 1n], { dtype: 'int64' }),
      bool: tg.tensor([true, false, true]),
      scalar: tg.tensor(7, { dtype: 'float64' }),
      empty: tg.zeros(0, 3),
      base,
      transposed: base.t(),
      strided: base.index('1:', '::2'),
      row: base.select(0, 2),
    };
    for (const load of [tg.load, tg.loadAsync]) {
      tg.save(obj, path('views.pt'));
      const got = await load<typeof obj>(path('views.pt'));
      for (const [k, t] of Object.entries(obj)) {
        const g = got[k as keyof typeof obj];
        expect([g.dtype, [...g.shape], g.stride(), g.storageOffset()], k).toEqual([t.dtype, [...t.shape], t.stride(), t.storageOffset()]);
        expect(values(g), k).toEqual(values(t));
      }
      got.base.fill_(-1);
      for (const k of ['transposed', 'strided', 'row'] as const) expect(values(got[k]).every((v) => v === -1), k).toBe(true);
      expect(values(obj.row)).toEqual([12, 13, 14, 15, 16, 17]); // the saved tensors are untouched
    }
  });

  it("a state dict in tensorgrad's layout read from a file cannot set an optimizer group's prototype, nor options of the wrong kind", () => {
    const p = [tg.zeros(2, 3).requiresGrad_(), tg.zeros(2).requiresGrad_()];
    // Maps, so that tg.save writes them as they are (a plain { state, paramGroups } would be put in PyTorch's layout)
    const saved = (group: [string, unknown][], state: [string, unknown][] = []) => {
      tg.save(new Map<string, unknown>([['state', new Map(state)], ['paramGroups', [new Map([...group, ['params', [0, 1]]])]]]) as tg.TorchSaveable, path('opt.pt'));
      return tg.load<tg.optim.OptimizerStateDict<tg.optim.AdamOptions>>(path('opt.pt'));
    };
    const opt = new tg.optim.Adam(p);
    expect(() => opt.loadStateDict(saved([['__proto__', new Map([['evil', 1]])], ['lr', 0.1]]))).toThrow(
      new TypeError("Adam.loadStateDict(): unknown option '__proto__' (it takes lr, eps, weightDecay, amsgrad, maximize, betas, initialLr, maxLr, minLr, maxMomentum, baseMomentum)"),
    );
    expect(Object.getPrototypeOf(opt.paramGroups[0])).toBe(Object.prototype);
    expect(() => opt.loadStateDict(saved([['lr', 'x']]))).toThrow(new TypeError("Adam.loadStateDict(): option 'lr' must be a number, but got \"x\""));
    expect(() => opt.loadStateDict(saved([['lr', 0.1]], [['0', null]]))).toThrow(new TypeError('Adam.loadStateDict(): the state of parameter 0 is null, not an object'));
    expect(() => opt.loadStateDict({ state: {} } as never)).toThrow(new TypeError("Adam.loadStateDict(): expected a state dict { state, paramGroups } (or PyTorch's { state, param_groups })"));
    opt.loadStateDict(saved([['lr', 0.25], ['initialLr', 0.5]]));
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.25, initialLr: 0.5, eps: 1e-8 });
  });

  it('strings with lone surrogates come back as they were (written and read as Python does, surrogatepass)', () => {
    const obj = { 'k\udc00': 'a\ud800b', pair: '\ud83d\ude00', tail: 'x\udbff', keys: new Map([['\ud800', 1]]) };
    tg.save(obj, path('surrogates.pt'));
    expect(tg.load(path('surrogates.pt'))).toEqual({ 'k\udc00': 'a\ud800b', pair: '\u{1f600}', tail: 'x\udbff', keys: { '\ud800': 1 } });
  });

  it('randomly nested values come back equal', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const leaf = (): unknown => {
      const r = rand();
      if (r < 0.15) return null;
      if (r < 0.3) return rand() < 0.5;
      if (r < 0.45) return Math.floor(rand() * 2e6) - 1e6;
      if (r < 0.55) return rand() * 10 - 5;
      if (r < 0.65) return `s${Math.floor(rand() * 100)}é`;
      if (r < 0.72) return BigInt(Number.MAX_SAFE_INTEGER) * 1000n + BigInt(Math.floor(rand() * 100));
      if (r < 0.8) return new Uint8Array([1, 2, Math.floor(rand() * 256)]);
      return tg.randn(2, Math.floor(rand() * 3));
    };
    const build = (depth: number): unknown => {
      if (depth === 0 || rand() < 0.3) return leaf();
      const n = Math.floor(rand() * 4);
      if (rand() < 0.5) return Array.from({ length: n }, () => build(depth - 1));
      return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}.${Math.floor(rand() * 9)}`, build(depth - 1)]));
    };
    const plain = (v: unknown): unknown => {
      if (v instanceof tg.Tensor) return { tensor: [...v.shape], values: values(v) };
      if (v instanceof Uint8Array) return { bytes: [...v] };
      if (Array.isArray(v)) return v.map(plain);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
      return v;
    };
    for (let i = 0; i < 30; i++) {
      const obj = { case: i, value: build(5) };
      tg.save(obj as tg.TorchSaveable, path('nested.pt'));
      expect(plain(tg.load(path('nested.pt'))), `case ${i}`).toEqual(plain(obj));
    }
  });
});
