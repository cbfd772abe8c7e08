/**
 * The metadata array every kernel call carries: meta[0] is the count of numbers that follow, then
 * shapes, offsets and strides in the order the kernel reads them. One scratch array serves every
 * call (JavaScript runs one call at a time per thread), so describing a call allocates nothing.
 * Build it immediately before the native call: nothing in between may start another call's meta.
 */
import type { Tensor } from '../tensor';

const META = new Float64Array(4096);
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

/** Ends the call's metadata and returns the array to pass. */
export function end(): Float64Array {
  META[0] = pos - 1;
  return META;
}
