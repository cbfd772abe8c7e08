/** Adadelta (torch.optim.Adadelta), each step one fused pass per parameter. */
import { adadeltaStep } from '../ops/optim';
import type { Tensor } from '../tensor';
import { FusedOptimizer, zerosState } from './fused';
import { checkNonNegative, type Group, optimizerOptions, type Params, type ParamState } from './optimizer';

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

const SPEC = { lr: 'number', rho: 'number', eps: 'number', weightDecay: 'number', maximize: 'boolean' } as const;

/**
 * Adadelta (torch.optim.Adadelta): steps by the ratio of running root mean squares of past
 * updates and of gradients (rho their smoothing), scaled by lr, with optional L2 weight decay.
 * State per parameter: step, squareAvg, accDelta.
 * @example const opt = new optim.Adadelta(model.parameters(), { rho: 0.9 });
 */
export class Adadelta extends FusedOptimizer<AdadeltaOptions> {
  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<AdadeltaOptions>, opts: Partial<AdadeltaOptions> | number = {}) {
    const o: AdadeltaOptions = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, ...optimizerOptions('Adadelta', opts, SPEC) };
    checkNonNegative(o.lr, 'learning rate');
    if (!(o.rho >= 0 && o.rho <= 1)) throw new RangeError(`Invalid rho value: ${o.rho}`);
    checkNonNegative(o.eps, 'epsilon value');
    checkNonNegative(o.weightDecay, 'weightDecay value');
    super(params, o, SPEC);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, squareAvg: zerosState(p), accDelta: zerosState(p) };
  }

  protected update(p: Tensor, grad: Tensor, g: Group<AdadeltaOptions>, s: ParamState): void {
    s.step = (s.step as number) + 1;
    adadeltaStep(p, grad, s.squareAvg as Tensor, s.accDelta as Tensor, g);
  }
}
