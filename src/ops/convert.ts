/**
 * x.to(...) and module.to(...) in PyTorch's forms: a dtype, a device, both, another tensor (its
 * dtype), or { dtype, device, copy }. Every tensor is on the CPU, so a device only has to be 'cpu'.
 */
import { DEVICE_OPTION, isDeviceName, toDevice, Device } from '../device';
import { toDType, type DType, type DTypeLike } from '../dtype';
import { checkOptions, describeValue, isOptionsObject } from '../options';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { clone, toDtype } from './copy';

/** What to() may be given first: a dtype, a device, another tensor (its dtype) or the options. @inline */
export type ToTarget = DTypeLike | Device | string | Tensor | ToOptions;

/** The options of to(). */
export interface ToOptions {
  dtype?: DTypeLike;
  /** 'cpu' (tensorgrad's only device). */
  device?: Device | string;
  /** A new tensor even when nothing changes (default false). */
  copy?: boolean;
  /** Accepted for PyTorch code; copies on the CPU are synchronous anyway. */
  nonBlocking?: boolean;
}

const TO_OPTIONS = { dtype: 'string', device: DEVICE_OPTION, copy: 'boolean', nonBlocking: 'boolean' } as const;

/** The dtype (if any) and copy flag that to(a, b, c)'s arguments ask for, checked. */
export function parseTo(fn: string, a: unknown, b?: unknown, c?: unknown): { dtype?: DType; copy: boolean } {
  const args = [a, b, c].filter((x) => x !== undefined);
  const last = args[args.length - 1];
  const opts = isOptionsObject(last) ? (checkOptions(fn, last, TO_OPTIONS) as ToOptions) : undefined;
  const positional = opts === undefined ? args : args.slice(0, -1);
  let dtype: DType | undefined;
  positional.forEach((x, i) => {
    if (isTensor(x) && i === 0 && positional.length === 1) dtype = x.dtype;
    else if (x instanceof Device || (typeof x === 'string' && isDeviceName(x))) {
      if (i !== 0) throw new TypeError(`${fn}(): a device comes first: to(device, dtype), but got it at position ${i}`);
      toDevice(fn, x);
    } else if (typeof x === 'string') {
      if (dtype !== undefined) throw new TypeError(`${fn}(): two dtypes given`);
      try {
        dtype = toDType(x);
      } catch {
        throw new TypeError(`${fn}(): expected a dtype (float32, float64, int32, int64, bool) or a device ('cpu'), but got ${describeValue(x)}`);
      }
    } else {
      throw new TypeError(`${fn}(): expected a dtype, a device ('cpu'), a Tensor or options { dtype, device, copy }, but got ${describeValue(x)} at position ${i}`);
    }
  });
  if (opts?.dtype !== undefined) {
    if (dtype !== undefined) throw new TypeError(`${fn}(): dtype given both as an argument and as an option`);
    dtype = toDType(opts.dtype);
  }
  return { dtype, copy: opts?.copy ?? false };
}

/**
 * t as to(...) asks: t itself when nothing changes (unless { copy: true }), else a converted copy.
 * @example x.to('float64'); x.to('cpu'); x.to({ device: 'cpu', dtype: 'float64' }); x.to('cpu', 'float64')
 */
export function to(t: Tensor, a?: unknown, b?: unknown, c?: unknown): Tensor {
  if (a === undefined) throw new TypeError("to(): expected a dtype, a device ('cpu'), a Tensor or options { dtype, device, copy }");
  const { dtype, copy } = parseTo('to', a, b, c);
  const out = dtype === undefined ? t : toDtype(t, dtype);
  return copy && out === t ? clone(t) : out;
}
