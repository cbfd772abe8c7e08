/** Adamax (torch.optim.Adamax), each step one fused pass per parameter. */
import { adamaxStep } from '../ops/optim';
import type { Tensor } from '../tensor';
import { betasKind, checkBetas, FusedOptimizer, zerosState } from './fused';
import { checkNonNegative, type Group, optimizerOptions, type Params, type ParamState } from './optimizer';

export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

const SPEC = { lr: 'number', betas: betasKind, eps: 'number', weightDecay: 'number', maximize: 'boolean' } as const;

/**
 * Adamax (torch.optim.Adamax): Adam with the infinity norm, a running maximum of |grad| decayed
 * by beta2, in place of the second moment. State per parameter: step, expAvg, expInf.
 * @example const opt = new optim.Adamax(model.parameters(), { lr: 2e-3 });
 */
export class Adamax extends FusedOptimizer<AdamaxOptions> {
  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<AdamaxOptions>, opts: Partial<AdamaxOptions> | number = {}) {
    const o: AdamaxOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false, ...optimizerOptions('Adamax', opts, SPEC) };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.eps, 'epsilon value');
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, 'weightDecay value');
    super(params, o, SPEC);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, expAvg: zerosState(p), expInf: zerosState(p) };
  }

  protected update(p: Tensor, grad: Tensor, g: Group<AdamaxOptions>, s: ParamState): void {
    s.step = (s.step as number) + 1;
    const [beta1, beta2] = g.betas;
    adamaxStep(p, grad, s.expAvg as Tensor, s.expInf as Tensor, { ...g, beta1, beta2, step: s.step });
  }
}
