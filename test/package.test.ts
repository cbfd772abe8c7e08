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

  it('replaces an OPENBLAS_CORETYPE this CPU cannot run (FMA4, 3DNow! kernels) with OpenBLAS\'s own choice, with a warning', () => {
    const flags = new Set((/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
    const cannot = [['Bulldozer', 'fma4'], ['Excavator', 'fma4'], ['Opteron', '3dnow']].filter(([, f]) => !flags.has(f)).map(([c]) => c);
    for (const core of cannot) {
      const r = spawnSync(process.execPath, ['-e', 'const tg = require("."); const i = tg.backendInfo(); tg.randn(64, 300).mm(tg.randn(300, 20)); console.log(i.blas, i.blasCoreChoice, i.blasCoreType)'], {
        cwd: root, encoding: 'utf8', env: { ...process.env, OPENBLAS_CORETYPE: core },
      });
      expect(r.status, `${core}: ${r.stderr}`).toBe(0); // not SIGILL
      if (!r.stdout.startsWith('OpenBLAS')) continue;
      expect(r.stdout).toMatch(/^OpenBLAS openblas \w+/);
      expect(r.stdout.trim().split(' ')[2]).not.toBe(core);
      expect(r.stderr).toContain(`OPENBLAS_CORETYPE=${core} names OpenBLAS kernels (${core}) that this CPU cannot run`);
    }
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

  it('publishes types without internals: no underscore members, nothing marked @internal', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.d.ts')) files.push(join(dir, e.name));
      }
    };
    walk(join(root, 'dist'));
    expect(files.length).toBeGreaterThan(10);
    const leaks = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n')
      .filter((l) => /^\s+(?:(?:readonly|static|private|protected)\s+)*_\w*[?!]?\s*[:(<=]/.test(l) || l.includes('@internal'))
      .map((l) => `${f.slice(root.length + 1)}: ${l.trim()}`));
    expect(leaks).toEqual([]);
  });

  it('types item() as a number, and item<boolean>() for bool tensors, in user code', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-types-'));
    fs.writeFileSync(join(dir, 'user.ts'), [
      `import * as tg from ${JSON.stringify(join(root, 'dist', 'index'))};`,
      'const loss: number = tg.tensor([1, 2]).sum().item();',
      'const ok: boolean = tg.tensor([1, 2]).gt(0).all().item<boolean>();',
      'const json: string = JSON.stringify({ t: tg.tensor([1]) });',
      'console.log(loss, ok, json);',
    ].join('\n'));
    const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), join(dir, 'user.ts')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('JSON.stringify gives a tensor\'s dtype, shape and values, not its internals', () => {
    const out = run(['-e', 'const tg = require("."); console.log(JSON.stringify({ t: tg.tensor([[1, 2]], { requiresGrad: true }), i: tg.tensor([3], { dtype: "int64" }), b: tg.tensor(true) }))']);
    expect(JSON.parse(out)).toEqual({
      t: { dtype: 'float32', shape: [1, 2], data: [[1, 2]] },
      i: { dtype: 'int64', shape: [1], data: [3] },
      b: { dtype: 'bool', shape: [], data: true },
    });
  });
});
