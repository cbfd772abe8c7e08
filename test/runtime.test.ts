import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';
import { strongerBlasCore } from '../src/native';

const cpuinfo = (vendor: string, flags: string) =>
  `processor\t: 0\nvendor_id\t: ${vendor}\ncpu family\t: 26\nflags\t\t: fpu sse2 avx avx2 fma ${flags}\n\n`;

describe('OpenBLAS kernel choice', () => {
  it('picks SkylakeX kernels on AMD CPUs with AVX-512 (Zen 4/5)', () => {
    expect(strongerBlasCore(cpuinfo('AuthenticAMD', 'avx512f avx512dq avx512bw avx512vl avx512_bf16'))).toBe('SkylakeX');
  });

  it('leaves Intel CPUs and CPUs without (all of) AVX-512 to OpenBLAS', () => {
    expect(strongerBlasCore(cpuinfo('GenuineIntel', 'avx512f avx512dq avx512bw avx512vl'))).toBeUndefined();
    expect(strongerBlasCore(cpuinfo('AuthenticAMD', 'vaes vpclmulqdq'))).toBeUndefined();
    expect(strongerBlasCore(cpuinfo('AuthenticAMD', 'avx512f'))).toBeUndefined();
    expect(strongerBlasCore('')).toBeUndefined();
  });

  it('backendInfo agrees with the CPU it runs on', () => {
    const info = tg.backendInfo();
    if (info.blas === 'OpenBLAS' && info.blasCoreChoice === 'tensorgrad') expect(info.blasCoreType).toBe('SkylakeX');
    if (!info.cpu.avx512) expect(info.blasCoreChoice).not.toBe('tensorgrad');
  });
});

describe('memory', () => {
  const root = require('node:path').join(__dirname, '..');
  const glibc = process.platform === 'linux' && (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })?.header?.glibcVersionRuntime !== undefined;

  // (AddressSanitizer's malloc, preloaded by scripts/sanitize.sh, takes no settings)
  const sanitized = (process.env.LD_PRELOAD ?? '').includes('libasan');
  it.runIf(glibc && !sanitized)('keeps freed memory for reuse on glibc, unless told not to or the environment tunes malloc itself', () => {
    const clean = Object.fromEntries(['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'GLIBC_TUNABLES'].map((k) => [k, undefined]));
    const env = (extra: Record<string, string | undefined>) => {
      const e: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...process.env, ...clean, ...extra })) if (v !== undefined) e[k] = v;
      return e;
    };
    const run = (extra: Record<string, string | undefined>) =>
      require('node:child_process')
        .execFileSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(root)}).backendInfo().malloc)`], { encoding: 'utf8', env: env(extra) })
        .trim();
    expect(run({})).toMatch(/^glibc, kept for reuse/);
    expect(run({ TENSORGRAD_MALLOC: 'system' })).toMatch(/^system \(TENSORGRAD_MALLOC=system\)/);
    expect(run({ MALLOC_TRIM_THRESHOLD_: '131072' })).toMatch(/^system \(MALLOC_\*/);
    expect(typeof tg.backendInfo().malloc).toBe('string');
  });
});

describe('threads', () => {
  it('setNumThreads / getNumThreads', () => {
    const before = tg.getNumThreads();
    tg.setNumThreads(1);
    expect(tg.getNumThreads()).toBe(1);
    expect(tg.backendInfo().kernelThreads).toBe(1);
    if (tg.backendInfo().blas === 'OpenBLAS') expect(tg.backendInfo().threads).toBe(1);
    tg.setNumThreads(2);
    const a = tg.randn(600, 400), b = tg.randn(600, 400);
    const two = a.mul(b).add(a).sum(1).tolist(); // large enough to run on both threads
    tg.setNumThreads(1);
    expect(a.mul(b).add(a).sum(1).tolist()).toEqual(two);
    tg.setNumThreads(before);
    expect(() => tg.setNumThreads(0)).toThrow(RangeError);
  });

  it('changing the threads back and forth at once never hangs (a worker stopped before it first ran)', () => {
    // in a child process: a hang there fails this test instead of stopping the suite
    const script = "const tg = require(process.argv[1]); for (let i = 0; i < 5000; i++) { tg.setNumThreads(2); tg.setNumThreads(1); } console.log('done');";
    const out = execFileSync(process.execPath, ['-e', script, join(__dirname, '..')], { encoding: 'utf8', timeout: 60_000 });
    expect(out.trim()).toBe('done');
  });
});
