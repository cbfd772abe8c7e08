/**
 * Running an elementwise kernel: broadcast the tensor operands to one shape, describe them in the
 * metadata, call the kernel. Numbers pass straight through as scalar operands.
 */
import type { DType } from '../dtype';
import { ShapeError, shapeStr } from '../errors';
import type { Operand } from '../native';
import { broadcastShapes, broadcastStrides, sameShape } from '../shape';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { clone } from './copy';
import * as meta from './meta';

export type KernelArg = Tensor | number;

const SCALAR_SHAPE: readonly number[] = Object.freeze([]);

/** The broadcast shape of the tensor operands (numbers broadcast to anything); an operand's own when all agree. */
export function broadcastAll(args: readonly KernelArg[]): readonly number[] {
  let shape: readonly number[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!isTensor(a)) continue;
    if (shape === undefined || shape === a.shape) shape = a.shape;
    else if (!sameShape(shape, a.shape)) shape = broadcastShapes(shape, a.shape);
  }
  return shape ?? SCALAR_SHAPE;
}

/**
 * Writes meta for `out` and the operands over out's shape and returns the kernel's arguments:
 * each operand's storage, or the number itself.
 */
export function describe(out: Tensor, args: readonly KernelArg[]): Operand[] {
  const data: Operand[] = new Array(args.length);
  meta.begin();
  meta.pushShape(out.shape);
  meta.pushOperand(out);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (isTensor(a)) {
      data[i] = a._storage.data;
      meta.pushOperand(a, a.shape === out.shape || sameShape(a.shape, out.shape) ? a._strides : broadcastStrides(a.shape, a._strides, out.shape));
    } else {
      data[i] = a;
    }
  }
  meta.end();
  return data;
}

/** A new tensor of `dtype` over the operands' broadcast shape. */
export function newOutput(args: readonly KernelArg[], dtype: DType): Tensor {
  return emptyTensor(broadcastAll(args), dtype);
}

/**
 * Prepares an in-place write into `self`: the operands must broadcast to self's shape, and any
 * operand that shares self's memory in a different layout is copied first.
 */
export function inPlaceArgs(self: Tensor, args: KernelArg[]): KernelArg[] {
  const shape = broadcastShapes(self.shape, broadcastAll(args));
  if (!sameShape(shape, self.shape)) {
    throw new ShapeError(`output with shape ${shapeStr(self.shape)} doesn't match the broadcast shape ${shapeStr(shape)}`);
  }
  return args.map((a) => (isTensor(a) && a._storage === self._storage && !sameGeometry(a, self) ? clone(a) : a));
}

function sameGeometry(a: Tensor, b: Tensor): boolean {
  return a._offset === b._offset && sameShape(a.shape, b.shape) && sameShape(a._strides, b._strides);
}
