// Hostile calls straight into every exported native function (scripts/fuzz-native.js), in a child
// process: each call returns or throws a JavaScript Error, and the process never crashes.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('fuzz: every native entry point with hostile arguments', () => {
  it('20000 seeded calls, no crash', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'fuzz-native.js'), '--calls', '20000', '--seed', '7'], { encoding: 'utf8' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { calls: number; threw: number; returned: number; functions: number };
    expect(summary.calls).toBe(20000);
    expect(summary.functions).toBeGreaterThan(70);
    expect(summary.threw + summary.returned).toBe(20000);
    expect(summary.returned).toBeGreaterThan(0); // some calls got through every check and ran
  }, 60000);
});
