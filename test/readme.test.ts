// The README's promises: its example runs and prints what the README shows, and every `npm run`
// command it names exists.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** The fenced blocks of the README, in order: [language, text]. */
const blocks = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => [m[1], m[2]] as const);

describe('README', () => {
  it('the example at the top runs and prints the output shown under it', () => {
    const code = blocks.find(([lang]) => lang === 'ts')![1];
    const shown = blocks[blocks.findIndex(([, text]) => text === code) + 1][1];
    // A project of its own, where 'tensorgrad' is this package (examples/out/ belongs to another test file)
    const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-readme-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'tensorgrad'), 'dir');
    writeFileSync(join(dir, 'example.ts'), code);
    const printed = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(dir, 'example.ts')], { cwd: dir, encoding: 'utf8' });
    expect(printed).toBe(shown);
    expect(readFileSync(join(dir, 'net.safetensors')).length).toBeGreaterThan(100);
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  it('every `npm run` command it names is a script of the package', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const named = [...new Set([...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]))];
    expect(named).toContain('demo');
    expect(named.filter((n) => !(n in scripts))).toEqual([]);
  });

  it('the table of supported ops names every Tensor method and every tg.* function', () => {
    const section = readme.slice(readme.indexOf('## Supported ops'), readme.indexOf('## What it does'));
    // `add(_)` names add and add_; `x.op`, `tg.op`, `tg.linalg.op` and `autograd.op` name op
    const listed = new Set<string>();
    for (const m of section.matchAll(/`([^`]+)`/g)) {
      const name = m[1].replace(/^(x|tg|F|tg\.F|tg\.linalg|linalg|autograd|tg\.autograd)\./, '');
      const base = /^(\w+)(\(_\))?/.exec(name);
      if (!base) continue;
      listed.add(base[1]);
      if (base[2]) listed.add(`${base[1]}_`);
    }
    const proto = Object.getOwnPropertyNames(tg.Tensor.prototype).filter((n) => n !== 'constructor' && !n.startsWith('_'));
    const exported = Object.keys(tg).filter((k) => typeof (tg as Record<string, unknown>)[k] === 'function');
    const namespaces = [tg.F, tg.linalg, tg.autograd].flatMap((ns) => Object.keys(ns).filter((k) => typeof (ns as Record<string, unknown>)[k] === 'function'));
    // F's helpers for other modules, not ops
    const helpers = new Set(['lossOptions', 'paddingIndex', 'reductionOf']);
    const missing = [...new Set([...proto, ...exported, ...namespaces])].filter((n) => !listed.has(n) && !helpers.has(n));
    expect(missing).toEqual([]);
  });
});
