// exp, tanh and sigmoid run tensorgrad's own vectorised formulas (native/kernels/vmath.h): checked
// here against JavaScript's Math (fdlibm, within 1 ulp of the exact value) at many points, at the edges of their
// ranges, and for the same bits whichever loop (contiguous, strided, threaded) computes them.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const REFS = { exp: Math.exp, tanh: Math.tanh, sigmoid } as const;
type Op = keyof typeof REFS;
const OPS = Object.keys(REFS) as Op[];

/** Points spread over the interesting range: tiny, moderate and large arguments of both signs. */
function points(count: number): number[] {
  const out: number[] = [];
  let s = 12345;
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const u = s / 2147483648;
    const scale = [1e-9, 1e-3, 0.5, 3, 30, 700][i % 6];
    out.push((u * 2 - 1) * scale);
  }
  return out;
}

/** Distance between two doubles in units in the last place of the expected value. */
function ulps64(got: number, want: number): number {
  if (got === want || (Number.isNaN(got) && Number.isNaN(want))) return 0;
  const b = new Float64Array([want]);
  const u = new BigInt64Array(b.buffer);
  u[0] += 1n;
  return Math.abs(got - want) / Math.abs(b[0] - want);
}

function ulps32(got: number, want: number): number {
  if (got === want || (Number.isNaN(got) && Number.isNaN(want))) return 0;
  const b = new Float32Array([want]);
  const u = new Int32Array(b.buffer);
  u[0] += want >= 0 ? 1 : -1;
  return Math.abs(got - want) / Math.abs(b[0] - want);
}

describe('vectorised exp, tanh and sigmoid', () => {
  const xs = points(60000);

  it.each(OPS)('%s in float64 is within a few ulp of fdlibm', (op) => {
    const got = tg.tensor(xs, { dtype: 'float64' })[op]().toTypedArray() as Float64Array;
    const bound = op === 'exp' ? 2 : 4;
    let worst = 0;
    xs.forEach((x, i) => {
      const want = REFS[op](x);
      if (Math.abs(want) < 1e-300) return; // results in the subnormal range are checked below
      worst = Math.max(worst, ulps64(got[i], want));
    });
    expect(worst).toBeLessThanOrEqual(bound);
  });

  it('exp in float32 (float32 arithmetic) is within 0.81 ulp of e^x, and mostly the correctly rounded result', () => {
    const x32 = Float32Array.from(points(60000).map((x) => Math.max(-104.5, Math.min(89, x))));
    const got = tg.tensor(x32).exp().toTypedArray() as Float32Array;
    let off = 0, worst = 0;
    x32.forEach((x, i) => {
      const exact = Math.exp(x), want = Math.fround(exact);
      if (got[i] !== want) off++;
      if (want === 0 || want === Infinity || Math.abs(want) < 2 ** -126) return; // edges below
      const up = new Float32Array([want]);
      new Int32Array(up.buffer)[0] += 1;
      worst = Math.max(worst, Math.abs(got[i] - exact) / (up[0] - want));
    });
    expect(worst).toBeLessThanOrEqual(0.81);
    expect(off / x32.length).toBeLessThan(0.02);
  });

  it.each(['tanh', 'sigmoid'] as const)('%s in float32 is the correctly rounded result but for near-ties', (op) => {
    const x32 = Float32Array.from(xs);
    const got = tg.tensor(x32)[op]().toTypedArray() as Float32Array;
    let off = 0, worst = 0;
    x32.forEach((x, i) => {
      const want = Math.fround(REFS[op](x));
      const d = ulps32(got[i], want);
      if (d > 0) off++;
      worst = Math.max(worst, d);
    });
    expect(worst).toBeLessThanOrEqual(1);
    expect(off / x32.length).toBeLessThan(1e-3);
  });

  it('keeps the edge cases IEEE gives: signed zeros, infinities, NaN, overflow, subnormals', () => {
    const x = [0, -0, Infinity, -Infinity, NaN, 709.7, 709.8, -745.1, -746, -708.5, 1e-300, -1e-310, 25];
    const t = tg.tensor(x, { dtype: 'float64' });
    const exp = t.exp().tolist() as number[];
    expect(exp.slice(0, 5)).toEqual([1, 1, Infinity, 0, NaN]);
    expect(ulps64(exp[5], Math.exp(709.7))).toBeLessThanOrEqual(1);
    expect(exp[6]).toBe(Infinity);
    expect(exp[7]).toBe(5e-324);
    expect(exp[8]).toBe(0);
    expect(ulps64(exp[9], Math.exp(-708.5))).toBeLessThanOrEqual(1);
    expect(tg.tensor([1], { dtype: 'float64' }).exp().item()).toBe(Math.E);
    const tanh = t.tanh().tolist() as number[];
    expect(Object.is(tanh[1], -0)).toBe(true);
    expect(tanh.slice(2, 5)).toEqual([1, -1, NaN]);
    expect(tanh[10]).toBe(1e-300);
    expect(tanh[11]).toBe(-1e-310);
    expect(tanh[12]).toBe(1);
    expect((t.sigmoid().tolist() as number[]).slice(2, 5)).toEqual([1, 0, NaN]);
    const f = tg.tensor([88.72, 88.73, -103.9, -104, 1e-40]).exp().tolist() as number[];
    expect(f[0]).toBe(Math.fround(Math.exp(Math.fround(88.72))));
    expect(f.slice(1)).toEqual([Infinity, Math.fround(2 ** -149), 0, 1]);
  });

  it.each(OPS)('%s gives the same bits contiguous, strided and split across threads', (op) => {
    for (const dtype of ['float32', 'float64'] as const) {
      const m = tg.tensor(points(512 * 600), { dtype }).reshape(512, 600);
      const whole = m[op]().toTypedArray();
      const viaTranspose = m.t().contiguous().t()[op]().contiguous().toTypedArray(); // a strided input
      expect(Buffer.from(viaTranspose.buffer, viaTranspose.byteOffset, viaTranspose.byteLength).equals(Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength))).toBe(true);
      const before = tg.getNumThreads();
      tg.setNumThreads(2);
      const threaded = m[op]().toTypedArray();
      tg.setNumThreads(before);
      expect(Buffer.from(threaded.buffer, threaded.byteOffset, threaded.byteLength).equals(Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength))).toBe(true);
    }
  });
});

// float32 erf (and so GELU) is tensorgrad's own fit in float32 arithmetic, within 2 ulp (vmath.h);
// float64 uses the C library's erf, so it is the reference here.
describe('float32 erf and GELU (fused, forward and backward)', () => {
  const xs = Float32Array.from(points(60000).map((x) => Math.max(-12, Math.min(12, x))));
  const close32 = (got: Float32Array, want: Float64Array) => {
    let worst = 0;
    got.forEach((g, i) => (worst = Math.max(worst, ulps32(g, Math.fround(want[i])))));
    return { worst };
  };

  it('erf', () => {
    const got = tg.tensor(xs).erf().toTypedArray() as Float32Array;
    const want = tg.tensor(xs).double().erf().toTypedArray() as Float64Array;
    const r = close32(got, want);
    expect(r.worst).toBeLessThanOrEqual(2);
    const edges = tg.tensor([0, -0, Infinity, -Infinity, NaN, 3.99, 4, 1e-30]).erf().tolist() as number[];
    expect(edges.slice(0, 7)).toEqual([0, -0, 1, -1, NaN, 1, 1]);
    expect(ulps32(edges[7], Math.fround(1e-30 * 2 / Math.sqrt(Math.PI)))).toBeLessThanOrEqual(2);
  });

  it('GELU and its gradient', () => {
    // Where 1 + erf(x / sqrt 2) cancels (x below about -2), float32 keeps only what is left, as it
    // does in PyTorch: results there are within a few of float32's resolution of x (forward) or of g
    // (gradient).
    const x = tg.tensor(xs, { requiresGrad: true }), x64 = tg.tensor(xs, { dtype: 'float64', requiresGrad: true });
    const g = tg.randn(xs.length), g64 = g.double();
    const y = tg.F.gelu(x), y64 = tg.F.gelu(x64);
    y.backward(g);
    y64.backward(g64);
    const gv = g.toTypedArray() as Float32Array;
    const cases = [[y, y64, (i: number) => Math.abs(xs[i])], [x.grad!, x64.grad!, (i: number) => Math.abs(gv[i])]] as const;
    for (const [got32, want64, scale] of cases) {
      const got = got32.detach().toTypedArray() as Float32Array, want = want64.detach().toTypedArray() as Float64Array;
      got.forEach((v, i) => {
        const w = Math.fround(want[i]);
        if (v === w) return;
        expect(ulps32(v, w) <= 2 || Math.abs(v - want[i]) <= 2 ** -22 * scale(i), `x = ${xs[i]}: ${v} vs ${want[i]}`).toBe(true);
      });
    }
    expect(y.gradFn?.name).toBe('GeluBackward0');
  });
});
