// nn.init against the formulas of torch/nn/init.py: bounds and standard deviations.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

const { init } = tg.nn;
const close = (a: number, b: number, tol = 0.02) => expect(Math.abs(a - b) / b).toBeLessThan(tol);

describe('nn.init', () => {
  it('calculateGain follows the table', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('relu')).toBe(Math.SQRT2);
    expect(init.calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain('leaky_relu', 0.2)).toBe(Math.sqrt(2 / 1.04));
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as 'relu')).toThrow('Unsupported nonlinearity swish');
  });

  it('fans include the receptive field', () => {
    expect(init.calculateFanInAndFanOut(tg.empty(16, 8, 3, 3))).toEqual({ fanIn: 72, fanOut: 144 });
    expect(() => init.calculateFanInAndFanOut(tg.empty(5))).toThrow('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  });

  it('xavier and kaiming give the std and bounds of their formulas', () => {
    tg.manualSeed(0);
    const w = tg.empty(600, 400);
    init.xavierUniform_(w, 2);
    const a = 2 * Math.sqrt(6 / 1000);
    expect(w.abs().amax().item()).toBeLessThanOrEqual(a);
    close(w.std().item(), 2 * Math.sqrt(2 / 1000));
    init.xavierNormal_(w);
    close(w.std().item(), Math.sqrt(2 / 1000));
    init.kaimingUniform_(w, { nonlinearity: 'relu' });
    expect(w.abs().amax().item()).toBeLessThanOrEqual(Math.SQRT2 * Math.sqrt(3 / 400));
    close(w.std().item(), Math.SQRT2 / Math.sqrt(400));
    init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' });
    close(w.std().item(), Math.SQRT2 / Math.sqrt(600));
    close(Math.abs(w.mean().item()) + 1, 1, 0.01);
  });

  it('constant, zeros, ones, uniform, normal fill in place without recording', () => {
    const p = tg.empty(3, 4, { requiresGrad: true });
    expect(init.constant_(p, 0.5)).toBe(p);
    expect(p.eq(0.5).all().item()).toBe(true);
    init.zeros_(p);
    expect(p.sum().item()).toBe(0);
    init.ones_(p);
    expect(p.sum().item()).toBe(12);
    init.uniform_(p, -1, 1);
    expect(p.abs().amax().item()).toBeLessThanOrEqual(1);
    init.normal_(p, 5, 0.01);
    close(p.mean().item(), 5, 0.01);
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBeNull();
  });
});
