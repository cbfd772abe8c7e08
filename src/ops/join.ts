/** Joining tensors: cat and stack. */
import { record } from '../autograd/graph';
import { resultType } from '../dtype';
import { ShapeError, shapeStr } from '../errors';
import { normalizeDim, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor, emptyTensor, promotionOf } from './common';
import { copyInto } from './copy';
import { narrow, unsqueeze } from './view';

function checkList(tensors: readonly Tensor[], op: string): void {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}(): argument 'tensors' must be an array of Tensors`);
  if (tensors.length === 0) throw new RangeError(`${op}(): expected a non-empty array of Tensors`);
  tensors.forEach((t, i) => checkTensor(t, op, `tensors[${i}]`));
}

/**
 * Concatenates along an existing dim; the result has the promoted dtype of the inputs.
 * @example tg.cat([tg.zeros(2, 3), tg.ones(1, 3)]).shape // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList(tensors, 'cat');
  return join(tensors, dim, 'CatBackward0');
}

function join(tensors: readonly Tensor[], dim: number, name: string): Tensor {
  // PyTorch's legacy rule: 1-D empty tensors are skipped whatever the other shapes.
  const parts = tensors.filter((t) => !(t.shape.length === 1 && t.shape[0] === 0));
  const dtype = resultType(tensors.map((t) => ({ ...promotionOf(t), kind: 'dim' as const })));
  if (parts.length === 0) return emptyTensor([0], dtype);
  const ref = parts[0];
  if (ref.shape.length === 0) throw new ShapeError('zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normalizeDim(dim, ref.shape.length);
  let total = 0;
  parts.forEach((t, i) => {
    if (t.shape.length !== ref.shape.length) {
      throw new ShapeError(
        `Tensors must have same number of dimensions: got ${ref.shape.length} and ${t.shape.length}`,
      );
    }
    for (let k = 0; k < ref.shape.length; k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new ShapeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${t.shape[k]} for tensor number ${i} in the array.`,
        );
      }
    }
    total += t.shape[d];
  });
  const shape = ref.shape.slice();
  shape[d] = total;
  const out = emptyTensor(shape, dtype);
  let at = 0;
  for (const t of parts) {
    copyInto(narrow(out, d, at, t.shape[d]), t);
    at += t.shape[d];
  }
  return record('cat', out, parts, { dim: d, sizes: parts.map((t) => t.shape[d]) }, name);
}

/**
 * Joins equal-shaped tensors along a new dim.
 * @example tg.stack([tg.zeros(3), tg.ones(3)], 1).shape // [3, 2]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList(tensors, 'stack');
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, ref.shape)) {
      throw new ShapeError(`stack expects each tensor to be equal size, but got ${shapeStr(ref.shape)} at entry 0 and ${shapeStr(t.shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim(dim, ref.shape.length + 1);
  return join(tensors.map((t) => unsqueeze(t, d)), d, 'StackBackward0');
}
