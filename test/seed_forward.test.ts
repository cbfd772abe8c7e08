// The seed tutorial's 64x1000x100x10 two-layer net: its forward pass equals NumPy's
// (x.dot(w1), np.maximum(h, 0), .dot(w2)) on the same inputs.
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';
import { loadFixture, pattern } from './helpers';

const fixture = loadFixture<Record<'float32' | 'float64', { shape: number[]; data: number[] }>>('seed_forward.json');

describe('seed net forward pass against NumPy', () => {
  for (const [dtype, rtol] of [['float32', 1e-5], ['float64', 1e-12]] as const) {
    it(`${dtype}: mm, clamp(0), mm within rel ${rtol}`, () => {
      const x = pattern([64, 1000], 'float64', 1).to(dtype);
      const w1 = pattern([1000, 100], 'float64', 2).to(dtype);
      const w2 = pattern([100, 10], 'float64', 3).to(dtype);
      const yPred = x.mm(w1).clamp(0).mm(w2);
      const viaMaximum = x.mm(w1).maximum(tg.zeros(1, { dtype })).matmul(w2);
      const want = fixture[dtype];
      expect([...yPred.shape]).toEqual(want.shape);
      const got = yPred.reshape(-1).tolist() as number[];
      const scale = Math.max(...want.data.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want.data[i]) / scale);
      expect(worst).toBeLessThan(rtol);
      expect(viaMaximum.equal(yPred)).toBe(true);
    });
  }
});
