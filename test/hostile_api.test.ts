// Misuse of the public API, careless or hostile: each is a clear JavaScript error (or what PyTorch
// does), never a dead process, a silent wrong value or an ignored argument.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';

const root = join(__dirname, '..');

/** Runs `code` (with `tg` loaded from src/) in a child process: what used to abort the process. */
function inChild(code: string): { status: number | null; signal: string | null; out: string } {
  const r = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['-e', `const tg = require(${JSON.stringify(join(root, 'src', 'index.ts'))});\n${code}`], {
    cwd: root, encoding: 'utf8', timeout: 60000,
  });
  return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}` };
}

describe('tensor() on nested arrays', () => {
  it('an array nested in itself is a RangeError naming the depth, in a process that lives on', () => {
    const r = inChild(`
      const a = [1]; a[0] = a;
      try { tg.tensor(a); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }
      const b = [1, 2]; b[1] = b;
      try { tg.tensor(b); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }
      console.log('alive');`);
    expect(r.signal).toBeNull();
    expect(r.out).toContain('RangeError: tensor(): nested arrays deeper than 64 levels (a tensor has at most 64 dims; is an array nested in itself?)');
    expect(r.out).toContain('ShapeError: expected a number at dim 1 but got a sequence');
    expect(r.out).toContain('alive');
  });

  it('64 levels are a 64-dim tensor; 65 are a RangeError', () => {
    let x: tg.NestedArray = 1;
    for (let i = 0; i < 64; i++) x = [x];
    expect(tg.tensor(x).shape).toEqual(new Array(64).fill(1));
    expect(() => tg.tensor([x])).toThrow(RangeError);
  });

  it('values are gathered into one typed array: dtypes, shapes and holes as before', () => {
    expect(tg.tensor([[true, false]]).dtype).toBe('bool');
    expect(tg.tensor([[1n, 2n]]).toTypedArray()).toEqual(BigInt64Array.from([1n, 2n]));
    expect(tg.tensor([[true, 2]]).tolist()).toEqual([[1, 2]]);
    expect(tg.tensor([[1, 2], [3, 4]], { dtype: 'float64' }).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(tg.tensor([[2n ** 70n]], { dtype: 'float64' }).item()).toBe(2 ** 70);
    expect(tg.tensor([[3.7, -3.7]], { dtype: 'int32' }).tolist()).toEqual([[3, -3]]);
    expect(() => tg.tensor([[1], [2, 3]])).toThrow('expected sequence of length 1 at dim 1 (got 2)');
    // eslint-disable-next-line no-sparse-arrays
    expect(() => tg.tensor([[1, , 3]] as never)).toThrow('tensor(): could not infer dtype of undefined');
  });
});

describe('values that do not fit the dtype are RangeErrors, with PyTorch\'s wording', () => {
  it('int64 overflow in tensor(), full, fill_ and maskedFill', () => {
    expect(() => tg.tensor([2n ** 63n])).toThrow('tensor(): value 9223372036854775808n cannot be converted to type int64 without overflow');
    expect(() => tg.tensor([[-(2n ** 63n) - 1n]])).toThrow(RangeError);
    expect(tg.tensor([2n ** 63n - 1n, -(2n ** 63n)]).toTypedArray()).toEqual(BigInt64Array.from([2n ** 63n - 1n, -(2n ** 63n)]));
    expect(() => tg.tensor([1e20], { dtype: 'int64' })).toThrow('cannot be converted to type int64 without overflow');
    expect(() => tg.tensor([[NaN]], { dtype: 'int64' })).toThrow(RangeError);
    expect(() => tg.tensor([2 ** 31], { dtype: 'int32' })).toThrow('tensor(): value 2147483648 cannot be converted to type int32 without overflow');
    expect(() => tg.full([1], 2n ** 70n)).toThrow('full(): value 1180591620717411303424n cannot be converted to type int64 without overflow');
    expect(() => tg.zeros(2, { dtype: 'int64' }).fill_(2 ** 63)).toThrow(RangeError);
    expect(() => tg.zeros(2, { dtype: 'int32' }).fill_(2 ** 31 - 0.5)).toThrow(RangeError);
    expect(() => tg.zeros(2, { dtype: 'int32' }).maskedFill(tg.tensor([true, false]), 2 ** 31)).toThrow('maskedFill(): value 2147483648 cannot be converted to type int32 without overflow');
    expect(() => tg.zeros(2).fill_(1e300)).toThrow('fill_(): value 1e+300 cannot be converted to type float32 without overflow');
    expect(tg.zeros(2).fill_(Infinity).tolist()).toEqual([Infinity, Infinity]);
    expect(tg.zeros(2, { dtype: 'int32' }).fill_(3.7).tolist()).toEqual([3, 3]);
    expect(tg.zeros(2, { dtype: 'bool' }).fill_(5).tolist()).toEqual([true, true]);
  });

  it('int64 values beyond 2^53 are written exactly', () => {
    const v = 2n ** 62n + 1n;
    expect(tg.full([2], v).toTypedArray()).toEqual(BigInt64Array.from([v, v]));
    const t = tg.zeros([2, 3], { dtype: 'int64' }).t();
    t.fill_(-v);
    expect(t.toTypedArray()).toEqual(new BigInt64Array(6).fill(-v));
    expect(tg.zeros(2, { dtype: 'int64' }).maskedFill(tg.tensor([true, false]), v).toTypedArray()).toEqual(BigInt64Array.from([v, 0n]));
  });

  it('a fill value must be a number, boolean, bigint or 0-d tensor', () => {
    const msg = 'the value must be a number, boolean, bigint or 0-d tensor, but got undefined';
    expect(() => tg.zeros(2).fill_(undefined as never)).toThrow(`fill_(): ${msg}`);
    expect(() => tg.full([2], undefined as never)).toThrow(`full(): ${msg}`);
    expect(() => tg.zeros(2).maskedFill(tg.tensor([true, false]), undefined as never)).toThrow(`maskedFill(): ${msg}`);
    expect(() => tg.zeros(2).maskedFill_(tg.tensor([true, false]), '1' as never)).toThrow(TypeError);
    expect(tg.zeros(2).fill_(tg.tensor(3)).tolist()).toEqual([3, 3]);
    expect(() => tg.zeros(2).fill_(tg.tensor([3]))).toThrow('fill_() only supports a 0-dimensional value tensor, but got a tensor with 1 dimension(s).');
  });
});

describe('names from outside are looked up as own properties, never through the prototype chain', () => {
  it('a dtype named toString or constructor is an invalid dtype', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'torch.valueOf']) {
      expect(() => tg.zeros(2, { dtype: name as tg.DType })).toThrow(`invalid dtype ${JSON.stringify(name)}: expected one of float32, float64, int32, int64, bool`);
    }
    expect(tg.zeros(2, { dtype: 'torch.long' as tg.DType }).dtype).toBe('int64');
  });

  it('strict loadStateDict refuses keys named constructor, toString or __proto__', () => {
    const model = new tg.nn.Linear(2, 2);
    for (const key of ['constructor', 'toString', '__proto__']) {
      const sd: Record<string, tg.Tensor> = { ...model.stateDict() };
      Object.defineProperty(sd, key, { value: tg.zeros(1), enumerable: true });
      expect(() => model.loadStateDict(sd)).toThrow(`Unexpected key(s) in the state dict: "${key}".`);
      expect(model.loadStateDict(sd, { strict: false }).unexpectedKeys).toEqual([key]);
    }
  });

  it('defaultCollate keeps a sample key named __proto__ as a key', () => {
    const samples = JSON.parse('[{"__proto__": 1, "x": 2}, {"__proto__": 3, "x": 4}]') as Record<string, number>[];
    const batch = tg.utils.data.defaultCollate(samples) as Record<string, tg.Tensor>;
    expect(Object.getPrototypeOf(batch)).toBe(Object.prototype);
    expect(Object.keys(batch)).toEqual(['__proto__', 'x']);
    expect(batch.x.tolist()).toEqual([2, 4]);
  });
});

describe('aliasing: writes that would reach one memory location twice, or a tensor through itself', () => {
  const overlap = 'unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.';

  it('scatter_ / scatterAdd_ from a source that overlaps the target is an error; disjoint parts of one storage are fine', () => {
    const idx = tg.tensor([3, 2, 1, 0], { dtype: 'int64' });
    const a = tg.tensor([1, 2, 3, 4]);
    expect(() => a.scatter_(0, idx, a)).toThrow(`scatter_(): ${overlap}`);
    expect(() => a.scatterAdd_(0, tg.tensor([0, 1], { dtype: 'int64' }), a.narrow(0, 1, 2))).toThrow(`scatterAdd_(): ${overlap}`);
    expect(a.tolist()).toEqual([1, 2, 3, 4]);
    expect(a.scatter(0, idx, a).tolist()).toEqual([4, 3, 2, 1]); // out of place: a new tensor is written
    expect(a.scatterAdd_(0, idx, a.clone()).tolist()).toEqual([5, 5, 5, 5]);
    const b = tg.tensor([1, 2, 3, 4, 5, 6, 7, 8]);
    b.narrow(0, 0, 4).scatter_(0, idx, b.narrow(0, 4, 4));
    expect(b.tolist()).toEqual([8, 7, 6, 5, 5, 6, 7, 8]);
  });

  it('an optimizer refuses a parameter whose elements share memory (expand), before changing anything', () => {
    for (const make of [(p: tg.Tensor[]) => new tg.optim.SGD(p, { lr: 0.1, momentum: 0.9 }), (p: tg.Tensor[]) => new tg.optim.Adam(p)]) {
      const p = tg.ones(1).expand(4).requiresGrad_();
      const opt = make([p]);
      p.sum().backward();
      expect(() => opt.step()).toThrow('more than one element of the written-to tensor refers to a single memory location');
      expect(p.tolist()).toEqual([1, 1, 1, 1]);
      expect(opt.state.size).toBe(0);
    }
  });

  it('.grad = checks like PyTorch: a tensor of the same shape and dtype, not the tensor itself', () => {
    const w = tg.randn([3], { requiresGrad: true });
    expect(() => { w.grad = w; }).toThrow("can't assign a tensor (or a view of its memory) as its own grad");
    expect(() => { w.grad = w.detach(); }).toThrow(tg.AutogradError);
    expect(() => { w.grad = tg.zeros(4); }).toThrow('attempting to assign a gradient of size [4] to a tensor of size [3]. Please ensure that the gradient and the tensor are the same size');
    expect(() => { w.grad = tg.zeros(3, { dtype: 'float64' }); }).toThrow('attempting to assign a gradient with dtype float64 to a tensor with dtype float32');
    expect(() => { w.grad = [1, 2, 3] as never; }).toThrow('assigned grad expected to be a Tensor or null but got grad of type Array');
    w.grad = tg.ones(3);
    w.sum().backward();
    expect(w.grad!.tolist()).toEqual([2, 2, 2]);
    w.grad = null;
    expect(w.grad).toBeNull();
  });

  it('p.data = t makes the Parameter share t\'s memory, shape and dtype (CommonJS and ESM alike)', () => {
    const p = new tg.nn.Parameter(tg.zeros(2));
    const t = tg.ones(3);
    p.data = t;
    expect(p).toBeInstanceOf(tg.nn.Parameter);
    expect(p.shape).toEqual([3]);
    expect(p.requiresGrad).toBe(true);
    t.fill_(5);
    expect(p.tolist()).toEqual([5, 5, 5]);
    p.data = tg.ones(2, { dtype: 'float64' });
    expect(p.dtype).toBe('float64');
    expect(() => { p.data = tg.ones(2, { dtype: 'int64' }); }).toThrow('only floating-point tensors (float32, float64) can require gradients, but the new data is int64');
    expect(() => { p.data = [1] as never; }).toThrow('data must be a Tensor, but got Array');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import * as tg from ${JSON.stringify(join(root, 'dist', 'index.mjs'))};
      const p = new tg.nn.Parameter(tg.zeros(2)); p.data = tg.ones(3); console.log(JSON.stringify(p.shape));`], { encoding: 'utf8' });
    expect(r.stdout.trim(), r.stderr).toBe('[3]');
  });
});

describe('module registration order is the order of first assignment, as in PyTorch', () => {
  it('TypeScript fields declared in another order (fc2 before fc1) register in assignment order', () => {
    class Net extends tg.nn.Module {
      fc2!: tg.nn.Linear;
      fc1!: tg.nn.Linear;
      constructor() {
        super();
        this.fc1 = new tg.nn.Linear(2, 3);
        this.fc2 = new tg.nn.Linear(3, 1);
      }
    }
    class Explicit extends tg.nn.Module {
      constructor() {
        super();
        Object.assign(this, { fc2: undefined, fc1: undefined }); // what declared fields compile to
        Object.assign(this, { fc1: new tg.nn.Linear(2, 3) });
        Object.assign(this, { fc2: new tg.nn.Linear(3, 1) });
      }
    }
    for (const net of [new Net(), new Explicit()]) {
      expect(Object.keys(net.stateDict())).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
      expect([...net.namedChildren()].map(([n]) => n)).toEqual(['fc1', 'fc2']);
      expect(String(net).split('\n').slice(1, 3).map((l) => l.trim().slice(0, 5))).toEqual(['(fc1)', '(fc2)']);
    }
  });

  it('a deleted and reassigned submodule goes last; numeric names keep their assignment order', () => {
    const m = new tg.nn.Module() as tg.nn.Module & Record<string, tg.nn.Module>;
    m.b = new tg.nn.Linear(1, 1);
    m['10'] = new tg.nn.Linear(1, 1);
    m['2'] = new tg.nn.Linear(1, 1);
    expect([...m.namedChildren()].map(([n]) => n)).toEqual(['b', '10', '2']);
    delete m.b;
    m.b = new tg.nn.Linear(1, 1);
    expect([...m.namedChildren()].map(([n]) => n)).toEqual(['10', '2', 'b']);
  });
});

describe('options: nothing silently ignored, PyTorch\'s positional forms where unambiguous', () => {
  it('the cases that were ignored now do what they say', () => {
    const x = tg.ones(1000);
    expect(tg.F.dropout(x, 0.5, { training: false })).toBe(x);
    expect(tg.F.dropout(x, 0.5, false)).toBe(x);
    expect(tg.F.dropout(x, 0.5, { training: true, generator: new tg.Generator().manualSeed(1) }).sum().item()).not.toBe(1000);
    expect(new tg.nn.Linear(3, 2, false).bias).toBeNull();
    expect(new tg.nn.Linear(3, 2, true).bias).not.toBeNull();
    const w = tg.ones(2, { requiresGrad: true });
    const sgd = new tg.optim.SGD([w], 0.1);
    expect(sgd.paramGroups[0].lr).toBe(0.1);
    w.sum().backward();
    sgd.step();
    expect(w.tolist()).toEqual([0.8999999761581421, 0.8999999761581421]);
    expect(new tg.optim.Adam([tg.zeros(1, { requiresGrad: true })], 0.01).paramGroups[0].lr).toBe(0.01);
    const opt = new tg.optim.SGD([tg.zeros(1, { requiresGrad: true })], 0.1);
    expect(new tg.optim.lrScheduler.StepLR(opt, 30, 0.5).gamma).toBe(0.5);
    expect(new tg.optim.lrScheduler.MultiStepLR(opt, [2, 4]).milestones).toEqual([2, 4]);
    expect(new tg.optim.lrScheduler.ExponentialLR(opt, 0.9).gamma).toBe(0.9);
    expect(new tg.optim.lrScheduler.CosineAnnealingLR(opt, 10).TMax).toBe(10);
  });

  it('tg.where(cond) alone gives the indices of true elements, one int64 tensor per dim (torch.where)', () => {
    const cond = tg.tensor([[true, false, true], [false, false, true]]);
    const [rows, cols] = tg.where(cond);
    expect(rows.dtype).toBe('int64');
    expect(rows.tolist()).toEqual([0, 0, 1]);
    expect(cols.tolist()).toEqual([0, 2, 2]);
    expect(tg.where(tg.tensor([0, 3, 0, -1])).map((t) => t.tolist())).toEqual([[1, 3]]);
    expect(tg.where(tg.tensor(true)).map((t) => t.tolist())).toEqual([[0]]);
    expect(tg.where(tg.zeros(2, 0).bool()).map((t) => t.shape)).toEqual([[0], [0]]);
    expect(() => (tg.where as (...a: unknown[]) => unknown)(cond, 1)).toThrow('where(): expected a condition alone or a condition, input and other, but got 2 arguments');
  });

  it('reductions and softmax take { dim, keepdim } as PyTorch users write them', () => {
    const x = tg.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.sum({ dim: 1 }).tolist()).toEqual([6, 15]);
    expect(x.sum({ dim: [0, 1], keepdim: true }).shape).toEqual([1, 1]);
    expect(tg.sum(x, { dim: 0 }).tolist()).toEqual([5, 7, 9]);
    expect(x.mean({ dim: 0, keepdim: true }).tolist()).toEqual([[2.5, 3.5, 4.5]]);
    expect(x.max({ dim: 1 }).indices.tolist()).toEqual([2, 2]);
    expect(x.argmax({ dim: 0 }).tolist()).toEqual([1, 1, 1]);
    expect(x.var({ dim: 1, correction: 0 }).tolist()).toEqual([2 / 3, 2 / 3].map(Math.fround));
    expect(x.norm({ p: 1, dim: 1 }).tolist()).toEqual([6, 15]);
    expect((x.softmax({ dim: 1 }).sum(1).tolist() as number[]).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, 1]);
    expect(tg.F.logSoftmax(x, { dim: 0 }).shape).toEqual([2, 3]);
    expect(() => x.sum({ dims: 1 } as never)).toThrow("sum(): unknown option 'dims' (it takes dim, keepdim)");
    expect(() => x.sum(1, 'yes' as never)).toThrow("sum(): argument 'keepdim' must be a boolean, but got \"yes\"");
    expect(() => x.sum({ dim: 1 }, true)).toThrow('sum(): the options object must come last, after the positional arguments (got both)');
    expect(() => x.softmax({ dimension: 1 } as never)).toThrow("softmax(): unknown option 'dimension' (it takes dim)");
  });

  it('an unknown option, a wrong type or a positional value where options belong is a TypeError naming both', () => {
    const cases: [() => unknown, string][] = [
      [() => tg.zeros(2, { dtpye: 'float64' } as never), "zeros(): unknown option 'dtpye' (it takes dtype, requiresGrad, device)"],
      [() => tg.tensor([1], { requiresGrad: 'yes' } as never), "tensor(): option 'requiresGrad' must be a boolean, but got \"yes\""],
      [() => tg.zerosLike(tg.ones(1), 5 as never), 'zerosLike(): expected an options object { dtype, requiresGrad, device }, but got 5'],
      [() => tg.randn(2, { generator: 1 } as never), "randn(): option 'generator' must be a tg.Generator, but got 1"],
      [() => tg.ones(2).add(1, { alpah: 2 } as never), "add(): unknown option 'alpah' (it takes alpha)"],
      [() => tg.ones(2).add_(1, 2 as never), 'add_(): expected an options object { alpha }, but got 2'],
      [() => new tg.optim.SGD([tg.zeros(1, { requiresGrad: true })], { lr: 0.1, momentom: 0.9 } as never), "SGD(): unknown option 'momentom'"],
      [() => new tg.optim.Adam([{ params: [tg.zeros(1, { requiresGrad: true })], learningRate: 1 } as never]), "Adam parameter group(): unknown option 'learningRate'"],
      [() => new tg.nn.MSELoss({ reductoin: 'sum' } as never), "MSELoss(): unknown option 'reductoin' (it takes reduction, sizeAverage, reduce)"],
      [() => tg.F.crossEntropy(tg.zeros(2, 3), tg.tensor([0, 1], { dtype: 'int64' }), { labelSmooth: 0.1 } as never), "crossEntropy(): unknown option 'labelSmooth'"],
      [() => tg.F.gelu(tg.ones(1), { approximate: 'tan' } as never), "gelu(): option 'approximate' must be \"none\" or \"tanh\", but got \"tan\""],
      [() => new tg.nn.Linear(2, 2, { bais: false } as never), "Linear(): unknown option 'bais' (it takes bias, dtype, device)"],
      [() => new tg.nn.Conv2d(1, 1, 3, { paddding: 1 } as never), "Conv2d(): unknown option 'paddding'"],
      [() => new tg.nn.Dropout(0.5, { inPlace: true } as never), "Dropout(): unknown option 'inPlace' (it takes inplace)"],
      [() => new tg.nn.Linear(2, 2).loadStateDict({}, { stric: false } as never), "loadStateDict(): unknown option 'stric' (it takes strict)"],
      [() => tg.ones(2, { requiresGrad: true }).sum().backward({ retain_graph: true } as never), "backward(): unknown option 'retain_graph' (it takes retainGraph, createGraph)"],
      [() => tg.nn.utils.clipGradNorm_([], 1, { norm_type: 2 } as never), "clipGradNorm_(): unknown option 'norm_type'"],
      [() => new tg.utils.data.DataLoader(new tg.utils.data.TensorDataset(tg.zeros(4)), { batch_size: 2 } as never), "DataLoader(): unknown option 'batch_size'"],
      [() => tg.ones(2).to({ dtype: 'float64', cpoy: true } as never), "to(): unknown option 'cpoy' (it takes dtype, device, copy, nonBlocking)"],
      [() => new tg.optim.lrScheduler.StepLR(new tg.optim.SGD([tg.zeros(1, { requiresGrad: true })], 0.1), undefined as never), 'StepLR(): expected an options object { stepSize, gamma, lastEpoch }, but got undefined'],
    ];
    for (const [f, message] of cases) expect(f).toThrow(TypeError), expect(f).toThrow(message);
  });

  it('backward takes its options first when no gradient is needed', () => {
    const w = tg.ones(2, { requiresGrad: true });
    const loss = w.mul(w).sum();
    loss.backward({ retainGraph: true });
    loss.backward();
    expect(w.grad!.tolist()).toEqual([4, 4]);
    expect(() => loss.backward([1] as never)).toThrow('backward(): gradient must be a Tensor or null, but got an Array');
  });
});

describe('more arguments checked instead of used as they came', () => {
  it('clamp bounds, train(mode), seeds and thread counts', () => {
    const x = tg.tensor([-1, 0.5, 2]);
    expect(x.clamp({ min: 0, max: 1 }).tolist()).toEqual([0, 0.5, 1]);
    expect(() => x.clamp({ mn: 0 } as never)).toThrow("clamp(): unknown option 'mn' (it takes min, max)");
    expect(() => x.clamp({ min: 0, max: 'a' } as never)).toThrow("clamp(): option 'max' must be a number, a Tensor or null, but got \"a\"");
    expect(() => x.clamp(0, 'a' as never)).toThrow("clamp(): argument 'max' must be a number, a Tensor or null, but got \"a\"");
    expect(() => new tg.nn.Linear(2, 2).train('no' as never)).toThrow("train(): argument 'mode' must be a boolean, but got \"no\"");
    expect(() => tg.manualSeed('1' as never)).toThrow('manualSeed() expected an integer seed, but got "1"');
    expect(() => tg.setNumThreads('2' as never)).toThrow('setNumThreads: expected a positive integer, but got "2"');
  });
});

describe('edge cases found in review', () => {
  it('maskedFill of a float tensor with a bigint beyond 2^53 converts it', () => {
    expect(tg.zeros(2).maskedFill(tg.tensor([true, false]), 2n ** 60n).tolist()).toEqual([2 ** 60, 0]);
  });

  it('an optimizer step refuses an expanded parameter before updating any other', () => {
    const a = tg.ones(2, { requiresGrad: true }), b = tg.ones(1).expand(3).requiresGrad_();
    const opt = new tg.optim.SGD([a, b], { lr: 0.5, momentum: 0.9 });
    a.sum().add(b.sum()).backward();
    expect(() => opt.step()).toThrow('more than one element of the written-to tensor refers to a single memory location');
    expect(a.tolist()).toEqual([1, 1]);
    expect(opt.state.size).toBe(0);
  });

  it('max/min need a number dim; a value given twice is an error, not one of them dropped', () => {
    const x = tg.ones(2, 3);
    expect(() => x.max({ dim: null } as never)).toThrow("max(): option 'dim' must be a number, but got null");
    expect(() => x.min({ keepdim: true })).toThrow('min(): keepdim needs a dim');
    expect(() => x.var({ dim: 1 }, { correction: 0 })).toThrow('var(): expected ({ dim, ...options }) or (dim, options), but got both');
    expect(() => x.norm({ p: 1 }, 1)).toThrow('norm(): expected ({ p, dim, keepdim }) or (p, dim, keepdim), but got both');
    expect(() => tg.F.dropout(x, 0.5, { training: false }, {})).toThrow('dropout(): expected (x, p, { training, ... }) or (x, p, training, options), but got both');
    const opt = new tg.optim.SGD([tg.zeros(1, { requiresGrad: true })], 0.1);
    expect(() => new tg.optim.lrScheduler.StepLR(opt, { stepSize: 2 }, 0.5)).toThrow('StepLR(): expected (optimizer, { stepSize, gamma }) or (optimizer, stepSize, gamma), but got both');
  });

  it('.npy headers: no nesting deeper than the format, at most 64 dims', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-npy-'));
    try {
      const npy = (dict: string) => {
        const body = Buffer.from(dict.padEnd(118) + '\n', 'latin1');
        const len = Buffer.alloc(2);
        len.writeUInt16LE(body.length);
        return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, body]);
      };
      const path = join(dir, 'a.npy');
      writeFileSync(path, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (((((1,),),),),), }"));
      expect(() => tg.loadNpy(path)).toThrow(tg.FormatError);
      expect(() => tg.loadNpy(path)).toThrow('nesting deeper than the format has');
      writeFileSync(path, npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${'1, '.repeat(65)}), }`));
      expect(() => tg.loadNpy(path)).toThrow('a shape of 65 dims (a tensor has at most 64)');
      writeFileSync(path, Buffer.concat([npy('{'.repeat(100)), Buffer.alloc(0)]));
      expect(() => tg.loadNpy(path)).toThrow(tg.FormatError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('saving to a directory or a named pipe is an error at once (no write, no hang)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-save-'));
    try {
      expect(() => tg.save({ a: tg.ones(2) }, dir)).toThrow('EISDIR');
      const fifo = join(dir, 'pipe');
      if (spawnSync('mkfifo', [fifo]).status === 0) expect(() => tg.saveNpy(tg.ones(2), fifo)).toThrow('it is a pipe or a socket, not a file');
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a custom optimizer written against the Optimizer base', () => {
  it('accepts groups with its own options without declaring their kinds', () => {
    class Plain extends tg.optim.Optimizer<{ lr: number; decay: number }> {
      constructor(params: tg.Tensor[]) {
        super(params, { lr: 0.1, decay: 0 });
      }
      step(): void {}
    }
    const p = tg.zeros(1, { requiresGrad: true });
    const opt = new Plain([p]);
    opt.addParamGroup({ params: [tg.zeros(1, { requiresGrad: true })], decay: 0.5 });
    expect(opt.paramGroups[1].decay).toBe(0.5);
    expect(() => opt.addParamGroup({ params: [tg.zeros(1, { requiresGrad: true })], decy: 1 } as never)).toThrow("Plain parameter group(): unknown option 'decy'");
  });
});
