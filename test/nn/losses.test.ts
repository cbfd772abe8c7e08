import { describe, expect, it, vi } from 'vitest';
import * as tg from '../../src/index';
import { decode, expectTensor, loadFixture, type EncodedTensor } from '../helpers';

const { F, nn } = tg;
interface LossCase { fn: string; inputs: EncodedTensor[]; kwargs: Record<string, unknown>; out: EncodedTensor; grad: EncodedTensor | null }
const fixture = loadFixture<{ cases: LossCase[] }>('losses.json');

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const FNS: Record<string, (x: tg.Tensor, t: tg.Tensor | undefined, o: Record<string, unknown>) => tg.Tensor> = {
  cross_entropy: (x, t, o) => F.crossEntropy(x, t!, o),
  nll_loss: (x, t, o) => F.nllLoss(x, t!, o),
  binary_cross_entropy: (x, t, o) => F.binaryCrossEntropy(x, t!, o),
  binary_cross_entropy_with_logits: (x, t, o) => F.binaryCrossEntropyWithLogits(x, t!, o),
  mse_loss: (x, t, o) => F.mseLoss(x, t!, o),
  l1_loss: (x, t, o) => F.l1Loss(x, t!, o),
  softmax: (x, _, o) => F.softmax(x, o.dim as number),
  log_softmax: (x, _, o) => F.logSoftmax(x, o.dim as number),
  logsumexp: (x, _, o) => F.logsumexp(x, o.dim as number),
  gelu: (x, _, o) => F.gelu(x, o as { approximate?: 'none' | 'tanh' }),
  leaky_relu: (x, _, o) => F.leakyRelu(x, o.negativeSlope as number),
  silu: (x) => F.silu(x),
  softplus: (x) => F.softplus(x),
};

describe('losses and activations against PyTorch: values and input gradients', () => {
  it.each(fixture.cases.map((c, i) => [i, c.fn, JSON.stringify(Object.keys(c.kwargs)), c] as const))('#%i %s %s', (_i, fn, _k, c) => {
    const x = decode(c.inputs[0]).requiresGrad_();
    const t = c.inputs[1] === undefined ? undefined : decode(c.inputs[1]);
    const opts = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [camel(k), typeof v === 'object' && v !== null && 'dtype' in v ? decode(v as EncodedTensor) : v]));
    const out = FNS[fn](x, t, opts);
    expectTensor(out, c.out, { rtol: 1e-12, atol: 1e-12 }, `${fn} value`);
    if (c.grad !== null) {
      const weights = out.dim() === 0 ? null : tg.linspace(0.5, 1.5, out.numel()).to('float64').reshape(out.shape);
      (weights === null ? out : out.mul(weights)).sum().backward();
      expectTensor(x.grad!, c.grad, { rtol: 1e-10, atol: 1e-12 }, `${fn} grad`);
    }
  });
});

describe('loss modules and errors', () => {
  it('legacy sizeAverage / reduce map to reductions as in PyTorch, with a deprecation warning naming the options', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      expect(new nn.MSELoss({ sizeAverage: false }).reduction).toBe('sum');
      expect(new nn.MSELoss({ reduce: false }).reduction).toBe('none');
      expect(new nn.MSELoss({ sizeAverage: true, reduce: true }).reduction).toBe('mean');
      expect(warn.mock.calls).toEqual([
        ["the { sizeAverage, reduce } options will be deprecated, please use { reduction: 'sum' } instead.", 'DeprecationWarning'],
        ["the { sizeAverage, reduce } options will be deprecated, please use { reduction: 'none' } instead.", 'DeprecationWarning'],
        ["the { sizeAverage, reduce } options will be deprecated, please use { reduction: 'mean' } instead.", 'DeprecationWarning'],
      ]);
      new nn.MSELoss({ sizeAverage: false }); // once per message, as Python's warnings filter does
      expect(warn).toHaveBeenCalledTimes(3);
    } finally {
      warn.mockRestore();
    }
    expect(new nn.L1Loss({ reduction: 'sum' }).reduction).toBe('sum');
    expect(() => new nn.MSELoss({ reduction: 'avg' as 'mean' })).toThrow('avg is not a valid value for reduction');
  });

  it('out-of-range class targets, batch mismatches and bad shapes are clear errors', () => {
    const logits = tg.zeros(3, 4);
    expect(() => F.crossEntropy(logits, tg.tensor([0, 4, 1], { dtype: 'int64' }))).toThrow('Target 4 is out of bounds.');
    expect(() => F.crossEntropy(logits, tg.tensor([0, -1, 1], { dtype: 'int64' }))).toThrow(tg.IndexError);
    expect(() => F.crossEntropy(logits, tg.tensor([0, 1], { dtype: 'int64' }))).toThrow('Expected input batch size (3) to match target batch size (2).');
    expect(() => F.nllLoss(logits, tg.tensor([0, 1, 2]))).toThrow(
      "class indices must be int64 (or int32) but got float32: create targets with { dtype: 'int64' } or convert with .long()",
    );
    expect(() => F.nllLoss(logits, tg.tensor([0, 1, 2]))).toThrow(tg.DTypeError);
    expect(() => F.crossEntropy(logits, tg.tensor([0, 1, 2], { dtype: 'float64' }))).toThrow('class indices must be int64 (or int32) but got float64');
    expect(F.nllLoss(logits, tg.tensor([0, 1, 2]).long()).item()).toBeCloseTo(0); // the conversion the message suggests works
    expect(() => F.binaryCrossEntropy(tg.full([2], 1.5), tg.ones(2))).toThrow('all elements of input should be between 0 and 1');
    expect(() => F.binaryCrossEntropy(tg.full([2, 1], 0.5), tg.ones(2))).toThrow('Using a target size ([2]) that is different to the input size ([2, 1]) is deprecated.');
    expect(() => F.mseLoss(tg.zeros(2, 3), tg.zeros(4))).toThrow(tg.ShapeError);
    expect(() => F.nllLoss(logits, tg.tensor([0, 1, 2], { dtype: 'int64' }), { weight: tg.ones(4, { requiresGrad: true }) }))
      .toThrow('nllLoss() is not differentiable with respect to the weight option: it cannot have requiresGrad true (pass weight.detach())');
    expect(() => F.nllLoss(logits, tg.tensor([0, 1, 2], { dtype: 'int64' }), { weight: tg.ones(3) })).toThrow('weight tensor should be defined either for all 4 classes');
    expect(() => F.softmax(tg.tensor([1, 2], { dtype: 'int64' }), 0)).toThrow('softmax() is not implemented for int64 tensors: it needs float32 or float64 (convert with .float())');
    expect(() => F.logSoftmax(tg.tensor([[1, 2]], { dtype: 'int64' }), 0)).toThrow('logSoftmax() is not implemented for int64 tensors');
    expect(() => F.logSoftmax(logits, 2)).toThrow(tg.IndexError);
  });

  it('cross entropy in float32 matches float64 and int32 targets are accepted', () => {
    const logits = tg.randn(64, 10, { generator: new tg.Generator().manualSeed(1) });
    const labels = tg.randint(0, 10, [64], { generator: new tg.Generator().manualSeed(2) });
    const x32 = logits.clone().requiresGrad_(), x64 = logits.double().requiresGrad_();
    const l32 = F.crossEntropy(x32, labels), l64 = F.crossEntropy(x64, labels);
    expect(l32.dtype).toBe('float32');
    expect(l32.item()).toBeCloseTo(l64.item(), 5);
    expect(F.crossEntropy(x32, labels.int()).item()).toBe(l32.item());
    l32.backward();
    l64.backward();
    expect(x32.grad!.sub(x64.grad!.float()).abs().amax().item()).toBeLessThan(1e-7);
    expect(l32.gradFn!.name).toBe('NllLossBackward0');
    expect(F.logSoftmax(x32, 1).gradFn!.name).toBe('LogSoftmaxBackward0');
  });

  it('a target that broadcasts against the input is used, with PyTorch\'s warning (shapes as [3])', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const loss = F.mseLoss(tg.tensor([[1], [2], [3]]), tg.tensor([1, 2, 3]));
      expect(loss.item()).toBeCloseTo((0 + 1 + 4 + 1 + 0 + 1 + 4 + 1 + 0) / 9, 6);
      expect(warn).toHaveBeenCalledWith(
        'Using a target size ([3]) that is different to the input size ([3, 1]). ' +
          'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
        'UserWarning',
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('mseLoss is one node, MseLossBackward0 as in PyTorch, with the bits of sub, pow and sum in float32 and float64', () => {
    const gen = new tg.Generator().manualSeed(3);
    for (const dtype of ['float32', 'float64'] as const) {
      for (const reduction of ['mean', 'sum'] as const) {
        const x = tg.randn([64, 10], { dtype, generator: gen }).requiresGrad_(), y = tg.randn([64, 10], { dtype, generator: gen }).requiresGrad_();
        const loss = F.mseLoss(x, y, { reduction });
        expect(loss.gradFn!.name).toBe('MseLossBackward0');
        loss.backward();
        const x2 = x.detach().requiresGrad_(), y2 = y.detach().requiresGrad_();
        const composed = x2.sub(y2).pow(2)[reduction]();
        composed.backward();
        expect(loss.item()).toBe(composed.item());
        expect(x.grad!.sub(x2.grad!).abs().amax().item()).toBe(0);
        expect(y.grad!.sub(y2.grad!).abs().amax().item()).toBe(0);
      }
    }
    // a transposed input and a broadcast target take the composed path, with the same values
    const a = tg.randn([3, 4], { generator: gen }), b = tg.randn([4, 3], { generator: gen });
    expect(F.mseLoss(a.t(), b).item()).toBeCloseTo(F.mseLoss(a.t().contiguous(), b).item(), 6);
    expect(F.mseLoss(tg.zeros(0), tg.zeros(0)).item()).toBeNaN(); // the mean of nothing
    expect(F.mseLoss(tg.zeros(0), tg.zeros(0), { reduction: 'sum' }).item()).toBe(0);
  });

  it('a wrong input width into Linear gives the mat1/mat2 message', () => {
    const layer = new nn.Linear(2, 10);
    expect(() => layer.forward(tg.zeros(64, 3))).toThrow('mat1 and mat2 shapes cannot be multiplied (64x3 and 2x10)');
  });

  it('dropout zeroes and scales in training, is the identity in eval', () => {
    tg.manualSeed(0);
    const d = new nn.Dropout(0.5);
    const x = tg.ones(1000);
    const y = d.forward(x);
    const kept = y.ne(0).sum().item();
    expect(kept).toBeGreaterThan(400);
    expect(kept).toBeLessThan(600);
    expect(y.amax().item()).toBe(2);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(() => new nn.Dropout(1.5)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
  });
});

describe('Tensor.softmax and Tensor.logSoftmax', () => {
  it('are F.softmax and F.logSoftmax as methods', () => {
    const x = tg.randn(4, 5, { dtype: 'float64' });
    expect(x.softmax(1).tolist()).toEqual(tg.F.softmax(x, 1).tolist());
    expect(x.logSoftmax(-1).tolist()).toEqual(tg.F.logSoftmax(x, -1).tolist());
    expect(() => (x as unknown as { softmax(): tg.Tensor }).softmax()).toThrow('dim must be given');
  });
});
