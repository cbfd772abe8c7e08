/** Adam and AdamW (torch.optim.Adam / AdamW), each step one fused pass per parameter. */
import { noGrad } from '../autograd/grad_mode';
import { adamStep } from '../ops/optim';
import { keep } from '../storage';
import type { Tensor } from '../tensor';
import { checkNonNegative, type Closure, Optimizer, optimizerOptions, type Params } from './optimizer';
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
  betas: { test: (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number'), what: 'a pair of numbers' },
} as const;

function check(o: AdamOptions): void {
  checkNonNegative(o.lr, 'learning rate');
  checkNonNegative(o.eps, 'epsilon value');
  if (!(o.betas[0] >= 0 && o.betas[0] < 1)) throw new RangeError(`Invalid beta parameter at index 0: ${o.betas[0]}`);
  if (!(o.betas[1] >= 0 && o.betas[1] < 1)) throw new RangeError(`Invalid beta parameter at index 1: ${o.betas[1]}`);
  checkNonNegative(o.weightDecay, 'weightDecay value');
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  /** @internal */
  protected override torchNames(): TorchNames {
    return { state: { step: 'step', exp_avg: 'expAvg', exp_avg_sq: 'expAvgSq', max_exp_avg_sq: 'maxExpAvgSq' }, fixed: { decoupled_weight_decay: this.decoupled } };
  }

  /** One step; a closure, if given, recomputes the loss first and step returns it. */
  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluate(closure);
    this.checkParameters();
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          if (p._grad === null) continue;
          let state = this.state.get(p);
          if (state === undefined) {
            state = { step: 0, expAvg: keep(p.newZeros(p.shape)), expAvgSq: keep(p.newZeros(p.shape)), maxExpAvgSq: g.amsgrad ? keep(p.newZeros(p.shape)) : null };
            this.state.set(p, state);
          }
          if (g.amsgrad && state.maxExpAvgSq === null) state.maxExpAvgSq = keep(p.newZeros(p.shape));
          state.step = (state.step as number) + 1;
          const [m, v, vmax] = [state.expAvg as Tensor, state.expAvgSq as Tensor, g.amsgrad ? (state.maxExpAvgSq as Tensor) : null];
          adamStep(p, p._grad, m, v, vmax, {
            lr: g.lr, beta1: g.betas[0], beta2: g.betas[1], eps: g.eps, weightDecay: g.weightDecay, step: state.step as number,
            amsgrad: g.amsgrad, maximize: g.maximize, decoupled: this.decoupled,
          });
        }
      }
    });
    return loss;
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
