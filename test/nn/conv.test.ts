// nn.Conv2d and nn.MaxPool2d against PyTorch (scripts/fixtures/conv.py): PyTorch's initial
// parameters, outputs, gradients and printing.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

const { nn } = tg;
type Pair = number | [number, number];
interface ConvCase {
  cin: number; cout: number; kernel: Pair; opts: { stride?: Pair; padding?: Pair; dilation?: Pair; bias?: boolean }; shape: number[];
  weight: EncodedTensor; bias: EncodedTensor | null; out: EncodedTensor; grad_x: EncodedTensor;
  grad_weight: EncodedTensor; grad_bias: EncodedTensor | null; repr: string;
}
interface PoolCase { kernel: Pair; opts: { stride?: Pair; padding?: Pair; dilation?: Pair }; shape: number[]; out: EncodedTensor; grad_x: EncodedTensor; repr: string }
type ByDtype<T> = Record<'float32' | 'float64', T[]>;
const fixture = loadFixture<{ conv: ByDtype<ConvCase>; pool: ByDtype<PoolCase> }>('conv.json');

for (const dtype of ['float32', 'float64'] as const) {
  const rtol = dtype === 'float64' ? 1e-12 : 2e-6;

  describe(`nn.Conv2d against PyTorch (${dtype})`, () => {
    for (const c of fixture.conv[dtype]) {
      it(c.repr + ` on [${c.shape}]`, () => {
        tg.manualSeed(0);
        const m = new nn.Conv2d(c.cin, c.cout, c.kernel, { ...c.opts, dtype });
        expect(m.weight.tolist()).toEqual(decode(c.weight).tolist()); // PyTorch's initialisation, bit for bit
        if (c.bias) expect(m.bias!.tolist()).toEqual(decode(c.bias).tolist());
        expect(String(m)).toBe(c.repr);
        const x = pattern(c.shape, dtype, 71).requiresGrad_();
        const out = m.forward(x);
        expectScaled(out, c.out, rtol, 'out');
        out.mul(pattern(out.shape as number[], dtype, 72)).sum().backward();
        expectScaled(x.grad, c.grad_x, rtol, 'grad x');
        expectScaled(m.weight.grad, c.grad_weight, rtol, 'grad weight');
        if (c.grad_bias) expectScaled(m.bias!.grad, c.grad_bias, rtol, 'grad bias');
      });
    }
  });

  describe(`nn.MaxPool2d against PyTorch (${dtype})`, () => {
    for (const c of fixture.pool[dtype]) {
      it(c.repr + ` on [${c.shape}]`, () => {
        const m = new nn.MaxPool2d(c.kernel, c.opts);
        expect(String(m)).toBe(c.repr);
        const x = pattern(c.shape, dtype, 73).requiresGrad_();
        const out = m.forward(x);
        expectScaled(out, c.out, 0, 'out');
        out.mul(pattern(out.shape as number[], dtype, 74)).sum().backward();
        expectScaled(x.grad, c.grad_x, rtol, 'grad x');
      });
    }
  });
}

describe('convolution', () => {
  it('reads an input view that starts past its storage\'s first element', () => {
    const x = pattern([3, 2, 5, 4], 'float64', 83), w = pattern([3, 2, 2, 3], 'float64', 84);
    const view = x.narrow(0, 1, 2); // contiguous, offset 40
    expect(view.isContiguous()).toBe(true);
    expect(tg.F.conv2d(view, w).tolist()).toEqual(tg.F.conv2d(view.clone(), w).tolist());
    expect(tg.F.layerNorm(view, [4]).tolist()).toEqual(tg.F.layerNorm(view.clone(), [4]).tolist());
  });

  it('gradchecks: conv2d with stride, padding and dilation, and max pooling', () => {
    const x = pattern([2, 2, 5, 4], 'float64', 81).requiresGrad_();
    const w = pattern([3, 2, 2, 3], 'float64', 82).requiresGrad_();
    const b = pattern([3], 'float64', 83).requiresGrad_();
    expect(tg.autograd.gradcheck((x, w, b) => tg.F.conv2d(x, w, b, { stride: [2, 1], padding: 1, dilation: [1, 2] }), [x, w, b])).toBe(true);
    expect(tg.autograd.gradcheck((x) => tg.F.maxPool2d(x, 2, { stride: 1, padding: 1 }), [x])).toBe(true);
  });

  it("PyTorch's errors", () => {
    const conv = new nn.Conv2d(3, 2, 3);
    expect(() => conv.forward(tg.zeros(1, 2, 5, 5))).toThrow('conv2d: Given groups=1, weight of size [2, 3, 3, 3], expected input[1, 2, 5, 5] to have 3 channels, but got 2 channels instead');
    expect(() => conv.forward(tg.zeros(3, 5))).toThrow('Expected 3D (unbatched) or 4D (batched) input');
    expect(() => conv.forward(tg.zeros(1, 3, 2, 2))).toThrow('Output size is too small');
    expect(() => tg.F.maxPool2d(tg.zeros(1, 1, 4, 4), 2, { padding: 2 })).toThrow('pad should be at most half of effective kernel size');
  });

  it('a small CNN trains: the loss falls', () => {
    tg.manualSeed(1);
    const net = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 3));
    const x = tg.randn(8, 1, 8, 8), y = tg.randint(0, 3, [8]);
    const opt = new tg.optim.SGD(net.parameters(), { lr: 0.1 });
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      const loss = tg.F.crossEntropy(net.forward(x) as tg.Tensor, y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[29]).toBeLessThan(losses[0] * 0.5);
  });
});
