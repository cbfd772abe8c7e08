// The README's promises: its example runs and prints what the README shows, and every `npm run`
// command it names exists.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
});
