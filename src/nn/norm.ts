/** Normalisation layers: BatchNorm1d, BatchNorm2d, GroupNorm, RMSNorm (torch.nn's, same state and printing). */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { noGrad } from '../autograd/grad_mode';
import { toDType, type DTypeLike } from '../dtype';
import { ShapeError } from '../errors';
import { empty, ones, tensor, zeros } from '../ops/creation';
import type { Tensor } from '../tensor';
import { checkArg, checkOptions, kinds } from '../options';
import { batchNorm, groupNorm, rmsNorm } from './functional_norm';
import * as init from './init';
import { Module, Parameter, pyBool } from './module';
import { pyFloatRepr, pyOptionalFloat, pyTuple } from './pyrepr';

export interface BatchNormOptions {
  eps?: number;
  /** The running statistics' update factor; null: a cumulative average over the batches seen. */
  momentum?: number | null;
  /** Learnt per-channel weight (ones) and bias (zeros). */
  affine?: boolean;
  /** With affine, whether to learn the bias too (default true). */
  bias?: boolean;
  /** Keep running statistics (used in eval mode); without them eval mode uses the batch's. */
  trackRunningStats?: boolean;
  dtype?: DTypeLike;
  device?: DeviceLike;
}

const BN_SPEC = { eps: 'number', momentum: kinds.numberOrNull, affine: 'boolean', bias: 'boolean', trackRunningStats: 'boolean', dtype: 'string', device: DEVICE_OPTION } as const;

/**
 * What BatchNorm1d and BatchNorm2d share (PyTorch's _BatchNorm): the parameters weight and bias,
 * and the buffers running_mean, running_var and num_batches_tracked, named as PyTorch names them
 * so that state dicts move both ways (also readable as runningMean, runningVar, numBatchesTracked).
 */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    checkOptions(new.target.name, opts, BN_SPEC);
    checkArg(new.target.name, 'numFeatures', numFeatures, 'number');
    if (!Number.isInteger(numFeatures) || numFeatures < 0) throw new RangeError(`${new.target.name}: numFeatures must be a non-negative integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight = this.affine ? new Parameter(empty([numFeatures], { dtype })) : null;
    this.bias = this.affine && opts.bias !== false ? new Parameter(empty([numFeatures], { dtype })) : null;
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('num_batches_tracked', track ? tensor(0, { dtype: 'int64' }) : null);
    this.resetParameters();
  }

  get runningMean(): Tensor | null {
    return this.running_mean;
  }

  get runningVar(): Tensor | null {
    return this.running_var;
  }

  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Running mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.zero_();
      this.running_var?.fill_(1);
      this.num_batches_tracked?.zero_();
    });
  }

  /** The running statistics reset, the weight ones and the bias zeros. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  /** Throws PyTorch's error for an input of the wrong number of dims. */
  protected abstract checkInputDim(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      const tracked = this.num_batches_tracked;
      noGrad(() => tracked.add_(1));
      if (this.momentum === null) factor = 1 / Number(tracked.item());
    }
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const useBuffers = !this.training || this.trackRunningStats;
    return batchNorm(x, useBuffers ? this.running_mean : null, useBuffers ? this.running_var : null, {
      weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloatRepr(this.eps)}, momentum=${pyOptionalFloat(this.momentum)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalisation of [N, C] or [N, C, L] inputs over the batch (and L), per channel C.
 * @example const bn = new nn.BatchNorm1d(64); bn(x) // x: [N, 64] or [N, 64, L]
 */
export class BatchNorm1d extends BatchNormBase {
  protected override checkInputDim(x: Tensor): void {
    if (x.dim() !== 2 && x.dim() !== 3) throw new ShapeError(`expected 2D or 3D input (got ${x.dim()}D input)`);
  }
}

/**
 * Batch normalisation of [N, C, H, W] inputs over N, H and W, per channel C.
 * @example const bn = new nn.BatchNorm2d(16); bn(images)
 */
export class BatchNorm2d extends BatchNormBase {
  protected override checkInputDim(x: Tensor): void {
    if (x.dim() !== 4) throw new ShapeError(`expected 4D input (got ${x.dim()}D input)`);
  }
}

/**
 * Group normalisation: the channels of [N, C, ...] inputs in numGroups groups, each normalised
 * over its channels and the trailing dims, with a learnt per-channel weight and bias (affine).
 * @example const gn = new nn.GroupNorm(4, 16); gn(x)
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: { eps?: number; affine?: boolean; bias?: boolean; dtype?: DTypeLike; device?: DeviceLike } = {}) {
    super();
    checkOptions('GroupNorm', opts, { eps: 'number', affine: 'boolean', bias: 'boolean', dtype: 'string', device: DEVICE_OPTION });
    checkArg('GroupNorm', 'numGroups', numGroups, 'number');
    checkArg('GroupNorm', 'numChannels', numChannels, 'number');
    if (numChannels % numGroups !== 0) throw new RangeError(`numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine && opts.bias !== false ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  /** The weight ones and the bias zeros again. */
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  override forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloatRepr(this.eps)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * Root-mean-square normalisation over the trailing dims normalizedShape, with a learnt weight
 * (ones) unless elementwiseAffine is false; eps null (the default) is the dtype's machine epsilon.
 * @example const norm = new nn.RMSNorm(512); norm(x)
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: { eps?: number | null; elementwiseAffine?: boolean; dtype?: DTypeLike; device?: DeviceLike } = {}) {
    super();
    checkOptions('RMSNorm', opts, { eps: kinds.numberOrNull, elementwiseAffine: 'boolean', dtype: 'string', device: DEVICE_OPTION });
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? null;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
  }

  /** The weight ones again. */
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
  }

  override forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, { weight: this.weight, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyOptionalFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
