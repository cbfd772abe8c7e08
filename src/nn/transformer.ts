/**
 * nn.TransformerEncoderLayer, nn.TransformerEncoder, nn.TransformerDecoderLayer and
 * nn.TransformerDecoder, as torch.nn's: the same submodules under the same names (so the same
 * stateDict keys and print(model)), initial values for the same seed, and results.
 */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import type { DTypeLike } from '../dtype';
import { ones, zeros } from '../ops/creation';
import { checkOptions, kinds } from '../options';
import { keep } from '../storage';
import { Tensor } from '../tensor';
import { canonicalMask, MultiheadAttention } from './attention';
import { ModuleList } from './containers';
import * as F from './functional';
import { Dropout, LayerNorm, Linear } from './layers';
import { Module, Parameter } from './module';

/** 'relu', 'gelu', a function of a tensor, or a module (registered as the layer's `activation`). */
export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;

export interface TransformerLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: Activation;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
  bias?: boolean;
  dtype?: DTypeLike;
  device?: DeviceLike;
}

const LAYER_SPEC = {
  dimFeedforward: 'number', dropout: 'number', activation: { test: (v: unknown) => v === 'relu' || v === 'gelu' || typeof v === 'function' || v instanceof Module, what: "'relu', 'gelu', a function or a Module" },
  layerNormEps: 'number', batchFirst: 'boolean', normFirst: 'boolean', bias: 'boolean', dtype: 'string', device: DEVICE_OPTION,
} as const;

function activationFn(a: Activation): (x: Tensor) => Tensor {
  if (a === 'relu') return F.relu;
  if (a === 'gelu') return (x) => F.gelu(x);
  if (a instanceof Module) return (x) => a.forward(x) as Tensor;
  return a;
}

/** The feed-forward part and the settings both layer kinds share. */
abstract class TransformerLayer extends Module {
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  /** @internal */ _act: (x: Tensor) => Tensor;

  constructor(name: string, opts: TransformerLayerOptions) {
    super();
    checkOptions(name, opts, LAYER_SPEC);
    this.normFirst = opts.normFirst ?? false;
    this.batchFirst = opts.batchFirst ?? false;
    this._act = activationFn(opts.activation ?? 'relu');
  }

  protected ff(x: Tensor, linear1: Linear, dropout: Dropout, linear2: Linear, out: Dropout): Tensor {
    return out.forward(linear2.forward(dropout.forward(this._act(linear1.forward(x)))));
  }
}

/** The submodules' settings of a layer's options. */
function parts(dModel: number, nhead: number, opts: TransformerLayerOptions) {
  const bias = opts.bias ?? true, dropout = opts.dropout ?? 0.1;
  const common = { dtype: opts.dtype, device: opts.device };
  return {
    attn: () => new MultiheadAttention(dModel, nhead, { dropout, bias, batchFirst: opts.batchFirst ?? false, ...common }),
    linear: (i: number, o: number) => new Linear(i, o, { bias, ...common }),
    norm: () => new LayerNorm(dModel, { eps: opts.layerNormEps ?? 1e-5, bias, ...common }),
    dropout: () => new Dropout(dropout),
    ff: opts.dimFeedforward ?? 2048,
  };
}

export interface EncoderLayerForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/**
 * Self-attention and a feed-forward network, each with a residual connection and LayerNorm (after
 * them, or before with normFirst), as torch.nn.TransformerEncoderLayer.
 * @example const layer = new nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 256, batchFirst: true });
 */
export class TransformerEncoderLayer extends TransformerLayer {
  // PyTorch's names: they are the stateDict keys
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation?: Module;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super('TransformerEncoderLayer', opts);
    const p = parts(dModel, nhead, opts);
    this.self_attn = p.attn();
    this.linear1 = p.linear(dModel, p.ff);
    this.dropout = p.dropout();
    this.linear2 = p.linear(p.ff, dModel);
    this.norm1 = p.norm();
    this.norm2 = p.norm();
    this.dropout1 = p.dropout();
    this.dropout2 = p.dropout();
    if (opts.activation instanceof Module) this.activation = opts.activation;
  }

  /** self_attn, under its camelCase name. */
  get selfAttn(): MultiheadAttention {
    return this.self_attn;
  }

  override forward(src: Tensor, opts: EncoderLayerForwardOptions = {}): Tensor {
    checkOptions('TransformerEncoderLayer.forward', opts, { srcMask: kinds.tensorOrNull, srcKeyPaddingMask: kinds.tensorOrNull, isCausal: 'boolean' });
    const sa = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, { attnMask: opts.srcMask, keyPaddingMask: opts.srcKeyPaddingMask, needWeights: false, isCausal: opts.isCausal })[0]);
    const ff = (x: Tensor) => this.ff(x, this.linear1, this.dropout, this.linear2, this.dropout2);
    let x = src;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      return x.add(ff(this.norm2.forward(x)));
    }
    x = this.norm1.forward(x.add(sa(x)));
    return this.norm2.forward(x.add(ff(x)));
  }
}

export interface DecoderLayerForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}
const DECODER_FORWARD = {
  tgtMask: kinds.tensorOrNull, memoryMask: kinds.tensorOrNull, tgtKeyPaddingMask: kinds.tensorOrNull, memoryKeyPaddingMask: kinds.tensorOrNull,
  tgtIsCausal: 'boolean', memoryIsCausal: 'boolean',
} as const;

/**
 * Self-attention, attention over the encoder's output (memory) and a feed-forward network, each with
 * a residual connection and LayerNorm, as torch.nn.TransformerDecoderLayer.
 * @example const layer = new nn.TransformerDecoderLayer(64, 4); layer.forward(tgt, memory, { tgtMask })
 */
export class TransformerDecoderLayer extends TransformerLayer {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation?: Module;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super('TransformerDecoderLayer', opts);
    const p = parts(dModel, nhead, opts);
    this.self_attn = p.attn();
    this.multihead_attn = p.attn();
    this.linear1 = p.linear(dModel, p.ff);
    this.dropout = p.dropout();
    this.linear2 = p.linear(p.ff, dModel);
    this.norm1 = p.norm();
    this.norm2 = p.norm();
    this.norm3 = p.norm();
    this.dropout1 = p.dropout();
    this.dropout2 = p.dropout();
    this.dropout3 = p.dropout();
    if (opts.activation instanceof Module) this.activation = opts.activation;
  }

  /** self_attn, under its camelCase name. */
  get selfAttn(): MultiheadAttention {
    return this.self_attn;
  }

  /** multihead_attn, under its camelCase name. */
  get multiheadAttn(): MultiheadAttention {
    return this.multihead_attn;
  }

  override forward(tgt: Tensor, memory: Tensor, opts: DecoderLayerForwardOptions = {}): Tensor {
    checkOptions('TransformerDecoderLayer.forward', opts, DECODER_FORWARD);
    const sa = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, { attnMask: opts.tgtMask, keyPaddingMask: opts.tgtKeyPaddingMask, isCausal: opts.tgtIsCausal, needWeights: false })[0]);
    const mha = (x: Tensor) => this.dropout2.forward(this.multihead_attn.forward(x, memory, memory, { attnMask: opts.memoryMask, keyPaddingMask: opts.memoryKeyPaddingMask, isCausal: opts.memoryIsCausal, needWeights: false })[0]);
    const ff = (x: Tensor) => this.ff(x, this.linear1, this.dropout, this.linear2, this.dropout3);
    let x = tgt;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(mha(this.norm2.forward(x)));
      return x.add(ff(this.norm3.forward(x)));
    }
    x = this.norm1.forward(x.add(sa(x)));
    x = this.norm2.forward(x.add(mha(x)));
    return this.norm3.forward(x.add(ff(x)));
  }
}

/**
 * A deep copy of a module, as Python's copy.deepcopy: parameters, buffers and submodules copied (a
 * parameter or module met twice copied once), other properties shared.
 */
export function deepCopyModule<M extends Module>(m: M, memo = new Map<unknown, unknown>()): M {
  const seen = memo.get(m);
  if (seen !== undefined) return seen as M;
  // the base constructor alone: the copy is tracked as modules are, with the original's prototype
  const copy = Reflect.construct(Module, [], m.constructor) as M;
  memo.set(m, copy);
  const src = m as unknown as Record<string, unknown>, dst = copy as unknown as Record<string, unknown>;
  const keys = Object.keys(m).sort((a, b) => (m._assigned.get(a) ?? -1) - (m._assigned.get(b) ?? -1));
  for (const key of keys) {
    if (key === '_assigned' || key === '_assignments') continue;
    const v = src[key];
    if (v instanceof Module) dst[key] = deepCopyModule(v, memo);
    else if (v instanceof Parameter) dst[key] = copyOnce(memo, v, () => new Parameter(v.detach().clone(), v.requiresGrad));
    else if (v instanceof Tensor) dst[key] = copyOnce(memo, v, () => keep(v.detach().clone()));
    else if (v instanceof Set) dst[key] = new Set(v);
    else dst[key] = v;
  }
  return copy;
}

function copyOnce<T>(memo: Map<unknown, unknown>, v: T, make: () => T): T {
  if (!memo.has(v)) memo.set(v, make());
  return memo.get(v) as T;
}

/** PyTorch's _get_clones: numLayers deep copies of a layer (each with the layer's weights), in a ModuleList. */
function clones(layer: Module, n: number, name: string): ModuleList {
  if (!(layer instanceof Module)) throw new TypeError(`${name}: the layer must be a Module`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name}: numLayers must be a non-negative integer, got ${n}`);
  return new ModuleList(Array.from({ length: n }, () => deepCopyModule(layer)));
}

/** Whether mask is the causal mask of size L (PyTorch's _detect_is_causal_mask, after its _canonical_mask). */
function isCausalMask(mask: Tensor | null | undefined, isCausal: boolean | undefined, L: number): boolean {
  if (isCausal !== undefined) return isCausal;
  if (mask === null || mask === undefined || mask.dim() !== 2 || mask.shape[0] !== L || mask.shape[1] !== L) return false;
  const m = canonicalMask(mask, 'mask', mask.dtype === 'bool' ? 'float32' : mask.dtype) as Tensor;
  return Boolean(m.eq(generateSquareSubsequentMask(L, { dtype: m.dtype })).all().item());
}

/**
 * The causal mask of size L: 0 on and below the diagonal, -inf above (PyTorch's
 * nn.Transformer.generate_square_subsequent_mask).
 * @example nn.generateSquareSubsequentMask(3) // [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]
 */
export function generateSquareSubsequentMask(L: number, opts: { dtype?: DTypeLike } = {}): Tensor {
  checkOptions('generateSquareSubsequentMask', opts, { dtype: 'string' });
  return zeros([L, L], { dtype: opts.dtype }).maskedFill(ones([L, L]).triu(1).eq(1), -Infinity);
}

export interface EncoderForwardOptions {
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/**
 * numLayers copies of an encoder layer (deep copies: each starts with the given layer's weights, as
 * PyTorch's), then an optional norm. enableNestedTensor is accepted and ignored (no nested tensors:
 * padded positions are computed and masked, which gives the same values).
 * @example const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(64, 4), 2);
 */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: Module | null; enableNestedTensor?: boolean; maskCheck?: boolean } = {}) {
    super();
    checkOptions('TransformerEncoder', opts, { norm: { test: (v) => v === null || v instanceof Module, what: 'a Module or null' }, enableNestedTensor: 'boolean', maskCheck: 'boolean' });
    this.layers = clones(encoderLayer, numLayers, 'TransformerEncoder');
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  override forward(src: Tensor, opts: EncoderForwardOptions = {}): Tensor {
    checkOptions('TransformerEncoder.forward', opts, { mask: kinds.tensorOrNull, srcKeyPaddingMask: kinds.tensorOrNull, isCausal: 'boolean' });
    const first = this.layers.length > 0 && (this.layers.at(0) as TransformerEncoderLayer).batchFirst;
    const L = src.dim() === 2 ? src.shape[0] : src.shape[first ? 1 : 0];
    const isCausal = isCausalMask(opts.mask, opts.isCausal, L);
    let out = src;
    for (const layer of this.layers) out = (layer as TransformerEncoderLayer).forward(out, { srcMask: opts.mask, srcKeyPaddingMask: opts.srcKeyPaddingMask, isCausal });
    return this.norm === null ? out : (this.norm.forward(out) as Tensor);
  }
}

/**
 * numLayers deep copies of a decoder layer, then an optional norm, as torch.nn.TransformerDecoder.
 * @example const dec = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(64, 4), 2);
 */
export class TransformerDecoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkOptions('TransformerDecoder', opts, { norm: { test: (v) => v === null || v instanceof Module, what: 'a Module or null' } });
    this.layers = clones(decoderLayer, numLayers, 'TransformerDecoder');
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  override forward(tgt: Tensor, memory: Tensor, opts: Omit<DecoderLayerForwardOptions, 'tgtIsCausal'> & { tgtIsCausal?: boolean } = {}): Tensor {
    checkOptions('TransformerDecoder.forward', opts, DECODER_FORWARD);
    const first = this.layers.length > 0 && (this.layers.at(0) as TransformerDecoderLayer).batchFirst;
    const L = tgt.dim() === 2 ? tgt.shape[0] : tgt.shape[first ? 1 : 0];
    const tgtIsCausal = isCausalMask(opts.tgtMask, opts.tgtIsCausal, L);
    let out = tgt;
    for (const layer of this.layers) out = (layer as TransformerDecoderLayer).forward(out, memory, { ...opts, tgtIsCausal });
    return this.norm === null ? out : (this.norm.forward(out) as Tensor);
  }
}
