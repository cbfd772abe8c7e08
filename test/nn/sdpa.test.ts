// F.scaledDotProductAttention against PyTorch (scripts/fixtures/attention.py): outputs and gradients
// (float32) for masks, causality, scale, broadcasting, grouped heads and dropout; its errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

const F = tg.F;
interface Case {
  name: string; q: number[]; k: number[]; v: number[]; mask: { kind: 'bool' | 'float'; shape: number[] } | null;
  is_causal: boolean; scale: number | null; enable_gqa: boolean; dropout_p: number; seed: number; manual_seed: number;
  out: EncodedTensor; dq: EncodedTensor; dk: EncodedTensor; dv: EncodedTensor;
}
const fixture = loadFixture<{ sdpa: Record<'float32', Case[]> }>('attention.json');

/** The case's inputs, built as attention.py builds them. */
function inputs(c: Case, dtype: 'float32' | 'float64') {
  const q = pattern(c.q, dtype, c.seed).requiresGrad_();
  const k = pattern(c.k, dtype, c.seed + 1).requiresGrad_();
  const v = pattern(c.v, dtype, c.seed + 2).requiresGrad_();
  let mask: tg.Tensor | null = null;
  if (c.mask?.kind === 'bool') {
    mask = pattern(c.mask.shape, 'float64', c.seed + 3).gt(0);
    mask.narrow(-2, 1, 1).fill_(false); // a row with nothing to attend to
  } else if (c.mask) {
    mask = pattern(c.mask.shape, dtype, c.seed + 3);
  }
  return { q, k, v, mask };
}

// (float64 is gradchecked: test/autograd/gradcheck.test.ts)
for (const dtype of ['float32'] as const) {
  const rtol = 2e-6;
  describe(`F.scaledDotProductAttention against PyTorch (${dtype})`, () => {
    for (const c of fixture.sdpa[dtype]) {
      it(c.name, () => {
        const { q, k, v, mask } = inputs(c, dtype);
        tg.manualSeed(c.manual_seed);
        const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask, dropoutP: c.dropout_p, isCausal: c.is_causal, scale: c.scale, enableGqa: c.enable_gqa });
        expectScaled(out, c.out, rtol, 'out');
        out.mul(pattern([...out.shape], dtype, c.seed + 4)).sum().backward();
        expectScaled(q.grad, c.dq, rtol * 4, 'dq');
        expectScaled(k.grad, c.dk, rtol * 4, 'dk');
        expectScaled(v.grad, c.dv, rtol * 4, 'dv');
      });
    }
  });
}

describe('F.scaledDotProductAttention', () => {
  const q = tg.zeros(2, 3, 4);
  it('refuses what PyTorch refuses, in JavaScript terms', () => {
    expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: tg.zeros(3, 3), isCausal: true })).toThrow('attnMask must not be given when isCausal is true');
    expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: tg.zeros([3, 3], { dtype: 'int64' }) })).toThrow(tg.DTypeError);
    expect(() => F.scaledDotProductAttention(q.double(), q, q)).toThrow('expected query, key and value to have the same dtype, but got query float64, key float32 and value float32');
    expect(() => F.scaledDotProductAttention(tg.zeros(4), tg.zeros(4), tg.zeros(4))).toThrow('at least 2-D');
    expect(() => F.scaledDotProductAttention(q, tg.zeros(2, 3, 5), q)).toThrow(tg.ShapeError);
    expect(() => F.scaledDotProductAttention(q, q, tg.zeros(2, 4, 4))).toThrow('same sequence length');
    expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: tg.zeros(2, 3) })).toThrow('does not broadcast');
    expect(() => F.scaledDotProductAttention(q, q, q, { dropoutP: 1.5 })).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
    expect(() => F.scaledDotProductAttention(q, q, q, { causal: true } as never)).toThrow(TypeError);
    expect(() => F.scaledDotProductAttention(tg.zeros([2, 3], { dtype: 'int64' }), tg.zeros([2, 3], { dtype: 'int64' }), tg.zeros([2, 3], { dtype: 'int64' }))).toThrow(tg.DTypeError);
  });

  it('empty sequences give zeros, and dropoutP 1 zero weights', () => {
    expect(F.scaledDotProductAttention(tg.ones(2, 3, 4), tg.zeros(2, 0, 4), tg.zeros(2, 0, 5)).tolist()).toEqual(tg.zeros(2, 3, 5).tolist());
    expect(F.scaledDotProductAttention(tg.ones(2, 0, 4), tg.ones(2, 3, 4), tg.ones(2, 3, 5)).shape).toEqual([2, 0, 5]);
    expect(F.scaledDotProductAttention(q.add(1), q, q.add(1), { dropoutP: 1 }).sum().item()).toBe(0);
  });

  it('long sequences run in blocks of query rows (and over several threads) with the same results', () => {
    const a = pattern([2, 300, 8], 'float64', 1), b = pattern([2, 400, 8], 'float64', 2), c = pattern([2, 400, 3], 'float64', 3);
    const fused = F.scaledDotProductAttention(a, b, c, { isCausal: true });
    const mask = tg.ones(300, 400).tril().eq(0);
    const ref = a.matmul(b.transpose(1, 2)).div(Math.sqrt(8)).maskedFill(mask, -Infinity).softmax(-1).matmul(c);
    expect(fused.sub(ref).abs().max().item()).toBeLessThan(1e-12);
  });

  it('the recorded backward of its backward gives second derivatives (createGraph)', () => {
    const [a, b, c] = [pattern([2, 3, 4], 'float64', 5), pattern([2, 5, 4], 'float64', 6), pattern([2, 5, 2], 'float64', 7)].map((t) => t.requiresGrad_());
    const mask = pattern([3, 5], 'float64', 8).gt(0);
    mask.narrow(0, 1, 1).fill_(false);
    const check = tg.autograd.gradcheck((x: tg.Tensor, y: tg.Tensor, z: tg.Tensor) => {
      const [gq] = tg.autograd.grad(F.scaledDotProductAttention(x, y, z, { attnMask: mask }).pow(2).sum(), [x], { createGraph: true });
      return gq as tg.Tensor;
    }, [a, b, c]);
    expect(check).toBe(true);
  });
});
