// The forms PyTorch code is written in: `with torch.no_grad():` as `using _ = tg.noGrad()`, tuple
// unpacking of (values, indices) results, and devices ('cpu' only).
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';

const CUDA = "tensorgrad runs on the CPU only: device 'cuda' is not available; use 'cpu'";

describe('grad-mode guards', () => {
  it('using _ = tg.noGrad() turns recording off until the block ends', () => {
    const w = tg.ones(2, { requiresGrad: true });
    {
      using _ = tg.noGrad();
      expect(tg.isGradEnabled()).toBe(false);
      expect(w.mul(2).requiresGrad).toBe(false);
    }
    expect(tg.isGradEnabled()).toBe(true);
    expect(w.mul(2).requiresGrad).toBe(true);
  });

  it('exit() and Symbol.dispose put back the previous mode, once', () => {
    const outer = tg.noGrad();
    const inner = tg.enableGrad();
    expect(tg.isGradEnabled()).toBe(true);
    inner.exit();
    expect(tg.isGradEnabled()).toBe(false);
    inner[Symbol.dispose]();
    expect(tg.isGradEnabled()).toBe(false);
    outer[Symbol.dispose]();
    expect(tg.isGradEnabled()).toBe(true);
    outer.exit();
    expect(tg.isGradEnabled()).toBe(true);
  });

  it('the function forms still run fn and give its result', () => {
    expect(tg.noGrad(() => tg.isGradEnabled())).toBe(false);
    expect(tg.noGrad(() => tg.enableGrad(() => tg.isGradEnabled()))).toBe(true);
    expect(tg.inferenceMode(() => tg.isGradEnabled())).toBe(false);
    expect(tg.isGradEnabled()).toBe(true);
  });

  it('inferenceMode() is a guard like noGrad()', () => {
    {
      using _ = tg.inferenceMode();
      expect(tg.ones(1, { requiresGrad: true }).mul(2).requiresGrad).toBe(false);
    }
    expect(tg.isGradEnabled()).toBe(true);
  });

  it('setGradEnabled(b) sets the mode and returns a guard', () => {
    const g = tg.setGradEnabled(false);
    expect(tg.isGradEnabled()).toBe(false);
    g.exit();
    expect(tg.isGradEnabled()).toBe(true);
    expect(() => tg.setGradEnabled('no' as unknown as boolean)).toThrow(TypeError);
  });

  it('something other than a function or nothing is a TypeError', () => {
    expect(() => tg.noGrad(3 as unknown as () => void)).toThrow('noGrad(): expected a function to run, or nothing (for a guard), but got number');
    expect(() => tg.enableGrad(null as unknown as () => void)).toThrow(TypeError);
    expect(tg.isGradEnabled()).toBe(true);
  });
});

describe('(values, indices) results unpack like tuples', () => {
  const x = tg.tensor([[1, 5, 3], [4, 2, 6]]);

  it('max(dim) and min(dim), as methods and tg.* functions', () => {
    const [values, indices] = x.max(1);
    expect([values.tolist(), indices.tolist()]).toEqual([[5, 6], [1, 2]]);
    const [mv, mi] = tg.min(x, { dim: 0 });
    expect([mv.tolist(), mi.tolist()]).toEqual([[1, 2, 3], [0, 1, 0]]);
    const [v2] = tg.max(x, 0, true);
    expect(v2.shape).toEqual([1, 3]);
  });

  it('cummax, cummin and aminmax ([min, max])', () => {
    const [cv, ci] = x.cummax(1);
    expect([cv.tolist(), ci.tolist()]).toEqual([[[1, 5, 5], [4, 4, 6]], [[0, 1, 1], [0, 0, 2]]]);
    const [nv, ni] = tg.cummin(x, 1);
    expect([nv.tolist(), ni.tolist()]).toEqual([[[1, 1, 1], [4, 2, 2]], [[0, 0, 0], [0, 1, 1]]]);
    const [lo, hi] = x.aminmax();
    expect([lo.item(), hi.item()]).toEqual([1, 6]);
    const [rowLo, rowHi] = tg.aminmax(x, { dim: 1 });
    expect([rowLo.tolist(), rowHi.tolist()]).toEqual([[1, 2], [5, 6]]);
  });

  it('are still plain objects to keys, toEqual, JSON and printing', () => {
    const r = x.max(1);
    expect(Object.keys(r)).toEqual(['values', 'indices']);
    expect(r).toEqual({ values: r.values, indices: r.indices });
    expect(JSON.stringify(r)).toBe(JSON.stringify({ values: r.values, indices: r.indices }));
    expect(inspect(r)).toBe('{ values: tensor([5., 6.]), indices: tensor([1, 2]) }');
    expect([...r]).toEqual([r.values, r.indices]);
    expect(Object.keys(x.aminmax())).toEqual(['min', 'max']);
  });

  it('the gradient still flows through the values', () => {
    const w = tg.tensor([[1, 5, 3]], { dtype: 'float64', requiresGrad: true });
    const [values] = w.max(1);
    values.sum().backward();
    expect(w.grad?.tolist()).toEqual([[0, 1, 0]]);
  });
});

describe('devices', () => {
  const x = tg.tensor([1.5, 2]);

  it('x.device is the CPU device, printed as cpu', () => {
    expect(String(x.device)).toBe('cpu');
    expect(`${x.device}`).toBe('cpu');
    expect(inspect(x.device)).toBe('cpu');
    expect(JSON.stringify({ device: x.device })).toBe('{"device":"cpu"}');
    expect(x.device.type).toBe('cpu');
    expect(x.device).toBe(tg.device('cpu'));
    expect(tg.device('cpu:0')).toBe(x.device);
    expect(tg.device('cpu', 0)).toBe(x.device);
    expect(tg.device(x.device)).toBe(x.device);
    expect(x.device).toBeInstanceOf(tg.Device);
    expect(tg.cuda.isAvailable()).toBe(false);
    expect(tg.cuda.deviceCount()).toBe(0);
  });

  it("x.to('cpu'), x.to({ device }), x.cpu() give x itself; with a dtype, the converted copy", () => {
    expect(x.to('cpu')).toBe(x);
    expect(x.to({ device: 'cpu' })).toBe(x);
    expect(x.to(tg.device('cpu'))).toBe(x);
    expect(x.cpu()).toBe(x);
    expect(x.to('cpu', 'float64').dtype).toBe('float64');
    expect(x.to({ device: 'cpu', dtype: 'float64' }).dtype).toBe('float64');
    expect(x.to('float64').tolist()).toEqual([1.5, 2]);
    expect(x.to('float32')).toBe(x);
    expect(x.to(tg.zeros(1, { dtype: 'int32' })).dtype).toBe('int32');
    const c = x.to('cpu', { copy: true });
    expect(c).not.toBe(x);
    expect(c.tolist()).toEqual([1.5, 2]);
    expect(x.to({ dtype: 'float32', copy: true })).not.toBe(x);
  });

  it('to() keeps the gradient path', () => {
    const w = tg.tensor([1, 2], { requiresGrad: true });
    w.to('cpu', 'float64').mul(3).sum().backward();
    expect(w.grad?.tolist()).toEqual([3, 3]);
  });

  it('creation functions take { device: "cpu" }', () => {
    const opts = { device: 'cpu' } as const;
    const made = [
      tg.tensor([1, 2], opts), tg.zeros(2, opts), tg.ones([2], opts), tg.empty(2, opts), tg.full([2], 7, opts),
      tg.arange(2, opts), tg.arange(0, 2, 1, opts), tg.linspace(0, 1, 2, opts), tg.eye(2, opts), tg.randn(2, opts), tg.rand(2, opts),
      tg.randint(0, 3, [2], opts), tg.randperm(2, opts), tg.zerosLike(x, opts), tg.onesLike(x, opts), tg.fullLike(x, 2, opts),
      tg.emptyLike(x, opts), tg.randnLike(x, opts), tg.randLike(x, opts), x.newZeros([2], opts), x.newOnes([2], opts),
      tg.zeros(2, { device: tg.device('cpu'), dtype: 'float64' }),
    ];
    for (const t of made) expect(String(t.device)).toBe('cpu');
  });

  it("other PyTorch devices are an Error naming what is available", () => {
    expect(() => tg.zeros(2, { device: 'cuda' })).toThrow(CUDA);
    expect(() => tg.zeros(2, { device: 'cuda' })).not.toThrow(TypeError);
    expect(() => tg.tensor([1], { device: 'cuda:0' })).toThrow("device 'cuda:0' is not available; use 'cpu'");
    expect(() => tg.randn(2, { device: 'mps' })).toThrow("device 'mps' is not available");
    expect(() => tg.onesLike(x, { device: 'cuda' })).toThrow(CUDA);
    expect(() => x.to('cuda')).toThrow(CUDA);
    expect(() => x.to({ device: 'cuda' })).toThrow(CUDA);
    expect(() => x.cuda()).toThrow(CUDA);
    expect(() => tg.device('cuda')).toThrow(CUDA);
    expect(() => tg.device('cuda', 1)).toThrow("device 'cuda:1' is not available");
    expect(() => tg.device('cpu:1')).toThrow("device 'cpu:1' is not available");
    expect(() => tg.zeros(2, { device: 0 as unknown as string })).toThrow("device 'cuda:0' is not available");
  });

  it('what is no device at all is a TypeError', () => {
    expect(() => tg.zeros(2, { device: 'gpu' })).toThrow(TypeError);
    expect(() => tg.zeros(2, { device: 'gpu' })).toThrow(`zeros(): option 'device' must be a device ('cpu' or tg.device('cpu')), but got "gpu"`);
    expect(() => tg.zeros(2, { device: {} as string })).toThrow(TypeError);
    expect(() => tg.device('CPU')).toThrow(`device(): expected a device ('cpu' or tg.device('cpu')), but got "CPU"`);
    expect(() => tg.device(3.5 as unknown as string)).toThrow(TypeError);
    expect(() => tg.device(3 as unknown as string)).toThrow("device 'cuda:3' is not available"); // torch.device(3) is cuda:3
    expect(() => tg.device('cpu', -1)).toThrow(TypeError);
    expect(() => x.to('gpu')).toThrow(`to(): expected a dtype (float32, float64, int32, int64, bool) or a device ('cpu'), but got "gpu"`);
    expect(() => x.to({ devise: 'cpu' } as tg.ToOptions)).toThrow("to(): unknown option 'devise'");
    expect(() => x.to(3 as unknown as string)).toThrow(TypeError);
    expect(() => x.to('float64', 'cpu' as tg.DTypeLike)).toThrow('a device comes first');
    expect(() => (x.to as () => tg.Tensor)()).toThrow(TypeError);
  });

  it("module.to('cpu') and module.cpu() give the module; with a dtype it converts", () => {
    const m = new tg.nn.Linear(2, 3);
    expect(m.to('cpu')).toBe(m);
    expect(m.cpu()).toBe(m);
    expect(m.to({ device: 'cpu' })).toBe(m);
    expect(m.weight.dtype).toBe('float32');
    expect(m.to('cpu', 'float64').weight.dtype).toBe('float64');
    expect(m.to({ device: 'cpu', dtype: 'float32' }).weight.dtype).toBe('float32');
    expect(() => m.to('cuda')).toThrow(CUDA);
    expect(() => m.to('int64')).toThrow('Module.to() only accepts floating point dtypes');
  });

  it('layers take { device: "cpu" } as PyTorch\'s constructors do; to() takes { nonBlocking }', () => {
    expect(new tg.nn.Linear(2, 3, { device: 'cpu' }).weight.device.type).toBe('cpu');
    expect(new tg.nn.Embedding(4, 2, { device: 'cpu' }).weight.shape).toEqual([4, 2]);
    expect(new tg.nn.LayerNorm(3, { device: tg.device('cpu') }).weight!.shape).toEqual([3]);
    expect(new tg.nn.Conv2d(1, 2, 3, { device: 'cpu' }).weight.shape).toEqual([2, 1, 3, 3]);
    expect(() => new tg.nn.Linear(2, 3, { device: 'cuda' })).toThrow(CUDA);
    expect(x.to('cpu', { nonBlocking: true })).toBe(x);
  });
});
