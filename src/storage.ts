/**
 * Storage: the memory behind tensors (a typed array), shared by all views of it, with the version
 * counter autograd uses to notice in-place changes to saved tensors.
 */
import { constants as bufferConstants } from 'node:buffer';
import { itemsize, typedArrayCtor, type DType, type TypedArray } from './dtype';
import type { Tensor } from './tensor';

export class Storage {
  /** Bumped by every in-place write through any view of this storage. */
  version = 0;
  constructor(
    readonly data: TypedArray,
    readonly dtype: DType,
  ) {}
}

// Small tensors are carved out of shared slabs, as Node.js carves small Buffers out of its pool:
// creating an ArrayBuffer costs about a microsecond whatever its size, a view of a slab a tenth
// of that. The price is Node's too: a small tensor kept alive keeps its slab (16 KB) alive.
const SLAB_BYTES = 16384;
const SMALL_BYTES = 512;
let slab: ArrayBuffer | null = null;
let slabUsed = SLAB_BYTES;

function carve(bytes: number): [ArrayBuffer, number] {
  let at = (slabUsed + 7) & ~7; // 8-byte aligned, for float64 and int64 views
  if (slab === null || at + bytes > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES).buffer as ArrayBuffer;
    at = 0;
  }
  slabUsed = at + bytes;
  return [slab, at];
}

/**
 * Allocates storage for `count` elements. `zeroed: false` skips zero-filling for outputs a kernel
 * overwrites entirely. Sizes beyond what Node.js can hold are a RangeError, never a crash.
 */
export function allocate(dtype: DType, count: number, zeroed = true): Storage {
  const bytes = count * itemsize(dtype);
  if (bytes <= SMALL_BYTES) {
    const [buffer, offset] = carve(bytes);
    const data = new (typedArrayCtor(dtype))(buffer, offset, count);
    if (zeroed) (data as { fill(v: number | bigint): unknown }).fill(dtype === 'int64' ? 0n : 0);
    return new Storage(data, dtype);
  }
  if (!Number.isSafeInteger(bytes) || bytes > bufferConstants.MAX_LENGTH) {
    throw new RangeError(
      `cannot allocate a ${dtype} tensor of ${count} elements (${bytes} bytes): ` +
        `more than the largest buffer Node.js can hold (${bufferConstants.MAX_LENGTH} bytes)`,
    );
  }
  const Ctor = typedArrayCtor(dtype);
  try {
    if (zeroed) return new Storage(new Ctor(count), dtype);
    const buffer = Buffer.allocUnsafeSlow(bytes).buffer;
    return new Storage(new Ctor(buffer, 0, count), dtype);
  } catch (e) {
    throw new RangeError(`out of memory allocating a ${dtype} tensor of ${count} elements (${bytes} bytes): ${String(e)}`);
  }
}

/** The brand every Tensor carries (on its prototype), for a cheap isTensor check below tensor.ts. */
export const TENSOR = Symbol.for('tensorgrad.Tensor');

// Ops live on a floor below tensor.ts and create their results through this factory, which
// tensor.ts registers when it loads.
type Factory = (storage: Storage, shape: readonly number[], strides: readonly number[], offset: number) => Tensor;
let factory: Factory | undefined;

export function registerTensorFactory(f: Factory): void {
  factory = f;
}

/** A tensor over `storage` with the given geometry (elements, not bytes). */
export function makeTensor(storage: Storage, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return (factory as Factory)(storage, shape, strides, offset);
}
