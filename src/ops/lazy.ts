/**
 * Work left undone until something reads it. `g.mul(lr)` on a whole float tensor of 4096 elements
 * or more makes a tensor whose storage is `lr * g`, computed when first read; an in-place add or
 * sub that takes it (`w.sub_(g.mul(lr))`, the hand-written SGD step) reads g instead, in one pass
 * over memory already in cache, and when g is then overwritten (`g.zero_()`) the lazy tensor takes
 * g's old buffer: if nothing reads it again (it is usually garbage by then), it never costs a pass.
 * The results are the bits the eager ops give. Storage (storage.ts) keeps the bookkeeping; every
 * writer calls beforeWrite() first, so a lazy tensor always reads its source as it was.
 */
import { isFloatingPoint, type DType } from '../dtype';
import { sameShape } from '../shape';
import { isTensor, makeTensor, registerScaler, Storage } from '../storage';
import type { Tensor } from '../tensor';
import { isWhole, type TensorLike } from './common';
import { launch } from './launch';

/** Below this many elements the pass costs less than keeping track of it. */
const LAZY_MIN = 4096;

// out = src * factor through the mul kernel, as binary('mul', t, factor) computes it. (launch
// reads every operand's storage before it writes a call's metadata, so this may run while another
// call is being made.)
registerScaler((out, src, factor) => launch('mul', [out, src, factor]));

/** a * factor as a lazy tensor, when a qualifies (see above); null otherwise. */
export function lazyScale(a: Tensor, factor: number, dtype: DType): Tensor | null {
  const s = a._storage;
  if (dtype !== a.dtype || !isFloatingPoint(dtype) || s.length < LAZY_MIN || s.released || s.pendingScale() !== null || !isWhole(a)) return null;
  return makeTensor(Storage.lazyScale(s, factor), a.shape, a._strides, 0);
}

/**
 * For `self += other` or `self -= other` (alpha 1) where other is a lazy `factor * src` with
 * self's shape and dtype: src, viewed as other is, and factor, to run as one add with alpha =
 * factor. Null when other is anything else (or its source is self's own memory).
 */
export function scaledOperand(self: Tensor, other: TensorLike): { src: Tensor; factor: number } | null {
  if (!isTensor(other) || other.dtype !== self.dtype || !sameShape(other.shape, self.shape)) return null;
  const p = other._storage.pendingScale();
  if (p === null || p.src === self._storage) return null;
  return { src: makeTensor(p.src, other.shape, other._strides, other._offset), factor: p.factor };
}
