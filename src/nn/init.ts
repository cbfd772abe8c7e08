/**
 * nn.init: PyTorch's weight initialisation formulas (torch/nn/init.py), run without recording
 * the graph. Each fills the tensor in place and returns it.
 * @module
 */
import { checkArg, checkOptions, isOptionsObject } from '../options';
import { noGrad } from '../autograd/grad_mode';
import { ShapeError } from '../errors';
import { empty, eye, tensor } from '../ops/creation';
import { where } from '../ops/binary';
import * as random from '../ops/random';
import type { Tensor } from '../tensor';
import { householderQr } from './qr';

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

/** A number argument that may also be given in an options object, as PyTorch's keyword arguments. */
function numberOr<O extends Gen>(fn: string, v: number | (O & Record<string, unknown>) | undefined, key: string, fallback: number, spec: Record<string, 'number'>, opts: Gen): [number, Gen] {
  if (isOptionsObject(v)) {
    checkOptions(fn, v, { ...spec, generator: random.generatorKind });
    return [(v[key] as number | undefined) ?? fallback, { generator: v.generator }];
  }
  checkArg(fn, key, v, 'number');
  checkOptions(fn, opts, { generator: random.generatorKind });
  return [(v as number | undefined) ?? fallback, opts];
}

/** The options of truncNormal_ (PyTorch's keyword arguments). */
export interface TruncNormalOptions extends Gen {
  mean?: number;
  std?: number;
  /** The lowest value (default -2). */
  a?: number;
  /** The highest value (default 2). */
  b?: number;
}

/** The standard normal distribution function, in float64 (with the C library's erf, as Python's math.erf). */
function normCdf(x: number): number {
  return (1 + tensor(x / Math.SQRT2, { dtype: 'float64' }).erf().item()) / 2;
}

/**
 * Fills t with values from N(mean, std^2) truncated to [a, b], drawn as PyTorch 2.13 draws them (so
 * the same values for the same seed): redrawing from the normal what falls outside when [a, b] holds
 * more than 0.3 of its mass, else by rejection from U(a, b). Also `truncNormal_(t, { mean, std, a, b })`.
 * @example nn.init.truncNormal_(w, 0, 0.02) // in [-2, 2], as ViT initialises
 */
export function truncNormal_(t: Tensor, mean: number | TruncNormalOptions = 0, std = 1, a = -2, b = 2, opts: Gen = {}): Tensor {
  if (isOptionsObject(mean)) {
    const o = checkOptions('truncNormal_', mean as TruncNormalOptions, { mean: 'number', std: 'number', a: 'number', b: 'number', generator: random.generatorKind }) ?? {};
    return truncNormal_(t, o.mean ?? 0, o.std ?? 1, o.a ?? -2, o.b ?? 2, { generator: o.generator });
  }
  const mu = mean as number;
  for (const [k, v] of [['mean', mu], ['std', std], ['a', a], ['b', b]] as const) checkArg('truncNormal_', k, v, 'number');
  checkOptions('truncNormal_', opts, { generator: random.generatorKind });
  if (mu < a - 2 * std || mu > b + 2 * std) {
    process.emitWarning('mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.', 'UserWarning');
  }
  return noGrad(() => {
    const p = normCdf((b - mu) / std) - normCdf((a - mu) / std);
    return p > 0.3 ? redrawNormal(t, mu, std, a, b, opts) : rejectUniform(t, mu, std, a, b, opts);
  });
}

/** Draws from N(mean, std^2), then redraws (a whole tensor each time) where the values fall outside [a, b]. */
function redrawNormal(t: Tensor, mean: number, std: number, a: number, b: number, opts: Gen): Tensor {
  // the bounds as the tensor's dtype holds them, so that the test agrees with the values kept
  const lo = tensor(a, { dtype: t.dtype }).item(), hi = tensor(b, { dtype: t.dtype }).item();
  let result = t.normal_(mean, std, opts);
  for (;;) {
    const mask = result.lt(lo).logicalOr(result.gt(hi));
    if (!mask.any().item()) break;
    result = where(mask, empty(t.shape, { dtype: t.dtype }).normal_(mean, std, opts), result);
  }
  if (result !== t) t.copy_(result);
  return t;
}

/** Rejection sampling from U(a, b): a candidate x is kept when log(u) <= log pdf(x) - log pdf(mode). */
function rejectUniform(t: Tensor, mean: number, std: number, a: number, b: number, opts: Gen): Tensor {
  const mode = Math.max(a, Math.min(mean, b));
  const logPeak = -0.5 * ((mode - mean) / std) ** 2;
  const candidates = empty(t.shape, { dtype: t.dtype }), acceptBuf = empty(t.shape, { dtype: t.dtype });
  const logPdf = (c: Tensor) => c.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(logPeak);
  t.uniform_(a, b, opts);
  logPdf(candidates.copy_(t));
  let pending = acceptBuf.uniform_(0, 1, opts).log_().gt(candidates);
  if (!pending.any().item()) return t;
  let result = t;
  for (;;) {
    candidates.uniform_(a, b, opts);
    result = where(pending, candidates, result);
    logPdf(candidates);
    pending = where(pending, acceptBuf.uniform_(0, 1, opts).log_().gt(candidates), pending);
    if (!pending.any().item()) break;
  }
  return t.copy_(result);
}

/**
 * Fills t (2 dims or more, the trailing ones flattened) with a (semi-)orthogonal matrix times gain,
 * as PyTorch: the Q of the QR decomposition of a N(0, 1) matrix, its columns' signs those of R's
 * diagonal (Saxe et al. 2013). Also `orthogonal_(t, { gain })`.
 * @example nn.init.orthogonal_(rnn.weightHh, 1)
 */
export function orthogonal_(t: Tensor, gain: number | ({ gain?: number } & Gen) = 1, opts: Gen = {}): Tensor {
  const [g, gen] = numberOr('orthogonal_', gain, 'gain', 1, { gain: 'number' }, opts);
  if (t.dim() < 2) throw new ShapeError('Only tensors with 2 or more dimensions are supported');
  if (t.numel() === 0) return t;
  const rows = t.shape[0], cols = t.numel() / rows;
  const drawn = empty([rows, cols], { dtype: t.dtype }).normal_(0, 1, gen);
  // QR of the tall way round: the transpose when there are fewer rows than columns
  const tall = (rows >= cols ? drawn : drawn.t()).contiguous().toTypedArray();
  const [m, n] = rows >= cols ? [rows, cols] : [cols, rows];
  const { q, r } = householderQr(tall as ArrayLike<number>, m, n);
  for (let j = 0; j < n; j++) {
    const sign = Math.sign(r[j * n + j]);
    for (let i = 0; i < m; i++) q[i * n + j] *= sign;
  }
  let result = tensor(q).reshape(m, n);
  if (rows < cols) result = result.t();
  return noGrad(() => t.copy_(result.reshape(t.shape)).mul_(g));
}

/**
 * Fills the 2-d t with N(0, std^2) values, then zeroes a share `sparsity` of each column's entries
 * (chosen by tg.randperm, from the default generator as PyTorch does). Also `sparse_(t, sparsity, { std })`.
 * @example nn.init.sparse_(w, 0.1)
 */
export function sparse_(t: Tensor, sparsity: number, std: number | ({ std?: number } & Gen) = 0.01, opts: Gen = {}): Tensor {
  checkArg('sparse_', 'sparsity', sparsity, 'number');
  const [s, gen] = numberOr('sparse_', std, 'std', 0.01, { std: 'number' }, opts);
  if (t.dim() !== 2) throw new ShapeError('Only tensors with 2 dimensions are supported');
  const [rows, cols] = t.shape;
  const numZeros = Math.ceil(sparsity * rows);
  return noGrad(() => {
    t.normal_(0, s, gen);
    const rowIdx: number[] = [], colIdx: number[] = [];
    for (let c = 0; c < cols; c++) {
      const perm = random.randperm(rows).toTypedArray() as BigInt64Array;
      for (let k = 0; k < Math.min(numZeros, rows); k++) {
        rowIdx.push(Number(perm[k]));
        colIdx.push(c);
      }
    }
    if (rowIdx.length > 0) t.indexPut_([tensor(rowIdx, { dtype: 'int64' }), tensor(colIdx, { dtype: 'int64' })], 0);
    return t;
  });
}

/**
 * Fills the 2-d t with the identity matrix (ones on the main diagonal), as PyTorch's eye_: a Linear
 * layer that passes on as many of its inputs as it can.
 * @example nn.init.eye_(lin.weight)
 */
export function eye_(t: Tensor): Tensor {
  if (t.dim() !== 2) throw new ShapeError('Only tensors with 2 dimensions are supported');
  return noGrad(() => t.copy_(eye(t.shape[0], t.shape[1], { dtype: t.dtype })));
}

/**
 * Fills the {3, 4, 5}-d t with the Dirac delta: a convolution with it passes on as many input
 * channels as it can (within each of `groups` groups). Also `dirac_(t, { groups })`.
 * @example nn.init.dirac_(conv.weight)
 */
export function dirac_(t: Tensor, groups: number | { groups?: number } = 1): Tensor {
  const g = isOptionsObject(groups) ? (checkOptions('dirac_', groups, { groups: 'number' })?.groups ?? 1) : groups;
  checkArg('dirac_', 'groups', g, 'number');
  const dims = t.dim();
  if (dims < 3 || dims > 5) throw new ShapeError('Only tensors with 3, 4, or 5 dimensions are supported');
  if (!Number.isInteger(g) || g < 1 || t.shape[0] % g !== 0) throw new RangeError('dim 0 must be divisible by groups');
  const outPerGroup = t.shape[0] / g;
  const minDim = Math.min(outPerGroup, t.shape[1]);
  const centre = t.shape.slice(2).map((s) => Math.floor(s / 2));
  return noGrad(() => {
    t.zero_();
    for (let grp = 0; grp < g; grp++) {
      for (let d = 0; d < minDim; d++) {
        let v = t.select(0, grp * outPerGroup + d).select(0, d);
        for (const c of centre) v = v.select(0, c);
        v.fill_(1);
      }
    }
    return t;
  });
}
