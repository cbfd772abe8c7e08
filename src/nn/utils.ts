/**
 * tg.nn.utils: gradient clipping (torch.nn.utils.clip_grad_norm_, clip_grad_value_) and parameters
 * as one vector (parameters_to_vector, vector_to_parameters).
 * @module
 */
import { checkOptions, typeName } from '../options';
import { noGrad } from '../autograd/grad_mode';
import { binaryReversed } from '../ops/binary';
import { isTensor } from '../storage';
import { cat, stack } from '../ops/join';
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

function tensorsOf(parameters: Iterable<Tensor>, op: string): Tensor[] {
  if (parameters === null || typeof (parameters as Iterable<Tensor>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`${op}(): parameters must be an iterable of tensors (e.g. module.parameters()), but got ${typeName(parameters)}`);
  }
  const list = [...parameters];
  for (const p of list) if (!isTensor(p)) throw new TypeError(`${op}(): parameters must be tensors, but one is ${typeName(p)}`);
  return list;
}

/**
 * The parameters flattened and joined into one vector, as PyTorch's parameters_to_vector: recorded
 * by autograd like any cat (gradients flow back to the parameters).
 * @example const flat = nn.utils.parametersToVector(net.parameters()); // [numel of all]
 */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return cat(tensorsOf(parameters, 'parametersToVector').map((p) => p.view(-1)));
}

/**
 * Makes each parameter, in order, a view of the next slice of vec (their data, as PyTorch's
 * vector_to_parameters sets `param.data`): the inverse of parametersToVector, sharing vec's memory.
 * @example nn.utils.vectorToParameters(flat.mul(0.5), net.parameters())
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!isTensor(vec)) throw new TypeError(`expected a Tensor, but got: ${typeName(vec)}`);
  let pointer = 0;
  for (const p of tensorsOf(parameters, 'vectorToParameters')) {
    const n = p.numel();
    p.data = vec.narrow(0, pointer, n).viewAs(p).data;
    pointer += n;
  }
}
