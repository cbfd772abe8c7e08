/** The upsampling layers nn.Upsample, nn.UpsamplingNearest2d and nn.UpsamplingBilinear2d (F.interpolate). */
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import { INTERPOLATE_SPEC, interpolate, type InterpolateMode, type InterpolateOptions } from './functional_resample';
import { Module } from './module';
import { pySize } from './pooling';

/** Python's repr of a float. */
function pyFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Options of nn.Upsample: those of interpolate but antialias. */
export type UpsampleOptions = Omit<InterpolateOptions, 'antialias'>;
const { antialias: _, ...UPSAMPLE_SPEC } = INTERPOLATE_SPEC;

/**
 * Upsamples [N, C, L] or [N, C, H, W] to `size` or by `scaleFactor` (see F.interpolate for the modes).
 * @example const up = new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }); up(x) // doubles H and W
 */
export class Upsample extends Module {
  readonly size: number | readonly number[] | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;

  constructor(opts: UpsampleOptions = {}) {
    super();
    checkOptions(new.target.name, opts, UPSAMPLE_SPEC);
    this.size = opts.size ?? null;
    const sf = opts.scaleFactor ?? null;
    this.scaleFactor = Array.isArray(sf) ? [...(sf as number[])] : sf ? sf : null; // PyTorch keeps no scale of 0
    this.mode = opts.mode ?? 'nearest';
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }

  override forward(x: Tensor): Tensor {
    return interpolate(x, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor });
  }

  override extraRepr(): string {
    const sf = this.scaleFactor;
    const info = sf !== null ? `scale_factor=${typeof sf === 'number' ? pyFloat(sf) : sf.length === 1 ? `(${pyFloat(sf[0])},)` : `(${sf.map(pyFloat).join(', ')})`}` : `size=${pySize(this.size)}`;
    return `${info}, mode='${this.mode}'`;
  }
}

/** Options of nn.UpsamplingNearest2d and nn.UpsamplingBilinear2d. */
export interface Upsampling2dOptions {
  size?: number | readonly [number, number] | null;
  scaleFactor?: number | readonly [number, number] | null;
}

/**
 * Nearest-neighbour upsampling of [N, C, H, W] (Upsample with mode 'nearest').
 * @example new nn.UpsamplingNearest2d({ scaleFactor: 2 })(x)
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(opts: Upsampling2dOptions = {}) {
    checkOptions('UpsamplingNearest2d', opts, { size: UPSAMPLE_SPEC.size, scaleFactor: UPSAMPLE_SPEC.scaleFactor });
    super({ ...opts, mode: 'nearest' });
  }
}

/**
 * Bilinear upsampling of [N, C, H, W] with alignCorners (Upsample with mode 'bilinear', alignCorners true).
 * @example new nn.UpsamplingBilinear2d({ size: [8, 8] })(x)
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(opts: Upsampling2dOptions = {}) {
    checkOptions('UpsamplingBilinear2d', opts, { size: UPSAMPLE_SPEC.size, scaleFactor: UPSAMPLE_SPEC.scaleFactor });
    super({ ...opts, mode: 'bilinear', alignCorners: true });
  }
}
