// nn.Conv1d, Conv2d (groups, 'same', padding modes), ConvTranspose2d, the pooling layers,
// nn.Upsample and F.pad against PyTorch (scripts/fixtures/conv_layers.py): initial parameters bit
// for bit, printing, state_dict keys, outputs and gradients (float64 at 1e-12; float32 against the
// float64 values at a float32 tolerance).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, decodeState, type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

const { nn } = tg;
type Enc = EncodedTensor;
interface LayerCase {
  cls: string; args: unknown[]; opts: Record<string, unknown>; shape: number[]; repr: string; keys: string[];
  params_float32: Record<string, Enc>; params_float64: Record<string, Enc>;
  out: Enc; indices: Enc | null; grad_x: Enc; grads: Record<string, Enc>;
}
interface PadCase { pad: number[]; mode: 'constant' | 'reflect' | 'replicate' | 'circular'; value: number | null; shape: number[]; out: Enc; grad_x: Enc }
const fixture = loadFixture<{ layers: LayerCase[]; pads: PadCase[] }>('conv_layers.json');

const camel = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

/** The module a case describes, built after manualSeed(0) as the fixture's was. */
function build(c: LayerCase, dtype: 'float32' | 'float64'): tg.nn.Module {
  tg.manualSeed(0);
  const ctor = (nn as unknown as Record<string, new (...a: unknown[]) => tg.nn.Module>)[c.cls];
  const opts = camel(c.opts);
  if (c.cls.includes('Conv')) return new ctor(...c.args, { ...opts, dtype });
  if (c.cls.startsWith('Upsampl')) return new ctor(opts);
  if (c.cls.startsWith('Adaptive')) return new ctor(c.args[0]);
  return new ctor(...c.args, opts);
}

function run(m: tg.nn.Module, c: LayerCase, dtype: 'float32' | 'float64') {
  const x = pattern(c.shape, dtype, 91).requiresGrad_();
  const res = m.forward(x) as tg.Tensor | [tg.Tensor, tg.Tensor];
  const [out, indices] = Array.isArray(res) ? res : [res, null];
  out.mul(pattern([...out.shape], dtype, 92)).sum().backward();
  return { x, out, indices };
}

describe('layers against PyTorch', () => {
  for (const c of fixture.layers) {
    it(`${c.repr} on [${c.shape}]`, () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const m = build(c, dtype);
        const params = c[`params_${dtype}`];
        const sd = m.stateDict();
        expect(Object.keys(sd)).toEqual(c.keys);
        for (const [k, v] of Object.entries(params)) expect(sd[k].tolist(), `${dtype} ${k}`).toEqual(decode(v).tolist()); // bit for bit
        expect(String(m)).toBe(c.repr);
        // the float64 values came from float64 parameters: run float32 with those, rounded
        if (dtype === 'float32') m.loadStateDict(Object.fromEntries(Object.entries(decodeState(c.params_float64)).map(([k, v]) => [k, v.float()])));
        const { x, out, indices } = run(m, c, dtype);
        const rtol = dtype === 'float64' ? 1e-12 : 1e-5;
        const as64 = (t: tg.Tensor | null) => (t === null ? null : t.double());
        expectScaled(as64(out), c.out, rtol, 'out');
        if (c.indices) expect(indices!.tolist()).toEqual(decode(c.indices).tolist());
        expectScaled(as64(x.grad), c.grad_x, rtol, 'grad x');
        for (const [name, p] of m.namedParameters()) expectScaled(as64(p.grad), c.grads[name], rtol, `grad ${name}`);
      }
    });
  }

  it('a PyTorch state_dict loads strictly, and eval() changes nothing', () => {
    for (const c of fixture.layers.filter((l) => l.keys.length > 0)) {
      const m = build(c, 'float64');
      m.loadStateDict(decodeState(c.params_float64), { strict: true });
      const train = m.forward(pattern(c.shape, 'float64', 91)) as tg.Tensor;
      m.eval();
      expect((m.forward(pattern(c.shape, 'float64', 91)) as tg.Tensor).tolist()).toEqual(train.tolist());
      expectScaled(train, c.out, 1e-12, c.repr);
    }
  });
});

describe('F.pad against PyTorch', () => {
  for (const c of fixture.pads) {
    it(`${c.mode} [${c.pad}] on [${c.shape}]`, () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const x = pattern(c.shape, dtype, 93).requiresGrad_();
        const out = tg.F.pad(x, c.pad, { mode: c.mode, value: c.value });
        out.mul(pattern([...out.shape], dtype, 94)).sum().backward();
        expectScaled(out.double(), c.out, dtype === 'float64' ? 0 : 1e-7, 'out');
        expectScaled(x.grad!.double(), c.grad_x, dtype === 'float64' ? 1e-15 : 1e-6, 'grad x');
      }
    });
  }

  it('pads int64 tensors with a constant', () => {
    const x = tg.tensor([[1, 2], [3, 4]], { dtype: 'int64' });
    expect(tg.F.pad(x, [1, 0, 0, 1], { value: 7 }).tolist()).toEqual([[7, 1, 2], [7, 3, 4], [7, 7, 7]]);
  });
});
