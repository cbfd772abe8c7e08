/**
 * mseLoss with 'mean' or 'sum' over two contiguous tensors of one shape and float dtype: one kernel
 * pass forward and one backward (native/kernels/mse_loss.h) instead of sub, pow and sum. Other
 * cases are composed of those ops by F.mseLoss.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { native } from '../native';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { toDtype } from './copy';
import * as meta from './meta';

export type SumOrMean = 'mean' | 'sum';
const REDUCTION_CODE = { mean: 1, sum: 2 } as const;

/** Whether the kernels take this pair: same shape, same float dtype, both contiguous. */
export function fusable(input: Tensor, target: Tensor): boolean {
  return input.dtype === target.dtype && input.isFloatingPoint() && input.isContiguous() && target.isContiguous() &&
    sameShape(input.shape, target.shape);
}

/** Describes the call: [n], then the row operands (offset, stride 1), then the scalar's offset. */
function describe(n: number, rows: readonly Tensor[], scalar: Tensor): void {
  meta.begin();
  meta.pushShape([n]);
  for (const t of rows) meta.pushOperand(t, [1]);
  meta.pushOperand(scalar, []);
  meta.end();
}

/** mean (or sum) of (input - target)^2, for a pair that fusable() accepts. */
export function mseLoss(input: Tensor, target: Tensor, reduction: SumOrMean): Tensor {
  const out = emptyTensor([], input.dtype);
  describe(input.numel(), [input, target], out);
  native.mse_loss(input._storage.data, target._storage.data, out._storage.data, REDUCTION_CODE[reduction]);
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
    describe(input.numel(), [gin, input, target], g);
    native.mse_loss_backward(gin._storage.data, input._storage.data, target._storage.data, g._storage.data, REDUCTION_CODE[reduction]);
  }
  return [need[0] ? gin : null, need[1] ? gin.neg() : null];
}
