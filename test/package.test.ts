// The package as users load it: the compiled build through require and import.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe('the built package', () => {
  it('works through require', () => {
    const out = run(['-e', `
      const tg = require('.');
      const x = tg.randn(64, 1000), w = tg.randn(1000, 100);
      const info = tg.backendInfo();
      console.log(JSON.stringify({ shape: x.mm(w).clamp(0).shape, blas: info.blas, version: info.version }));`]);
    const r = JSON.parse(out) as { shape: number[]; blas: string; version: string };
    expect(r.shape).toEqual([64, 100]);
    expect(r.blas).not.toBe('');
    expect(r.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('works through import, named and namespace, sharing one instance with require', () => {
    const out = run(['--input-type=module', '-e', `
      import * as tg from 'tensorgrad';
      import { tensor, randn } from 'tensorgrad';
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('tensorgrad');
      const y = randn(64, 1000).mm(tg.randn(1000, 100)).clamp(0);
      console.log(JSON.stringify({ shape: y.shape, same: cjs.Tensor === tg.Tensor, s: tensor([[1, -2.5]]).toString() }));`]);
    expect(JSON.parse(out)).toEqual({ shape: [64, 100], same: true, s: 'tensor([[ 1.0000, -2.5000]])' });
  });

  it('backendInfo reports the BLAS, its kernels and thread count', () => {
    const info = JSON.parse(run(['-e', 'console.log(JSON.stringify(require(".").backendInfo()))'])) as Record<string, unknown>;
    expect(info).toHaveProperty('blasCoreType');
    expect(info).toHaveProperty('threads');
    expect(['user', 'tensorgrad', 'openblas']).toContain(info.blasCoreChoice);
  });

  it('a user-set OPENBLAS_CORETYPE is respected and reported', () => {
    const out = execFileSync(process.execPath, ['-e', 'const i = require(".").backendInfo(); console.log(i.blas, i.blasCoreChoice, i.blasCoreType)'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, OPENBLAS_CORETYPE: 'Haswell' },
    });
    if (out.startsWith('OpenBLAS')) expect(out.trim()).toBe('OpenBLAS user Haswell');
  });

  it('does not pass its OpenBLAS choice on to child processes', () => {
    const out = run(['-e', 'require("."); console.log(process.env.OPENBLAS_CORETYPE ?? "unset")']);
    expect(out.trim()).toBe(process.env.OPENBLAS_CORETYPE ?? 'unset');
  });

  it('reports the binary it loaded; TENSORGRAD_PREBUILD=<dir> loads the build in <dir> instead', () => {
    const addon = (JSON.parse(run(['-e', 'console.log(JSON.stringify(require(".").backendInfo()))'])) as { addon: string }).addon;
    const base = process.env.TENSORGRAD_PREBUILD ?? root; // CI runs the suite a second time on its CMake build
    expect([join(base, 'build', 'Release', 'tensorgrad.node'), join(base, 'prebuilds')].some((p) => addon.startsWith(p))).toBe(true);
  });

  it('says what to do when there is no binary, or one that does not load', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-nobuild-'));
    const load = () => spawnSync(process.execPath, ['-e', 'require(".")'], { cwd: root, encoding: 'utf8', env: { ...process.env, TENSORGRAD_PREBUILD: dir } });
    const missing = load();
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`tensorgrad: no native addon for ${process.platform}-${process.arch}`);
    expect(missing.stderr).toContain('npm rebuild tensorgrad');
    fs.mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(join(dir, 'build', 'Release', 'tensorgrad.node'), 'not a shared library');
    const broken = load();
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`tensorgrad: could not load its native addon ${join(dir, 'build', 'Release', 'tensorgrad.node')}`);
    expect(broken.stderr).toContain('Rebuild it with `npm rebuild tensorgrad`');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
