// Random streams identical to PyTorch's for the same seed and calls (scripts/fixtures/random.py).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';
import { decode, loadFixture, type EncodedTensor } from './helpers';

interface Summary { dtype: string; shape: number[]; sha256: string; head: number[]; tail: number[] }
interface RandomRecord { seed: string; calls: [string, unknown[]][]; results: Summary[] }
const fixture = loadFixture<{
  records: RandomRecord[];
  generator: { seed: number; randn20: Summary; rand3: Summary; default_initial_seed: number };
  seeds: { seed: string; initial_seed: string }[];
  default_capability: RandomRecord;
}>('random.json');

type DT = 'float32' | 'float64';
function nonContiguous(kind: string, dtype: DT): tg.Tensor {
  if (kind === 'transposed') return tg.empty(20, 2, { dtype }).t();
  if (kind === 'permuted') return tg.empty(3, 4, 5, { dtype }).permute(2, 0, 1);
  return tg.empty(6, 10, { dtype }).index(':', '2:7');
}

/** Category weights built as scripts/fixtures/rng.py builds them: (arange % mod) + 0.5, or with zeros when mod < 0. */
function probs(rows: number, k: number, dtype: DT, mod: number): tg.Tensor {
  let w = tg.arange(Math.max(rows, 1) * k, { dtype }).remainder(Math.abs(mod));
  if (mod > 0) w = w.add(0.5);
  return rows ? w.reshape(rows, k) : w;
}
const ramp = (n: number, dtype: DT, mod: number, scale: number) => tg.arange(n, { dtype }).remainder(mod).mul(scale);

const CALLS: globalThis.Record<string, (...a: never[]) => tg.Tensor> = {
  randn: (shape: number[], dtype: DT) => tg.randn(shape, { dtype }),
  rand: (shape: number[], dtype: DT) => tg.rand(shape, { dtype }),
  normal_: (shape: number[], dtype: DT, mean: number, std: number) => tg.empty(shape, { dtype }).normal_(mean, std),
  uniform_: (shape: number[], dtype: DT, a: number, b: number) => tg.empty(shape, { dtype }).uniform_(a, b),
  normal_nc: (kind: string, dtype: DT) => nonContiguous(kind, dtype).normal_(),
  uniform_nc: (kind: string, dtype: DT) => nonContiguous(kind, dtype).uniform_(-1, 2),
  randint: (low: number, high: number, shape: number[]) => tg.randint(low, high, shape),
  randperm: (n: number) => tg.randperm(n),
  bernoulli_: (shape: number[], p: number) => tg.empty(shape).bernoulli_(p),
  dropout: (n: number, p: number) => tg.F.dropout(tg.ones(n), p, true),
  multinomial: (rows: number, k: number, dtype: DT, mod: number, n: number, replacement: boolean) =>
    tg.multinomial(probs(rows, k, dtype, mod), n, { replacement }),
  bernoulli: (n: number, dtype: DT) => tg.bernoulli(ramp(n, dtype, 11, 0.1)),
  bernoulli_t_: (n: number, dtype: DT, pdtype: DT) => tg.empty([n], { dtype }).bernoulli_(ramp(n, pdtype, 11, 0.1)),
  normal_tt: (n: number, dtype: DT) => tg.normal(ramp(n, dtype, 9, 1).sub(3), ramp(n, dtype, 4, 0.5)),
  normal_tn: (n: number, dtype: DT) => tg.normal(ramp(n, dtype, 9, 1).sub(3), 2.5),
  normal_nt: (n: number, dtype: DT) => tg.normal(1.5, ramp(n, dtype, 4, 0.5)),
  normal_nn: (shape: number[]) => tg.normal(1.5, 2, shape),
  exponential_: (shape: number[], dtype: DT, lambd: number) => tg.empty(shape, { dtype }).exponential_(lambd),
  random_: (shape: number[], dtype: tg.DType) => tg.empty(shape, { dtype }).random_(),
  random_to: (shape: number[], dtype: tg.DType, to: number) => tg.empty(shape, { dtype }).random_(to),
  random_ft: (shape: number[], dtype: tg.DType, a: number, b: number) => tg.empty(shape, { dtype }).random_(a, b),
  randint_like: (shape: number[], dtype: tg.DType, low: number, high: number) => tg.randintLike(tg.empty(shape, { dtype }), low, high),
  linear: (fin: number, fout: number) => tg.cat([...new tg.nn.Linear(fin, fout).parameters()].map((p) => p.detach().reshape(-1))),
};

function sha(t: tg.Tensor): string {
  const a = t.toTypedArray();
  return createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

function expectSame(t: tg.Tensor, want: Summary, label: string): void {
  expect(t.dtype, label).toBe(want.dtype);
  expect([...t.shape], label).toEqual(want.shape);
  const flat = t.contiguous().reshape(-1).tolist() as number[];
  expect(flat.slice(0, 4), `${label}: first values`).toEqual(want.head.slice(0, Math.min(4, flat.length)));
  expect(sha(t), `${label}: every value`).toBe(want.sha256);
}

describe('random numbers equal PyTorch for the same seed and calls', () => {
  it.each(fixture.records.map((r) => [r.seed, r.calls.map(([n]) => n).filter((n, i, a) => a.indexOf(n) === i).join(', '), r] as const))(
    'seed %s: %s',
    (_seed, _calls, record) => {
      tg.manualSeed(BigInt(record.seed));
      record.calls.forEach(([name, args], i) => {
        const t = (CALLS[name] as (...a: unknown[]) => tg.Tensor)(...args);
        expectSame(t, record.results[i], `call ${i}: ${name}(${JSON.stringify(args)})`);
      });
    },
  );

  it('a Generator object draws its own stream', () => {
    const g = new tg.Generator().manualSeed(fixture.generator.seed);
    tg.manualSeed(999);
    expectSame(tg.randn(20, { generator: g }), fixture.generator.randn20, 'randn(20)');
    expectSame(tg.rand(3, { generator: g }), fixture.generator.rand3, 'rand(3)');
    expect(new tg.Generator().initialSeed()).toBe(BigInt(fixture.generator.default_initial_seed));
  });

  it('getState / setState replay a stream, including a cached normal sample', () => {
    const g = new tg.Generator().manualSeed(3);
    tg.randn(3, { generator: g }); // odd count: one sample cached
    const state = g.getState();
    const a = tg.randn(7, { generator: g });
    g.setState(state);
    expect(tg.randn(7, { generator: g }).equal(a)).toBe(true);
    expect(() => g.setState(new Uint8Array(10))).toThrow(RangeError);
  });
});

describe("PyTorch's kernels for CPUs without AVX2 (ATEN_CPU_CAPABILITY=default)", () => {
  it('are reproduced too when that variable is set', () => {
    const record = fixture.default_capability;
    const script = `
      const tg = require(${JSON.stringify(join(__dirname, '..'))});
      const { createHash } = require('node:crypto');
      const CALLS = {
        uniform_: (s, d, a, b) => tg.empty(s, { dtype: d }).uniform_(a, b),
        randn: (s, d) => tg.randn(s, { dtype: d }),
        normal_: (s, d, m, sd) => tg.empty(s, { dtype: d }).normal_(m, sd),
        linear: (i, o) => tg.cat([...new tg.nn.Linear(i, o).parameters()].map((p) => p.detach().reshape(-1))),
      };
      tg.manualSeed(${record.seed});
      const calls = ${JSON.stringify(record.calls)};
      console.log(JSON.stringify(calls.map(([n, a]) => {
        const v = CALLS[n](...a).toTypedArray();
        return createHash('sha256').update(Buffer.from(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
      })));`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ATEN_CPU_CAPABILITY: 'default' } });
    expect(JSON.parse(out)).toEqual(record.results.map((r) => r.sha256));
    // and they differ from the AVX2 results somewhere, so the variable really changes the path
    tg.manualSeed(Number(record.seed));
    expect(sha(tg.empty([100]).uniform_(-(2 ** 0.5), 3.14159))).not.toBe(record.results[0].sha256);
  });
});

describe('seeds', () => {
  it('negative seeds wrap to 64 bits, as in PyTorch', () => {
    for (const { seed, initial_seed } of fixture.seeds) {
      tg.manualSeed(BigInt(seed));
      expect(tg.initialSeed()).toBe(BigInt(initial_seed));
    }
    tg.manualSeed(-5);
    expect(tg.initialSeed()).toBe(18446744073709551611n);
  });

  it('non-integers, NaN and seeds beyond 64 bits are errors', () => {
    expect(() => tg.manualSeed(1.5)).toThrow(TypeError);
    expect(() => tg.manualSeed(NaN)).toThrow(TypeError);
    expect(() => tg.manualSeed('1' as unknown as number)).toThrow(TypeError);
    expect(() => tg.manualSeed(2n ** 64n)).toThrow('manualSeed(): seed 18446744073709551616 does not fit in 64 bits');
    expect(() => tg.manualSeed(-(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(() => tg.randn(2, { generator: {} as tg.Generator })).toThrow("randn(): option 'generator' must be a tg.Generator, but got an Object");
  });
});

describe("the seed tutorial's random programs", () => {
  type State = globalThis.Record<string, EncodedTensor>;
  const nnFixture = loadFixture<{ regression: { x: EncodedTensor; y: EncodedTensor; initial: State }; linear_no_bias: { initial: State } }>('nn_seed.json');

  it('manualSeed(1): the regression data and the Net initialisation', () => {
    tg.manualSeed(1);
    const x = tg.linspace(-1, 1, 100).unsqueeze(1);
    const y = x.pow(2).add(tg.rand(x.size()).mul(0.2));
    expect(x.equal(decode(nnFixture.regression.x))).toBe(true);
    expect(y.equal(decode(nnFixture.regression.y))).toBe(true);
    const hidden = new tg.nn.Linear(1, 10), predict = new tg.nn.Linear(10, 1);
    const want = nnFixture.regression.initial;
    expect(hidden.weight.equal(decode(want['hidden.weight']))).toBe(true);
    expect(hidden.bias!.equal(decode(want['hidden.bias']))).toBe(true);
    expect(predict.weight.equal(decode(want['predict.weight']))).toBe(true);
    expect(predict.bias!.equal(decode(want['predict.bias']))).toBe(true);
  });

  it('manualSeed(2): Linear(1, 1, bias=False)', () => {
    tg.manualSeed(2);
    const linear = new tg.nn.Linear(1, 1, { bias: false });
    expect(linear.weight.equal(decode(nnFixture.linear_no_bias.initial['linear.weight']))).toBe(true);
  });
});

describe('randint over 64-bit ranges', () => {
  it('randint(0, 2 ** 63) draws what torch.empty(n, dtype=torch.int64).random_() draws', () => {
    tg.manualSeed(5);
    const v = tg.randint(0, 2 ** 63, [3]).toTypedArray() as BigInt64Array;
    expect([...v]).toEqual([4095051218741643470n, 6838803925648402109n, 3813295331020233846n]);
  });

  it('accepts bounds up to +-2^63 and rejects beyond', () => {
    const v = tg.randint(-(2 ** 63), 2 ** 63, [100]).toTypedArray() as BigInt64Array;
    expect(v.some((x) => x < 0n) && v.some((x) => x > 0n)).toBe(true);
    expect(() => tg.randint(0, 2 ** 64, [1])).toThrow(RangeError);
    expect(() => tg.randint(-(2 ** 64), 0, [1])).toThrow(RangeError);
  });
});

describe('sampling: bad input is refused before anything is drawn', () => {
  it('multinomial', () => {
    const p = tg.tensor([0.2, 0.3, 0.5]);
    const g = new tg.Generator().manualSeed(1);
    const before = g.getState();
    expect(() => tg.multinomial(tg.tensor([0.5, -0.1]), 1, { generator: g })).toThrow('inf, nan or element < 0');
    expect(() => tg.multinomial(tg.tensor([0, 0]), 1, { generator: g })).toThrow('sum of probabilities <= 0');
    expect(() => tg.multinomial(tg.tensor([NaN, 1]), 1, { generator: g })).toThrow(RangeError);
    expect(g.getState()).toEqual(before);
    expect(() => p.multinomial(4)).toThrow('without replacement');
    expect(p.multinomial(4, { replacement: true }).shape).toEqual([4]);
    expect(() => p.multinomial(0)).toThrow(RangeError);
    expect(() => tg.multinomial(tg.tensor([1, 2], { dtype: 'int64' }), 1)).toThrow(tg.DTypeError);
    expect(() => tg.multinomial(tg.ones(2, 2, 2), 1)).toThrow('1 or 2 dim');
    expect(() => p.multinomial(1, { replace: true } as never)).toThrow(TypeError);
    const rows = tg.tensor([[0, 1, 0], [1, 0, 0]]).multinomial(1);
    expect(rows.tolist()).toEqual([[1], [0]]);
    expect(rows.dtype).toBe('int64');
    // a transposed input draws as its contiguous copy does
    tg.manualSeed(3);
    const a = tg.tensor([[1, 2], [3, 4]]).t().multinomial(2);
    tg.manualSeed(3);
    expect(tg.tensor([[1, 3], [2, 4]]).multinomial(2).tolist()).toEqual(a.tolist());
  });

  it('bernoulli, normal, exponential_, random_, randintLike', () => {
    expect(() => tg.bernoulli(tg.tensor([0.5, 1.5]))).toThrow('[0, 1]');
    expect(() => tg.bernoulli(tg.tensor([1, 0], { dtype: 'int64' }))).toThrow(tg.DTypeError);
    expect(() => tg.zeros(3).bernoulli_(tg.full([2], 0.5))).toThrow('does not broadcast');
    expect(tg.zeros(2, 3).bernoulli_(tg.tensor([1, 0, 1])).tolist()).toEqual([[1, 0, 1], [1, 0, 1]]);
    expect(() => tg.normal(tg.zeros(2), tg.tensor([1, -1]))).toThrow('std >= 0.0');
    expect(() => tg.normal(0, 1)).toThrow(TypeError);
    expect(() => tg.normal(tg.zeros(2), 1, [2])).toThrow(TypeError);
    expect(() => tg.normal(tg.zeros([2], { dtype: 'int64' }), 1)).toThrow(tg.DTypeError);
    expect(tg.normal(tg.zeros(2, 1), tg.ones(3)).shape).toEqual([2, 3]);
    expect(() => tg.zeros(2).exponential_(0)).toThrow('lambda > 0.0');
    expect(() => tg.zeros([2], { dtype: 'int64' }).exponential_()).toThrow(tg.DTypeError);
    expect(() => tg.zeros(2).random_(5, 5)).toThrow("'from' to be less than 'to'");
    expect(() => tg.zeros(2).random_(1.5)).toThrow(TypeError);
    expect(() => tg.zeros(2).random_({ generator: new tg.Generator() }, 3 as never)).toThrow('must come last');
    expect(tg.zeros(100).random_(3).max().item()).toBeLessThan(3);
    expect(tg.randintLike(tg.zeros([4], { dtype: 'int32' }), 2).dtype).toBe('int32');
    // bounds the dtype cannot hold are refused, not wrapped
    expect(() => tg.empty([5], { dtype: 'int32' }).random_(0, 2 ** 40)).toThrow('to - 1 (1099511627775) is out of bounds for int32');
    expect(() => tg.empty([5], { dtype: 'bool' }).random_(0, 5)).toThrow('out of bounds for bool');
    expect(() => tg.randint(-5, 0, [2], { dtype: 'bool' })).toThrow('from (-5) is out of bounds for bool');
    expect(tg.empty([50], { dtype: 'bool' }).random_(0, 2).dtype).toBe('bool');
    expect(() => tg.multinomial(tg.tensor([]), 1, { replacement: true })).toThrow('empty distribution');
    expect(() => tg.normal(0, tg.tensor([NaN]))).toThrow('std >= 0.0');
  });
});
