// Kernels compiled once per instruction set (AVX-512, AVX2, baseline x86-64; native/kernels/simd.h)
// must give the same bits whichever copy the CPU runs: compared here across CPUs that qemu's
// user-mode emulator presents to node (Haswell: AVX2 without AVX-512; Nehalem: no AVX at all), and
// this one (AVX-512 where it has it). And a strided row must give the bits of a contiguous one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { report, rowKernelDigests } from './row-kernels';

const root = join(__dirname, '..', '..');
const qemu = ['/usr/bin/qemu-x86_64', '/usr/local/bin/qemu-x86_64'].find((p) => existsSync(p));
const x64linux = process.platform === 'linux' && process.arch === 'x64';

describe('row kernels on every instruction set', () => {
  it.runIf(x64linux && qemu !== undefined).each(['Haswell-noTSX', 'Nehalem'])('an emulated %s CPU gives the bits of this one', (cpu) => {
    const out = execFileSync(qemu!, ['-cpu', cpu, process.execPath, '--import', 'tsx', join(__dirname, 'row-kernels.ts')], {
      cwd: root, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'], // qemu warns of CPU features it does not emulate
    });
    const child = JSON.parse(out.trim().split('\n').pop() as string) as ReturnType<typeof report>;
    // the copy the emulated CPU runs: AVX2's on Haswell (a qemu without AVX2 would run the baseline one)
    expect(child.cpu).toEqual({ avx2: cpu !== 'Nehalem', avx512: false });
    expect(child.digests).toEqual(rowKernelDigests());
  }, 180_000);
});

describe('row kernels', () => {
  const bits = (t: tg.Tensor) => Buffer.from(t.contiguous().toTypedArray().buffer as ArrayBuffer).toString('hex');

  it('give a strided row the bits of the same row contiguous', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [7, 8, 9, 37]) { // a tail only, whole vectors, whole and a tail
        const x = tg.randn(n, 5, { dtype }).mul(4);
        expect(bits(x.softmax(0))).toBe(bits(x.T.contiguous().softmax(1).T));
        expect(bits(tg.F.logSoftmax(x, 0))).toBe(bits(tg.F.logSoftmax(x.T.contiguous(), 1).T));
        const g = tg.randn(n, 5, { dtype });
        const a = x.detach().requiresGrad_(), b = x.T.contiguous().requiresGrad_();
        a.softmax(0).backward(g);
        b.softmax(1).backward(g.T.contiguous());
        expect(bits(a.grad!)).toBe(bits(b.grad!.T));
      }
    }
  });

  it('make a row holding NaN or +inf NaN throughout, wherever it lies in the row, as PyTorch does', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const at of [0, 5, 17, 19]) { // in the first vector, a later one, the tail
        for (const bad of [NaN, Infinity]) {
          const v = Array.from({ length: 20 }, (_, i) => (i === at ? bad : i / 7));
          const x = tg.tensor([v, v.map(() => -Infinity), v.map((_, i) => i / 5)], { dtype });
          const s = x.softmax(1).tolist() as number[][], l = tg.F.logSoftmax(x, 1).tolist() as number[][];
          for (const rows of [s, l]) {
            expect(rows[0].every(Number.isNaN)).toBe(true);
            expect(rows[1].every(Number.isNaN)).toBe(true); // a row of -inf
            expect(rows[2].some(Number.isNaN)).toBe(false);
          }
        }
      }
    }
  });
});
