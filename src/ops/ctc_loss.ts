/**
 * ctcLoss: the negative log likelihood of each target sequence under the alignments of its input,
 * one kernel call forward (the alpha recursion) and one backward (the beta recursion and the
 * gradient), in native/kernels/ctc_loss.h. functional_ctc.ts checks the arguments and lays them out.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { AutogradError } from '../errors';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { contiguous } from './copy';
import { launch } from './launch';

export interface CtcContext {
  /** every sequence's labels, int64, flat */
  targets: Tensor;
  /** [n, 3] int64: input length, offset in targets, target length */
  lengths: Tensor;
  nll: Tensor;
  logAlpha: Tensor;
  blank: number;
  zeroInfinity: boolean;
}

/**
 * The loss of each of the n sequences ([n]) for logProbs [T, n, C], the targets and lengths as
 * CtcContext describes them, and the longest target sMax.
 */
export function ctcLoss(logProbs: Tensor, targets: Tensor, lengths: Tensor, sMax: number, blank: number, zeroInfinity: boolean): Tensor {
  const [t, n] = logProbs.shape;
  const nll = emptyTensor([n], logProbs.dtype), logAlpha = emptyTensor([n, t, 2 * sMax + 1], logProbs.dtype);
  launch('ctc_loss', [nll, logAlpha, contiguous(logProbs.detach()), targets, lengths], { blank });
  const ctx: CtcContext = { targets, lengths, nll, logAlpha, blank, zeroInfinity };
  return record('ctcLoss', nll, [logProbs], ctx, 'CtcLossBackward0');
}

/** ctcLoss's gradient with respect to logProbs, given g ([n]). */
export function ctcLossBackward(g: Tensor, logProbs: Tensor, ctx: CtcContext): Tensor {
  if (isGradEnabled()) throw new AutogradError("the derivative of ctcLoss's backward is not implemented (as in PyTorch): it cannot be differentiated twice");
  const { targets, lengths, nll, logAlpha, blank, zeroInfinity } = ctx;
  const grad = emptyTensor(logProbs.shape, logProbs.dtype);
  const gout = contiguous(g.dtype === logProbs.dtype ? g : g.to(logProbs.dtype));
  launch('ctc_loss_backward', [grad, gout, contiguous(logProbs), targets, lengths, nll, logAlpha], { blank, zeroInfinity });
  return grad;
}
