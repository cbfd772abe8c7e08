// The examples run and print what their originals print (they use the built package, as users do).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const run = (file: string) =>
  execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'examples', file)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const out = join(root, 'examples', 'out');
const isPng = (p: string) => readFileSync(p).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

describe('examples', () => {
  it('scalar-autograd prints the three gradients', () => {
    expect(run('scalar-autograd.ts').trim().split('\n')).toEqual(['tensor([2.])', 'tensor([1.])', 'tensor([1.])']);
  });

  it('two-layer (manual gradients) and two-layer-autograd print the same 500 decreasing losses', () => {
    const parse = (s: string) => s.trim().split('\n').map((l) => l.split(' ').map(Number));
    const manual = parse(run('two-layer.ts')), auto = parse(run('two-layer-autograd.ts'));
    expect(manual.length).toBe(500);
    expect(manual.map(([t]) => t)).toEqual([...Array(500).keys()]);
    expect(manual[499][1]).toBeLessThan(manual[0][1] * 1e-6);
    manual.forEach(([, l], i) => expect(Math.abs(l - auto[i][1]) / l).toBeLessThan(1e-3));
  });

  it('linear-regression converges to w = 2', () => {
    expect(Number(run('linear-regression.ts').trim())).toBeCloseTo(2, 5);
  });

  it('linear-no-bias prints the cost and the parameter', () => {
    const s = run('linear-no-bias.ts');
    expect(s).toContain('Parameter containing:\ntensor([[1.9975]], requires_grad=True)');
  });

  it('regression prints the net and writes its plots', () => {
    rmSync(out, { recursive: true, force: true });
    const s = run('regression.ts');
    expect(s).toContain('Net(\n  (hidden): Linear(in_features=1, out_features=10, bias=True)\n  (predict): Linear(in_features=10, out_features=1, bias=True)\n)');
    expect(s).toMatch(/step 90: Loss=0\.0\d+/);
    for (const name of ['regression', 'regression-steps', 'regression-loss']) {
      expect(readFileSync(join(out, `${name}.svg`), 'utf8')).toContain('<svg');
      expect(isPng(join(out, `${name}.png`))).toBe(true);
    }
  });

  it('weight-init shows the four behaviours and writes its plot', () => {
    const s = run('weight-init.ts');
    expect(s).toContain('symmetry never breaks');
    expect(existsSync(join(out, 'weight-init.svg'))).toBe(true);
    expect(isPng(join(out, 'weight-init.png'))).toBe(true);
  });

  it('random-parity shows identical numbers', () => {
    const s = run('random-parity.ts');
    expect(s).not.toContain('DIFFERENT');
    expect(s.match(/identical/g)!.length).toBeGreaterThan(10);
  });
});
