/** Copies and conversions: copy_, contiguous, clone, to(dtype), fill_. */
import { inPlace, record } from '../autograd/graph';
import { toDType, type DTypeLike } from '../dtype';
import { broadcastShapes, isContiguous, sameShape } from '../shape';
import { ShapeError, shapeStr } from '../errors';
import { markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor, fillValue, inexactAsNumber, int64Scalar, isWhole, scalarNumber, type Scalar } from './common';
import { launch } from './launch';

function checkCopyShape(dst: Tensor, src: Tensor): void {
  if (src.shape !== dst.shape && !sameShape(broadcastShapes(dst.shape, src.shape), dst.shape)) {
    throw new ShapeError(`output with shape ${shapeStr(dst.shape)} doesn't match the broadcast shape ${shapeStr(broadcastShapes(dst.shape, src.shape))}`);
  }
}

/** Writes src (broadcast to dst's shape, converted to dst's dtype) into dst. */
export function copyInto(dst: Tensor, src: Tensor): Tensor {
  checkCopyShape(dst, src);
  // Reading and writing overlapping memory in one pass would read values already overwritten.
  if (src._storage === dst._storage && src !== dst) src = clone(src);
  launch('copy', [dst, src]);
  return dst;
}

/** A contiguous tensor with the same values: t itself when already contiguous. */
export function contiguous(t: Tensor): Tensor {
  return isContiguous(t.shape, t._strides) ? t : clone(t);
}

/** A new tensor with a copy of t's values (contiguous). */
export function clone(t: Tensor): Tensor {
  return record('clone', copyInto(emptyTensor(t.shape, t.dtype), t), [t]);
}

/** t converted to dtype: t itself when it already has it, else a converted copy. */
export function toDtype(t: Tensor, dtype: DTypeLike): Tensor {
  const d = toDType(dtype);
  return d === t.dtype ? t : record('toDtype', copyInto(emptyTensor(t.shape, d), t), [t]);
}

/** dst.copy_(src): in place, recorded by autograd. */
export function copy_(dst: Tensor, src: Tensor): Tensor {
  return inPlace('copy', dst, [src], undefined, () => {
    // nothing may fail once dst's storage has handed its buffer on: the shape check first, and src
    // read (computed, if lazy) before dst changes
    checkCopyShape(dst, src);
    void src._storage.data;
    dst._storage.beforeWrite(isWhole(dst) && src._storage !== dst._storage);
    copyInto(dst, src);
    markWritten(dst);
  });
}

/** t.fill_(value) / t.zero_(): in place, recorded by autograd. */
export function fill_(t: Tensor, value: Scalar | Tensor, name?: string): Tensor {
  value = fillValue(value, t.dtype, 'fill_');
  return inPlace('fill', t, [], undefined, () => {
    const whole = isWhole(t);
    if (whole && Object.is(scalarNumber(value), 0)) {
      t._storage.setZero(); // written when next read, or never (a product into a zeroed .grad overwrites it)
    } else {
      t._storage.beforeWrite(whole);
      fillInto(t, value);
    }
    markWritten(t);
  }, name ?? 'FillBackward0');
}

/** Sets every element of t (any view) to value; not recorded by autograd. */
export function fillInto(t: Tensor, value: Scalar): Tensor {
  if (inexactAsNumber(value)) {
    // an int64 beyond 2^53 is not a JavaScript number: copied from one int64 element instead
    return copyInto(t, int64Scalar(value, t.shape));
  }
  launch('fill', [t], { value: scalarNumber(value) });
  return t;
}
