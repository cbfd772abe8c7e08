/**
 * Storage: the memory behind tensors (a typed array), shared by all views of it, with the version
 * counter autograd uses to notice in-place changes to saved tensors.
 */
import { constants as bufferConstants } from 'node:buffer';
import { itemsize, typedArrayCtor, type DType, type TypedArray } from './dtype';
import { native } from './native';
import type { Tensor } from './tensor';

/**
 * A value a storage holds but has not computed yet: zeros (zero_() on a whole tensor), or `factor`
 * times the elements of another storage (`g.mul(lr)` on a whole tensor) or of its own buffer (the
 * source's old buffer, handed over when the source was overwritten).
 */
type Pending = { kind: 'zero' } | { kind: 'scale'; src: Storage | null; srcVersion: number; factor: number };

/** Computes out = src * factor elementwise exactly as the mul kernel does; registered by ops (lazy.ts). */
type Scaler = (out: TypedArray, src: TypedArray, factor: number) => void;
let scaler: Scaler | undefined;
export function registerScaler(f: Scaler): void {
  scaler = f;
}

/** Storages that read another one lazily: at most this many; the oldest is computed to make room. */
const MAX_DEPENDENTS = 8;

export class Storage {
  /** Bumped by every in-place write through any view of this storage. */
  version = 0;
  /** Held by something longer-lived than the tg.scope() that made it (a .grad, a parameter, optimizer state). */
  kept = false;
  private elements: TypedArray | null;
  private pending: Pending | null = null;
  /** Lazy storages whose value is computed from this one's elements (see Pending). */
  private dependents: Storage[] | null = null;
  private gone = false;
  constructor(
    data: TypedArray | null,
    readonly dtype: DType,
    /** Elements. */
    readonly length: number = (data as TypedArray).length,
  ) {
    this.elements = data;
  }

  /** The elements (computed first if pending); an Error once release() has given the memory back. */
  get data(): TypedArray {
    if (this.pending !== null) this.compute();
    if (this.elements === null) throw releasedError();
    return this.elements;
  }

  get released(): boolean {
    return this.gone;
  }

  /** Whether the value is all zeros not yet written (zero_() on the whole storage). */
  get pendingZero(): boolean {
    return this.pending !== null && this.pending.kind === 'zero';
  }

  /** The source and factor when this storage is `factor * src` not yet computed, with src unchanged since. */
  pendingScale(): { src: Storage; factor: number } | null {
    const p = this.pending;
    return p !== null && p.kind === 'scale' && p.src !== null ? { src: p.src, factor: p.factor } : null;
  }

  /**
   * Must be called before anything writes into this storage's elements (with `whole`: when the
   * write overwrites every element, and only once it can no longer fail). Lazy storages that read
   * it are computed first, or, when the write replaces everything, one takes over the old buffer as
   * it is (its value is a scaling of it) and this storage gets a new one: a `g.mul(lr)` nobody
   * reads any more never costs a pass. Whatever fails (an allocation) fails before anything changed.
   */
  beforeWrite(whole = false): void {
    if (this.gone) throw releasedError();
    this.handOff(whole, true);
    if (whole && this.pendingZero) {
      if (this.elements === null) this.elements = allocateData(this.dtype, this.length, false);
      this.pending = null; // overwritten anyway
    }
  }

  /**
   * Computes the lazy storages reading this one, or (whole) hands the old buffer to one of them,
   * putting a new one (replace) or none in its place.
   */
  private handOff(whole: boolean, replace: boolean): void {
    const deps = this.dependents;
    if (deps === null) return;
    const readers = deps.filter((d) => d.readsFrom(this));
    const handing = whole && this.pending === null && this.elements !== null && readers.length > 0;
    const fresh = handing && replace ? allocateData(this.dtype, this.length, false) : null;
    const heir = handing ? readers.pop() : undefined;
    for (const d of readers) d.compute(); // each leaves the list; one that fails leaves the rest as they were
    if (heir !== undefined) {
      heir.adopt(this.elements as TypedArray);
      this.elements = fresh;
    }
    this.dependents = null;
  }

  /** Marks the whole storage as zeros, written only when read (see claimWhole for writers that need no zeros). */
  setZero(): void {
    if (this.gone) throw releasedError();
    this.handOff(true, false);
    this.detachFromSource();
    this.pending = { kind: 'zero' };
  }

  /**
   * For a writer that overwrites the whole storage anyway (a product with beta = 0): drops a
   * pending zero and returns the elements, allocated without zero-filling where there were none.
   */
  claimWhole(): TypedArray {
    if (this.gone) throw releasedError();
    this.handOff(true, true);
    const data = this.elements ?? allocateData(this.dtype, this.length, false);
    this.detachFromSource();
    this.elements = data;
    this.pending = null;
    return data;
  }

  /** Makes this storage `factor * src` (src's elements as they are now), computed when first read. */
  static lazyScale(src: Storage, factor: number): Storage {
    const s = new Storage(null, src.dtype, src.length);
    s.pending = { kind: 'scale', src, srcVersion: src.version, factor };
    const deps = (src.dependents ??= []);
    if (deps.length >= MAX_DEPENDENTS) deps[0].compute();
    deps.push(s);
    if (tracker !== null) tracker(s);
    return s;
  }

  /**
   * Gives the memory back now: a buffer of its own is detached, which frees it at once and leaves
   * any view of it empty; memory carved from a shared slab (the addon detaches only a typed array
   * spanning its whole buffer) goes when the slab does. Lazy storages reading it take it over first.
   */
  release(): void {
    if (this.gone) return;
    this.handOff(true, false);
    this.detachFromSource();
    this.gone = true;
    this.pending = null;
    const data = this.elements;
    this.elements = null;
    if (data !== null) native.release(data);
  }

  private readsFrom(src: Storage): boolean {
    const p = this.pending;
    return p !== null && p.kind === 'scale' && p.src === src;
  }

  /** src is about to be overwritten: its old buffer becomes ours, scaled when read. */
  private adopt(buffer: TypedArray): void {
    const p = this.pending as Pending & { kind: 'scale' };
    this.elements = buffer;
    this.pending = { kind: 'scale', src: null, srcVersion: 0, factor: p.factor };
  }

  /** No longer reads src: leaves its list of dependents. */
  private detachFromSource(): void {
    const p = this.pending;
    if (p === null || p.kind !== 'scale' || p.src === null) return;
    const deps = p.src.dependents;
    const i = deps === null ? -1 : deps.indexOf(this);
    if (i >= 0) (deps as Storage[]).splice(i, 1);
  }

  /** Writes the pending value into the elements; on failure (an allocation) it stays pending. */
  private compute(): void {
    const p = this.pending;
    if (p === null || this.gone) return;
    if (p.kind === 'zero') {
      if (this.elements === null) this.elements = allocateData(this.dtype, this.length, true);
      else (this.elements as { fill(v: number | bigint): unknown }).fill(this.dtype === 'int64' ? 0n : 0);
      this.pending = null;
      return;
    }
    if (p.src !== null && p.src.version !== p.srcVersion) {
      throw new Error('internal error: a lazily scaled tensor\'s source was written without beforeWrite()');
    }
    const from = p.src === null ? (this.elements as TypedArray) : p.src.data;
    const out = this.elements ?? allocateData(this.dtype, this.length, false);
    (scaler as Scaler)(out, from, p.factor);
    this.detachFromSource();
    this.elements = out;
    this.pending = null;
  }
}

function releasedError(): Error {
  return new Error("this tensor's memory was released by dispose() (or by the tg.scope() that made it), so it can no longer be used");
}

// Small tensors (up to 4 KB: 1024 float32 elements) are carved out of shared slabs, as Node.js
// carves small Buffers out of its pool: creating an ArrayBuffer costs 1-3 us whatever its size (most
// of it the C library's heap lock, which V8's sweeper thread holds while it frees collected
// buffers), a view of a slab a tenth of that. The price is Node's too: a small tensor kept alive
// keeps its slab (64 KB) alive.
const SLAB_BYTES = 65536;
const SMALL_BYTES = 4096;
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

/**
 * Marks that t's memory has just been written in place: bumps its storage's version, which
 * autograd compares against the versions it saved to catch changes to tensors saved for backward.
 */
export function markWritten(t: Tensor): void {
  t._storage.version++;
}

type TensorClass = abstract new (...args: never[]) => Tensor;
/** The Tensor class, registered by tensor.ts when it loads (this floor cannot import it). */
let tensorClass: TensorClass = class {} as unknown as TensorClass;

/**
 * Whether x is a Tensor. An instanceof test, not a property lookup: this runs on every op with
 * values of every kind, where a property lookup's inline cache would go megamorphic.
 */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof tensorClass;
}

// Ops live on a floor below tensor.ts and create their results through this factory, which
// tensor.ts registers when it loads.
type Factory = (storage: Storage, shape: readonly number[], strides: readonly number[], offset: number) => Tensor;
let factory: Factory | undefined;

export function registerTensorFactory(f: Factory, cls: TensorClass): void {
  factory = f;
  tensorClass = cls;
}

/** A tensor over `storage` with the given geometry (elements, not bytes). */
export function makeTensor(storage: Storage, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return (factory as Factory)(storage, shape, strides, offset);
}
