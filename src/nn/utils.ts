/** tg.nn.utils: gradient clipping (torch.nn.utils.clip_grad_norm_, clip_grad_value_). @module */
import { checkOptions } from '../options';
import { noGrad } from '../autograd/grad_mode';
import { binaryReversed } from '../ops/binary';
import { isTensor } from '../storage';
import { stack } from '../ops/join';
import { tensor } from '../ops/creation';
import type { Tensor } from '../tensor';

/** A tensor or an iterable of tensors (e.g. module.parameters()). @inline */
type Parameters = Tensor | Iterable<Tensor>;

function gradsOf(parameters: Parameters, op: string): Tensor[] {
  const list = isTensor(parameters) ? [parameters] : [...parameters];
  for (const p of list) if (!isTensor(p)) throw new TypeError(`${op}(): parameters must be tensors, but one is ${typeof p}`);
  return list.map((p) => p._grad).filter((g): g is Tensor => g !== null);
}

/**
 * Scales the parameters' gradients in place so that their norm, taken together as one vector, is
 * at most maxNorm: each is multiplied by min(maxNorm / (total + 1e-6), 1), as PyTorch does.
 * Returns the total norm before clipping (a 0-d tensor).
 * @example loss.backward(); nn.utils.clipGradNorm_(net.parameters(), 1.0); opt.step();
 */
export function clipGradNorm_(parameters: Parameters, maxNorm: number, opts: { normType?: number | 'inf'; errorIfNonfinite?: boolean } = {}): Tensor {
  checkOptions('clipGradNorm_', opts, { normType: { test: (v) => typeof v === 'number' || v === 'inf', what: "a number or 'inf'" }, errorIfNonfinite: 'boolean' });
  const normType = opts.normType === 'inf' ? Infinity : (opts.normType ?? 2);
  const grads = gradsOf(parameters, 'clipGradNorm_');
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    const total = stack(grads.map((g) => g.norm(normType))).norm(normType);
    if (opts.errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new Error(
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
          'To disable this error and scale the gradients by the non-finite norm anyway, pass { errorIfNonfinite: false }',
      );
    }
    const coef = binaryReversed('div', total.add(1e-6), maxNorm).clamp({ max: 1 });
    for (const g of grads) g.mul_(coef.to(g.dtype));
    return total;
  });
}

/**
 * Clamps the parameters' gradients in place to [-clipValue, clipValue].
 * @example nn.utils.clipGradValue_(net.parameters(), 0.5)
 */
export function clipGradValue_(parameters: Parameters, clipValue: number): void {
  const grads = gradsOf(parameters, 'clipGradValue_');
  noGrad(() => {
    for (const g of grads) g.clamp_({ min: -clipValue, max: clipValue });
  });
}
