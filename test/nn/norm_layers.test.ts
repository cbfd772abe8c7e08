// BatchNorm1d/2d, GroupNorm, RMSNorm, the activations, Dropout2d, the parameter containers,
// F.normalize and F.cosineSimilarity against PyTorch (scripts/fixtures/norm_layers.py).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

const { nn, F } = tg;
type E = EncodedTensor;
type Dt = 'float32' | 'float64';
interface BN {
  kind: '1d' | '2d'; shape: number[]; dtype: Dt; opts: { momentum?: number | null; affine?: boolean; track_running_stats?: boolean; eps?: number; bias?: boolean };
  first: { out: E; grad_x: E; grad_weight: E | null; grad_bias: E | null }; buffers: Record<string, E>;
  eval_out: E; eval_grad_x: E; repr: string; keys: string[];
}
interface GN { dtype: Dt; groups: number; channels: number; affine: boolean; bias: boolean; out: E; grad_x: E; grad_weight: E | null; grad_bias: E | null; repr: string }
interface RMS { dtype: Dt; shape: number[]; eps: number | null; affine: boolean; out: E; grad_x: E; grad_weight: E | null; repr: string }
interface Act { name: string; out: E; grad_x: E; grad_weight: E | null; repr: string }
const fx = loadFixture<{
  batch_norm: BN[]; group_norm: GN[]; rms_norm: RMS[]; prelu_init: E; activations: Act[]; kinks: number[];
  normalize: { p: number; dim: number; out: E; grad_x: E }[];
  cosine: { shape2: number[]; dim: number; eps: number; out: E; grad_a: E; grad_b: E }[];
  dropout2d: { four: E; three: E; repr: string };
  containers: Record<string, string | string[]>;
  saved_model: { file: string; keys: string[]; eval_out: E };
}>('norm_layers.json');

const rtolOf = (dtype: Dt) => (dtype === 'float64' ? 1e-12 : 3e-6);

describe('nn.BatchNorm1d / BatchNorm2d against PyTorch', () => {
  for (const c of fx.batch_norm) {
    it(`${c.kind} ${JSON.stringify(c.shape)} ${c.dtype} ${JSON.stringify(c.opts)}: training steps, buffers, eval, printing, state dict`, () => {
      const rtol = rtolOf(c.dtype);
      const Cls = c.kind === '1d' ? nn.BatchNorm1d : nn.BatchNorm2d;
      const o = c.opts;
      const m = new Cls(c.shape[1], { dtype: c.dtype, momentum: o.momentum, affine: o.affine, trackRunningStats: o.track_running_stats, eps: o.eps, bias: o.bias });
      expect(String(m)).toBe(c.repr);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      tg.noGrad(() => {
        m.weight?.copy_(pattern([c.shape[1]], c.dtype, 70, 0.5, 1.5));
        m.bias?.copy_(pattern([c.shape[1]], c.dtype, 71));
      });
      for (let k = 0; k < 3; k++) {
        const x = pattern(c.shape, c.dtype, 72 + k, -1 + k, 2 + k).requiresGrad_();
        const out = m.forward(x);
        out.mul(pattern(c.shape, c.dtype, 80)).sum().backward();
        if (k > 0) continue;
        expectScaled(out, c.first.out, rtol, 'out');
        expectScaled(x.grad, c.first.grad_x, rtol, 'grad x');
        expectScaled(m.weight?.grad ?? null, c.first.grad_weight, rtol, 'grad weight');
        expectScaled(m.bias?.grad ?? null, c.first.grad_bias, rtol, 'grad bias');
      }
      const sd = m.stateDict();
      for (const [k, v] of Object.entries(c.buffers)) {
        if (k === 'num_batches_tracked') expect(sd[k].tolist()).toEqual(decode(v).tolist());
        else expectScaled(sd[k], v, rtol, k);
      }
      m.eval();
      const x = pattern(c.shape, c.dtype, 75).requiresGrad_();
      const out = m.forward(x);
      out.mul(pattern(c.shape, c.dtype, 80)).sum().backward();
      expectScaled(out, c.eval_out, rtol, 'eval out');
      expectScaled(x.grad, c.eval_grad_x, rtol, 'eval grad x');
    });
  }

  it('a PyTorch state dict loads strictly; the buffers read as runningMean, runningVar, numBatchesTracked', () => {
    const m = new nn.BatchNorm2d(2);
    const sd = { weight: tg.ones(2), bias: tg.zeros(2), running_mean: tg.tensor([1, 2]), running_var: tg.tensor([3, 4]), num_batches_tracked: tg.tensor(7, { dtype: 'int64' }) };
    m.loadStateDict(sd);
    expect(m.runningMean!.tolist()).toEqual([1, 2]);
    expect(m.runningVar!.tolist()).toEqual([3, 4]);
    expect(m.numBatchesTracked!.item()).toBe(7);
    expect([...m.namedBuffers()].map(([k]) => k)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    m.to('float64');
    expect(m.runningMean!.dtype).toBe('float64');
    expect(m.numBatchesTracked!.dtype).toBe('int64');
  });

  it("PyTorch's errors: input dims, one value per channel, eval without statistics, unknown options", () => {
    expect(() => new nn.BatchNorm1d(3).forward(tg.zeros(2, 3, 4, 5))).toThrow('expected 2D or 3D input (got 4D input)');
    expect(() => new nn.BatchNorm2d(3).forward(tg.zeros(2, 3, 4))).toThrow('expected 4D input (got 3D input)');
    expect(() => new nn.BatchNorm1d(3).forward(tg.zeros(1, 3))).toThrow('Expected more than 1 value per channel when training, got input size [1, 3]');
    expect(new nn.BatchNorm1d(3).eval().forward(tg.ones(1, 3)).shape).toEqual([1, 3]);
    expect(() => new nn.BatchNorm1d(4).forward(tg.zeros(2, 3))).toThrow('running_mean should contain 3 elements not 4');
    expect(() => F.batchNorm(tg.zeros(2, 3), null, null)).toThrow(TypeError);
    expect(() => new nn.BatchNorm1d(3, { trackRunningStat: false } as never)).toThrow(TypeError);
    const untracked = new nn.BatchNorm1d(3, { trackRunningStats: false }).eval();
    expect(untracked.forward(pattern([4, 3], 'float32', 1)).mean(0).abs().max().item()).toBeLessThan(1e-6); // the batch's statistics
  });
});

describe('nn.GroupNorm and nn.RMSNorm against PyTorch', () => {
  for (const c of fx.group_norm) {
    it(`GroupNorm(${c.groups}, ${c.channels}) ${c.dtype} affine ${c.affine} bias ${c.bias}`, () => {
      const m = new nn.GroupNorm(c.groups, c.channels, { affine: c.affine, bias: c.bias, dtype: c.dtype });
      tg.noGrad(() => {
        m.weight?.copy_(pattern([c.channels], c.dtype, 90, 0.5, 1.5));
        m.bias?.copy_(pattern([c.channels], c.dtype, 91));
      });
      const x = pattern([2, c.channels, 3], c.dtype, 92).requiresGrad_();
      const out = m.forward(x);
      out.mul(pattern([2, c.channels, 3], c.dtype, 93)).sum().backward();
      const rtol = rtolOf(c.dtype);
      expectScaled(out, c.out, rtol, 'out');
      expectScaled(x.grad, c.grad_x, rtol, 'grad x');
      expectScaled(m.weight?.grad ?? null, c.grad_weight, rtol, 'grad weight');
      expectScaled(m.bias?.grad ?? null, c.grad_bias, rtol, 'grad bias');
      expect(String(m)).toBe(c.repr);
    });
  }

  for (const c of fx.rms_norm) {
    it(`RMSNorm(${JSON.stringify(c.shape)}) ${c.dtype} eps ${c.eps} affine ${c.affine}`, () => {
      const m = new nn.RMSNorm(c.shape, { eps: c.eps, elementwiseAffine: c.affine, dtype: c.dtype });
      if (c.affine) tg.noGrad(() => m.weight!.copy_(pattern(c.shape, c.dtype, 94, 0.5, 1.5)));
      const x = pattern([2, 3, 4], c.dtype, 95, -0.01, c.eps === null ? 0.01 : 2).requiresGrad_();
      const out = m.forward(x);
      out.mul(pattern([2, 3, 4], c.dtype, 96)).sum().backward();
      const rtol = rtolOf(c.dtype);
      expectScaled(out, c.out, rtol, 'out');
      expectScaled(x.grad, c.grad_x, rtol, 'grad x');
      expectScaled(m.weight?.grad ?? null, c.grad_weight, rtol, 'grad weight');
      expect(String(m)).toBe(c.repr);
    });
  }

  it("PyTorch's errors", () => {
    expect(() => new nn.GroupNorm(2, 3)).toThrow('numChannels (3) must be divisible by numGroups (2)');
    expect(() => F.groupNorm(tg.zeros(2, 3, 4), 2)).toThrow('Expected number of channels in input to be divisible by numGroups, but got input of shape [2, 3, 4] and numGroups=2');
    expect(() => F.groupNorm(tg.zeros(3), 1)).toThrow('Expected at least 2 dimensions for input tensor but received 1');
    expect(() => new nn.RMSNorm(4).forward(tg.zeros(2, 3))).toThrow('Given normalizedShape [4], expected input with shape [*, 4], but got input of shape [2, 3]');
  });
});

describe('activation layers against PyTorch', () => {
  it('PReLU starts at init', () => {
    expect(new nn.PReLU({ numParameters: 3, init: 0.1, dtype: 'float64' }).weight.tolist()).toEqual(decode(fx.prelu_init).tolist());
  });

  const make: Record<string, () => tg.nn.Module> = {
    SiLU: () => new nn.SiLU(),
    Softplus: () => new nn.Softplus({ beta: 2, threshold: 1 }),
    ELU: () => new nn.ELU({ alpha: 0.5 }),
    SELU: () => new nn.SELU(),
    PReLU: () => new nn.PReLU({ numParameters: 3, init: 0.1, dtype: 'float64' }),
    PReLU1: () => new nn.PReLU({ dtype: 'float64' }),
    Hardtanh: () => new nn.Hardtanh({ minVal: -0.5, maxVal: 1 }),
    Mish: () => new nn.Mish(),
    Softsign: () => new nn.Softsign(),
  };
  for (const c of fx.activations) {
    it(`${c.name}: values and gradients (kinks included), printing`, () => {
      const m = make[c.name]();
      const x = pattern([2, 3, 4], 'float64', 100, -3, 3);
      x.reshape(-1).narrow(0, 0, fx.kinks.length).copy_(tg.tensor(fx.kinks, { dtype: 'float64' }));
      x.requiresGrad_();
      const out = m.forward(x) as tg.Tensor;
      out.mul(pattern([2, 3, 4], 'float64', 101)).sum().backward();
      expectScaled(out, c.out, 1e-13, 'out');
      expectScaled(x.grad, c.grad_x, 1e-13, 'grad x');
      const weight = (m as { weight?: tg.Tensor }).weight;
      expectScaled(weight?.grad ?? null, c.grad_weight, 1e-13, 'grad weight');
      expect(String(m).replace('PReLU1', 'PReLU')).toBe(c.repr);
    });
  }

  it('inplace writes into the input when autograd does not record; errors as PyTorch', () => {
    const x = tg.tensor([-1, 0, 2]);
    expect(new nn.ELU({ inplace: true }).forward(x)).toBe(x);
    expect((x.tolist() as number[])[0]).toBeCloseTo(Math.expm1(-1), 6);
    expect(String(new nn.SiLU({ inplace: true }))).toBe('SiLU(inplace=True)');
    expect(() => new nn.Hardtanh({ minVal: 1, maxVal: 1 })).toThrow('maxVal (1) must be greater than minVal (1)');
    expect(() => F.prelu(tg.zeros(2, 3), tg.ones(2))).toThrow('Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and channel size = 3.');
  });
});

describe('F.normalize, F.cosineSimilarity, Dropout2d against PyTorch', () => {
  for (const c of fx.normalize) {
    it(`normalize p ${c.p} dim ${c.dim} (a zero row: the eps clamp)`, () => {
      const x = pattern([3, 4], 'float64', 110);
      x.select(0, 1).zero_();
      x.requiresGrad_();
      const y = F.normalize(x, { p: c.p, dim: c.dim });
      y.mul(pattern([3, 4], 'float64', 111)).sum().backward();
      expectScaled(y, c.out, 1e-13, 'out');
      expectScaled(x.grad, c.grad_x, 1e-13, 'grad');
    });
  }

  for (const c of fx.cosine) {
    it(`cosineSimilarity [3, 4] x ${JSON.stringify(c.shape2)} dim ${c.dim} eps ${c.eps} (each norm clamped)`, () => {
      const a = pattern([3, 4], 'float64', 112);
      a.select(0, 2).fill_(1e-9);
      a.requiresGrad_();
      const b = pattern(c.shape2, 'float64', 113).requiresGrad_();
      const y = F.cosineSimilarity(a, b, { dim: c.dim, eps: c.eps });
      y.mul(pattern([...y.shape], 'float64', 114)).sum().backward();
      expectScaled(y, c.out, 1e-13, 'out');
      expectScaled(a.grad, c.grad_a, 1e-13, 'grad a');
      expectScaled(b.grad, c.grad_b, 1e-12, 'grad b');
    });
  }

  it("Dropout2d draws PyTorch's channel masks", () => {
    tg.manualSeed(0);
    expect(new nn.Dropout2d(0.5).forward(tg.ones(2, 3, 2, 2)).tolist()).toEqual(decode(fx.dropout2d.four).tolist());
    expect(F.dropout2d(tg.ones(2, 3, 4), 0.25).tolist()).toEqual(decode(fx.dropout2d.three).tolist());
    expect(String(new nn.Dropout2d(0.2, { inplace: true }))).toBe(fx.dropout2d.repr);
    const x = tg.ones(2, 3, 2, 2);
    expect(new nn.Dropout2d(0.5).eval().forward(x)).toBe(x);
  });
});

describe('ParameterList, ParameterDict, Unflatten', () => {
  const c = fx.containers;
  it('print and state dict keys as PyTorch', () => {
    const pl = new nn.ParameterList([new nn.Parameter(tg.ones(2, 3)), tg.zeros([4], { dtype: 'float64' })]);
    expect(String(pl)).toBe(c.list_repr);
    expect(Object.keys(pl.stateDict())).toEqual(c.list_keys);
    expect(pl.at(1)).toBeInstanceOf(nn.Parameter);
    expect(String(new nn.ParameterList([new nn.Parameter(tg.ones(2, 3))]))).toBe(c.one_repr);
    const pd = new nn.ParameterDict({ b: new nn.Parameter(tg.ones(2)), a: new nn.Parameter(tg.zeros(1, 3)) });
    expect(String(pd)).toBe(c.dict_repr);
    expect(Object.keys(pd.stateDict())).toEqual(c.dict_keys);
    expect(pd.keys()).toEqual(['a', 'b']);
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2), new nn.Unflatten(1, [1, 2]));
    model.addModule('extra', pl);
    expect(String(model)).toBe(c.model_repr);
    expect(Object.keys(model.stateDict())).toEqual(c.model_keys);
    expect([...model.parameters()].length).toBe(6);
    expect(new nn.Unflatten(1, [1, 2]).forward(tg.ones(3, 2)).shape).toEqual([3, 1, 2]);
  });

  it('a Map keeps its order; names that clash are refused', () => {
    const pd = new nn.ParameterDict(new Map([['z', tg.ones(1)], ['y', tg.ones(1)]]));
    expect(pd.keys()).toEqual(['z', 'y']);
    expect(() => pd.set('training', tg.ones(1))).toThrow("attribute 'training' already exists");
    expect(pd.pop('z').shape).toEqual([1]);
    expect(Object.keys(pd.stateDict())).toEqual(['y']);
  });
});

describe('a PyTorch model of these layers, saved with torch.save', () => {
  it('loads strictly (buffers, PReLU weight, num_batches_tracked) and gives the same eval output', () => {
    const c = fx.saved_model;
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.PReLU({ numParameters: 4 }), new nn.Unflatten(1, [4, 1]),
      new nn.GroupNorm(2, 4), new nn.Flatten(), new nn.RMSNorm(4), new nn.ELU());
    const sd = tg.load(join(__dirname, '..', 'fixtures', c.file)) as Record<string, tg.Tensor>;
    expect(Object.keys(sd)).toEqual(c.keys);
    expect(model.loadStateDict(sd, { strict: true })).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Object.keys(model.stateDict())).toEqual(c.keys);
    expect((model.at(1) as tg.nn.BatchNorm1d).numBatchesTracked!.item()).toBe(2);
    model.eval();
    expectScaled(model.forward(pattern([5, 3], 'float32', 122)), c.eval_out, 3e-6, 'eval output');
  });
});
