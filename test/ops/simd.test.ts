// Kernels compiled once per instruction set (AVX-512, AVX2, baseline x86-64; native/kernels/simd.h)
// must give the same bits whichever copy the CPU runs: compared here across CPUs that qemu's
// user-mode emulator presents to node (Haswell: AVX2 without AVX-512; Nehalem: no AVX at all).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rowKernelDigests } from './row-kernels';

const root = join(__dirname, '..', '..');
const qemu = ['/usr/bin/qemu-x86_64', '/usr/local/bin/qemu-x86_64'].find((p) => existsSync(p));
const x64linux = process.platform === 'linux' && process.arch === 'x64';

describe('row kernels on every instruction set', () => {
  it.runIf(x64linux && qemu !== undefined).each(['Haswell-noTSX', 'Nehalem'])('an emulated %s CPU gives the bits of this one', (cpu) => {
    const out = execFileSync(qemu!, ['-cpu', cpu, process.execPath, '--import', 'tsx', join(__dirname, 'row-kernels.ts')], {
      cwd: root, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'], // qemu warns of CPU features it does not emulate
    });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual(rowKernelDigests());
  }, 180_000);
});
