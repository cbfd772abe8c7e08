/**
 * What every loss shares: its `reduction` option (with PyTorch's legacy sizeAverage / reduce),
 * applying it, and PyTorch's warning when a target broadcasts against the input.
 * @module
 */
import { shapeStr, warnOnce } from '../errors';
import { checkOptions, type OptionSpec } from '../options';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';

export type Reduction = 'mean' | 'sum' | 'none';

export interface ReductionOptions {
  reduction?: Reduction;
  /** Legacy (deprecated in PyTorch): false sums instead of averaging. */
  sizeAverage?: boolean;
  /** Legacy (deprecated in PyTorch): false keeps per-element losses. */
  reduce?: boolean;
}

/** The options every loss with the legacy pair takes. */
export const REDUCTION_SPEC = { reduction: 'string', sizeAverage: 'boolean', reduce: 'boolean' } as const;

/**
 * The reduction the options ask for (the legacy sizeAverage / reduce mapped as PyTorch maps them),
 * after checking them against `spec`, what the loss `fn` takes; `extra` lists reductions beyond the
 * usual three (KLDiv's 'batchmean').
 */
export function reductionFrom(fn: string, opts: ReductionOptions | undefined, spec: OptionSpec, extra: readonly string[] = []): string {
  checkOptions(fn, opts, spec);
  if (opts?.sizeAverage !== undefined || opts?.reduce !== undefined) {
    const sizeAverage = opts.sizeAverage ?? true, reduce = opts.reduce ?? true;
    const r = sizeAverage && reduce ? 'mean' : reduce ? 'sum' : 'none';
    warnOnce(`the { sizeAverage, reduce } options will be deprecated, please use { reduction: '${r}' } instead.`, 'DeprecationWarning');
    return r;
  }
  const r: string = opts?.reduction ?? 'mean';
  if (!['mean', 'sum', 'none', ...extra].includes(r)) throw new RangeError(`${String(r)} is not a valid value for reduction`);
  return r;
}

/** The mean or sum of the per-element losses, or the losses themselves ('none'). */
export function applyReduction(loss: Tensor, reduction: string): Tensor {
  return reduction === 'mean' ? loss.mean() : reduction === 'sum' ? loss.sum() : loss;
}

/** PyTorch warns when a loss's target broadcasts against its input (then broadcasts). */
export function checkTargetSize(input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    warnOnce(
      `Using a target size (${shapeStr(target.shape)}) that is different to the input size (${shapeStr(input.shape)}). ` +
        'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
    );
  }
}
