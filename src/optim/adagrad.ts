/** Adagrad (torch.optim.Adagrad), each step one fused pass per parameter. */
import { adagradStep } from '../ops/optim';
import { keep } from '../storage';
import type { Tensor } from '../tensor';
import { FusedOptimizer } from './fused';
import { checkNonNegative, type Group, optimizerOptions, type Params, type ParamState } from './optimizer';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

const SPEC = { lr: 'number', lrDecay: 'number', weightDecay: 'number', initialAccumulatorValue: 'number', eps: 'number', maximize: 'boolean' } as const;

/**
 * Adagrad (torch.optim.Adagrad): divides the gradient by the root of the sum of its squares so
 * far, with the lr decayed as lr / (1 + (step - 1) * lrDecay) and optional L2 weight decay. As in
 * PyTorch, the state (step, sum) of the constructor's parameters exists from the start, and every
 * sum starts at the constructor's initialAccumulatorValue (a group's own value is not used).
 * @example const opt = new optim.Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-4 });
 */
export class Adagrad extends FusedOptimizer<AdagradOptions> {
  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<AdagradOptions>, opts: Partial<AdagradOptions> | number = {}) {
    const o: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...optimizerOptions('Adagrad', opts, SPEC) };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.lrDecay, 'lrDecay value');
    checkNonNegative(o.weightDecay, 'weightDecay value');
    checkNonNegative(o.initialAccumulatorValue, 'initialAccumulatorValue value');
    checkNonNegative(o.eps, 'epsilon value');
    super(params, o, SPEC);
    for (const g of this.paramGroups) for (const p of g.params) this.state.set(p, this.initState(p));
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, sum: keep(p.newFull(p.shape, this.defaults.initialAccumulatorValue)) };
  }

  protected update(p: Tensor, grad: Tensor, g: Group<AdagradOptions>, s: ParamState): void {
    s.step = (s.step as number) + 1;
    adagradStep(p, grad, s.sum as Tensor, { ...g, step: s.step });
  }
}
