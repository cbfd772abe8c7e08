/**
 * 2-D convolution and max pooling as functions (F.conv2d, F.maxPool2d): the windows laid out as
 * columns by the im2col kernel (whose gradient, col2im, sums overlapping windows back), then one
 * batched matrix product with the weight, or a max over each window. Padding reads zero for
 * convolution, -Infinity for pooling.
 */
import { checkOptions } from '../options';
import { ShapeError, shapeStr } from '../errors';
import { im2col, type WindowGeometry } from '../ops/im2col';
import type { Tensor } from '../tensor';

/** A size given once for both dims, or as [height, width]. */
export type Pair = number | readonly [number, number];

/** A Pair as [height, width], checked. */
export function pair(v: Pair, what: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 0)) throw new RangeError(`${what} must be non-negative integers, but got ${String(v)}`);
  return p;
}

function geometry(x: Tensor, k: [number, number], s: [number, number], p: [number, number], d: [number, number], op: string): WindowGeometry {
  const [c, h, w] = x.shape.slice(-3);
  if (k[0] === 0 || k[1] === 0) throw new RangeError(`${op}: kernel size should be greater than zero`);
  if (s[0] === 0 || s[1] === 0) throw new RangeError(`${op}: stride should be greater than zero`);
  if (d[0] === 0 || d[1] === 0) throw new RangeError(`${op}: dilation should be greater than zero`);
  const oh = Math.floor((h + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((w + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(
      `${op}: calculated output size: (${oh}x${ow}). Output size is too small (input ${h}x${w}, kernel ${k[0]}x${k[1]}, padding ${p[0]}x${p[1]}, stride ${s[0]}x${s[1]}, dilation ${d[0]}x${d[1]})`,
    );
  }
  return { c, h, w, kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh, ow };
}

/** x as a batch [N, C, H, W] (an unbatched [C, H, W] gets N = 1) and how to undo that. */
function batched(x: Tensor, op: string): [Tensor, (y: Tensor) => Tensor] {
  if (x.shape.length === 3) return [x.unsqueeze(0), (y) => y.squeeze(0)];
  if (x.shape.length !== 4) throw new ShapeError(`${op}: Expected 3D (unbatched) or 4D (batched) input, but got input of size: ${shapeStr(x.shape)}`);
  return [x, (y) => y];
}

/** Options of conv2d and nn.Conv2d: each a size for both dims or [height, width]. */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

const PAIR = { test: (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.length === 2), what: 'a number or [height, width]' };
/** The options of conv2d and maxPool2d. */
export const CONV_SPEC = { stride: PAIR, padding: PAIR, dilation: PAIR } as const;
export const POOL_SPEC = { ...CONV_SPEC, stride: { test: (v: unknown) => v === null || PAIR.test(v), what: 'a number, [height, width] or null' } } as const;

/**
 * 2-D convolution (cross-correlation, as PyTorch computes it) of x [N, C, H, W] with weight
 * [outC, C, kh, kw], plus bias [outC].
 * @example F.conv2d(images, weight, bias, { padding: 1 })
 */

export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', opts, CONV_SPEC);
  const [x, unbatch] = batched(input, 'conv2d');
  if (weight.shape.length !== 4) throw new ShapeError(`conv2d: weight must be 4-D [outChannels, inChannels, kH, kW], but got ${shapeStr(weight.shape)}`);
  const [oc, ic, kh, kw] = weight.shape;
  if (x.shape[1] !== ic) {
    throw new ShapeError(
      `conv2d: given a weight of size ${shapeStr(weight.shape)}, expected input ${shapeStr(x.shape)} to have ${ic} channels, but got ${x.shape[1]} channels instead`,
    );
  }
  const g = geometry(x, [kh, kw], pair(opts.stride ?? 1, 'stride'), pair(opts.padding ?? 0, 'padding'), pair(opts.dilation ?? 1, 'dilation'), 'conv2d');
  let out = weight.reshape(oc, ic * kh * kw).matmul(im2col(x, g, 0)); // [N, oc, oh * ow]
  if (bias) out = out.add(bias.reshape(1, oc, 1));
  return unbatch(out.reshape(x.shape[0], oc, g.oh, g.ow));
}

/** Options of maxPool2d and nn.MaxPool2d: stride defaults to the kernel size. */
export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
}

/**
 * The largest value of each kernelSize window (stride = kernelSize unless given); the gradient
 * goes to the first largest element of each window, as in PyTorch.
 * @example F.maxPool2d(x, 2)
 */
export function maxPool2d(input: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor {
  checkOptions('maxPool2d', opts, POOL_SPEC);
  const [x, unbatch] = batched(input, 'maxPool2d');
  const k = pair(kernelSize, 'kernelSize');
  const p = pair(opts.padding ?? 0, 'padding');
  if (p[0] * 2 > k[0] || p[1] * 2 > k[1]) throw new RangeError('pad should be at most half of effective kernel size');
  const g = geometry(x, k, pair(opts.stride ?? k, 'stride'), p, pair(opts.dilation ?? 1, 'dilation'), 'maxPool2d');
  // one channel at a time: windows [N * C, kh * kw, oh * ow]
  const n = x.shape[0];
  const g1 = { ...g, c: 1 };
  const windows = im2col(x.reshape(n * g.c, 1, g.h, g.w), g1, -Infinity);
  return unbatch(windows.max(1).values.reshape(n, g.c, g.oh, g.ow));
}

