/**
 * Products composed of the matrix products and elementwise ops: tensordot, kron, cross, cdist and
 * the scaled sums baddbmm, addbmm, addmv, addr. Every contraction is one GEMM call (mm, bmm or
 * matmul) over permuted and reshaped operands; gradients are those of the ops they are made of.
 */
import { noGrad } from '../autograd/grad_mode';
import { isFloatingPoint } from '../dtype';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { checkOptions, kinds, typeName } from '../options';
import { broadcastShapes, normalizeDim, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor } from './common';
import { onesLike } from './creation';
import { cat } from './join';
import { norm } from './reduce';

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** tensordot's dims: how many trailing dims of a meet as many leading dims of b, or the two lists. */
export type TensordotDims = number | readonly [number | readonly number[], number | readonly number[]];

/**
 * Sums the products of a's and b's elements over the dims listed (torch.tensordot): `dims = n`
 * pairs a's last n dims with b's first n; `[dimsA, dimsB]` pairs them one by one. The result has
 * a's remaining dims, then b's. One matrix product.
 * @example tg.tensordot(tg.randn(3, 4, 5), tg.randn(4, 5, 6), 2).shape // [3, 6]
 * @example tg.tensordot(a, b, [[1, 0], [0, 1]])
 */
export function tensordot(a: Tensor, b: Tensor, dims: TensordotDims = 2): Tensor {
  checkTensor(a, 'tensordot', 'a');
  checkTensor(b, 'tensordot', 'b');
  let da: number[], db: number[];
  if (typeof dims === 'number') {
    if (!Number.isInteger(dims)) throw new TypeError(`tensordot(): argument 'dims' must be an integer or a pair of dim lists, but got ${dims}`);
    if (dims < 0) throw new RangeError(`tensordot expects dims >= 0, but got dims=${dims}`);
    if (dims > a.shape.length || dims > b.shape.length) throw new RangeError(`tensordot expects dims < ndim_a or ndim_b, but got dims=${dims}`);
    da = Array.from({ length: dims }, (_, i) => a.shape.length - dims + i);
    db = Array.from({ length: dims }, (_, i) => i);
  } else if (Array.isArray(dims) && dims.length === 2) {
    const list = (d: unknown) => (typeof d === 'number' ? [d] : Array.isArray(d) && d.every((x) => typeof x === 'number') ? (d as number[]) : null);
    const la = list(dims[0]), lb = list(dims[1]);
    if (la === null || lb === null) throw new TypeError("tensordot(): argument 'dims' must be a number or a pair [dimsA, dimsB] of dims or dim lists");
    if (la.length !== lb.length) throw new ShapeError('both dimension lists should have same length');
    da = la.map((d) => normalizeDim(d, a.shape.length));
    db = lb.map((d) => normalizeDim(d, b.shape.length));
  } else {
    throw new TypeError(`tensordot(): argument 'dims' must be a number or a pair [dimsA, dimsB], but got ${typeName(dims)}`);
  }
  if (new Set(da).size !== da.length || new Set(db).size !== db.length) throw new ShapeError('tensordot(): a dim appears more than once in a dimension list');
  // a contracted dim of size 1 on one side broadcasts: the other side is summed over it (as ATen does)
  for (let i = 0; i < da.length; i++) {
    const s1 = a.shape[da[i]], s2 = b.shape[db[i]];
    if (s2 === 1) a = a.sum(da[i], true);
    else if (s1 === 1) b = b.sum(db[i], true);
    else if (s1 !== s2) throw new ShapeError(`contracted dimensions need to match, but first has size ${s1} in dim ${da[i]} and second has size ${s2} in dim ${db[i]}`);
  }
  const freeA = a.shape.map((_, i) => i).filter((i) => !da.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !db.includes(i));
  const k = prod(da.map((d) => a.shape[d]));
  const sizesA = freeA.map((d) => a.shape[d]), sizesB = freeB.map((d) => b.shape[d]);
  const left = a.permute([...freeA, ...da]).reshape(prod(sizesA), k);
  const right = b.permute([...db, ...freeB]).reshape(k, prod(sizesB));
  return left.mm(right).reshape([...sizesA, ...sizesB]);
}

/**
 * The Kronecker product (torch.kron): for a of shape [a0, a1, ...] and b of [b0, b1, ...] (the
 * shorter padded with leading 1s), the [a0*b0, a1*b1, ...] tensor of blocks a[i, j, ...] * b.
 * @example tg.kron(tg.eye(2), tg.ones(2, 2)).shape // [4, 4]
 */
export function kron(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'kron');
  checkTensor(b, 'kron', 'other');
  const nd = Math.max(a.shape.length, b.shape.length);
  const sa = [...new Array<number>(nd - a.shape.length).fill(1), ...a.shape];
  const sb = [...new Array<number>(nd - b.shape.length).fill(1), ...b.shape];
  const x = a.reshape(sa.flatMap((n) => [n, 1])), y = b.reshape(sb.flatMap((n) => [1, n]));
  return x.mul(y).reshape(sa.map((n, i) => n * sb[i]));
}

/**
 * The cross product of 3-vectors along dim, a and b broadcast (torch.linalg.cross); `dim`
 * defaults to -1. torch.cross's default (the first dim of size 3) is `crossFirst`.
 */
export function linalgCross(a: Tensor, b: Tensor, opts?: { dim?: number }): Tensor {
  checkTensor(a, 'linalg.cross');
  checkTensor(b, 'linalg.cross', 'other');
  checkOptions('linalg.cross', opts, { dim: 'number' });
  return crossAlong(a, b, opts?.dim ?? -1);
}

/**
 * torch.cross: the cross product along `dim`, or, without one, along the first dim of size 3 (the
 * default PyTorch deprecates in favour of linalg.cross's -1).
 * @example tg.cross(tg.tensor([1, 0, 0]), tg.tensor([0, 1, 0])) // [0, 0, 1]
 */
export function cross(a: Tensor, b: Tensor, opts?: { dim?: number | null }): Tensor {
  checkTensor(a, 'cross');
  checkTensor(b, 'cross', 'other');
  checkOptions('cross', opts, { dim: kinds.numberOrNull });
  const dim = opts?.dim;
  if (dim !== undefined && dim !== null) return crossAlong(a, b, dim);
  // PyTorch takes the first dim of size 3 of the input's own shape
  const first = a.shape.indexOf(3);
  if (first < 0) throw new ShapeError(`cross(): no dimension of size 3 in input of shape ${shapeStr(a.shape)}`);
  return crossAlong(a, b, first);
}

function crossAlong(a: Tensor, b: Tensor, dim: number): Tensor {
  if (a.dtype !== b.dtype) throw new DTypeError(`linalg.cross: expected a and b to have the same dtype, but got ${a.dtype} and ${b.dtype}`);
  if (a.shape.length !== b.shape.length) {
    throw new ShapeError(`linalg.cross: inputs must have the same number of dimensions, but got ${a.shape.length} and ${b.shape.length}`);
  }
  const shape = broadcastShapes(a.shape, b.shape);
  const d = normalizeDim(dim, shape.length);
  if (a.shape[d] !== 3 || b.shape[d] !== 3) throw new ShapeError(`linalg.cross: inputs dimension ${dim} must have length 3. Got ${a.shape[d]} and ${b.shape[d]}`);
  const x = (i: number) => a.narrow(d, i, 1), y = (i: number) => b.narrow(d, i, 1);
  const part = (i: number, j: number) => x(i).mul(y(j)).sub(x(j).mul(y(i)));
  return cat([part(1, 2), part(2, 0), part(0, 1)], d);
}

/** cdist's options: the p of the p-norm, and when p = 2 goes through a matrix product. */
export interface CdistOptions {
  p?: number;
  computeMode?: 'use_mm_for_euclid_dist_if_necessary' | 'use_mm_for_euclid_dist' | 'donot_use_mm_for_euclid_dist';
}

/**
 * The p-norm distance between each row of x1 [..., P, M] and each row of x2 [..., R, M]: a
 * [..., P, R] tensor, batch dims broadcast (torch.cdist). p = 2 by default; 0, 1, Infinity and any
 * p >= 0 work. For p = 2 with more than 25 rows on a side (or `computeMode:
 * 'use_mm_for_euclid_dist'`) it is computed as PyTorch does, by one matrix product of
 * |x1|^2 - 2 x1 x2^T + |x2|^2; a zero distance gets a zero gradient.
 * @example tg.cdist(tg.randn(10, 3), tg.randn(20, 3)).shape // [10, 20]
 */
export function cdist(x1: Tensor, x2: Tensor, opts?: CdistOptions): Tensor {
  checkTensor(x1, 'cdist', 'x1');
  checkTensor(x2, 'cdist', 'x2');
  checkOptions('cdist', opts, {
    p: 'number',
    computeMode: kinds.oneOf('use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist'),
  });
  const p = opts?.p ?? 2, mode = opts?.computeMode ?? 'use_mm_for_euclid_dist_if_necessary';
  if (x1.shape.length < 2) throw new ShapeError(`cdist only supports at least 2D tensors, X1 got: ${x1.shape.length}D`);
  if (x2.shape.length < 2) throw new ShapeError(`cdist only supports at least 2D tensors, X2 got: ${x2.shape.length}D`);
  if (!isFloatingPoint(x1.dtype)) throw new DTypeError(`cdist only supports floating-point dtypes, X1 got: ${x1.dtype}`);
  if (x1.dtype !== x2.dtype) throw new DTypeError(`cdist(): X1 and X2 must have the same dtype, but got ${x1.dtype} and ${x2.dtype}`);
  const m1 = x1.shape[x1.shape.length - 1], m2 = x2.shape[x2.shape.length - 1];
  if (m1 !== m2) throw new ShapeError(`X1 and X2 must have the same number of columns. X1: ${m1} X2: ${m2}`);
  if (!(p >= 0)) throw new RangeError('cdist only supports non-negative p values');
  const rows1 = x1.shape[x1.shape.length - 2], rows2 = x2.shape[x2.shape.length - 2];
  const batch = broadcastShapes(x1.shape.slice(0, -2), x2.shape.slice(0, -2));
  const a = x1.expand([...batch, rows1, m1]), b = x2.expand([...batch, rows2, m1]);
  const mm = p === 2 && (mode === 'use_mm_for_euclid_dist' || (mode === 'use_mm_for_euclid_dist_if_necessary' && (rows1 > 25 || rows2 > 25)));
  if (mm) return euclideanDist(a, b);
  return norm(a.unsqueeze(-2).sub(b.unsqueeze(-3)), p, -1, false);
}

/** ATen's _euclidean_dist: [-2 x1, |x1|^2, 1] @ [x2, 1, |x2|^2]^T, clamped at 0, square-rooted. */
function euclideanDist(x1: Tensor, x2: Tensor): Tensor {
  const n1 = x1.pow(2).sum(-1, true), n2 = x2.pow(2).sum(-1, true);
  const left = cat([x1.mul(-2), n1, onesLike(n1)], -1);
  const right = cat([x2, onesLike(n2), n2], -1);
  const squared = left.matmul(right.mT).clampMin(0);
  const zero = noGrad(() => squared.eq(0));
  return squared.maskedFill(zero, 1).sqrt().maskedFill(zero, 0);
}

/** The scales of the add*mm family: beta * input + alpha * product. */
export interface AddProductOptions {
  beta?: number;
  alpha?: number;
}

/** beta * input + alpha * product, input broadcast to the product's shape and ignored when beta is 0. */
function addScaled(op: string, input: Tensor, product: () => Tensor, opts: AddProductOptions | undefined, check: () => void): Tensor {
  checkTensor(input, op);
  checkOptions(op, opts, { beta: 'number', alpha: 'number' });
  check();
  const beta = opts?.beta ?? 1, alpha = opts?.alpha ?? 1;
  const out = product();
  if (input.dtype !== out.dtype) throw new DTypeError(`${op}(): expected input to have dtype ${out.dtype}, but got ${input.dtype}`);
  if (!isFloatingPoint(out.dtype) && (!Number.isInteger(beta) || !Number.isInteger(alpha))) {
    throw new TypeError(`${op}(): for integer tensors, beta and alpha must be integers, but got beta=${beta} and alpha=${alpha}`);
  }
  const lead = out.shape.length - input.shape.length;
  if (lead < 0 || input.shape.some((n, i) => n !== 1 && n !== out.shape[lead + i])) {
    throw new ShapeError(`${op}(): input of shape ${shapeStr(input.shape)} does not broadcast to the product's shape ${shapeStr(out.shape)}`);
  }
  const scaled = alpha === 1 ? out : out.mul(alpha);
  return beta === 0 ? scaled : scaled.add(beta === 1 ? input : input.mul(beta));
}

function need(op: string, t: unknown, name: string, nd: number, what: string): void {
  checkTensor(t, op, name);
  if (t.shape.length !== nd) throw new ShapeError(`${op}(): ${name} must be a ${what}, but got a ${t.shape.length}-D tensor`);
}

/**
 * beta * input + alpha * (batch1 @ batch2) for batch1 [B, N, M] and batch2 [B, M, P], input
 * broadcast to [B, N, P] (torch.baddbmm).
 * @example tg.baddbmm(c, a, b, { beta: 0.5, alpha: 2 })
 */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts?: AddProductOptions): Tensor {
  return addScaled('baddbmm', input, () => batch1.bmm(batch2), opts, () => {
    need('baddbmm', batch1, 'batch1', 3, '3-D tensor');
    need('baddbmm', batch2, 'batch2', 3, '3-D tensor');
  });
}

/**
 * beta * input + alpha * (the sum over b of batch1[b] @ batch2[b]), input broadcast to [N, P]
 * (torch.addbmm): one matrix product of [N, B*M] and [B*M, P].
 */
export function addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts?: AddProductOptions): Tensor {
  return addScaled('addbmm', input, () => {
    const [bs, n, m] = batch1.shape, [bs2, m2, p] = batch2.shape;
    if (bs !== bs2) throw new ShapeError(`addbmm(): batch1 and batch2 must have same number of batches, got ${bs} and ${bs2}`);
    if (m !== m2) throw new ShapeError(`addbmm(): batch1 and batch2 shapes cannot be multiplied (${bs}x${n}x${m} and ${bs2}x${m2}x${p})`);
    return batch1.permute(1, 0, 2).reshape(n, bs * m).mm(batch2.reshape(bs * m, p));
  }, opts, () => {
    need('addbmm', batch1, 'batch1', 3, '3-D tensor');
    need('addbmm', batch2, 'batch2', 3, '3-D tensor');
  });
}

/** beta * input + alpha * (mat @ vec) (torch.addmv). */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, opts?: AddProductOptions): Tensor {
  return addScaled('addmv', input, () => mat.mv(vec), opts, () => {
    need('addmv', mat, 'mat', 2, 'matrix');
    need('addmv', vec, 'vec', 1, 'vector');
  });
}

/** beta * input + alpha * (the outer product of vec1 and vec2) (torch.addr). */
export function addr(input: Tensor, vec1: Tensor, vec2: Tensor, opts?: AddProductOptions): Tensor {
  return addScaled('addr', input, () => vec1.outer(vec2), opts, () => {
    need('addr', vec1, 'vec1', 1, 'vector');
    need('addr', vec2, 'vec2', 1, 'vector');
  });
}

/** The result of an in-place form (baddbmm_, addmv_, ...), which must have self's shape. */
export function inPlaceResult(self: Tensor, out: Tensor, op: string): Tensor {
  if (!sameShape(self.shape, out.shape)) {
    throw new ShapeError(`${op}(): bad in-place call: input tensor size ${shapeStr(self.shape)} and output tensor size ${shapeStr(out.shape)} should match`);
  }
  return out;
}
