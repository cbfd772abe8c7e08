import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { digest, sweep } from './gemm-sweep';

const root = join(__dirname, '..', '..');
const info = tg.backendInfo();

/** The sweep in a child process with TENSORGRAD_GEMM set. */
function sweepUnder(gemm: string): { kernels: string; fails: string[]; digest: string } {
  const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(__dirname, 'gemm-sweep.ts')], {
    cwd: root, encoding: 'utf8', env: { ...process.env, TENSORGRAD_GEMM: gemm },
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as { kernels: string; fails: string[]; digest: string };
}

describe('matrix-product kernels: every tile shape within the worst-case rounding bound', () => {
  it(`on the kernels this process runs (${info.gemmKernels})`, () => {
    const best = info.cpu.avx512 ? 'avx512' : info.cpu.avx2 ? 'avx2' : 'blas';
    const asked = process.env.TENSORGRAD_GEMM; // CI runs the suite under each set too
    const want = asked === 'blas' || (asked === 'avx2' && best !== 'blas') ? asked : best;
    expect(info.gemmKernels).toBe(want);
    expect(sweep()).toEqual([]);
  });

  it.skipIf(!info.cpu.avx512)('on the AVX2 kernels (TENSORGRAD_GEMM=avx2), with the bits of the AVX-512 ones', () => {
    const avx512 = sweepUnder('avx512');
    expect(avx512.kernels).toBe('avx512');
    expect(sweepUnder('avx2')).toEqual({ kernels: 'avx2', fails: [], digest: avx512.digest });
  });

  it.skipIf(info.gemmKernels === 'blas')('on the BLAS library (TENSORGRAD_GEMM=blas)', () => {
    const r = sweepUnder('blas');
    expect([r.kernels, r.fails]).toEqual(['blas', []]);
  });

  it('a product split across threads gives the bits of one thread', () => {
    const a = tg.randn(512, 300), b = tg.randn(300, 200);
    const before = tg.getNumThreads();
    try {
      tg.setNumThreads(1);
      const one = a.mm(b);
      tg.setNumThreads(2);
      expect(a.mm(b).equal(one)).toBe(true);
    } finally {
      tg.setNumThreads(before);
    }
  });

  it('beta = 0 never reads the output, so NaN in the input of addmm is ignored, as in PyTorch', () => {
    const input = tg.full([3, 4], NaN);
    const out = input.addmm(tg.ones(3, 2), tg.ones(2, 4), { beta: 0 });
    expect(out.tolist()).toEqual([[2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]]);
  });
});
