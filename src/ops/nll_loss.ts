/**
 * nllLoss over [n, c] log-probabilities and class-index targets: one kernel call forward and one
 * backward (native/kernels/nll_loss.h), the targets checked by the kernel.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { toDtype } from './copy';
import { launch, Reshaped, type KernelOperand } from './launch';

export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION_CODE = { none: 0, mean: 1, sum: 2 } as const;

export interface NllContext {
  target: Tensor;
  weight: Tensor | null;
  ignoreIndex: number;
  reduction: Reduction;
  totalWeight: Tensor;
}

/**
 * The kernels' operands for an input (or its gradient) of `shape`, [n, c] or [c] (one row): that
 * tensor as [n, c], the target as [n], and the per-row loss (or its gradient): [n] for 'none',
 * else 0-d.
 */
function operands(shape: readonly number[], rowsOf: Tensor, target: Tensor, perRow: Tensor, reduction: Reduction): KernelOperand[] {
  if (shape.length === 2) return [rowsOf, target, perRow];
  return [
    new Reshaped(rowsOf, [1, rowsOf.shape[0]], [0, rowsOf._strides[0]]),
    new Reshaped(target, [1], [0]),
    reduction === 'none' ? new Reshaped(perRow, [1], [0]) : perRow,
  ];
}

/**
 * nll_loss of log-probabilities input ([n, c], or [c] with a 0-d target) against class indices:
 * -weight[t] * input[i, t] per row, reduced. Targets are checked by the kernel (IndexError).
 */
export function nllLoss(input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: Reduction): Tensor {
  const out = emptyTensor(reduction === 'none' && input.shape.length === 2 ? [input.shape[0]] : [], input.dtype);
  const totalWeight = emptyTensor([], input.dtype);
  const [rows, t, perRow] = operands(input.shape, input, target, out, reduction);
  launch('nll_loss', [perRow, totalWeight, rows, t, weight], { ignoreIndex, reduction: REDUCTION_CODE[reduction] });
  const ctx: NllContext = { target, weight, ignoreIndex, reduction, totalWeight };
  return record('nllLoss', out, [input], ctx);
}

/** nllLoss's gradient for an input of `shape`, given g (of the loss's shape). */
export function nllLossBackward(g: Tensor, shape: readonly number[], ctx: NllContext): Tensor {
  const { target, weight, ignoreIndex, reduction, totalWeight } = ctx;
  if (g.dtype !== totalWeight.dtype) g = toDtype(g, totalWeight.dtype);
  if (isGradEnabled() && g._requiresGrad) return nllLossBackwardComposite(g, shape, ctx);
  const gin = emptyTensor(shape, g.dtype);
  const [rows, t, perRow] = operands(shape, gin, target, g, reduction);
  launch('nll_loss_backward', [rows, perRow, t, weight, totalWeight], { ignoreIndex, reduction: REDUCTION_CODE[reduction] });
  return gin;
}

/** The same gradient from differentiable ops, for second derivatives. */
function nllLossBackwardComposite(g: Tensor, shape: readonly number[], ctx: NllContext): Tensor {
  const { target, weight, ignoreIndex, reduction, totalWeight } = ctx;
  const rows = shape.length === 2;
  const t = rows ? target.long() : target.long().reshape(1);
  const kept = t.ne(ignoreIndex);
  const safe = t.maskedFill(kept.logicalNot(), 0);
  let coef = kept.to(g.dtype);
  if (weight !== null) coef = coef.mul(weight.gather(0, safe));
  let perRow = coef.neg().mul(reduction === 'none' && rows ? g : g.reshape(1));
  if (reduction === 'mean') perRow = perRow.div(totalWeight);
  const gin = g.newZeros([t.shape[0], shape[shape.length - 1]]).scatter(1, safe.unsqueeze(1), perRow.unsqueeze(1));
  return rows ? gin : gin.reshape(shape as number[]);
}
