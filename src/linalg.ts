/**
 * tg.linalg: torch.linalg's norms and products (`tg.linalg.norm`, `tg.linalg.vectorNorm`,
 * `tg.linalg.matrixNorm`, `tg.linalg.cross`, `tg.linalg.matmul`).
 * @module
 */
import { checkTensor } from './ops/common';
import { linalgCross } from './ops/linalg_ext';
import { linalgNorm } from './ops/linalg_norm';
import type { Tensor } from './tensor';

export { matrixNorm, vectorNorm } from './ops/linalg_norm';
export type { LinalgNormOptions, MatrixNormOptions, MatrixOrd, VectorNormOptions } from './ops/linalg_norm';

/**
 * torch.linalg.norm: a vector norm when `dim` is one dim (or, without dim, x is 1-D), a matrix norm
 * when it is two (or x is 2-D); without ord and dim, the 2-norm of all elements.
 * @example tg.linalg.norm(tg.tensor([[1, 2], [3, 4]])) // 5.4772
 */
export const norm = linalgNorm;

/**
 * The cross product of 3-vectors along `dim` (-1 by default), a and b broadcast (torch.linalg.cross).
 * @example tg.linalg.cross(tg.tensor([1, 0, 0]), tg.tensor([0, 1, 0])) // [0, 0, 1]
 */
export const cross = linalgCross;

/** torch.linalg.matmul: the same as `tg.matmul`. */
export function matmul(input: Tensor, other: Tensor): Tensor {
  checkTensor(input, 'linalg.matmul');
  return input.matmul(other);
}
