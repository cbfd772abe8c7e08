/**
 * Pointwise ops composed of others, with PyTorch's formulas (so its rounding): lerp, addcmul,
 * addcdiv, isclose. Their gradients are those of the ops they are made of.
 */
import { noGrad } from '../autograd/grad_mode';
import { isFloatingPoint } from '../dtype';
import { DTypeError } from '../errors';
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import { where } from './binary';

function sameFloat(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}(): expected dtype ${a.dtype} for \`end\` but got dtype ${b.dtype}`);
  if (!isFloatingPoint(a.dtype)) throw new DTypeError(`${op}() is not implemented for ${a.dtype} tensors: it needs float32 or float64`);
}

/**
 * start + weight * (end - start) (torch.lerp), computed as PyTorch computes it: from start while
 * |weight| < 0.5, from end otherwise (end - (end - start) * (1 - weight)).
 * @example tg.lerp(tg.tensor([1, 2]), tg.tensor([10, 20]), 0.25) // [3.25, 6.5]
 */
export function lerp(start: Tensor, end: Tensor, weight: Tensor | number): Tensor {
  sameFloat('lerp', start, end);
  const diff = end.sub(start);
  if (typeof weight === 'number') {
    const w = start.dtype === 'float32' ? Math.fround(weight) : weight; // PyTorch's weight is a float for float32
    return Math.abs(w) < 0.5 ? start.add(diff.mul(w)) : end.sub(diff.mul(1 - w));
  }
  sameFloat('lerp', start, weight);
  const small = noGrad(() => weight.abs().lt(0.5));
  return where(small, start.add(diff.mul(weight)), end.sub(diff.mul(weight.neg().add(1))));
}

/** addcmul's and addcdiv's options: the scale of the product or quotient. */
export interface ScaleOptions {
  value?: number;
}

function scaled(t1: Tensor, value: number): Tensor {
  return value === 1 ? t1 : t1.mul(value);
}

/**
 * self + value * tensor1 * tensor2 (torch.addcmul), multiplied in that order.
 * @example tg.addcmul(x, a, b, { value: 0.5 })
 */
export function addcmul(self: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: ScaleOptions): Tensor {
  checkOptions('addcmul', opts, { value: 'number' });
  return self.add(scaled(tensor1, opts?.value ?? 1).mul(tensor2));
}

/**
 * self + value * tensor1 / tensor2 (torch.addcdiv); integer tensors are refused, as in PyTorch.
 * @example tg.addcdiv(x, a, b, { value: -lr })
 */
export function addcdiv(self: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: ScaleOptions): Tensor {
  checkOptions('addcdiv', opts, { value: 'number' });
  if (!isFloatingPoint(tensor1.dtype) && !isFloatingPoint(tensor2.dtype)) {
    throw new DTypeError('addcdiv(): integer division is not supported: convert tensor1 or tensor2 to a floating-point dtype');
  }
  return self.add(scaled(tensor1, opts?.value ?? 1).div(tensor2));
}

/** isclose's tolerances. */
export interface CloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

/**
 * Where |a - b| <= atol + |rtol * b|, or a equals b (infinities included), as a bool tensor
 * (torch.isclose); NaN is close to NaN only with `{ equalNan: true }`.
 * @example tg.isclose(tg.tensor([1, 1.1]), tg.tensor([1, 1])) // [true, false]
 */
export function isclose(a: Tensor, b: Tensor, opts?: CloseOptions): Tensor {
  checkOptions('isclose', opts, { rtol: 'number', atol: 'number', equalNan: 'boolean' });
  if (a.dtype !== b.dtype) throw new DTypeError(`isclose(): expected both tensors to have the same dtype, but got ${a.dtype} and ${b.dtype}`);
  const rtol = opts?.rtol ?? 1e-5, atol = opts?.atol ?? 1e-8;
  if (!(rtol >= 0) || !(atol >= 0)) throw new RangeError(`isclose(): rtol and atol must be non-negative, but got rtol=${rtol} and atol=${atol}`);
  return noGrad(() => {
    let close = a.eq(b);
    if (opts?.equalNan) close = close.logicalOr(a.isnan().logicalAnd(b.isnan()));
    const x = isFloatingPoint(a.dtype) ? a : a.double(), y = isFloatingPoint(b.dtype) ? b : b.double();
    const actual = x.sub(y).abs();
    return close.logicalOr(actual.isfinite().logicalAnd(actual.le(y.mul(rtol).abs().add(atol))));
  });
}
