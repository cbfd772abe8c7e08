// LBFGS against PyTorch (scripts/fixtures/optimizers.py): the Rosenbrock function and a small
// least-squares problem, with and without the strong-Wolfe line search.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { driftBound, loadFixture, pattern } from '../helpers';

const { optim } = tg;
interface Call { loss: number; params: number[][]; func_evals: number; n_iter: number }
interface Run { calls: Call[]; drift: { losses: number[]; params: number[] } }
interface Fixture {
  lbfgs: {
    runs: { problem: 'rosenbrock' | 'least_squares'; options: Record<string, unknown>; float64: Run }[];
    float32: Run & { options: Record<string, unknown> };
  };
}
const { lbfgs } = loadFixture<Fixture>('optimizers.json');
const camelKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

type Problem = { params: tg.Tensor[]; loss: () => tg.Tensor };

function rosenbrock(dtype: 'float32' | 'float64'): Problem {
  const xy = tg.tensor([-1.5, 2.0], { dtype, requiresGrad: true });
  return {
    params: [xy],
    loss: () => {
      const [x, y] = [xy.index(0), xy.index(1)];
      return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
    },
  };
}

function leastSquares(dtype: 'float32' | 'float64'): Problem {
  const a = pattern([20, 5], 'float64', 70).to(dtype), b = pattern([20], 'float64', 71).to(dtype);
  const w = tg.zeros([5], { dtype, requiresGrad: true }), c = tg.zeros([1], { dtype, requiresGrad: true });
  return { params: [w, c], loss: () => a.mv(w).add(c).sub(b).pow(2).mean().add(w.pow(2).sum().mul(0.01)) };
}

const problems = { rosenbrock, least_squares: leastSquares };

/** Runs step(closure) once per fixture call, checking what each returns and leaves. */
function run(problem: Problem, options: Record<string, unknown>, calls: Call[], check: (got: Call, want: Call, i: number) => void): tg.optim.LBFGS {
  const opt = new optim.LBFGS(problem.params, camelKeys(options));
  const closure = () => {
    opt.zeroGrad();
    const loss = problem.loss();
    loss.backward();
    return loss;
  };
  calls.forEach((want, i) => {
    const loss = (opt.step(closure) as tg.Tensor).item() as number;
    const s = opt.state.get(problem.params[0]) as Record<string, unknown>;
    check({ loss, params: problem.params.map((p) => p.reshape(-1).tolist() as number[]), func_evals: s.funcEvals as number, n_iter: s.nIter as number }, want, i);
  });
  return opt;
}

const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flat().map((v, i) => Math.abs(v - b.flat()[i]))) / Math.max(...b.flat().map(Math.abs));

// Each iteration's line search and curvature pairs amplify rounding: on Rosenbrock PyTorch moves by
// up to 1.7e-6 from its own float64 run when the start moves by one ulp (the fixture's drift), so the
// bound is 1e-12 or 4 times that drift, whichever is larger.
describe('LBFGS against PyTorch', () => {
  it.each(lbfgs.runs.map((r) => [`${r.problem} ${JSON.stringify(r.options)}`, r] as const))('float64: %s', (_l, r) => {
    const { calls, drift } = r.float64;
    const bound = (d: number) => Math.max(1e-12, driftBound(d, 'float64'));
    run(problems[r.problem]('float64'), r.options, calls, (got, want, i) => {
      expect([got.func_evals, got.n_iter], `call ${i}: funcEvals, nIter`).toEqual([want.func_evals, want.n_iter]);
      expect(relDiff(got.loss, want.loss), `call ${i}: loss ${got.loss} vs ${want.loss}`).toBeLessThanOrEqual(bound(drift.losses[i]));
      expect(maxDiff(got.params, want.params), `call ${i}: params`).toBeLessThanOrEqual(bound(drift.params[i]));
    });
  });

  it('float32 least squares with strong Wolfe, within PyTorch\'s own drift', () => {
    const { calls, drift, options } = lbfgs.float32;
    run(leastSquares('float32'), options, calls, (got, want, i) => {
      expect(relDiff(got.loss, want.loss), `call ${i}: loss`).toBeLessThanOrEqual(driftBound(drift.losses[i], 'float32'));
      expect(maxDiff(got.params, want.params), `call ${i}: params`).toBeLessThanOrEqual(driftBound(drift.params[i], 'float32'));
    });
  });
});

describe('LBFGS', () => {
  it('keeps its state (history and all) as the first parameter\'s, and resumes from a state dict', () => {
    const r = lbfgs.runs[4];
    const a = leastSquares('float64');
    const opt = run(a, r.options, r.float64.calls.slice(0, 2), () => undefined);
    const s = opt.state.get(a.params[0]) as Record<string, unknown>;
    expect(Object.keys(s)).toEqual(['funcEvals', 'nIter', 'al', 'd', 't', 'oldDirs', 'oldStps', 'ro', 'HDiag', 'prevFlatGrad', 'prevLoss']);
    expect((s.oldDirs as tg.Tensor[]).length).toBe(3);
    const saved = opt.stateDict();
    expect(Object.keys(saved.state)).toEqual(['0']);
    // a fresh optimizer over a copy of the parameters, loaded from the state dict, takes the same next step
    const b = leastSquares('float64');
    b.params.forEach((p, i) => tg.noGrad(() => p.copy_(a.params[i])));
    const resumed = new optim.LBFGS(b.params, camelKeys(r.options));
    resumed.loadStateDict(saved);
    (saved.state[0].oldDirs as tg.Tensor[])[0].zero_(); // the optimizer holds copies
    for (const [o, p] of [[opt, a], [resumed, b]] as const) {
      o.step(() => {
        o.zeroGrad();
        const l = p.loss();
        l.backward();
        return l;
      });
    }
    expect(b.params.map((p) => p.tolist())).toEqual(a.params.map((p) => p.tolist()));
  });

  it("refuses parameter groups and a missing closure, as PyTorch does", () => {
    const [w, c] = [tg.zeros([2], { requiresGrad: true }), tg.zeros([1], { requiresGrad: true })];
    expect(() => new optim.LBFGS([{ params: [w] }, { params: [c], lr: 0.5 }])).toThrow("LBFGS doesn't support per-parameter options (parameter groups)");
    const opt = new optim.LBFGS([w]);
    opt.addParamGroup({ params: [c] });
    expect(() => opt.step(() => w.sum())).toThrow('Expected exactly one param_group, but got 2');
    expect(() => new optim.LBFGS([w]).step()).toThrow(TypeError);
    expect(() => new optim.LBFGS([w], { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new optim.LBFGS([w], { lineSearchFn: 'armijo' as never })).toThrow(TypeError);
    expect(() => new optim.LBFGS([w], { historySize: 3, maxIters: 3 } as never)).toThrow(/unknown option 'maxIters'/);
    expect(new optim.LBFGS([w], { maxIter: 10 }).defaults.maxEval).toBe(12);
  });

  it('returns at once when the gradient is already below toleranceGrad', () => {
    const w = tg.zeros([2], { requiresGrad: true });
    const opt = new optim.LBFGS([w]);
    let evals = 0;
    const loss = opt.step(() => {
      evals++;
      opt.zeroGrad();
      const l = w.pow(2).sum();
      l.backward();
      return l;
    });
    expect([evals, (loss as tg.Tensor).item(), w.tolist()]).toEqual([1, 0, [0, 0]]);
    expect(opt.state.get(w)).toEqual({ funcEvals: 1, nIter: 0 });
  });
});
