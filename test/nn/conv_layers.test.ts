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

describe('convolutions: gradchecks (float64)', () => {
  const leaf = (shape: number[], seed: number) => pattern(shape, 'float64', seed).requiresGrad_();
  it('conv1d with groups, stride, padding and dilation; and padding "same"', () => {
    const x = leaf([2, 4, 7], 1), w = leaf([6, 2, 3], 2), b = leaf([6], 3);
    expect(tg.autograd.gradcheck((x, w, b) => tg.F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }), [x, w, b])).toBe(true);
    expect(tg.autograd.gradcheck((x, w) => tg.F.conv1d(x, w, null, { padding: 'same', groups: 2 }), [x, leaf([4, 2, 4], 4)])).toBe(true);
  });
  it('conv2d with groups and asymmetric "same" padding', () => {
    const x = leaf([1, 4, 4, 5], 5), w = leaf([2, 2, 2, 3], 6), b = leaf([2], 7);
    expect(tg.autograd.gradcheck((x, w, b) => tg.F.conv2d(x, w, b, { padding: 'same', dilation: [1, 2], groups: 2 }), [x, w, b])).toBe(true);
  });
  it('convTranspose2d with stride, padding, outputPadding, dilation and groups', () => {
    const x = leaf([2, 4, 3, 2], 8), w = leaf([4, 3, 3, 2], 9), b = leaf([6], 10);
    const o = { stride: [2, 1] as [number, number], padding: 1, outputPadding: [1, 0] as [number, number], groups: 2 };
    expect(tg.autograd.gradcheck((x, w, b) => tg.F.convTranspose2d(x, w, b, o), [x, w, b])).toBe(true);
    expect(tg.autograd.gradcheck((x, w) => tg.F.convTranspose2d(x, w, null, { dilation: 3, outputPadding: 2 }), [leaf([1, 2, 2, 3], 11), leaf([2, 1, 2, 2], 12)])).toBe(true);
  });
  it('convTranspose2d is the gradient of conv2d with respect to its input', () => {
    const x = leaf([1, 2, 7, 6], 13), w = pattern([3, 2, 3, 3], 'float64', 14), g = pattern([1, 3, 4, 3], 'float64', 15);
    tg.F.conv2d(x, w, null, { stride: 2, padding: 1 }).mul(g).sum().backward();
    const t = tg.F.convTranspose2d(g, w, null, { stride: 2, padding: 1, outputPadding: [0, 1] });
    expect(t.shape).toEqual([1, 2, 7, 6]);
    expectScaled(t, { dtype: 'float64', shape: [1, 2, 7, 6], data: x.grad!.reshape(-1).tolist() as number[] }, 1e-14, 'grad');
  });
});

describe("PyTorch's errors", () => {
  const x = tg.zeros(1, 1, 4, 4);
  it.each([
    ['maxPool2d pad', () => tg.F.maxPool2d(x, 2, { padding: 2 }), 'pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1'],
    ['maxPool2d output', () => tg.F.maxPool2d(x, 5), 'Given input size: (1x4x4). Calculated output size: (1x0x0). Output size is too small'],
    ['maxPool1d dims', () => tg.F.maxPool1d(x, 2), 'Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got: [1, 1, 4, 4]'],
    ['avgPool2d divisor', () => tg.F.avgPool2d(x, 2, { divisorOverride: 0 }), 'divisor must be not zero'],
    ['avgPool2d output', () => tg.F.avgPool2d(x, 5), 'Output size is too small'],
    ['adaptive dims', () => tg.F.adaptiveAvgPool2d(tg.zeros(4, 4), 2), 'Expected 3D or 4D tensor, but got [4, 4]'],
    ['adaptive empty', () => tg.F.adaptiveAvgPool2d(tg.zeros(1, 1, 0, 3), 2), 'Expected input to have non-zero size for non-batch dimensions'],
    ['adaptive negative', () => tg.F.adaptiveAvgPool2d(x, -1), 'elements of output_size must be greater than or equal to 0'],
    ['pad reflect size', () => tg.F.pad(x, [1, 1, 4, 0], 'reflect'), 'Padding size should be less than the corresponding input dimension, but got: padding (4, 0) at dimension 2 of input [1, 1, 4, 4]'],
    ['pad reflect dims', () => tg.F.pad(x, [3, 3], 'reflect'), 'Padding size 2 is not supported for 4D input tensor.'],
    ['pad odd', () => tg.F.pad(x, [1]), 'Padding length must be divisible by 2'],
    ['pad long', () => tg.F.pad(x, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 'Padding length should be less than or equal to two times the input dimension'],
    ['pad value', () => tg.F.pad(x, [1, 1], { mode: 'reflect', value: 2 }), 'Padding mode "reflect" doesn\'t take in value argument'],
    ['pad negative', () => tg.F.pad(x, [-3, -2]), 'resulted in a negative output size'],
    ['pad circular', () => tg.F.pad(x, [5, 5, 0, 0], 'circular'), 'Padding value causes wrapping around more than once.'],
    ['interpolate zero', () => tg.F.interpolate(x, { scaleFactor: 0.1 }), 'Input and output sizes should be greater than 0, but got input (H: 4, W: 4) output (H: 0, W: 0)'],
    ['interpolate both', () => tg.F.interpolate(x, { size: 2, scaleFactor: 2 }), 'only one of size or scale_factor should be defined'],
    ['interpolate neither', () => tg.F.interpolate(x), 'either size or scale_factor should be defined'],
    ['interpolate alignCorners', () => tg.F.interpolate(x, { size: 2, alignCorners: true }), 'align_corners option can only be set with the interpolating modes'],
    ['interpolate linear 4-D', () => tg.F.interpolate(x, { size: 2, mode: 'linear' }), 'Got 4D input, but linear mode needs 3D input'],
    ['interpolate recompute', () => tg.F.interpolate(x, { size: 2, recomputeScaleFactor: true }), 'recompute_scale_factor is not meaningful with an explicit size.'],
    ['Conv2d groups', () => new nn.Conv2d(4, 6, 3, { groups: 4 }), 'out_channels must be divisible by groups'],
    ['Conv2d same strided', () => new nn.Conv2d(4, 6, 3, { padding: 'same', stride: 2 }), "padding='same' is not supported for strided convolutions"],
    ['ConvTranspose2d padding mode', () => new nn.ConvTranspose2d(4, 6, 3, { paddingMode: 'reflect' }), 'Only "zeros" padding mode is supported for ConvTranspose2d'],
    ['convTranspose2d outputPadding', () => tg.F.convTranspose2d(x, tg.zeros(1, 1, 3, 3), null, { outputPadding: 1 }), 'output padding must be smaller than either stride or dilation'],
    ['convTranspose2d channels', () => tg.F.convTranspose2d(x, tg.zeros(2, 1, 3, 3)), 'Given transposed=1, weight of size [2, 1, 3, 3], expected input[1, 1, 4, 4] to have 2 channels, but got 1 channels instead'],
    ['conv2d groups channels', () => tg.F.conv2d(x, tg.zeros(2, 2, 3, 3), null, { groups: 2 }), 'Given groups=2, weight of size [2, 2, 3, 3], expected input[1, 1, 4, 4] to have 4 channels, but got 1 channels instead'],
    ['conv1d channels', () => tg.F.conv1d(tg.zeros(1, 4, 4), tg.zeros(2, 3, 3)), 'Given groups=1, weight of size [2, 3, 3], expected input[1, 4, 4] to have 3 channels, but got 4 channels instead'],
    ['unknown option', () => new nn.AvgPool2d(2, { dilation: 2 } as never), "unknown option 'dilation'"],
  ])('%s', (_name, f, message) => {
    expect(f).toThrow(message);
  });

  it('ConvTranspose2d picks the output padding for an output size', () => {
    tg.manualSeed(0);
    const up = new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 });
    const x = tg.randn(1, 2, 4, 5);
    expect(up.forward(x, [8, 10]).shape).toEqual([1, 3, 8, 10]);
    expect(up.forward(x, [1, 3, 7, 9]).shape).toEqual([1, 3, 7, 9]);
    expect(() => up.forward(x, [9, 10])).toThrow('valid sizes range from [7] to [8]');
  });
});
