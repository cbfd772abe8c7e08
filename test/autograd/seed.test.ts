// The seed tutorial's autograd programs: y = w*x + b, and the 64x1000x100x10 training loop run
// for 500 steps from the same initial tensors as PyTorch (scripts/fixtures/autograd.py).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { driftBound, loadFixture, pattern } from '../helpers';

interface Drift { nudges: number; losses: number[]; w2: number; w1_row0: number }
interface Run { losses: number[]; w2: number[]; w1_row0: number[]; drift: Drift }
const fixture = loadFixture<{ config: { steps: number; lr: number }; float64: Run; float32: Run }>('seed_autograd.json');

function train(dtype: 'float32' | 'float64', lr = fixture.config.lr): { losses: number[]; w1: tg.Tensor; w2: tg.Tensor } {
  const [low, high] = [-1.7, 1.7];
  const x = pattern([64, 1000], 'float64', 11, low, high).to(dtype);
  const y = pattern([64, 10], 'float64', 12, low, high).to(dtype);
  const w1 = pattern([1000, 100], 'float64', 13, low, high).to(dtype).requiresGrad_();
  const w2 = pattern([100, 10], 'float64', 14, low, high).to(dtype).requiresGrad_();
  const losses: number[] = [];
  for (let t = 0; t < fixture.config.steps; t++) {
    const yPred = x.mm(w1).clamp({ min: 0 }).mm(w2);
    const loss = yPred.sub(y).pow(2).sum();
    losses.push(loss.item());
    loss.backward();
    tg.noGrad(() => {
      w1.sub_(w1.grad!.mul(lr));
      w2.sub_(w2.grad!.mul(lr));
      w1.grad!.zero_();
      w2.grad!.zero_();
    });
  }
  return { losses, w1, w2 };
}

describe('seed: scalar autograd', () => {
  it('y = w*x + b with x=1, w=2, b=3 gives grads 2, 1, 1', () => {
    const x = tg.tensor([1], { requiresGrad: true });
    const w = tg.tensor([2], { requiresGrad: true });
    const b = tg.tensor([3], { requiresGrad: true });
    const y = w.mul(x).add(b);
    y.backward();
    expect(String(x.grad)).toBe('tensor([2.])');
    expect(String(w.grad)).toBe('tensor([1.])');
    expect(String(b.grad)).toBe('tensor([1.])');
    expect(String(y)).toBe('tensor([5.], grad_fn=<AddBackward0>)');
  });
});

// Two float implementations round differently in every op, and 500 steps of training amplify that
// (in float32 the loss falls 12 orders of magnitude, into its own rounding). The fixture measures how
// far PyTorch drifts from its own run when one input moves by one ulp, step by step; tensorgrad must
// stay within a small multiple of that (driftBound), in both dtypes, at every step.
const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const maxDiff = (got: number[], want: number[]) => Math.max(...got.map((v, i) => Math.abs(v - want[i]) / Math.max(1, Math.abs(want[i]))));

describe('seed: the autograd training loop against PyTorch', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: losses and weights within PyTorch's own drift under a one-ulp nudge`, () => {
      const { losses, w1, w2 } = train(dtype);
      const want = fixture[dtype];
      expect(want.drift.nudges).toBeGreaterThanOrEqual(16);
      expect(losses.length).toBe(500);
      losses.forEach((l, i) => {
        expect(relDiff(l, want.losses[i]), `step ${i}`).toBeLessThanOrEqual(driftBound(want.drift.losses[i], dtype));
      });
      expect(maxDiff(w2.reshape(-1).tolist() as number[], want.w2)).toBeLessThanOrEqual(driftBound(want.drift.w2, dtype));
      expect(maxDiff(w1.select(0, 0).tolist() as number[], want.w1_row0)).toBeLessThanOrEqual(driftBound(want.drift.w1_row0, dtype));
    });
  }

  it('the bounds are tight enough to catch a wrong step: a learning rate 0.1% off leaves them from step 1', () => {
    const want = fixture.float64;
    const off = train('float64', fixture.config.lr * 1.001).losses; // step 0's loss comes before any update
    off.slice(1, 20).forEach((l, i) => expect(relDiff(l, want.losses[i + 1]), `step ${i + 1}`).toBeGreaterThan(driftBound(want.drift.losses[i + 1], 'float64')));
  });
});
