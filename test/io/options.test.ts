// The IO functions' options (issue 18, item 3): `{ maxBytes }` caps what an untrusted file may make
// a loader allocate, unknown keys and non-objects are TypeErrors; and files that are not regular
// files (/dev/zero, a pipe) are refused instead of read forever.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { npy, zip } from './craft';

const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-io-options-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const tmp = (name: string) => join(work, name);

const files = (() => {
  const x = tg.arange(1000, { dtype: 'float32' });
  tg.save({ x }, tmp('x.safetensors'), { metadata: { k: 'v'.repeat(1000) } });
  tg.saveNpy(x, tmp('x.npy'));
  tg.saveNpz({ x }, tmp('x.npz'), { compressed: true });
  // float16 elements load as float32 (with a staging copy): 2000 bytes declared, 6000 allocated
  fs.writeFileSync(tmp('h.npz'), zip([{ name: 'h.npy', data: npy('<f2', [1000], Buffer.alloc(2000)) }]));
  return { st: tmp('x.safetensors'), npy: tmp('x.npy'), npz: tmp('x.npz'), half: tmp('h.npz') };
})();

type Loader = (path: string, opts?: { maxBytes?: number }) => unknown;
const loaders: [string, Loader, string][] = [
  ['load', tg.load, files.st],
  ['loadAsync', tg.loadAsync, files.st],
  ['loadMetadata', tg.loadMetadata, files.st],
  ['loadNpy', tg.loadNpy, files.npy],
  ['loadNpz', tg.loadNpz, files.npz],
];

/** Calls f, awaiting a promise; returns what it threw. */
async function thrown(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}

describe('{ maxBytes }', () => {
  for (const [name, load, path] of loaders) {
    it(`${name}() refuses a file that asks for more, naming maxBytes and the size asked for; loads one that asks for less`, async () => {
      const e = await thrown(() => load(path, { maxBytes: 100 }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(new RegExp(`^${name}\\(\\): .* asks for \\d+ bytes, more than maxBytes \\(100\\)`));
      await load(path, { maxBytes: 10_000 });
      await load(path, { maxBytes: Infinity });
    });
  }

  it('counts the arrays as loaded (float16 widened to float32), not only the declared sizes', () => {
    expect(() => tg.loadNpz(files.half, { maxBytes: 5000 })).toThrow(/loadNpz\(\): .*its arrays as loaded, up to h\.npy.* asks for 6000 bytes, more than maxBytes \(5000\)/);
    expect(tg.loadNpz(files.half, { maxBytes: 6000 }).h.dtype).toBe('float32');
  });

  it('must be a non-negative number', async () => {
    for (const [name, load, path] of loaders) {
      expect(await thrown(() => load(path, { maxBytes: -1 }))).toBeInstanceOf(RangeError);
      const e = await thrown(() => load(path, { maxBytes: '1' as unknown as number }));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(new RegExp(`^${name}\\(\\): option 'maxBytes' must be a number`));
    }
  });
});

describe('options objects', () => {
  it('an unknown key is a TypeError naming the function and the key', async () => {
    for (const [name, load, path] of loaders) {
      const e = await thrown(() => load(path, { maxbytes: 1 } as never));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(new RegExp(`^${name}\\(\\): unknown option 'maxbytes'`));
    }
    const t = tg.ones(2);
    expect(() => tg.save({ t }, tmp('o.safetensors'), { metdata: {} } as never)).toThrow(/^save\(\): unknown option 'metdata'/);
    await expect(tg.saveAsync({ t }, tmp('o.safetensors'), { dtype: {} } as never)).rejects.toThrow(/^saveAsync\(\): unknown option 'dtype'/);
    expect(() => tg.saveNpz({ t }, tmp('o.npz'), { compresed: true } as never)).toThrow(/^saveNpz\(\): unknown option 'compresed'/);
  });

  it('something else where the options belong is a TypeError', async () => {
    for (const [name, load, path] of loaders) {
      for (const bad of [5, 'x', null, [1], tg.ones(1)]) {
        const e = await thrown(() => load(path, bad as never));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toMatch(new RegExp(`^${name}\\(\\): expected an options object`));
      }
    }
    expect(() => tg.saveNpz({ a: tg.ones(1) }, tmp('o.npz'), true as never)).toThrow(/^saveNpz\(\): expected an options object/);
    expect(() => tg.saveNpz({ a: tg.ones(1) }, tmp('o.npz'), { compressed: 1 } as never)).toThrow(/option 'compressed' must be a boolean/);
  });
});

describe('files that are not regular files', () => {
  it.runIf(fs.existsSync('/dev/zero'))('/dev/zero is refused at once by every loader, never read', async () => {
    for (const [name, load] of loaders) {
      const e = await thrown(() => load('/dev/zero'));
      expect(e, name).toBeInstanceOf(tg.FormatError);
      expect(e.message).toBe('/dev/zero: not a regular file (it is a character device)');
    }
  });

  it('a directory is refused', async () => {
    for (const [, load] of loaders) expect((await thrown(() => load(work))).message).toMatch(/EISDIR|not a regular file \(it is a directory\)/);
  });

  it.runIf(spawnSync('mkfifo', ['--help'], { stdio: 'ignore' }).status === 0)('a named pipe is refused without waiting for a writer', async () => {
    const fifo = tmp('fifo');
    spawnSync('mkfifo', [fifo]);
    for (const [name, load] of loaders) expect((await thrown(() => load(fifo))).message, name).toBe(`${fifo}: not a regular file (it is a pipe)`);
  });
});
