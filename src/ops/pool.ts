/**
 * Pooling, upsampling and padding over native kernels (native/kernels/pool.h, upsample.h, pad.h):
 * each forward op and its backward op is one kernel call, and each backward op records the forward
 * op (its adjoint) as its own gradient, so that second derivatives work. Images are [n, c, h, w];
 * src/nn/functional_pool.ts and functional_resample.ts check arguments and derive output sizes as
 * PyTorch does before calling these.
 */
import { record } from '../autograd/graph';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { contiguous } from './copy';
import { launch } from './launch';

/** A pooling window: kernel, stride, padding and dilation per spatial dim ([height, width]). */
export interface PoolWindow {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
}

function windowParams(w: PoolWindow) {
  return {
    kernelH: w.kernel[0], kernelW: w.kernel[1], strideH: w.stride[0], strideW: w.stride[1],
    paddingH: w.padding[0], paddingW: w.padding[1], dilationH: w.dilation[0], dilationW: w.dilation[1],
  };
}

function outShape(x: Tensor, size: readonly [number, number]): number[] {
  return [x.shape[0], x.shape[1], size[0], size[1]];
}

interface MaxCtx { window: PoolWindow; indices: Tensor; inSize: [number, number] }

/** The largest element of each window and its flat index in the h * w plane (int64). */
export function maxPool2d(x: Tensor, window: PoolWindow, size: readonly [number, number]): [Tensor, Tensor] {
  const src = contiguous(x);
  const out = emptyTensor(outShape(x, size), x.dtype), indices = emptyTensor(outShape(x, size), 'int64');
  launch('max_pool2d', [out, indices, src], windowParams(window));
  const ctx: MaxCtx = { window, indices, inSize: [x.shape[2], x.shape[3]] };
  return [record('maxPool2d', out, [src], ctx), indices];
}

/** maxPool2d's gradient: g added at each window's index. */
export function maxPool2dBackward(g: Tensor, ctx: unknown): Tensor {
  const { window, indices, inSize } = ctx as MaxCtx;
  const src = contiguous(g);
  const dx = emptyTensor(outShape(g, inSize), g.dtype);
  launch('max_pool2d_backward', [dx, src, indices], windowParams(window));
  return record('maxPool2dBackward', dx, [src], ctx);
}

/** The gradient of maxPool2dBackward: gg read at the indices. */
export function maxPool2dDoubleBackward(gg: Tensor, ctx: unknown): Tensor {
  const { indices } = ctx as MaxCtx;
  const [n, c, oh, ow] = indices.shape;
  return gg.flatten(2).gather(2, indices.reshape(n, c, oh * ow)).reshape(n, c, oh, ow);
}

/** Average pooling's options beyond the window. */
export interface AvgCtx { window: PoolWindow; countIncludePad: boolean; divisor: number; inSize: [number, number]; outSize: [number, number] }

function avgParams(c: AvgCtx) {
  const { kernelH, kernelW, strideH, strideW, paddingH, paddingW } = windowParams(c.window);
  return { kernelH, kernelW, strideH, strideW, paddingH, paddingW, countIncludePad: c.countIncludePad, divisor: c.divisor };
}

/** The mean of each window (see AvgCtx for the divisor's rules). */
export function avgPool2d(x: Tensor, ctx: AvgCtx): Tensor {
  const src = contiguous(x);
  const out = emptyTensor(outShape(x, ctx.outSize), x.dtype);
  launch('avg_pool2d', [out, src], avgParams(ctx));
  return record('avgPool2d', out, [src], ctx);
}

export function avgPool2dBackward(g: Tensor, ctx: AvgCtx): Tensor {
  const src = contiguous(g);
  const dx = emptyTensor(outShape(g, ctx.inSize), g.dtype);
  launch('avg_pool2d_backward', [dx, src], avgParams(ctx));
  return record('avgPool2dBackward', dx, [src], ctx);
}

/** Adaptive average pooling to size (PyTorch's floor/ceil window bounds). */
export function adaptiveAvgPool2d(x: Tensor, size: readonly [number, number]): Tensor {
  const src = contiguous(x);
  const out = emptyTensor(outShape(x, size), x.dtype);
  launch('adaptive_avg_pool2d', [out, src], {});
  return record('adaptiveAvgPool2d', out, [src], [x.shape[2], x.shape[3]]);
}

export function adaptiveAvgPool2dBackward(g: Tensor, inSize: readonly [number, number]): Tensor {
  const src = contiguous(g);
  const dx = emptyTensor(outShape(g, inSize), g.dtype);
  launch('adaptive_avg_pool2d_backward', [dx, src], {});
  return record('adaptiveAvgPool2dBackward', dx, [src], [g.shape[2], g.shape[3]]);
}

/** How an upsampling maps output to input: the mode, its flag, and the scales (0: none) it was given. */
export interface UpsampleCtx {
  mode: 'nearest' | 'nearest-exact' | 'bilinear';
  alignCorners: boolean;
  scales: [number, number];
  inSize: [number, number];
  outSize: [number, number];
}

function scales(c: UpsampleCtx) {
  return { scaleH: c.scales[0], scaleW: c.scales[1] };
}

/** Nearest ('nearest' or 'nearest-exact') upsampling to ctx.outSize. */
export function upsampleNearest2d(x: Tensor, ctx: UpsampleCtx): Tensor {
  const src = contiguous(x);
  const out = emptyTensor(outShape(x, ctx.outSize), x.dtype);
  launch('upsample_nearest2d', [out, src], { ...scales(ctx), exact: ctx.mode === 'nearest-exact' });
  return record('upsampleNearest2d', out, [src], ctx, ctx.mode === 'nearest-exact' ? 'UpsampleNearestExact2DBackward0' : 'UpsampleNearest2DBackward0');
}

export function upsampleNearest2dBackward(g: Tensor, ctx: UpsampleCtx): Tensor {
  const src = contiguous(g);
  const dx = emptyTensor(outShape(g, ctx.inSize), g.dtype);
  launch('upsample_nearest2d_backward', [dx, src], { ...scales(ctx), exact: ctx.mode === 'nearest-exact' });
  return record('upsampleNearest2dBackward', dx, [src], ctx);
}

/** Bilinear upsampling to ctx.outSize. */
export function upsampleBilinear2d(x: Tensor, ctx: UpsampleCtx): Tensor {
  const src = contiguous(x);
  const out = emptyTensor(outShape(x, ctx.outSize), x.dtype);
  launch('upsample_bilinear2d', [out, src], { ...scales(ctx), alignCorners: ctx.alignCorners });
  return record('upsampleBilinear2d', out, [src], ctx);
}

export function upsampleBilinear2dBackward(g: Tensor, ctx: UpsampleCtx): Tensor {
  const src = contiguous(g);
  const dx = emptyTensor(outShape(g, ctx.inSize), g.dtype);
  launch('upsample_bilinear2d_backward', [dx, src], { ...scales(ctx), alignCorners: ctx.alignCorners });
  return record('upsampleBilinear2dBackward', dx, [src], ctx);
}

/** A padding: the mode, its value (constant mode), and the amount before each dim (negative crops). */
export interface PadCtx { mode: 'constant' | 'reflect' | 'replicate' | 'circular'; value: number; left: number[]; inShape: number[] }
const PAD_MODE = { constant: 0, reflect: 1, replicate: 2, circular: 3 } as const;

/** x padded to shape; see PadCtx. */
export function pad(x: Tensor, shape: readonly number[], ctx: PadCtx): Tensor {
  const src = contiguous(x);
  const out = emptyTensor(shape, x.dtype);
  launch('pad', [out, src, Float64Array.from(ctx.left)], { mode: PAD_MODE[ctx.mode], value: ctx.value });
  return record('pad', out, [src], { ...ctx, inShape: [...x.shape] });
}

/** pad's gradient: the opposite crop (constant mode), or each element of g added where it was read. */
export function padBackward(g: Tensor, ctx: PadCtx): Tensor {
  if (ctx.mode === 'constant') return pad(g, ctx.inShape, { ...ctx, value: 0, left: ctx.left.map((l) => -l) });
  const src = contiguous(g);
  const dx = emptyTensor(ctx.inShape, g.dtype);
  launch('pad_backward', [dx, src, Float64Array.from(ctx.left)], { mode: PAD_MODE[ctx.mode] });
  return record('padBackward', dx, [src], { ...ctx, inShape: [...g.shape] });
}

/** padBackward's gradient: the padding again. */
export function padDoubleBackward(gg: Tensor, ctx: PadCtx): Tensor {
  return pad(gg, ctx.inShape, { ...ctx, inShape: [] });
}
