/**
 * Matrix products: mm, matmul (batched, broadcasting like torch.matmul), bmm, mv, dot.
 * Everything goes through one batched GEMM kernel; transposed views are passed as transpose flags.
 */
import { checkOptions } from '../options';
import { record } from '../autograd/graph';
import { DTypeError, ShapeError } from '../errors';
import { broadcastShapes, viewStrides } from '../shape';
import { markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { asStrided, checkTensor, emptyTensor, isWhole } from './common';
import { copyInto } from './copy';
import { launch } from './launch';

/**
 * out = alpha * a @ b + beta * out over the batch dims: a [..., M, K] and b [..., K, N], whose
 * batch dims broadcast to out's [..., M, N] (row-major). Transposed views go to BLAS as flags.
 */
export function gemm(out: Tensor, a: Tensor, b: Tensor, alpha = 1, beta = 0): Tensor {
  launch('gemm', [out, a, b], alpha === 1 && beta === 0 ? PLAIN : { alpha, beta });
  return out;
}

const PLAIN = Object.freeze({ alpha: 1, beta: 0 });

function checkMatmulTypes(a: Tensor, b: Tensor, what = 'm1 and m2'): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`expected ${what} to have the same dtype, but got: ${a.dtype} != ${b.dtype}`);
  }
  if (a.dtype === 'bool') throw new DTypeError('matrix products (mm, matmul, bmm, mv, dot, linear) are not implemented for bool tensors');
}

function checkMm(a: Tensor, b: Tensor, names = ['input', 'mat2']): void {
  if (a.shape.length !== 2) throw new ShapeError(`${names[0]} must be a matrix, but got a ${a.shape.length}-D tensor`);
  if (b.shape.length !== 2) throw new ShapeError(`${names[1]} must be a matrix, but got a ${b.shape.length}-D tensor`);
  checkMatmulTypes(a, b);
  if (a.shape[1] !== b.shape[0]) {
    throw new ShapeError(`mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`);
  }
}

/**
 * out += a @ b for 2-D tensors, in place and not recorded: how backward adds a product straight
 * into a leaf's existing .grad (BLAS beta = 1), without a temporary.
 */
export function accumulateMm(out: Tensor, a: Tensor, b: Tensor): Tensor {
  // into a .grad zeroed by zero_() and not written since: beta = 0, no pass to write the zeros
  const zero = out._storage.pendingZero && isWhole(out);
  if (zero) out._storage.claimWhole();
  else out._storage.beforeWrite();
  gemm(out, a, b, 1, zero ? 0 : 1);
  markWritten(out);
  return out;
}

/**
 * beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape (torch.addmm): one
 * GEMM over a copy of input.
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  checkTensor(input, 'addmm');
  checkOptions('addmm', opts, { beta: 'number', alpha: 'number' });
  checkMm(mat1, mat2, ['mat1', 'mat2']);
  const beta = opts.beta ?? 1, alpha = opts.alpha ?? 1;
  const out = emptyTensor([mat1.shape[0], mat2.shape[1]], mat1.dtype);
  if (beta !== 0) copyInto(out, input);
  gemm(out, mat1, mat2, alpha, beta === 0 ? 0 : beta);
  return record('addmm', out, [input, mat1, mat2], { alpha, beta });
}

/**
 * x @ weight^T + bias with weight [out, in] (F.linear). A 2-D x is one GEMM that also adds the
 * bias; other shapes are flattened to 2-D and back.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor(x, 'linear');
  checkTensor(weight, 'linear', 'weight');
  if (x.shape.length !== 2) {
    if (x.shape.length === 0) throw new ShapeError('linear(): input must have at least one dimension');
    const lead = x.shape.slice(0, -1);
    const y = linear(x.reshape(-1, x.shape[x.shape.length - 1]), weight, bias);
    return y.reshape([...lead, weight.shape[0]]);
  }
  if (weight.shape.length !== 2) throw new ShapeError(`linear(): weight must be a matrix, but got a ${weight.shape.length}-D tensor`);
  const wt = weight.detach().t();
  checkMm(x, wt, ['mat1', 'mat2']);
  const out = emptyTensor([x.shape[0], weight.shape[0]], x.dtype);
  const hasBias = bias !== undefined && bias !== null;
  if (hasBias) copyInto(out, bias);
  gemm(out, x, wt, 1, hasBias ? 1 : 0);
  return record('linear', out, [x, weight, hasBias ? bias : null], undefined, hasBias ? 'AddmmBackward0' : 'MmBackward0');
}

/**
 * Matrix product of two 2-D tensors.
 * @example tg.randn(64, 1000).mm(tg.randn(1000, 100)).shape // [64, 100]
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkTensor(b, 'mm', 'mat2');
  checkMm(a, b);
  return record('mm', gemm(emptyTensor([a.shape[0], b.shape[1]], a.dtype), a, b), [a, b]);
}

/** Matrix-vector product: a [M, K] times v [K]. */
export function mv(a: Tensor, v: Tensor): Tensor {
  checkTensor(v, 'mv', 'vec');
  if (a.shape.length !== 2 || v.shape.length !== 1) {
    throw new ShapeError(`vector + matrix @ vector expected, got ${v.shape.length}, ${a.shape.length}, ${v.shape.length}`);
  }
  checkMatmulTypes(a, v);
  if (a.shape[1] !== v.shape[0]) {
    throw new ShapeError(`size mismatch, got input (${a.shape[0]}), mat (${a.shape[0]}x${a.shape[1]}), vec (${v.shape[0]})`);
  }
  const col = asStrided(v, [v.shape[0], 1], [v._strides[0], 0], v._offset);
  const out = gemm(emptyTensor([a.shape[0], 1], a.dtype), a, col);
  return record('mv', asStrided(out, [a.shape[0]], [1], 0), [a, v]);
}

/** Inner product of two 1-D tensors of the same length: a 0-d tensor. */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor(b, 'dot', 'tensor');
  if (a.shape.length !== 1 || b.shape.length !== 1) {
    throw new ShapeError(`1D tensors expected, but got ${a.shape.length}D and ${b.shape.length}D tensors`);
  }
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`dot(): expected both vectors to have the same dtype, but found ${a.dtype} and ${b.dtype}`);
  }
  checkMatmulTypes(a, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  const row = asStrided(a, [1, a.shape[0]], [0, a._strides[0]], a._offset);
  const col = asStrided(b, [b.shape[0], 1], [b._strides[0], 0], b._offset);
  const out = gemm(emptyTensor([1, 1], a.dtype), row, col);
  return record('dot', asStrided(out, [], [], 0), [a, b]);
}

/** Batched product of [B, M, K] and [B, K, N] (no broadcasting). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkTensor(b, 'bmm', 'mat2');
  if (a.shape.length !== 3) throw new ShapeError(`batch1 must be a 3D tensor`);
  if (b.shape.length !== 3) throw new ShapeError(`batch2 must be a 3D tensor`);
  checkMatmulTypes(a, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`batch1 and batch2 must have same number of batches, got ${a.shape[0]} and ${b.shape[0]}`);
  }
  checkInner(a, b);
  const out = emptyTensor([a.shape[0], a.shape[1], b.shape[2]], a.dtype);
  return record('bmm', gemm(out, a, b), [a, b]);
}

function checkInner(a: Tensor, b: Tensor): void {
  const k = a.shape[a.shape.length - 1], k2 = b.shape[b.shape.length - 2];
  if (k !== k2) {
    const batch = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    throw new ShapeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${batch}, ${k}] but got: [${batch}, ${k2}].`,
    );
  }
}

/**
 * torch.matmul: dot for 1-D x 1-D, mv, mm, and batched products with broadcast batch dims; a 1-D
 * argument is treated as a row (first) or column (second) vector and that dim is removed again.
 * @example tg.randn(10, 3, 4).matmul(tg.randn(4, 5)).shape // [10, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(b, 'matmul', 'other');
  const da = a.shape.length, db = b.shape.length;
  if (da === 0 || db === 0) {
    throw new ShapeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  }
  if (da === 1 && db === 1) return dot(a, b);
  if (da === 2 && db === 1) return mv(a, b);
  if (da === 2 && db === 2) return mm(a, b);
  if (da === 1 && db === 2) return mm(a.unsqueeze(0), b).squeeze(0);
  checkMatmulTypes(a, b);
  const A = da === 1 ? a.unsqueeze(0) : a;
  const B = db === 1 ? b.unsqueeze(-1) : b;
  checkInner(A, B);
  const m = A.shape[A.shape.length - 2], n = B.shape[B.shape.length - 1];
  let out = B.shape.length === 2 ? foldedProduct(A, B) : null;
  if (out === null) {
    const batch = broadcastShapes(A.shape.slice(0, -2), B.shape.slice(0, -2));
    out = gemm(emptyTensor([...batch, m, n], a.dtype), A, B);
    out = record('bmm', out, [A, B]);
  }
  if (da === 1) out = out.squeeze(-2);
  if (db === 1) out = out.squeeze(-1);
  return out;
}

/**
 * [..., M, K] @ [K, N] as one [rows, K] @ [K, N] product when a's batch dims lay out as more rows
 * (a contiguous input does): one GEMM call instead of one per batch. Null when they do not.
 */
function foldedProduct(a: Tensor, b: Tensor): Tensor | null {
  const lead = a.shape.slice(0, -1);
  const rowsShape = [lead.reduce((x, y) => x * y, 1), a.shape[a.shape.length - 1]];
  if (viewStrides(a.shape, a._strides, rowsShape) === null) return null;
  return mm(a.reshape(rowsShape), b).reshape([...lead, b.shape[1]]);
}
