/**
 * Ops that copy a tensor's values into a new arrangement: flip, repeat, tril, triu. Each is built
 * from differentiable ops (indexSelect, expand, where), so autograd needs no rules of its own.
 */
import { ShapeError } from '../errors';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { where } from './binary';
import { arange } from './creation';
import { cat } from './join';

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

/**
 * The values shifted along dims, wrapping around (torch.roll); with no dims, along the flattened
 * tensor, whose shape is kept.
 * @example tg.tensor([1, 2, 3]).roll(1) // [3, 1, 2]
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  if (dims === undefined) return roll(x.reshape(-1), shifts, 0).reshape(x.shape as number[]);
  const s = typeof shifts === 'number' ? [shifts] : shifts, d = typeof dims === 'number' ? [dims] : dims;
  if (s.length !== d.length) throw new ShapeError(`roll(): shifts and dimensions must align. shifts: ${s.length}, dims: ${d.length}`);
  let out = x;
  s.forEach((shift, i) => {
    if (!Number.isInteger(shift)) throw new TypeError(`roll(): shifts must be integers, but got ${shift}`);
    const dim = normalizeDim(d[i], x.shape.length), n = x.shape[dim];
    const k = n === 0 ? 0 : ((shift % n) + n) % n;
    if (k !== 0) out = cat([out.narrow(dim, n - k, k), out.narrow(dim, 0, n - k)], dim);
  });
  return out === x ? x.clone() : out;
}
