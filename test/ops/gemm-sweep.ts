/**
 * Matrix products of every tile shape against a float64 reference: each tail of rows and columns
 * that tensorgrad's own kernels have (row tiles of 6 or 8, column panels of 2 or 3 vectors, the
 * half-width last panel), sums across their 256-step blocks, transposed and strided operands, the
 * copied-panel paths (a transposed B, a large B, rows 4 KB apart), alpha and beta.
 *
 * The bound is the worst case of any order of summation, with or without fused multiply-adds:
 * |C - ref| <= gamma(K + 2) (|alpha| sum_k |a_ik b_kj| + |beta c_ij|), gamma(n) = n u / (1 - n u).
 * It holds on every kernel set, so it says nothing about the machine the test runs on.
 *
 * gemm_kernels.test.ts runs sweep() in its own process (the best kernels of this CPU) and, through
 * this file as a script, under TENSORGRAD_GEMM=avx2 and =blas; the script prints its failures as JSON.
 */
import { createHash } from 'node:crypto';
import * as tg from '../../src/index';

/** Values in [-2, 2) from a seeded generator (this file also runs as a script, without vitest's helpers). */
function pattern(shape: number[], dtype: 'float32' | 'float64', seed: number): tg.Tensor {
  return tg.rand(shape, { dtype, generator: new tg.Generator().manualSeed(seed) }).mul(4).sub(2);
}

type Float = 'float32' | 'float64';

interface Case {
  dtype: Float;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  /** extra columns in the operands' rows: a row stride larger than the row */
  pad?: number;
  alpha?: number;
  beta?: number;
}

/** A [rows, cols] operand, as a transposed view of a [cols, rows] tensor or with padded rows. */
function operand(rows: number, cols: number, dtype: Float, seed: number, trans: boolean, pad: number): tg.Tensor {
  if (trans) return pattern([cols, rows + pad], dtype, seed).narrow(1, 0, rows).t();
  return pattern([rows, cols + pad], dtype, seed).narrow(1, 0, cols);
}

/** What is wrong with C = alpha A B + beta C0 for this case ('' when within the bound). */
function check(c: Case, seed: number): string {
  const { dtype, m, n, k, pad = 0, alpha = 1, beta = 0 } = c;
  const a = operand(m, k, dtype, seed, c.transA ?? false, pad);
  const b = operand(k, n, dtype, seed + 1, c.transB ?? false, pad);
  const c0 = pattern([m, n], dtype, seed + 2);
  const got = c0.addmm(a, b, { alpha, beta }).toTypedArray();
  const av = a.contiguous().toTypedArray() as Float32Array | Float64Array;
  const bv = b.contiguous().toTypedArray() as Float32Array | Float64Array;
  const cv = c0.toTypedArray() as Float32Array | Float64Array;
  const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  const gamma = ((k + 2) * u) / (1 - (k + 2) * u);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let ref = 0, mag = 0;
      for (let p = 0; p < k; p++) {
        ref += av[i * k + p] * bv[p * n + j];
        mag += Math.abs(av[i * k + p] * bv[p * n + j]);
      }
      const c0ij = beta === 0 ? 0 : cv[i * n + j];
      ref = alpha * ref + beta * c0ij;
      const bound = gamma * (Math.abs(alpha) * mag + Math.abs(beta * c0ij)) + Number.MIN_VALUE;
      const err = Math.abs(got[i * n + j] as number - ref);
      if (!(err <= bound)) return `C[${i}, ${j}] = ${got[i * n + j]}, expected ${ref} within ${bound.toExponential(2)}`;
    }
  }
  return '';
}

/** Every case, each dtype. */
export function cases(): Case[] {
  const out: Case[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    // every row tail (tiles of 6 and 8) against every column tail (vectors of 4, 8, 16; panels of 2-3 vectors)
    for (const m of [1, 2, 5, 6, 7, 8, 9, 13, 17]) {
      for (const n of [1, 3, 4, 5, 8, 9, 12, 16, 17, 24, 25, 31, 32, 33, 47, 48, 49, 56, 100]) out.push({ dtype, m, n, k: 5 });
    }
    // sums across the 256-step blocks, both operands in each layout, padded rows, alpha and beta
    for (const k of [1, 255, 256, 257, 600]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) out.push({ dtype, m: 19, n: 37, k, transA, transB, pad: 3, alpha: 0.75, beta: k === 257 ? 0 : -1.5 });
      }
    }
    out.push({ dtype, m: 64, n: 100, k: 1000 }, { dtype, m: 1000, n: 100, k: 64, transA: true }); // the seed loop's
    out.push({ dtype, m: 64, n: 10, k: 100 }, { dtype, m: 64, n: 100, k: 10, transB: true });
    out.push({ dtype, m: 20, n: 300, k: 600 }); // B too large to read in place: copied in blocks of columns
    out.push({ dtype, m: 20, n: 1024, k: 20 }, { dtype, m: 20, n: 1000, k: 20, pad: 24 }); // rows 4 KB or 8 KB apart
    out.push({ dtype, m: 300, n: 260, k: 70, transA: true, transB: true, alpha: 2, beta: 1 }); // several column blocks
  }
  return out;
}

/** Failures of every case, as messages. */
export function sweep(): string[] {
  const fails: string[] = [];
  cases().forEach((c, i) => {
    const msg = check(c, 10 * i);
    if (msg !== '') fails.push(`${JSON.stringify(c)}: ${msg}`);
  });
  return fails;
}

/** A digest of the bits of a few products of every kind: equal on kernel sets that sum alike. */
export function digest(): string {
  const h = createHash('sha256');
  cases().forEach((c, i) => {
    if (i % 7 !== 0 && c.k < 600) return;
    const a = operand(c.m, c.k, c.dtype, i, c.transA ?? false, c.pad ?? 0), b = operand(c.k, c.n, c.dtype, i + 1, c.transB ?? false, c.pad ?? 0);
    const out = pattern([c.m, c.n], c.dtype, i + 2).addmm(a, b, { alpha: c.alpha ?? 1, beta: c.beta ?? 0 }).toTypedArray();
    h.update(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  });
  return h.digest('hex');
}

if (process.argv[1]?.endsWith('gemm-sweep.ts')) {
  console.log(JSON.stringify({ kernels: tg.backendInfo().gemmKernels, fails: sweep(), digest: digest() }));
}
