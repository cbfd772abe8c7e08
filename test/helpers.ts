/** Shared test helpers: reading PyTorch fixtures and comparing tensors with them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import * as tg from '../src/index';

export interface EncodedTensor {
  dtype: tg.DType;
  shape: number[];
  data: (number | boolean | string)[];
}

type Arg = { ref: number } | { scalar: unknown };

export interface Case {
  op: string;
  args: Arg[];
  kwargs: Record<string, unknown>;
  out: unknown;
}

export interface Fixture {
  meta: Record<string, string>;
  cases: Case[];
  tensors: EncodedTensor[];
}

export function loadFixture<T = Fixture>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;
}

/** A fixture value: the strings "nan", "inf", "-inf" stand for the non-finite floats. */
export function decodeValue(v: number | boolean | string): number | boolean {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v as number | boolean;
}

export function decode(e: EncodedTensor): tg.Tensor {
  const values = e.data.map(decodeValue);
  if (e.dtype === 'bool') return tg.tensor(values as boolean[], { dtype: 'bool' }).reshape(e.shape);
  if (e.dtype === 'int64') return tg.tensor(values.map((v) => BigInt(v as number)), { dtype: 'int64' }).reshape(e.shape);
  return tg.tensor(values as number[], { dtype: e.dtype }).reshape(e.shape);
}

/** The arguments of a case: tensors from the fixture's table, scalars as they are. */
export function argsOf(f: Fixture, c: Case): unknown[] {
  return c.args.map((a) => ('ref' in a ? decode(f.tensors[a.ref]) : a.scalar));
}

export function tensorOf(f: Fixture, ref: unknown): EncodedTensor {
  return f.tensors[(ref as { ref: number }).ref];
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Default tolerances: exact for integers and bool, float precision otherwise. */
export function defaultTolerance(dtype: tg.DType): Required<Tolerance> {
  if (dtype === 'float32') return { rtol: 1e-6, atol: 1e-6 };
  if (dtype === 'float64') return { rtol: 1e-13, atol: 1e-13 };
  return { rtol: 0, atol: 0 };
}

/** Asserts t has the expected dtype, shape and values (NaN matches NaN; -0 matches 0). */
export function expectTensor(t: tg.Tensor, expected: EncodedTensor, tol: Tolerance = {}, label = ''): void {
  expect(t.dtype, `${label} dtype`).toBe(expected.dtype);
  expect([...t.shape], `${label} shape`).toEqual(expected.shape);
  const { rtol, atol } = { ...defaultTolerance(expected.dtype), ...tol };
  const got = (t.reshape(-1).tolist() as (number | boolean)[]);
  const want = expected.data.map(decodeValue);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (typeof w === 'boolean' || typeof g === 'boolean') {
      expect(g, `${label} [${i}]`).toBe(w);
    } else if (Number.isNaN(w)) {
      expect(Number.isNaN(g), `${label} [${i}] expected NaN, got ${g}`).toBe(true);
    } else if (!Number.isFinite(w)) {
      expect(g, `${label} [${i}]`).toBe(w);
    } else {
      const ok = Math.abs(g - w) <= atol + rtol * Math.abs(w);
      expect(ok, `${label} [${i}]: got ${g}, expected ${w}`).toBe(true);
    }
  }
}

/** A 32-bit integer hash (lowbias32); scripts/fixtures/common.py has the same. */
function hash32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Deterministic random-looking values, the same as scripts/fixtures/common.py's pattern(). */
export function pattern(shape: number[], dtype: 'float32' | 'float64', seed = 0, low = -2, high = 2): tg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(n);
  const span = high - low;
  const base = Math.imul(0x9e3779b9, seed + 1) >>> 0;
  for (let i = 0; i < n; i++) values[i] = (hash32(i + base) / 4294967296) * span + low;
  return tg.tensor(values).reshape(shape).to(dtype);
}

/** A state dict from a fixture's { name: encoded tensor }. */
export function decodeState(s: Record<string, EncodedTensor>): Record<string, tg.Tensor> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, decode(v)]));
}

/**
 * Asserts a state dict has the fixture's keys, in order, and values within rtol, relative to each
 * tensor's largest magnitude (rounding errors scale with the tensor, not with each element).
 */
export function expectState(got: Record<string, tg.Tensor>, want: Record<string, EncodedTensor>, rtol: number): void {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [k, v] of Object.entries(want)) expectScaled(got[k], v, rtol, k);
}

/**
 * Asserts a tensor has the fixture's shape and values within rtol relative to the fixture's
 * largest magnitude (a gradient's rounding errors scale with the tensor, not with each element).
 * A null fixture expects a null tensor (no gradient).
 */
export function expectScaled(got: tg.Tensor | null, want: EncodedTensor | null, rtol: number, what: string): void {
  if (want === null) {
    expect(got, what).toBeNull();
    return;
  }
  expect(got, what).not.toBeNull();
  const w = decode(want);
  expect([...got!.shape], what).toEqual(w.shape);
  expect(got!.dtype, what).toBe(w.dtype);
  const g = got!.reshape(-1).tolist() as number[], v = w.reshape(-1).tolist() as number[];
  const scale = Math.max(...v.map(Math.abs), 1e-30);
  v.forEach((vi, i) => expect(Math.abs(g[i] - vi), `${what}[${i}]: ${g[i]} vs ${vi}`).toBeLessThanOrEqual(rtol * scale));
}

/**
 * How far tensorgrad may drift from PyTorch over a training run: DRIFT_FACTOR times the farthest
 * PyTorch went from its own run once one of the inputs was moved by one ulp (a fixture's `drift`,
 * measured by scripts/fixtures/common.py's nudge), and never less than one ulp of the dtype. Two
 * implementations round differently in every op of every step, so they drift apart as a nudged
 * run does; measured on the seed loop under OpenBLAS's SkylakeX, Haswell, Sandybridge and Prescott
 * kernels, tensorgrad stayed within 2.7 times PyTorch's drift (float32 and float64).
 */
export const DRIFT_FACTOR = 4;
export function driftBound(drift: number, dtype: 'float32' | 'float64'): number {
  return DRIFT_FACTOR * Math.max(drift, dtype === 'float32' ? 2 ** -23 : 2 ** -52);
}
