/**
 * nn.init: PyTorch's weight initialisation formulas (torch/nn/init.py), run without recording
 * the graph. Each fills the tensor in place and returns it.
 * @module
 */
import { checkOptions } from '../options';
import { noGrad } from '../autograd/grad_mode';
import { ShapeError } from '../errors';
import * as random from '../ops/random';
import type { Tensor } from '../tensor';

/** @inline */
type Gen = { generator?: random.Generator };
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain).
 * @example nn.init.calculateGain('tanh') // 5/3
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || Number.isNaN(slope)) throw new TypeError(`calculateGain(): the negative slope ${String(slope)} is not a valid number`);
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case 'selu':
      return 3.0 / 4;
    default:
      throw new RangeError(`Unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/** fan_in and fan_out of a weight: dims 1 and 0, times the receptive field (dims 2 and up). */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.dim() < 2) throw new ShapeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function fan(t: Tensor, mode: 'fan_in' | 'fan_out'): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new RangeError(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fanIn : fanOut;
}

function skipEmpty(t: Tensor): boolean {
  if (t.numel() > 0) return false;
  process.emitWarning('Initializing zero-element tensors is a no-op', 'UserWarning');
  return true;
}

export function uniform_(t: Tensor, a = 0, b = 1, opts: Gen = {}): Tensor {
  return noGrad(() => t.uniform_(a, b, opts));
}

export function normal_(t: Tensor, mean = 0, std = 1, opts: Gen = {}): Tensor {
  return noGrad(() => t.normal_(mean, std, opts));
}

export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export function zeros_(t: Tensor): Tensor {
  return noGrad(() => t.zero_());
}

/** U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio). */
export function xavierUniform_(t: Tensor, gain = 1, opts: Gen = {}): Tensor {
  checkOptions('xavierUniform_', opts, { generator: random.generatorKind });
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a, opts);
}

/** N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, opts: Gen = {}): Tensor {
  checkOptions('xavierNormal_', opts, { generator: random.generatorKind });
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2.0 / (fanIn + fanOut)), opts);
}

const KAIMING = { a: 'number', mode: 'string', nonlinearity: 'string', generator: random.generatorKind } as const;

export interface KaimingOptions extends Gen {
  /** The negative slope of the rectifier after this layer (leaky_relu). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

/** U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al.). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  checkOptions('kaimingUniform_', opts, KAIMING);
  if (skipEmpty(t)) return t;
  const std = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan(t, opts.mode ?? 'fan_in'));
  const bound = Math.sqrt(3.0) * std;
  return uniform_(t, -bound, bound, { generator: opts.generator });
}

/** N(0, std^2) with std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  checkOptions('kaimingNormal_', opts, KAIMING);
  if (skipEmpty(t)) return t;
  const std = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan(t, opts.mode ?? 'fan_in'));
  return normal_(t, 0, std, { generator: opts.generator });
}
