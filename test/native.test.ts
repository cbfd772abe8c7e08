// The addon re-checks what it is given: calls straight into native code with wrong arguments,
// shapes or strides pointing past a buffer throw JavaScript errors and touch nothing.
import { describe, expect, it } from 'vitest';
import '../src/index';
import { native } from '../src/native';

/** Writes a call's metadata into the addon's buffer (as src/ops/meta.ts does). */
const m = (...v: number[]) => {
  native.meta[0] = v.length;
  native.meta.set(v, 1);
};

describe('native entry points re-check their arguments', () => {
  const a = new Float32Array([1, 2, 3, 4]);
  const out = new Float32Array(4);

  it('an operand reaching past its buffer is refused', () => {
    m(1, 5, 0, 1, 0, 1);
    expect(() => native.exp(out, a)).toThrow(/reaches element 4 of a buffer of 4/);
    m(1, 4, 0, 1, 1, 1);
    expect(() => native.exp(out, a)).toThrow(RangeError);
    m(1, 2, 0, 1, 0, 4);
    expect(() => native.exp(out, a)).toThrow(RangeError);
    m(2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 3, 1);
    expect(() => native.add(out, a, a)).toThrow(RangeError);
    expect(out).toEqual(new Float32Array(4));
  });

  it('negative, fractional, NaN or huge metadata is refused', () => {
    for (const v of [[1, -1, 0, 1, 0, 1], [1, 2, 0, -1, 0, 1], [1, 1.5, 0, 1, 0, 1], [1, NaN, 0, 1, 0, 1], [1, 2 ** 52, 0, 2 ** 52, 0, 1], [65]]) {
      m(...v);
      expect(() => native.exp(out, a), JSON.stringify(v)).toThrow(RangeError);
    }
    m(1, 4, 0, 1, 0, 1, 7);
    expect(() => native.exp(out, a)).toThrow(/more numbers/);
    m(1, 4, 0, 1);
    expect(() => native.exp(out, a)).toThrow(/fewer numbers/);
    native.meta[0] = 1e9;
    expect(() => native.exp(out, a)).toThrow(/leading count/);
    native.meta[0] = NaN;
    expect(() => native.exp(out, a)).toThrow(RangeError);
  });

  it('wrong argument types and dtypes are refused', () => {
    m(1, 2, 0, 1, 0, 1);
    expect(() => native.exp(out, [1, 2] as unknown as Float32Array)).toThrow(TypeError);
    m(1, 4, 0, 1, 0, 1);
    expect(() => native.exp(out, new Float64Array(4))).toThrow(TypeError);
    expect(() => native.exp(new Int32Array(4), new Int32Array(4))).toThrow(TypeError);
    expect(() => native.exp(out, new Uint16Array(4) as unknown as Float32Array)).toThrow(TypeError);
    expect(() => (native.exp as unknown as () => void)()).toThrow(TypeError);
    m(0, 2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 2, 1);
    expect(() => native.gemm(out, a, new Float64Array(4), 1, 0)).toThrow(TypeError);
    expect(() => native.init({ ShapeError: Error, DTypeError: Error, IndexError: Error })).toThrow(/already initialised/);
  });

  it('gemm checks every matrix extent', () => {
    const c = new Float32Array(4);
    m(0, 2, 2, 3, 0, 3, 1, 0, 2, 1, 0, 2, 1);
    expect(() => native.gemm(c, a, a, 1, 0)).toThrow(RangeError);
    m(1, 2, 2, 2, 2, 0, 4, 2, 1, 0, 4, 2, 1, 0, 4, 2, 1);
    expect(() => native.gemm(c, a, a, 1, 0)).toThrow(RangeError);
    m(0, 2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 2, 1);
    native.gemm(c, a, a, 1, 0);
    expect([...c]).toEqual([7, 10, 15, 22]);
  });

  it('zero-length and detached buffers are safe', () => {
    const empty = new Float32Array(0);
    m(1, 0, 0, 1, 0, 1);
    native.exp(empty, empty);
    const ab = new ArrayBuffer(16);
    const detached = new Float32Array(ab);
    structuredClone(ab, { transfer: [ab] });
    m(1, 4, 0, 1, 0, 1);
    expect(() => native.exp(out, detached)).toThrow(RangeError);
  });

  it('reductions, random fills, gathers and optimizer steps check too', () => {
    m(0, 1, 5, 0, 0, 1);
    expect(() => native.sum(new Float32Array(1), a)).toThrow(RangeError);
    m(0, 1, 0, 0, 0, 1);
    expect(() => native.amax(new Float32Array(1), a)).toThrow(/empty/);
    m(1, 4, 0, 1);
    expect(() => native.normal_(out, new Uint32Array(3), 0, 1)).toThrow(TypeError);
    expect(() => native.randperm(new BigInt64Array(2), new Uint32Array(native.generatorWords), 3)).toThrow(RangeError);
    m(2, 2, 2, 1, 0, 2, 1, 2, 0, 2, 1, 0, 2, 1);
    expect(() => native.gather(out, a, BigInt64Array.from([0n, 5n, 1n, 0n]))).toThrow(/index 5 is out of bounds for dimension 1 with size 2/);
    m(1, 4, 0, 1, 0, 1, 0, 2);
    expect(() => native.sgd_step(out, a, null, 0.1, 0, 0, 0, false, false, false)).toThrow(RangeError);
  });

  it('softmax and nll_loss check their blocks, targets and flags', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    m(3, 1, 4, 2, 0, 4, 1, 1, 0, 4, 1, 1); // [1, 4, 2] reaches element 7 of 4
    expect(() => native.softmax(new Float32Array(4), x)).toThrow(RangeError);
    m(2, 2, 2, 0, 2, 1, 0, 2, 1);
    expect(() => native.log_softmax(new Float32Array(4), x)).toThrow(/\[outer, c, inner\]/);
    m(3, 2, 2, 1, 0, 2, 1, 1, 0, 2, 1, 1);
    native.log_softmax(out, x);
    expect(out[1] - out[0]).toBeCloseTo(1, 5);
    const total = new Float32Array(1), loss = new Float32Array(1);
    m(2, 2, 2, 0, 2, 1, 0, 1, 0, 0);
    expect(() => native.nll_loss(loss, total, x, BigInt64Array.from([0n, 2n]), null, -100, 1)).toThrow('Target 2 is out of bounds.');
    expect(() => native.nll_loss(loss, total, x, BigInt64Array.from([0n, 1n]), null, -100, 3)).toThrow(/bad reduction/);
    expect(() => native.nll_loss(loss, total, x, BigInt64Array.from([0n, 1n]), null, NaN, 1)).toThrow(/ignoreIndex/);
    expect(() => native.nll_loss(loss, total, x, new Float32Array(2), null, -100, 1)).toThrow('nll_loss: class indices must be int64 (or int32) but got float32');
    native.nll_loss(loss, total, x, BigInt64Array.from([1n, 0n]), null, -100, 1);
    expect([loss[0], total[0]]).toEqual([-2.5, 2]);
    m(2, 5, 2, 0, 2, 1, 0, 1, 0, 0);
    expect(() => native.nll_loss(loss, total, x, BigInt64Array.from([0n, 1n]), null, -100, 1)).toThrow(RangeError);
  });

  it('mse_loss checks contiguity, ranges, dtypes and the reduction', () => {
    const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([0, 0, 1, 1]), loss = new Float32Array(1);
    m(1, 4, 0, 1, 0, 1, 0);
    native.mse_loss(a, b, loss, 2);
    expect(loss[0]).toBe(1 + 4 + 4 + 9);
    expect(() => native.mse_loss(a, b, loss, 0)).toThrow(/bad reduction/); // 'none' is composed in TypeScript
    expect(() => native.mse_loss(a, new Float64Array(4), loss, 1)).toThrow(TypeError);
    m(1, 4, 0, 2, 0, 1, 0);
    expect(() => native.mse_loss(a, b, loss, 1)).toThrow(RangeError); // reaches element 6 of 4
    m(1, 2, 0, 2, 0, 1, 0);
    expect(() => native.mse_loss(a, b, loss, 1)).toThrow('mse_loss: operands must be contiguous');
    m(1, 4, 0, 1, 1, 1, 0);
    expect(() => native.mse_loss(a, b, loss, 1)).toThrow(RangeError); // b from element 1 reaches 4
    const gin = new Float32Array(4), g = new Float32Array([1]);
    m(1, 4, 0, 1, 0, 1, 0, 1, 0);
    native.mse_loss_backward(gin, a, b, g, 1);
    expect(Array.from(gin)).toEqual([0.5, 1, 1, 1.5]);
  });
});

describe("the addon's metadata buffer", () => {
  it('survives being detached from JavaScript: calls then fail cleanly, nothing is freed under the addon', () => {
    const code = `
      require(${JSON.stringify(require('node:path').join(__dirname, '..'))});
      const { native } = require(${JSON.stringify(require('node:path').join(__dirname, '..', 'dist', 'native.js'))});
      try { structuredClone(native.meta.buffer, { transfer: [native.meta.buffer] }); } catch (e) { console.log('not transferable'); }
      const a = new Float32Array([1, 2]);
      try { native.exp(a, a); console.log('ran'); } catch (e) { console.log(e.constructor.name); }
      global.gc && global.gc();
      try { native.exp(a, a); console.log('ran'); } catch (e) { console.log(e.constructor.name); }`;
    const out = require('node:child_process').execFileSync(process.execPath, ['--expose-gc', '-e', code], { encoding: 'utf8' });
    expect(out).not.toMatch(/Segmentation|Aborted/);
  });
});
