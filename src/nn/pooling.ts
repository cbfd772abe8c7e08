/**
 * The pooling layers: nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool1d
 * and nn.AdaptiveAvgPool2d (the computation is in functional_pool.ts). They keep their sizes as
 * given, as PyTorch's do, so that they print the same.
 */
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import type { Pair } from './functional_conv';
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, AVG_POOL1D_SPEC, AVG_POOL2D_SPEC, avgPool1d, avgPool2d, MAX_POOL1D_SPEC, MAX_POOL2D_SPEC, maxPool1d, maxPool2d,
  type AdaptiveSize, type AvgPool1dOptions, type AvgPool2dOptions, type MaxPool1dOptions, type MaxPool2dOptions, type Single,
} from './functional_pool';
import { Module, pyBool } from './module';

/** Python's repr of a size as given: a number, a tuple, or None. */
export function pySize(v: number | null | readonly (number | null)[]): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return String(v);
  const items = v.map((x) => (x === null ? 'None' : String(x)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** What a max pooling layer's forward returns: the output, or [output, indices] with returnIndices. */
export type MaxPoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

abstract class MaxPoolNd<S extends Pair | Single> extends Module {
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S;
  readonly dilation: S;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;

  protected constructor(kernelSize: S, opts: { stride?: S | null; padding?: S; dilation?: S; ceilMode?: boolean; returnIndices?: boolean }) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? (0 as S);
    this.dilation = opts.dilation ?? (1 as S);
    this.ceilMode = opts.ceilMode ?? false;
    this.returnIndices = opts.returnIndices ?? false;
  }

  protected options() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices };
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}, dilation=${pySize(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 2-D max pooling; with returnIndices, forward returns [output, indices] (for nn.MaxUnpool2d-style use).
 * @example const pool = new nn.MaxPool2d(2); pool(x) // halves H and W
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<Pair> {
  constructor(kernelSize: Pair, opts: MaxPool2dOptions & { returnIndices?: R } = {}) {
    checkOptions('MaxPool2d', opts, MAX_POOL2D_SPEC);
    super(kernelSize, opts);
  }

  override forward(x: Tensor): MaxPoolResult<R> {
    return maxPool2d(x, this.kernelSize, this.options()) as MaxPoolResult<R>;
  }
}

/**
 * 1-D max pooling over [N, C, L] or [C, L].
 * @example const pool = new nn.MaxPool1d(3, { stride: 2 }); pool(tg.randn(20, 16, 50)) // [20, 16, 24]
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<Single> {
  constructor(kernelSize: Single, opts: MaxPool1dOptions & { returnIndices?: R } = {}) {
    checkOptions('MaxPool1d', opts, MAX_POOL1D_SPEC);
    super(kernelSize, opts);
  }

  override forward(x: Tensor): MaxPoolResult<R> {
    return maxPool1d(x, this.kernelSize, this.options()) as MaxPoolResult<R>;
  }
}

/**
 * 2-D average pooling (countIncludePad by default, as in PyTorch).
 * @example const pool = new nn.AvgPool2d(3, { stride: 2, padding: 1 }); pool(x)
 */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Pair, opts: AvgPool2dOptions = {}) {
    super();
    checkOptions('AvgPool2d', opts, AVG_POOL2D_SPEC);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  override forward(x: Tensor): Tensor {
    const { stride, padding, ceilMode, countIncludePad, divisorOverride } = this;
    return avgPool2d(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride });
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/**
 * 1-D average pooling over [N, C, L] or [C, L]; it keeps its sizes as 1-tuples, as PyTorch's does.
 * @example const pool = new nn.AvgPool1d(3, { stride: 2 }); pool(x)
 */
export class AvgPool1d extends Module {
  readonly kernelSize: [number];
  readonly stride: [number];
  readonly padding: [number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: Single, opts: AvgPool1dOptions = {}) {
    super();
    checkOptions('AvgPool1d', opts, AVG_POOL1D_SPEC);
    const one = (v: Single): [number] => [typeof v === 'number' ? v : v[0]];
    this.kernelSize = one(kernelSize);
    this.stride = one(opts.stride ?? kernelSize);
    this.padding = one(opts.padding ?? 0);
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
  }

  override forward(x: Tensor): Tensor {
    const { stride, padding, ceilMode, countIncludePad } = this;
    return avgPool1d(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad });
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/**
 * Average pooling to a fixed output size, whatever the input's (null keeps that dim's size).
 * @example const gap = new nn.AdaptiveAvgPool2d(1); gap(features) // [N, C, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/**
 * 1-D adaptive average pooling over [N, C, L] or [C, L].
 * @example new nn.AdaptiveAvgPool1d(5)(tg.randn(1, 64, 8)) // [1, 64, 5]
 */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number | readonly [number]) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}
