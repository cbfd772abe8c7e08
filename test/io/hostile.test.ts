// scripts/hostile.ts (its cases not marked slow): each hostile file in a child process of its own
// must give the outcome wanted, without a crash, within its time and peak-RSS limits.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

describe('scripts/hostile.ts', () => {
  it('every case stays within its limits', () => {
    const tsx = createRequire(join(root, 'package.json')).resolve('tsx/cjs');
    const r = spawnSync(process.execPath, ['--require', tsx, join(root, 'scripts', 'hostile.ts'), '--fast'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout, r.stderr).toMatch(/all \d+ cases within their limits/);
    expect(r.status).toBe(0);
  }, 150_000);
});
