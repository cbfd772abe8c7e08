// Every backward rule in src/autograd/derivatives.ts is gradchecked in float64: on several shapes,
// with broadcasting and non-contiguous inputs. A rule without checks here fails the suite.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { derivatives } from '../../src/autograd/derivatives';
import { im2col } from '../../src/ops/im2col';
import { rnnLayer } from '../../src/ops/rnn';
import { pattern } from '../helpers';
import { poolChecks } from './gradcheck_pool';

type T = tg.Tensor;
interface Check {
  label: string;
  fn: (...xs: T[]) => T | T[];
  inputs: () => T[];
}

let seed = 100;
/** A float64 leaf requiring grad, values in [low, high). */
function leaf(shape: number[], low = -2, high = 2): T {
  return pattern(shape, 'float64', seed++, low, high).requiresGrad_();
}
/** A non-contiguous float64 leaf: the transpose of a [cols, rows] tensor. */
function leafT(shape: [number, number], low = -2, high = 2): T {
  const t = pattern([shape[1], shape[0]], 'float64', seed++, low, high).t().detach().requiresGrad_();
  expect(t.isContiguous()).toBe(false);
  return t;
}
/** Values whose magnitude stays in [0.2, 2] with mixed signs: away from kinks at 0. */
function leafAwayFromZero(shape: number[]): T {
  const mag = pattern(shape, 'float64', seed++, 0.2, 2);
  const sign = pattern(shape, 'float64', seed++, -1, 1).sign();
  return mag.mul(sign).detach().requiresGrad_();
}
// tg.autograd.Function subclasses: PyTorch's tutorial LegendrePolynomial3, and one of two outputs
class Legendre3 extends tg.autograd.Function {
  static forward(ctx: tg.autograd.FunctionCtx, x: T): T {
    ctx.saveForBackward(x);
    return x.pow(3).mul(5).sub(x.mul(3)).mul(0.5);
  }
  static backward(ctx: tg.autograd.FunctionCtx, g: T): T {
    const [x] = ctx.savedTensors as T[];
    return g.mul(1.5).mul(x.pow(2).mul(5).sub(1));
  }
}
class MulBoth extends tg.autograd.Function {
  static forward(ctx: tg.autograd.FunctionCtx, x: T, w: T): T[] {
    ctx.saveForBackward(x, w);
    return [x.mul(w), x.exp()];
  }
  static backward(ctx: tg.autograd.FunctionCtx, gp: T, gq: T): T[] {
    const [x, w] = ctx.savedTensors as T[];
    return [gp.mul(w).add(gq.mul(x.exp())), gp.mul(x)];
  }
}
/** [4, 6] of ones with 0, 1, 2 and 3 zeros in its rows (first, middle and last places). */
function zeroMask(): T {
  const m = tg.ones([4, 6], { dtype: 'float64' });
  for (const [r, c] of [[1, 2], [2, 1], [2, 4], [3, 0], [3, 3], [3, 5]]) m.select(0, r).select(0, c).fill_(0);
  return m;
}
function int64(values: number[] | number[][]): T {
  return tg.tensor(values, { dtype: 'int64' });
}

function unary(op: keyof T & string, low = -2, high = 2): Check[] {
  const call = (x: T) => (x[op as keyof T] as () => T).call(x);
  return [
    { label: `${op} [2, 3]`, fn: call, inputs: () => [leaf([2, 3], low, high)] },
    { label: `${op} transposed [3, 2]`, fn: call, inputs: () => [leafT([3, 2], low, high)] },
    { label: `${op} 0-d`, fn: call, inputs: () => [leaf([], low, high)] },
  ];
}

/** Binary op checks: equal shapes, broadcasting both ways, non-contiguous, and a scalar. */
function binary(name: string, f: (a: T, b: T | number) => T, lowB = -2, highB = 2, lowA = -2, highA = 2): Check[] {
  return [
    { label: `${name} [2, 3] x [2, 3]`, fn: (a, b) => f(a, b), inputs: () => [leaf([2, 3], lowA, highA), leaf([2, 3], lowB, highB)] },
    { label: `${name} [2, 3] x [3]`, fn: (a, b) => f(a, b), inputs: () => [leaf([2, 3], lowA, highA), leaf([3], lowB, highB)] },
    { label: `${name} [2, 1] x [1, 3]`, fn: (a, b) => f(a, b), inputs: () => [leaf([2, 1], lowA, highA), leaf([1, 3], lowB, highB)] },
    { label: `${name} transposed x [3]`, fn: (a, b) => f(a, b), inputs: () => [leafT([3, 2], lowA, highA), leaf([2], lowB, highB)] },
    { label: `${name} [4] x scalar`, fn: (a) => f(a, (lowB + highB) / 2 + 0.25), inputs: () => [leaf([4], lowA, highA)] },
  ];
}

function reduction(name: string, f: (x: T, dims?: number | number[], keepdim?: boolean) => T, low = -2, high = 2): Check[] {
  const out: Check[] = [{ label: `${name}()`, fn: (x) => f(x), inputs: () => [leaf([2, 3, 4], low, high)] }];
  for (const dims of [1, -1, [0, 2]] as const) {
    for (const keepdim of [false, true]) {
      out.push({ label: `${name}(${JSON.stringify(dims)}, ${keepdim})`, fn: (x) => f(x, dims as number | number[], keepdim), inputs: () => [leaf([2, 3, 4], low, high)] });
    }
  }
  out.push({ label: `${name} transposed`, fn: (x) => f(x, 0), inputs: () => [leafT([3, 2], low, high)] });
  return out;
}

const checks: Record<string, Check[]> = {
  neg: unary('neg'),
  abs: [{ label: 'abs away from 0', fn: (x) => x.abs(), inputs: () => [leafAwayFromZero([2, 3])] }],
  exp: unary('exp'),
  log: unary('log', 0.2, 3),
  log2: unary('log2', 0.2, 3),
  log10: unary('log10', 0.2, 3),
  log1p: unary('log1p', -0.5, 3),
  expm1: unary('expm1'),
  sqrt: unary('sqrt', 0.2, 3),
  rsqrt: unary('rsqrt', 0.2, 3),
  reciprocal: [{ label: 'reciprocal', fn: (x) => x.reciprocal(), inputs: () => [leafAwayFromZero([2, 3])] }],
  sin: unary('sin'),
  cos: unary('cos'),
  tan: unary('tan', -1.2, 1.2),
  asin: unary('asin', -0.9, 0.9),
  acos: unary('acos', -0.9, 0.9),
  atan: unary('atan'),
  sinh: unary('sinh'),
  cosh: unary('cosh'),
  tanh: unary('tanh'),
  sigmoid: unary('sigmoid'),
  erf: unary('erf'),
  layerNorm: [
    { label: 'layerNorm, affine', fn: (x, w, b) => tg.F.layerNorm(x, [4], w, b), inputs: () => [leaf([3, 4]), leaf([4]), leaf([4])] },
    { label: 'layerNorm over two dims, no affine', fn: (x) => tg.F.layerNorm(x, [2, 3]), inputs: () => [leaf([2, 2, 3])] },
    { label: 'layerNorm, bias only, transposed input', fn: (x, b) => tg.F.layerNorm(x.t(), [3], null, b), inputs: () => [leafT([3, 2]), leaf([3])] },
    { label: "layerNorm's gradients of an unbatched input, differentiated again", fn: (x, w, y) => tg.autograd.grad(tg.F.layerNorm(x, [2, 3], w).mul(y).sum(), [x, w], { createGraph: true })[1] as T, inputs: () => [leaf([2, 3]), leaf([2, 3]), leaf([2, 3])] },
    { label: "layerNorm's gradients, differentiated again", fn: (x, w, y) => tg.autograd.grad(tg.F.layerNorm(x, [4], w).mul(y).sum(), [x, w], { createGraph: true })[0] as T, inputs: () => [leaf([3, 4]), leaf([4]), leaf([3, 4])] },
  ],
  batchNorm: [
    { label: 'batchNorm, training, affine', fn: (x, w, b) => tg.F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), inputs: () => [leaf([4, 3]), leaf([3]), leaf([3])] },
    { label: 'batchNorm, training, [N, C, L] transposed, no affine', fn: (x) => tg.F.batchNorm(x.transpose(1, 2), null, null, { training: true }), inputs: () => [leaf([2, 4, 3])] },
    { label: 'batchNorm, eval (running statistics)', fn: (x, w, b) => tg.F.batchNorm(x, pattern([3], 'float64', 7), pattern([3], 'float64', 8, 0.5, 2), { weight: w, bias: b }), inputs: () => [leaf([2, 3, 2]), leaf([3]), leaf([3])] },
    { label: "batchNorm's gradients, training, differentiated again", fn: (x, w, y) => tg.autograd.grad(tg.F.batchNorm(x, null, null, { weight: w, training: true }).mul(y).sum(), [x, w], { createGraph: true })[0] as T, inputs: () => [leaf([3, 2, 2]), leaf([2]), leaf([3, 2, 2])] },
    { label: "batchNorm's gradients, eval, differentiated again", fn: (x, w, y) => tg.autograd.grad(tg.F.batchNorm(x, tg.zeros([2], { dtype: 'float64' }), tg.ones([2], { dtype: 'float64' }), { weight: w }).mul(y).sum(), [x, w], { createGraph: true })[1] as T, inputs: () => [leaf([3, 2]), leaf([2]), leaf([3, 2])] },
  ],
  ctcLoss: [
    { label: 'ctcLoss of logSoftmax, padded targets', fn: (x) => tg.F.ctcLoss(tg.F.logSoftmax(x, 2), int64([[1, 2, 1], [3, 3, 0]]), [5, 4], [3, 2], { reduction: 'none' }), inputs: () => [leaf([5, 2, 4])] },
    { label: 'ctcLoss of logSoftmax, concatenated targets, an impossible one zeroed, mean', fn: (x) => tg.F.ctcLoss(tg.F.logSoftmax(x, 2), int64([1, 1, 1, 2]), [2, 5], [3, 1], { zeroInfinity: true }), inputs: () => [leaf([5, 2, 3])] },
  ],
  gelu: [{ label: 'gelu', fn: (x) => tg.F.gelu(x), inputs: () => [leaf([3, 4], -3, 3)] }],
  geluBackward: [
    { label: "gelu's gradient, differentiated again", fn: (x, y) => tg.autograd.grad(tg.F.gelu(x).mul(y).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leaf([3, 4], -3, 3), leaf([3, 4])] },
  ],
  relu: [{ label: 'relu away from 0', fn: (x) => x.relu(), inputs: () => [leafAwayFromZero([3, 4])] }],
  thresholdBackward: [
    { label: "relu's gradient, differentiated again", fn: (x, y) => tg.autograd.grad(x.relu().mul(y).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leafAwayFromZero([3, 4]), leaf([3, 4])] },
  ],
  clampBackward: [
    { label: "clamp's gradient, differentiated again", fn: (x, y) => tg.autograd.grad(x.clamp(-0.5, 0.5).mul(y).sum(), [x], { createGraph: true })[0] as T, inputs: () => [tg.tensor([-1, -0.3, 0.2, 0.7], { dtype: 'float64', requiresGrad: true }), leaf([4])] },
  ],
  sign: [{ label: 'sign', fn: (x) => x.sign(), inputs: () => [leafAwayFromZero([3])] }],
  floor: unary('floor', 0.2, 0.8),
  ceil: unary('ceil', 1.2, 1.8),
  round: unary('round', 0.1, 0.4),
  trunc: unary('trunc', -0.8, -0.2),
  clamp: [
    { label: 'clamp(min, max)', fn: (x) => x.clamp(-0.5, 0.5), inputs: () => [tg.tensor([-1, -0.3, 0.2, 0.7, 0.45, -2], { dtype: 'float64', requiresGrad: true })] },
    { label: 'clamp(min) transposed', fn: (x) => x.clamp({ min: 0.3 }), inputs: () => [leafT([3, 2], 0.31, 2)] },
    { label: 'clamp(max)', fn: (x) => x.clamp(null, 0), inputs: () => [leafAwayFromZero([4])] },
  ],
  add: binary('add', (a, b) => a.add(b, { alpha: 2.5 })),
  sub: [...binary('sub', (a, b) => a.sub(b, { alpha: -1.5 })), { label: 'rsub', fn: (a) => a.rsub(2), inputs: () => [leaf([3])] }],
  mul: binary('mul', (a, b) => a.mul(b)),
  div: [...binary('div', (a, b) => a.div(b), 0.5, 2), { label: '2 / x', fn: (a) => tg.pow(a, -1).mul(2), inputs: () => [leaf([3], 0.5, 2)] }],
  pow: [
    ...binary('pow', (a, b) => a.pow(b), -1, 2, 0.5, 2),
    ...[2, 3, 0.5, -1.5, 0].map((e) => ({ label: `pow(${e})`, fn: (a: T) => a.pow(e), inputs: () => [leaf([2, 3], 0.3, 2)] })),
    { label: 'pow(2, x)', fn: (a) => tg.pow(2, a), inputs: () => [leaf([3])] },
  ],
  maximum: binary('maximum', (a, b) => a.maximum(b)),
  minimum: binary('minimum', (a, b) => a.minimum(b)),
  atan2: binary('atan2', (a, b) => a.atan2(b), 0.5, 2),
  fmod: binary('fmod', (a, b) => a.fmod(b), 1.5, 2, 0.1, 0.9), // a / b stays in (0, 1): no jump
  remainder: binary('remainder', (a, b) => a.remainder(b), -2, -1.5, 0.1, 0.9),
  floorDivide: binary('floorDivide', (a, b) => a.floorDivide(b), -2, -1.5, 0.1, 0.9),
  truncDivide: binary('truncDivide', (a, b) => a.div(b, { roundingMode: 'trunc' }), -2, -1.5, 0.1, 0.9),
  hypot: binary('hypot', (a, b) => a.hypot(b as T), 0.5, 2).slice(0, 4), // other is a tensor
  where: [
    { label: 'where broadcast', fn: (a, b) => tg.where(tg.tensor([true, false, true]), a, b), inputs: () => [leaf([2, 3]), leaf([3])] },
    { label: 'where with a number', fn: (a) => tg.where(tg.tensor([[true], [false]]), a, 0.5), inputs: () => [leafT([2, 3])] },
  ],
  maskedFill: [{ label: 'maskedFill', fn: (x) => x.maskedFill(tg.tensor([false, true, false]), 3), inputs: () => [leaf([2, 3])] }],
  sum: reduction('sum', (x, d, k) => x.sum(d, k)),
  mean: reduction('mean', (x, d, k) => x.mean(d, k)),
  prod: [
    ...reduction('prod', (x, d, k) => x.prod(d, k), 0.5, 1.5),
    { label: 'prod with one zero', fn: (x) => x.prod(), inputs: () => [tg.tensor([1.5, 0, 2], { dtype: 'float64', requiresGrad: true })] },
    { label: 'prod with two zeros', fn: (x) => x.prod(1), inputs: () => [tg.tensor([[0, 2, 0], [1, 3, 0.5]], { dtype: 'float64', requiresGrad: true })] },
  ],
  amax: [...reduction('amax', (x, d, k) => x.amax(d, k)), { label: 'max()', fn: (x) => x.max(), inputs: () => [leaf([3, 4])] }],
  amin: [...reduction('amin', (x, d, k) => x.amin(d, k)), { label: 'min()', fn: (x) => x.min(), inputs: () => [leaf([3, 4])] }],
  maxDim: [
    { label: 'max(1).values', fn: (x) => x.max(1).values, inputs: () => [leaf([3, 4])] },
    { label: 'max(0, keepdim).values transposed', fn: (x) => x.max(0, true).values, inputs: () => [leafT([3, 2])] },
  ],
  minDim: [
    { label: 'min(1).values', fn: (x) => x.min(1).values, inputs: () => [leaf([3, 4])] },
    { label: 'min(0, keepdim).values transposed', fn: (x) => x.min(0, true).values, inputs: () => [leafT([3, 2])] },
  ],
  variance: [
    ...reduction('var', (x, d, k) => x.var(d, { keepdim: k })),
    { label: 'var correction 0', fn: (x) => x.var(1, { correction: 0 }), inputs: () => [leaf([3, 4])] },
    { label: 'std', fn: (x) => x.std(0), inputs: () => [leaf([3, 4])] },
  ],
  mm: [
    { label: 'mm', fn: (a, b) => a.mm(b), inputs: () => [leaf([2, 3]), leaf([3, 4])] },
    { label: 'mm transposed operands', fn: (a, b) => a.mm(b), inputs: () => [leafT([2, 3]), leafT([3, 2])] },
    { label: 'matmul 1-D x 2-D', fn: (a, b) => a.matmul(b), inputs: () => [leaf([3]), leaf([3, 2])] },
    { label: 'matmul folded 3-D x 2-D', fn: (a, b) => a.matmul(b), inputs: () => [leaf([2, 2, 3]), leaf([3, 2])] },
  ],
  bmm: [
    { label: 'bmm', fn: (a, b) => a.bmm(b), inputs: () => [leaf([2, 2, 3]), leaf([2, 3, 2])] },
    { label: 'matmul broadcast batch', fn: (a, b) => a.matmul(b), inputs: () => [leaf([2, 1, 2, 3]), leaf([3, 3, 2])] },
    { label: 'matmul 2-D x 3-D', fn: (a, b) => a.matmul(b), inputs: () => [leaf([2, 3]), leaf([2, 3, 2])] },
  ],
  mv: [{ label: 'mv', fn: (a, v) => a.mv(v), inputs: () => [leafT([2, 3]), leaf([3])] }],
  dot: [{ label: 'dot', fn: (a, b) => a.dot(b), inputs: () => [leaf([4]), leaf([4])] }],
  addmm: [
    { label: 'addmm broadcast input', fn: (i, a, b) => i.addmm(a, b, { beta: 0.5, alpha: 2 }), inputs: () => [leaf([3]), leaf([2, 4]), leaf([4, 3])] },
    { label: 'addmm transposed', fn: (i, a, b) => i.addmm(a, b), inputs: () => [leaf([2, 3]), leafT([2, 4]), leafT([4, 3])] },
  ],
  linear: [
    { label: 'F.linear with bias', fn: (x, w, b) => tg.F.linear(x, w, b), inputs: () => [leaf([4, 3]), leaf([2, 3]), leaf([2])] },
    { label: 'F.linear without bias, 3-D input', fn: (x, w) => tg.F.linear(x, w), inputs: () => [leaf([2, 2, 3]), leafT([2, 3])] },
    { label: 'F.linear 1-D input', fn: (x, w, b) => tg.F.linear(x, w, b), inputs: () => [leaf([3]), leaf([2, 3]), leaf([2])] },
  ],
  view: [
    { label: 'view', fn: (x) => x.view(3, 2).mul(x.view(3, 2)), inputs: () => [leaf([2, 3])] },
    { label: 'reshape of a transposed tensor (copies)', fn: (x) => x.reshape(6).mul(tg.arange(6, { dtype: 'float64' })), inputs: () => [leafT([2, 3])] },
    { label: 'unsqueeze/squeeze/flatten', fn: (x) => x.unsqueeze(1).squeeze(1).flatten().mul(tg.arange(6, { dtype: 'float64' })), inputs: () => [leaf([2, 3])] },
  ],
  transpose: [{ label: 'transpose', fn: (x) => x.transpose(0, 2).mul(tg.arange(24, { dtype: 'float64' }).reshape(4, 3, 2)), inputs: () => [leaf([2, 3, 4])] }],
  permute: [{ label: 'permute and T', fn: (x) => x.permute(2, 0, 1).mul(x.T.permute(0, 2, 1)), inputs: () => [leaf([2, 3, 4])] }],
  expand: [{ label: 'expand', fn: (x) => x.expand(2, 3, 4).mul(tg.arange(24, { dtype: 'float64' }).reshape(2, 3, 4)), inputs: () => [leaf([3, 1])] }],
  slice: [
    { label: 'narrow', fn: (x) => x.narrow(1, 1, 2).mul(2), inputs: () => [leaf([3, 4])] },
    { label: 'select', fn: (x) => x.select(0, 1).exp(), inputs: () => [leafT([3, 2])] },
    { label: 'index with slices', fn: (x) => x.index('::2', 1, '1:'), inputs: () => [leaf([3, 2, 4])] },
    { label: 'split and chunk', fn: (x) => { const [a, b] = x.split([1, 2], 0); return a.mul(b.chunk(2)[1]); }, inputs: () => [leaf([3, 2])] },
    { label: 'diagonal above the main one, of a transposed tensor', fn: (x) => x.diagonal(1).exp(), inputs: () => [leafT([3, 4])] },
    { label: 'diagonal of dims 2 and 0, below', fn: (x) => x.diagonal({ offset: -1, dim1: 2, dim2: 0 }).pow(2), inputs: () => [leaf([3, 2, 4])] },
  ],
  unslice: [
    { label: 'gradient of narrow, differentiated again', fn: (x) => tg.autograd.grad(x.narrow(0, 1, 2).pow(3).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leaf([4, 2])] },
    { label: 'gradient of a diagonal, differentiated again', fn: (x) => tg.autograd.grad(x.diagonal(-1).pow(3).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leaf([4, 3])] },
    { label: 'diagEmbed', fn: (x) => tg.diagEmbed(x, 1, 0, 2).mul(tg.arange(32, { dtype: 'float64' }).reshape(4, 2, 4)), inputs: () => [leaf([2, 3])] },
    { label: 'gradient of select and step slices, differentiated again', fn: (x) => tg.autograd.grad(x.index(1, '::2').pow(3).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leaf([3, 5])] },
  ],
  norm: [
    { label: 'norm p=2 over all, and a zero row over dim 1', fn: (x) => { const z = x.mul(tg.tensor([[1], [1], [0]], { dtype: 'float64' })); return tg.stack([x.norm(), ...z.norm(2, 1).unbind(0)]); }, inputs: () => [leaf([3, 4])] },
    { label: 'norm p=1 and p=inf over dim 0, keepdim', fn: (x) => x.norm(1, 0, true).add(x.norm(Infinity, 0, true)), inputs: () => [leafAwayFromZero([3, 4])] },
    { label: 'norm p=3, p=1.5 and p=0.5 of a transposed tensor', fn: (x) => tg.stack([x.norm(3), x.norm(1.5), x.norm(0.5)]), inputs: () => [leafT([3, 2])] },
    { label: 'norm p=-inf and p=0 (no gradient)', fn: (x) => x.norm(-Infinity, 1).add(x.norm(0, 1)), inputs: () => [leafAwayFromZero([2, 3])] },
    { label: 'norm differentiated again', fn: (x) => tg.autograd.grad(x.norm(3, 1).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leafAwayFromZero([2, 3])] },
  ],
  im2col: [
    { label: 'im2col with stride, padding and dilation', fn: (x) => im2col(x, { c: 2, h: 4, w: 5, kh: 2, kw: 3, sh: 2, sw: 1, ph: 1, pw: 1, dh: 1, dw: 2, oh: 3, ow: 3 }, 0), inputs: () => [leaf([2, 2, 4, 5])] },
    { label: 'im2col of a transposed tensor', fn: (x) => im2col(x.unsqueeze(0).unsqueeze(0), { c: 1, h: 3, w: 2, kh: 2, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, oh: 2, ow: 1 }, 0), inputs: () => [leafT([3, 2])] },
  ],
  col2im: [
    { label: 'col2im (overlapping windows summed), and differentiated again', fn: (x) => tg.autograd.grad(im2col(x, { c: 1, h: 3, w: 3, kh: 2, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, oh: 2, ow: 2 }, 0).pow(2).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leaf([1, 1, 3, 3])] },
  ],
  copySlices: [
    { label: 'mul_ through a narrow view of a non-leaf', fn: (x, w) => { const y = x.mul(2); y.narrow(1, 1, 2).mul_(w); return y.pow(2); }, inputs: () => [leaf([3, 4]), leaf([2])] },
    { label: 'copy_ into a row of a zeros buffer', fn: (w) => { const buf = tg.zeros(3, 2, { dtype: 'float64' }); buf.select(0, 1).copy_(w.exp()); return buf.mul(tg.arange(1, 7, { dtype: 'float64' }).reshape(3, 2)); }, inputs: () => [leaf([2])] },
    { label: 'exp_ through a transposed, selected view', fn: (x) => { const y = x.mul(1); y.T.select(0, 1).exp_(); return y.mul(x); }, inputs: () => [leaf([3, 2])] },
    { label: 'a view of a view, and the other views of the base see the write', fn: (x) => { const y = x.add(1); const a = y.narrow(0, 0, 2), b = y.narrow(0, 1, 2); a.narrow(0, 1, 1).mul_(x.narrow(0, 2, 1)); return b.mul(a).add(y.narrow(0, 1, 1)); }, inputs: () => [leaf([4])] },
    { label: 'in-place on the base, then a view taken before it', fn: (x) => { const y = x.mul(1); const v = y.index('::2'); y.mul_(x.add(1)); return v.mul(3); }, inputs: () => [leaf([5])] },
    { label: 'mul_ through a diagonal view', fn: (x, w) => { const y = x.mul(2); y.diagonal(1).mul_(w); return y.pow(2); }, inputs: () => [leaf([3, 4]), leaf([3])] },
    { label: 'fillDiagonal_ with wrap', fn: (x) => x.mul(1).fillDiagonal_(3, { wrap: true }).pow(2), inputs: () => [leaf([7, 2])] },
    { label: 'differentiated again', fn: (x) => { const y = x.mul(1); y.narrow(0, 1, 2).mul_(x.narrow(0, 0, 2)); return tg.autograd.grad(y.pow(3).sum(), [x], { createGraph: true })[0] as T; }, inputs: () => [leaf([3])] },
  ],
  customFunction: [
    { label: 'a tg.autograd.Function (LegendrePolynomial3 of PyTorch\'s tutorial)', fn: (x) => Legendre3.apply(x), inputs: () => [leafT([2, 3])] },
    { label: 'a tg.autograd.Function, differentiated again', fn: (x) => tg.autograd.grad(Legendre3.apply(x).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leaf([4])] },
  ],
  customFunctionOutput: [
    { label: 'a tg.autograd.Function of two inputs and two outputs', fn: (x, w) => { const [p, q] = MulBoth.apply(x, w) as T[]; return p.add(q.mul(3)); }, inputs: () => [leaf([2, 3]), leaf([3])] },
  ],
  cat: [
    { label: 'cat dim 0', fn: (a, b) => tg.cat([a, b]).mul(tg.arange(10, { dtype: 'float64' }).reshape(5, 2)), inputs: () => [leaf([2, 2]), leafT([3, 2])] },
    { label: 'stack dim 1', fn: (a, b) => tg.stack([a, b], 1).pow(2), inputs: () => [leaf([3]), leaf([3])] },
  ],
  clone: [{ label: 'clone and contiguous', fn: (x) => x.clone().mul(x.contiguous()), inputs: () => [leafT([2, 3])] }],
  toDtype: [{ label: 'to(float64) after float32 keeps its gradient', fn: (x) => x.double().mul(x), inputs: () => [leaf([3])] }],
  copy: [
    { label: 'copy_ into a non-leaf', fn: (x, s) => { const y = x.mul(2); y.copy_(s.mul(3)); return y.mul(x); }, inputs: () => [leaf([2, 3]), leaf([3])] },
  ],
  fill: [
    { label: 'fill_ and zero_ of a non-leaf', fn: (x) => { const y = x.mul(2); y.fill_(1.5); const z = x.mul(3); z.zero_(); return y.add(z).add(x); }, inputs: () => [leaf([2, 2])] },
  ],
  cumsum: [
    { label: 'cumsum dim 1 of [2, 3]', fn: (x) => x.cumsum(1).pow(2), inputs: () => [leaf([2, 3])] },
    { label: 'cumsum dim 0 of a transposed tensor', fn: (x) => x.cumsum(0).mul(x), inputs: () => [leafT([3, 2])] },
    { label: 'cumsum last dim of [2, 3, 4]', fn: (x) => x.cumsum(-1).pow(2), inputs: () => [leaf([2, 3, 4])] },
    { label: 'cumsum 0-d', fn: (x) => x.cumsum(0).mul(x), inputs: () => [leaf([])] },
  ],
  cumprod: [
    { label: 'cumprod dim 1 of [2, 3]', fn: (x) => x.cumprod(1).pow(2), inputs: () => [leaf([2, 3])] },
    { label: 'cumprod dim 0 of a transposed tensor', fn: (x) => x.cumprod(0).mul(x), inputs: () => [leafT([3, 2])] },
    { label: 'cumprod 0-d', fn: (x) => x.cumprod(0).mul(x), inputs: () => [leaf([])] },
    { label: 'cumprod with no, one, two and three zeros per line', fn: (x) => x.mul(zeroMask()).cumprod(1).mul(tg.arange(24, { dtype: 'float64' }).sub(11).reshape(4, 6)), inputs: () => [leaf([4, 6])] },
    { label: 'cumprod with zeros along dim 0', fn: (x) => x.mul(zeroMask().t()).cumprod(0).pow(2), inputs: () => [leaf([6, 4])] },
    { label: 'cumprod_ of a non-leaf', fn: (x) => x.mul(1).cumprod_(1).pow(2), inputs: () => [leaf([2, 4])] },
    { label: 'gradient of cumprod with zeros, differentiated again', fn: (x) => tg.autograd.grad(x.mul(zeroMask()).cumprod(1).pow(2).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leaf([4, 6])] },
    { label: 'gradient of cumprod without zeros, differentiated again', fn: (x) => tg.autograd.grad(x.cumprod(0).pow(2).sum(), [x], { createGraph: true })[0] as T, inputs: () => [leafAwayFromZero([4, 2])] },
  ],
  logcumsumexp: [
    { label: 'logcumsumexp dim 1 of [2, 4]', fn: (x) => x.logcumsumexp(1).mul(tg.arange(8, { dtype: 'float64' }).sub(3).reshape(2, 4)), inputs: () => [leaf([2, 4])] },
    { label: 'logcumsumexp dim 0 of a transposed tensor', fn: (x) => x.logcumsumexp(0).pow(2), inputs: () => [leafT([3, 2])] },
    { label: 'logcumsumexp of large values', fn: (x) => x.logcumsumexp(0).mul(x), inputs: () => [leaf([4], 500, 600)] },
  ],
  cummax: [
    { label: 'cummax dim 1 of [2, 4]', fn: (x) => x.cummax(1).values.pow(2), inputs: () => [leaf([2, 4])] },
    { label: 'cummax dim 0 of a transposed tensor', fn: (x) => x.cummax(0).values.mul(x), inputs: () => [leafT([3, 2])] },
    { label: 'cummax 0-d', fn: (x) => x.cummax(0).values.mul(x), inputs: () => [leaf([])] },
  ],
  cummin: [
    { label: 'cummin last dim of [2, 3, 4]', fn: (x) => x.cummin(-1).values.pow(2), inputs: () => [leaf([2, 3, 4])] },
  ],
  sort: [
    { label: 'sort last dim of [2, 4]', fn: (x) => x.sort().values.mul(tg.arange(8, { dtype: 'float64' }).reshape(2, 4)), inputs: () => [leaf([2, 4])] },
    { label: 'sort dim 0 descending of a transposed tensor', fn: (x) => x.sort({ dim: 0, descending: true }).values.pow(2), inputs: () => [leafT([3, 2])] },
    { label: 'msort', fn: (x) => x.msort().mul(x), inputs: () => [leaf([3, 2])] },
    { label: 'sort 0-d', fn: (x) => x.sort().values.mul(x), inputs: () => [leaf([])] },
  ],
  topk: [
    { label: 'topk 2 of the last dim of [2, 5]', fn: (x) => x.topk(2).values.pow(2), inputs: () => [leaf([2, 5])] },
    { label: 'topk smallest along dim 0, unsorted', fn: (x) => x.topk(2, { dim: 0, largest: false, sorted: false }).values.mul(3), inputs: () => [leafT([3, 2])] },
    { label: 'topk 0-d', fn: (x) => x.topk(1).values.mul(x), inputs: () => [leaf([])] },
  ],
  kthvalue: [
    { label: 'kthvalue 2 of the last dim', fn: (x) => x.kthvalue(2).values.pow(2), inputs: () => [leaf([2, 4])] },
    { label: 'kthvalue dim 0 keepdim of a transposed tensor', fn: (x) => x.kthvalue(3, 0, true).values.mul(x), inputs: () => [leafT([3, 2])] },
    { label: 'kthvalue 0-d', fn: (x) => x.kthvalue(1).values.mul(x), inputs: () => [leaf([])] },
  ],
  medianDim: [
    { label: 'median(dim 1)', fn: (x) => x.median(1).values.pow(2), inputs: () => [leaf([2, 5])] },
    { label: 'nanmedian(dim 0, keepdim) of a transposed tensor', fn: (x) => x.nanmedian(0, true).values.mul(x), inputs: () => [leafT([3, 2])] },
    { label: 'median(dim 0) 0-d', fn: (x) => x.median(0).values.mul(x), inputs: () => [leaf([])] },
  ],
  median: [
    { label: 'median() of [2, 3]', fn: (x) => x.median().mul(x), inputs: () => [leaf([2, 3])] },
    { label: 'nanmedian() of a transposed tensor', fn: (x) => x.nanmedian().pow(2), inputs: () => [leafT([3, 2])] },
    { label: 'median() with ties shares the gradient', fn: (x) => x.detach().mul(0).add(1).mul(x.sum()).median(), inputs: () => [leaf([4])] },
  ],
  mode: [
    { label: 'mode of the last dim (ties broken as PyTorch)', fn: (x) => x.round().mode().values.add(x.mode().values).pow(2), inputs: () => [leaf([2, 3])] },
    { label: 'mode dim 0 keepdim', fn: (x) => x.mode(0, true).values.mul(x), inputs: () => [leafT([3, 2])] },
  ],
  softmax: [
    { label: 'softmax dim 1', fn: (x) => x.softmax(1).mul(tg.arange(6, { dtype: 'float64' }).reshape(2, 3)), inputs: () => [leaf([2, 3])] },
    { label: 'softmax of a transposed tensor, dim 0', fn: (x) => x.softmax(0).pow(2), inputs: () => [leafT([3, 2])] },
    { label: 'softmax middle dim of [2, 3, 4]', fn: (x) => x.softmax(1).pow(2), inputs: () => [leaf([2, 3, 4])] },
    { label: 'softmax 0-d', fn: (x) => x.softmax(0).mul(x), inputs: () => [leaf([])] },
    {
      label: 'softmax differentiated again',
      fn: (x) => tg.autograd.grad(x.softmax(1).pow(3).sum(), [x], { createGraph: true })[0] as T,
      inputs: () => [leaf([2, 3])],
    },
  ],
  logSoftmax: [
    { label: 'logSoftmax dim -1', fn: (x) => x.logSoftmax(-1).mul(tg.arange(6, { dtype: 'float64' }).reshape(2, 3)), inputs: () => [leaf([2, 3])] },
    { label: 'logSoftmax summed (an expanded gradient)', fn: (x) => x.logSoftmax(1).sum(), inputs: () => [leaf([3, 4])] },
    { label: 'logSoftmax of a transposed tensor, middle dim', fn: (x) => x.unsqueeze(0).logSoftmax(1).pow(2), inputs: () => [leafT([3, 2])] },
    {
      label: 'logSoftmax differentiated again',
      fn: (x) => tg.autograd.grad(x.logSoftmax(0).pow(2).sum(), [x], { createGraph: true })[0] as T,
      inputs: () => [leaf([4, 2])],
    },
  ],
  nllLoss: [
    { label: 'nllLoss mean', fn: (x) => tg.F.nllLoss(x, tg.tensor([0, 2, 1], { dtype: 'int64' })), inputs: () => [leaf([3, 3])] },
    { label: 'nllLoss sum, transposed input', fn: (x) => tg.F.nllLoss(x, tg.tensor([1, 0], { dtype: 'int64' }), { reduction: 'sum' }), inputs: () => [leafT([2, 3])] },
    {
      label: 'nllLoss none, weights and an ignored target',
      fn: (x) => tg.F.nllLoss(x, tg.tensor([2, -100, 0], { dtype: 'int64' }), { reduction: 'none', weight: tg.tensor([0.5, 2, 3], { dtype: 'float64' }) }).pow(2),
      inputs: () => [leaf([3, 3])],
    },
    {
      label: 'nllLoss mean with weights',
      fn: (x) => tg.F.nllLoss(x, tg.tensor([2, 1, 0], { dtype: 'int64' }), { weight: tg.tensor([0.5, 2, 3], { dtype: 'float64' }) }),
      inputs: () => [leaf([3, 3])],
    },
    { label: 'nllLoss 1-D input', fn: (x) => tg.F.nllLoss(x, tg.tensor(1, { dtype: 'int64' })), inputs: () => [leaf([3])] },
    { label: 'nllLoss [N, C, d] input', fn: (x) => tg.F.nllLoss(x, int64([[0, 2], [1, 1]]), { reduction: 'none' }).pow(2), inputs: () => [leaf([2, 3, 2])] },
    { label: 'crossEntropy', fn: (x) => tg.F.crossEntropy(x, tg.tensor([0, 2], { dtype: 'int64' })), inputs: () => [leaf([2, 3])] },
    {
      label: 'nllLoss gradient as a function of the incoming gradient (double backward)',
      fn: (x, v) => tg.autograd.grad(tg.F.nllLoss(x, tg.tensor([2, -100, 0], { dtype: 'int64' }), { reduction: 'none', weight: tg.tensor([0.5, 2, 3], { dtype: 'float64' }) }), [x], { gradOutputs: [v], createGraph: true })[0] as T,
      inputs: () => [leaf([3, 3]), leaf([3])],
    },
    {
      label: 'nllLoss mean gradient as a function of the incoming gradient, 1-D input',
      fn: (x, v) => tg.autograd.grad(tg.F.nllLoss(x, tg.tensor(1, { dtype: 'int64' })), [x], { gradOutputs: [v], createGraph: true })[0] as T,
      inputs: () => [leaf([3]), leaf([])],
    },
    {
      label: 'softmax gradient as a function of the incoming gradient',
      fn: (x, v) => tg.autograd.grad(x.softmax(0), [x], { gradOutputs: [v], createGraph: true })[0] as T,
      inputs: () => [leaf([4]), leaf([4])],
    },
    {
      label: 'crossEntropy differentiated again',
      fn: (x) => tg.autograd.grad(tg.F.crossEntropy(x.pow(2), tg.tensor([1, 0], { dtype: 'int64' }), { reduction: 'none', weight: tg.tensor([2, 1, 1], { dtype: 'float64' }) }).sum(), [x], { createGraph: true })[0] as T,
      inputs: () => [leaf([2, 3])],
    },
  ],
  // x [T, B, I] = [3, 2, 2], H = 3: every input of one direction of a layer, forward and reverse
  rnnLayer: [
    { label: 'rnnLayer LSTM', fn: (x, h, c, wi, wh, bi, bh) => rnnLayer('LSTM', x, h, c, wi, wh, bi, bh, false), inputs: () => [leaf([3, 2, 2], -1, 1), leaf([2, 3], -1, 1), leaf([2, 3], -1, 1), leaf([12, 2], -1, 1), leaf([12, 3], -1, 1), leaf([12], -1, 1), leaf([12], -1, 1)] },
    { label: 'rnnLayer GRU, reverse', fn: (x, h, wi, wh, bi, bh) => rnnLayer('GRU', x, h, null, wi, wh, bi, bh, true), inputs: () => [leaf([3, 2, 2], -1, 1), leaf([2, 3], -1, 1), leaf([9, 2], -1, 1), leaf([9, 3], -1, 1), leaf([9], -1, 1), leaf([9], -1, 1)] },
    { label: 'rnnLayer tanh, transposed weights, no bias', fn: (x, h, wi, wh) => rnnLayer('RNN_TANH', x, h, null, wi.t(), wh, null, null, false), inputs: () => [leaf([3, 2, 2], -1, 1), leaf([2, 3], -1, 1), leafT([3, 2], -1, 1), leaf([3, 3], -1, 1)] },
    { label: 'rnnLayer relu, reverse', fn: (x, h, wi, wh, bi, bh) => rnnLayer('RNN_RELU', x, h, null, wi, wh, bi, bh, true), inputs: () => [leafAwayFromZero([3, 2, 2]), leafAwayFromZero([2, 3]), leaf([3, 2], -1, 1), leaf([3, 3], -1, 1), leaf([3], -1, 1), leaf([3], -1, 1)] },
  ],
  mseLoss: [
    { label: 'mseLoss mean, both inputs', fn: (x, y) => tg.F.mseLoss(x, y), inputs: () => [leaf([3, 4]), leaf([3, 4])] },
    { label: 'mseLoss sum', fn: (x, y) => tg.F.mseLoss(x, y, { reduction: 'sum' }), inputs: () => [leaf([5]), leaf([5])] },
    { label: 'mseLoss of 0-d tensors', fn: (x, y) => tg.F.mseLoss(x, y), inputs: () => [leaf([]), leaf([])] },
    {
      label: 'mseLoss gradients, differentiated again (input, target and incoming gradient)',
      fn: (x, y, v) => tg.autograd.grad(tg.F.mseLoss(x, y), [x, y], { gradOutputs: [v], createGraph: true })[0] as T,
      inputs: () => [leaf([2, 3]), leaf([2, 3]), leaf([])],
    },
  ],
  scaledDotProductAttention: [
    { label: 'scaledDotProductAttention, 4-D', fn: (q, k, v) => tg.F.scaledDotProductAttention(q, k, v), inputs: () => [leaf([2, 2, 3, 4]), leaf([2, 2, 5, 4]), leaf([2, 2, 5, 3])] },
    {
      label: 'scaledDotProductAttention, bool mask with an empty row, broadcast batch, transposed key',
      fn: (q, k, v) => tg.F.scaledDotProductAttention(q, k.t(), v, { attnMask: tg.tensor([[true, false, true], [false, false, false]]) }),
      inputs: () => [leaf([2, 2, 4]), leafT([4, 3]), leaf([1, 3, 2])],
    },
    { label: 'scaledDotProductAttention, float mask, scale', fn: (q, k, v) => tg.F.scaledDotProductAttention(q, k, v, { attnMask: pattern([3, 5], 'float64', 9), scale: 0.7 }), inputs: () => [leaf([3, 4]), leaf([5, 4]), leaf([5, 2])] },
    { label: 'scaledDotProductAttention, causal L > S', fn: (q, k, v) => tg.F.scaledDotProductAttention(q, k, v, { isCausal: true }), inputs: () => [leaf([2, 5, 3]), leaf([2, 4, 3]), leaf([2, 4, 3])] },
    {
      label: 'scaledDotProductAttention with dropout (the same draws each call)',
      fn: (q, k, v) => tg.F.scaledDotProductAttention(q, k, v, { dropoutP: 0.4, generator: new tg.Generator().manualSeed(3) }),
      inputs: () => [leaf([2, 3, 4]), leaf([2, 5, 4]), leaf([2, 5, 3])],
    },
  ],
  gather: [{ label: 'gather', fn: (x) => x.gather(1, int64([[0, 2], [1, 1], [2, 0]])), inputs: () => [leafT([3, 3])] }],
  scatterAdd: [
    { label: 'scatterAdd', fn: (x, s) => x.scatterAdd(0, int64([[0, 1, 0], [0, 0, 1]]), s), inputs: () => [leaf([2, 3]), leaf([2, 3])] },
    { label: 'scatterAdd_ into a non-leaf', fn: (x, s) => { const y = x.mul(1); y.scatterAdd_(1, int64([[1, 1], [0, 1]]), s); return y; }, inputs: () => [leaf([2, 3]), leaf([2, 2])] },
  ],
  index: [
    { label: 'embedding lookup x[idx]', fn: (x) => x.index(int64([[2, 0], [2, 1]])), inputs: () => [leaf([3, 4])] },
    { label: 'x[rows, cols] with repeats', fn: (x) => x.index(int64([0, 2, 0]), int64([1, 1, 1])), inputs: () => [leaf([3, 4])] },
    { label: 'x[:, mask, idx] (non-adjacent: batch first)', fn: (x) => x.index(int64([1, 0]), ':', [true, false, true]), inputs: () => [leaf([2, 2, 3])] },
  ],
  indexPut: [
    { label: 'indexPut of a tensor', fn: (x, v) => x.indexPut([int64([2, 0])], v), inputs: () => [leaf([3, 4]), leaf([2, 4])] },
    { label: 'indexPut accumulating broadcast values', fn: (x, v) => x.indexPut([':', int64([1, 1, 3])], v, { accumulate: true }), inputs: () => [leaf([3, 4]), leaf([3, 1])] },
    { label: 'indexPut_ of a value into a non-leaf', fn: (x) => { const y = x.mul(2); y.indexPut_([[true, false, true]], 5); return y; }, inputs: () => [leaf([3, 2])] },
  ],
  scatterReduce: (['sum', 'prod', 'mean', 'amax', 'amin'] as const).flatMap((reduce) => [true, false].map((includeSelf) => ({
    label: `scatterReduce ${reduce}${includeSelf ? '' : ' without self'}`,
    fn: (x: T, s: T) => x.scatterReduce(1, int64([[0, 0, 2], [1, 2, 2]]), s, reduce, { includeSelf }),
    inputs: () => [leaf([2, 3]), leaf([2, 3])],
  }))),
  scatter: [
    { label: 'scatter of a tensor', fn: (x, s) => x.scatter(1, int64([[2, 0], [1, 2]]), s), inputs: () => [leaf([2, 3]), leaf([2, 2])] },
    { label: 'scatter of a value', fn: (x) => x.scatter(1, int64([[2], [0]]), 7).mul(x), inputs: () => [leaf([2, 3])] },
  ],
  ...poolChecks,
};

describe('every backward rule is gradchecked', () => {
  for (const op of Object.keys(derivatives)) {
    it(op, () => {
      const list = checks[op];
      expect(list, `no gradcheck for the '${op}' rule`).toBeDefined();
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) {
        const inputs = c.inputs();
        const used = { hit: false };
        const fn = (...xs: T[]) => {
          const out = c.fn(...xs);
          const outs = Array.isArray(out) ? out : [out];
          if (outs.some((o) => o.gradFn !== null && o.gradFn !== undefined)) used.hit = true;
          return out;
        };
        expect(tg.autograd.gradcheck(fn, inputs), c.label).toBe(true);
        expect(used.hit, `${c.label}: no graph was recorded`).toBe(true);
      }
    });
  }

  it('checks exist only for rules that exist', () => {
    for (const op of Object.keys(checks)) expect(derivatives, op).toHaveProperty(op);
  });
});

describe('ops composed of other differentiable ops', () => {
  it.each([
    ['flip', (x: T) => x.flip(0, 1).mul(tg.arange(6, { dtype: 'float64' }).reshape(2, 3))],
    ['repeat', (x: T) => x.repeat(2, 1, 2).pow(2)],
    ['diag of a vector and of a matrix', (x: T) => tg.diag(x.reshape(-1), 1).sum(0).mul(tg.diag(x.t().matmul(x), -1).sum())],
    ['trace', (x: T) => x.matmul(x.t()).trace().mul(x)],
    ['rot90', (x: T) => x.rot90(1).pow(2).mul(x.rot90(3, [1, 0])).add(x.rot90(2).t())],
    ['repeatInterleave of a number and of counts', (x: T) => x.repeatInterleave(2, { dim: 1 }).sum(1).mul(x.repeatInterleave(tg.tensor([0, 2, 1], { dtype: 'int64' }), { dim: 1 }).pow(2).sum(1))],
    ['cumsum_ of a non-leaf', (x: T) => x.mul(1).cumsum_(1).pow(2)],
    ['tril and triu', (x: T) => x.tril(-1).add(x.triu(1).mul(3))],
    ['norm of a layerNorm', (x: T) => tg.F.layerNorm(x, [3]).norm()],
    ["gelu { approximate: 'tanh' }", (x: T) => tg.F.gelu(x.mul(2), { approximate: 'tanh' })],
  ])('%s', (_name, f) => {
    expect(tg.autograd.gradcheck(f, [leafT([2, 3])])).toBe(true);
  });
});

describe('second derivatives (createGraph)', () => {
  const d = (f: (x: T, y: T) => T) => (x: T, y: T) => tg.autograd.grad(f(x, y), [x, y], { createGraph: true }) as T[];

  it.each([
    ['mul and pow', (x: T, y: T) => x.mul(y).pow(3).sum()],
    ['exp, tanh, sigmoid', (x: T, y: T) => x.exp().mul(y.tanh()).add(x.sigmoid()).sum()],
    ['div, log, sqrt', (x: T, y: T) => x.div(y.add(3)).add(y.add(3).log()).mul(x.abs().add(1).sqrt()).sum()],
    ['mm', (x: T, y: T) => x.view(2, 3).mm(y.view(3, 2)).pow(2).sum()],
    ['broadcast and reductions', (x: T, y: T) => x.view(2, 3).mul(y.narrow(0, 0, 3)).mean(0).pow(2).sum()],
  ])('%s', (_name, f) => {
    expect(tg.autograd.gradcheck(d(f), [leaf([6]), leaf([6])])).toBe(true);
  });
});
