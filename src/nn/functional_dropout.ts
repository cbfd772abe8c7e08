/**
 * F.dropout: PyTorch's mask (bernoulli(1 - p) drawn in the input's memory order, divided by 1 - p).
 * @module
 */
import { bernoulli_, generatorKind, type Generator } from '../ops/random';
import { checkArg, checkOptions, isOptionsObject } from '../options';
import type { Tensor } from '../tensor';

export interface DropoutOptions {
  /** Whether to drop at all (PyTorch's training argument; default true). */
  training?: boolean;
  inplace?: boolean;
  generator?: Generator;
}

/**
 * Zeroes elements with probability p during training and scales the rest by 1/(1-p).
 * The mask is drawn as PyTorch draws it: bernoulli(1 - p), then divided by 1 - p.
 */
export function dropout(x: Tensor, p = 0.5, training: boolean | DropoutOptions = true, opts: DropoutOptions = {}): Tensor {
  if (isOptionsObject(training)) {
    // F.dropout(x, 0.5, { training: false })
    if (arguments.length > 3) throw new TypeError('dropout(): expected (x, p, { training, ... }) or (x, p, training, options), but got both');
    [training, opts] = [training.training ?? true, training];
  }
  checkArg('dropout', 'training', training, 'boolean');
  checkArg('dropout', 'p', p, 'number');
  checkOptions('dropout', opts, { training: 'boolean', inplace: 'boolean', generator: generatorKind });
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0 || x.numel() === 0) return x;
  if (p === 1) return opts.inplace ? x.mul_(0) : x.mul(0);
  const [noise, order] = emptyInMemoryOrder(x);
  const drawn = bernoulli_(noise, 1 - p, { generator: opts.generator }).div_(1 - p);
  const mask = order === null ? drawn : drawn.permute(order);
  return opts.inplace ? x.mul_(mask) : x.mul(mask);
}

/**
 * A new tensor holding x's dims in x's memory order (outermost first), and the permutation that
 * gives it x's dims back (null: x's own order): PyTorch draws dropout's noise into empty_like(x), which keeps a dense
 * x's layout, in memory order; a transposed x gets the same draws as PyTorch only so.
 */
function emptyInMemoryOrder(x: Tensor): [Tensor, number[] | null] {
  const n = x.dim(), dims = [...Array(n).keys()];
  const order = dims.filter((d) => x.shape[d] !== 1).sort((a, b) => x._strides[b] - x._strides[a] || a - b);
  let expect = 1, dense = true;
  for (let i = order.length - 1; i >= 0; i--) {
    dense &&= x._strides[order[i]] === expect;
    expect *= x.shape[order[i]];
  }
  if (!dense || order.every((d, i) => i === 0 || order[i - 1] < d)) return [x.newEmpty(x.shape), null];
  const perm = [...dims.filter((d) => x.shape[d] === 1), ...order];
  const inverse = new Array<number>(n);
  perm.forEach((d, i) => (inverse[d] = i));
  return [x.newEmpty(perm.map((d) => x.shape[d])), inverse];
}

