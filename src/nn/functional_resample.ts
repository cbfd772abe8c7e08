/**
 * F.interpolate (nearest, nearest-exact, linear, bilinear and area modes) and F.pad (constant,
 * reflect, replicate and circular), over native kernels (src/ops/pool.ts). The sizes, scales and
 * checks are those of torch/nn/functional.py and ATen's UpSample.cpp and PadNd.cpp: a scale factor
 * reaches the kernel (as 1 / scale) unless recomputeScaleFactor is set, in which case only the
 * output size, floor(in * scale), does.
 */
import { ShapeError, shapeStr } from '../errors';
import { pad as padOp, upsampleBilinear2d, upsampleNearest2d, type UpsampleCtx } from '../ops/pool';
import { checkOptions, kinds } from '../options';
import type { Tensor } from '../tensor';
import { adaptiveAvgPool1d, adaptiveAvgPool2d } from './functional_pool';

/** The modes of interpolate. */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'area';

/** Options of interpolate (and nn.Upsample): exactly one of size and scaleFactor. */
export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
  antialias?: boolean;
}

const NUMBERS = { test: (v: unknown) => v === null || typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')), what: 'a number, an array of numbers or null' };
export const INTERPOLATE_SPEC = {
  size: NUMBERS, scaleFactor: NUMBERS, mode: 'string', alignCorners: { test: (v: unknown) => v === null || typeof v === 'boolean', what: 'a boolean or null' },
  recomputeScaleFactor: { test: (v: unknown) => v === null || typeof v === 'boolean', what: 'a boolean or null' }, antialias: 'boolean',
} as const;
const MODES = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'area', 'bicubic', 'trilinear'];

/** The output size and the scales the kernel gets (0 where none), as interpolate derives them. */
function sizesOf(input: Tensor, dim: number, opts: InterpolateOptions, mode: string): [number[], number[]] {
  const { size, scaleFactor } = opts;
  const spatial = input.shape.slice(2);
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(size) && has(scaleFactor)) throw new RangeError('interpolate: only one of size or scale_factor should be defined');
  if (!has(size) && !has(scaleFactor)) throw new RangeError('interpolate: either size or scale_factor should be defined');
  if (opts.recomputeScaleFactor && has(size)) throw new RangeError('interpolate: recompute_scale_factor is not meaningful with an explicit size.');
  if (has(size)) {
    const sizes = typeof size === 'number' ? new Array<number>(dim).fill(size) : [...(size as number[])];
    if (sizes.length !== dim) {
      throw new ShapeError(
        `interpolate: Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${shapeStr(spatial)} and output size of ${shapeStr(sizes)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`,
      );
    }
    if (!sizes.every(Number.isInteger)) throw new TypeError(`interpolate: expected size to be integers, but got ${shapeStr(sizes)}`);
    return [sizes, new Array<number>(dim).fill(0)];
  }
  const scales = typeof scaleFactor === 'number' ? new Array<number>(dim).fill(scaleFactor) : [...(scaleFactor as number[])];
  if (scales.length !== dim) {
    throw new ShapeError(
      `interpolate: Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${shapeStr(spatial)} and scale_factor of shape ${shapeStr(scales)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`,
    );
  }
  const sizes = scales.map((s, i) => Math.floor(spatial[i] * s));
  const recompute = opts.recomputeScaleFactor === true || mode === 'area';
  return [sizes, recompute ? new Array<number>(dim).fill(0) : scales.map((s) => (s > 0 ? s : 0))];
}

/**
 * Resizes x [N, C, L] or [N, C, H, W] to `size`, or by `scaleFactor`, as torch.nn.functional.interpolate
 * does: 'nearest' (PyTorch's legacy index floor(o * in / out)), 'nearest-exact' (pixel centres),
 * 'linear' (3-D input) and 'bilinear' (4-D), with or without alignCorners, and 'area' (adaptive
 * average pooling).
 * @example F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: false })
 */
export function interpolate(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  checkOptions('interpolate', opts, INTERPOLATE_SPEC);
  const mode: string = opts.mode ?? 'nearest';
  if (!MODES.includes(mode)) throw new RangeError(`interpolate: unknown mode '${String(mode)}' (it takes 'nearest', 'nearest-exact', 'linear', 'bilinear' or 'area')`);
  const linear = mode === 'linear' || mode === 'bilinear' || mode === 'bicubic' || mode === 'trilinear';
  if (!linear && opts.alignCorners !== undefined && opts.alignCorners !== null) {
    throw new RangeError('interpolate: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  }
  if (opts.antialias) throw new RangeError('interpolate: antialias is not supported');
  const nd = input.shape.length;
  if (nd < 3 || nd > 5) throw new ShapeError(`interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got ${nd}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
  const dim = nd - 2;
  const [sizes, scales] = sizesOf(input, dim, opts, mode);
  const want: Record<string, number> = { linear: 3, bilinear: 4, trilinear: 5 };
  if (want[mode] !== undefined && want[mode] !== nd) throw new ShapeError(`interpolate: Got ${nd}D input, but ${mode} mode needs ${want[mode]}D input`);
  if (nd === 5 || mode === 'bicubic' || mode === 'trilinear') throw new RangeError(`interpolate: mode '${mode}' on ${nd}D input is not supported yet`);
  if (mode === 'area') return nd === 3 ? adaptiveAvgPool1d(input, sizes[0]) : adaptiveAvgPool2d(input, sizes);
  const spatial = input.shape.slice(2);
  if (spatial.some((s) => s <= 0) || sizes.some((s) => s <= 0)) {
    const names = nd === 3 ? ['W'] : ['H', 'W'];
    const list = (v: readonly number[]) => v.map((s, i) => `${names[i]}: ${s}`).join(', ');
    throw new ShapeError(`interpolate: Input and output sizes should be greater than 0, but got input (${list(spatial)}) output (${list(sizes)})`);
  }
  if (!input.isFloatingPoint()) throw new TypeError(`interpolate: expected a floating point input, but got ${input.dtype}`);
  const x = nd === 3 ? input.unsqueeze(2) : input;
  const ctx: UpsampleCtx = {
    mode: mode === 'linear' ? 'bilinear' : (mode as UpsampleCtx['mode']),
    alignCorners: opts.alignCorners ?? false,
    scales: nd === 3 ? [0, scales[0]] : [scales[0], scales[1]],
    inSize: [x.shape[2], x.shape[3]],
    outSize: nd === 3 ? [1, sizes[0]] : [sizes[0], sizes[1]],
  };
  const out = ctx.mode === 'bilinear' ? upsampleBilinear2d(x, ctx) : upsampleNearest2d(x, ctx);
  return nd === 3 ? out.squeeze(2) : out;
}

/** The modes of pad. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/** Options of pad: the mode ('constant' by default) and the constant mode's value (0 by default). */
export interface PadOptions {
  mode?: PadMode;
  value?: number | null;
}
const PAD_SPEC = { mode: 'string', value: kinds.numberOrNull } as const;

/**
 * Pads x: `pad` lists the amounts before and after each dim from the last dim backwards
 * ([left, right, top, bottom, ...]); negative amounts crop. 'constant' pads any dims with `value`;
 * 'reflect', 'replicate' and 'circular' pad the last 1, 2 or 3 dims of an input with one or two
 * more dims.
 * @example F.pad(x, [1, 1, 2, 0], { mode: 'reflect' }); F.pad(x, [0, 1], { value: -1 })
 */
export function pad(input: Tensor, pad: readonly number[], opts: PadOptions | PadMode = {}): Tensor {
  const o = typeof opts === 'string' ? { mode: opts } : opts;
  checkOptions('pad', o, PAD_SPEC);
  const mode = o.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) throw new RangeError(`pad: Unrecognised padding mode ${String(mode)}`);
  if (!Array.isArray(pad) || !pad.every((p) => Number.isInteger(p))) throw new TypeError('pad: the pads must be an array of integers');
  const nd = input.shape.length;
  if (pad.length % 2 !== 0) throw new RangeError('pad: Padding length must be divisible by 2');
  if (pad.length > nd * 2) throw new RangeError(`pad: Padding length should be less than or equal to two times the input dimension but got padding length ${pad.length} and input of dimension ${nd}`);
  const k = pad.length / 2;
  if (mode !== 'constant') {
    if (o.value !== undefined && o.value !== null && o.value !== 0) throw new RangeError(`pad: Padding mode "${mode}" doesn't take in value argument`);
    if (k === 0 || k > 3 || (nd !== k + 1 && nd !== k + 2)) throw new RangeError(`pad: Padding size ${pad.length} is not supported for ${nd}D input tensor.`);
  }
  const left = new Array<number>(nd).fill(0);
  const shape = [...input.shape];
  for (let i = 0; i < k; i++) {
    const d = nd - 1 - i, l = pad[2 * i], r = pad[2 * i + 1], n = input.shape[d];
    checkPad(mode, input, d, n, l, r);
    left[d] = l;
    shape[d] = n + l + r;
  }
  return padOp(input, shape, { mode, value: mode === 'constant' ? o.value ?? 0 : 0, left, inShape: [...input.shape] });
}

function checkPad(mode: PadMode, input: Tensor, d: number, n: number, l: number, r: number): void {
  if (n + l + r < 0) {
    throw new ShapeError(`pad: The input size ${n}, plus negative padding ${l} and ${r} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`);
  }
  if (mode === 'reflect' && (l >= n || r >= n)) {
    throw new RangeError(`pad: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${d} of input ${shapeStr(input.shape)}`);
  }
  if (mode === 'circular' && (l > n || r > n)) throw new RangeError('pad: Padding value causes wrapping around more than once.');
  if (mode !== 'constant' && (n === 0 || n + l + r < 1)) {
    throw new ShapeError(`pad: input ${shapeStr(input.shape)} is too small to pad by (${l}, ${r}) at dimension ${d} in ${mode} mode`);
  }
}
