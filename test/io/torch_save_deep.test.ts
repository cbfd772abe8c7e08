// tg.save in the torch format of values nested as deep as it allows, in a process of their own: a
// first call runs unoptimized code, whose stack frames are the largest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import * as tg from '../../src/index';

const dir = mkdtempSync(join(tmpdir(), 'tg-torch-deep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('saves objects, Maps and arrays nested 999 deep, the first time too, and refuses 1000', () => {
  const nest = (depth: number, wrap: (v: unknown) => unknown) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = wrap(v);
    return v as tg.TorchSaveable;
  };
  const kinds: [string, (v: unknown) => unknown][] = [['objects', (v) => ({ a: v })], ['Maps', (v) => new Map([['a', v]])], ['arrays', (v) => [v]]];
  for (const [what, wrap] of kinds) {
    const path = join(dir, `${what}.pt`);
    tg.save(nest(999, wrap), path);
    let v = tg.load<unknown>(path);
    let depth = 0;
    for (; typeof v === 'object' && v !== null; depth++) v = Array.isArray(v) ? v[0] : (v as { a: unknown }).a;
    expect(depth, what).toBe(999);
    expect(() => tg.save(nest(1001, wrap), path), what).toThrow(/is nested more than 1000 levels deep/);
  }
});
