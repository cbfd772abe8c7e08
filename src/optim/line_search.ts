/**
 * The strong-Wolfe line search of LBFGS (torch/optim/lbfgs.py's _strong_wolfe and
 * _cubic_interpolate, from minFunc): brackets a step length t along direction d, then zooms in by
 * cubic interpolation until the loss has decreased enough (Armijo, c1) and the slope has flattened
 * (curvature, c2). Vectors are tensors; every scalar is a number.
 */
import type { Tensor } from '../tensor';

/** Evaluates the loss and flat gradient at x + t * d (leaving the parameters at x). */
export type Objective = (t: number) => [loss: number, flatGrad: Tensor];

/** The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, within bounds. */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 ** 2 - g1 * g2;
  if (!(d2Square >= 0)) return (lo + hi) / 2.0;
  const d2 = Math.sqrt(d2Square);
  const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minPos, lo), hi);
}

interface Point {
  t: number;
  f: number;
  g: Tensor;
  gtd: number;
}

export interface LineSearchResult {
  loss: number;
  flatGrad: Tensor;
  t: number;
  funcEvals: number;
}

/**
 * Searches along d from the point with loss f, gradient g and slope gtd (< 0), starting at step t,
 * with at most maxLs evaluations past the first.
 */
export function strongWolfe(obj: Objective, t: number, d: Tensor, f: number, g: Tensor, gtd: number, maxLs = 25, toleranceChange = 1e-9): LineSearchResult {
  const c1 = 1e-4, c2 = 0.9;
  const dNorm = d.abs().max().item() as number;
  let [fNew, gNew] = obj(t);
  let funcEvals = 1;
  let gtdNew = gNew.dot(d).item() as number;
  let prev: Point = { t: 0, f, g, gtd };
  let bracket: Point[] | null = null;
  let done = false;
  let lsIter = 0;
  // bracketing: find an interval that holds a point satisfying the strong Wolfe conditions
  while (lsIter < maxLs) {
    const here: Point = { t, f: fNew, g: gNew, gtd: gtdNew };
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= prev.f)) {
      bracket = [prev, here];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [here];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [prev, here];
      break;
    }
    const minStep = t + 0.01 * (t - prev.t), maxStep = t * 10;
    t = cubicInterpolate(prev.t, prev.f, prev.gtd, t, fNew, gtdNew, [minStep, maxStep]);
    prev = here;
    [fNew, gNew] = obj(t);
    funcEvals += 1;
    gtdNew = gNew.dot(d).item() as number;
    lsIter += 1;
  }
  if (lsIter === maxLs) bracket = [{ t: 0, f, g, gtd }, { t, f: fNew, g: gNew, gtd: gtdNew }];
  const b = bracket as Point[];
  // zoom: shrink the interval until a point satisfies them, or the interval is too small
  let insufProgress = false;
  let [low, high] = b[0].f <= b[b.length - 1].f ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(b[1].t - b[0].t) * dNorm < toleranceChange) break;
    t = cubicInterpolate(b[0].t, b[0].f, b[0].gtd, b[1].t, b[1].f, b[1].gtd);
    const bMax = Math.max(b[0].t, b[1].t), bMin = Math.min(b[0].t, b[1].t);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      // too close to an end: move away from it, unless the last try made progress there
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = obj(t);
    funcEvals += 1;
    gtdNew = gNew.dot(d).item() as number;
    lsIter += 1;
    const here: Point = { t, f: fNew, g: gNew, gtd: gtdNew };
    if (fNew > f + c1 * t * gtd || fNew >= b[low].f) {
      b[high] = here;
      [low, high] = b[0].f <= b[1].f ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (b[high].t - b[low].t) >= 0) b[high] = b[low];
      b[low] = here;
    }
  }
  const best = b[low];
  return { loss: best.f, flatGrad: best.g, t: best.t, funcEvals };
}
