/** RMSprop (torch.optim.RMSprop), centered and with momentum, each step one fused pass per parameter. */
import { rmspropStep } from '../ops/optim';
import type { Tensor } from '../tensor';
import { FusedOptimizer, zerosState } from './fused';
import { checkNonNegative, type Group, optimizerOptions, type Params, type ParamState } from './optimizer';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

const SPEC = { lr: 'number', alpha: 'number', eps: 'number', weightDecay: 'number', momentum: 'number', centered: 'boolean', maximize: 'boolean' } as const;

/**
 * RMSprop (torch.optim.RMSprop): divides the gradient by a running root mean square (alpha its
 * smoothing), centered by the running mean gradient if asked, with optional momentum and L2
 * weight decay. State per parameter: step, squareAvg, momentumBuffer (momentum > 0), gradAvg (centered).
 * @example const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends FusedOptimizer<RMSpropOptions> {
  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<RMSpropOptions>, opts: Partial<RMSpropOptions> | number = {}) {
    const o: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...optimizerOptions('RMSprop', opts, SPEC) };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.eps, 'epsilon value');
    checkNonNegative(o.momentum, 'momentum value');
    checkNonNegative(o.weightDecay, 'weightDecay value');
    checkNonNegative(o.alpha, 'alpha value');
    super(params, o, SPEC);
  }

  protected initState(p: Tensor, g: Group<RMSpropOptions>): ParamState {
    const s: ParamState = { step: 0, squareAvg: zerosState(p) };
    if (g.momentum > 0) s.momentumBuffer = zerosState(p);
    if (g.centered) s.gradAvg = zerosState(p);
    return s;
  }

  protected update(p: Tensor, grad: Tensor, g: Group<RMSpropOptions>, s: ParamState): void {
    s.step = (s.step as number) + 1;
    // a group's momentum or centered may be switched on after the first step (CyclicLR cycles momentum)
    if (g.momentum > 0) s.momentumBuffer ??= zerosState(p);
    if (g.centered) s.gradAvg ??= zerosState(p);
    rmspropStep(p, grad, s.squareAvg as Tensor, g.centered ? (s.gradAvg as Tensor) : null, g.momentum > 0 ? (s.momentumBuffer as Tensor) : null, g);
  }
}
