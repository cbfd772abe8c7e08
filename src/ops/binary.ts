/**
 * Binary elementwise ops with PyTorch's broadcasting and type promotion: arithmetic, comparisons,
 * logical ops, where and maskedFill.
 */
import { noGrad } from '../autograd/grad_mode';
import { inPlace, record } from '../autograd/graph';
import { canCast, getDefaultDtype, isFloatingPoint, resultType, type DType } from '../dtype';
import { DTypeError } from '../errors';
import type { BinaryOp, CompareOp, LogicalOp } from '../native';
import { checkOptions, describeValue } from '../options';
import { isTensor, markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { fillValue, inexactAsNumber, int64Scalar, promotionOf, scalarNumber, type TensorLike } from './common';
import { toDtype } from './copy';
import { inPlaceArgs, launch, newOutput } from './launch';
import { lazyScale, scaledOperand } from './lazy';
import { castError } from './unary';

export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'atan2' | 'hypot' | 'fmod' | 'remainder' | 'floorDivide' | 'truncDivide';

/** A tensor operand converted to dtype, or a scalar as the number the kernel takes. */
type KernelArg = Tensor | number;

function asArg(x: TensorLike, dtype: DType): KernelArg {
  if (isTensor(x)) return x.dtype === dtype ? x : toDtype(x, dtype);
  return typeof x === 'number' ? x : scalarNumber(x);
}

const NO_ALPHA = Object.freeze({ alpha: 1 });

/** The kernels whose name is not the op's. */
const KERNEL_OF: Partial<Record<ArithOp, BinaryOp>> = { floorDivide: 'floor_divide', truncDivide: 'trunc_divide' };

function call(op: ArithOp | CompareOp | LogicalOp, out: Tensor, args: KernelArg[], alpha?: number): Tensor {
  launch(KERNEL_OF[op as ArithOp] ?? (op as BinaryOp | CompareOp | LogicalOp), [out, args[0], args[1]], op !== 'add' && op !== 'sub' ? undefined : alpha === undefined || alpha === 1 ? NO_ALPHA : { alpha });
  return out;
}

/** Whether an integer divisor is zero somewhere. */
function divisorHasZero(b: TensorLike): boolean {
  return isTensor(b) ? noGrad(() => b.eq(0).any().item<boolean>()) : scalarNumber(b) === 0;
}

/** The dtype an arithmetic op computes in, with its dtype rules checked. */
function arithType(op: ArithOp, a: TensorLike, b: TensorLike, alpha?: number): DType {
  // The common case, a floating-point tensor with one of its own dtype or a number: nothing to promote.
  if (isTensor(a) && isFloatingPoint(a.dtype) && (typeof b === 'number' || (isTensor(b) && b.dtype === a.dtype))) return a.dtype;
  let dtype = resultType([promotionOf(a), promotionOf(b)]);
  if ((op === 'div' || op === 'atan2' || op === 'hypot') && !isFloatingPoint(dtype)) dtype = getDefaultDtype();
  if (dtype === 'bool' && op === 'sub') {
    throw new DTypeError(
      'Subtraction, sub(), with two bool tensors is not supported. Use logicalXor() instead.',
    );
  }
  if (dtype === 'bool' && op === 'pow') throw new DTypeError('pow() is not implemented for bool tensors');
  const divides = op === 'fmod' || op === 'remainder' || op === 'floorDivide' || op === 'truncDivide';
  if (dtype === 'bool' && divides) throw new DTypeError(`${op}() is not implemented for bool tensors`);
  if (divides && !isFloatingPoint(dtype) && divisorHasZero(b)) {
    throw new RangeError(`${op}(): integer division by zero (ZeroDivisionError)`);
  }
  if (op === 'pow' && !isFloatingPoint(dtype) && !isTensor(b) && scalarNumber(b) < 0) {
    throw new RangeError('Integers to negative integer powers are not allowed.');
  }
  if (alpha !== undefined && alpha !== 1 && !isFloatingPoint(dtype) && !Number.isInteger(alpha)) {
    throw new DTypeError(`For integer input tensors, the alpha option must be an integer, but got ${alpha}.`);
  }
  return dtype;
}

/**
 * a op b, broadcast, in the promoted dtype; `alpha` scales b for add and sub (torch.add's alpha).
 * @example binary('add', x, 1)  // x + 1
 */
export function binary(op: ArithOp, a: Tensor, b: TensorLike, alpha?: number): Tensor {
  const dtype = arithType(op, a, b, alpha);
  const args = [asArg(a, dtype), asArg(b, dtype)];
  const lazy = op === 'mul' && typeof b === 'number' ? lazyScale(a, b, dtype) : null;
  const out = lazy ?? call(op, newOutput(args, dtype), args, alpha);
  return record(op, out, [a, b], { alpha: alpha ?? 1 }, op === 'pow' ? (isTensor(b) ? 'PowBackward1' : 'PowBackward0') : undefined);
}

// Each op under its own name: the name of its backward rule (derivatives.ts) and of its kernel.
// Functions of their own (not made by a factory), so that each call site compiles with its op fixed.
export function add(a: Tensor, b: TensorLike, alpha?: number): Tensor { return binary('add', a, b, alpha); }
export function sub(a: Tensor, b: TensorLike, alpha?: number): Tensor { return binary('sub', a, b, alpha); }
export function mul(a: Tensor, b: TensorLike): Tensor { return binary('mul', a, b); }
export function div(a: Tensor, b: TensorLike): Tensor { return binary('div', a, b); }
export function pow(a: Tensor, b: TensorLike): Tensor { return binary('pow', a, b); }
export function maximum(a: Tensor, b: TensorLike): Tensor { return binary('maximum', a, b); }
export function minimum(a: Tensor, b: TensorLike): Tensor { return binary('minimum', a, b); }
export function atan2(a: Tensor, b: TensorLike): Tensor { return binary('atan2', a, b); }
export function hypot(a: Tensor, b: TensorLike): Tensor { return binary('hypot', a, b); }
export function fmod(a: Tensor, b: TensorLike): Tensor { return binary('fmod', a, b); }
export function remainder(a: Tensor, b: TensorLike): Tensor { return binary('remainder', a, b); }
/** The options of div: how the quotient is rounded (default: not at all, true division). */
export interface DivOptions {
  roundingMode?: 'trunc' | 'floor' | null;
}

/** The op div runs for its options: true division, or division rounded toward zero or down. */
export function divOp(opts: DivOptions | undefined): 'div' | 'floorDivide' | 'truncDivide' {
  const mode = checkOptions('div', opts, { roundingMode: 'any' })?.roundingMode;
  if (mode === undefined || mode === null) return 'div';
  if (mode === 'floor') return 'floorDivide';
  if (mode === 'trunc') return 'truncDivide';
  throw new TypeError(`div(): expected { roundingMode } to be one of null, 'trunc' or 'floor', but got ${describeValue(mode)}`);
}

/** a // b: the quotient rounded down (torch.floor_divide, and div with roundingMode 'floor'). */
export function floorDivide(a: Tensor, b: TensorLike): Tensor { return binary('floorDivide', a, b); }
/** The quotient rounded toward zero (torch.div with roundingMode 'trunc'). */
export function truncDivide(a: Tensor, b: TensorLike): Tensor { return binary('truncDivide', a, b); }

/** PyTorch's names for the nodes of ops with a number on the left. */
const REVERSED_NAMES: Partial<Record<ArithOp, string>> = { sub: 'RsubBackward1', pow: 'PowBackward2' };

/** b op a for a scalar b (`rsub`, `rdiv`, `rpow`): a number on the left of a tensor. */
export function binaryReversed(op: ArithOp, a: Tensor, b: TensorLike, alpha?: number): Tensor {
  const dtype = arithType(op, b, a, alpha);
  const args = [asArg(b, dtype), asArg(a, dtype)];
  const out = call(op, newOutput(args, dtype), args, alpha);
  return record(op, out, [b, a], { alpha: alpha ?? 1 }, REVERSED_NAMES[op]);
}

/** self op= other, computed in self's dtype; the result must fit self's shape and dtype. */
export function binaryInPlace(op: ArithOp, self: Tensor, other: TensorLike, alpha?: number): Tensor {
  const dtype = arithType(op, self, other, alpha);
  if (!canCast(dtype, self.dtype)) throw castError(dtype, self.dtype);
  const args = inPlaceArgs(self, [self, asArg(other, self.dtype)]);
  return inPlace(op, self, [other], { alpha: alpha ?? 1 }, () => {
    self._storage.beforeWrite();
    // w.sub_(g.mul(lr)): one pass, w - lr * g, reading g (the same bits as the two ops)
    const scaled = (op === 'add' || op === 'sub') && (alpha === undefined || alpha === 1) ? scaledOperand(self, args[1]) : null;
    if (scaled !== null) call(op, self, [self, scaled.src], scaled.factor);
    else call(op, self, args, alpha);
    markWritten(self);
  }, op === 'pow' ? (isTensor(other) ? 'PowBackward1' : 'PowBackward0') : undefined);
}

/** Elementwise comparison, computed in the promoted dtype, giving a bool tensor. */
export function compare(op: CompareOp | LogicalOp, a: Tensor, b: TensorLike): Tensor {
  const dtype = resultType([promotionOf(a), promotionOf(b)]);
  const args = [asArg(a, dtype), asArg(b, dtype)];
  return call(op, newOutput(args, 'bool'), args);
}

/** logical_not: true where x is zero. */
export function logicalNot(x: Tensor): Tensor {
  const out = newOutput([x], 'bool');
  launch('logical_not', [out, x]);
  return out;
}

function checkCondition(cond: Tensor, what: string): void {
  if (cond.dtype !== 'bool') {
    throw new DTypeError(`${what}() expected condition to be a bool tensor, but got a tensor with dtype ${cond.dtype}`);
  }
}

/**
 * cond ? a : b elementwise, broadcast over all three, in the promoted dtype of a and b.
 * @example tg.where(x.gt(0), x, 0)  // relu
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkCondition(cond, 'where');
  const dtype = resultType([promotionOf(a), promotionOf(b)]);
  const args = [cond, asArg(a, dtype), asArg(b, dtype)];
  const out = runWhere(newOutput(args, dtype), args);
  return record('where', out, [cond, a, b]);
}

function runWhere(out: Tensor, args: KernelArg[]): Tensor {
  launch('where', [out, args[0], args[1], args[2]]);
  return out;
}

/** maskedFill's value for x: a number, or a 0-d int64 tensor for an int64 beyond 2^53 (see fillValue). */
function checkFillValue(x: Tensor, value: TensorLike, op: string): number | Tensor {
  const v = fillValue(value, x.dtype, op);
  return x.dtype === 'int64' && inexactAsNumber(v) ? int64Scalar(v) : scalarNumber(v);
}

function checkMask(mask: Tensor, op: string): void {
  if (mask.dtype !== 'bool') {
    throw new DTypeError(`${op}() only supports bool masks, but got a mask with dtype ${mask.dtype}`);
  }
}

/** x with value where mask is true (mask broadcast to x). */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  checkMask(mask, 'maskedFill');
  const v = checkFillValue(x, value, 'maskedFill');
  const args: KernelArg[] = [mask, v, x];
  return record('maskedFill', runWhere(newOutput(args, x.dtype), args), [x, mask, value]);
}

/** Sets x to value where mask is true; mask must broadcast to x's shape. */
export function maskedFillInPlace(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  checkMask(mask, 'maskedFill_');
  const v = checkFillValue(x, value, 'maskedFill_');
  const args = inPlaceArgs(x, [mask, v, x]);
  return inPlace('maskedFill', x, [mask, value], undefined, () => {
    x._storage.beforeWrite();
    runWhere(x, args);
    markWritten(x);
  });
}
