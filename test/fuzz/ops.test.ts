// A seeded subset of the op fuzz suite (test/fuzz/ops-fuzz.ts; scripts/fuzz-ops.ts runs many more).
import { describe, expect, it } from 'vitest';
import { runCase, type Failure } from './ops-fuzz';

describe('fuzz: random shapes, views, dtypes and values against a reference', () => {
  it('1500 seeded cases', () => {
    const failures: Failure[] = [];
    const ops = new Set<string>();
    for (let seed = 1; seed <= 1500; seed++) ops.add(runCase(seed, failures));
    expect(failures.slice(0, 5)).toEqual([]);
    expect(ops.size).toBeGreaterThan(25);
  });
});
