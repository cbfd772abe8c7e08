/** Layers: Linear, Embedding, LayerNorm, activations, Dropout, Flatten, Identity, Sequential. */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { empty, ones, zeros } from '../ops/creation';
import { noGrad } from '../autograd/grad_mode';
import { toDType, type DTypeLike } from '../dtype';
import type { Tensor } from '../tensor';
import * as F from './functional';
import * as init from './init';
import { Module, Parameter, pyBool } from './module';
import { checkArg, checkOptions, kinds } from '../options';

/**
 * y = x @ weight^T + bias, with weight [outFeatures, inFeatures] initialised as PyTorch does:
 * kaimingUniform_(a = sqrt(5)) on the weight, then the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 * @example const layer = new nn.Linear(1000, 100); layer(x)
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  /** opts may also be PyTorch's positional bias: `new nn.Linear(3, 2, false)`. */
  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean; dtype?: DTypeLike; device?: DeviceLike } | boolean = {}) {
    super();
    if (typeof opts === 'boolean') opts = { bias: opts };
    checkOptions('Linear', opts, { bias: 'boolean', dtype: 'string', device: DEVICE_OPTION });
    for (const [n, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Linear: ${n} must be a non-negative integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outFeatures], { dtype }));
    this.resetParameters();
  }

  /** Draws the weight and bias again, as the constructor did. */
  resetParameters(): void {
    defaultWeightAndBias_(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * A lookup table of numEmbeddings vectors of size embeddingDim, initialised from N(0, 1) as in
 * PyTorch (the paddingIdx row zeroed, and left out of the gradient).
 * @example const emb = new nn.Embedding(10, 3); emb(tg.tensor([[1, 2, 4]], { dtype: 'int64' }))
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: { paddingIdx?: number | null; dtype?: DTypeLike; device?: DeviceLike } = {}) {
    super();
    checkOptions('Embedding', opts, { paddingIdx: kinds.numberOrNull, dtype: 'string', device: DEVICE_OPTION });
    for (const [n, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Embedding: ${n} must be a non-negative integer, got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = F.paddingIndex(opts.paddingIdx, numEmbeddings);
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype }));
    this.resetParameters();
  }

  /** Draws the weight again from N(0, 1) (the padding row zero). */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx as number).fill_(0));
  }

  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}

/**
 * Layer normalisation over the trailing dims normalizedShape, with a learnt weight (ones) and
 * bias (zeros) unless elementwiseAffine is false, as torch.nn.LayerNorm.
 * @example const norm = new nn.LayerNorm(512); norm(x)
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean; dtype?: DTypeLike; device?: DeviceLike } = {}) {
    super();
    checkOptions('LayerNorm', opts, { eps: 'number', elementwiseAffine: 'boolean', bias: 'boolean', dtype: 'string', device: DEVICE_OPTION });
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = this.elementwiseAffine && opts.bias !== false ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  override forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    const shape = `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''})`;
    return `${shape}, eps=${pyExp(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Python's repr of a small float as in 1e-05. */
function pyExp(v: number): string {
  if (v !== 0 && Math.abs(v) < 1e-4) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return pyFloat(v);
}

/**
 * PyTorch's default initialisation of a Linear or Conv layer: kaimingUniform_(a = sqrt(5)) on the
 * weight, then the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function defaultWeightAndBias_(weight: Tensor, bias: Tensor | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const { fanIn } = init.calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound);
  }
}

export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}

export class ReLU extends Module {
  constructor(readonly inplace = false) {
    super();
    checkArg('ReLU', 'inplace', inplace, 'boolean');
  }

  override forward(x: Tensor): Tensor {
    return this.inplace ? x.relu_() : x.relu();
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    checkArg('LeakyReLU', 'negativeSlope', negativeSlope, 'number');
  }

  override forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = checkOptions('GELU', opts, { approximate: kinds.oneOf('none', 'tanh') })?.approximate ?? 'none';
  }

  override forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
    checkArg('Softmax', 'dim', dim, 'number');
  }

  override forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
    checkArg('LogSoftmax', 'dim', dim, 'number');
  }

  override forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Zeroes elements with probability p in training mode; the identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super();
    checkArg('Dropout', 'p', p, 'number');
    checkOptions('Dropout', opts, { inplace: 'boolean' });
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = opts.inplace ?? false;
  }

  override forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** Flattens dims startDim..endDim (1..-1: everything but the batch). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    checkArg('Flatten', 'startDim', startDim, 'number');
    checkArg('Flatten', 'endDim', endDim, 'number');
  }

  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Called, a Sequential takes and returns what its forward does: a Tensor for a Tensor; for other
 * values, whatever its modules make of them (any, as PyTorch types it).
 */
export interface Sequential {
  (x: Tensor): Tensor;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (x: any): any;
}

/**
 * Runs modules one after another (calling each, so that their hooks run).
 * @example const net = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10)); net(x)
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.addModule(String(i), m));
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const list = [...this.children()];
    const m = list[i < 0 ? i + list.length : i];
    if (m === undefined) throw new RangeError(`index ${i} is out of range`);
    return m;
  }

  override get length(): number {
    return [...this.children()].length;
  }

  append(m: Module): this {
    this.addModule(String(this.length), m);
    return this;
  }

  override forward(x: Tensor): Tensor;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the last overload is what generic wrappers (DDP) see
  override forward(x: any): any;
  override forward(x: unknown): unknown {
    let out = x;
    for (const m of this.children()) out = m(out);
    return out;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/** Python's repr of a float: 0.5, 1.0, 0.1. */
function pyFloat(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

