/** Adam and AdamW (torch.optim.Adam / AdamW), each step one fused pass per parameter. */
import { adamStep } from '../ops/optim';
import type { Tensor } from '../tensor';
import { betasKind, checkBetas, FusedOptimizer, zerosState } from './fused';
import { checkNonNegative, type Group, optimizerOptions, type ParamState, type Params } from './optimizer';
import type { TorchNames } from './torch_state';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

const SPEC = {
  lr: 'number', eps: 'number', weightDecay: 'number', amsgrad: 'boolean', maximize: 'boolean',
  betas: betasKind,
} as const;

function check(o: AdamOptions): void {
  checkNonNegative(o.lr, 'learning rate');
  checkNonNegative(o.eps, 'epsilon value');
  checkBetas(o.betas);
  checkNonNegative(o.weightDecay, 'weightDecay value');
}

abstract class AdamBase extends FusedOptimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  /** @internal PyTorch's state names (from initState), and decoupled_weight_decay as this class computes it. */
  protected override torchNames(): TorchNames {
    return { ...super.torchNames(), fixed: { decoupled_weight_decay: this.decoupled } };
  }

  protected initState(p: Tensor, g: Group<AdamOptions>): ParamState {
    return { step: 0, expAvg: zerosState(p), expAvgSq: zerosState(p), maxExpAvgSq: g.amsgrad ? zerosState(p) : null };
  }

  protected update(p: Tensor, grad: Tensor, g: Group<AdamOptions>, state: ParamState): void {
    if (g.amsgrad && state.maxExpAvgSq === null) state.maxExpAvgSq = zerosState(p);
    state.step = (state.step as number) + 1;
    const [m, v, vmax] = [state.expAvg as Tensor, state.expAvgSq as Tensor, g.amsgrad ? (state.maxExpAvgSq as Tensor) : null];
    adamStep(p, grad, m, v, vmax, {
      lr: g.lr, beta1: g.betas[0], beta2: g.betas[1], eps: g.eps, weightDecay: g.weightDecay, step: state.step as number,
      amsgrad: g.amsgrad, maximize: g.maximize, decoupled: this.decoupled,
    });
  }
}

/**
 * Adam (torch.optim.Adam), with L2 weight decay added to the gradient and optional AMSGrad.
 * @example const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> | number = {}) {
    const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...optimizerOptions('Adam', opts, SPEC) };
    check(o);
    super(params, o, SPEC);
  }
}

/** Adam with decoupled weight decay (default 0.01): param *= 1 - lr * weightDecay each step. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  /** opts may also be PyTorch's positional learning rate. */
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> | number = {}) {
    const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...optimizerOptions('AdamW', opts, SPEC) };
    check(o);
    super(params, o, SPEC);
  }
}
