// Gradchecks in float64 of the functions composed of ops: the norms, activations and losses of
// functional_norm.ts, functional_activation.ts and functional_loss.ts.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { pattern } from '../helpers';

type T = tg.Tensor;
const { F } = tg;
let seed = 500;
const leaf = (shape: number[], low = -2, high = 2): T => pattern(shape, 'float64', seed++, low, high).requiresGrad_();
const sign = (n: number, s: number): T => pattern([n], 'float64', s).gt(0).to('float64').mul(2).sub(1);
const y6 = sign(6, 1), y5 = sign(5, 2);

describe('gradcheck of the composed norms, activations and losses', () => {
  it.each<[string, (...xs: T[]) => T, () => T[]]>([
    ['groupNorm, affine', (x, w, b) => F.groupNorm(x, 2, { weight: w, bias: b }), () => [leaf([2, 4, 3]), leaf([4]), leaf([4])]],
    ['rmsNorm, weight', (x, w) => F.rmsNorm(x, [3], { weight: w, eps: 1e-3 }), () => [leaf([2, 3]), leaf([3])]],
    ['normalize', (x) => F.normalize(x, { p: 3, dim: 0 }), () => [leaf([3, 2])]],
    ['cosineSimilarity', (a, b) => F.cosineSimilarity(a, b), () => [leaf([3, 4]), leaf([4])]],
    ['pairwiseDistance', (a, b) => F.pairwiseDistance(a, b, { p: 1.5 }), () => [leaf([3, 4]), leaf([3, 4])]],
    ['elu, selu', (x) => F.elu(x, 0.7).add(F.selu(x)), () => [leaf([3, 4])]],
    ['prelu', (x, w) => F.prelu(x, w), () => [leaf([2, 3, 2]), leaf([3])]],
    ['hardtanh, mish, softsign', (x) => F.hardtanh(x, -0.7, 0.9).add(F.mish(x)).add(F.softsign(x)), () => [leaf([3, 4])]],
    ['klDiv', (x, t) => F.klDiv(x, t, { reduction: 'batchmean' }), () => [leaf([3, 4]), leaf([3, 4], 0.1, 1)]],
    ['klDiv, logTarget', (x, t) => F.klDiv(x, t, { logTarget: true, reduction: 'sum' }), () => [leaf([3, 4]), leaf([3, 4])]],
    ['smoothL1Loss, huberLoss', (x, y) => F.smoothL1Loss(x, y, { beta: 0.5 }).add(F.huberLoss(x, y, { delta: 0.8 })), () => [leaf([3, 4]), leaf([3, 4])]],
    ['marginRankingLoss', (a, b) => F.marginRankingLoss(a, b, y6, { margin: 0.3 }), () => [leaf([6]), leaf([6])]],
    ['cosineEmbeddingLoss', (a, b) => F.cosineEmbeddingLoss(a, b, y5, { margin: 0.1 }), () => [leaf([5, 3]), leaf([5, 3])]],
    ['tripletMarginLoss, swap', (a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 3, swap: true }), () => [leaf([4, 3]), leaf([4, 3]), leaf([4, 3])]],
    ['poissonNllLoss', (x) => F.poissonNllLoss(x, pattern([3, 4], 'float64', 9, 0, 4).round(), { full: true }), () => [leaf([3, 4], -1, 1)]],
    ['gaussianNllLoss', (x, y, v) => F.gaussianNllLoss(x, y, v, { full: true }), () => [leaf([3, 4]), leaf([3, 4]), leaf([3, 1], 0.5, 1.5)]],
  ])('%s', (_name, fn, inputs) => {
    expect(tg.autograd.gradcheck(fn, inputs())).toBe(true);
  });
});
