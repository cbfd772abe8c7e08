/**
 * The fused optimizer steps (native/kernels/optim.h): one pass over a parameter and its state,
 * in the order of PyTorch's single-tensor implementations. The optimizers in src/optim keep the
 * state and call these.
 */
import { markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { launch } from './launch';

/** Readies tensors for an in-place write by a kernel, and returns a function that marks them written. */
function writing(ts: readonly (Tensor | null)[]): () => void {
  for (const t of ts) t?._storage.beforeWrite();
  return () => {
    for (const t of ts) if (t !== null) markWritten(t);
  };
}

export interface SgdStep {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** The momentum buffer is created from this step's update. */
  first: boolean;
}

/** One torch.optim.SGD step of p from grad, with its momentum buffer (null without momentum). */
export function sgdStep(p: Tensor, grad: Tensor, momentumBuffer: Tensor | null, step: SgdStep): void {
  const done = writing([p, momentumBuffer]);
  launch('sgd_step', [p, grad, momentumBuffer], step);
  done();
}

export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** The step number, counting this one. */
  step: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW's weight decay. */
  decoupled: boolean;
}

/** One torch.optim.Adam (or AdamW) step of p from grad, with its averages (maxExpAvgSq: amsgrad's, or null). */
export function adamStep(p: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, step: AdamStep): void {
  const done = writing([p, expAvg, expAvgSq, maxExpAvgSq]);
  launch('adam_step', [p, grad, expAvg, expAvgSq, maxExpAvgSq], step);
  done();
}
