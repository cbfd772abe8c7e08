/**
 * Random numbers: PyTorch's CPU generator (mt19937) and the functions that draw from it.
 * The generator's state is a Uint32Array the kernels advance; `tg.manualSeed` seeds the default one.
 */
import { inPlace } from '../autograd/graph';
import { getDefaultDtype, isFloatingPoint, toDType, type DType } from '../dtype';
import { DTypeError } from '../errors';
import { native } from '../native';
import { checkNoInternalOverlap, parseShapeArgs } from '../shape';
import { markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor, isWhole } from './common';
import { finish, TENSOR_OPTIONS, type TensorOptions } from './creation';
import { checkOptions, describeValue, type OptionSpec } from '../options';
import { launch, type KernelParams } from './launch';

/** PyTorch's default CPU seed: what a generator holds before anyone seeds it. */
const DEFAULT_SEED = 67280421310721n;
const U64 = 2n ** 64n;

/** A seed as PyTorch takes it: an integer in [-2^63, 2^64); negatives wrap around. */
function toSeed(seed: unknown): bigint {
  let s: bigint;
  if (typeof seed === 'bigint') s = seed;
  else if (typeof seed === 'number' && Number.isInteger(seed)) s = BigInt(seed);
  else throw new TypeError(`manualSeed() expected an integer seed, but got ${describeValue(seed)}`);
  if (s < -(2n ** 63n) || s >= U64) throw new RangeError(`manualSeed(): seed ${s} does not fit in 64 bits (expected an integer in [-2^63, 2^64))`);
  return BigInt.asUintN(64, s);
}

/**
 * A random number generator with its own state, usable as the `{ generator }` option.
 * @example const g = new tg.Generator().manualSeed(42); tg.randn(3, { generator: g })
 */
export class Generator {
  /** @internal mt19937 words and cached samples; see native/kernels/random.h for the layout. */
  readonly _state = new Uint32Array(native.generatorWords);

  constructor() {
    this.manualSeed(DEFAULT_SEED);
  }

  /** Seeds the generator; returns it. */
  manualSeed(seed: number | bigint): this {
    const s = toSeed(seed);
    launch('seed', [this._state], { lo: Number(s & 0xffffffffn), hi: Number(s >> 32n) });
    return this;
  }

  /** Seeds from a non-deterministic source and returns that seed. */
  seed(): bigint {
    const bits = new BigUint64Array(1);
    crypto.getRandomValues(bits);
    this.manualSeed(bits[0]);
    return bits[0];
  }

  /** The seed this generator was last seeded with. */
  initialSeed(): bigint {
    const lo = BigInt(this._state[626]), hi = BigInt(this._state[627]);
    return (hi << 32n) | lo;
  }

  /** A copy of the whole state, for setState. */
  getState(): Uint8Array {
    return new Uint8Array(this._state.slice().buffer);
  }

  setState(state: Uint8Array): this {
    if (!(state instanceof Uint8Array) || state.byteLength !== this._state.byteLength) {
      throw new RangeError(`setState: expected a state of ${this._state.byteLength} bytes from getState()`);
    }
    new Uint8Array(this._state.buffer).set(state);
    return this;
  }
}

export const defaultGenerator = new Generator();

/**
 * Seeds the default generator, as torch.manual_seed.
 * @example tg.manualSeed(1); tg.rand(2) // the same numbers as torch.rand(2) after torch.manual_seed(1)
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/** The option kind of a generator. */
export const generatorKind = { test: (g: unknown) => g instanceof Generator, what: 'a tg.Generator' };
export const GENERATOR = { generator: generatorKind } as const;
export const RANDOM_OPTIONS = { ...TENSOR_OPTIONS, ...GENERATOR } as const;

/** The generator state the options of `fn` ask for, after checking them (spec: what fn takes). */
export function stateOf(fn: string, opts: { generator?: Generator } | undefined, spec: OptionSpec = GENERATOR): Uint32Array {
  checkOptions(fn, opts, spec);
  const g = opts?.generator ?? defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError('generator must be a tg.Generator');
  return g._state;
}

export function checkFloat(t: Tensor, op: string): void {
  if (!isFloatingPoint(t.dtype)) throw new DTypeError(`${op}() is not implemented for ${t.dtype} tensors: it needs float32 or float64`);
}

/** Runs a random fill kernel over t in place, recorded by autograd as a fill. */
export function fillRandom(t: Tensor, kernel: 'normal_' | 'uniform_' | 'bernoulli_' | 'exponential_' | 'random_' | 'randint_', state: Uint32Array, params: KernelParams, node: string): Tensor {
  checkNoInternalOverlap(t.shape, t._strides);
  return inPlace('fill', t, [], undefined, () => {
    t._storage.beforeWrite(isWhole(t));
    launch(kernel, [t, state], params);
    markWritten(t);
  }, node);
}

/** Fills t with samples of N(mean, std^2), in place. */
export function normal_(t: Tensor, mean = 0, std = 1, opts?: { generator?: Generator }): Tensor {
  checkFloat(t, 'normal_');
  if (!(std >= 0)) throw new RangeError(`normal_() expects std >= 0.0, but found std ${std}`);
  const state = stateOf('normal_', opts);
  return fillRandom(t, 'normal_', state, { mean, std }, 'NormalBackward0');
}

/** Fills t with samples of U(from, to), in place. */
export function uniform_(t: Tensor, from = 0, to = 1, opts?: { generator?: Generator }): Tensor {
  checkFloat(t, 'uniform_');
  if (!(from <= to)) throw new RangeError(`uniform_() expects to return a [from, to) range, but found from=${from} > to=${to}`);
  const state = stateOf('uniform_', opts);
  return fillRandom(t, 'uniform_', state, { from, to }, 'UniformBackward0');
}

/** Fills t with 1 with probability p and 0 otherwise, in place. */
export function bernoulli_(t: Tensor, p = 0.5, opts?: { generator?: Generator }): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_() expects p to be in [0, 1], but got p=${p}`);
  const state = stateOf('bernoulli_', opts);
  return fillRandom(t, 'bernoulli_', state, { p }, 'BernoulliBackward0');
}

function floatTensor(args: readonly unknown[], op: string): { t: Tensor; opts: RandomOptions | undefined } {
  const { shape, rest } = parseShapeArgs(args);
  const opts = checkOptions(op, rest[0] as RandomOptions | undefined, RANDOM_OPTIONS);
  const dtype: DType = opts?.dtype === undefined ? getDefaultDtype() : toDType(opts.dtype);
  if (!isFloatingPoint(dtype)) throw new DTypeError(`${op}() expects a floating-point dtype (float32 or float64), got ${dtype}`);
  return { t: emptyTensor(shape, dtype), opts };
}

/** A shape as one array or as separate sizes, optionally followed by options. @inline */
type RandomArgs = [shape: readonly number[], opts?: RandomOptions] | [...sizes: number[]] | [...sizes: number[], opts: RandomOptions];

/**
 * Samples of the standard normal distribution.
 * @example tg.manualSeed(0); tg.randn(2, 3)
 */
export function randn(...args: RandomArgs): Tensor {
  const { t, opts } = floatTensor(args, 'randn');
  return finish(normal_(t, 0, 1, { generator: opts?.generator }), opts);
}

/** Samples of U(0, 1). */
export function rand(...args: RandomArgs): Tensor {
  const { t, opts } = floatTensor(args, 'rand');
  return finish(uniform_(t, 0, 1, { generator: opts?.generator }), opts);
}

export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  checkOptions('randnLike', opts, RANDOM_OPTIONS);
  return randn(t.shape, { ...opts, dtype: opts?.dtype ?? t.dtype });
}

export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  checkOptions('randLike', opts, RANDOM_OPTIONS);
  return rand(t.shape, { ...opts, dtype: opts?.dtype ?? t.dtype });
}

/**
 * Integers drawn uniformly from [low, high), int64 unless a dtype is given.
 * `randint(high, shape)` draws from [0, high).
 * @example tg.randint(0, 10, [3])
 */
export function randint(low: number, high: number | readonly number[], shape?: readonly number[] | RandomOptions, opts?: RandomOptions): Tensor {
  if (Array.isArray(high)) return randint(0, low, high, shape as RandomOptions | undefined);
  checkOptions('randint', opts, RANDOM_OPTIONS);
  const { shape: s } = parseShapeArgs([shape ?? []]);
  const h = high as number;
  if (!Number.isInteger(low) || !Number.isInteger(h)) throw new TypeError('randint(): low and high must be integers');
  if (!(h > low)) throw new RangeError(`randint() expects low to be less than high, but got low=${low} >= high=${h}`);
  const t = emptyTensor(s, opts?.dtype === undefined ? 'int64' : toDType(opts.dtype));
  checkRandomRange('randint', low, h, t.dtype);
  const state = stateOf('randint', opts, RANDOM_OPTIONS);
  launch('randint_', [t, state], { low, high: h });
  return finish(t, opts);
}

/** The integers a dtype holds exactly (floats: every integer up to 2^mantissa). */
const INTEGER_RANGE: Record<DType, [number, number]> = {
  bool: [0, 1], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63], float32: [-3.4028234663852886e38, 3.4028234663852886e38], float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
};

/** PyTorch's check of random_'s and randint's [low, high) against the dtype drawn into. */
export function checkRandomRange(op: string, low: number, high: number, dtype: DType): void {
  const [min, max] = INTEGER_RANGE[dtype];
  if (low < min) throw new RangeError(`${op}(): from (${low}) is out of bounds for ${dtype}`);
  if (high - 1 > max) throw new RangeError(`${op}(): to - 1 (${high - 1}) is out of bounds for ${dtype}`);
}

/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm(): n must be a non-negative integer, but got ${n}`);
  const state = stateOf('randperm', opts, RANDOM_OPTIONS);
  const t = emptyTensor([n], 'int64');
  launch('randperm', [t, state]);
  const dtype = opts?.dtype === undefined ? 'int64' : toDType(opts.dtype);
  return finish(dtype === 'int64' ? t : t.to(dtype), opts);
}
