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
import { isTensor, type Storage } from '../storage';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { clone } from './copy';

/**
 * A tensor's elements described with another shape and strides (a reduction's output with its
 * reduced dims kept, say). It carries the fields of a Tensor that launch reads.
 */
export class Reshaped {
  /** @internal */ readonly _storage: Storage;
  /** @internal */ readonly _offset: number;
  /** @internal */ readonly _strides: readonly number[];
  constructor(tensor: Tensor, readonly shape: readonly number[], strides: readonly number[]) {
    this._storage = tensor._storage;
    this._offset = tensor._offset;
    this._strides = strides;
  }
}

/** An operand: a tensor, a number (a scalar), null (absent), a generator's state, a tensor reshaped, or a typed array standing for a 1-D tensor of all its elements. */
export type KernelOperand = Tensor | number | null | Uint32Array | Reshaped | TypedArray;
/** A kernel's parameters by name (numbers and booleans; see native.ops for the names each kernel takes). */
export type KernelParams = object;

const META = native.meta;
const NO_PARAMS: KernelParams = Object.freeze({});
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Writes a kernel's parameters after the operand records; returns the next position. */
type ParamWriter = (meta: Float64Array, pos: number, params: KernelParams) => number;

/**
 * The parameter writer of a kernel, compiled from its parameter names: each kernel's own code,
 * so that reading the names stays a fast, monomorphic property load however many kernels run.
 */
function paramWriter(kernel: string, names: readonly string[]): ParamWriter {
  const lines = names.map((n, i) => {
    const key = JSON.stringify(camel(n));
    return `v = p[${key}]; if (typeof v !== 'number' && typeof v !== 'boolean') bad(${key}); meta[pos + ${i}] = +v;`;
  });
  const bad = (n: string) => {
    throw new TypeError(`${kernel}: missing kernel parameter ${n}`);
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('bad', `return function (meta, pos, p) { let v; ${lines.join(' ')} return pos + ${names.length}; };`)(bad) as ParamWriter;
}

/** A kernel and the writer of its parameters. */
interface Kernel {
  readonly run: (...args: KernelData[]) => void;
  readonly params: ParamWriter;
}
const KERNEL = new Map<string, Kernel>(
  Object.entries(native.ops).map(([k, spec]) => [k, { run: native[k as KernelName], params: paramWriter(k, spec.params) }]),
);

/** Tensors and Reshaped operands share these fields. */
type Described = Pick<Tensor, '_storage' | '_offset' | 'shape' | '_strides'>;

function dataOf(a: KernelOperand): KernelData {
  if (typeof a !== 'object' || a === null) return a;
  if (ArrayBuffer.isView(a)) return a as TypedArray | Uint32Array;
  return (a as Described)._storage.data;
}

function writeRecord(a: KernelOperand, pos: number): number {
  if (typeof a !== 'object' || a === null || a instanceof Uint32Array) {
    META[pos] = 0;
    META[pos + 1] = 0;
    return pos + 2;
  }
  if (ArrayBuffer.isView(a)) {
    META[pos] = 0;
    META[pos + 1] = 1;
    META[pos + 2] = (a as TypedArray).length;
    META[pos + 3] = 1;
    return pos + 4;
  }
  const t = a as Described, shape = t.shape, strides = t._strides, n = shape.length;
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
  const o = operands, k = KERNEL.get(name) as Kernel;
  // Reading a storage may compute a lazy tensor (a kernel call of its own): every operand's data
  // is read before this call's metadata is written. One argument per operand, without an array
  // to spread for the usual counts.
  switch (o.length) {
    case 1: {
      const d0 = dataOf(o[0]);
      writeCall(k, o, params);
      return k.run(d0);
    }
    case 2: {
      const d0 = dataOf(o[0]), d1 = dataOf(o[1]);
      writeCall(k, o, params);
      return k.run(d0, d1);
    }
    case 3: {
      const d0 = dataOf(o[0]), d1 = dataOf(o[1]), d2 = dataOf(o[2]);
      writeCall(k, o, params);
      return k.run(d0, d1, d2);
    }
    default: {
      const data = o.map(dataOf);
      writeCall(k, o, params);
      return k.run(...data);
    }
  }
}

/** Writes the operands' records and the parameters into the metadata buffer. */
function writeCall(k: Kernel, o: readonly KernelOperand[], params: KernelParams): void {
  let pos = 1;
  for (let i = 0; i < o.length; i++) pos = writeRecord(o[i], pos);
  META[0] = k.params(META, pos, params) - 1;
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
