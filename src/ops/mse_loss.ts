/**
 * mseLoss with 'mean' or 'sum' over two contiguous tensors of one shape and float dtype: one kernel
 * pass forward and one backward (native/kernels/mse_loss.h) instead of sub, pow and sum. Other
 * cases are composed of those ops by F.mseLoss.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { toDtype } from './copy';
import { launch } from './launch';

export type SumOrMean = 'mean' | 'sum';
const REDUCTION_CODE = { mean: 1, sum: 2 } as const;

/** Whether the kernels take this pair: same shape, same float dtype, both contiguous. */
export function fusable(input: Tensor, target: Tensor): boolean {
  return input.dtype === target.dtype && input.isFloatingPoint() && input.isContiguous() && target.isContiguous() &&
    sameShape(input.shape, target.shape);
}

/** mean (or sum) of (input - target)^2, for a pair that fusable() accepts. */
export function mseLoss(input: Tensor, target: Tensor, reduction: SumOrMean): Tensor {
  const out = emptyTensor([], input.dtype);
  launch('mse_loss', [out, input, target], { reduction: REDUCTION_CODE[reduction] });
  return record('mseLoss', out, [input, target], reduction);
}

/** mseLoss's gradients with respect to the input and the target, given g (0-d). */
export function mseLossBackward(g: Tensor, input: Tensor, target: Tensor, reduction: SumOrMean, need: readonly boolean[]): (Tensor | null)[] {
  if (g.dtype !== input.dtype) g = toDtype(g, input.dtype);
  let gin: Tensor;
  if (isGradEnabled()) {
    // recording a backward for second derivatives: the same formula from differentiable ops
    gin = input.sub(target).mul(reduction === 'mean' ? 2 / input.numel() : 2).mul(g);
  } else {
    gin = emptyTensor(input.shape, input.dtype);
    launch('mse_loss_backward', [gin, input, target, g], { reduction: REDUCTION_CODE[reduction] });
  }
  return [need[0] ? gin : null, need[1] ? gin.neg() : null];
}
