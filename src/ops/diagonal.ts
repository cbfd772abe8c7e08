/**
 * Diagonals: diag, diagEmbed, trace and fillDiagonal_, built on the diagonal view (view.ts), so
 * autograd needs no rules of their own.
 */
import { DTypeError, ShapeError } from '../errors';
import { checkOptions } from '../options';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import type { Scalar } from './common';
import { fill_ } from './copy';
import { diagonal, unslice } from './view';

/**
 * A new tensor whose diagonals of dims dim1 and dim2 hold the last dim of x, the rest zero
 * (torch.diag_embed): the inverse of diagonal(offset, dim1, dim2). Each new dim has the size
 * x.shape[-1] + |offset|; dim1 and dim2 count the output's dims.
 * @example tg.diagEmbed(tg.tensor([1, 2])) // [[1, 0], [0, 2]]
 */
export function diagEmbed(x: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor {
  if (!Number.isInteger(offset)) throw new TypeError(`diagEmbed(): offset must be an integer, but got ${String(offset)}`);
  const nd = x.shape.length + 1;
  const a = normalizeDim(dim1, nd), b = normalizeDim(dim2, nd);
  if (a === b) throw new ShapeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const n = x.shape[x.shape.length - 1] + Math.abs(offset);
  const batch = x.shape.slice(0, -1);
  const shape: number[] = [];
  for (let i = 0, k = 0; i < nd; i++) shape.push(i === a || i === b ? n : batch[k++]);
  // the zero tensor with x written into that diagonal: the backward of the diagonal view
  return unslice(x, shape, (z: Tensor) => diagonal(z, offset, a, b));
}

/**
 * torch.diag: of a vector, the square matrix with it on the diagonal-th diagonal; of a matrix, a
 * copy of its diagonal-th diagonal.
 * @example tg.diag(tg.tensor([1, 2])) // [[1, 0], [0, 2]]
 */
export function diag(x: Tensor, diagonalIndex = 0): Tensor {
  if (x.shape.length === 1) return diagEmbed(x, diagonalIndex);
  if (x.shape.length === 2) return diagonal(x, diagonalIndex).clone();
  throw new ShapeError(`diag(): Supports 1D or 2D tensors. Got ${x.shape.length}D`);
}

/**
 * The sum of a matrix's main diagonal (torch.trace): integer tensors sum into int64.
 * @example tg.tensor([[1, 2], [3, 4]]).trace() // 5
 */
export function trace(x: Tensor): Tensor {
  if (x.shape.length !== 2) throw new ShapeError(`trace: expected a matrix, but got tensor with dim ${x.shape.length}`);
  if (x.dtype === 'bool') throw new DTypeError('trace() is not implemented for bool tensors (convert with .long())');
  return diagonal(x).sum();
}

/** fillDiagonal_'s options (torch.Tensor.fill_diagonal_'s wrap). */
export interface FillDiagonalOptions {
  /** For a tall matrix: start again every columns + 1 rows, as NumPy's fill_diagonal does. */
  wrap?: boolean;
}

/**
 * Writes value on the main diagonal of x in place (torch.Tensor.fill_diagonal_): x has at least
 * 2 dims, all of one size when more than 2.
 * @example tg.zeros(3, 3).fillDiagonal_(1) // the identity
 */
export function fillDiagonal_(x: Tensor, value: Scalar, opts?: FillDiagonalOptions): Tensor {
  checkOptions('fillDiagonal_', opts, { wrap: 'boolean' });
  const nd = x.shape.length;
  if (nd < 2) throw new ShapeError(`fillDiagonal_(): the tensor must have at least 2 dimensions, but has ${nd}`);
  if (nd > 2 && x.shape.some((n) => n !== x.shape[0])) {
    throw new ShapeError(`fillDiagonal_(): all dimensions of input must be of equal length, but got shape [${x.shape.join(', ')}]`);
  }
  let d = diagonal(x);
  while (d.shape.length > 1) d = diagonal(d, 0, 0, -1);
  fill_(d, value);
  const [rows, cols] = x.shape;
  if (opts?.wrap === true && nd === 2) {
    // the diagonal restarts after one blank row: rows cols + 1, 2 * (cols + 1), ...
    for (let r = cols + 1; r < rows; r += cols + 1) fill_(diagonal(x.narrow(0, r, Math.min(cols, rows - r))), value);
  }
  return x;
}
