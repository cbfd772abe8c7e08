/** The layers nn.Conv2d and nn.MaxPool2d (the computation is in functional_conv.ts). */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { toDType, type DTypeLike } from '../dtype';
import { empty } from '../ops/creation';
import type { Tensor } from '../tensor';
import { checkOptions } from '../options';
import { CONV_SPEC, conv2d, maxPool2d, pair, POOL_SPEC, type Conv2dOptions, type MaxPool2dOptions, type Pair } from './functional_conv';
import { defaultWeightAndBias_ } from './layers';
import { Module, Parameter, pyBool } from './module';

/**
 * A 2-D convolution layer with PyTorch's default initialisation (kaimingUniform_(a = sqrt(5)) on
 * the weight, the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
 * @example const conv = new nn.Conv2d(1, 20, 5); conv(images) // [N, 20, 24, 24] for 28x28
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: Conv2dOptions & { bias?: boolean; dtype?: DTypeLike; device?: DeviceLike } = {}) {
    super();
    checkOptions('Conv2d', opts, { ...CONV_SPEC, bias: 'boolean', dtype: 'string', device: DEVICE_OPTION });
    for (const [n, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`Conv2d: ${n} must be a positive integer, got ${v}`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize, 'kernelSize');
    this.stride = pair(opts.stride ?? 1, 'stride');
    this.padding = pair(opts.padding ?? 0, 'padding');
    this.dilation = pair(opts.dilation ?? 1, 'dilation');
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight = new Parameter(empty([outChannels, inChannels, ...this.kernelSize], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], { dtype }));
    this.resetParameters();
  }

  /** Draws the weight and bias again, as the constructor did. */
  resetParameters(): void {
    defaultWeightAndBias_(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    const t = (p: [number, number]) => `(${p[0]}, ${p[1]})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}`;
    if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${t(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${t(this.dilation)}`;
    if (this.bias === null) s += `, bias=${pyBool(false)}`;
    return s;
  }
}

/**
 * 2-D max pooling.
 * @example const pool = new nn.MaxPool2d(2); pool(x) // halves H and W
 */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;

  constructor(kernelSize: Pair, opts: MaxPool2dOptions = {}) {
    super();
    checkOptions('MaxPool2d', opts, POOL_SPEC);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
  }

  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    const t = (p: Pair) => (typeof p === 'number' ? String(p) : `(${p[0]}, ${p[1]})`);
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}, padding=${t(this.padding)}, dilation=${t(this.dilation)}, ceil_mode=False`;
  }
}
