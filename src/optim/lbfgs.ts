/** L-BFGS (torch.optim.LBFGS), with an optional strong-Wolfe line search. */
import { noGrad } from '../autograd/grad_mode';
import { cat } from '../ops/join';
import { keep } from '../storage';
import { kinds } from '../options';
import type { Tensor } from '../tensor';
import { strongWolfe } from './line_search';
import { checkNonNegative, type Closure, Optimizer, optimizerOptions, type Params } from './optimizer';

export interface LBFGSOptions {
  lr: number;
  maxIter: number;
  /** Evaluations of the closure per step; default maxIter * 5 / 4, rounded down. */
  maxEval: number | null;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
}

const SPEC = {
  lr: 'number', maxIter: 'number', maxEval: kinds.numberOrNull, toleranceGrad: 'number', toleranceChange: 'number', historySize: 'number',
  lineSearchFn: kinds.oneOf('strong_wolfe', null),
} as const;

const toNumber = (v: Tensor | number): number => (typeof v === 'number' ? v : (v.item() as number));

/**
 * L-BFGS (torch.optim.LBFGS): each step(closure) runs up to maxIter quasi-Newton iterations from
 * the last historySize curvature pairs, with a fixed step lr or a strong-Wolfe line search
 * (lineSearchFn: 'strong_wolfe'), and returns the closure's first loss. It works on all
 * parameters as one flat vector, so it takes one parameter group only. Its state (funcEvals,
 * nIter, d, t, oldDirs, oldStps, ro, HDiag, prevFlatGrad, prevLoss, al) is the first parameter's.
 * @example
 * const opt = new optim.LBFGS([x], { lineSearchFn: 'strong_wolfe' });
 * opt.step(() => { opt.zeroGrad(); const loss = f(x); loss.backward(); return loss; });
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<LBFGSOptions>, opts: Partial<LBFGSOptions> | number = {}) {
    const o: LBFGSOptions = {
      lr: 1, maxIter: 20, maxEval: null, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null, ...optimizerOptions('LBFGS', opts, SPEC),
    };
    checkNonNegative(o.lr, 'learning rate');
    o.maxEval ??= Math.floor((o.maxIter * 5) / 4);
    super(params, o, SPEC);
    if (this.paramGroups.length !== 1) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  /** Every parameter's gradient (zeros where none), flattened into one vector. */
  private gatherFlatGrad(): Tensor {
    return cat(this.params.map((p) => (p._grad === null ? p.newZeros([p.numel()]) : p._grad.reshape(-1))));
  }

  /** Adds stepSize * update (one flat vector) to the parameters. */
  private addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      const n = p.numel();
      p.add_(update.narrow(0, offset, n).view(p.shape), { alpha: stepSize });
      offset += n;
    }
  }

  /** The loss and flat gradient at x + t * d, the parameters set back to x afterwards. */
  private directionalEvaluate(closure: Closure, x: Tensor[], t: number, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = toNumber(this.evaluate(closure) as Tensor | number);
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]));
    return [loss, flatGrad];
  }

  /** Runs up to maxIter iterations; closure clears the gradients, computes the loss, calls backward and returns the loss. */
  step(closure?: Closure): Tensor | number {
    if (typeof closure !== 'function') throw new TypeError('LBFGS.step() needs a closure that recomputes the loss and its gradients');
    if (this.paramGroups.length !== 1) throw new RangeError(`Expected exactly one param_group, but got ${this.paramGroups.length}`);
    this.checkParameters();
    return noGrad(() => this.iterate(closure));
  }

  private iterate(closure: Closure): Tensor | number {
    const group = this.paramGroups[0];
    const { lr, maxIter, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const maxEval = group.maxEval ?? Math.floor((maxIter * 5) / 4);
    // PyTorch keeps these scalars in 0-dim tensors of the parameters' dtype
    const r = this.params[0].dtype === 'float32' ? Math.fround : (v: number) => v;
    const state = this.stateOf(this.params[0]);
    const origLoss = this.evaluate(closure) as Tensor | number;
    let loss = toNumber(origLoss);
    let currentEvals = 1;
    state.funcEvals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = (flatGrad.abs().max().item() as number) <= toleranceGrad;
    if (optCond) return origLoss;

    let { d, t, prevFlatGrad, prevLoss } = state;
    let h: History = { oldDirs: state.oldDirs ?? [], oldStps: state.oldStps ?? [], ro: state.ro ?? [], HDiag: state.HDiag ?? 1 };
    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.nIter += 1;
      if (state.nIter === 1) {
        d = flatGrad.neg();
        h = { oldDirs: [], oldStps: [], ro: [], HDiag: 1 };
      } else {
        remember(h, flatGrad.sub(prevFlatGrad as Tensor), (d as Tensor).mul(t as number), historySize, r);
        state.al ??= new Array<number | null>(historySize).fill(null);
        d = twoLoop(flatGrad, h, state.al, r);
      }
      prevFlatGrad = flatGrad;
      prevLoss = loss;
      // the first step is scaled down to at most lr / |grad|_1
      t = state.nIter === 1 ? Math.min(1.0, r(1.0 / (flatGrad.abs().sum().item() as number))) * lr : lr;
      const gtd = r(flatGrad.dot(d).item() as number);
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const x = this.params.map((p) => p.clone());
        const dir = d;
        const found = strongWolfe((tt) => this.directionalEvaluate(closure, x, tt, dir), t, d, loss, flatGrad, gtd, maxEval - currentEvals);
        [loss, flatGrad, t, lsFuncEvals] = [found.loss, found.flatGrad, found.t, found.funcEvals];
        this.addGrad(t, d);
        optCond = (flatGrad.abs().max().item() as number) <= toleranceGrad;
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          loss = toNumber(this.evaluate(closure) as Tensor | number);
          flatGrad = this.gatherFlatGrad();
          optCond = (flatGrad.abs().max().item() as number) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.funcEvals += lsFuncEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      if ((d.mul(t).abs().max().item() as number) <= toleranceChange) break;
      if (Math.abs(loss - (prevLoss as number)) < toleranceChange) break;
    }
    Object.assign(state, { d: keep(d), t, ...h, prevFlatGrad: keep(prevFlatGrad), prevLoss });
    return origLoss;
  }

  /** @internal Its state (directions, gradients) is over all the parameters flattened. */
  protected override stateShapedLikeParams(): boolean {
    return false;
  }

  /** The state of the run, kept as the first parameter's, with PyTorch's defaults. */
  private stateOf(p: Tensor): LBFGSState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    s.funcEvals ??= 0;
    s.nIter ??= 0;
    return s as unknown as LBFGSState;
  }
}

/** The curvature pairs (y, s: oldDirs, oldStps), their 1 / y.s (ro), and the initial Hessian scale HDiag. */
interface History {
  oldDirs: Tensor[];
  oldStps: Tensor[];
  ro: number[];
  HDiag: number;
}

/** Adds the pair (y, s) to the history if its curvature y.s is positive enough, dropping the oldest beyond historySize. */
function remember(h: History, y: Tensor, s: Tensor, historySize: number, r: (v: number) => number): void {
  const ys = r(y.dot(s).item() as number);
  if (!(ys > 1e-10)) return;
  if (h.oldDirs.length === historySize) {
    h.oldDirs.shift();
    h.oldStps.shift();
    h.ro.shift();
  }
  h.oldDirs.push(keep(y));
  h.oldStps.push(keep(s));
  h.ro.push(r(1.0 / ys));
  h.HDiag = r(ys / r(y.dot(y).item() as number));
}

/** The quasi-Newton direction -H grad by the two-loop recursion (al: its scratch, kept in the state as PyTorch does). */
function twoLoop(flatGrad: Tensor, h: History, al: (number | null)[], r: (v: number) => number): Tensor {
  const q = flatGrad.neg();
  for (let i = h.oldDirs.length - 1; i >= 0; i--) {
    al[i] = r(r(h.oldStps[i].dot(q).item() as number) * h.ro[i]);
    q.add_(h.oldDirs[i], { alpha: -(al[i] as number) });
  }
  const d = q.mul(h.HDiag);
  for (let i = 0; i < h.oldDirs.length; i++) {
    const be = r(r(h.oldDirs[i].dot(d).item() as number) * h.ro[i]);
    d.add_(h.oldStps[i], { alpha: r((al[i] as number) - be) });
  }
  return d;
}

/** LBFGS's state, as kept in the optimizer's state map (PyTorch's names, camelCased). */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d: Tensor | null;
  t: number | null;
  oldDirs?: Tensor[];
  oldStps?: Tensor[];
  ro?: number[];
  HDiag: number | null;
  prevFlatGrad: Tensor | null;
  prevLoss: number | null;
  al?: (number | null)[];
}
