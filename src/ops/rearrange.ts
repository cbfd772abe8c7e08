/**
 * Ops that copy a tensor's values into a new arrangement: flip, repeat, tril, triu, roll, rot90,
 * repeatInterleave. Each is built from differentiable ops (indexSelect, expand, where), so
 * autograd needs no rules of their own.
 */
import { DTypeError, ShapeError } from '../errors';
import { checkOptions, kinds } from '../options';
import { normalizeDim } from '../shape';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { where } from './binary';
import { arange } from './creation';
import { searchsorted } from './histogram';
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

/**
 * The tensor rotated by 90 degrees k times in the plane of dims, from the first dim towards the
 * second (torch.rot90).
 * @example tg.tensor([[1, 2], [3, 4]]).rot90() // [[2, 4], [1, 3]]
 */
export function rot90(x: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor {
  if (!Number.isInteger(k)) throw new TypeError(`rot90(): k must be an integer, but got ${String(k)}`);
  if (dims.length !== 2) throw new ShapeError(`rot90(): expected total rotation dims == 2, but got dims = ${dims.length}`);
  const nd = x.shape.length;
  if (nd < 2) throw new ShapeError(`rot90(): expected total dims >= 2, but got total dims = ${nd}`);
  const [a, b] = dims.map((d) => normalizeDim(d, nd));
  if (a === b) throw new ShapeError(`rot90(): expected rotation dims to be different, but got dim0 = ${dims[0]} and dim1 = ${dims[1]}`);
  switch (((k % 4) + 4) % 4) {
    case 1: return flip(x, b).transpose(a, b);
    case 2: return flip(x, [a, b]);
    case 3: return flip(x, a).transpose(a, b);
    default: return x.clone();
  }
}

/** repeatInterleave's options (torch.repeat_interleave's dim and output_size). */
export interface RepeatInterleaveOptions {
  /** The dim to repeat along; without it the input is flattened first. */
  dim?: number | null;
  /** The output's size along dim, when known: checked, and saves reading the repeats' total. */
  outputSize?: number | null;
}

/**
 * Each element repeated along dim (torch.repeat_interleave): `repeats` times, or repeats[i] times
 * for element i when repeats is an int64 (or int32) tensor with one count per element.
 * @example tg.tensor([1, 2]).repeatInterleave(2) // [1, 1, 2, 2]
 */
export function repeatInterleave(x: Tensor, repeats: number | Tensor, opts?: RepeatInterleaveOptions): Tensor {
  checkOptions('repeatInterleave', opts, { dim: kinds.numberOrNull, outputSize: kinds.numberOrNull });
  const dim = opts?.dim ?? null, outputSize = opts?.outputSize ?? null;
  if (dim === null) return repeatInterleave(x.reshape(-1), repeats, { dim: 0, outputSize });
  const d = normalizeDim(dim, x.shape.length);
  const src = x.shape.length === 0 ? x.reshape(1) : x;
  const n = src.shape[d];
  if (isTensor(repeats)) {
    checkRepeats(repeats);
    if (repeats.shape.length === 0 || (repeats.shape[0] === 1 && n !== 1)) return repeatInterleave(x, Number(repeats.reshape(-1).item()), opts);
    if (repeats.shape[0] !== n) {
      throw new ShapeError(`repeatInterleave(): repeats must have the same size as input along dim, but got repeats.size(0) = ${repeats.shape[0]} and input.size(${d}) = ${n}`);
    }
    return src.indexSelect(d, repeatIndices(repeats, outputSize));
  }
  if (!Number.isInteger(repeats)) throw new TypeError(`repeatInterleave(): repeats must be an integer or a Tensor, but got ${String(repeats)}`);
  if (repeats < 0) throw new RangeError(`repeatInterleave(): repeats must be non-negative, but got ${repeats}`);
  if (outputSize !== null && outputSize !== n * repeats) {
    throw new ShapeError(`repeatInterleave(): invalid outputSize, expected ${n * repeats} but got ${outputSize}`);
  }
  const shape = src.shape.slice();
  const expanded = [...shape.slice(0, d + 1), repeats, ...shape.slice(d + 1)];
  shape[d] = n * repeats;
  return src.unsqueeze(d + 1).expand(expanded).reshape(shape);
}

function checkRepeats(repeats: Tensor): void {
  if (repeats.dtype !== 'int64' && repeats.dtype !== 'int32') {
    throw new DTypeError(`repeatInterleave(): repeats must be an int64 or int32 tensor, but got ${repeats.dtype}`);
  }
  if (repeats.shape.length > 1) throw new ShapeError(`repeatInterleave(): repeats must be 0-dim or 1-dim tensor, but got shape [${repeats.shape.join(', ')}]`);
}

/** Index i repeated repeats[i] times: the running totals searched for each output position. */
function repeatIndices(repeats: Tensor, outputSize: number | null): Tensor {
  if (repeats.shape[0] === 0) return arange(0, { dtype: 'int64' });
  if (repeats.lt(0).any().item()) throw new RangeError('repeatInterleave(): repeats can not be negative');
  const ends = repeats.cumsum(0);
  const total = Number(ends.select(0, -1).item());
  if (outputSize !== null && outputSize !== total) throw new ShapeError(`repeatInterleave(): invalid outputSize, expected ${total} but got ${outputSize}`);
  return searchsorted(ends, arange(total, { dtype: 'int64' }), { right: true });
}

/**
 * tg.repeatInterleave(repeats) of a 1-D count tensor: each index i repeated repeats[i] times.
 * @example tg.repeatInterleave(tg.tensor([1, 2], { dtype: 'int64' })) // [0, 1, 1]
 */
export function repeatInterleaveIndices(repeats: Tensor, opts?: { outputSize?: number | null }): Tensor {
  checkOptions('repeatInterleave', opts, { outputSize: kinds.numberOrNull });
  if (repeats.shape.length !== 1) throw new ShapeError(`repeatInterleave(): only accepts a 1-D tensor of repeats, but got shape [${repeats.shape.join(', ')}]`);
  checkRepeats(repeats);
  return repeatIndices(repeats, opts?.outputSize ?? null);
}
