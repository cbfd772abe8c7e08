/** Unary elementwise ops: exp, log, sqrt, tanh, sigmoid, relu, neg, abs, ... and clamp. */
import { checkArg, checkOptions, isOptionsObject } from '../options';
import { inPlace, record } from '../autograd/graph';
import { canCast, getDefaultDtype, isFloatingPoint, resultType, type DType } from '../dtype';
import { DTypeError } from '../errors';
import type { UnaryFloatOp, UnaryNumOp } from '../native';
import { isTensor, markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor, promotionOf, scalarNumber, type Scalar } from './common';
import { toDtype } from './copy';
import { launch, newOutput } from './launch';

function run(op: UnaryFloatOp | UnaryNumOp, out: Tensor, src: Tensor): Tensor {
  launch(op, [out, src]);
  return out;
}

/** clamp's kernel: a missing bound is an infinite one. */
function runClamp(out: Tensor, src: Tensor, min: number | null, max: number | null): Tensor {
  launch('clamp', [out, src], { min: min ?? -Infinity, max: max ?? Infinity });
  return out;
}

/** An op defined on floating-point values: integer and bool inputs give default-dtype results. */
export function unaryFloat(op: UnaryFloatOp, x: Tensor): Tensor {
  const src = isFloatingPoint(x.dtype) ? x : toDtype(x, getDefaultDtype());
  return record(op, run(op, emptyTensor(x.shape, src.dtype), src), [x]);
}

/** An op defined on numbers of every dtype but bool; the result keeps x's dtype. */
export function unaryNum(op: UnaryNumOp, x: Tensor): Tensor {
  if (x.dtype === 'bool') throw boolError(op);
  return record(op, run(op, emptyTensor(x.shape, x.dtype), x), [x]);
}

// Each op under its own name: the name of its backward rule (derivatives.ts) and of its kernel.
// Functions of their own (not made by a factory), so that each call site compiles with its op fixed.
export function exp(x: Tensor): Tensor { return unaryFloat('exp', x); }
export function log(x: Tensor): Tensor { return unaryFloat('log', x); }
export function log2(x: Tensor): Tensor { return unaryFloat('log2', x); }
export function log10(x: Tensor): Tensor { return unaryFloat('log10', x); }
export function log1p(x: Tensor): Tensor { return unaryFloat('log1p', x); }
export function expm1(x: Tensor): Tensor { return unaryFloat('expm1', x); }
export function sqrt(x: Tensor): Tensor { return unaryFloat('sqrt', x); }
export function rsqrt(x: Tensor): Tensor { return unaryFloat('rsqrt', x); }
export function reciprocal(x: Tensor): Tensor { return unaryFloat('reciprocal', x); }
export function sin(x: Tensor): Tensor { return unaryFloat('sin', x); }
export function cos(x: Tensor): Tensor { return unaryFloat('cos', x); }
export function tan(x: Tensor): Tensor { return unaryFloat('tan', x); }
export function asin(x: Tensor): Tensor { return unaryFloat('asin', x); }
export function acos(x: Tensor): Tensor { return unaryFloat('acos', x); }
export function atan(x: Tensor): Tensor { return unaryFloat('atan', x); }
export function sinh(x: Tensor): Tensor { return unaryFloat('sinh', x); }
export function cosh(x: Tensor): Tensor { return unaryFloat('cosh', x); }
export function tanh(x: Tensor): Tensor { return unaryFloat('tanh', x); }
export function sigmoid(x: Tensor): Tensor { return unaryFloat('sigmoid', x); }
export function erf(x: Tensor): Tensor { return unaryFloat('erf', x); }
export function gelu(x: Tensor): Tensor { return unaryFloat('gelu', x); }
export function neg(x: Tensor): Tensor { return unaryNum('neg', x); }
export function abs(x: Tensor): Tensor { return unaryNum('abs', x); }
export function sign(x: Tensor): Tensor { return unaryNum('sign', x); }
export function relu(x: Tensor): Tensor { return unaryNum('relu', x); }
export function floor(x: Tensor): Tensor { return unaryNum('floor', x); }
export function ceil(x: Tensor): Tensor { return unaryNum('ceil', x); }
export function round(x: Tensor): Tensor { return unaryNum('round', x); }
export function trunc(x: Tensor): Tensor { return unaryNum('trunc', x); }

/** The in-place form (`x.exp_()`): x must be able to hold the result. */
export function unaryInPlace(op: UnaryFloatOp | UnaryNumOp, x: Tensor, floatOnly: boolean): Tensor {
  if (floatOnly && !isFloatingPoint(x.dtype)) throw castError(getDefaultDtype(), x.dtype);
  if (x.dtype === 'bool') throw boolError(op);
  return inPlace(op, x, [], undefined, () => {
    x._storage.beforeWrite();
    run(op, x, x);
    markWritten(x);
  });
}

function boolError(op: string): DTypeError {
  if (op === 'neg') {
    return new DTypeError(
      'Negation, neg(), on a bool tensor is not supported. If you are trying to invert a mask, use logicalNot() instead.',
    );
  }
  return new DTypeError(`${op}() is not implemented for bool tensors`);
}

export function castError(result: DType, out: DType): DTypeError {
  return new DTypeError(`result type ${result} can't be cast to the desired output type ${out}`);
}

/** clamp's bounds as one object, e.g. x.clamp({ max: 1 }). */
export interface ClampBounds {
  min?: Scalar | null;
  max?: Scalar | null;
}

const BOUND = { test: (v: unknown) => v === null || isTensor(v) || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean', what: 'a number, a Tensor or null' };

/** Reads clamp's bounds from (min, max) or ({ min, max }), checked. */
export function clampBounds(min?: Scalar | Tensor | null | ClampBounds, max?: Scalar | Tensor | null): { min?: Scalar | Tensor | null; max?: Scalar | Tensor | null } {
  let lo: unknown = min, hi: unknown = max;
  if (isOptionsObject(min)) {
    if (max !== undefined) throw new TypeError('clamp(): expected (min, max) or ({ min, max }), but got an options object and a max');
    checkOptions('clamp', min, { min: BOUND, max: BOUND });
    [lo, hi] = [min.min, min.max];
  }
  checkArg('clamp', 'min', lo, BOUND);
  checkArg('clamp', 'max', hi, BOUND);
  return { min: lo as Scalar | Tensor | null | undefined, max: hi as Scalar | Tensor | null | undefined };
}

/**
 * min(max(x, min), max), NaN kept; either bound may be absent (not both). The result dtype is
 * promoted with the bounds, as torch.clamp does.
 */
export function clamp(x: Tensor, min?: Scalar | null, max?: Scalar | null): Tensor {
  const dtype = clampType(x, min, max);
  const src = toDtype(x, dtype);
  const out = runClamp(emptyTensor(x.shape, dtype), src, bound(min), bound(max));
  return record('clamp', out, [x], { min: bound(min), max: bound(max) });
}

export function clampInPlace(x: Tensor, min?: Scalar | null, max?: Scalar | null): Tensor {
  const dtype = clampType(x, min, max);
  if (!canCast(dtype, x.dtype)) throw castError(dtype, x.dtype);
  return inPlace('clamp', x, [], { min: bound(min), max: bound(max) }, () => {
    x._storage.beforeWrite();
    runClamp(x, x, bound(min), bound(max));
    markWritten(x);
  });
}

function clampType(x: Tensor, min?: Scalar | null, max?: Scalar | null): DType {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new TypeError("clamp(): At least one of 'min' or 'max' must not be null");
  }
  if (x.dtype === 'bool') throw boolError('clamp');
  const ops = [promotionOf(x)];
  if (min !== undefined && min !== null) ops.push(promotionOf(min));
  if (max !== undefined && max !== null) ops.push(promotionOf(max));
  return resultType(ops);
}

/**
 * relu's backward: g where x > threshold, else 0 (x: relu's output), in one pass. Recorded, so
 * that second derivatives flow through it.
 */
export function thresholdBackward(g: Tensor, x: Tensor, threshold: number): Tensor {
  const args = [g, x.dtype === g.dtype ? x : toDtype(x, g.dtype)];
  const out = newOutput(args, g.dtype);
  launch('threshold_backward', [out, g, args[1]], { threshold });
  return record('thresholdBackward', out, [g, x], threshold);
}

/** GELU's backward, g (cdf(x) + x pdf(x)), in one pass. Recorded, so that second derivatives flow through it. */
export function geluBackward(g: Tensor, x: Tensor): Tensor {
  const args = [g, x.dtype === g.dtype ? x : toDtype(x, g.dtype)];
  const out = newOutput(args, g.dtype);
  launch('gelu_backward', [out, g, args[1]]);
  return record('geluBackward', out, [g, x]);
}

/** clamp's backward: g where min <= x <= max (null: no bound), else 0, in one pass. Recorded. */
export function clampBackward(g: Tensor, x: Tensor, min: number | null, max: number | null): Tensor {
  const args = [g, x.dtype === g.dtype ? x : toDtype(x, g.dtype)];
  const out = newOutput(args, g.dtype);
  launch('clamp_backward', [out, g, args[1]], { min: min ?? -Infinity, max: max ?? Infinity });
  return record('clampBackward', out, [g, x], { min, max });
}

function bound(b: Scalar | null | undefined): number | null {
  return b === undefined || b === null ? null : scalarNumber(b);
}
