/**
 * scaledDotProductAttention: one kernel call forward and one backward (native/kernels/attention.h),
 * where composing it from matmul, masking, softmax, dropout and matmul takes a dozen calls each way
 * and keeps the [..., L, S] weights alive until backward. The kernel keeps only each row's
 * log-sum-exp and recomputes the weights in backward. Inside a backward that records (createGraph),
 * the gradient is composed of ops instead, so that second derivatives flow through it.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { isFloatingPoint } from '../dtype';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { checkOptions, kinds } from '../options';
import { broadcastShapes, broadcastStrides, broadcastsTo } from '../shape';
import type { Tensor } from '../tensor';
import { where } from './binary';
import { asStrided, checkTensor, emptyTensor } from './common';
import { toDtype } from './copy';
import { ones } from './creation';
import { launch } from './launch';
import { bernoulli_, generatorKind, type Generator } from './random';

export interface ScaledDotProductAttentionOptions {
  /** bool (true: may attend) or float (added to the scores), broadcastable to [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0: none). */
  dropoutP?: number;
  /** Query i attends to keys 0..i only (upper-left aligned when L != S); excludes attnMask. */
  isCausal?: boolean;
  /** Factor on q k^T; 1 / sqrt(E) by default. */
  scale?: number | null;
  /** Let key and value have fewer heads (dim -3) than the query, each shared by a group of query heads. */
  enableGqa?: boolean;
  /** The generator of the dropout draws. */
  generator?: Generator;
}

const FN = 'scaledDotProductAttention';
const SPEC = { attnMask: kinds.tensorOrNull, dropoutP: 'number', isCausal: 'boolean', scale: kinds.numberOrNull, enableGqa: 'boolean', generator: generatorKind } as const;

/** What backward needs besides q, k and v. */
interface Context {
  batch: number[];
  lse: Tensor;
  mask: Tensor | null;
  drop: Tensor | null;
  scale: number;
  causal: boolean;
}

/** t read as if expanded to `shape` (stride 0 where it repeats), not recorded. */
function expanded(t: Tensor, shape: readonly number[]): Tensor {
  return asStrided(t, shape, broadcastStrides(t.shape, t._strides, shape), t._offset);
}

function checkInputs(q: Tensor, k: Tensor, v: Tensor): void {
  checkTensor(q, FN, 'query');
  checkTensor(k, FN, 'key');
  checkTensor(v, FN, 'value');
  if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2) {
    throw new ShapeError(`${FN}(): expected query, key and value to be at least 2-D, but got query.dim() ${q.dim()}, key.dim() ${k.dim()} and value.dim() ${v.dim()}`);
  }
  if (q.dtype !== k.dtype || q.dtype !== v.dtype) {
    throw new DTypeError(`${FN}(): expected query, key and value to have the same dtype, but got query ${q.dtype}, key ${k.dtype} and value ${v.dtype}`);
  }
  if (!isFloatingPoint(q.dtype)) throw new DTypeError(`${FN}(): expected float32 or float64 inputs, but got ${q.dtype} (convert with .float())`);
  if (q.shape.at(-1) !== k.shape.at(-1)) {
    throw new ShapeError(`${FN}(): query ${shapeStr(q.shape)} and key ${shapeStr(k.shape)} must have the same embedding size (last dim)`);
  }
  if (k.shape.at(-2) !== v.shape.at(-2)) {
    throw new ShapeError(`${FN}(): key ${shapeStr(k.shape)} and value ${shapeStr(v.shape)} must have the same sequence length (dim -2)`);
  }
}

/** k and v with each of their heads repeated for its group of query heads (enableGqa). */
function groupHeads(q: Tensor, k: Tensor, v: Tensor): [Tensor, Tensor] {
  if (q.dim() < 3 || k.dim() < 3 || v.dim() < 3) return [k, v];
  const hq = q.shape.at(-3) as number, hk = k.shape.at(-3) as number, hv = v.shape.at(-3) as number;
  if (hk === hq && hv === hq) return [k, v];
  if (hk !== hv || hk === 0 || hq % hk !== 0) {
    throw new ShapeError(`${FN}(): with enableGqa, the query's heads (${hq}) must be a multiple of the key's and value's (${hk}, ${hv})`);
  }
  return [k.repeatInterleave(hq / hk, { dim: -3 }), v.repeatInterleave(hq / hk, { dim: -3 })];
}

/** The mask as the kernel reads it: bool, or of q's dtype, expanded to [...batch, L, S]. */
function maskOperand(mask: Tensor, q: Tensor, shape: readonly number[]): Tensor {
  checkTensor(mask, FN, 'attnMask');
  if (mask.dtype !== 'bool' && !isFloatingPoint(mask.dtype)) {
    throw new DTypeError(`${FN}(): expected attnMask to be bool or floating point, but got ${mask.dtype}`);
  }
  if (!broadcastsTo(mask.shape, shape)) {
    throw new ShapeError(`${FN}(): attnMask of shape ${shapeStr(mask.shape)} does not broadcast to the attention weights' shape ${shapeStr(shape)}`);
  }
  const m = mask.dtype === 'bool' || mask.dtype === q.dtype ? mask.detach() : toDtype(mask.detach(), q.dtype);
  return expanded(m, shape);
}

/** Dropout's factors on the weights as PyTorch draws them: bernoulli(1 - p) / (1 - p) over [...batch, L, S]. */
function dropFactors(p: number, shape: readonly number[], q: Tensor, generator: Generator | undefined): Tensor {
  if (p === 1) return emptyTensor(shape, q.dtype, true); // (PyTorch multiplies by zero, drawing nothing)
  return bernoulli_(emptyTensor(shape, q.dtype), 1 - p, { generator }).div_(1 - p);
}

/**
 * softmax(q k^T * scale + mask) v over the last two dims, batch dims broadcast, as
 * torch.nn.functional.scaled_dot_product_attention: q [..., L, E], k [..., S, E], v [..., S, Ev] give
 * [..., L, Ev]. A query row with no key to attend to gives zeros (as PyTorch 2.5+). The dropout
 * draws are PyTorch's math path's (the same numbers for the same seed). The float attnMask gets no
 * gradient.
 * @example F.scaledDotProductAttention(q, k, v, { isCausal: true })
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
  checkInputs(q, k, v);
  const o = checkOptions(FN, opts, SPEC) ?? {};
  const p = o.dropoutP ?? 0, causal = o.isCausal ?? false, mask = o.attnMask ?? null;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (causal && mask !== null) throw new TypeError(`${FN}(): attnMask must not be given when isCausal is true`);
  if (o.enableGqa === true) [k, v] = groupHeads(q, k, v);
  const L = q.shape.at(-2) as number, S = k.shape.at(-2) as number, E = q.shape.at(-1) as number, Ev = v.shape.at(-1) as number;
  const batch = broadcastShapes(broadcastShapes(q.shape.slice(0, -2), k.shape.slice(0, -2)), v.shape.slice(0, -2));
  const scale = E === 0 ? 0 : o.scale ?? 1 / Math.sqrt(E); // (no E: every score is 0, as PyTorch's empty product)
  const weights = [...batch, L, S];
  const ctx: Context = {
    batch,
    lse: emptyTensor([...batch, L], q.dtype),
    mask: mask === null ? null : maskOperand(mask, q, weights),
    drop: p > 0 ? dropFactors(p, weights, q, o.generator) : null,
    scale,
    causal,
  };
  const out = output(batch, L, Ev, q);
  const operands = [out, ctx.lse, expanded(q, [...batch, L, E]), expanded(k, [...batch, S, E]), expanded(v, [...batch, S, Ev]), ctx.mask, ctx.drop];
  if (out.numel() > 0) launch('scaled_dot_product_attention', operands, { scale, isCausal: causal });
  return record('scaledDotProductAttention', out, [q, k, v], ctx);
}

/**
 * A new [...batch, L, Ev] output. With heads (two batch dims or more) it is laid out as PyTorch's
 * fused CPU kernel lays it, [..., L, heads, Ev] transposed: the usual next step, merging the heads
 * (out.transpose(-3, -2).reshape(..., L, heads * Ev)), then needs no copy.
 */
function output(batch: readonly number[], L: number, Ev: number, q: Tensor): Tensor {
  if (batch.length < 2) return emptyTensor([...batch, L, Ev], q.dtype);
  const h = batch.at(-1) as number, lead = batch.slice(0, -1);
  const t = emptyTensor([...lead, L, h, Ev], q.dtype);
  const st = t._strides;
  return asStrided(t, [...batch, L, Ev], [...st.slice(0, -3), st.at(-2) as number, st.at(-3) as number, 1], 0);
}

/** The gradients of q, k and v (in the broadcast batch shape; null where not needed). */
export function scaledDotProductAttentionBackward(g: Tensor, q: Tensor, k: Tensor, v: Tensor, c: unknown, need: readonly boolean[]): (Tensor | null)[] {
  const ctx = c as Context;
  if (g.dtype !== q.dtype) g = toDtype(g, q.dtype);
  if (isGradEnabled()) return composed(g, q, k, v, ctx, need);
  const L = q.shape.at(-2) as number, S = k.shape.at(-2) as number, E = q.shape.at(-1) as number, Ev = v.shape.at(-1) as number;
  const b = ctx.batch;
  const none = g.numel() === 0; // no output element: no gradient
  const dq = need[0] ? emptyTensor([...b, L, E], q.dtype, none) : null;
  const dk = need[1] ? emptyTensor([...b, S, E], q.dtype, none) : null;
  const dv = need[2] ? emptyTensor([...b, S, Ev], q.dtype, none) : null;
  if (none) return [dq, dk, dv];
  const operands = [dq, dk, dv, expanded(g, [...b, L, Ev]), expanded(q, [...b, L, E]), expanded(k, [...b, S, E]), expanded(v, [...b, S, Ev]), ctx.lse, ctx.mask, ctx.drop];
  launch('scaled_dot_product_attention_backward', operands, { scale: ctx.scale, isCausal: ctx.causal });
  return [dq, dk, dv];
}

/** The same gradients composed of recorded ops (createGraph). */
function composed(g: Tensor, q: Tensor, k: Tensor, v: Tensor, ctx: Context, need: readonly boolean[]): (Tensor | null)[] {
  const L = q.shape.at(-2) as number, S = k.shape.at(-2) as number;
  let s = q.matmul(k.transpose(-2, -1)).mul(ctx.scale);
  if (ctx.mask !== null) s = ctx.mask.dtype === 'bool' ? s.maskedFill(ctx.mask.logicalNot(), -Infinity) : s.add(ctx.mask);
  if (ctx.causal) s = s.maskedFill(ones([L, S], { dtype: q.dtype }).tril().eq(0), -Infinity);
  // rows with nothing to attend to: zero weights, and no NaN from a softmax of -inf alone
  const dead = ctx.lse.eq(-Infinity).unsqueeze(-1);
  const p = where(dead, 0, where(dead, 0, s).softmax(-1));
  const pd = ctx.drop === null ? p : p.mul(ctx.drop);
  const dpd = g.matmul(v.transpose(-2, -1));
  const dp = ctx.drop === null ? dpd : dpd.mul(ctx.drop);
  const ds = p.mul(dp.sub(dp.mul(p).sum(-1, true)));
  return [
    need[0] ? ds.matmul(k).mul(ctx.scale) : null,
    need[1] ? ds.transpose(-2, -1).matmul(q).mul(ctx.scale) : null,
    need[2] ? pd.transpose(-2, -1).matmul(g) : null,
  ];
}
