/** NAdam and RAdam (torch.optim.NAdam / RAdam), each step one fused pass per parameter. */
import { nadamStep, radamStep } from '../ops/optim';
import type { Tensor } from '../tensor';
import { betasKind, checkBetas, FusedOptimizer, roundScalar, zerosState } from './fused';
import { checkNonNegative, type Group, optimizerOptions, type Params, type ParamState } from './optimizer';

export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

const SPEC = {
  lr: 'number', betas: betasKind, eps: 'number', weightDecay: 'number', momentumDecay: 'number', decoupledWeightDecay: 'boolean', maximize: 'boolean',
} as const;

/**
 * NAdam (torch.optim.NAdam): Adam with Nesterov momentum, whose momentum warms up by
 * momentumDecay; weight decay is L2, or AdamW's decoupled form with decoupledWeightDecay.
 * State per parameter: step, muProduct (a float32 scalar, as PyTorch keeps it), expAvg, expAvgSq.
 * @example const opt = new optim.NAdam(model.parameters(), { lr: 2e-3, weightDecay: 0.01, decoupledWeightDecay: true });
 */
export class NAdam extends FusedOptimizer<NAdamOptions> {
  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<NAdamOptions>, opts: Partial<NAdamOptions> | number = {}) {
    const o: NAdamOptions = {
      lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false,
      ...optimizerOptions('NAdam', opts, SPEC),
    };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.eps, 'epsilon value');
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, 'weightDecay value');
    checkNonNegative(o.momentumDecay, 'momentumDecay value');
    super(params, o, SPEC);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, muProduct: 1, expAvg: zerosState(p), expAvgSq: zerosState(p) };
  }

  protected update(p: Tensor, grad: Tensor, g: Group<NAdamOptions>, s: ParamState): void {
    const step = (s.step as number) + 1;
    s.step = step;
    const [beta1, beta2] = g.betas;
    const mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * g.momentumDecay));
    const muNext = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * g.momentumDecay));
    // PyTorch multiplies its 0-dim tensor in place: the scalar is rounded to the tensor's dtype first
    const muProduct = roundScalar((s.muProduct as number) * roundScalar(mu));
    s.muProduct = muProduct;
    nadamStep(p, grad, s.expAvg as Tensor, s.expAvgSq as Tensor, { ...g, beta1, beta2, step, mu, muNext, muProduct, decoupled: g.decoupledWeightDecay });
  }
}

export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

const RADAM_SPEC = { lr: 'number', betas: betasKind, eps: 'number', weightDecay: 'number', decoupledWeightDecay: 'boolean', maximize: 'boolean' } as const;

/**
 * RAdam (torch.optim.RAdam): Adam whose adaptive step is rectified by the variance of the
 * second moment's estimate, and plain momentum SGD while that estimate is too short (its length
 * rho_t <= 5); weight decay is L2, or AdamW's decoupled form with decoupledWeightDecay.
 * State per parameter: step, expAvg, expAvgSq.
 * @example const opt = new optim.RAdam(model.parameters(), { lr: 1e-3 });
 */
export class RAdam extends FusedOptimizer<RAdamOptions> {
  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<RAdamOptions>, opts: Partial<RAdamOptions> | number = {}) {
    const o: RAdamOptions = {
      lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false, ...optimizerOptions('RAdam', opts, RADAM_SPEC),
    };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.eps, 'epsilon value');
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, 'weightDecay value');
    super(params, o, RADAM_SPEC);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, expAvg: zerosState(p), expAvgSq: zerosState(p) };
  }

  protected update(p: Tensor, grad: Tensor, g: Group<RAdamOptions>, s: ParamState): void {
    s.step = (s.step as number) + 1;
    const [beta1, beta2] = g.betas;
    radamStep(p, grad, s.expAvg as Tensor, s.expAvgSq as Tensor, { ...g, beta1, beta2, step: s.step as number, decoupled: g.decoupledWeightDecay });
  }
}
