// nn.MultiheadAttention and the transformer layers against PyTorch (scripts/fixtures/attention_modules.py):
// initial parameters for a seed, print(model), stateDict keys, outputs and gradients in training
// mode (dropout drawn as PyTorch draws it), and a PyTorch state_dict loaded strictly in eval mode.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decodeState, type EncodedTensor, expectScaled, expectState, loadFixture, pattern } from '../helpers';

const { nn } = tg;
type MaskSpec = ['bool' | 'float', number[]] | ['causal', number];
interface Case {
  kind: 'mha' | 'encoder_layer' | 'encoder' | 'decoder_layer' | 'decoder';
  name: string; seed: number; ctor: Record<string, unknown>; inputs: number[][]; fwd: Record<string, MaskSpec | boolean>;
  train: boolean; grads: boolean; repr: string; keys: string[]; init?: Record<string, EncodedTensor>;
  out: EncodedTensor; weights: EncodedTensor | null; grad_input: EncodedTensor; grad_params?: Record<string, EncodedTensor>;
  eval_state?: Record<string, EncodedTensor>; eval_out?: EncodedTensor;
}
const fixture = loadFixture<{ modules: Case[] }>('attention.json');

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const options = (o: Record<string, unknown>, drop: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !drop.includes(k)).map(([k, v]) => [camel(k), v]));

function build(c: Case): tg.nn.Module {
  const o = c.ctor;
  if (c.kind === 'mha') return new nn.MultiheadAttention(o.embed_dim as number, o.num_heads as number, options(o, ['embed_dim', 'num_heads']));
  const layerOpts = options(o, ['d_model', 'nhead']);
  const dModel = o.d_model as number, nhead = o.nhead as number;
  if (c.kind === 'encoder_layer') return new nn.TransformerEncoderLayer(dModel, nhead, layerOpts);
  if (c.kind === 'decoder_layer') return new nn.TransformerDecoderLayer(dModel, nhead, layerOpts);
  if (c.kind === 'encoder') return new nn.TransformerEncoder(new nn.TransformerEncoderLayer(dModel, nhead, layerOpts), 2, { norm: new nn.LayerNorm(dModel), enableNestedTensor: false });
  return new nn.TransformerDecoder(new nn.TransformerDecoderLayer(dModel, nhead, layerOpts), 2, { norm: new nn.LayerNorm(dModel) });
}

function mask([kind, shape]: MaskSpec, seed: number): tg.Tensor {
  if (kind === 'causal') return nn.generateSquareSubsequentMask(shape);
  if (kind === 'float') return pattern(shape, 'float32', seed);
  const m = pattern(shape, 'float64', seed).gt(0);
  m.narrow(-1, 0, 1).fill_(false);
  return m;
}

function run(c: Case, model: tg.nn.Module, grad = true): { xs: tg.Tensor[]; out: tg.Tensor; weights: tg.Tensor | null } {
  const xs = c.inputs.map((s, i) => pattern(s, 'float32', 900 + 10 * c.seed + i).requiresGrad_(grad));
  const kw = Object.fromEntries(Object.entries(c.fwd).map(([k, v], i) => [camel(k), Array.isArray(v) ? mask(v, 950 + 10 * c.seed + i) : v]));
  if (c.kind === 'mha') {
    const [out, weights] = (model as tg.nn.MultiheadAttention).forward(xs[0], xs[1], xs[2], kw);
    return { xs, out, weights };
  }
  const out = (model.forward as (...a: unknown[]) => tg.Tensor)(...xs, kw);
  return { xs, out, weights: null };
}

describe('nn.MultiheadAttention and the transformer layers against PyTorch', () => {
  for (const c of fixture.modules) {
    it(`${c.kind}: ${c.name}`, () => {
      tg.manualSeed(c.seed);
      const model = build(c);
      expect(String(model)).toBe(c.repr);
      expect(Object.keys(model.stateDict())).toEqual(c.keys);
      if (c.init) expectState(model.stateDict(), c.init, 0); // the same numbers, bit for bit
      model.train(c.train);
      tg.manualSeed(c.seed + 1);
      const { xs, out, weights } = run(c, model);
      expectScaled(out, c.out, 1e-5, 'out');
      expectScaled(weights, c.weights, 1e-5, 'weights');
      out.mul(pattern([...out.shape], 'float32', 990 + c.seed)).sum().backward();
      expectScaled(xs[0].grad, c.grad_input, 2e-5, 'grad input');
      if (c.grad_params) {
        const named = Object.fromEntries(model.namedParameters());
        expect(Object.keys(named)).toEqual(Object.keys(c.grad_params));
        for (const [k, g] of Object.entries(c.grad_params)) expectScaled(named[k].grad, g, 2e-5, `grad ${k}`);
      }
      if (c.eval_state) {
        tg.manualSeed(1234);
        const other = build(c);
        other.loadStateDict(decodeState(c.eval_state), { strict: true });
        other.eval();
        expectScaled(tg.noGrad(() => run(c, other, false).out), c.eval_out!, 1e-5, 'eval out');
      }
    });
  }
});

describe('nn.MultiheadAttention', () => {
  it("takes PyTorch's options, refuses unknown ones, and checks shapes and masks", () => {
    expect(() => new nn.MultiheadAttention(6, 4)).toThrow('embedDim must be divisible by numHeads');
    expect(() => new nn.MultiheadAttention(8, 2, { batch_first: true } as never)).toThrow(TypeError);
    const m = new nn.MultiheadAttention(8, 2);
    const x = tg.zeros(3, 2, 8);
    expect(() => m.forward(x, x, x, { isCausal: true })).toThrow('isCausal needs attnMask');
    expect(() => m.forward(x, x, x, { attnMask: tg.zeros(3, 4) })).toThrow('The shape of the 2D attnMask is [3, 4], but should be [3, 3].');
    expect(() => m.forward(x, x, x, { attnMask: tg.zeros([3, 3], { dtype: 'int64' }) })).toThrow(tg.DTypeError);
    expect(() => m.forward(x, tg.zeros(3, 8), x)).toThrow('expected key and value to be 3-D');
    expect(m.inProjWeight).toBe(m.in_proj_weight);
    expect(m.outProj).toBe(m.out_proj);
  });

  it('a row with every key masked: NaN with needWeights (plain softmax), zeros without (as PyTorch)', () => {
    const m = new nn.MultiheadAttention(4, 1, { bias: false });
    const x = pattern([2, 1, 4], 'float32', 3);
    const mask = tg.tensor([[true, true], [false, true]]);
    const [withWeights, w] = m.forward(x, x, x, { attnMask: mask });
    expect(Number.isNaN(withWeights.select(0, 0).sum().item())).toBe(true);
    expect(Number.isNaN(w!.select(1, 0).sum().item())).toBe(true);
    const [fused] = m.forward(x, x, x, { attnMask: mask, needWeights: false });
    expect(fused.select(0, 0).abs().sum().item()).toBe(0);
  });
});

describe('nn.TransformerEncoder', () => {
  it('deep-copies the layer as PyTorch does: every copy starts with its weights, and none is the layer', () => {
    tg.manualSeed(0);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new nn.TransformerEncoder(layer, 3);
    const want = layer.stateDict();
    for (const l of enc.layers) {
      expect(l).not.toBe(layer);
      expect(l).toBeInstanceOf(nn.TransformerEncoderLayer);
      for (const [k, t] of Object.entries((l as tg.nn.TransformerEncoderLayer).stateDict())) expect(t.tolist(), k).toEqual(want[k].tolist());
    }
    const p0 = (enc.layers.at(0) as tg.nn.TransformerEncoderLayer).linear1.weight, p1 = (enc.layers.at(1) as tg.nn.TransformerEncoderLayer).linear1.weight;
    expect(p0).not.toBe(p1);
    expect([...enc.parameters()].length).toBe(3 * [...layer.parameters()].length);
  });

  it('an activation module is registered as PyTorch registers it; train and eval change dropout only', () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, activation: new nn.GELU() });
    expect(String(layer)).toContain('(activation): GELU(approximate=\'none\')');
    const x = pattern([3, 2, 4], 'float32', 1);
    layer.eval();
    const a = layer.forward(x), b = layer.forward(x);
    expect(a.tolist()).toEqual(b.tolist());
    layer.train();
    expect(layer.forward(x).sub(a).abs().max().item()).toBeGreaterThan(0);
  });
});
