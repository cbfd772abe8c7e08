/**
 * nn.functional's activations beyond functional.ts's: elu, selu, prelu, hardtanh, mish, softsign,
 * composed of ops (so autograd differentiates them) with PyTorch's values and its gradients at the
 * kinks (torch.nn.functional, ATen's Activation.cpp).
 * @module
 */
import { DTypeError, ShapeError } from '../errors';
import { checkTensor } from '../ops/common';
import type { Tensor } from '../tensor';
import { checkArg } from '../options';
import { softplus } from './functional';

/** SELU's constants (Klambauer et al., as torch.selu). */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

function floating(x: Tensor, fn: string): void {
  checkTensor(x, fn);
  if (!x.isFloatingPoint()) throw new DTypeError(`${fn}() expects a floating-point input (float32 or float64), but got ${x.dtype}`);
}

/**
 * x where x > 0, alpha * (exp(x) - 1) elsewhere (torch.nn.functional.elu); the gradient at 0 is alpha.
 * @example F.elu(x, 1.0)
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  floating(x, 'elu');
  checkArg('elu', 'alpha', alpha, 'number');
  // the exponent is capped at 0 so that the branch where() discards cannot overflow
  return x.where(x.gt(0), x.clamp({ max: 0 }).expm1().mul(alpha));
}

/**
 * scale * elu(x, alpha) with SELU's fixed constants (torch.nn.functional.selu).
 * @example F.selu(x)
 */
export function selu(x: Tensor): Tensor {
  floating(x, 'selu');
  return x.where(x.gt(0), x.clamp({ max: 0 }).expm1().mul(SELU_ALPHA)).mul(SELU_SCALE);
}

/**
 * x where x > 0, weight * x elsewhere, with one weight or one per channel (dim 1; dim 0 of a 1-D
 * input), as torch.nn.functional.prelu.
 * @example F.prelu(x, tg.tensor([0.25]))
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  floating(x, 'prelu');
  checkTensor(weight, 'prelu', 'weight');
  if (weight.dim() > 1) throw new ShapeError(`prelu: Expected \`weight\` to be a scalar or 1D tensor, but got: ndim = ${weight.dim()}`);
  const n = weight.numel();
  let w = weight;
  if (n !== 1) {
    if (x.dim() === 0) throw new ShapeError('Not allow zero-dim input tensor.');
    const channels = x.dim() > 1 ? x.shape[1] : 1;
    if (channels !== n) throw new ShapeError(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${channels}.`);
  }
  if (weight.dim() === 1 && x.dim() >= 2) w = weight.reshape([n, ...Array<number>(x.dim() - 2).fill(1)]);
  return x.where(x.gt(0), x.mul(w));
}

/**
 * x clamped to [minVal, maxVal] (torch.nn.functional.hardtanh); as in PyTorch the gradient is zero
 * at the bounds themselves, where clamp's passes.
 * @example F.hardtanh(x, -1, 1)
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  checkTensor(x, 'hardtanh');
  checkArg('hardtanh', 'minVal', minVal, 'number');
  checkArg('hardtanh', 'maxVal', maxVal, 'number');
  if (minVal > maxVal) throw new RangeError('minVal cannot be greater than maxVal');
  const inside = x.gt(minVal).logicalAnd(x.lt(maxVal));
  return x.where(inside, x.clamp(minVal, maxVal).detach());
}

/**
 * x * tanh(softplus(x)) (torch.nn.functional.mish).
 * @example F.mish(x)
 */
export function mish(x: Tensor): Tensor {
  floating(x, 'mish');
  return x.mul(softplus(x).tanh());
}

/**
 * x / (1 + |x|) (torch.nn.functional.softsign).
 * @example F.softsign(x)
 */
export function softsign(x: Tensor): Tensor {
  checkTensor(x, 'softsign');
  return x.div(x.abs().add(1));
}

