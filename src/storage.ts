/**
 * Storage: the memory behind tensors (a typed array), shared by all views of it, with the version
 * counter autograd uses to notice in-place changes to saved tensors.
 */
import { constants as bufferConstants } from 'node:buffer';
import { itemsize, typedArrayCtor, type DType, type TypedArray } from './dtype';
import { native } from './native';
import type { Tensor } from './tensor';

export class Storage {
  /** Bumped by every in-place write through any view of this storage. */
  version = 0;
  /** Held by something longer-lived than the tg.scope() that made it (a .grad, a parameter, optimizer state). */
  kept = false;
  private elements: TypedArray | null;
  constructor(
    data: TypedArray,
    readonly dtype: DType,
  ) {
    this.elements = data;
  }

  /** The elements; an Error once release() has given the memory back. */
  get data(): TypedArray {
    if (this.elements === null) {
      throw new Error("this tensor's memory was released by dispose() (or by the tg.scope() that made it), so it can no longer be used");
    }
    return this.elements;
  }

  get released(): boolean {
    return this.elements === null;
  }

  /**
   * Gives the memory back now: a buffer of its own is detached, which frees it at once and leaves
   * any view of it empty; memory carved from a shared slab (the addon detaches only a typed array
   * spanning its whole buffer) goes when the slab does.
   */
  release(): void {
    if (this.elements === null) return;
    const data = this.elements;
    this.elements = null;
    native.release(data);
  }
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
  const s = new Storage(allocateData(dtype, count, zeroed), dtype);
  if (tracker !== null) tracker(s);
  return s;
}

function allocateData(dtype: DType, count: number, zeroed: boolean): TypedArray {
  const bytes = count * itemsize(dtype);
  if (bytes <= SMALL_BYTES) {
    const [buffer, offset] = carve(bytes);
    const data = new (typedArrayCtor(dtype))(buffer, offset, count);
    if (zeroed) (data as { fill(v: number | bigint): unknown }).fill(dtype === 'int64' ? 0n : 0);
    return data;
  }
  if (!Number.isSafeInteger(bytes) || bytes > bufferConstants.MAX_LENGTH) {
    throw new RangeError(
      `cannot allocate a ${dtype} tensor of ${count} elements (${bytes} bytes): ` +
        `more than the largest buffer Node.js can hold (${bufferConstants.MAX_LENGTH} bytes)`,
    );
  }
  const Ctor = typedArrayCtor(dtype);
  try {
    if (zeroed) return new Ctor(count);
    return new Ctor(Buffer.allocUnsafeSlow(bytes).buffer, 0, count);
  } catch (e) {
    throw new RangeError(`out of memory allocating a ${dtype} tensor of ${count} elements (${bytes} bytes): ${String(e)}`);
  }
}

// tg.scope() (scope.ts) sees every storage allocated while one is open.
let tracker: ((s: Storage) => void) | null = null;
export function setTracker(f: ((s: Storage) => void) | null): void {
  tracker = f;
}

/** Marks t's memory as held by something that outlives any tg.scope() (a .grad, a parameter, optimizer state). */
export function keep<T extends Tensor | null | undefined>(t: T): T {
  if (t) t._storage.kept = true;
  return t;
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
