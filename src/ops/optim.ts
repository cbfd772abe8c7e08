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

/** The update options every adaptive step takes. */
interface Common {
  lr: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/** Runs a step kernel: p and the state tensors are written in place. */
function fused(kernel: 'rmsprop_step' | 'adagrad_step' | 'adadelta_step' | 'adamax_step' | 'nadam_step' | 'radam_step' | 'asgd_step',
  p: Tensor, grad: Tensor, state: (Tensor | null)[], params: object): void {
  const done = writing([p, ...state]);
  launch(kernel, [p, grad, ...state], params);
  done();
}

export interface RmspropStep extends Common {
  alpha: number;
  momentum: number;
  centered: boolean;
}

/** One torch.optim.RMSprop step (gradAvg: centered's, momentumBuffer: momentum's, else null). */
export function rmspropStep(p: Tensor, grad: Tensor, squareAvg: Tensor, gradAvg: Tensor | null, momentumBuffer: Tensor | null, step: RmspropStep): void {
  fused('rmsprop_step', p, grad, [squareAvg, gradAvg, momentumBuffer], step);
}

export interface AdagradStep extends Common {
  lrDecay: number;
  /** The step number, counting this one. */
  step: number;
}

/** One torch.optim.Adagrad step. */
export function adagradStep(p: Tensor, grad: Tensor, sum: Tensor, step: AdagradStep): void {
  fused('adagrad_step', p, grad, [sum], step);
}

export interface AdadeltaStep extends Common {
  rho: number;
}

/** One torch.optim.Adadelta step. */
export function adadeltaStep(p: Tensor, grad: Tensor, squareAvg: Tensor, accDelta: Tensor, step: AdadeltaStep): void {
  fused('adadelta_step', p, grad, [squareAvg, accDelta], step);
}

export interface AdamaxStep extends Common {
  beta1: number;
  beta2: number;
  step: number;
}

/** One torch.optim.Adamax step. */
export function adamaxStep(p: Tensor, grad: Tensor, expAvg: Tensor, expInf: Tensor, step: AdamaxStep): void {
  fused('adamax_step', p, grad, [expAvg, expInf], step);
}

export interface NadamStep extends AdamaxStep {
  /** This step's and the next step's momentum coefficients, and the product of all so far (this one's included). */
  mu: number;
  muNext: number;
  muProduct: number;
  /** AdamW's weight decay. */
  decoupled: boolean;
}

/** One torch.optim.NAdam step. */
export function nadamStep(p: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, step: NadamStep): void {
  fused('nadam_step', p, grad, [expAvg, expAvgSq], step);
}

export interface RadamStep extends AdamaxStep {
  decoupled: boolean;
}

/** One torch.optim.RAdam step. */
export function radamStep(p: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, step: RadamStep): void {
  fused('radam_step', p, grad, [expAvg, expAvgSq], step);
}

export interface AsgdStep {
  /** The state's step size and averaging weight, as stored before this step. */
  eta: number;
  mu: number;
  lambd: number;
  weightDecay: number;
  maximize: boolean;
}

/** One torch.optim.ASGD step of p and its average ax. */
export function asgdStep(p: Tensor, grad: Tensor, ax: Tensor, step: AsgdStep): void {
  fused('asgd_step', p, grad, [ax], step);
}
