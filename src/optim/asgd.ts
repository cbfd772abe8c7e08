/** Averaged SGD (torch.optim.ASGD), each step one fused pass per parameter. */
import { asgdStep } from '../ops/optim';
import type { Tensor } from '../tensor';
import { FusedOptimizer, roundScalar, zerosState } from './fused';
import { checkNonNegative, type Group, optimizerOptions, type Params, type ParamState } from './optimizer';

export interface ASGDOptions {
  lr: number;
  lambd: number;
  alpha: number;
  t0: number;
  weightDecay: number;
  maximize: boolean;
}

const SPEC = { lr: 'number', lambd: 'number', alpha: 'number', t0: 'number', weightDecay: 'number', maximize: 'boolean' } as const;

/**
 * Averaged SGD (torch.optim.ASGD): SGD whose step size eta decays as
 * lr / (1 + lambd * lr * step)^alpha, with a running average of the parameters (state `ax`) that
 * starts at step t0. State per parameter: step, eta, mu (float32 scalars, as PyTorch keeps them), ax.
 * @example const opt = new optim.ASGD(model.parameters(), { lr: 0.01, t0: 1000 });
 */
export class ASGD extends FusedOptimizer<ASGDOptions> {
  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<ASGDOptions>, opts: Partial<ASGDOptions> | number = {}) {
    const o: ASGDOptions = { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false, ...optimizerOptions('ASGD', opts, SPEC) };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.weightDecay, 'weightDecay value');
    super(params, o, SPEC);
  }

  protected initState(p: Tensor, g: Group<ASGDOptions>): ParamState {
    return { step: 0, eta: roundScalar(g.lr), mu: 1, ax: zerosState(p) };
  }

  protected update(p: Tensor, grad: Tensor, g: Group<ASGDOptions>, s: ParamState): void {
    const step = (s.step as number) + 1;
    s.step = step;
    asgdStep(p, grad, s.ax as Tensor, { ...g, eta: s.eta as number, mu: s.mu as number });
    s.eta = roundScalar(g.lr / (1 + g.lambd * g.lr * step) ** g.alpha);
    s.mu = roundScalar(1 / Math.max(1, step - g.t0));
  }
}
