/**
 * unique and uniqueConsecutive (torch.unique, torch.unique_consecutive), composed of sort,
 * comparisons, cumsum, scatter and bincount. Not differentiable, as in PyTorch.
 */
import { noGrad } from '../autograd/grad_mode';
import { ShapeError } from '../errors';
import { positionalOrNamed } from '../options';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { bincount } from './histogram';
import { nonzeroIndices } from './indexing';
import { cat } from './join';
import { namedTensors, type NamedTensors } from './named';
import { sort } from './sort';

/** unique's options (torch.unique). */
export interface UniqueOptions {
  /** Ignored: the values always come sorted, as PyTorch gives them on the CPU. */
  sorted?: boolean;
  /** Also give, for each element (or slice), the index of its value in the result. */
  returnInverse?: boolean;
  /** Also give how many times each value occurs. */
  returnCounts?: boolean;
  /** Find unique slices along this dim instead of unique elements of the flattened tensor. */
  dim?: number | null;
}

/** Options that ask for inverseIndices or counts, with which unique gives a UniqueResult. */
export type UniqueExtras = { returnInverse: true } | { returnCounts: true };

/** uniqueConsecutive's options (torch.unique_consecutive). */
export type UniqueConsecutiveOptions = Omit<UniqueOptions, 'sorted'>;

/**
 * What unique gives when returnInverse or returnCounts is asked for (both are computed then). It
 * unpacks as PyTorch's tuple, with only what was asked for: `const [values, counts] =
 * x.unique({ returnCounts: true })`.
 */
export type UniqueResult = NamedTensors<UniqueFields>;

/** The fields of a UniqueResult. */
export type UniqueFields = {
  values: Tensor;
  /** Where each element (or slice along dim) of the input went in values: int64, the input's shape (or its size along dim). */
  inverseIndices: Tensor;
  /** How many times each of values occurs: int64. */
  counts: Tensor;
};

const DIM = { test: (v: unknown) => v === null || typeof v === 'number', what: 'a dim or null' };
const CONSECUTIVE_SPEC = { returnInverse: 'boolean', returnCounts: 'boolean', dim: DIM } as const;
const SPEC = { sorted: 'boolean', ...CONSECUTIVE_SPEC } as const;

/** The groups of equal neighbours among the rows of r ([n, m]): whether each row starts one, and its group number. */
function groups(r: Tensor): { starts: Tensor; group: Tensor } {
  const n = r.shape[0];
  if (n === 0) return { starts: emptyTensor([0], 'bool'), group: emptyTensor([0], 'int64') };
  // NaN differs from itself, so every NaN is a value of its own, as in PyTorch
  const differ = n === 1 ? emptyTensor([0], 'bool') : r.narrow(0, 1, n - 1).ne(r.narrow(0, 0, n - 1)).any(1);
  const starts = cat([r.newOnes([1], { dtype: 'bool' }), differ]);
  return { starts, group: starts.cumsum(0).sub(1) };
}

/** The unique elements, or slices along dim, of x; `sorted`: sort first (unique), else merge neighbours (uniqueConsecutive). */
function uniqueOf(fn: string, x: Tensor, opts: UniqueOptions | undefined, sorted: boolean): Tensor | UniqueResult {
  const o = positionalOrNamed<UniqueOptions>(fn, [opts ?? {}], sorted ? SPEC : CONSECUTIVE_SPEC);
  const extras = (o.returnInverse ?? false) || (o.returnCounts ?? false);
  const result = noGrad(() => {
    const byDim = o.dim !== undefined && o.dim !== null;
    const d = byDim ? normalizeDim(o.dim as number, x.shape.length) : 0;
    if (byDim && x.shape.length > 0 && x.shape[d] > 0 && x.shape.some((s) => s === 0)) {
      throw new ShapeError(`${fn}(): There are 0 sized dimensions, and they aren't selected, so unique cannot be applied`);
    }
    // one row per element, or per slice along d
    const moved = byDim && x.shape.length > 0 ? x.movedim(d, 0) : x.reshape(-1);
    const n = moved.shape.length === 0 ? 1 : moved.shape[0];
    if (n === 0) {
      const none = emptyTensor([0], 'int64');
      return { values: byDim ? x.clone() : emptyTensor([0], x.dtype), inverseIndices: byDim ? none : emptyTensor(x.shape, 'int64'), counts: none };
    }
    const rows = moved.reshape(n, -1);
    let order: Tensor | null = null;
    if (sorted) {
      // rows in lexicographic order: stable sorts by each column, the last first
      order = sort(rows.select(1, rows.shape[1] - 1), { dim: 0, stable: true }).indices;
      for (let c = rows.shape[1] - 2; c >= 0; c--) order = order.indexSelect(0, sort(rows.select(1, c).indexSelect(0, order), { dim: 0, stable: true }).indices);
    }
    const ordered = order === null ? rows : rows.indexSelect(0, order);
    const { starts, group } = groups(ordered);
    const first = nonzeroIndices(starts)[0];
    const picked = order === null ? first : order.indexSelect(0, first);
    const values = byDim ? x.indexSelect(d, picked) : ordered.select(1, 0).indexSelect(0, first);
    const inverse = order === null ? group : group.newZeros([n]).scatter(0, order, group);
    return {
      values,
      inverseIndices: inverse.reshape(byDim ? [n] : x.shape),
      counts: bincount(group, { minlength: first.numel() }),
    };
  });
  if (!extras) return result.values;
  const order: ('values' | 'inverseIndices' | 'counts')[] = ['values'];
  if (o.returnInverse === true) order.push('inverseIndices');
  if (o.returnCounts === true) order.push('counts');
  return namedTensors<UniqueFields>(result, order);
}

/**
 * The distinct elements of x, sorted (torch.unique); NaNs are each distinct. With `{ dim }` the
 * distinct slices along dim, in lexicographic order. With returnInverse or returnCounts, an object
 * `{ values, inverseIndices, counts }`.
 * @example tg.tensor([3, 1, 3]).unique() // [1, 3]
 */
export function unique(x: Tensor, opts?: UniqueOptions): Tensor | UniqueResult {
  return uniqueOf('unique', x, opts, true);
}

/**
 * x with each run of equal consecutive elements (or slices along dim) kept once
 * (torch.unique_consecutive); with returnInverse or returnCounts, `{ values, inverseIndices, counts }`.
 * @example tg.tensor([1, 1, 2, 1]).uniqueConsecutive() // [1, 2, 1]
 */
export function uniqueConsecutive(x: Tensor, opts?: UniqueConsecutiveOptions): Tensor | UniqueResult {
  return uniqueOf('uniqueConsecutive', x, opts, false);
}
