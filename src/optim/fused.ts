/**
 * The base of the optimizers whose step updates each parameter on its own by one fused native
 * kernel call (RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD), and the option kinds and
 * checks they share.
 */
import { noGrad } from '../autograd/grad_mode';
import { getDefaultDtype } from '../dtype';
import { keep } from '../storage';
import type { Tensor } from '../tensor';
import { zeros } from '../ops/creation';
import { type Closure, type Group, Optimizer, type ParamState } from './optimizer';
import { torchNamesOf, type TorchNames } from './torch_state';

/** PyTorch's betas option: a pair of numbers. */
export const betasKind = {
  test: (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number'),
  what: 'a pair of numbers',
} as const;

/** PyTorch's check of betas ("Invalid beta parameter at index 0: 1"). */
export function checkBetas(betas: readonly [number, number]): void {
  betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new RangeError(`Invalid beta parameter at index ${i}: ${b}`);
  });
}

/**
 * Rounds a scalar the way PyTorch stores its step-independent state scalars (NAdam's mu_product,
 * ASGD's eta and mu): in a 0-dim tensor of float32, or float64 when that is the default dtype.
 */
export function roundScalar(v: number): number {
  return getDefaultDtype() === 'float64' ? v : Math.fround(v);
}

/** A zero-filled state buffer of p's shape and dtype, kept out of tg.scope(). */
export function zerosState(p: Tensor): Tensor {
  return keep(p.newZeros(p.shape));
}

/**
 * An optimizer whose step runs over every parameter with a gradient: it creates the state a
 * parameter lacks (initState), then updates the parameter and its state (update).
 */
export abstract class FusedOptimizer<H extends object> extends Optimizer<H> {
  /** The state of a parameter before its first step. */
  protected abstract initState(p: Tensor, group: Group<H>): ParamState;

  /** @internal PyTorch's names for this optimizer's state: tensorgrad's own, in snake_case. */
  protected override torchNames(): TorchNames {
    return torchNamesOf(this.paramGroups.map((g) => this.initState(zeros(1, { dtype: g.params[0]?.dtype }), g)));
  }

  /** One step of p from grad, with its state (whose step count it advances). */
  protected abstract update(p: Tensor, grad: Tensor, group: Group<H>, state: ParamState): void;

  /** One step; a closure, if given, recomputes the loss first and step returns it. */
  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.evaluate(closure);
    this.checkParameters();
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          if (p._grad === null) continue;
          let state = this.state.get(p);
          if (state === undefined || Object.keys(state).length === 0) {
            state = this.initState(p, g);
            this.state.set(p, state);
          }
          this.update(p, p._grad, g, state);
        }
      }
    });
    return loss;
  }
}
