/**
 * The convolution layers nn.Conv1d, nn.Conv2d and nn.ConvTranspose2d (the computation is in
 * functional_conv.ts), with PyTorch's options, initialisation, printing and padding modes.
 */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { toDType, type DTypeLike } from '../dtype';
import { empty } from '../ops/creation';
import type { Tensor } from '../tensor';
import { checkOptions, kinds } from '../options';
import {
  CONV1D_SPEC, CONV_SPEC, CONV_TRANSPOSE_SPEC, conv1d, conv2d, convTranspose2d, groupsOf, pair, samePadding,
  type Conv1dOptions, type Conv2dOptions, type ConvTranspose2dOptions, type Pair,
} from './functional_conv';
import { pad, type PadMode } from './functional_resample';
import { defaultWeightAndBias_ } from './layers';
import { Module, Parameter, pyBool } from './module';

/** How a convolution layer pads: with zeros (in the convolution itself), or by F.pad in a mode. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
/** What every convolution layer takes besides its own options. */
export interface ConvLayerOptions {
  bias?: boolean;
  paddingMode?: PaddingMode;
  dtype?: DTypeLike;
  device?: DeviceLike;
}
const LAYER_SPEC = { bias: 'boolean', paddingMode: kinds.oneOf('zeros', 'reflect', 'replicate', 'circular'), dtype: 'string', device: DEVICE_OPTION } as const;

/** Python's repr of a tuple of ints. */
function tuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}

/**
 * What Conv1d, Conv2d and ConvTranspose2d share: channels, sizes per spatial dim, parameters in
 * PyTorch's layout and order, and PyTorch's extra_repr.
 */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'same' | 'valid';
  readonly dilation: number[];
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  protected constructor(name: string, inChannels: number, outChannels: number, sizes: { kernel: number[]; stride: number[]; padding: number[] | 'same' | 'valid'; dilation: number[]; outputPadding: number[] }, groups: number | undefined, transposed: boolean, opts: ConvLayerOptions) {
    super();
    for (const [n, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name}: ${n} must be a positive integer, got ${v}`);
    }
    this.groups = groupsOf(groups, name);
    if (inChannels % this.groups !== 0) throw new RangeError(`${name}: in_channels must be divisible by groups`);
    if (outChannels % this.groups !== 0) throw new RangeError(`${name}: out_channels must be divisible by groups`);
    if (sizes.padding === 'same' && sizes.stride.some((s) => s !== 1)) throw new RangeError(`${name}: padding='same' is not supported for strided convolutions`);
    this.paddingMode = opts.paddingMode ?? 'zeros';
    if (transposed && this.paddingMode !== 'zeros') throw new RangeError(`${name}: Only "zeros" padding mode is supported for ${name}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = sizes.kernel;
    this.stride = sizes.stride;
    this.padding = sizes.padding;
    this.dilation = sizes.dilation;
    this.outputPadding = sizes.outputPadding;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    const shape = transposed ? [inChannels, outChannels / this.groups] : [outChannels, inChannels / this.groups];
    this.weight = new Parameter(empty([...shape, ...this.kernelSize], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], { dtype }));
    this.resetParameters();
  }

  /** Draws the weight and bias again, as the constructor did (PyTorch's reset_parameters). */
  resetParameters(): void {
    defaultWeightAndBias_(this.weight, this.bias);
  }

  /** x padded by F.pad in paddingMode, as PyTorch does before a convolution without padding. */
  protected padded(x: Tensor): Tensor {
    const amounts = this.padding === 'same' ? samePadding(this.kernelSize, this.dilation) : this.padding === 'valid' ? this.kernelSize.map(() => [0, 0]) : this.padding.map((p) => [p, p]);
    return pad(x, amounts.reverse().flat(), { mode: this.paddingMode as PadMode });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${tuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${tuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += `, bias=${pyBool(false)}`;
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

function padding2(p: Conv2dOptions['padding']): [number, number] | 'same' | 'valid' {
  return p === 'same' || p === 'valid' ? p : pair(p ?? 0, 'padding');
}
function one(v: number | readonly [number], what: string): number[] {
  return [pair(typeof v === 'number' ? v : v[0], what)[0]];
}

/**
 * A 2-D convolution layer with PyTorch's default initialisation (kaimingUniform_(a = sqrt(5)) on
 * the weight [out, in / groups, kH, kW], the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
 * @example const conv = new nn.Conv2d(1, 20, 5); conv(images) // [N, 20, 24, 24] for 28x28
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: Conv2dOptions & ConvLayerOptions = {}) {
    checkOptions('Conv2d', opts, { ...CONV_SPEC, ...LAYER_SPEC });
    const sizes = { kernel: pair(kernelSize, 'kernelSize'), stride: pair(opts.stride ?? 1, 'stride'), padding: padding2(opts.padding), dilation: pair(opts.dilation ?? 1, 'dilation'), outputPadding: [0, 0] };
    super('Conv2d', inChannels, outChannels, sizes, opts.groups, false, opts);
  }

  override forward(x: Tensor): Tensor {
    const o = { stride: this.stride as [number, number], dilation: this.dilation as [number, number], groups: this.groups };
    if (this.paddingMode !== 'zeros') return conv2d(this.padded(x), this.weight, this.bias, o);
    return conv2d(x, this.weight, this.bias, { ...o, padding: this.padding as [number, number] | 'same' | 'valid' });
  }
}

/**
 * A 1-D convolution layer over [N, C, L] (or [C, L]) with PyTorch's default initialisation; the
 * weight is [out, in / groups, kW].
 * @example const conv = new nn.Conv1d(16, 33, 3, { stride: 2 }); conv(tg.randn(20, 16, 50)) // [20, 33, 24]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number], opts: Conv1dOptions & ConvLayerOptions = {}) {
    checkOptions('Conv1d', opts, { ...CONV1D_SPEC, ...LAYER_SPEC });
    const p = opts.padding === 'same' || opts.padding === 'valid' ? opts.padding : one(opts.padding ?? 0, 'padding');
    const sizes = { kernel: one(kernelSize, 'kernelSize'), stride: one(opts.stride ?? 1, 'stride'), padding: p, dilation: one(opts.dilation ?? 1, 'dilation'), outputPadding: [0] };
    super('Conv1d', inChannels, outChannels, sizes, opts.groups, false, opts);
  }

  override forward(x: Tensor): Tensor {
    const o = { stride: this.stride[0], dilation: this.dilation[0], groups: this.groups };
    if (this.paddingMode !== 'zeros') return conv1d(this.padded(x), this.weight, this.bias, o);
    const p = this.padding;
    return conv1d(x, this.weight, this.bias, { ...o, padding: typeof p === 'string' ? p : p[0] });
  }
}

/**
 * A 2-D transposed convolution layer: weight [in, out / groups, kH, kW], PyTorch's initialisation
 * (its fan_in counts out / groups * kH * kW). forward takes an optional outputSize ([H, W], or with
 * N and C) that picks the outputPadding giving that size, as in PyTorch.
 * @example const up = new nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 }); up(x) // doubles H and W
 */
export class ConvTranspose2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: ConvTranspose2dOptions & ConvLayerOptions = {}) {
    checkOptions('ConvTranspose2d', opts, { ...CONV_TRANSPOSE_SPEC, ...LAYER_SPEC });
    const sizes = {
      kernel: pair(kernelSize, 'kernelSize'), stride: pair(opts.stride ?? 1, 'stride'), padding: pair(opts.padding ?? 0, 'padding'),
      dilation: pair(opts.dilation ?? 1, 'dilation'), outputPadding: pair(opts.outputPadding ?? 0, 'outputPadding'),
    };
    super('ConvTranspose2d', inChannels, outChannels, sizes, opts.groups, true, opts);
  }

  override forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    const s = this.stride as [number, number], p = this.padding as [number, number], d = this.dilation as [number, number];
    const outputPadding = outputSize === undefined ? (this.outputPadding as [number, number]) : this.outputPaddingFor(x, outputSize);
    return convTranspose2d(x, this.weight, this.bias, { stride: s, padding: p, dilation: d, outputPadding, groups: this.groups });
  }

  /** The output padding that gives outputSize (PyTorch's _output_padding), checked against the sizes it can give. */
  private outputPaddingFor(x: Tensor, outputSize: readonly number[]): [number, number] {
    const size = outputSize.length === 4 || (outputSize.length === 3 && x.shape.length === 3) ? outputSize.slice(-2) : outputSize;
    if (size.length !== 2) throw new RangeError(`ConvTranspose2d: output_size must have 2 or ${x.shape.length} elements (got ${outputSize.length})`);
    const res = [0, 1].map((i) => {
      const dim = x.shape[x.shape.length - 2 + i];
      const min = (dim - 1) * this.stride[i] - 2 * (this.padding as number[])[i] + this.dilation[i] * (this.kernelSize[i] - 1) + 1;
      const max = min + this.stride[i] - 1;
      if (size[i] < min || size[i] > max) {
        throw new RangeError(`ConvTranspose2d: requested an output size of [${size.join(', ')}], but valid sizes range from [${min}] to [${max}] (for an input of [${x.shape.slice(-2).join(', ')}]) along dim ${i}`);
      }
      return size[i] - min;
    });
    return [res[0], res[1]];
  }
}
