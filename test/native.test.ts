// The addon re-checks what it is given: calls straight into native code with wrong arguments,
// shapes or strides pointing past a buffer throw JavaScript errors and touch nothing.
import { describe, expect, it } from 'vitest';
import '../src/index';
import { native } from '../src/native';

const m = (...v: number[]) => Float64Array.from([v.length, ...v]);

describe('native entry points re-check their arguments', () => {
  const a = new Float32Array([1, 2, 3, 4]);
  const out = new Float32Array(4);

  it('an operand reaching past its buffer is refused', () => {
    expect(() => native.exp(out, a, m(1, 5, 0, 1, 0, 1))).toThrow(/reaches element 4 of a buffer of 4/);
    expect(() => native.exp(out, a, m(1, 4, 0, 1, 1, 1))).toThrow(RangeError);
    expect(() => native.exp(out, a, m(1, 2, 0, 1, 0, 4))).toThrow(RangeError);
    expect(() => native.add(out, a, a, m(2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 3, 1))).toThrow(RangeError);
    expect(out).toEqual(new Float32Array(4));
  });

  it('negative, fractional, NaN or huge metadata is refused', () => {
    expect(() => native.exp(out, a, m(1, -1, 0, 1, 0, 1))).toThrow(RangeError);
    expect(() => native.exp(out, a, m(1, 2, 0, -1, 0, 1))).toThrow(RangeError);
    expect(() => native.exp(out, a, m(1, 1.5, 0, 1, 0, 1))).toThrow(RangeError);
    expect(() => native.exp(out, a, m(1, NaN, 0, 1, 0, 1))).toThrow(RangeError);
    expect(() => native.exp(out, a, m(1, 2 ** 52, 0, 2 ** 52, 0, 1))).toThrow(RangeError);
    expect(() => native.exp(out, a, m(65))).toThrow(RangeError);
    expect(() => native.exp(out, a, Float64Array.from([99, 1, 4]))).toThrow(RangeError);
    expect(() => native.exp(out, a, m(1, 4, 0, 1, 0, 1, 7))).toThrow(/more numbers/);
    expect(() => native.exp(out, a, m(1, 4, 0, 1))).toThrow(/fewer numbers/);
  });

  it('wrong argument types and dtypes are refused', () => {
    expect(() => native.exp(out, [1, 2] as unknown as Float32Array, m(1, 2, 0, 1, 0, 1))).toThrow(TypeError);
    expect(() => native.exp(out, new Float64Array(4), m(1, 4, 0, 1, 0, 1))).toThrow(TypeError);
    expect(() => native.exp(new Int32Array(4), new Int32Array(4), m(1, 4, 0, 1, 0, 1))).toThrow(TypeError);
    expect(() => native.exp(out, a, new Float32Array(3) as unknown as Float64Array)).toThrow(TypeError);
    expect(() => (native.exp as unknown as () => void)()).toThrow(TypeError);
    expect(() => native.gemm(out, a, new Float64Array(4), m(0, 2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 2, 1), 1, 0)).toThrow(TypeError);
  });

  it('gemm checks every matrix extent', () => {
    const c = new Float32Array(4);
    expect(() => native.gemm(c, a, a, m(0, 2, 2, 3, 0, 3, 1, 0, 2, 1, 0, 2, 1), 1, 0)).toThrow(RangeError);
    expect(() => native.gemm(c, a, a, m(1, 2, 2, 2, 2, 0, 4, 2, 1, 0, 4, 2, 1, 0, 4, 2, 1), 1, 0)).toThrow(RangeError);
    native.gemm(c, a, a, m(0, 2, 2, 2, 0, 2, 1, 0, 2, 1, 0, 2, 1), 1, 0);
    expect([...c]).toEqual([7, 10, 15, 22]);
  });

  it('zero-length and detached buffers are safe', () => {
    const empty = new Float32Array(0);
    native.exp(empty, empty, m(1, 0, 0, 1, 0, 1));
    const ab = new ArrayBuffer(16);
    const detached = new Float32Array(ab);
    structuredClone(ab, { transfer: [ab] });
    expect(() => native.exp(out, detached, m(1, 4, 0, 1, 0, 1))).toThrow(RangeError);
  });

  it('reductions and random fills check too', () => {
    expect(() => native.sum(new Float32Array(1), a, m(0, 1, 5, 0, 0, 1))).toThrow(RangeError);
    expect(() => native.amax(new Float32Array(1), a, m(0, 1, 0, 0, 0, 1))).toThrow(/empty/);
    expect(() => native.normal_(out, new Uint32Array(3), m(1, 4, 0, 1), 0, 1)).toThrow(TypeError);
    expect(() => native.randperm(new BigInt64Array(2), new Uint32Array(native.generatorWords), 3)).toThrow(RangeError);
  });
});
