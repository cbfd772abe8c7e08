// Saving replaces a file whole or not at all (issue 18, items 5 and 6): every save writes a
// temporary file beside the target and renames it over it, so a save killed midway leaves the old
// file, a failed one leaves no temporary file, and saveAsync saves the values of its call.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

const root = join(__dirname, '..', '..');
const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-atomic-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let serial = 0;
/** A fresh directory for one test. */
const dir = () => fs.mkdtempSync(join(work, `d${serial++}-`));
const temps = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith('.tmp'));

/** Whether every element of t is v. */
const all = (t: tg.Tensor, v: number) => !!t.eq(v).all().item();

describe('a save killed midway (item 5)', () => {
  it('leaves the old file or a new one, whole, when killed with SIGKILL at several moments', async () => {
    const d = dir();
    const files = { st: join(d, 'w.safetensors'), npz: join(d, 'w.npz') };
    const n = (8 << 20) / 4; // 8 MB per file
    const source = `
      const tg = require(${JSON.stringify(join(root, 'src', 'index.ts'))});
      const files = ${JSON.stringify(files)};
      const save = (v) => { const w = tg.full([${n}], v); tg.save({ w }, files.st); tg.saveNpz({ w }, files.npz); };
      save(1);
      process.stdout.write('ready\\n');
      for (let v = 2; ; v++) save(v);`;
    const tsx = createRequire(join(root, 'package.json')).resolve('tsx/cjs');
    let interrupted = 0;
    // kills at several moments; more (up to 12) until at least one has landed inside a save
    const delays = [10, 60, 150, 300, 25, 90, 200, 400, 40, 120, 250, 500];
    for (const [k, delay] of delays.entries()) {
      if (k >= 4 && interrupted > 0) break;
      const child = spawn(process.execPath, ['--require', tsx, '-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (b: Buffer) => {
          if (b.toString().includes('ready')) setTimeout(() => child.kill('SIGKILL'), delay);
        });
        child.on('exit', () => resolve());
      });
      expect(child.signalCode).toBe('SIGKILL');
      for (const w of [tg.load(files.st).w, tg.loadNpz(files.npz).w]) {
        expect(w.numel()).toBe(n);
        const first = w.min().item() as number;
        expect(first).toBeGreaterThanOrEqual(1);
        expect(all(w, first), 'one save\'s values throughout').toBe(true);
      }
      if (temps(d).length > 0) interrupted++; // the kill landed in a save, whose temporary file stays
      for (const f of temps(d)) fs.rmSync(join(d, f));
    }
    expect(interrupted).toBeGreaterThan(0);
  });
});

describe('a failed save leaves the target as it was and no temporary file (item 5)', () => {
  const old = { a: tg.ones(1000), b: tg.tensor([1, 2], { dtype: 'int32' }) };

  it('when a tensor cannot be written midway (a value that does not fit its narrow dtype)', async () => {
    const d = dir();
    const path = join(d, 'x.safetensors');
    tg.save(old, path);
    const before = fs.readFileSync(path);
    const bad = { a: tg.zeros(1000), b: tg.tensor([1, 300], { dtype: 'int32' }) }; // a is written first, then b fails
    expect(() => tg.save(bad, path, { dtypes: { b: 'U8' } })).toThrow(RangeError);
    await expect(tg.saveAsync(bad, path, { dtypes: { b: 'U8' } })).rejects.toThrow(RangeError);
    expect(fs.readFileSync(path).equals(before)).toBe(true);
    expect(temps(d)).toEqual([]);
  });

  it('when the target cannot be replaced (a directory) or its directory does not exist', async () => {
    const d = dir();
    const target = join(d, 'taken');
    fs.mkdirSync(target);
    const t = tg.ones(3);
    expect(() => tg.save({ t }, target)).toThrow(/EISDIR|EPERM|EEXIST|ENOTEMPTY/);
    await expect(tg.saveAsync({ t }, target)).rejects.toThrow(/EISDIR|EPERM|EEXIST|ENOTEMPTY/);
    expect(() => tg.saveNpy(t, target)).toThrow(/EISDIR|EPERM|EEXIST|ENOTEMPTY/);
    expect(() => tg.saveNpz({ t }, target)).toThrow(/EISDIR|EPERM|EEXIST|ENOTEMPTY/);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(temps(d)).toEqual([]);
    expect(() => tg.save({ t }, join(d, 'missing', 'x.safetensors'))).toThrow(/ENOENT/);
    expect(fs.readdirSync(d)).toEqual(['taken']);
  });

  it('when what to save is not tensors: nothing is created', () => {
    const d = dir();
    expect(() => tg.saveNpz({ a: tg.ones(1), b: 3 as unknown as tg.Tensor }, join(d, 'x.npz'))).toThrow(TypeError);
    expect(() => tg.saveNpy('x' as unknown as tg.Tensor, join(d, 'x.npy'))).toThrow(TypeError);
    expect(fs.readdirSync(d)).toEqual([]);
  });
});

describe('what a save replaces', () => {
  it('a symbolic link keeps pointing at the file, which is replaced; the file keeps its permissions', () => {
    const d = dir();
    const real = join(d, 'real.safetensors'), link = join(d, 'link.safetensors');
    tg.save({ a: tg.ones(2) }, real);
    fs.chmodSync(real, 0o600);
    fs.symlinkSync(real, link);
    tg.save({ a: tg.zeros(2) }, link);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(tg.load(real).a.tolist()).toEqual([0, 0]);
    if (process.platform !== 'win32') expect(fs.statSync(real).mode & 0o777).toBe(0o600);
  });

  it.runIf(fs.existsSync('/dev/null'))('a device such as /dev/null is written in place, never replaced', () => {
    tg.save({ a: tg.ones(2) }, '/dev/null');
    tg.saveNpz({ a: tg.ones(2) }, '/dev/null');
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe('saveAsync saves the values of its call (item 6)', () => {
  it('changing a tensor while the promise is pending does not change what is saved', async () => {
    const path = join(dir(), 'w.safetensors');
    const w = tg.zeros(100_000), v = tg.arange(10, { dtype: 'float64' });
    const p = tg.saveAsync({ w, v }, path);
    w.fill_(1);
    v.mul_(2);
    await p;
    const back = tg.load(path);
    expect(all(back.w, 0)).toBe(true);
    expect(back.v.tolist()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('concurrent saves to one path each write a whole file (the last rename wins)', async () => {
    const d = dir();
    const path = join(d, 'w.safetensors');
    const checkpoint = (v: number) => Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t${i}`, tg.full([1 << 18], v)]));
    const [zeros, ones] = [checkpoint(0), checkpoint(1)];
    for (let round = 0; round < 10; round++) {
      await Promise.all([tg.saveAsync(zeros, path), tg.saveAsync(ones, path)]);
      const back = tg.load(path);
      const v = back.t0.min().item() as number;
      for (const t of Object.values(back)) expect(all(t, v), `round ${round}: one checkpoint throughout`).toBe(true);
    }
    expect(temps(d)).toEqual([]);
  });
});
