/**
 * Ops that copy a tensor's values into a new arrangement: flip, repeat, tril, triu. Each is built
 * from differentiable ops (indexSelect, expand, where), so autograd needs no rules of its own.
 */
import { ShapeError } from '../errors';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { where } from './binary';
import { arange } from './creation';

/**
 * The values in reverse order along each of dims (torch.flip).
 * @example tg.tensor([[1, 2], [3, 4]]).flip(1) // [[2, 1], [4, 3]]
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const list = (typeof dims === 'number' ? [dims] : [...dims]).map((d) => normalizeDim(d, x.shape.length));
  if (new Set(list).size !== list.length) throw new ShapeError('dims has duplicates');
  let out = x;
  if (x.shape.length === 0) return x.clone();
  for (const d of list) out = out.indexSelect(d, arange(x.shape[d] - 1, -1, -1, { dtype: 'int64' }));
  return out === x ? x.clone() : out;
}

/**
 * The tensor tiled sizes[i] times along each dim (torch.Tensor.repeat); sizes may have more
 * entries than x has dims, which adds leading dims.
 * @example tg.tensor([1, 2]).repeat(2, 2) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.shape.length) {
    throw new ShapeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  }
  for (const s of sizes) if (!Number.isInteger(s) || s < 0) throw new RangeError(`Trying to create tensor with negative dimension ${s}: [${sizes.join(', ')}]`);
  const shape = [...Array<number>(sizes.length - x.shape.length).fill(1), ...x.shape];
  // [s0, n0, s1, n1, ...]: each dim preceded by its repeat count, then merged pairwise
  const paired = shape.flatMap((n) => [1, n]);
  const expanded = shape.flatMap((n, i) => [sizes[i], n]);
  return x.reshape(paired).expand(expanded).reshape(shape.map((n, i) => n * sizes[i]));
}

/** tril/triu: keeps the elements on and below (tril) or on and above (triu) the diagonal-th diagonal. */
export function triangle(x: Tensor, diagonal: number, lower: boolean): Tensor {
  const name = lower ? 'tril' : 'triu';
  if (x.shape.length < 2) throw new ShapeError(`${name}: input tensor must have at least 2 dimensions`);
  if (!Number.isInteger(diagonal)) throw new TypeError(`${name}(): argument 'diagonal' must be an integer, not ${String(diagonal)}`);
  const rows = x.shape[x.shape.length - 2], cols = x.shape[x.shape.length - 1];
  // column minus row, for every position of the last two dims
  const offset = arange(cols, { dtype: 'int64' }).unsqueeze(0).sub(arange(rows, { dtype: 'int64' }).unsqueeze(1));
  return where(lower ? offset.le(diagonal) : offset.ge(diagonal), x, x.dtype === 'bool' ? false : 0);
}
