/**
 * Pooling as functions (F.maxPool1d, F.maxPool2d, F.avgPool1d, F.avgPool2d, F.adaptiveAvgPool1d,
 * F.adaptiveAvgPool2d) over the native pooling kernels (src/ops/pool.ts). Arguments are checked and
 * output sizes derived as PyTorch does (aten/src/ATen/native/Pool.h: pooling_output_shape, with
 * ceil mode's rule that the last window starts inside the input or its left padding); 1-D pooling
 * is 2-D pooling of a height-1 image.
 */
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { adaptiveAvgPool2d as adaptiveOp, avgPool2d as avgOp, maxPool2d as maxOp, type PoolWindow } from '../ops/pool';
import { checkOptions, kinds } from '../options';
import type { Tensor } from '../tensor';
import { pair, type Pair } from './functional_conv';

/** A size for one spatial dim: a number or a one-element array. */
export type Single = number | readonly [number];

const PAIR = { test: (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.length === 2), what: 'a number or [height, width]' };
const SINGLE = { test: (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.length === 1), what: 'a number or [size]' };
const orNull = (k: { test: (v: unknown) => boolean; what: string }) => ({ test: (v: unknown) => v === null || k.test(v), what: `${k.what} or null` });

/** A Single as a number, checked. */
export function single(v: Single, what: string): number {
  const n = typeof v === 'number' ? v : v[0];
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, but got ${String(v)}`);
  return n;
}

/** The number of windows along a dim (PyTorch's pooling_output_shape). */
export function poolOutputSize(size: number, k: number, pad: number, stride: number, dilation: number, ceilMode: boolean): number {
  let out = Math.floor((size + 2 * pad - dilation * (k - 1) - 1 + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

/** x as [N, C, H, W]: spatial dims after the batch and channel dims, and how to undo that. */
function images(x: Tensor, op: string, dims: 1 | 2): [Tensor, (y: Tensor) => Tensor] {
  const nd = x.shape.length;
  if (nd !== dims + 1 && nd !== dims + 2) {
    throw new ShapeError(`${op}: Expected ${dims + 1}D or ${dims + 2}D (batch mode) tensor with optional 0 dim batch size for input, but got: ${shapeStr(x.shape)}`);
  }
  if (!x.isFloatingPoint()) throw new DTypeError(`${op}: expected a floating point input, but got ${x.dtype}`);
  let y = nd === dims + 1 ? x.unsqueeze(0) : x;
  if (dims === 1) y = y.unsqueeze(2);
  if (y.shape.slice(1).some((s) => s === 0)) throw new ShapeError(`${op}: Expected input to have non-zero size for non-batch dimensions, but got ${shapeStr(x.shape)}`);
  return [y, (r) => {
    let out = dims === 1 ? r.squeeze(2) : r;
    if (nd === dims + 1) out = out.squeeze(0);
    return out;
  }];
}

function checkWindow(op: string, w: PoolWindow, maxPool: boolean): void {
  const [kh, kw] = w.kernel;
  if (kh <= 0 || kw <= 0) throw new RangeError(`${op}: kernel size should be greater than zero, but got kH: ${kh} kW: ${kw}`);
  if (w.stride[0] <= 0 || w.stride[1] <= 0) throw new RangeError(`${op}: stride should be greater than zero, but got dH: ${w.stride[0]} dW: ${w.stride[1]}`);
  if (w.dilation[0] <= 0 || w.dilation[1] <= 0) throw new RangeError(`${op}: dilation should be greater than zero, but got dilationH: ${w.dilation[0]} dilationW: ${w.dilation[1]}`);
  for (const i of [0, 1]) {
    const effective = maxPool ? (w.kernel[i] - 1) * w.dilation[i] + 1 : w.kernel[i];
    if (w.padding[i] > Math.floor(effective / 2)) {
      throw new RangeError(`${op}: pad should be at most half of effective kernel size, but got pad=${w.padding[i]}, kernel_size=${w.kernel[i]} and dilation=${w.dilation[i]}`);
    }
  }
}

function outputSize(op: string, x: Tensor, w: PoolWindow, ceilMode: boolean): [number, number] {
  const [, c, h, wd] = x.shape;
  const oh = poolOutputSize(h, w.kernel[0], w.padding[0], w.stride[0], w.dilation[0], ceilMode);
  const ow = poolOutputSize(wd, w.kernel[1], w.padding[1], w.stride[1], w.dilation[1], ceilMode);
  if (oh < 1 || ow < 1) throw new ShapeError(`${op}: Given input size: (${c}x${h}x${wd}). Calculated output size: (${c}x${oh}x${ow}). Output size is too small`);
  return [oh, ow];
}

/** Options of maxPool2d and nn.MaxPool2d: stride defaults to the kernel size. */
export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
  returnIndices?: boolean;
}
/** Options of maxPool1d and nn.MaxPool1d: stride defaults to the kernel size. */
export interface MaxPool1dOptions {
  stride?: Single | null;
  padding?: Single;
  dilation?: Single;
  ceilMode?: boolean;
  returnIndices?: boolean;
}
export const MAX_POOL2D_SPEC = { stride: orNull(PAIR), padding: PAIR, dilation: PAIR, ceilMode: 'boolean', returnIndices: 'boolean' } as const;
export const MAX_POOL1D_SPEC = { stride: orNull(SINGLE), padding: SINGLE, dilation: SINGLE, ceilMode: 'boolean', returnIndices: 'boolean' } as const;

function maxPool(op: string, input: Tensor, dims: 1 | 2, w: PoolWindow, ceilMode: boolean, returnIndices: boolean): Tensor | [Tensor, Tensor] {
  checkWindow(op, w, true);
  const [x, unbatch] = images(input, op, dims);
  const [out, indices] = maxOp(x, w, outputSize(op, x, w, ceilMode));
  return returnIndices ? [unbatch(out), unbatch(indices)] : unbatch(out);
}

/**
 * The largest value of each kernelSize window of x [N, C, H, W] or [C, H, W] (stride = kernelSize
 * unless given); the gradient goes to the first largest element of each window, as in PyTorch.
 * With returnIndices, also each maximum's flat index in its H * W plane (int64).
 * @example F.maxPool2d(x, 2); const [y, idx] = F.maxPool2d(x, 3, { stride: 2, returnIndices: true })
 */
export function maxPool2d(input: Tensor, kernelSize: Pair, opts: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Pair, opts?: MaxPool2dOptions): Tensor;
export function maxPool2d(input: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions('maxPool2d', opts, MAX_POOL2D_SPEC);
  const kernel = pair(kernelSize, 'kernelSize');
  const w = { kernel, stride: pair(opts.stride ?? kernel, 'stride'), padding: pair(opts.padding ?? 0, 'padding'), dilation: pair(opts.dilation ?? 1, 'dilation') };
  return maxPool('maxPool2d', input, 2, w, opts.ceilMode ?? false, opts.returnIndices ?? false);
}

/**
 * 1-D max pooling over the last dim of x [N, C, L] or [C, L].
 * @example F.maxPool1d(x, 3, { stride: 2 })
 */
export function maxPool1d(input: Tensor, kernelSize: Single, opts: MaxPool1dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: Single, opts?: MaxPool1dOptions): Tensor;
export function maxPool1d(input: Tensor, kernelSize: Single, opts: MaxPool1dOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions('maxPool1d', opts, MAX_POOL1D_SPEC);
  const k = single(kernelSize, 'kernelSize');
  const w: PoolWindow = {
    kernel: [1, k], stride: [1, single(opts.stride ?? k, 'stride')], padding: [0, single(opts.padding ?? 0, 'padding')], dilation: [1, single(opts.dilation ?? 1, 'dilation')],
  };
  return maxPool('maxPool1d', input, 1, w, opts.ceilMode ?? false, opts.returnIndices ?? false);
}

/** Options of avgPool2d and nn.AvgPool2d: stride defaults to the kernel size. */
export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
/** Options of avgPool1d and nn.AvgPool1d. */
export interface AvgPool1dOptions {
  stride?: Single | null;
  padding?: Single;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}
export const AVG_POOL2D_SPEC = { stride: orNull(PAIR), padding: PAIR, ceilMode: 'boolean', countIncludePad: 'boolean', divisorOverride: kinds.numberOrNull } as const;
export const AVG_POOL1D_SPEC = { stride: orNull(SINGLE), padding: SINGLE, ceilMode: 'boolean', countIncludePad: 'boolean' } as const;

function avgPool(op: string, input: Tensor, dims: 1 | 2, window: PoolWindow, opts: { ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }): Tensor {
  const divisor = opts.divisorOverride ?? 0;
  if (opts.divisorOverride !== undefined && opts.divisorOverride !== null && (!Number.isInteger(divisor) || divisor === 0)) {
    throw new RangeError(divisor === 0 ? `${op}: divisor must be not zero` : `${op}: divisorOverride must be an integer, but got ${divisor}`);
  }
  checkWindow(op, window, false);
  const [x, unbatch] = images(input, op, dims);
  const outSize = outputSize(op, x, window, opts.ceilMode ?? false);
  const ctx = { window, countIncludePad: opts.countIncludePad ?? true, divisor, inSize: [x.shape[2], x.shape[3]] as [number, number], outSize };
  return unbatch(avgOp(x, ctx));
}

/**
 * The mean of each kernelSize window of x [N, C, H, W] or [C, H, W]. Windows that reach into the
 * padding divide by the whole window (countIncludePad, the default) or by the elements inside;
 * divisorOverride replaces the divisor.
 * @example F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })
 */
export function avgPool2d(input: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  checkOptions('avgPool2d', opts, AVG_POOL2D_SPEC);
  const kernel = pair(kernelSize, 'kernelSize');
  const w = { kernel, stride: pair(opts.stride ?? kernel, 'stride'), padding: pair(opts.padding ?? 0, 'padding'), dilation: [1, 1] as const };
  return avgPool('avgPool2d', input, 2, w, opts);
}

/**
 * 1-D average pooling over the last dim of x [N, C, L] or [C, L].
 * @example F.avgPool1d(x, 2)
 */
export function avgPool1d(input: Tensor, kernelSize: Single, opts: AvgPool1dOptions = {}): Tensor {
  checkOptions('avgPool1d', opts, AVG_POOL1D_SPEC);
  const k = single(kernelSize, 'kernelSize');
  const w: PoolWindow = { kernel: [1, k], stride: [1, single(opts.stride ?? k, 'stride')], padding: [0, single(opts.padding ?? 0, 'padding')], dilation: [1, 1] };
  return avgPool('avgPool1d', input, 1, w, opts);
}

/** An adaptive pool's output size: one number for every dim, or one per dim (null keeps the input's). */
export type AdaptiveSize = number | null | readonly (number | null)[];

function adaptive(op: string, input: Tensor, dims: 1 | 2, outputSize: AdaptiveSize): Tensor {
  const nd = input.shape.length;
  if (nd !== dims + 1 && nd !== dims + 2) throw new ShapeError(`${op}(): Expected ${dims + 1}D or ${dims + 2}D tensor, but got ${shapeStr(input.shape)}`);
  const sizes = Array.isArray(outputSize) ? (outputSize as (number | null)[]) : new Array<number | null>(dims).fill(outputSize as number | null);
  if (sizes.length !== dims) throw new ShapeError(`${op}: output_size must be ${dims}`);
  for (let i = 0; i < nd; i++) {
    if (i >= nd - dims - 1 && input.shape[i] === 0) {
      throw new ShapeError(`${op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${shapeStr(input.shape)} with dimension ${i} being empty`);
    }
  }
  const spatial = input.shape.slice(nd - dims);
  const resolved = sizes.map((s, i) => (s === null ? spatial[i] : s));
  if (resolved.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new RangeError(`${op}: elements of output_size must be greater than or equal to 0 but received {${resolved.join(', ')}}`);
  }
  const [x, unbatch] = images(input, op, dims);
  return unbatch(adaptiveOp(x, dims === 1 ? [1, resolved[0]] : [resolved[0], resolved[1]]));
}

/**
 * Average pooling of x [N, C, H, W] or [C, H, W] to outputSize, whatever the input's size: output
 * cell i covers input [floor(i * in / out), ceil((i + 1) * in / out)) along each dim.
 * @example F.adaptiveAvgPool2d(features, 1) // global average pooling; F.adaptiveAvgPool2d(x, [null, 7])
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptive('adaptive_avg_pool2d', input, 2, outputSize);
}

/**
 * 1-D adaptive average pooling over the last dim of x [N, C, L] or [C, L].
 * @example F.adaptiveAvgPool1d(x, 4)
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly [number]): Tensor {
  return adaptive('adaptive_avg_pool1d', input, 1, outputSize);
}
