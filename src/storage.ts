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

/**
 * Allocates storage for `count` elements. `zeroed: false` skips zero-filling for outputs a kernel
 * overwrites entirely. Sizes beyond what Node.js can hold are a RangeError, never a crash.
 */
export function allocate(dtype: DType, count: number, zeroed = true): Storage {
  const bytes = count * itemsize(dtype);
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
