/**
 * Convolutions as functions (F.conv1d, F.conv2d, F.convTranspose2d): the windows laid out as
 * columns by the im2col kernel (whose gradient, col2im, sums overlapping windows back), then one
 * batched matrix product with the weight (per group). A transposed convolution is the adjoint:
 * the weight's product with the input gives columns that col2im sums into the output, as PyTorch's
 * slow path (slow_conv_transpose2d) does. 1-D convolution is 2-D convolution of height-1 images.
 */
import { checkOptions } from '../options';
import { ShapeError, shapeStr } from '../errors';
import { col2im, im2col, type WindowGeometry } from '../ops/im2col';
import type { Tensor } from '../tensor';
import { pad } from '../ops/pool';

/** A size given once for both dims, or as [height, width]. */
export type Pair = number | readonly [number, number];

/** A Pair as [height, width], checked. */
export function pair(v: Pair, what: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 0)) throw new RangeError(`${what} must be non-negative integers, but got ${String(v)}`);
  return p;
}

type P2 = [number, number];

/** x [N, C, H, W] with zero rows and columns added after its last ones. */
function padAfter(x: Tensor, rows: number, cols: number): Tensor {
  const [n, c, h, w] = x.shape;
  return pad(x, [n, c, h + rows, w + cols], { mode: 'constant', value: 0, left: [0, 0, 0, 0], inShape: [...x.shape] });
}

function geometry(x: Tensor, k: P2, s: P2, p: P2, d: P2, op: string): WindowGeometry {
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

/** x as a batch [N, C, ...] (an unbatched input, one dim fewer, gets N = 1) and how to undo that. */
function batched(x: Tensor, op: string, dims: 1 | 2): [Tensor, (y: Tensor) => Tensor] {
  if (x.shape.length === dims + 1) return [x.unsqueeze(0), (y) => y.squeeze(0)];
  if (x.shape.length !== dims + 2) throw new ShapeError(`${op}: Expected ${dims + 1}D (unbatched) or ${dims + 2}D (batched) input, but got input of size: ${shapeStr(x.shape)}`);
  return [x, (y) => y];
}

/** Options of conv2d (and nn.Conv2d): each size for both dims or [height, width]; padding also 'same' or 'valid'. */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
}
/** Options of conv1d (and nn.Conv1d). */
export interface Conv1dOptions {
  stride?: number | readonly [number];
  padding?: number | readonly [number] | 'same' | 'valid';
  dilation?: number | readonly [number];
  groups?: number;
}
/** Options of convTranspose2d (and nn.ConvTranspose2d). */
export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  groups?: number;
  dilation?: Pair;
}

const PAIR = { test: (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.length === 2), what: 'a number or [height, width]' };
const SINGLE = { test: (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.length === 1), what: 'a number or [size]' };
const orString = (k: { test: (v: unknown) => boolean; what: string }) => ({ test: (v: unknown) => v === 'same' || v === 'valid' || k.test(v), what: `${k.what}, 'same' or 'valid'` });
/** The options of conv2d, conv1d and convTranspose2d. */
export const CONV_SPEC = { stride: PAIR, padding: orString(PAIR), dilation: PAIR, groups: 'number' } as const;
export const CONV1D_SPEC = { stride: SINGLE, padding: orString(SINGLE), dilation: SINGLE, groups: 'number' } as const;
export const CONV_TRANSPOSE_SPEC = { stride: PAIR, padding: PAIR, outputPadding: PAIR, groups: 'number', dilation: PAIR } as const;

/** groups, checked: a positive integer. */
export function groupsOf(g: number | undefined, op: string): number {
  const groups = g ?? 1;
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError(`${op}: non-positive groups is not supported (got ${groups})`);
  return groups;
}

/** 'same' padding: the amount before and after each dim (after gets the odd one), as PyTorch splits it. */
export function samePadding(k: readonly number[], d: readonly number[]): [number, number][] {
  return k.map((ki, i) => {
    const total = d[i] * (ki - 1);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
}

function conv2dCore(op: string, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, s: P2, padding: P2 | 'same', d: P2, groups: number): Tensor {
  const [oc, icg, kh, kw] = weight.shape;
  if (oc % groups !== 0) throw new ShapeError(`${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${shapeStr(weight.shape)} instead`);
  let p: P2;
  if (padding === 'same') {
    if (s[0] !== 1 || s[1] !== 1) throw new RangeError(`${op}: padding='same' is not supported for strided convolutions`);
    const [[hl, hr], [wl, wr]] = samePadding([kh, kw], d);
    if (hl !== hr || wl !== wr) x = padAfter(x, hr - hl, wr - wl); // the odd element goes after
    p = [hl, wl];
  } else {
    p = padding;
  }
  const g = geometry(x, [kh, kw], s, p, d, op);
  const cols = im2col(x, g, 0); // [N, ic * kh * kw, L]
  const n = x.shape[0], l = g.oh * g.ow;
  let out: Tensor;
  if (groups === 1) {
    out = weight.reshape(oc, icg * kh * kw).matmul(cols); // [N, oc, L]
  } else {
    const w = weight.reshape(groups, oc / groups, icg * kh * kw);
    out = w.matmul(cols.reshape(n, groups, icg * kh * kw, l)).reshape(n, oc, l);
  }
  if (bias) out = out.add(bias.reshape(1, oc, 1));
  return out.reshape(n, oc, g.oh, g.ow);
}

function checkChannels(op: string, x: Tensor, weight: Tensor, groups: number, dims: number): void {
  if (weight.shape.length !== dims + 2) {
    throw new ShapeError(`${op}: weight must be ${dims + 2}-D [outChannels, inChannels / groups, ${dims === 1 ? 'kW' : 'kH, kW'}], but got ${shapeStr(weight.shape)}`);
  }
  if (x.shape[1] !== weight.shape[1] * groups) {
    throw new ShapeError(
      `${op}: Given groups=${groups}, weight of size ${shapeStr(weight.shape)}, expected input${shapeStr(x.shape)} to have ${weight.shape[1] * groups} channels, but got ${x.shape[1]} channels instead`,
    );
  }
}

/**
 * 2-D convolution (cross-correlation, as PyTorch computes it) of x [N, C, H, W] (or [C, H, W]) with
 * weight [outC, C / groups, kH, kW], plus bias [outC].
 * @example F.conv2d(images, weight, bias, { padding: 1 }); F.conv2d(x, w, null, { padding: 'same', groups: 2 })
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', opts, CONV_SPEC);
  const groups = groupsOf(opts.groups, 'conv2d');
  const [x, unbatch] = batched(input, 'conv2d', 2);
  checkChannels('conv2d', x, weight, groups, 2);
  const padding = opts.padding === 'same' ? 'same' : opts.padding === 'valid' ? [0, 0] as P2 : pair(opts.padding ?? 0, 'padding');
  return unbatch(conv2dCore('conv2d', x, weight, bias, pair(opts.stride ?? 1, 'stride'), padding, pair(opts.dilation ?? 1, 'dilation'), groups));
}

/** A 1-D size as a number. */
function one(v: number | readonly [number], what: string): number {
  return pair(typeof v === 'number' ? v : v[0], what)[0];
}

/**
 * 1-D convolution of x [N, C, L] (or [C, L]) with weight [outC, C / groups, kW], plus bias [outC].
 * @example F.conv1d(signal, weight, bias, { stride: 2, padding: 1 })
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  checkOptions('conv1d', opts, CONV1D_SPEC);
  const groups = groupsOf(opts.groups, 'conv1d');
  const [x, unbatch] = batched(input, 'conv1d', 1);
  checkChannels('conv1d', x, weight, groups, 1);
  const padding = opts.padding === 'same' ? 'same' : opts.padding === 'valid' ? [0, 0] as P2 : [0, one(opts.padding ?? 0, 'padding')] as P2;
  const s: P2 = [1, one(opts.stride ?? 1, 'stride')], d: P2 = [1, one(opts.dilation ?? 1, 'dilation')];
  return unbatch(conv2dCore('conv1d', x.unsqueeze(2), weight.unsqueeze(2), bias, s, padding, d, groups).squeeze(2));
}

/**
 * 2-D transposed convolution ("deconvolution", the gradient of conv2d with respect to its input) of
 * x [N, inC, H, W] (or [inC, H, W]) with weight [inC, outC / groups, kH, kW], plus bias [outC]. The
 * output is (H - 1) * stride - 2 * padding + dilation * (kH - 1) + outputPadding + 1 high (and as wide).
 * @example F.convTranspose2d(x, weight, bias, { stride: 2, padding: 1, outputPadding: 1 }) // doubles H and W for kH = 3
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  checkOptions('convTranspose2d', opts, CONV_TRANSPOSE_SPEC);
  const op = 'convTranspose2d';
  const groups = groupsOf(opts.groups, op);
  let [x, unbatch] = batched(input, op, 2);
  if (weight.shape.length !== 4) throw new ShapeError(`${op}: weight must be 4-D [inChannels, outChannels / groups, kH, kW], but got ${shapeStr(weight.shape)}`);
  const [ic, ocg, kh, kw] = weight.shape;
  if (x.shape[1] !== ic) {
    throw new ShapeError(`${op}: Given transposed=1, weight of size ${shapeStr(weight.shape)}, expected input${shapeStr(x.shape)} to have ${ic} channels, but got ${x.shape[1]} channels instead`);
  }
  if (ic % groups !== 0) throw new ShapeError(`${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${shapeStr(weight.shape)} instead`);
  const s = pair(opts.stride ?? 1, 'stride'), p = pair(opts.padding ?? 0, 'padding'), d = pair(opts.dilation ?? 1, 'dilation');
  const op2 = pair(opts.outputPadding ?? 0, 'outputPadding');
  if (s[0] === 0 || s[1] === 0) throw new RangeError(`${op}: stride should be greater than zero`);
  if (d[0] === 0 || d[1] === 0) throw new RangeError(`${op}: dilation should be greater than zero`);
  if (op2[0] >= Math.max(s[0], d[0]) || op2[1] >= Math.max(s[1], d[1])) {
    throw new RangeError(
      `${op}: output padding must be smaller than either stride or dilation, but got output_padding_height: ${op2[0]} output_padding_width: ${op2[1]} stride_height: ${s[0]} stride_width: ${s[1]} dilation_height: ${d[0]} dilation_width: ${d[1]}`,
    );
  }
  const [n, , h, w] = x.shape, oc = ocg * groups;
  const oh = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op2[0] + 1;
  const ow = (w - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op2[1] + 1;
  if (oh <= 0 || ow <= 0) throw new ShapeError(`${op}: Given input size per channel: (${h} x ${w}). Calculated output size per channel: (${oh} x ${ow}). Output size is too small`);
  // an output padding of a stride or more adds whole windows: zero input positions give them
  const extra: P2 = [Math.floor(op2[0] / s[0]), Math.floor(op2[1] / s[1])];
  if (extra[0] > 0 || extra[1] > 0) x = padAfter(x, extra[0], extra[1]);
  const ih = h + extra[0], iw = w + extra[1], l = ih * iw;
  let cols: Tensor; // [N, oc * kh * kw, l]
  if (groups === 1) {
    cols = weight.reshape(ic, oc * kh * kw).t().matmul(x.reshape(n, ic, l));
  } else {
    const wt = weight.reshape(groups, ic / groups, ocg * kh * kw).transpose(1, 2);
    cols = wt.matmul(x.reshape(n, groups, ic / groups, l)).reshape(n, oc * kh * kw, l);
  }
  const g: WindowGeometry = { c: oc, h: oh, w: ow, kh, kw, sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh: ih, ow: iw };
  let out = col2im(cols, g);
  if (bias) out = out.add(bias.reshape(1, oc, 1, 1));
  return unbatch(out);
}
