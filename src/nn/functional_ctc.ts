/**
 * nn.functional.ctcLoss: the connectionist temporal classification loss, checked and laid out
 * here, computed by one kernel each way (src/ops/ctc_loss.ts), reduced as ATen's ctc_loss reduces.
 * @module
 */
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { checkTensor } from '../ops/common';
import { tensor } from '../ops/creation';
import { ctcLoss as ctcLossOp } from '../ops/ctc_loss';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { checkOptions } from '../options';
import type { Reduction } from './functional';

export interface CtcLossOptions {
  /** The blank label (default 0). */
  blank?: number;
  /** 'mean' (each loss divided by its target length, then averaged), 'sum' or 'none'. */
  reduction?: Reduction;
  /** Replace infinite losses (inputs too short for their targets) and their gradients by zero. */
  zeroInfinity?: boolean;
}

/** Lengths given as a tensor (int64 or int32), an array or a number, as numbers. */
function lengthsOf(v: Tensor | readonly number[] | number, name: string): number[] {
  if (typeof v === 'number') return [v];
  if (isTensor(v)) {
    if (v.dtype !== 'int64' && v.dtype !== 'int32') throw new DTypeError(`ctcLoss(): ${name} must be int64 or int32, but got ${v.dtype}`);
    if (v.dim() > 1) throw new ShapeError(`ctcLoss(): ${name} must be 1-D (or 0-d), but got shape ${shapeStr(v.shape)}`);
    return (v.reshape(-1).tolist() as (number | bigint)[]).map(Number);
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new TypeError(`ctcLoss(): ${name} must be a Tensor, an array of numbers or a number`);
  return [...v];
}

/**
 * The CTC loss of log-probabilities logProbs ([T, N, C], or [T, C] for one sequence) against
 * targets padded ([N, S]) or concatenated (1-D, sum(targetLengths) long), with each sequence's
 * input and target lengths, as torch.nn.functional.ctc_loss.
 * @example F.ctcLoss(logProbs, targets, [50, 50], [20, 18], { zeroInfinity: true })
 */
export function ctcLoss(
  logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[] | number, targetLengths: Tensor | readonly number[] | number,
  opts: CtcLossOptions = {},
): Tensor {
  checkOptions('ctcLoss', opts, { blank: 'number', reduction: 'string', zeroInfinity: 'boolean' });
  checkTensor(logProbs, 'ctcLoss', 'logProbs');
  checkTensor(targets, 'ctcLoss', 'targets');
  const blank = opts.blank ?? 0, reduction = opts.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') throw new RangeError(`${String(reduction)} is not a valid value for reduction`);
  if (!logProbs.isFloatingPoint()) throw new DTypeError(`ctcLoss(): logProbs must be float32 or float64, but got ${logProbs.dtype}`);
  if (targets.dtype !== 'int64' && targets.dtype !== 'int32') throw new DTypeError(`ctcLoss(): targets must be int64 or int32, but got ${targets.dtype}`);
  const batched = logProbs.dim() === 3;
  if (!batched && logProbs.dim() !== 2) throw new ShapeError(`ctcLoss(): expected logProbs of shape [T, N, C] (or [T, C] for one sequence), but got ${shapeStr(logProbs.shape)}`);
  const lp = batched ? logProbs : logProbs.unsqueeze(1);
  const [t, n, c] = lp.shape;
  if (!Number.isInteger(blank) || blank < 0 || blank >= c) throw new RangeError('blank must be in label range');
  const inLens = lengthsOf(inputLengths, 'inputLengths'), tgLens = lengthsOf(targetLengths, 'targetLengths');
  if (inLens.length !== n) throw new ShapeError('input_lengths must be of size batch_size');
  if (tgLens.length !== n) throw new ShapeError('target_lengths must be of size batch_size');
  for (const [lens, name] of [[inLens, 'input_lengths'], [tgLens, 'target_lengths']] as const) {
    for (const v of lens) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Expected ${name} to have value at least 0, but got value ${v} (while checking arguments for ctc_loss_allocate_outputs)`);
    }
  }
  for (const v of inLens) if (v > t) throw new RangeError(`Expected input_lengths to have value at most ${t}, but got value ${v} (while checking arguments for ctc_loss_allocate_outputs)`);
  const flat = targets.reshape(-1).long().contiguous();
  const offsets: number[] = [];
  let sMax: number;
  if (targets.dim() === 1 && (batched || n === 1)) {
    const total = tgLens.reduce((a, b) => a + b, 0);
    if (targets.shape[0] !== total) throw new ShapeError(`Expected tensor to have size ${total} at dimension 0, but got size ${targets.shape[0]} for argument #2 'targets' (while checking arguments for ctc_loss_allocate_outputs)`);
    tgLens.reduce((off, len) => (offsets.push(off), off + len), 0);
    sMax = Math.max(0, ...tgLens);
  } else if (targets.dim() === 2 && batched) {
    if (targets.shape[0] !== n) throw new ShapeError(`Expected tensor to have size ${n} at dimension 0, but got size ${targets.shape[0]} for argument #2 'targets' (while checking arguments for ctc_loss_allocate_outputs)`);
    sMax = targets.shape[1];
    const longest = Math.max(0, ...tgLens);
    if (sMax < longest) throw new ShapeError(`Expected tensor to have size at least ${longest} at dimension 1, but got size ${sMax} for argument #2 'targets' (while checking arguments for ctc_loss_allocate_outputs)`);
    for (let b = 0; b < n; b++) offsets.push(b * sMax);
  } else {
    throw new ShapeError(`ctcLoss(): expected targets of shape [N, S] or [sum(targetLengths)] (or [S] for one sequence), but got ${shapeStr(targets.shape)}`);
  }
  const lengths = tensor(inLens.flatMap((len, b) => [len, offsets[b], tgLens[b]]), { dtype: 'int64' }).reshape(n, 3);
  let res = ctcLossOp(lp, flat, lengths, sMax, blank, opts.zeroInfinity ?? false);
  if (opts.zeroInfinity) res = res.where(res.ne(Infinity), 0);
  if (reduction === 'mean') return res.div(tensor(tgLens, { dtype: res.dtype }).clampMin(1)).mean();
  if (reduction === 'sum') return res.sum();
  return batched ? res : res.squeeze(0);
}
