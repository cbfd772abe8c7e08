/**
 * nn.MultiheadAttention, as torch.nn.MultiheadAttention: the same parameters, names, initial values
 * (for the same seed) and results. Without needWeights the attention runs as one fused kernel
 * (F.scaledDotProductAttention); with them, composed of ops as PyTorch's own path is.
 */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { toDType, type DTypeLike } from '../dtype';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { cat } from '../ops/join';
import { empty, zeros } from '../ops/creation';
import { checkOptions, kinds } from '../options';
import type { Tensor } from '../tensor';
import * as F from './functional';
import * as init from './init';
import { Linear } from './layers';
import { Module, Parameter } from './module';

/** PyTorch's name for the output projection of MultiheadAttention (a Linear, printed under this name). */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  addBiasKv?: boolean;
  addZeroAttn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  batchFirst?: boolean;
  dtype?: DTypeLike;
  device?: DeviceLike;
}

export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): true (or -inf) for keys to ignore; a float mask is added. */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights (default true, as in PyTorch). */
  needWeights?: boolean;
  /** [L, S] or [N * numHeads, L, S]: true (or -inf) where a query may not attend; a float mask is added. */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true). */
  averageAttnWeights?: boolean;
  /** A hint that attnMask is the causal mask (which must still be given). */
  isCausal?: boolean;
}

const FORWARD_SPEC = {
  keyPaddingMask: kinds.tensorOrNull, needWeights: 'boolean', attnMask: kinds.tensorOrNull, averageAttnWeights: 'boolean', isCausal: 'boolean',
} as const;

/**
 * A bool mask as PyTorch's _canonical_mask makes it: 0 where false, -inf where true (a float mask
 * stays as it is); any other dtype is refused.
 */
export function canonicalMask(mask: Tensor | null | undefined, name: string, dtype: Tensor['dtype']): Tensor | null {
  if (mask === null || mask === undefined) return null;
  if (mask.dtype === 'bool') return zeros(mask.shape, { dtype }).maskedFill(mask, -Infinity);
  if (!mask.isFloatingPoint()) throw new DTypeError(`only bool and floating types of ${name} are supported, but got ${mask.dtype}`);
  return mask;
}

/**
 * Attention over numHeads heads of embedDim / numHeads channels, with input and output projections.
 * Inputs are [L, N, E] ([N, L, E] with batchFirst) or unbatched [L, E]; forward returns
 * [output, weights] (weights null unless needWeights, averaged over heads unless told otherwise).
 * @example const mha = new nn.MultiheadAttention(64, 4, { batchFirst: true });
 *          const [y] = mha.forward(x, x, x, { needWeights: false });
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;
  // PyTorch's names: they are the stateDict keys
  in_proj_weight: Parameter | null = null;
  q_proj_weight: Parameter | null = null;
  k_proj_weight: Parameter | null = null;
  v_proj_weight: Parameter | null = null;
  in_proj_bias: Parameter | null = null;
  out_proj: NonDynamicallyQuantizableLinear;
  bias_k: Parameter | null = null;
  bias_v: Parameter | null = null;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('MultiheadAttention', opts, {
      dropout: 'number', bias: 'boolean', addBiasKv: 'boolean', addZeroAttn: 'boolean', kdim: kinds.numberOrNull, vdim: kinds.numberOrNull,
      batchFirst: 'boolean', dtype: 'string', device: DEVICE_OPTION,
    });
    if (!(embedDim > 0) || !(numHeads > 0) || !Number.isInteger(embedDim) || !Number.isInteger(numHeads)) {
      throw new RangeError(`embedDim and numHeads must be positive integers, got embedDim=${embedDim} and numHeads=${numHeads} instead`);
    }
    if (embedDim % numHeads !== 0) throw new RangeError(`embedDim must be divisible by numHeads, got embedDim=${embedDim} and numHeads=${numHeads}`);
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.embedDim = embedDim;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.numHeads = numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = embedDim / numHeads;
    // parameters in PyTorch's order of registration (its stateDict order)
    if (this.sameEmbedDim) {
      this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], { dtype }));
    } else {
      this.q_proj_weight = new Parameter(empty([embedDim, embedDim], { dtype }));
      this.k_proj_weight = new Parameter(empty([embedDim, this.kdim], { dtype }));
      this.v_proj_weight = new Parameter(empty([embedDim, this.vdim], { dtype }));
    }
    if (opts.bias !== false) this.in_proj_bias = new Parameter(empty([3 * embedDim], { dtype }));
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias: opts.bias !== false, dtype: opts.dtype });
    if (opts.addBiasKv === true) {
      this.bias_k = new Parameter(empty([1, 1, embedDim], { dtype }));
      this.bias_v = new Parameter(empty([1, 1, embedDim], { dtype }));
    }
    this.addZeroAttn = opts.addZeroAttn ?? false;
    this.resetParameters();
  }

  /** in_proj_weight, under its camelCase name. */
  get inProjWeight(): Parameter | null {
    return this.in_proj_weight;
  }

  /** in_proj_bias, under its camelCase name. */
  get inProjBias(): Parameter | null {
    return this.in_proj_bias;
  }

  /** out_proj, under its camelCase name. */
  get outProj(): NonDynamicallyQuantizableLinear {
    return this.out_proj;
  }

  /** Whether key and value have the query's size (one packed inProjWeight). */
  get sameEmbedDim(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }

  /** PyTorch's _reset_parameters: xavierUniform_ on the input projections, zero biases, xavierNormal_ on biasK and biasV. */
  resetParameters(): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w !== null) init.xavierUniform_(w);
    if (this.in_proj_bias !== null) {
      init.constant_(this.in_proj_bias, 0);
      init.constant_(this.out_proj.bias as Tensor, 0);
    }
    for (const b of [this.bias_k, this.bias_v]) if (b !== null) init.xavierNormal_(b);
  }

  override forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    checkOptions('MultiheadAttention.forward', opts, FORWARD_SPEC);
    const batched = checkShapes(query, key, value, opts, this.numHeads);
    // batch first inside: [N, L, E]
    const first = (x: Tensor) => (!batched ? x.unsqueeze(0) : this.batchFirst ? x : x.transpose(0, 1));
    // out: [L, N, E], as PyTorch lays it out (which dropout's draws on it depend on)
    const [out, weights] = this.attend(first(query), first(key), first(value), opts, batched);
    const o = !batched ? out.squeeze(1) : this.batchFirst ? out.transpose(0, 1) : out;
    return [o, weights !== null && !batched ? weights.squeeze(0) : weights];
  }

  /** The in-projections of query, key and value ([N, L|S, E] each). */
  private project(q: Tensor, k: Tensor, v: Tensor): [Tensor, Tensor, Tensor] {
    const E = this.embedDim;
    const w = (i: number, own: Parameter | null) => own ?? (this.in_proj_weight as Tensor).narrow(0, i * E, E);
    const b = (i: number) => (this.in_proj_bias === null ? null : this.in_proj_bias.narrow(0, i * E, E));
    return [F.linear(q, w(0, this.q_proj_weight), b(0)), F.linear(k, w(1, this.k_proj_weight), b(1)), F.linear(v, w(2, this.v_proj_weight), b(2))];
  }

  private attend(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions, batched: boolean): [Tensor, Tensor | null] {
    const [N, L] = query.shape, H = this.numHeads, hd = this.headDim;
    const needWeights = opts.needWeights ?? true;
    let kpm = canonicalMask(opts.keyPaddingMask, 'keyPaddingMask', query.dtype);
    let mask = canonicalMask(opts.attnMask, 'attnMask', query.dtype);
    let causal = opts.isCausal ?? false;
    if (causal && mask === null) {
      throw new TypeError('MultiheadAttention: isCausal needs attnMask (nn.Transformer.generateSquareSubsequentMask makes the causal one)');
    }
    if (causal && kpm === null && !needWeights) mask = null; // the fused kernel applies it
    else causal = false;
    if (kpm !== null && !batched) kpm = kpm.unsqueeze(0);
    let [q, k, v] = this.project(query, key, value);
    if (mask !== null) mask = checkAttnMask(mask, N * H, L, key.shape[1]);
    if (this.bias_k !== null && this.bias_v !== null) {
      k = cat([k, this.bias_k.expand(N, 1, this.embedDim)], 1);
      v = cat([v, this.bias_v.expand(N, 1, this.embedDim)], 1);
      [mask, kpm] = [padKey(mask), padKey(kpm)];
    }
    const heads = (x: Tensor) => x.view(N, x.shape[1], H, hd).transpose(1, 2);
    [q, k, v] = [heads(q), heads(k), heads(v)];
    if (this.addZeroAttn) {
      k = cat([k, zeros([N, H, 1, hd], { dtype: k.dtype })], 2);
      v = cat([v, zeros([N, H, 1, hd], { dtype: v.dtype })], 2);
      [mask, kpm] = [padKey(mask), padKey(kpm)];
    }
    const S = k.shape[2];
    if (kpm !== null && (kpm.dim() !== 2 || kpm.shape[0] !== N || kpm.shape[1] !== S)) {
      throw new ShapeError(`keyPaddingMask of shape ${shapeStr(kpm.shape)} should be [${N}, ${S}]`);
    }
    // mask: [1 or N, 1 or H, L, S]
    if (mask !== null) mask = mask.shape[0] === 1 ? mask.unsqueeze(0) : mask.view(N, H, L, S);
    if (kpm !== null) mask = mask === null ? kpm.view(N, 1, 1, S) : mask.add(kpm.view(N, 1, 1, S));
    const p = this.training ? this.dropout : 0;
    let weights: Tensor | null = null;
    let out: Tensor;
    if (needWeights) {
      // PyTorch's own path: q scaled first, plain softmax (a row masked throughout gives NaN there)
      let s = q.mul(Math.sqrt(1 / hd)).matmul(k.transpose(-2, -1));
      if (mask !== null) s = s.add(mask);
      weights = F.dropout(s.softmax(-1), p);
      out = weights.matmul(v);
      if (opts.averageAttnWeights ?? true) weights = weights.mean(1);
    } else {
      out = F.scaledDotProductAttention(q, k, v, { attnMask: mask, dropoutP: p, isCausal: causal });
    }
    out = out.permute(2, 0, 1, 3).reshape(L, N, this.embedDim);
    return [this.out_proj.forward(out), weights];
  }
}

/** PyTorch's _mha_shape_check: whether the input is batched, and that the shapes agree. */
function checkShapes(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions, heads: number): boolean {
  const d = query.dim();
  if (d !== 2 && d !== 3) throw new ShapeError(`query should be unbatched 2D or batched 3D tensor but received ${d}-D query tensor`);
  if (key.dim() !== d || value.dim() !== d) {
    throw new ShapeError(`For ${d === 3 ? 'batched (3-D)' : 'unbatched (2-D)'} query, expected key and value to be ${d}-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
  }
  const kpm = opts.keyPaddingMask;
  if (kpm !== null && kpm !== undefined && kpm.dim() !== d - 1) {
    throw new ShapeError(`For ${d === 3 ? 'batched (3-D)' : 'unbatched (2-D)'} query, expected keyPaddingMask to be ${d - 1}-D but found ${kpm.dim()}-D tensor instead`);
  }
  const m = opts.attnMask;
  if (m !== null && m !== undefined && m.dim() !== 2 && m.dim() !== 3) {
    throw new ShapeError(`For ${d === 3 ? 'batched (3-D)' : 'unbatched (2-D)'} query, expected attnMask to be 2-D or 3-D but found ${m.dim()}-D tensor instead`);
  }
  if (d === 2 && m !== null && m !== undefined && m.dim() === 3 && m.shape[0] !== heads) {
    throw new ShapeError(`For unbatched (2-D) query, expected attnMask of shape [${heads}, L, S] but got ${shapeStr(m.shape)}`);
  }
  return d === 3;
}

/** attnMask as [1 or N * heads, L, S], checked as PyTorch checks it. */
function checkAttnMask(mask: Tensor, nh: number, L: number, S: number): Tensor {
  if (mask.dim() === 2) {
    if (mask.shape[0] !== L || mask.shape[1] !== S) throw new ShapeError(`The shape of the 2D attnMask is ${shapeStr(mask.shape)}, but should be [${L}, ${S}].`);
    return mask.unsqueeze(0);
  }
  if (mask.shape[0] !== nh || mask.shape[1] !== L || mask.shape[2] !== S) {
    throw new ShapeError(`The shape of the 3D attnMask is ${shapeStr(mask.shape)}, but should be [${nh}, ${L}, ${S}].`);
  }
  return mask;
}

/** A mask with one more key (a zero column: attended). */
function padKey(mask: Tensor | null): Tensor | null {
  return mask === null ? null : cat([mask, zeros([...mask.shape.slice(0, -1), 1], { dtype: mask.dtype })], -1);
}
