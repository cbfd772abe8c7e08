// tg.load / tg.loadAsync of torch.save files written by PyTorch (scripts/fixtures/torch_files.py):
// values and dtypes as torch.load(weights_only=True) returns them, storages shared between tensors,
// views with their strides and offsets, state_dicts loaded into tensorgrad models giving PyTorch's
// outputs, optimizer state_dicts resuming PyTorch's training step, the legacy and big-endian
// formats, and maxBytes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, loadFixture, type EncodedTensor } from '../helpers';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const file = (name: string) => join(DIR, name);

type Want =
  | null | boolean | number | string
  | { tensor: EncodedTensor; requiresGrad: boolean; stride: number[]; offset: number }
  | { dict: [string, Want][] } | { list: Want[] } | { bigint: string } | { float: string } | { bytes: number[] };
const fixture = loadFixture<{ files: Record<string, Want>; extra: Record<string, Record<string, EncodedTensor> | EncodedTensor[]> }>('torch.json');
const extra = (key: string) => fixture.extra[key] as Record<string, EncodedTensor>;

/** Exact equality of dtype, shape and values (NaN matching NaN). */
function expectSame(t: tg.Tensor, want: tg.Tensor, label: string): void {
  expect(t.dtype, label).toBe(want.dtype);
  expect([...t.shape], label).toEqual([...want.shape]);
  expect(Array.from(t.toTypedArray() as ArrayLike<number | bigint>), label).toEqual(Array.from(want.toTypedArray() as ArrayLike<number | bigint>));
}

/** got is what the fixture says torch.load returned (see expect() in the script). */
function expectValue(got: unknown, want: Want, path: string): void {
  if (want === null || typeof want !== 'object') return void expect(got, path).toBe(want);
  if ('tensor' in want) {
    expect(got, path).toBeInstanceOf(tg.Tensor);
    const t = got as tg.Tensor;
    expectSame(t, decode(want.tensor), path);
    expect(t.requiresGrad, `${path} requiresGrad`).toBe(want.requiresGrad);
    if (t.numel() > 0) expect([t.stride(), t.storageOffset()], `${path} stride and offset`).toEqual([want.stride, want.offset]);
  } else if ('dict' in want) {
    expect(Object.getPrototypeOf(got), path).toBe(Object.prototype);
    const obj = got as Record<string, unknown>;
    expect(Object.keys(obj), path).toEqual(Object.keys(Object.fromEntries(want.dict)));
    for (const [k, v] of want.dict) expectValue(Object.getOwnPropertyDescriptor(obj, k)?.value, v, `${path}.${k}`);
  } else if ('list' in want) {
    expect(Array.isArray(got), path).toBe(true);
    expect((got as unknown[]).length, path).toBe(want.list.length);
    want.list.forEach((v, i) => expectValue((got as unknown[])[i], v, `${path}[${i}]`));
  } else if ('bigint' in want) {
    expect(got, path).toBe(BigInt(want.bigint));
  } else if ('float' in want) {
    expect(got, path).toBe(want.float === 'nan' ? NaN : want.float === 'inf' ? Infinity : -Infinity);
  } else {
    expect(got, path).toEqual(new Uint8Array(want.bytes));
  }
}

class Net extends tg.nn.Module {
  hidden = new tg.nn.Linear(4, 3);
  predict = new tg.nn.Linear(3, 2);
  override forward(x: tg.Tensor): tg.Tensor {
    return this.predict.forward(this.hidden.forward(x).relu());
  }
}

class Model extends tg.nn.Module {
  emb = new tg.nn.Embedding(10, 4);
  norm = new tg.nn.LayerNorm(4);
  conv = new tg.nn.Conv2d(1, 2, 3, { padding: 1 });
  fc = new tg.nn.Linear(32, 3);
  forward2(tokens: tg.Tensor, img: tg.Tensor): tg.Tensor {
    const e = this.norm.forward(this.emb.forward(tokens));
    return this.fc.forward(this.conv.forward(img).add(e.unsqueeze(1)).flatten(1));
  }
}

const close = (got: tg.Tensor, want: EncodedTensor, label: string, rtol = 1e-5) => {
  expect([...got.shape], label).toEqual(want.shape);
  const w = decode(want);
  expect(got.sub(w).abs().max().item(), label).toBeLessThanOrEqual(rtol * Math.max(1, w.abs().max().item() as number));
};

describe('tg.load of torch.save files', () => {
  it('returns what torch.load(weights_only=True) returns, for every fixture', () => {
    for (const [name, want] of Object.entries(fixture.files)) expectValue(tg.load(file(name)), want, name);
  });

  it('loadAsync returns the same', async () => {
    for (const name of ['net.pt', 'dtypes.pt', 'big_endian.pt', 'legacy.pt', 'nested.pt', 'tensor.pt']) {
      expectValue(await tg.loadAsync(file(name)), fixture.files[name], `${name} (async)`);
    }
  });

  it('tensors saved over one storage share memory: a write through one shows in the others', () => {
    const sd = tg.load(file('shared.pt'));
    const { t, rows, flat, col, tt } = sd;
    expect(sd.again).toBe(t); // one Python object, one Tensor
    for (const v of [rows, flat, col, tt]) expect(v._storage).toBe(t._storage);
    expect(t._storage.length).toBe(12); // read once: no copies
    rows.index(0, 1).fill_(100); // t[1, 1]
    expect(t.index(1, 1).item()).toBe(100);
    expect(flat.index(5).item()).toBe(100);
    expect(col.index(1).item()).toBe(100);
    expect(tt.index(1, 1).item()).toBe(100);
    tt.mul_(2);
    expect(t.tolist()).toEqual([[0, 2, 4, 6], [8, 200, 12, 14], [16, 18, 20, 22]]);
  });

  it('non-contiguous views keep the file\'s strides and offsets over one storage', () => {
    const v = tg.load(file('views.pt'));
    for (const k of ['stepped', 'corner', 'diagonal', 'every_third', 'empty']) expect(v[k]._storage, k).toBe(v.transposed._storage);
    expect(v.transposed.isContiguous()).toBe(false);
    expect(v.expanded.stride()).toEqual([0, 1]);
    v.corner.fill_(-1);
    expect(v.transposed.index(5, 3).item()).toBe(-1);
  });

  it('widened storages (float16, bfloat16, int8...) are converted once and still shared', () => {
    const d = tg.load(file('dtypes.pt'));
    expect(d.float16.dtype).toBe('float32');
    expect(d.float16_view._storage).toBe(d.float16._storage);
    d.float16_view.index(0).fill_(7);
    expect(d.float16.index(2).item()).toBe(7);
    expect([d.uint8.dtype, d.int8.dtype, d.int16.dtype, d.bfloat16.dtype]).toEqual(['int32', 'int32', 'int32', 'float32']);
  });

  it('reads big-endian files (byteorder "big") as PyTorch does', () => {
    const little = tg.load(file('dtypes.pt'));
    const big = tg.load(file('big_endian.pt'));
    for (const k of Object.keys(little)) expectSame(big[k], little[k], k);
  });

  it('reads the legacy (pre-1.6) format, storages shared', () => {
    const l = tg.load<{ net: Record<string, tg.Tensor>; half: tg.Tensor; half_view: tg.Tensor; step: number }>(file('legacy.pt'));
    expect(l.half_view._storage).toBe(l.half._storage);
    expect(l.step).toBe(3);
    const net = new Net();
    net.loadStateDict(l.net);
  });

  it('net.loadStateDict(tg.load(...)) gives PyTorch\'s output', () => {
    const net = new Net();
    net.loadStateDict(tg.load(file('net.pt')));
    close(net.forward(decode(extra('net').x)), extra('net').y, 'net');
  });

  it('an Embedding, LayerNorm, Conv2d and Linear model gives PyTorch\'s output; nn.Parameters require grad', () => {
    const { tokens, img, y } = extra('model');
    for (const name of ['model.pt', 'params.pt']) {
      const model = new Model();
      const sd = tg.load(file(name));
      for (const t of Object.values(sd)) expect(t.requiresGrad).toBe(name === 'params.pt');
      model.loadStateDict(sd);
      close(model.forward2(decode(tokens), decode(img)), y, name);
    }
  });

  it('maxBytes caps what a torch file may allocate', async () => {
    for (const name of ['net.pt', 'legacy.pt']) {
      expect(() => tg.load(file(name), { maxBytes: 64 }), name).toThrow(/maxBytes/);
      await expect(tg.loadAsync(file(name), { maxBytes: 64 }), name).rejects.toThrow(/maxBytes/);
      expect(Object.keys(tg.load(file(name), { maxBytes: 1e6 })).length, name).toBeGreaterThan(0);
    }
    // the pickle counts: net.pt's data.pkl is read whole before its 200-odd bytes of storages
    expect(() => tg.load(file('net.pt'), { maxBytes: 300 })).toThrow(/data\.pkl asks for \d+ bytes/);
  });

  it('files that are not torch.save files keep their loaders and messages', () => {
    const sd = tg.load(join(__dirname, '..', 'fixtures', 'io', 'net.safetensors'));
    expect(Object.keys(sd)).toEqual(['hidden.bias', 'hidden.weight', 'predict.bias', 'predict.weight']);
    expect(() => tg.load(join(__dirname, '..', 'fixtures', 'io', 'stored.npz'))).toThrow(/a zip file, but not one torch.save wrote: it is a zip of .npy files/);
  });

  it('dtypes tensorgrad lacks are refused by name', () => {
    expect(() => tg.load(file('unsupported_uint16.pt'))).toThrow(/a tensor of dtype uint16, which tensorgrad cannot load/);
    expect(() => tg.load(file('unsupported_complex64.pt'))).toThrow(/storage '0' holds complex64 elements, a dtype tensorgrad cannot load/);
  });
});

describe('optimizer.loadStateDict of PyTorch\'s optimizer state_dict', () => {
  const steps = tg.load<Record<string, { params: tg.Tensor[]; grads: tg.Tensor[] }>>(file('optim_next.pt'));
  const cases = [
    ['adam', (p: tg.Tensor[]) => new tg.optim.Adam(p)],
    ['adamw', (p: tg.Tensor[]) => new tg.optim.AdamW(p)],
    ['sgd', (p: tg.Tensor[]) => new tg.optim.SGD(p, { lr: 1 })],
    // the options come from the state_dict: these are tensorgrad's defaults, overwritten
    ['rmsprop', (p: tg.Tensor[]) => new tg.optim.RMSprop(p, { momentum: 0.1, centered: true })],
    ['adagrad', (p: tg.Tensor[]) => new tg.optim.Adagrad(p)],
    ['adadelta', (p: tg.Tensor[]) => new tg.optim.Adadelta(p)],
    ['adamax', (p: tg.Tensor[]) => new tg.optim.Adamax(p)],
    ['nadam', (p: tg.Tensor[]) => new tg.optim.NAdam(p)],
    ['radam', (p: tg.Tensor[]) => new tg.optim.RAdam(p, { decoupledWeightDecay: true })],
    ['asgd', (p: tg.Tensor[]) => new tg.optim.ASGD(p)],
  ] as const;
  for (const [name, make] of cases) {
    it(`${name}: resumes after PyTorch's 3 steps and takes its 4th step`, () => {
      const params = steps[name].params.map((p) => p.clone().requiresGrad_());
      const opt: tg.optim.Optimizer<object> = make(params);
      opt.loadStateDict(tg.load(file(`${name}.pt`)));
      params.forEach((p, i) => (p.grad = steps[name].grads[i].clone()));
      opt.step();
      const want = fixture.extra[`${name}_next`] as EncodedTensor[];
      params.forEach((p, i) => close(p.detach(), want[i], `${name} param ${i}`, 1e-6));
      if (name !== 'sgd') expect(opt.state.get(params[0])?.step).toBe(4);
    });
  }

  it('translates the options, and refuses what tensorgrad cannot honour', () => {
    const p = [tg.zeros(2, 3).requiresGrad_(), tg.zeros(2).requiresGrad_()];
    const adam = new tg.optim.Adam(p);
    adam.loadStateDict(tg.load(file('adam.pt')));
    expect(adam.paramGroups[0]).toMatchObject({ lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false });
    expect(Object.keys(adam.state.get(p[0]) ?? {}).sort()).toEqual(['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
    expect(() => new tg.optim.Adam(p).loadStateDict(tg.load(file('adamw.pt')))).toThrow(/decoupled_weight_decay: true.*load it into optim.AdamW/);
    expect(() => new tg.optim.AdamW(p).loadStateDict(tg.load(file('adam.pt')))).toThrow(/load it into optim.Adam\b/);
    expect(() => new tg.optim.SGD(p).loadStateDict(tg.load(file('adam.pt')))).toThrow(/the option betas: 0.9,0.999, which tensorgrad's SGD does not have/);
    const sd = tg.load<tg.optim.TorchOptimizerStateDict>(file('adam.pt'));
    sd.param_groups[0].differentiable = true;
    expect(() => new tg.optim.Adam(p).loadStateDict(sd)).toThrow(/differentiable: true/);
    sd.param_groups[0].differentiable = false;
    sd.param_groups[0].foreach = true; // picks an implementation: accepted
    sd.param_groups[0].fused = true;
    new tg.optim.Adam(p).loadStateDict(sd);
    sd.state['0'].exp_avg = tg.zeros(3);
    expect(() => new tg.optim.Adam(p).loadStateDict(sd)).toThrow(/expAvg of parameter 0 has shape \[3\], but the parameter's is \[2, 3\]/);
    sd.state['0'] = { momentum_buffer: tg.zeros(2, 3) };
    expect(() => new tg.optim.Adam(p).loadStateDict(sd)).toThrow(/'momentum_buffer', which tensorgrad's Adam does not keep/);
  });

  it("refuses a PyTorch optimizer state_dict whose groups, state or options are not what PyTorch writes, naming them", () => {
    const p = [tg.zeros(2, 3).requiresGrad_(), tg.zeros(2).requiresGrad_()];
    const load = (edit: (sd: tg.optim.TorchOptimizerStateDict) => void) => () => {
      const sd = tg.load<tg.optim.TorchOptimizerStateDict>(file('adam.pt'));
      edit(sd);
      new tg.optim.Adam(p).loadStateDict(sd);
    };
    const groups = (sd: tg.optim.TorchOptimizerStateDict) => sd.param_groups as unknown[];
    expect(load((sd) => (groups(sd)[0] = null))).toThrow(new TypeError('Adam.loadStateDict(): param_groups[0] is null, not a dict'));
    expect(load((sd) => ((sd.state as Record<string, unknown>)['1'] = null))).toThrow(new TypeError('Adam.loadStateDict(): the state of parameter 1 is null, not a dict'));
    expect(load((sd) => ((sd.state as Record<string, unknown>)['1'] = 5))).toThrow(new TypeError('Adam.loadStateDict(): the state of parameter 1 is 5, not a dict'));
    expect(load((sd) => (sd.state.w = {}))).toThrow(new TypeError('Adam.loadStateDict(): the state has the key "w", which is not a parameter index'));
    expect(load((sd) => (sd.param_groups[0].lr = 'x'))).toThrow(new TypeError('Adam.loadStateDict(): param_groups[0].lr must be a number, but got "x"'));
    expect(load((sd) => (sd.param_groups[0].lr = tg.tensor(0.1)))).toThrow(new TypeError('Adam.loadStateDict(): param_groups[0].lr must be a number, but got a Tensor'));
    expect(load((sd) => (sd.param_groups[0].amsgrad = 1))).toThrow(new TypeError('Adam.loadStateDict(): param_groups[0].amsgrad must be a boolean, but got 1'));
    expect(load((sd) => (sd.param_groups[0].betas = [0.9]))).toThrow(new TypeError('Adam.loadStateDict(): param_groups[0].betas must be 2 numbers, but got an Array'));
  });
});
