/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD). */
import { sgdStep } from '../ops/optim';
import { keep } from '../storage';
import type { Tensor } from '../tensor';
import { FusedOptimizer } from './fused';
import { checkNonNegative, type Group, optimizerOptions, type ParamState, type Params } from './optimizer';
import type { TorchNames } from './torch_state';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

const SPEC = { lr: 'number', momentum: 'number', dampening: 'number', weightDecay: 'number', nesterov: 'boolean', maximize: 'boolean' } as const;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD).
 * @example const opt = new optim.SGD(net.parameters(), { lr: 0.2 }); ... opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends FusedOptimizer<SGDOptions> {
  /** opts may also be PyTorch's positional learning rate: `new optim.SGD(params, 0.1)`. */
  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> | number = {}) {
    const o: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...optimizerOptions('SGD', opts, SPEC) };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.momentum, 'momentum value');
    checkNonNegative(o.weightDecay, 'weightDecay value');
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    super(params, o, SPEC);
  }

  /** @internal */
  protected override torchNames(): TorchNames {
    return { state: { momentum_buffer: 'momentumBuffer' }, fixed: {} };
  }

  /** No state until momentum makes its buffer, at the first step. */
  protected initState(): ParamState {
    return {};
  }

  protected update(p: Tensor, grad: Tensor, g: Group<SGDOptions>, state: ParamState): void {
    let buf = (state.momentumBuffer ?? null) as Tensor | null;
    const first = g.momentum !== 0 && buf === null;
    if (first) buf = keep(p.newEmpty(p.shape));
    if (buf !== null) state.momentumBuffer = buf;
    sgdStep(p, grad, g.momentum !== 0 ? buf : null, {
      lr: g.lr, momentum: g.momentum, dampening: g.dampening, weightDecay: g.weightDecay, nesterov: g.nesterov, maximize: g.maximize, first,
    });
  }
}
