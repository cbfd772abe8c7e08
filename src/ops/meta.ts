/**
 * The metadata every kernel call reads: meta[0] is the count of numbers that follow, then shapes,
 * offsets and strides in the order the kernel reads them. It is written into a buffer the addon
 * owns (one per addon instance; JavaScript runs one call at a time per thread), so describing a
 * call allocates nothing and passes nothing. Describe a call immediately before making it:
 * nothing in between may describe another.
 */
import { native } from '../native';
import type { Tensor } from '../tensor';

const META = native.meta;
let pos = 1;

/** Starts a call's metadata. */
export function begin(): void {
  pos = 1;
}

export function push(v: number): void {
  META[pos++] = v;
}

/** ndim, then each size. */
export function pushShape(shape: readonly number[]): void {
  META[pos++] = shape.length;
  for (let i = 0; i < shape.length; i++) META[pos++] = shape[i];
}

/** An operand: its offset, then its strides (the tensor's own unless given). */
export function pushOperand(t: Tensor, strides: readonly number[] = t._strides): void {
  META[pos++] = t._offset;
  for (let i = 0; i < strides.length; i++) META[pos++] = strides[i];
}

/**
 * The metadata described so far, and putting it back: for a kernel call made while another is
 * being described (a lazy tensor computed when an operand's elements are first read).
 */
export function save(): Float64Array {
  return META.slice(0, pos);
}

export function restore(saved: Float64Array): void {
  META.set(saved);
  pos = saved.length;
}

/** Ends the call's metadata. */
export function end(): void {
  META[0] = pos - 1;
}
