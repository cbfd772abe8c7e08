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

/** The norm of x (torch.linalg.norm): see {@link linalgNorm}'s rules for vector and matrix norms. */
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
