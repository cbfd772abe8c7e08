/**
 * Every backward rule, in one table keyed by the name of the op that records it (its function in
 * src/ops/, and its kernel in native/; an in-place op records under its out-of-place name, as
 * `add_` under `add`). A rule gets the gradient of the op's output and returns one gradient per
 * input (null where none is needed). Rules return gradients in the broadcast shape: the engine sums
 * them back to each input's shape and converts them to its dtype. Formulas follow PyTorch's
 * tools/autograd/derivatives.yaml, including its choices at ties, zeros and clamp boundaries, and
 * call the ops they need (fused backward kernels among them) by name, as that table does.
 *
 * A rule reads only what its `saves` declares (the inputs, the output, or both); those are kept
 * alive until backward and checked against in-place changes. src/autograd/rules.ts installs the
 * table into the engine (graph.ts), which imports no op.
 */
import { scaledDotProductAttentionBackward } from '../ops/attention';
import { col2im, im2col, type WindowGeometry } from '../ops/im2col';
import { batchNormBackward } from '../ops/batch_norm';
import { ctcLossBackward, type CtcContext } from '../ops/ctc_loss';
import { layerNormBackward } from '../ops/layer_norm';
import * as pool from '../ops/pool';
import { accumulateMm } from '../ops/linalg';
import { mseLossBackward, type SumOrMean } from '../ops/mse_loss';
import { nllLossBackward, type NllContext } from '../ops/nll_loss';
import { rnnLayerBackward } from '../ops/rnn';
import { softmaxBackward } from '../ops/softmax';
import { cumprodBackward } from '../ops/scan';
import { scatterReduceBackward } from '../ops/scatter_reduce';
import { indexBackward, indexPutBackward } from '../ops/subscript';
import { clampBackward, geluBackward, thresholdBackward } from '../ops/unary';
import { unslice } from '../ops/view';
import type { Tensor } from '../tensor';
import { callBackward, handOn, type FunctionRecord } from './function';
import { ACCUMULATED, unpackSaved, type Rule, type RuleInfo, type Saved, type SavedTensor } from './graph';

const t = (x: Saved) => x as Tensor;
interface Reduced { dims: number[]; keepdim: boolean }
interface Bounds { min: number | null; max: number | null }
/** A view's replay function (src/ops/view.ts stridedReplay): the same view of another tensor. */
type Replay = (x: Tensor) => Tensor;

/** g of a reduction, with the reduced dims put back as size 1 (for broadcasting over the input). */
function unreduce(g: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim) return g;
  let r = g;
  for (const d of [...dims].sort((a, b) => a - b)) r = r.unsqueeze(d);
  return r;
}

function count(shape: readonly number[], dims: readonly number[]): number {
  return dims.reduce((n, d) => n * shape[d], 1);
}

const ZERO: Rule = { backward: (g) => [g.mul(0)] };

const unary = {
  neg: { backward: (g) => [g.neg()] },
  abs: { saves: 'inputs', backward: (g, [a]) => [g.mul(t(a).sign())] },
  exp: { saves: 'out', backward: (g, _, out) => [g.mul(out)] },
  log: { saves: 'inputs', backward: (g, [a]) => [g.div(t(a))] },
  log2: { saves: 'inputs', backward: (g, [a]) => [g.div(t(a).mul(Math.LN2))] },
  log10: { saves: 'inputs', backward: (g, [a]) => [g.div(t(a).mul(Math.LN10))] },
  log1p: { saves: 'inputs', backward: (g, [a]) => [g.div(t(a).add(1))] },
  expm1: { saves: 'out', backward: (g, _, out) => [g.mul(out.add(1))] },
  sqrt: { saves: 'out', backward: (g, _, out) => [g.div(out.mul(2))] },
  rsqrt: { saves: 'out', backward: (g, _, out) => [g.mul(out.pow(3)).mul(-0.5)] },
  reciprocal: { saves: 'out', backward: (g, _, out) => [g.mul(out.mul(out)).neg()] },
  sin: { saves: 'inputs', backward: (g, [a]) => [g.mul(t(a).cos())] },
  cos: { saves: 'inputs', backward: (g, [a]) => [g.mul(t(a).sin()).neg()] },
  tan: { saves: 'out', backward: (g, _, out) => [g.mul(out.mul(out).add(1))] },
  asin: { saves: 'inputs', backward: (g, [a]) => [g.div(t(a).square().rsub(1).sqrt())] },
  acos: { saves: 'inputs', backward: (g, [a]) => [g.div(t(a).square().rsub(1).sqrt()).neg()] },
  atan: { saves: 'inputs', backward: (g, [a]) => [g.div(t(a).square().add(1))] },
  sinh: { saves: 'inputs', backward: (g, [a]) => [g.mul(t(a).cosh())] },
  cosh: { saves: 'inputs', backward: (g, [a]) => [g.mul(t(a).sinh())] },
  tanh: { saves: 'out', backward: (g, _, out) => [g.mul(out.mul(out).rsub(1))] },
  sigmoid: { saves: 'out', backward: (g, _, out) => [g.mul(out).mul(out.rsub(1))] },
  erf: { saves: 'inputs', backward: (g, [a]) => [g.mul(t(a).square().neg().exp().mul(2 / Math.sqrt(Math.PI)))] },
  layerNorm: { saves: 'inputs', backward: (g, [x, w], _, { ctx, need }) => layerNormBackward(g, t(x), w === null ? null : t(w), ctx, need) },
  gelu: { saves: 'inputs', backward: (g, [x]) => [geluBackward(g, t(x))] },
  // d/dg = gelu'(x), which geluBackward itself multiplies by; d/dx = g pdf(x) (2 - x^2)
  geluBackward: {
    saves: 'inputs',
    backward: (gg, [g, x]) => {
      const xt = t(x), pdf = xt.square().mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
      return [geluBackward(gg, xt), gg.mul(t(g)).mul(pdf).mul(xt.square().rsub(2))];
    },
  },
  // threshold_backward(grad, result, 0): the gradient passes where the result is positive.
  relu: { saves: 'out', backward: (g, _, out) => [thresholdBackward(g, out, 0)] },
  // the fused backward kernels are linear in the gradient and flat in x
  thresholdBackward: { saves: 'inputs', backward: (g, [, x], _, { ctx }) => [thresholdBackward(g, t(x), ctx as number), null] },
  clampBackward: {
    saves: 'inputs',
    backward: (g, [, x], _, { ctx }) => [clampBackward(g, t(x), (ctx as Bounds).min, (ctx as Bounds).max), null],
  },
  sign: ZERO,
  floor: ZERO,
  ceil: ZERO,
  round: ZERO,
  trunc: ZERO,
  clamp: {
    name: 'ClampBackward1',
    saves: 'inputs',
    backward: (g, [a], _, { ctx }) => {
      const { min, max } = ctx as Bounds;
      return [clampBackward(g, t(a), min, max)];
    },
  },
} satisfies Record<string, Rule>;

const binary = {
  add: { backward: (g, _, __, { ctx, need }) => [g, need[1] ? scaled(g, (ctx as { alpha: number }).alpha) : null] },
  sub: { backward: (g, _, __, { ctx, need }) => [g, need[1] ? scaled(g, -(ctx as { alpha: number }).alpha) : null] },
  mul: { saves: 'inputs', backward: (g, [a, b], _, { need }) => [need[0] ? g.mul(t(b)) : null, need[1] ? g.mul(t(a)) : null] },
  div: {
    saves: 'inputs',
    backward: (g, [a, b], _, { need }) => [need[0] ? g.div(t(b)) : null, need[1] ? g.neg().mul(t(a)).div(t(b).mul(t(b))) : null],
  },
  pow: {
    saves: 'both',
    backward: (g, [a, b], out, { need }) => {
      // exponent 0 gives zero, not NaN, at a base of 0 (as PyTorch's pow_backward)
      const da = () => {
        if (typeof b === 'number') {
          if (b === 0) return g.mul(0);
          return g.mul(b === 2 ? t(a).mul(2) : t(a).pow(b - 1).mul(b)); // a^1 is a: one pass fewer for squares
        }
        return g.mul(t(b)).mul(t(a).pow(t(b).sub(1))).where(t(b).ne(0), 0);
      };
      // d(a^b)/db = a^b log(a), taken as 0 where a == 0 and b >= 0
      const db = () => {
        const logA = typeof a === 'number' ? Math.log(a) : t(a).log();
        const grad = g.mul(out).mul(logA);
        return typeof a === 'number' ? (a === 0 ? grad.where(t(b).lt(0), 0) : grad) : grad.where(t(a).ne(0).logicalOr(t(b).lt(0)), 0);
      };
      return [need[0] ? da() : null, need[1] ? db() : null];
    },
  },
  maximum: { saves: 'inputs', backward: (g, [a, b], _, { need }) => extremeGrads(g, t(a), t(b), need, 'lt', 'gt') },
  minimum: { saves: 'inputs', backward: (g, [a, b], _, { need }) => extremeGrads(g, t(a), t(b), need, 'gt', 'lt') },
  atan2: {
    saves: 'inputs',
    backward: (g, [a, b], _, { need }) => {
      const sq = (x: Saved) => (typeof x === 'number' ? x * x : t(x).square());
      const denom = t(a).square().add(sq(b));
      return [need[0] ? g.mul(t(b)).div(denom) : null, need[1] ? g.mul(t(a)).div(denom).neg() : null];
    },
  },
  // a - b * trunc(a / b) and a - b * floor(a / b)
  fmod: { saves: 'inputs', backward: (g, [a, b], _, { need }) => [need[0] ? g : null, need[1] ? g.mul(t(a).div(t(b)).trunc()).neg() : null] },
  // rounded quotients are piecewise constant: zero gradients, as PyTorch's div with a rounding mode
  floorDivide: { backward: (g, _, __, { need }) => [need[0] ? g.mul(0) : null, need[1] ? g.mul(0) : null] },
  truncDivide: { backward: (g, _, __, { need }) => [need[0] ? g.mul(0) : null, need[1] ? g.mul(0) : null] },
  remainder: { saves: 'inputs', backward: (g, [a, b], _, { need }) => [need[0] ? g : null, need[1] ? g.mul(t(a).div(t(b)).floor()).neg() : null] },
  // sqrt(a^2 + b^2): each input's share of the length
  hypot: {
    saves: 'both',
    backward: (g, [a, b], out, { need }) => [need[0] ? g.mul(t(a)).div(t(out)) : null, need[1] ? g.mul(t(b) as Tensor).div(t(out)) : null],
  },
  where: {
    saves: 'inputs',
    backward: (g, [cond, , ], _, { need }) => [null, need[1] ? g.where(t(cond), 0) : null, need[2] ? g.where(t(cond).logicalNot(), 0) : null],
  },
  maskedFill: {
    saves: 'inputs',
    backward: (g, [, mask], _, { need }) => [need[0] ? g.maskedFill(t(mask), 0) : null, null, need[2] ? g.where(t(mask), 0).sum() : null],
  },
} satisfies Record<string, Rule>;

function scaled(g: Tensor, alpha: number): Tensor {
  return alpha === 1 ? g : g.mul(alpha);
}

/** maximum/minimum: the gradient goes to the larger (smaller) side, split in half at ties. */
function extremeGrads(g: Tensor, a: Tensor, b: Tensor | number, need: readonly boolean[], loses: 'lt' | 'gt', wins: 'lt' | 'gt'): (Tensor | null)[] {
  const split = g.div(2).where(a.eq(b), g);
  return [need[0] ? split.maskedFill(a[loses](b), 0) : null, need[1] ? split.maskedFill(a[wins](b), 0) : null];
}

const reductions = {
  sum: { backward: (g, _, __, { ctx, shapes }) => [unreduce(g, (ctx as Reduced).dims, (ctx as Reduced).keepdim).expand(shapes[0] as number[])] },
  mean: {
    backward: (g, _, __, { ctx, shapes }) => {
      const { dims, keepdim } = ctx as Reduced;
      const shape = shapes[0] as number[];
      return [unreduce(g, dims, keepdim).div(count(shape, dims)).expand(shape)];
    },
  },
  prod: {
    saves: 'both',
    backward: (g, [a], out, { ctx }) => {
      const { dims, keepdim } = ctx as Reduced;
      const x = t(a);
      const gk = unreduce(g, dims, keepdim), ok = unreduce(out, dims, keepdim);
      const zeros = x.eq(0);
      if (!(zeros.any().item<boolean>())) return [gk.mul(ok).div(x)];
      // With zeros: an element's gradient is the product of the others, non-zero only where it
      // is the single zero of its group.
      const nonzeroProd = x.where(zeros.logicalNot(), 1).prod(dims, true);
      const zerosInGroup = zeros.sum(dims, true);
      const noZero = gk.mul(ok).div(x.where(zeros.logicalNot(), 1));
      const oneZero = gk.mul(nonzeroProd).where(zeros.logicalAnd(zerosInGroup.eq(1)), 0);
      return [noZero.where(zerosInGroup.eq(0), oneZero)];
    },
  },
  // amax/amin and max()/min(): evenly distributed over ties
  amax: { saves: 'both', backward: (g, [a], out, { ctx }) => evenly(g, t(a), out, ctx as Reduced) },
  // PyTorch's norm_backward, case by case; a zero norm passes a zero gradient
  norm: {
    saves: 'both',
    backward: (g, [a], out, { ctx }) => {
      const { p, dims, keepdim } = ctx as Reduced & { p: number };
      const x = t(a), gu = unreduce(g, dims, keepdim), n = unreduce(out, dims, keepdim);
      if (p === 0) return [null]; // PyTorch passes no gradient at all (x.grad stays null)
      if (p === 1) return [x.sign().mul(gu)];
      if (p === 2) return [x.mul(gu.div(n).maskedFill(n.eq(0), 0))];
      if (p === Infinity || p === -Infinity) {
        const ax = x.abs(), mask = ax.eq(n).logicalOr(ax.ne(ax));
        return [x.sign().mul(gu.div(mask.sum(dims, true)).mul(mask))];
      }
      if (p < 1) return [x.sign().mul(x.abs().pow(p - 1).maskedFill(x.eq(0), 0)).mul(gu).mul(n.pow(1 - p))];
      const scaled = p < 2 ? x.sign().mul(x.abs().pow(p - 1)) : x.mul(x.abs().pow(p - 2));
      return [scaled.mul(gu.div(n.pow(p - 1)).maskedFill(n.eq(0), 0))];
    },
  },
  amin: { saves: 'both', backward: (g, [a], out, { ctx }) => evenly(g, t(a), out, ctx as Reduced) },
  // max(dim) / min(dim): all of it to the index reported
  maxDim: { name: 'MaxBackward0', backward: (g, _, __, info) => toIndices(g, info) },
  minDim: { name: 'MinBackward0', backward: (g, _, __, info) => toIndices(g, info) },
  variance: {
    name: 'VarBackward0',
    saves: 'inputs',
    backward: (g, [a], _, { ctx, shapes }) => {
      const { dims, keepdim, correction } = ctx as Reduced & { correction: number };
      const x = t(a);
      const n = count(shapes[0] as number[], dims);
      return [unreduce(g, dims, keepdim).mul(x.sub(x.mean(dims, true))).mul(2 / (n - correction))];
    },
  },
} satisfies Record<string, Rule>;

/** g sent to the positions max(dim) / min(dim) reported (ctx: dim, keepdim and the indices). */
function toIndices(g: Tensor, { ctx, shapes }: RuleInfo): Tensor[] {
  const { dim, keepdim } = ctx as { dim: number; keepdim: boolean };
  const indices = unpackSaved((ctx as { indices: SavedTensor }).indices);
  const gk = keepdim ? g : g.unsqueeze(dim), ik = keepdim ? indices : indices.unsqueeze(dim);
  return [g.newZeros(shapes[0] as number[]).scatterAdd(dim, ik, gk)];
}

/**
 * logcumsumexp's gradient, sum over j >= i of g_j exp(x_i - out_j), computed in log space with the
 * positive and negative parts of g apart (as PyTorch's logcumsumexp_backward), so nothing overflows.
 */
function logcumsumexpBackward(g: Tensor, x: Tensor, out: Tensor, dim: number): Tensor {
  const fromEnd = (v: Tensor) => v.flip(dim).logcumsumexp(dim).flip(dim);
  const part = (v: Tensor) => fromEnd(v.clamp({ min: 0 }).log().sub(out)).add(x).exp();
  return part(g).sub(part(g.neg()));
}

/** g sent to the positions cummax / cummin reported (ctx: dim and the indices, of the input's shape). */
function scanIndices(g: Tensor, { ctx, shapes }: RuleInfo): Tensor[] {
  const dim = (ctx as { dim: number }).dim, indices = unpackSaved((ctx as { indices: SavedTensor }).indices);
  if (g.shape.length === 0) return [g];
  return [g.newZeros(shapes[0] as number[]).scatterAdd(dim, indices, g)];
}

/** g sent back to the elements sort / topk picked (ctx: the dim and the int64 indices, of g's shape). */
function picked(g: Tensor, { ctx, shapes }: RuleInfo): Tensor[] {
  const dim = (ctx as { dim: number }).dim, indices = unpackSaved((ctx as { indices: SavedTensor }).indices);
  if (g.shape.length === 0) return [g];
  return [g.newZeros(shapes[0] as number[]).scatterAdd(dim, indices, g)];
}

/** g of a selection along a dim (kthvalue, median(dim), mode) sent to the selected element. */
function selected(g: Tensor, info: RuleInfo): Tensor[] {
  return (info.shapes[0] as number[]).length === 0 ? [g] : toIndices(g, info);
}

/**
 * median() / nanmedian() of everything: g shared evenly among the elements equal to the result
 * (all the NaNs when it is NaN), as PyTorch's evenly_distribute_backward.
 */
function evenlyToMedian(g: Tensor, a: Tensor, out: Tensor): Tensor[] {
  const mask = out.isnan().item<boolean>() ? a.isnan() : a.eq(out);
  return [mask.to(g.dtype).mul(g.div(mask.sum()))];
}

function evenly(g: Tensor, a: Tensor, out: Tensor, { dims, keepdim }: Reduced): Tensor[] {
  const mask = a.eq(unreduce(out, dims, keepdim));
  return [unreduce(g, dims, keepdim).mul(mask).div(mask.sum(dims, true))];
}

/** a @ b as input i's gradient: added straight into info.into[i] when that is allowed. */
function product(i: number, a: Tensor, b: Tensor, info: RuleInfo): Tensor | null | typeof ACCUMULATED {
  if (!info.need[i]) return null;
  const into = info.into[i];
  if (into === null) return a.mm(b);
  accumulateMm(into, a, b);
  return ACCUMULATED;
}

const fused = {
  // the gradient's running sums taken from the end (PyTorch's cumsum_backward)
  cumsum: { backward: (g, _, __, { ctx }) => [g.flip(ctx as number).cumsum(ctx as number).flip(ctx as number)] },
  logcumsumexp: { saves: 'both', backward: (g, [x], out, { ctx }) => [logcumsumexpBackward(g, t(x), t(out), ctx as number)] },
  cumprod: { saves: 'both', backward: (g, [x], out, { ctx }) => [cumprodBackward(g, t(x), t(out), ctx as number)] },
  // each element's gradient goes to where its running extreme was found
  cummax: { backward: (g, _, __, info) => scanIndices(g, info) },
  cummin: { backward: (g, _, __, info) => scanIndices(g, info) },
  // sort, topk and the selections along a dim: the gradient goes back where each value was found
  sort: { name: 'SortBackward0', backward: (g, _, __, info) => picked(g, info) },
  topk: { name: 'TopkBackward0', backward: (g, _, __, info) => picked(g, info) },
  kthvalue: { name: 'KthvalueBackward0', backward: (g, _, __, info) => selected(g, info) },
  medianDim: { backward: (g, _, __, info) => selected(g, info) },
  mode: { name: 'ModeBackward0', backward: (g, _, __, info) => selected(g, info) },
  median: { saves: 'both', backward: (g, [a], out) => evenlyToMedian(g, t(a), out) },
  softmax: { saves: 'out', backward: (g, _, out, { ctx }) => [softmaxBackward(g, out, ctx as number, false)] },
  logSoftmax: { saves: 'out', backward: (g, _, out, { ctx }) => [softmaxBackward(g, out, ctx as number, true)] },
  // the target and the class weights travel in ctx: no gradient flows to them
  nllLoss: { backward: (g, _, __, { ctx, shapes }) => [nllLossBackward(g, shapes[0] as number[], ctx as NllContext)] },
  // ctx: the reduction ('mean' or 'sum')
  mseLoss: { saves: 'inputs', backward: (g, [a, b], _, { ctx, need }) => mseLossBackward(g, t(a), t(b), ctx as SumOrMean, need) },
  // ctx: the statistics used (the batch's or the running ones) and the mode
  batchNorm: { saves: 'inputs', backward: (g, [x, w], _, { ctx, need }) => batchNormBackward(g, t(x), w === null ? null : t(w), ctx, need) },
  // the targets and lengths travel in ctx: the gradient goes to logProbs only
  ctcLoss: { saves: 'inputs', backward: (g, [lp], _, { ctx }) => [ctcLossBackward(g, t(lp), ctx as CtcContext)] },
  // one direction of a recurrent layer over a sequence: one kernel call back through every step
  rnnLayer: { saves: 'both', backward: (g, inputs, out, { ctx, need }) => rnnLayerBackward(g, inputs as (Tensor | null)[], out, ctx, need) },
  // ctx: the log-sum-exp of each row, the mask and dropout factors, scale and causality
  scaledDotProductAttention: { saves: 'inputs', backward: (g, [q, k, v], _, { ctx, need }) => scaledDotProductAttentionBackward(g, t(q), t(k), t(v), ctx, need) },
} satisfies Record<string, Rule>;

const linalg = {
  mm: { saves: 'inputs', writesInto: true, backward: (g, [a, b], _, info) => [product(0, g, t(b).t(), info), product(1, t(a).t(), g, info)] },
  // beta * input + alpha * mat1 @ mat2
  addmm: {
    saves: 'inputs',
    backward: (g, [, m1, m2], _, { ctx, need }) => {
      const { alpha, beta } = ctx as { alpha: number; beta: number };
      const ga = alpha === 1 ? g : g.mul(alpha);
      return [need[0] ? (beta === 1 ? g : g.mul(beta)) : null, need[1] ? ga.mm(t(m2).t()) : null, need[2] ? t(m1).t().mm(ga) : null];
    },
  },
  // x @ weight^T + bias
  linear: {
    saves: 'inputs',
    writesInto: true,
    backward: (g, [x, w], _, info) => [product(0, g, t(w), info), product(1, g.t(), t(x), info), info.need[2] ? g.sum(0) : null],
  },
  // batched product with broadcast batch dims (the engine sums the broadcast dims back)
  bmm: {
    saves: 'inputs',
    backward: (g, [a, b], _, { need }) => [
      need[0] ? g.matmul(t(b).transpose(-1, -2)) : null,
      need[1] ? t(a).transpose(-1, -2).matmul(g) : null,
    ],
  },
  mv: { saves: 'inputs', backward: (g, [a, v], _, { need }) => [need[0] ? g.unsqueeze(1).mul(t(v)) : null, need[1] ? t(a).t().mv(g) : null] },
  dot: { saves: 'inputs', backward: (g, [a, b], _, { need }) => [need[0] ? g.mul(t(b)) : null, need[1] ? g.mul(t(a)) : null] },
} satisfies Record<string, Rule>;

const views = {
  view: { backward: (g, _, __, { shapes }) => [g.reshape(shapes[0] as number[])] },
  transpose: { backward: (g, _, __, { ctx }) => [g.transpose(...(ctx as [number, number]))] },
  permute: {
    backward: (g, _, __, { ctx }) => {
      const dims = ctx as number[];
      const inverse = new Array<number>(dims.length);
      dims.forEach((d, i) => (inverse[d] = i));
      return [g.permute(inverse)];
    },
  },
  expand: { backward: (g) => [g] },
  // narrow, select, slice, index: the gradient lands in the part of the input the view selected
  slice: { backward: (g, _, __, { ctx, shapes }) => [unslice(g, shapes[0] as number[], ctx as Replay)] },
  // ...and the gradient of that is the same view again
  unslice: { name: 'SliceBackwardBackward0', backward: (g, _, __, { ctx }) => [(ctx as Replay)(g)] },
  // convolution windows and back: each is the other's gradient (ctx: the geometry)
  im2col: { backward: (g, _, __, { ctx }) => [col2im(g, ctx as WindowGeometry)] },
  col2im: { backward: (g, _, __, { ctx }) => [im2col(g, ctx as WindowGeometry, 0)] },
  // pooling, upsampling and padding (src/ops/pool.ts): each backward op's gradient is the forward op again
  maxPool2d: { name: 'MaxPool2DWithIndicesBackward0', backward: (g, _, __, { ctx }) => [pool.maxPool2dBackward(g, ctx)] },
  maxPool2dBackward: { backward: (g, _, __, { ctx }) => [pool.maxPool2dDoubleBackward(g, ctx)] },
  avgPool2d: { name: 'AvgPool2DBackward0', backward: (g, _, __, { ctx }) => [pool.avgPool2dBackward(g, ctx as pool.AvgCtx)] },
  avgPool2dBackward: { backward: (g, _, __, { ctx }) => [pool.avgPool2d(g, ctx as pool.AvgCtx)] },
  adaptiveAvgPool2d: { name: 'AdaptiveAvgPool2DBackward0', backward: (g, _, __, { ctx }) => [pool.adaptiveAvgPool2dBackward(g, ctx as [number, number])] },
  adaptiveAvgPool2dBackward: { backward: (g, _, __, { ctx }) => [pool.adaptiveAvgPool2d(g, ctx as [number, number])] },
  upsampleNearest2d: { backward: (g, _, __, { ctx }) => [pool.upsampleNearest2dBackward(g, ctx as pool.UpsampleCtx)] },
  upsampleNearest2dBackward: { backward: (g, _, __, { ctx }) => [pool.upsampleNearest2d(g, ctx as pool.UpsampleCtx)] },
  upsampleBilinear2d: { name: 'UpsampleBilinear2DBackward0', backward: (g, _, __, { ctx }) => [pool.upsampleBilinear2dBackward(g, ctx as pool.UpsampleCtx)] },
  upsampleBilinear2dBackward: { backward: (g, _, __, { ctx }) => [pool.upsampleBilinear2d(g, ctx as pool.UpsampleCtx)] },
  pad: { backward: (g, _, __, { ctx }) => [pool.padBackward(g, ctx as pool.PadCtx)] },
  padBackward: { backward: (g, _, __, { ctx }) => [pool.padDoubleBackward(g, ctx as pool.PadCtx)] },
  // an in-place op through a view of base (ctx: the view's replay): base's old value gets the
  // gradient outside the view, the op's node (input 1, the view's new value) the part inside it
  copySlices: {
    name: 'CopySlices',
    backward: (g, _, __, { ctx, need, shapes }) => {
      const replay = ctx as Replay;
      if (!need[0]) return [null, replay(g)];
      const inside = g.newZeros(shapes[0] as number[], { dtype: 'bool' });
      replay(inside).fill_(true);
      return [g.maskedFill(inside, 0), need[1] ? replay(g) : null];
    },
  },
  cat: { backward: (g, _, __, { ctx }) => g.split((ctx as { sizes: number[] }).sizes, (ctx as { dim: number }).dim) },
  clone: { backward: (g) => [g] },
  toDtype: { name: 'ToCopyBackward0', backward: (g) => [g] },
  // in-place copy_ and fill_: self's old value no longer matters
  copy: { name: 'CopyBackwards', backward: (g, _, __, { need }) => [need[0] ? g.mul(0) : null, need[1] ? g : null] },
  fill: ZERO,
  gather: {
    saves: 'inputs',
    backward: (g, [, index], _, { ctx, shapes }) => [g.newZeros(shapes[0] as number[]).scatterAdd(ctx as number, t(index), g), null],
  },
  scatterAdd: {
    saves: 'inputs',
    backward: (g, [, index], _, { ctx, need }) => [g, null, need[2] ? g.gather(ctx as number, t(index)) : null],
  },
  // advanced indexing: the gradient is added back at the positions read; index_put's overwritten
  // positions pass no gradient to the old value
  index: { backward: (g, _, __, { ctx, shapes }) => [indexBackward(g, shapes[0] as number[], ctx)] },
  indexPut: { backward: (g, _, __, { ctx, need }) => indexPutBackward(g, ctx, need) },
  scatterReduce: {
    saves: 'both',
    backward: (g, [self, index, src], out, { ctx, need }) => {
      const [gSelf, gSrc] = scatterReduceBackward(g, t(self), t(index), t(src), out, ctx);
      return [need[0] ? gSelf : null, null, need[2] ? gSrc : null];
    },
  },
  // overwritten positions pass no gradient to the old value; they pass it to src
  scatter: {
    saves: 'inputs',
    backward: (g, [, index], _, { ctx, need }) => [
      need[0] ? g.scatter(ctx as number, t(index), 0) : null,
      null,
      need[2] ? g.gather(ctx as number, t(index)) : null,
    ],
  },
} satisfies Record<string, Rule>;

/**
 * tg.autograd.Function (autograd/function.ts): the node of a custom function calls the user's
 * backward; with several differentiable outputs, each output's own node hands its gradient on to it.
 */
const custom = {
  customFunction: { opaque: true, backward: (g, _, __, { ctx }) => callBackward(g, ctx as FunctionRecord) },
  customFunctionOutput: { opaque: true, backward: (g, _, __, { ctx }) => handOn(g, ctx as { rec: FunctionRecord; k: number }) },
} satisfies Record<string, Rule>;

export const derivatives: Record<string, Rule> = { ...unary, ...binary, ...reductions, ...fused, ...linalg, ...views, ...custom };
