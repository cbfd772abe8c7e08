/**
 * A property / fuzz suite for the elementwise ops, reductions and matrix products: random shapes
 * (zero-sized dims, size-1 broadcasting, up to 6-d), random views (transposed, expanded, narrowed,
 * stepped), dtypes and values (NaN, +-Inf, denormals, -0, large), each op compared with a small
 * pure-TypeScript reference computed from the same numbers. test/fuzz/ops.test.ts runs a seeded
 * subset; `npx tsx scripts/fuzz-ops.ts --cases N` runs many.
 */
import * as tg from '../../src/index';

type DT = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';
type Rand = () => number;

export function generator(seed: number): Rand {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL_F32 = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-42, 3.4e38, -3.4e38, 1e-7, 88.7, -103];
const SPECIAL_F64 = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -2e-310, 1.7e308, -1.7e308, 1e-300, 709.7, -745];

function value(r: Rand, dtype: DT): number {
  const pick = <T>(l: readonly T[]): T => l[Math.floor(r() * l.length)];
  if (dtype === 'bool') return r() < 0.5 ? 1 : 0;
  if (dtype === 'int32' || dtype === 'int64') return r() < 0.1 ? pick([0, -1, 1, 2 ** 31 - 1, -(2 ** 31)]) : Math.floor(r() * 21) - 10;
  if (r() < 0.15) return pick(dtype === 'float32' ? SPECIAL_F32 : SPECIAL_F64);
  const v = (r() * 2 - 1) * 10 ** Math.floor(r() * 4 - 1);
  return dtype === 'float32' ? Math.fround(v) : v;
}

/** A tensor (possibly a non-contiguous view) of the given shape, and its values in row-major order. */
function operand(r: Rand, shape: number[], dtype: DT): { t: tg.Tensor; v: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  const layout = Math.floor(r() * 4);
  let baseShape: number[];
  if (layout === 1 && shape.length >= 2) baseShape = [...shape].reverse(); // then permuted back
  else if (layout === 2) baseShape = shape.map((s, d) => (d === shape.length - 1 ? s + 2 : s)); // then narrowed
  else if (layout === 3) baseShape = shape.map((s) => (r() < 0.4 ? 1 : s)); // then expanded
  else baseShape = shape;
  const count = baseShape.reduce((a, b) => a * b, 1);
  const raw = Array.from({ length: count }, () => (dtype === 'float32' ? f32(value(r, dtype)) : value(r, dtype)));
  const data = dtype === 'int64' ? raw.map((x) => BigInt(x)) : dtype === 'bool' ? raw.map((x) => x !== 0) : raw;
  const base = tg.tensor(data as never, { dtype }).reshape(baseShape);
  let t = base;
  if (layout === 1 && shape.length >= 2) t = base.permute(...shape.map((_, d) => shape.length - 1 - d));
  else if (layout === 2 && shape.length > 0) t = base.narrow(shape.length - 1, 1, shape[shape.length - 1]);
  else if (layout === 3) t = base.expand(shape);
  // values of the view, read through its strides (the reference never uses our copy kernels)
  const v: number[] = new Array(n);
  const strides = t._strides, offset = t._offset;
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += idx[d] * strides[d];
    v[i] = raw[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { t, v };
}

function randomShape(r: Rand, maxDims = 6, maxSize = 5): number[] {
  const nd = Math.floor(r() * (maxDims + 1));
  return Array.from({ length: nd }, () => (r() < 0.08 ? 0 : r() < 0.3 ? 1 : 1 + Math.floor(r() * maxSize)));
}

/** Broadcast a shape: some dims set to 1 and some leading dims dropped. */
function broadcastable(r: Rand, shape: number[]): number[] {
  const drop = Math.floor(r() * (shape.length + 1) * 0.5);
  return shape.slice(drop).map((s) => (r() < 0.3 ? 1 : s));
}

function broadcastIndex(i: number, out: number[], shape: number[]): number {
  // index into a row-major array of `shape`, for the row-major position i of `out`
  let rem = i, at = 0, stride = 1;
  const lead = out.length - shape.length;
  const pos: number[] = new Array(out.length);
  for (let d = out.length - 1; d >= 0; d--) {
    pos[d] = rem % out[d];
    rem = Math.floor(rem / out[d]);
  }
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1) at += pos[d + lead] * stride;
    stride *= shape[d];
  }
  return at;
}

const f32 = Math.fround;
const UNARY: Record<string, (x: number) => number> = {
  exp: Math.exp, log: Math.log, sqrt: Math.sqrt, tanh: Math.tanh, sin: Math.sin, cos: Math.cos, abs: Math.abs,
  neg: (x) => -x, relu: (x) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0), sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  floor: Math.floor, ceil: Math.ceil, trunc: Math.trunc, log1p: Math.log1p, expm1: Math.expm1, reciprocal: (x) => 1 / x,
};
const BINARY: Record<string, { f: (a: number, b: number) => number; ints: boolean; compare?: boolean }> = {
  add: { f: (a, b) => a + b, ints: true },
  sub: { f: (a, b) => a - b, ints: true },
  mul: { f: (a, b) => a * b, ints: true },
  div: { f: (a, b) => a / b, ints: false },
  maximum: { f: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), ints: true },
  minimum: { f: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)), ints: true },
  lt: { f: (a, b) => +(a < b), ints: true, compare: true },
  le: { f: (a, b) => +(a <= b), ints: true, compare: true },
  eq: { f: (a, b) => +(a === b), ints: true, compare: true },
  ne: { f: (a, b) => +(a !== b), ints: true, compare: true },
};

export interface Failure { seed: number; op: string; detail: string }

function close(got: number, want: number, dtype: DT, loose: boolean): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  if (dtype !== 'float32' && dtype !== 'float64') return got === want;
  const tiny = dtype === 'float32' ? 1.2e-38 : 2.3e-308; // below the smallest normal, flushed or not
  if (Math.abs(want) < tiny && Math.abs(got) < tiny) return true;
  const rel = loose ? (dtype === 'float32' ? 4e-6 : 1e-13) : 0;
  // float32 results: the reference is computed in double and rounded once
  const w = dtype === 'float32' ? f32(want) : want;
  if (!Number.isFinite(w)) return got === w || (loose && Math.abs(got) > 3e38);
  return got === w || Math.abs(got - w) <= rel * Math.abs(w) + (dtype === 'float32' ? 1e-45 : 0);
}

function values(t: tg.Tensor): number[] {
  const a = t.toTypedArray();
  return Array.from(a as ArrayLike<number | bigint | boolean>, (x) => Number(x));
}

function compare(seed: number, op: string, got: tg.Tensor, shape: number[], want: number[], dtype: DT, loose: boolean, failures: Failure[]): void {
  if (JSON.stringify(got.shape) !== JSON.stringify(shape)) {
    failures.push({ seed, op, detail: `shape ${JSON.stringify(got.shape)}, expected ${JSON.stringify(shape)}` });
    return;
  }
  const g = values(got);
  for (let i = 0; i < want.length; i++) {
    if (!close(g[i], want[i], dtype, loose)) {
      failures.push({ seed, op, detail: `element ${i}: ${g[i]}, expected ${want[i]} (${dtype}, shape ${JSON.stringify(shape)})` });
      return;
    }
  }
}

/** One random case (an op on random operands) checked against the reference; failures appended. */
export function runCase(seed: number, failures: Failure[]): string {
  const r = generator(seed);
  const kind = r();
  const floatDt: DT = r() < 0.5 ? 'float32' : 'float64';
  if (kind < 0.35) {
    const ops = Object.keys(UNARY);
    const op = ops[Math.floor(r() * ops.length)];
    const shape = randomShape(r);
    const { t, v } = operand(r, shape, floatDt);
    const round = floatDt === 'float32' ? f32 : (x: number) => x;
    const exact = ['abs', 'neg', 'relu', 'floor', 'ceil', 'trunc'].includes(op);
    compare(seed, op, (t as unknown as Record<string, () => tg.Tensor>)[op](), shape, v.map((x) => round(UNARY[op](x))), floatDt, !exact, failures);
    return op;
  }
  if (kind < 0.75) {
    const ops = Object.keys(BINARY);
    const op = ops[Math.floor(r() * ops.length)];
    const { f, ints, compare: isCompare } = BINARY[op];
    const dtypes: DT[] = ints ? ['float32', 'float64', 'int32', 'int64'] : ['float32', 'float64'];
    const dtype = dtypes[Math.floor(r() * dtypes.length)];
    const out = randomShape(r);
    const sa = r() < 0.5 ? out : broadcastable(r, out), sb = r() < 0.5 ? out : broadcastable(r, out);
    // the output shape is the broadcast of sa and sb, which may be smaller than `out`
    const nd = Math.max(sa.length, sb.length);
    const shape = Array.from({ length: nd }, (_, d) => {
      const x = sa[d - (nd - sa.length)] ?? 1, y = sb[d - (nd - sb.length)] ?? 1;
      return x === 1 ? y : x;
    });
    const a = operand(r, sa, dtype), b = operand(r, sb, dtype);
    const n = shape.reduce((p, q) => p * q, 1);
    const isInt = dtype === 'int32' || dtype === 'int64';
    const want = Array.from({ length: n }, (_, i) => {
      const x = a.v[broadcastIndex(i, shape, sa)], y = b.v[broadcastIndex(i, shape, sb)];
      let z = f(x, y);
      if (isInt && !isCompare) {
        // integer arithmetic wraps: exact in BigInt, then to the dtype's width
        const big = op === 'add' ? BigInt(x) + BigInt(y) : op === 'sub' ? BigInt(x) - BigInt(y) : op === 'mul' ? BigInt(x) * BigInt(y) : BigInt(z);
        z = Number(BigInt.asIntN(dtype === 'int32' ? 32 : 64, big));
      }
      return isCompare ? z : dtype === 'float32' ? f32(z) : z;
    });
    const got = (a.t as unknown as Record<string, (o: tg.Tensor) => tg.Tensor>)[op](b.t);
    compare(seed, op, got, shape, want, isCompare ? 'bool' : dtype, false, failures);
    return op;
  }
  if (kind < 0.92) {
    const ops = ['sum', 'amax', 'amin', 'mean'] as const;
    const op = ops[Math.floor(r() * ops.length)];
    const shape = randomShape(r, 4, 6).map((s) => (op === 'amax' || op === 'amin' ? Math.max(s, 1) : s));
    if (shape.length === 0) shape.push(3);
    const { t, v } = operand(r, shape, floatDt);
    const dim = Math.floor(r() * shape.length), keepdim = r() < 0.5;
    const outShape = shape.filter((_, d) => d !== dim || keepdim).map((s, d) => (keepdim && d === dim ? 1 : s));
    const inner = shape.slice(dim + 1).reduce((p, q) => p * q, 1), size = shape[dim];
    const outer = shape.slice(0, dim).reduce((p, q) => p * q, 1);
    const want: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const xs = Array.from({ length: size }, (_, k) => v[(o * size + k) * inner + i]);
        let z: number;
        if (op === 'sum' || op === 'mean') z = xs.reduce((p, q) => p + q, 0) / (op === 'mean' ? size : 1);
        else z = xs.some(Number.isNaN) ? NaN : (op === 'amax' ? Math.max : Math.min)(...xs);
        want.push(z);
      }
    }
    // sums are compared loosely: a different summation order rounds differently
    const got = op === 'sum' ? t.sum(dim, keepdim) : op === 'mean' ? t.mean(dim, keepdim) : t[op](dim, keepdim);
    if (op === 'sum' || op === 'mean') {
      // tolerance relative to the sum of magnitudes, not the (possibly cancelling) result
      const g = values(got);
      for (let k = 0; k < want.length; k++) {
        const o = Math.floor(k / inner), i = k % inner;
        const mag = Array.from({ length: size }, (_, j) => Math.abs(v[(o * size + j) * inner + i])).reduce((p, q) => p + q, 0) / (op === 'mean' ? size : 1);
        const w = want[k];
        // where the magnitudes overflow the dtype, partial sums may too: any infinity is right then
        const overflow = !Number.isFinite(mag) || (floatDt === 'float32' && mag * (op === 'mean' ? size : 1) > 3.4e38);
        const ok = Number.isNaN(w) ? Number.isNaN(g[k]) : !Number.isFinite(w) || overflow
          ? g[k] === w || !Number.isFinite(g[k]) || Math.abs(g[k] - w) <= 1e-5 * mag
          : Math.abs(g[k] - w) <= (floatDt === 'float32' ? 1e-5 : 1e-13) * mag + 1e-300;
        if (!ok) {
          failures.push({ seed, op, detail: `element ${k}: ${g[k]}, expected ${w} (${floatDt}, shape ${JSON.stringify(shape)}, dim ${dim})` });
          break;
        }
      }
      if (JSON.stringify(got.shape) !== JSON.stringify(outShape)) failures.push({ seed, op, detail: `shape ${JSON.stringify(got.shape)}` });
    } else {
      compare(seed, op, got, outShape, want, floatDt, false, failures);
    }
    return op;
  }
  // matmul of random (possibly transposed) matrices, finite values, against a double-precision loop
  const m = Math.floor(r() * 6), k = Math.floor(r() * 6), n = Math.floor(r() * 6);
  const finite = (x: number) => (Number.isFinite(x) && Math.abs(x) < 1e30 ? x : 1.5);
  const a = operand(r, [m, k], floatDt), b = operand(r, [k, n], floatDt);
  const av = a.v.map(finite), bv = b.v.map(finite);
  const clean = (t: tg.Tensor) => tg.where(t.abs().lt(1e30), t, 1.5); // NaN and +-Inf fail the test too
  const got = clean(a.t).mm(clean(b.t));
  const g = values(got);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, mag = 0;
      for (let q = 0; q < k; q++) {
        s += av[i * k + q] * bv[q * n + j];
        mag += Math.abs(av[i * k + q] * bv[q * n + j]);
      }
      const tol = (floatDt === 'float32' ? 1e-5 * mag + 1e-37 : 1e-13 * mag + 1e-307) * Math.max(k, 1);
      if (!(Math.abs(g[i * n + j] - s) <= tol)) {
        failures.push({ seed, op: 'mm', detail: `[${i}, ${j}]: ${g[i * n + j]}, expected ${s}` });
        return 'mm';
      }
    }
  }
  if (JSON.stringify(got.shape) !== JSON.stringify([m, n])) failures.push({ seed, op: 'mm', detail: `shape ${JSON.stringify(got.shape)}` });
  return 'mm';
}
