// The kernels' own C++ unit tests (native/test/), built against native/kernels/ without Node-API
// and run by scripts/kernel-tests.js.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const compiler = spawnSync(process.env.CXX || 'c++', ['--version']).status === 0;

describe('kernels (C++ unit tests)', () => {
  it.skipIf(!compiler)('build and pass', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'kernel-tests.js')], { encoding: 'utf8' });
    const summary = /kernel tests: (\d+) passed, (\d+) failed/.exec(r.stdout);
    expect(summary, r.stdout + r.stderr).not.toBeNull();
    expect(r.stdout + r.stderr).not.toMatch(/FAIL/);
    expect(Number(summary![1])).toBeGreaterThan(10);
    expect(r.status).toBe(0);
  }, 300_000);
});
