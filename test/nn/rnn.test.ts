// nn.RNN, nn.LSTM, nn.GRU and the cells against PyTorch (scripts/fixtures/rnn.py).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

const { nn } = tg;
type T = tg.Tensor;
type Kw = Record<string, number | boolean | string>;
interface Common {
  kind: string; seed: number; dtype: 'float32' | 'float64'; kwargs: Kw; hx: boolean; unbatched: boolean;
  params: Record<string, EncodedTensor> | null; keys: string[]; repr: string; grads: Record<string, EncodedTensor>;
}
interface LayerCase extends Common { train: boolean; out: EncodedTensor; hn: EncodedTensor; cn: EncodedTensor | null }
interface CellCase extends Common { h: EncodedTensor; c: EncodedTensor | null }
const fixture = loadFixture<{ sizes: { input: number; hidden: number; steps: number; batch: number }; layers: LayerCase[]; cells: CellCase[]; errors: string[] }>('rnn.json');
const { input: IN, hidden: HID, steps: STEPS, batch: BATCH } = fixture.sizes;

/** PyTorch's keyword arguments as our options. */
function options(kw: Kw, dtype: string): Record<string, unknown> {
  const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return { ...Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), v])), dtype };
}
const rtolOf = (dtype: string) => (dtype === 'float64' ? 1e-12 : 2e-5);

type AnyModule = tg.nn.Module & { forward(...args: unknown[]): unknown };
function make(kind: string, c: Common): AnyModule {
  const Cls = (nn as unknown as Record<string, new (i: number, h: number, o: object) => AnyModule>)[kind];
  return new Cls(IN, HID, options(c.kwargs, c.dtype));
}

/** The module's forward on the case's inputs: [outputs, leaves whose gradients the fixture has]. */
function runLayer(m: AnyModule, c: LayerCase): { out: T; hn: T; cn: T | null; leaves: Record<string, T | null> } {
  const dirs = c.kwargs.bidirectional ? 2 : 1, layers = (c.kwargs.num_layers as number | undefined) ?? 1;
  const shape = c.unbatched ? [STEPS, IN] : c.kwargs.batch_first ? [BATCH, STEPS, IN] : [STEPS, BATCH, IN];
  const x = pattern(shape, c.dtype, 11).requiresGrad_();
  const sshape = c.unbatched ? [layers * dirs, HID] : [layers * dirs, BATCH, HID];
  const h0 = c.hx ? pattern(sshape, c.dtype, 12).requiresGrad_() : null;
  const c0 = c.hx && c.kind === 'LSTM' ? pattern(sshape, c.dtype, 13).requiresGrad_() : null;
  if (c.train) tg.manualSeed(7);
  let out: T, hn: T, cn: T | null = null;
  if (c.kind === 'LSTM') [out, [hn, cn]] = m.forward(x, h0 && c0 ? [h0, c0] : undefined) as [T, [T, T]];
  else [out, hn] = m.forward(x, h0) as [T, T];
  return { out, hn, cn, leaves: { input: x, h0, c0 } };
}

function lossOf(out: T, hn: T, cn: T | null, seeds: number[], dtype: 'float32' | 'float64'): T {
  let loss = out.mul(pattern([...out.shape], dtype, seeds[0])).sum().add(hn.mul(pattern([...hn.shape], dtype, seeds[1])).sum());
  if (cn !== null) loss = loss.add(cn.mul(pattern([...cn.shape], dtype, seeds[2])).sum());
  return loss;
}

function expectGrads(m: tg.nn.Module, leaves: Record<string, T | null>, want: Record<string, EncodedTensor>, rtol: number): void {
  const got: Record<string, T | null> = { ...leaves, ...Object.fromEntries([...m.namedParameters()]) };
  for (const k of Object.keys(want)) expectScaled(got[k]?.grad ?? null, want[k], rtol, `grad ${k}`);
  expect(Object.keys(want).sort()).toEqual(Object.keys(got).filter((k) => got[k] !== null).sort());
}

const label = (c: Common) => `${c.kind}(${JSON.stringify(c.kwargs)}) ${c.dtype}, seed ${c.seed}${c.hx ? '' : ', no initial state'}${c.unbatched ? ', unbatched' : ''}`;

describe('recurrent layers against PyTorch', () => {
  for (const c of fixture.layers) {
    it(`${label(c)}${c.train ? ', training with dropout' : ''}: parameters, outputs, gradients, printing`, () => {
      tg.manualSeed(c.seed);
      const m = make(c.kind, c);
      if (c.params !== null) for (const [k, v] of Object.entries(m.stateDict())) expect(v.tolist(), k).toEqual(decode(c.params[k]).tolist());
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      expect(String(m)).toBe(c.repr);
      m.train(c.train);
      const { out, hn, cn, leaves } = runLayer(m, c);
      const rtol = rtolOf(c.dtype);
      expectScaled(out, c.out, rtol, 'output');
      expectScaled(hn, c.hn, rtol, 'h_n');
      expectScaled(cn, c.cn, rtol, 'c_n');
      lossOf(out, hn, cn, [14, 15, 16], c.dtype).backward();
      expectGrads(m, leaves, c.grads, rtol);
    });
  }

  it("loads PyTorch's state_dict with strict and gives PyTorch's outputs", () => {
    for (const c of fixture.layers.filter((x) => x.params !== null && !x.train)) {
      tg.manualSeed(1234);
      const m = make(c.kind, c);
      const sd = Object.fromEntries(Object.entries(c.params!).map(([k, v]) => [k, decode(v)]));
      expect(m.loadStateDict(sd, { strict: true })).toEqual({ missingKeys: [], unexpectedKeys: [] });
      m.eval();
      expectScaled(runLayer(m, c).out, c.out, rtolOf(c.dtype), `${label(c)} output`);
    }
  });
});

describe('recurrent cells against PyTorch', () => {
  for (const c of fixture.cells) {
    it(`${label(c)}: parameters, the new state, gradients, printing`, () => {
      tg.manualSeed(c.seed);
      const m = make(c.kind, c);
      if (c.params !== null) for (const [k, v] of Object.entries(m.stateDict())) expect(v.tolist(), k).toEqual(decode(c.params[k]).tolist());
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      expect(String(m)).toBe(c.repr);
      const x = pattern(c.unbatched ? [IN] : [BATCH, IN], c.dtype, 21).requiresGrad_();
      const sshape = c.unbatched ? [HID] : [BATCH, HID];
      const h0 = c.hx ? pattern(sshape, c.dtype, 22).requiresGrad_() : null;
      const c0 = c.hx && c.kind === 'LSTMCell' ? pattern(sshape, c.dtype, 23).requiresGrad_() : null;
      let h: T, cc: T | null = null;
      if (c.kind === 'LSTMCell') [h, cc] = m.forward(x, h0 && c0 ? [h0, c0] : undefined) as [T, T];
      else h = m.forward(x, h0) as T;
      const rtol = rtolOf(c.dtype);
      expectScaled(h, c.h, rtol, 'h');
      expectScaled(cc, c.c, rtol, 'c');
      let loss = h.mul(pattern([...h.shape], c.dtype, 24)).sum();
      if (cc !== null) loss = loss.add(cc.mul(pattern([...cc.shape], c.dtype, 25)).sum());
      loss.backward();
      expectGrads(m, { input: x, h0, c0 }, c.grads, rtol);
    });
  }
});

describe('recurrent layers: modes, checks and errors', () => {
  it('train and eval: dropout between layers only in training mode', () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = tg.randn(5, 2, 3);
    lstm.eval();
    const [a] = lstm.forward(x), [b] = lstm.forward(x);
    expect(a.equal(b)).toBe(true);
    lstm.train();
    const [c] = lstm.forward(x);
    expect(c.equal(a)).toBe(false);
  });

  it("PyTorch's errors, in JavaScript terms", () => {
    const [size, hidden0, hidden, dims, unbatched, nonlinearity] = fixture.errors.map((e) => e.replace(/^\w+: /, ''));
    const lstm = new nn.LSTM(IN, HID, { numLayers: 2 }), gru = new nn.GRU(IN, HID);
    expect(() => lstm.forward(tg.randn(STEPS, BATCH, IN + 1))).toThrow(size.replace('input_size', 'inputSize'));
    expect(() => lstm.forward(tg.randn(STEPS, BATCH, IN), [tg.randn(1, BATCH, HID), tg.randn(2, BATCH, HID)])).toThrow(hidden0);
    expect(() => gru.forward(tg.randn(STEPS, BATCH, IN), tg.randn(1, BATCH + 1, HID))).toThrow(hidden);
    expect(() => gru.forward(tg.randn(2, STEPS, BATCH, IN))).toThrow(dims);
    expect(() => gru.forward(tg.randn(STEPS, IN), tg.randn(1, 1, HID))).toThrow(unbatched);
    expect(() => new nn.RNN(IN, HID, { nonlinearity: 'gelu' as 'relu' })).toThrow(nonlinearity);
    expect(() => gru.forward(tg.randn(STEPS, BATCH, IN, { dtype: 'float64' }))).toThrow(tg.DTypeError);
    expect(() => new nn.GRU(IN, HID, { numLayer: 2 } as object)).toThrow(TypeError);
    expect(() => new nn.LSTM(IN, HID, { projSize: 2 })).toThrow(/projSize/);
    expect(() => new nn.LSTMCell(IN, HID).forward(tg.randn(BATCH, IN + 1))).toThrow(`input has inconsistent input_size: got ${IN + 1} expected ${IN}`);
    expect(() => new nn.GRUCell(IN, HID).forward(tg.randn(BATCH, IN), tg.randn(BATCH + 1, HID))).toThrow(`Input batch size ${BATCH} doesn't match hidden0 batch size ${BATCH + 1}`);
    // the fused backward is not itself differentiable: said, rather than a wrong second derivative
    const x = tg.randn(STEPS, BATCH, IN, { requiresGrad: true });
    const [out] = lstm.forward(x);
    expect(() => tg.autograd.grad(out.sum(), [x], { createGraph: true })).toThrow(/double backward/);
  });

  it('allWeights lists each layer and direction; module.to(float64) converts the weights', () => {
    const gru = new nn.GRU(3, 4, { numLayers: 2, bidirectional: true, bias: false });
    expect(gru.allWeights.map((ws) => ws.length)).toEqual([2, 2, 2, 2]);
    expect(gru.allWeights[3][0].shape).toEqual([12, 8]);
    gru.double();
    const [out, hn] = gru.forward(tg.randn(2, 5, 3, { dtype: 'float64' }));
    expect([out.shape, hn.shape, out.dtype]).toEqual([[2, 5, 8], [4, 5, 4], 'float64']);
  });
});

describe('recurrent layers: gradcheck in float64', () => {
  const opts = { dtype: 'float64' as const };
  for (const [kind, extra] of [['RNN', {}], ['RNN', { nonlinearity: 'relu' }], ['LSTM', {}], ['GRU', {}]] as const) {
    it(`${kind} ${JSON.stringify(extra)}: input, initial state and weights, two layers, both directions`, () => {
      tg.manualSeed(3);
      const m = new (nn as unknown as Record<string, new (i: number, h: number, o: object) => AnyModule>)[kind](2, 3, { numLayers: 2, bidirectional: true, ...extra, ...opts });
      const x = tg.randn([4, 2, 2], opts).requiresGrad_();
      const h0 = tg.randn([4, 2, 3], opts).requiresGrad_(), c0 = tg.randn([4, 2, 3], opts).requiresGrad_();
      const params = [...m.parameters()];
      const inputs = kind === 'LSTM' ? [x, h0, c0, ...params] : [x, h0, ...params];
      const fn = (xi: T, hi: T, ...rest: T[]) => {
        const ci = kind === 'LSTM' ? rest[0] : null;
        const r = kind === 'LSTM' ? (m.forward(xi, [hi, ci as T]) as [T, [T, T]]) : (m.forward(xi, hi) as [T, T]);
        return kind === 'LSTM' ? [r[0], ...(r[1] as T[])] : [r[0], r[1] as T];
      };
      // the parameters enter through the module: gradcheck perturbs them in place
      expect(tg.autograd.gradcheck(fn, inputs)).toBe(true);
    });
  }
  for (const kind of ['RNNCell', 'LSTMCell', 'GRUCell'] as const) {
    it(`${kind}: input, state and weights`, () => {
      tg.manualSeed(4);
      const m = new nn[kind](2, 3, opts);
      const x = tg.randn([2, 2], opts).requiresGrad_(), h = tg.randn([2, 3], opts).requiresGrad_(), c = tg.randn([2, 3], opts).requiresGrad_();
      const fn = (xi: T, hi: T, ci: T) => (m instanceof nn.LSTMCell ? m.forward(xi, [hi, ci]) : (m as tg.nn.GRUCell).forward(xi, hi));
      expect(tg.autograd.gradcheck(fn, [x, h, c, ...m.parameters()])).toBe(true);
    });
  }
});
