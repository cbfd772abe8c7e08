// PyTorch loading what tg.save writes in the torch format, with torch.load(weights_only=True): a
// Python with PyTorch (TENSORGRAD_TORCH_PYTHON, else the repository's .venv, else python3) runs
// torch_save_check.py on the files; without one these tests are skipped, with a note.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { fixtureValues } from './torch_save_values';

const { nn, optim, F } = tg;
const root = join(__dirname, '..', '..');
const out = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-torch-load-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
const at = (name: string) => join(out, name);

/** A Python that imports torch: TENSORGRAD_TORCH_PYTHON, else the repository's .venv, else python3. */
function findTorchPython(): string | undefined {
  const candidates = [process.env.TENSORGRAD_TORCH_PYTHON, join(root, '.venv', 'bin', 'python'), 'python3'];
  return candidates.find((p) => p !== undefined && p !== '' && spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

const torchPython = findTorchPython();
if (torchPython === undefined) {
  console.log('test/io/torch_save_pytorch.test.ts: no Python with PyTorch found (TENSORGRAD_TORCH_PYTHON, .venv/bin/python, python3), so the checks that PyTorch loads these files are skipped');
}

/** A value as torch_save_check.py's describe() writes it. */
type Described = Record<string, unknown>;
const pyFloat = (x: number) => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : Object.is(x, -0) ? '-0.0' : x);

/** A tensor's values as describe() writes tensor.tolist(). */
function tensorValues(t: tg.Tensor): Described {
  const flat = Array.from(t.contiguous().toTypedArray() as ArrayLike<number | bigint>);
  const leaf = (x: number | bigint): Described =>
    t.dtype === 'bool' ? { bool: x === 1 } : t.dtype === 'int32' || t.dtype === 'int64' ? { int: String(x) } : { float: pyFloat(Number(x)) };
  const nest = (dim: number, at: number): Described => {
    if (dim === t.shape.length) return leaf(flat[at]);
    const size = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return { list: Array.from({ length: t.shape[dim] }, (_, i) => nest(dim + 1, at + i * size)) };
  };
  return nest(0, 0);
}

/** What describe() should print for the value saved from v. */
function described(v: unknown): Described {
  if (v === null || v === undefined) return { none: true };
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'bigint') return { int: String(v) };
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? { int: BigInt(v).toString() } : { float: pyFloat(v) };
  if (typeof v === 'string') return { str: v };
  if (v instanceof tg.Tensor) {
    const storageBytes = v._storage.length * v.elementSize();
    return { tensor: { dtype: v.dtype, shape: v.shape, stride: v.stride(), offset: v.storageOffset(), storage_bytes: storageBytes, requires_grad: false, values: tensorValues(v) } };
  }
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return { list: v.map(described) };
  if (v instanceof Map) return { dict: [...v].map(([k, x]) => [described(k), described(x)]) };
  return { dict: Object.entries(v as object).map(([k, x]) => [{ str: k }, described(x)]) };
}

/** describe()'s JSON back as JavaScript: dicts as Maps, tuples as { tuple }, tensors as { tensor }. */
function py(d: Described): unknown {
  const [[kind, v]] = Object.entries(d);
  switch (kind) {
    case 'int': return Number.isSafeInteger(Number(v)) ? Number(v) : BigInt(v as string);
    case 'none': return null;
    case 'list': return (v as Described[]).map(py);
    case 'tuple': return { tuple: (v as Described[]).map(py) };
    case 'dict': case 'odict': return new Map((v as [Described, Described][]).map(([k, x]) => [py(k), py(x)]));
    default: return d.tensor !== undefined ? d : v;
  }
}

class Net extends nn.Module {
  declare scale: tg.Tensor;
  emb = new nn.Embedding(10, 4);
  conv = new nn.Conv2d(1, 2, 3, { padding: 1 });
  fc1 = new nn.Linear(32, 4);
  ln = new nn.LayerNorm(4);
  fc2 = new nn.Linear(4, 3);
  constructor() {
    super();
    this.registerBuffer('scale', tg.full([4], 1.5));
    this.registerBuffer('count', tg.tensor(3n));
  }
  override forward(tokens: tg.Tensor, image: tg.Tensor): tg.Tensor {
    const e = this.emb.forward(tokens).mean(1);
    const c = F.relu(this.conv.forward(image)).flatten(1);
    return this.fc2.forward(this.ln.forward(this.fc1.forward(c).add(e)).mul(this.scale));
  }
}

type Kind = 'adam' | 'adamw' | 'amsgrad' | 'sgd' | 'rmsprop' | 'adagrad' | 'adadelta' | 'adamax' | 'nadam' | 'radam' | 'asgd';
const OPTIMIZERS: Record<Kind, (params: Iterable<tg.Tensor>) => tg.optim.Optimizer<object>> = {
  adam: (p) => new optim.Adam(p, { lr: 0.01, weightDecay: 0.1 }),
  adamw: (p) => new optim.AdamW(p, { lr: 0.01 }),
  amsgrad: (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true, betas: [0.8, 0.99] }),
  sgd: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  rmsprop: (p) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true }),
  adagrad: (p) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01 }),
  adadelta: (p) => new optim.Adadelta(p, { lr: 0.5, rho: 0.8 }),
  adamax: (p) => new optim.Adamax(p, { lr: 0.02 }),
  nadam: (p) => new optim.NAdam(p, { lr: 0.02 }), // its state's mu_product is a tensor in PyTorch
  radam: (p) => new optim.RAdam(p, { lr: 0.02, decoupledWeightDecay: true, weightDecay: 0.01 }),
  asgd: (p) => new optim.ASGD(p, { lr: 0.05, t0: 1 }), // eta and mu too
};
/** The optimizers whose saved options PyTorch runs with exactly as saved (the others gain its defaults for flags tensorgrad lacks). */
const EXACT_GROUPS: readonly Kind[] = ['adam', 'adamw', 'amsgrad', 'sgd'];

describe.runIf(torchPython !== undefined)('PyTorch loads what tg.save writes (torch.load(weights_only=True))', () => {
  const { huge, ...fixture } = fixtureValues();
  const values = {
    ...fixture, undef: undefined, emptyBytes: new Uint8Array(0), bigKey: new Map([[5n, 'five']]),
    nullProto: Object.assign(Object.create(null) as object, { a: 1 }), nonContiguous: tg.arange(24, { dtype: 'float64' }).reshape(2, 3, 4).permute(2, 0, 1).narrow(0, 1, 2),
  };
  let result: Record<string, Described>;
  const next: Partial<Record<Kind, tg.Tensor[]>> = {};
  let adam: { model: tg.nn.Linear; opt: tg.optim.Optimizer<object> };

  beforeAll(() => {
    tg.save(values, at('values.pt'));
    tg.save({ huge }, at('values_huge.pt'));
    tg.manualSeed(2);
    const net = new Net();
    const tokens = tg.tensor([[1, 2, 3], [4, 5, 9]], { dtype: 'int64' });
    const image = tg.randn(2, 1, 4, 4);
    tg.save(net, at('net.pt'));
    tg.save({ tokens, image, output: tg.noGrad(() => net.forward(tokens, image)) }, at('net_io.pt'));
    for (const kind of Object.keys(OPTIMIZERS) as Kind[]) {
      tg.manualSeed(1);
      const model = new nn.Linear(4, 3);
      const opt = OPTIMIZERS[kind](model.parameters());
      const x = tg.randn(5, 4);
      const step = () => {
        opt.zeroGrad();
        model.forward(x).square().sum().backward();
        opt.step();
      };
      for (let i = 0; i < 3; i++) step();
      tg.save(model, at(`${kind}_model.pt`));
      tg.save(opt, at(`${kind}_opt.pt`));
      if (kind === 'adam') adam = { model, opt };
      step();
      next[kind] = [...model.parameters()];
      tg.save({ x, params: next[kind] }, at(`${kind}_next.pt`));
    }
    tg.save({ model: adam.model.stateDict(), optimizer: adam.opt.stateDict(), epoch: 3 }, at('checkpoint.pt'));
    const r = spawnSync(torchPython as string, [join(__dirname, 'torch_save_check.py'), out], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`torch_save_check.py failed:\n${r.stderr}`);
    result = JSON.parse(r.stdout) as Record<string, Described>;
  }, 300_000);

  it('every kind of value, dtype, shape, stride and storage offset', () => {
    expect(result.values).toEqual(described(values));
  });

  it('views of one tg storage share one storage in PyTorch', () => {
    const singles = ['f64', 'i32t', 'i64t', 'bool', 'expanded', 'scalar', 'nonContiguous'].map((k) => [k]);
    expect(result.sharing).toEqual([['again', 'col', 'row', 'w', 'wt'], ...singles].sort());
  });

  it("a module loads into the same PyTorch model with load_state_dict(strict=True), which then computes tensorgrad's outputs", () => {
    const net = result.net as { type: string; keys: string[]; diff: number };
    expect(net.type).toBe('OrderedDict');
    expect(net.keys).toEqual(['scale', 'count', 'emb.weight', 'conv.weight', 'conv.bias', 'fc1.weight', 'fc1.bias', 'ln.weight', 'ln.bias', 'fc2.weight', 'fc2.bias']);
    expect(net.diff).toBeLessThan(1e-5);
  });

  it.each(Object.keys(OPTIMIZERS) as Kind[])("%s: the optimizer's load_state_dict takes it, and its next step is tensorgrad's", (kind) => {
    const r = result.optimizers as Record<Kind, { state_dict: Described; diff: number; loaded_group: Described }>;
    expect(r[kind].diff).toBeLessThan(1e-6);
    if (!EXACT_GROUPS.includes(kind)) return;
    const sd = py(r[kind].state_dict) as Map<string, unknown>;
    expect([...sd.keys()]).toEqual(['state', 'param_groups']);
    const [group] = sd.get('param_groups') as Map<string, unknown>[];
    const loaded = py(r[kind].loaded_group) as Map<string, unknown>;
    const options = new Map([...group].filter(([k]) => k !== 'params'));
    if (kind === 'adamw') expect(options.get('decoupled_weight_decay')).toBe(true);
    expect(loaded).toEqual(options); // what the optimizer runs with after loading is what was saved
    const state = sd.get('state') as Map<number, Map<string, { tensor: { dtype: string; shape: number[] } }>>;
    expect([...state.keys()]).toEqual([0, 1]);
    const names = ({ adam: ['step', 'exp_avg', 'exp_avg_sq'], adamw: ['step', 'exp_avg', 'exp_avg_sq'], amsgrad: ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'], sgd: ['momentum_buffer'] } as Record<string, string[]>)[kind];
    expect([...(state.get(0) as Map<string, unknown>).keys()]).toEqual(names);
    if (kind !== 'sgd') expect((state.get(0) as Map<string, { tensor: unknown }>).get('step')).toMatchObject({ tensor: { dtype: 'float32', shape: [], values: { float: 3 } } });
    if (kind === 'amsgrad') expect(group.get('betas')).toEqual({ tuple: [0.8, 0.99] });
  });

  it('a checkpoint of a model, an optimizer and an epoch loads, and the optimizer in it', () => {
    expect(result.checkpoint).toEqual({ keys: ['model', 'optimizer', 'epoch'], epoch: 3, steps: [4, 4] });
  });

  it('an int of more than 255 bytes is written with LONG4, as Python does, which weights_only refuses', () => {
    expect(result.huge).toEqual({ weights_only: 'UnpicklingError', value: String(huge) });
  });

  it('maps every file with storages where PyTorch computes them from the zip layout (mmap, calculate_storage_offsets)', () => {
    const mapped = result.mmap as Record<string, boolean>;
    expect(Object.keys(mapped).length).toBeGreaterThan(15);
    expect(Object.entries(mapped).filter(([, ok]) => !ok)).toEqual([]);
  });
});
