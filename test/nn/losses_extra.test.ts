// KLDivLoss, SmoothL1Loss, HuberLoss, MarginRankingLoss, CosineEmbeddingLoss, TripletMarginLoss,
// PoissonNLLLoss, GaussianNLLLoss and CTCLoss against PyTorch (scripts/fixtures/losses_extra.py).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

const { nn, F } = tg;
type E = EncodedTensor;
interface Case { name: string; kwargs: Record<string, unknown>; out: E; grads: (E | null)[] }
interface Ctc { dtype: 'float32' | 'float64'; concatenated: boolean; reduction: 'mean' | 'sum' | 'none'; zero_infinity: boolean; blank: number; targets: number[] | number[][]; loss: E; grad: E }
const fx = loadFixture<{
  cases: Case[];
  ctc: { T: number; N: number; C: number; input_lengths: number[]; target_lengths: number[]; cases: Ctc[]; unbatched: { loss: E; grad: E } };
  reprs: string[];
}>('losses_extra.json');

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const D = 'float64';
const leaf = (shape: number[], seed: number, low = -2, high = 2) => pattern(shape, D, seed, low, high).requiresGrad_();
const signTarget = (shape: number[], seed: number) => pattern(shape, D, seed).gt(0).to(D).mul(2).sub(1);

/** The inputs of each case, built as the fixture script builds them (in its order). */
function inputsOf(c: Case, k: number): tg.Tensor[] {
  const kw = c.kwargs;
  switch (c.name) {
    case 'klDiv': {
      if (kw.log_target) return [leaf([3, 4], 202), leaf([3, 4], 203, -3, 0)];
      const x = F.logSoftmax(pattern([3, 4], D, 200), 1).detach().requiresGrad_();
      const t = F.softmax(pattern([3, 4], D, 201), 1).detach();
      t.select(0, 0).select(0, 1).fill_(0);
      return [x, t.requiresGrad_()];
    }
    case 'smoothL1Loss': {
      if (kw.reduction === 'none') return [leaf([3, 4], 206), leaf([4], 207)];
      const d = pattern([3, 4], D, 204);
      d.reshape(-1).select(0, 0).fill_(0.75);
      return [d.requiresGrad_(), leaf([3, 4], 205)];
    }
    case 'huberLoss': return [leaf([3, 4], 208), leaf([3, 4], 209)];
    case 'marginRankingLoss': return [leaf([6], 210), leaf([6], 211), signTarget([6], 212)];
    case 'cosineEmbeddingLoss':
      if (kw.margin === -0.5) return [leaf([3], 216), leaf([3], 217), tg.tensor(-1, { dtype: D })];
      return [leaf([5, 3], 213), leaf([5, 3], 214), signTarget([5], 215)];
    case 'tripletMarginLoss': return [leaf([4, 3], 218), leaf([4, 3], 219), leaf([4, 3], 220)];
    case 'poissonNllLoss': {
      const low = kw.log_input === false ? 0 : -1;
      return [leaf([3, 4], 221, low, 2), pattern([3, 4], D, 222, 0, 4).round()];
    }
    case 'gaussianNllLoss': {
      const shape = [[3, 4], [3], [3, 1]][k % 3];
      const v = pattern(shape, D, 223, 0, 1);
      v.reshape(-1).select(0, 0).fill_(1e-8);
      return [leaf([3, 4], 224), leaf([3, 4], 225), v.requiresGrad_()];
    }
    default: throw new Error(c.name);
  }
}

/** expectScaled over the finite values of want; its infinities and NaNs (an impossible alignment) exactly. */
function expectWithInf(got: tg.Tensor, want: E, rtol: number, what: string): void {
  const w = decode(want), finite = w.isfinite();
  expect(got.isnan().tolist(), `${what}: NaN at the same places`).toEqual(w.isnan().tolist());
  expect(got.isinf().tolist(), `${what}: infinities at the same places`).toEqual(w.isinf().tolist());
  expect(got.maskedFill(finite.logicalNot(), 0).sub(w.maskedFill(finite.logicalNot(), 0)).abs().max().item()).toBeLessThanOrEqual(
    rtol * Math.max(w.maskedFill(finite.logicalNot(), 0).abs().max().item() as number, 1e-30),
  );
}

describe('losses against PyTorch (float64)', () => {
  const seen: Record<string, number> = {};
  for (const c of fx.cases) {
    const k = (seen[c.name] = (seen[c.name] ?? -1) + 1);
    it(`F.${c.name} ${JSON.stringify(c.kwargs)}`, () => {
      const inputs = inputsOf(c, k);
      const opts = Object.fromEntries(Object.entries(c.kwargs).map(([key, v]) => [camel(key), v]));
      const fn = (F as unknown as Record<string, (...a: unknown[]) => tg.Tensor>)[c.name];
      const out = fn(...inputs, opts);
      out.mul(pattern([...out.shape], D, 199)).sum().backward();
      expectScaled(out, c.out, 1e-12, 'loss');
      inputs.forEach((x, i) => {
        if (c.grads[i] === null) expect(x.grad, `grad ${i}`).toBeNull();
        else expectWithInf(x.grad!, c.grads[i]!, 1e-12, `grad ${i}`); // kl_div's target gradient is NaN where the target is 0
      });
    });
  }

  it('the loss modules print as PyTorch', () => {
    const mods = [new nn.KLDivLoss({ reduction: 'batchmean' }), new nn.SmoothL1Loss({ beta: 0.5 }), new nn.HuberLoss({ delta: 2 }), new nn.MarginRankingLoss(),
      new nn.CosineEmbeddingLoss(), new nn.TripletMarginLoss(), new nn.PoissonNLLLoss(), new nn.GaussianNLLLoss(), new nn.CTCLoss()];
    expect(mods.map(String)).toEqual(fx.reprs);
  });

  it('the modules pass their options on', () => {
    const a = leaf([3, 4], 1), b = leaf([3, 4], 2);
    expect(new nn.SmoothL1Loss({ beta: 0.5, reduction: 'sum' }).forward(a, b).item()).toBe(F.smoothL1Loss(a, b, { beta: 0.5, reduction: 'sum' }).item());
    expect(new nn.HuberLoss({ delta: 0.3 }).forward(a, b).item()).toBe(F.huberLoss(a, b, { delta: 0.3 }).item());
    expect(new nn.TripletMarginLoss({ swap: true }).forward(a, b, a.flip(0)).item()).toBe(F.tripletMarginLoss(a, b, a.flip(0), { swap: true }).item());
    expect(new nn.KLDivLoss({ sizeAverage: false }).reduction).toBe('sum');
    expect(new nn.GaussianNLLLoss({ full: true }).forward(a, b, 0.5).item()).toBe(F.gaussianNllLoss(a, b, 0.5, { full: true }).item());
  });

  it("PyTorch's errors", () => {
    const a = tg.zeros(3, 4);
    expect(() => F.klDiv(a, a, { reduction: 'avg' as never })).toThrow('avg is not a valid value for reduction');
    expect(() => F.smoothL1Loss(a, a, { beta: -1 })).toThrow('smooth_l1_loss does not support negative values for beta.');
    expect(() => F.marginRankingLoss(tg.zeros(3), tg.zeros(3), tg.zeros(3, 1))).toThrow('margin_ranking_loss : All input tensors should have same dimension');
    expect(() => F.cosineEmbeddingLoss(a, a, tg.zeros(3, 4))).toThrow('0D or 1D target tensor expected, multi-target not supported');
    expect(() => F.cosineEmbeddingLoss(tg.zeros(3), tg.zeros(3), tg.zeros(3))).toThrow('1D target tensor expects 2D input tensors, but found inputs with sizes [3] and [3].');
    expect(() => F.tripletMarginLoss(a, a, a, { margin: 0 })).toThrow('margin must be greater than 0, got 0');
    expect(() => new nn.TripletMarginLoss({ margin: 0 })).toThrow('TripletMarginLoss: expected margin to be greater than 0, got 0 instead');
    expect(() => F.tripletMarginLoss(a, a, tg.zeros(4))).toThrow('All inputs should have same dimension but got 2D, 2D and 1D inputs.');
    expect(() => F.gaussianNllLoss(a, a, tg.ones(2, 4))).toThrow('var is of incorrect size');
    expect(() => F.gaussianNllLoss(a, a, -1)).toThrow('var has negative entry/entries');
    expect(() => F.huberLoss(a, a, { beta: 1 } as never)).toThrow(TypeError);
  });
});

describe('CTC loss against PyTorch', () => {
  const { T, N, C } = fx.ctc;
  for (const c of fx.ctc.cases) {
    it(`${c.dtype}, ${c.concatenated ? 'concatenated' : 'padded'} targets, reduction ${c.reduction}, zeroInfinity ${c.zero_infinity}, blank ${c.blank}`, () => {
      const lp = F.logSoftmax(pattern([T, N, C], c.dtype, 230, -3, 3), 2).detach().requiresGrad_();
      const targets = tg.tensor(c.targets, { dtype: 'int64' });
      const loss = F.ctcLoss(lp, targets, tg.tensor(fx.ctc.input_lengths, { dtype: 'int64' }), fx.ctc.target_lengths, {
        reduction: c.reduction, zeroInfinity: c.zero_infinity, blank: c.blank,
      });
      loss.mul(pattern([...loss.shape], c.dtype, 231)).sum().backward();
      const rtol = c.dtype === 'float64' ? 1e-12 : 2e-5;
      expectWithInf(loss, c.loss, rtol, 'loss');
      expectWithInf(lp.grad!, c.grad, rtol, 'grad');
    });
  }

  it('one sequence ([T, C] and a 1-D target)', () => {
    const lp = F.logSoftmax(pattern([T, C], 'float64', 232, -3, 3), 1).detach().requiresGrad_();
    const loss = F.ctcLoss(lp, tg.tensor([1, 2, 1], { dtype: 'int64' }), tg.tensor(T, { dtype: 'int64' }), 3, { reduction: 'none' });
    loss.backward();
    expectScaled(loss, fx.ctc.unbatched.loss, 1e-12, 'loss');
    expectScaled(lp.grad, fx.ctc.unbatched.grad, 1e-12, 'grad');
  });

  it('nn.CTCLoss and int32 targets give the same', () => {
    const lp = F.logSoftmax(pattern([T, N, C], 'float64', 230, -3, 3), 2);
    const t32 = tg.tensor([[1, 2, 2, 3], [4, 4, 4, 1], [1, 3, 0, 0], [2, 0, 0, 0]], { dtype: 'int32' });
    const a = new nn.CTCLoss({ zeroInfinity: true }).forward(lp, t32, fx.ctc.input_lengths, fx.ctc.target_lengths);
    const b = F.ctcLoss(lp, t32.long(), fx.ctc.input_lengths, fx.ctc.target_lengths, { zeroInfinity: true });
    expect(a.item()).toBe(b.item());
  });

  it("PyTorch's errors; no second derivative (as PyTorch)", () => {
    const lp = F.logSoftmax(pattern([T, 2, C], 'float64', 1), 2).detach().requiresGrad_();
    const t = tg.tensor([[1, 2, 3], [1, 1, 0]], { dtype: 'int64' });
    expect(() => F.ctcLoss(lp, t, [6, 6], [4, 2])).toThrow("Expected tensor to have size at least 4 at dimension 1, but got size 3 for argument #2 'targets' (while checking arguments for ctc_loss_allocate_outputs)");
    expect(() => F.ctcLoss(lp, t, [7, 6], [3, 2])).toThrow('Expected input_lengths to have value at most 6, but got value 7');
    expect(() => F.ctcLoss(lp, t, [-1, 6], [3, 2])).toThrow('Expected input_lengths to have value at least 0, but got value -1');
    expect(() => F.ctcLoss(lp, t, [6], [3, 2])).toThrow('input_lengths must be of size batch_size');
    expect(() => F.ctcLoss(lp, t, [6, 6], [3])).toThrow('target_lengths must be of size batch_size');
    expect(() => F.ctcLoss(lp, t, [6, 6], [3, 2], { blank: 5 })).toThrow('blank must be in label range');
    expect(() => F.ctcLoss(lp, tg.tensor([1, 2, 3], { dtype: 'int64' }), [6, 6], [3, 2])).toThrow("Expected tensor to have size 5 at dimension 0, but got size 3 for argument #2 'targets'");
    expect(() => F.ctcLoss(lp, tg.tensor([[1, 9, 3], [1, 1, 0]], { dtype: 'int64' }), [6, 6], [3, 2])).toThrow(tg.IndexError);
    const loss = F.ctcLoss(lp, t, [6, 6], [3, 2]);
    expect(() => tg.autograd.grad(loss, [lp], { createGraph: true })).toThrow(tg.AutogradError);
  });
});
