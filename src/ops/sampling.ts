/**
 * Sampling as PyTorch's CPU kernels draw it, for the same generator state: multinomial, bernoulli
 * with a probability tensor, normal with tensor parameters, exponential_, random_ and randintLike.
 * The kernels are in native/kernels/sampling.h and multinomial.h.
 */
import { inPlace } from '../autograd/graph';
import { isFloatingPoint } from '../dtype';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { checkOptions } from '../options';
import { broadcastShapes, broadcastsTo, checkNoInternalOverlap, parseShapeArgs } from '../shape';
import { isTensor, markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { checkTensor, emptyTensor, isWhole } from './common';
import { contiguous } from './copy';
import { finish } from './creation';
import { launch } from './launch';
import { checkFloat, checkRandomRange, fillRandom, generatorKind, normal_, randint, RANDOM_OPTIONS, stateOf, type Generator, type RandomOptions } from './random';

/** The options of multinomial. */
export interface MultinomialOptions {
  /** Draw with replacement (a category can come up again). Default false. */
  replacement?: boolean;
  generator?: Generator;
}

/**
 * numSamples category indices a row of probs (1-D, or 2-D with one distribution a row; weights
 * need not sum to 1), int64: torch.multinomial, with PyTorch's draws for the same seed.
 * @example tg.multinomial(tg.tensor([0.1, 0.6, 0.3]), 2, { replacement: true })
 */
export function multinomial(probs: Tensor, numSamples: number, opts?: MultinomialOptions): Tensor {
  checkTensor(probs, 'multinomial', 'input');
  const o = checkOptions('multinomial', opts, { replacement: 'boolean', generator: generatorKind });
  if (!isFloatingPoint(probs.dtype)) throw new DTypeError(`multinomial only supports floating-point dtypes for input, got: ${probs.dtype}`);
  if (probs.shape.length < 1 || probs.shape.length > 2) throw new ShapeError(`multinomial(): prob_dist must be 1 or 2 dim, got shape ${shapeStr(probs.shape)}`);
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError(`multinomial(): cannot sample numSamples <= 0 samples (got ${numSamples})`);
  const k = probs.shape[probs.shape.length - 1];
  if (k === 0) throw new RangeError('multinomial(): cannot sample from an empty distribution (no categories)');
  if (k > 2 ** 24) throw new RangeError('multinomial(): number of categories cannot exceed 2^24');
  if (o?.replacement !== true && numSamples > k) throw new RangeError('multinomial(): cannot sample numSamples > prob_dist.size(-1) samples without replacement');
  const out = emptyTensor(probs.shape.length === 2 ? [probs.shape[0], numSamples] : [numSamples], 'int64');
  launch('multinomial', [out, contiguous(probs), stateOf('multinomial', o, { replacement: 'boolean', generator: generatorKind })], { replacement: o?.replacement === true });
  return out;
}

/**
 * 0 or 1 a element, 1 with the probability the element of p gives (torch.bernoulli(p)), in p's dtype.
 * @example tg.bernoulli(tg.full([3], 0.5))
 */
export function bernoulli(p: Tensor, opts?: { generator?: Generator }): Tensor {
  checkTensor(p, 'bernoulli', 'input');
  checkFloat(p, 'bernoulli');
  const out = emptyTensor(p.shape, p.dtype);
  launch('bernoulli', [out, p, stateOf('bernoulli', opts)]);
  return out;
}

/** Fills t with 0 or 1, 1 with probability p (a tensor broadcast to t's shape), in place. */
export function bernoulliTensor_(t: Tensor, p: Tensor, opts?: { generator?: Generator }): Tensor {
  checkFloat(p, 'bernoulli_');
  if (!broadcastsTo(p.shape, t.shape)) throw new ShapeError(`bernoulli_(): p of shape ${shapeStr(p.shape)} does not broadcast to ${shapeStr(t.shape)}`);
  const state = stateOf('bernoulli_', opts);
  checkNoInternalOverlap(t.shape, t._strides);
  return inPlace('fill', t, [], undefined, () => {
    t._storage.beforeWrite(isWhole(t));
    launch('bernoulli', [t, p, state]);
    markWritten(t);
  }, 'BernoulliBackward1');
}

/** Fills t with samples of the exponential distribution of rate lambd, in place. */
export function exponential_(t: Tensor, lambd = 1, opts?: { generator?: Generator }): Tensor {
  checkFloat(t, 'exponential_');
  if (!(lambd > 0)) throw new RangeError(`exponential_() expects lambda > 0.0, but found lambda=${lambd}`);
  return fillRandom(t, 'exponential_', stateOf('exponential_', opts), { lambd }, 'ExponentialBackward0');
}

/**
 * Fills t with integers drawn uniformly: from [from, to), from [0, to) given one bound, or, without
 * bounds, from [0, 2^mantissa] for floats and [0, max] for integers (torch.Tensor.random_).
 */
export function random_(t: Tensor, from?: number | { generator?: Generator }, to?: number | { generator?: Generator }, opts?: { generator?: Generator }): Tensor {
  const args = [from, to, opts];
  const last = args.findIndex((a) => a !== undefined && typeof a !== 'number');
  const bounds = (last < 0 ? args.filter((a) => a !== undefined) : args.slice(0, last)) as number[];
  const o = last < 0 ? undefined : (args[last] as { generator?: Generator });
  if (last >= 0 && args.slice(last + 1).some((a) => a !== undefined)) throw new TypeError('random_(): the options object must come last');
  const state = stateOf('random_', o);
  if (bounds.length === 0) return fillRandom(t, 'random_', state, {}, 'RandomBackward0');
  const [low, high] = bounds.length === 1 ? [0, bounds[0]] : bounds;
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new TypeError('random_(): from and to must be integers');
  if (!(low < high)) throw new RangeError(`random_() expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  checkRandomRange('random_', low, high, t.dtype);
  return fillRandom(t, 'randint_', state, { low, high }, 'RandomBackward1');
}

/** Integers drawn from [low, high) in t's shape and dtype (torch.randint_like); `randintLike(t, high)` draws from [0, high). */
export function randintLike(t: Tensor, low: number, high?: number | RandomOptions, opts?: RandomOptions): Tensor {
  checkTensor(t, 'randintLike', 'input');
  if (high === undefined || typeof high !== 'number') return randintLike(t, 0, low, high);
  checkOptions('randintLike', opts, RANDOM_OPTIONS);
  return randint(low, high, t.shape, { ...opts, dtype: opts?.dtype ?? t.dtype });
}

/**
 * Samples of N(mean, std^2) with a mean and std a element (tensors, broadcast; or numbers with a
 * size), drawn as torch.normal draws them: standard normal samples scaled and shifted.
 * @example tg.normal(tg.zeros(3), tg.tensor([1, 2, 3]))
 */
export function normal(mean: Tensor | number, std: Tensor | number, size?: readonly number[] | RandomOptions, opts?: RandomOptions): Tensor {
  if (!isTensor(mean) && !isTensor(std)) {
    if (size === undefined || !Array.isArray(size)) throw new TypeError('normal(mean, std, size): with numbers for mean and std, give the size of the result');
    const o = checkOptions('normal', opts, RANDOM_OPTIONS);
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    const { shape } = parseShapeArgs([size]);
    const t = emptyTensor(shape, o?.dtype === undefined ? 'float32' : (o.dtype as never));
    return finish(normal_(t, mean, std, { generator: o?.generator }), o);
  }
  if (size !== undefined && Array.isArray(size)) throw new TypeError('normal(): a size is only taken with numbers for mean and std');
  const o = checkOptions('normal', (size ?? opts) as { generator?: Generator } | undefined, { generator: generatorKind });
  for (const [v, name] of [[mean, 'mean'], [std, 'std']] as const) {
    if (isTensor(v) && !isFloatingPoint(v.dtype)) throw new DTypeError(`normal expects floating-point ${name}, got ${v.dtype}`);
  }
  if (isTensor(std) && !std.ge(0).all().item()) throw new RangeError('normal expects all elements of std >= 0.0 (and none NaN)');
  if (!isTensor(std) && !(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  const dtype = (isTensor(mean) ? mean : (std as Tensor)).dtype;
  const shape = isTensor(mean) && isTensor(std) ? broadcastShapes(mean.shape, std.shape) : (isTensor(mean) ? mean : (std as Tensor)).shape;
  const out = emptyTensor(shape, dtype);
  // PyTorch: normal_(0, std) then + mean for a number std; normal_(0, 1), * std, + mean otherwise
  if (!isTensor(std)) return normal_(out, 0, std, o).add_(mean);
  return normal_(out, 0, 1, o).mul_(std).add_(mean);
}
