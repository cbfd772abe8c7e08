/**
 * The one way TypeScript calls a kernel: `launch(name, operands, params)` writes each operand's
 * record (offset, ndim, sizes, strides) and the named parameters into the metadata buffer the
 * addon owns, then calls the kernel with one argument per operand. The C++ half of the contract,
 * which checks all of it, is native/binding/call.h.
 *
 * Kernels derive their geometry (broadcasting, reduced dims, matrix layouts) from the records, so
 * operands go as they are: a tensor, a number standing for a scalar operand, null for an absent
 * optional one, a generator's state, a tensor described with another shape (`Reshaped`), or a
 * bare typed array (all its elements, as a 1-D tensor).
 */
import type { DType, TypedArray } from '../dtype';
import { ShapeError, shapeStr } from '../errors';
import { native, type KernelData, type KernelName } from '../native';
import { broadcastShapes, sameShape } from '../shape';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { clone } from './copy';

/** A tensor's elements described with another shape and strides (a reduction's output with its reduced dims kept, say). */
export class Reshaped {
  constructor(readonly tensor: Tensor, readonly shape: readonly number[], readonly strides: readonly number[]) {}
}

/** An operand: a tensor, a number (a scalar), null (absent), a generator's state, a tensor reshaped, or a typed array standing for a 1-D tensor of all its elements. */
export type KernelOperand = Tensor | number | null | Uint32Array | Reshaped | TypedArray;
/** A kernel's parameters by name (numbers and booleans; see native.ops for the names each kernel takes). */
export type KernelParams = object;

const META = native.meta;
const NO_PARAMS: KernelParams = Object.freeze({});
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** Each kernel's parameter names as TypeScript spells them, in the order the kernel reads them. */
const PARAMS = Object.fromEntries(Object.entries(native.ops).map(([k, spec]) => [k, spec.params.map(camel)])) as unknown as Record<KernelName, readonly string[]>;

function dataOf(a: KernelOperand): KernelData {
  if (a === null || typeof a === 'number') return a;
  if ((a as Tensor)._storage !== undefined) return (a as Tensor)._storage.data;
  return a instanceof Reshaped ? a.tensor._storage.data : (a as TypedArray | Uint32Array);
}

function writeRecord(a: KernelOperand, pos: number): number {
  let t: Tensor, shape: readonly number[], strides: readonly number[];
  if (a === null || typeof a === 'number' || a instanceof Uint32Array) {
    META[pos] = 0;
    META[pos + 1] = 0;
    return pos + 2;
  } else if ((a as Tensor)._storage !== undefined) {
    t = a as Tensor;
    shape = t.shape;
    strides = t._strides;
  } else if (a instanceof Reshaped) {
    t = a.tensor;
    shape = a.shape;
    strides = a.strides;
  } else {
    META[pos] = 0;
    META[pos + 1] = 1;
    META[pos + 2] = (a as TypedArray).length;
    META[pos + 3] = 1;
    return pos + 4;
  }
  const n = shape.length;
  META[pos++] = t._offset;
  META[pos++] = n;
  for (let i = 0; i < n; i++) META[pos + i] = shape[i];
  pos += n;
  for (let i = 0; i < n; i++) META[pos + i] = strides[i];
  return pos + n;
}

/**
 * Calls kernel `name` on the operands with the parameters it names (native.ops[name].params, camelCase
 * here; booleans pass as 0 or 1).
 * @example launch('softmax', [out, x], { dim: 1 })
 */
export function launch(name: KernelName, operands: readonly KernelOperand[], params: KernelParams = NO_PARAMS): void {
  const n = operands.length;
  // Reading a storage may compute a lazy tensor (a kernel call of its own): all before the metadata.
  const data: KernelData[] = new Array(n);
  for (let i = 0; i < n; i++) data[i] = dataOf(operands[i]);
  let pos = 1;
  for (let i = 0; i < n; i++) pos = writeRecord(operands[i], pos);
  const names = PARAMS[name];
  for (let i = 0; i < names.length; i++) {
    const v = (params as Record<string, unknown>)[names[i]];
    if (typeof v !== 'number' && typeof v !== 'boolean') throw new TypeError(`${name}: missing kernel parameter ${names[i]}`);
    META[pos++] = +v;
  }
  META[0] = pos - 1;
  (native[name] as (...args: KernelData[]) => void)(...data);
}

/** The broadcast shape of the tensor operands (numbers broadcast to anything); an operand's own when all agree. */
export function broadcastAll(args: readonly (Tensor | number)[]): readonly number[] {
  let shape: readonly number[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!isTensor(a)) continue;
    if (shape === undefined || shape === a.shape) shape = a.shape;
    else if (!sameShape(shape, a.shape)) shape = broadcastShapes(shape, a.shape);
  }
  return shape ?? SCALAR_SHAPE;
}

const SCALAR_SHAPE: readonly number[] = Object.freeze([]);

/** A new tensor of `dtype` over the operands' broadcast shape. */
export function newOutput(args: readonly (Tensor | number)[], dtype: DType): Tensor {
  return emptyTensor(broadcastAll(args), dtype);
}

/**
 * Prepares an in-place write into `self`: the operands must broadcast to self's shape, and any
 * operand that shares self's memory in a different layout is copied first.
 */
export function inPlaceArgs<A extends Tensor | number>(self: Tensor, args: A[]): A[] {
  const shape = broadcastShapes(self.shape, broadcastAll(args));
  if (!sameShape(shape, self.shape)) {
    throw new ShapeError(`output with shape ${shapeStr(self.shape)} doesn't match the broadcast shape ${shapeStr(shape)}`);
  }
  return args.map((a) => (isTensor(a) && a._storage === self._storage && !sameGeometry(a, self) ? (clone(a) as A) : a));
}

function sameGeometry(a: Tensor, b: Tensor): boolean {
  return a._offset === b._offset && sameShape(a.shape, b.shape) && sameShape(a._strides, b._strides);
}
