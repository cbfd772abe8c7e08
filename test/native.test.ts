// The addon re-checks what it is given: calls straight into native code with wrong arguments,
// shapes or strides pointing past a buffer throw JavaScript errors and touch nothing. And the
// contract itself: the addon's exports are the kernels src/native.ts lists, each named after the
// TypeScript op that calls it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../src/index';
import { BINARY_OPS, COMPARE_OPS, KERNELS, LOGICAL_OPS, native, RUNTIME, UNARY_FLOAT_OPS, UNARY_NUM_OPS } from '../src/native';
import { Tensor } from '../src/tensor';

/** Kernels launched through their family's list (src/native.ts), not one by one. */
const FAMILIES = new Set<string>([...UNARY_FLOAT_OPS, ...UNARY_NUM_OPS, ...BINARY_OPS, ...COMPARE_OPS, ...LOGICAL_OPS]);

/** An operand record: offset, ndim, sizes, strides (contiguous unless given). */
const rec = (offset: number, shape: number[], strides?: number[]) => {
  const s = strides ?? shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return [offset, shape.length, ...shape, ...s];
};
/** The record of a number, null or generator-state operand. */
const NONE = [0, 0];
/** Writes a call's metadata into the addon's buffer (as src/ops/launch.ts does). */
const m = (...v: number[]) => {
  native.meta[0] = v.length;
  native.meta.set(v, 1);
};

describe('native entry points re-check their arguments', () => {
  const a = new Float32Array([1, 2, 3, 4]);
  const out = new Float32Array(4);

  it('an operand reaching past its buffer is refused', () => {
    m(...rec(0, [4]), ...rec(0, [5]));
    expect(() => native.exp(out, a)).toThrow(/exp: a reaches element 4 of a buffer of 4/);
    m(...rec(0, [4]), ...rec(1, [4]));
    expect(() => native.exp(out, a)).toThrow(RangeError);
    m(...rec(0, [4]), ...rec(0, [2], [4]));
    expect(() => native.exp(out, a)).toThrow(RangeError);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), ...rec(0, [2, 2], [3, 1]), 1);
    expect(() => native.add(out, a, a)).toThrow(RangeError);
    expect(out).toEqual(new Float32Array(4));
  });

  it('negative, fractional, NaN or huge metadata is refused', () => {
    const bad = [[0, 1, -1, 1], [0, 1, 2, -1], [0, 1, 1.5, 1], [0, 1, NaN, 1], [0, 2, 2 ** 52, 2 ** 52, 0, 1], [0, 65], [-1, 1, 4, 1], [0.5, 1, 4, 1]];
    for (const v of bad) {
      m(...rec(0, [4]), ...v);
      expect(() => native.exp(out, a), JSON.stringify(v)).toThrow(RangeError);
    }
    m(...rec(0, [4]), ...rec(0, [4]), 7);
    expect(() => native.exp(out, a)).toThrow(/parameters do not match/);
    m(...rec(0, [4]), 0, 1);
    expect(() => native.exp(out, a)).toThrow(/fewer numbers/);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), ...rec(0, [2, 2]));
    expect(() => native.add(out, a, a)).toThrow(/parameters do not match/); // alpha missing
    native.meta[0] = 1e9;
    expect(() => native.exp(out, a)).toThrow(/leading count/);
    native.meta[0] = NaN;
    expect(() => native.exp(out, a)).toThrow(RangeError);
  });

  it('wrong argument counts, types and dtypes are refused', () => {
    m(...rec(0, [2]), ...rec(0, [2]));
    expect(() => native.exp(out, [1, 2] as unknown as Float32Array)).toThrow(/exp: a must be a typed array or a number/);
    expect(() => native.exp(out)).toThrow(/expected 2 arguments/);
    expect(() => native.exp(out, a, a)).toThrow(/expected 2 arguments/);
    m(...rec(0, [4]), ...rec(0, [4]));
    expect(() => native.exp(out, new Float64Array(4))).toThrow(/exp: a: expected dtype float32 but got float64/);
    expect(() => native.exp(new Int32Array(4), new Int32Array(4))).toThrow(/floating-point/);
    expect(() => native.exp(out, new Uint16Array(4) as unknown as Float32Array)).toThrow(TypeError);
    m(...rec(0, [4]), ...NONE);
    expect(() => native.copy(out, null)).toThrow(/copy: a must be a typed array/);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), ...rec(0, [2, 2]), 1, 0);
    expect(() => native.gemm(out, a, new Float64Array(4))).toThrow(TypeError);
    expect(() => native.init({ ShapeError: Error, DTypeError: Error, IndexError: Error })).toThrow(/already initialised/);
  });

  it('operands broadcast to the output in the kernel, and only where they may', () => {
    const o = new Float32Array(4);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), ...rec(0, [2]), 1);
    native.add(o, a, new Float32Array([10, 20]));
    expect([...o]).toEqual([11, 22, 13, 24]);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), ...NONE, 2);
    native.add(o, a, 1);
    expect([...o]).toEqual([3, 4, 5, 6]);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), ...rec(0, [3]), 1);
    expect(() => native.add(o, a, new Float32Array(3))).toThrow(/shape \[3\] does not broadcast to \[2, 2\]/);
  });

  it('gemm derives and checks every matrix extent', () => {
    const c = new Float32Array(4);
    m(...rec(0, [2, 2]), ...rec(0, [2, 3]), ...rec(0, [2, 2]), 1, 0);
    expect(() => native.gemm(c, new Float32Array(6), a)).toThrow(/do not give/);
    m(...rec(0, [2, 2, 2], [4, 2, 1]), ...rec(0, [2, 2, 2], [4, 2, 1]), ...rec(0, [2, 2, 2], [4, 2, 1]), 1, 0);
    expect(() => native.gemm(c, a, a)).toThrow(RangeError);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), ...rec(0, [2, 2]), 1, 0);
    native.gemm(c, a, a);
    expect([...c]).toEqual([7, 10, 15, 22]);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2], [1, 2]), ...rec(0, [2, 2]), 1, 0); // a transposed: a flag, not a copy
    native.gemm(c, a, a);
    expect([...c]).toEqual([10, 14, 14, 20]);
  });

  it('zero-length and detached buffers are safe', () => {
    const empty = new Float32Array(0);
    m(...rec(0, [0]), ...rec(0, [0]));
    native.exp(empty, empty);
    const ab = new ArrayBuffer(16);
    const detached = new Float32Array(ab);
    structuredClone(ab, { transfer: [ab] });
    m(...rec(0, [4]), ...rec(0, [4]));
    expect(() => native.exp(out, detached)).toThrow(RangeError);
  });

  it('reductions, random fills, gathers and optimizer steps check too', () => {
    m(...rec(0, [1]), ...rec(0, [5]));
    expect(() => native.sum(new Float32Array(1), a)).toThrow(RangeError);
    m(...rec(0, [1]), ...rec(0, [0]));
    expect(() => native.amax(new Float32Array(1), a)).toThrow(/empty/);
    m(...rec(0, [2]), ...rec(0, [4]));
    expect(() => native.sum(new Float32Array(2), a)).toThrow(/does not fit/);
    m(...rec(0, [4]), ...NONE, 0, 1);
    expect(() => native.normal_(out, new Uint32Array(3))).toThrow(/generator state/);
    m(...rec(0, [3]), ...NONE);
    expect(() => native.randperm(new BigInt64Array(2), new Uint32Array(native.generatorWords))).toThrow(RangeError);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), ...rec(0, [2, 2]), 1);
    expect(() => native.gather(out, a, BigInt64Array.from([0n, 5n, 1n, 0n]))).toThrow(/index 5 is out of bounds for dimension 1 with size 2/);
    m(...rec(0, [4]), ...rec(0, [2]), ...NONE, 0.1, 0, 0, 0, 0, 0, 0);
    expect(() => native.sgd_step(out, a, null)).toThrow(/parameter's shape/);
    m(...rec(0, [2, 2]), ...rec(0, [1, 2]), ...NONE, 0.1, 0, 0, 0, 0, 0, 0);
    expect(() => native.sgd_step(out, a, null)).toThrow(/parameter's shape/);
    m(...rec(0, [4]), ...rec(0, [4]), ...NONE, 0.1, 0.9, 0, 0, 0, 0, 1);
    expect(() => native.sgd_step(out, a, null)).toThrow(/momentum needs a buffer/);
  });

  it('softmax and nll_loss check their shapes, targets and parameters', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    m(...rec(0, [4, 2]), ...rec(0, [4, 2]), 1);
    expect(() => native.softmax(new Float32Array(4), x)).toThrow(RangeError);
    m(...rec(0, []), ...rec(0, []), 5);
    expect(() => native.softmax(new Float32Array(1), x)).toThrow(/dim 5 is out of range/);
    m(...rec(0, [0, 2 ** 40, 2 ** 40]), ...rec(0, [0, 2 ** 40, 2 ** 40]), 0);
    expect(() => native.softmax(new Float32Array(1), x)).toThrow(/too many elements/);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2]), 1);
    native.log_softmax(out, x);
    expect(out[1] - out[0]).toBeCloseTo(1, 5);
    m(...rec(0, [2, 2]), ...rec(0, [2, 2], [1, 2]), 1); // a transposed x is walked by its strides
    native.softmax(out, x);
    expect(out[0] + out[1]).toBeCloseTo(1, 6);
    const total = new Float32Array(1), loss = new Float32Array(1);
    const nll = (target: number[], ...params: number[]) => m(...rec(0, []), ...rec(0, []), ...rec(0, [2, 2]), ...rec(0, [target.length]), ...NONE, ...params);
    nll([2], -100, 1);
    expect(() => native.nll_loss(loss, total, x, BigInt64Array.from([0n, 2n]), null)).toThrow(/target of \[2\]/);
    nll([0, 0], -100, 1);
    expect(() => native.nll_loss(loss, total, x, BigInt64Array.from([0n, 2n]), null)).toThrow('Target 2 is out of bounds.');
    nll([0, 0], -100, 3);
    expect(() => native.nll_loss(loss, total, x, BigInt64Array.from([0n, 1n]), null)).toThrow(/bad reduction/);
    nll([0, 0], NaN, 1);
    expect(() => native.nll_loss(loss, total, x, BigInt64Array.from([0n, 1n]), null)).toThrow(/ignore_index/);
    nll([0, 0], -100, 1);
    expect(() => native.nll_loss(loss, total, x, new Float32Array(2), null)).toThrow('nll_loss: class indices must be int64 (or int32) but got float32');
    native.nll_loss(loss, total, x, BigInt64Array.from([1n, 0n]), null);
    expect([loss[0], total[0]]).toEqual([-2.5, 2]);
  });

  it('mse_loss checks contiguity, shapes, dtypes and the reduction', () => {
    const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([0, 0, 1, 1]), loss = new Float32Array(1);
    m(...rec(0, []), ...rec(0, [4]), ...rec(0, [4]), 2);
    native.mse_loss(loss, a, b);
    expect(loss[0]).toBe(1 + 4 + 4 + 9);
    m(...rec(0, []), ...rec(0, [4]), ...rec(0, [4]), 0);
    expect(() => native.mse_loss(loss, a, b)).toThrow(/bad reduction/); // 'none' is composed in TypeScript
    m(...rec(0, []), ...rec(0, [4]), ...rec(0, [4]), 1);
    expect(() => native.mse_loss(loss, a, new Float64Array(4))).toThrow(TypeError);
    m(...rec(0, []), ...rec(0, [2], [2]), ...rec(0, [2], [2]), 1);
    expect(() => native.mse_loss(loss, a, b)).toThrow('mse_loss: operands must be contiguous and of one shape');
    m(...rec(0, []), ...rec(0, [4]), ...rec(1, [4]), 1);
    expect(() => native.mse_loss(loss, a, b)).toThrow(RangeError); // b from element 1 reaches 4
    const gin = new Float32Array(4), g = new Float32Array([1]);
    m(...rec(0, [4]), ...rec(0, [4]), ...rec(0, [4]), ...rec(0, []), 1);
    native.mse_loss_backward(gin, a, b, g);
    expect(Array.from(gin)).toEqual([0.5, 1, 1, 1.5]);
  });
});

describe('the kernel contract', () => {
  it("the addon exports the kernels of src/native.ts and its runtime functions, nothing else", () => {
    expect(Object.keys(native).filter((k) => k !== 'meta').sort()).toEqual([...KERNELS, ...RUNTIME].sort());
    expect(Object.keys(native.ops).sort()).toEqual([...KERNELS].sort());
    for (const k of KERNELS) expect(typeof native[k], k).toBe('function');
  });

  it('each kernel is named after the TypeScript op that calls it, and only src/ops calls kernels', () => {
    const dir = join(__dirname, '..', 'src', 'ops');
    const files = [...readdirSync(dir).map((f) => join(dir, f)), join(dir, '..', 'nn', 'functional.ts')].filter((f) => f.endsWith('.ts'));
    const sources = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    // the two whose op has another name: Generator.manualSeed, and softmaxBackward({ log })
    const named: Record<string, string> = { seed: 'manualSeed', log_softmax_backward: 'softmaxBackward' };
    const proto = Tensor.prototype as unknown as Record<string, unknown>;
    for (const k of KERNELS) {
      const ts = named[k] ?? camel(k);
      const names = [ts, ts.replace(/_$/, ''), `${ts}_`];
      const found = names.some((n) => new RegExp(`(export function|^  ) ?${n.replace(/\$/g, '\\$')}\\(`, 'm').test(sources) || typeof proto[n] === 'function');
      expect(found, `kernel ${k}: no op ${ts} in src/ops, nn.functional or on Tensor`).toBe(true);
      if (!FAMILIES.has(k)) expect(sources.includes(`'${k}'`), `kernel ${k} is never launched by name in src/ops`).toBe(true);
    }
    // every kernel call goes through launch() (src/ops/launch.ts)
    const src = join(__dirname, '..', 'src');
    for (const f of readdirSync(src, { recursive: true }) as string[]) {
      if (!f.endsWith('.ts') || f === join('ops', 'launch.ts')) continue;
      const text = readFileSync(join(src, f), 'utf8');
      const direct = KERNELS.filter((k) => text.includes(`native.${k}(`) || text.includes(`native['${k}']`));
      expect(direct, `${f} calls kernels directly`).toEqual([]);
    }
  });

  it('every kernel has a spec: operand and parameter names', () => {
    for (const k of KERNELS) {
      const spec = native.ops[k];
      expect(spec.operands.length, k).toBeGreaterThan(0);
      for (const n of [...spec.operands, ...spec.params]) expect(n, k).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });
});

describe("the addon's metadata buffer", () => {
  it('survives being detached from JavaScript: calls then fail cleanly, nothing is freed under the addon', () => {
    const code = `
      require(${JSON.stringify(join(__dirname, '..'))});
      const { native } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'native.js'))});
      try { structuredClone(native.meta.buffer, { transfer: [native.meta.buffer] }); } catch (e) { console.log('not transferable'); }
      const a = new Float32Array([1, 2]);
      try { native.exp(a, a); console.log('ran'); } catch (e) { console.log(e.constructor.name); }
      global.gc && global.gc();
      try { native.exp(a, a); console.log('ran'); } catch (e) { console.log(e.constructor.name); }`;
    const out = require('node:child_process').execFileSync(process.execPath, ['--expose-gc', '-e', code], { encoding: 'utf8' });
    expect(out).not.toMatch(/Segmentation|Aborted/);
  });
});
