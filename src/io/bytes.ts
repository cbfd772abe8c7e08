/**
 * What the file formats share: reading byte ranges from a file with the bounds checked, turning
 * stored elements (any width, either byte order) into tensors, a tensor's bytes, and the loaders'
 * option `maxBytes`.
 */
import * as fs from 'node:fs';
import { endianness } from 'node:os';
import { itemsize, type DType, type TypedArray } from '../dtype';
import { FormatError } from '../errors';
import { emptyTensor } from '../ops/common';
import { contiguous } from '../ops/copy';
import { checkOptions } from '../options';
import { numel } from '../shape';
import type { Storage } from '../storage';
import type { Tensor } from '../tensor';

const HOST_LITTLE_ENDIAN = endianness() === 'LE';
/** The most bytes one read or write call moves (Node.js refuses more than 2 GiB at once). */
export const IO_CHUNK = 1 << 30;

// ---- options -------------------------------------------------------------------------------------

export interface LoadOptions {
  /**
   * The most bytes the file may make the loader allocate (its tensors, and its header where it is
   * read whole): a file asking for more is refused (a RangeError) before the loader allocates more
   * than that. For files from untrusted sources. Default: no limit.
   */
  maxBytes?: number;
}

/** Checks a loader's options; returns the byte limit (Infinity when none). */
export function loadLimit(fn: string, opts: LoadOptions | undefined): number {
  checkOptions(fn, opts, { maxBytes: 'number' });
  const max = opts?.maxBytes ?? Infinity;
  if (!(max >= 0)) throw new RangeError(`${fn}(): maxBytes must be a non-negative number, but got ${max}`);
  return max;
}

/** Refuses a file that asks for more than maxBytes. */
export function checkLimit(fn: string, name: string, bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) throw limitError(fn, name, bytes, maxBytes);
}

export function limitError(fn: string, name: string, bytes: number, maxBytes: number): RangeError {
  return new RangeError(`${fn}(): ${name} asks for ${bytes} bytes, more than maxBytes (${maxBytes})`);
}

/** The bytes a tensor of `shape` read from elements stored as `stored` allocates (see tensorReader). */
export function loadedBytes(shape: readonly number[], stored: Stored): number {
  const dtype = loadedDtype(stored);
  const own = storedOf(dtype);
  const staging = own.kind === stored.kind && own.size === stored.size ? 0 : stored.size;
  return numel(shape) * (itemsize(dtype) + staging);
}

// ---- reading files -------------------------------------------------------------------------------

/** Bytes to read tensors from: a file, read as needed. */
export interface ByteSource {
  /** The file's path, for messages. */
  readonly name: string;
  readonly size: number;
  /** Fills `into` with the bytes at [position, position + into.length), which must lie in the source. */
  readInto(into: Uint8Array, position: number): void;
}

/** What fstat says of an open file: its size, once it is known to be a regular file. */
function regularFileSize(stat: fs.Stats, name: string): number {
  if (!stat.isFile()) {
    const what = stat.isDirectory() ? 'a directory' : stat.isCharacterDevice() ? 'a character device' : stat.isFIFO() ? 'a pipe' : stat.isSocket() ? 'a socket' : 'a special file';
    throw new FormatError(`${name}: not a regular file (it is ${what})`);
  }
  return stat.size;
}

/** O_NONBLOCK, so that opening a named pipe fails its fstat check instead of waiting for a writer. */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

const endedEarly = (name: string) => new FormatError(`${name}: the file ended early (it changed while being read?)`);

export function fileSource(fd: number, name: string, size = regularFileSize(fs.fstatSync(fd), name)): ByteSource {
  return {
    name,
    size,
    readInto(into, position) {
      checkRange(this, position, into.length);
      for (let done = 0; done < into.length; ) {
        const n = fs.readSync(fd, into, done, Math.min(into.length - done, IO_CHUNK), position + done);
        if (n === 0) throw endedEarly(name);
        done += n;
      }
    },
  };
}

function checkRange(src: { name: string; size: number }, position: number, length: number): void {
  if (position < 0 || position + length > src.size) {
    throw new FormatError(`${src.name}: needs bytes ${position} to ${position + length}, but it has ${src.size}`);
  }
}

/** Reads a whole (regular) file through `read`, closing it afterwards. Nothing past its size at open is read. */
export function withFile<T>(path: string, read: (src: ByteSource) => T): T {
  const fd = fs.openSync(path, OPEN_FLAGS);
  try {
    return read(fileSource(fd, path));
  } finally {
    fs.closeSync(fd);
  }
}

/** A file read asynchronously: `readInto` resolves when `into` is filled. */
export interface AsyncByteSource {
  readonly name: string;
  readonly size: number;
  readInto(into: Uint8Array, position: number): Promise<void>;
  /** The same file read synchronously, for small reads (a header, a directory) that need many. */
  readonly sync: ByteSource;
}

/** withFile() for async readers. */
export async function withFileAsync<T>(path: string, read: (src: AsyncByteSource) => Promise<T>): Promise<T> {
  const fh = await fs.promises.open(path, OPEN_FLAGS);
  try {
    const size = regularFileSize(await fh.stat(), path);
    const src: AsyncByteSource = {
      name: path,
      size,
      sync: fileSource(fh.fd, path, size),
      async readInto(into: Uint8Array, position: number) {
        checkRange(src, position, into.length);
        for (let done = 0; done < into.length; ) {
          const { bytesRead } = await fh.read(into, done, Math.min(into.length - done, IO_CHUNK), position + done);
          if (bytesRead === 0) throw endedEarly(path);
          done += bytesRead;
        }
      },
    };
    return await read(src);
  } finally {
    await fh.close();
  }
}

/** How elements are stored in a file: kind (float, signed, unsigned, bool, bfloat16), width, byte order. */
export interface Stored {
  kind: 'f' | 'i' | 'u' | 'b' | 'bf';
  size: 1 | 2 | 4 | 8;
  littleEndian: boolean;
}

/**
 * The tensor dtype a stored type loads as: the same type where tensorgrad has it; narrower integers
 * widen to int32 (uint32 and uint64 to int64), float16 and bfloat16 to float32.
 */
export function loadedDtype(s: Stored): DType {
  if (s.kind === 'b') return 'bool';
  if (s.kind === 'f' || s.kind === 'bf') return s.size === 8 ? 'float64' : 'float32';
  if (s.kind === 'i') return s.size === 8 ? 'int64' : 'int32';
  return s.size >= 4 ? 'int64' : 'int32';
}

/** The stored type a tensor of dtype is written as, little-endian. */
export function storedOf(dtype: DType): Stored {
  switch (dtype) {
    case 'float32': return { kind: 'f', size: 4, littleEndian: true };
    case 'float64': return { kind: 'f', size: 8, littleEndian: true };
    case 'int32': return { kind: 'i', size: 4, littleEndian: true };
    case 'int64': return { kind: 'i', size: 8, littleEndian: true };
    case 'bool': return { kind: 'b', size: 1, littleEndian: true };
  }
}

/**
 * A new tensor of `shape` for elements stored as `stored`: `into` is where the stored bytes go
 * (the tensor's own memory when the layout is the same), `finish()` converts them and returns it.
 * The caller has checked the size against the file and maxBytes (loadedBytes) first.
 */
export function tensorReader(shape: readonly number[], stored: Stored, name: string): { into: Uint8Array; finish(): Tensor } {
  const dtype = loadedDtype(stored);
  const out = emptyTensor(shape, dtype);
  const data = out._storage.data;
  const count = numel(shape);
  const own = storedOf(dtype);
  const direct = own.kind === stored.kind && own.size === stored.size;
  const into = direct ? new Uint8Array(data.buffer, data.byteOffset, count * stored.size) : new Uint8Array(count * stored.size);
  return {
    into,
    finish() {
      if (stored.size > 1 && stored.littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(into, stored.size);
      if (!direct) widen(into, stored, data, count, name);
      else if (dtype === 'bool') for (let i = 0; i < count; i++) into[i] = into[i] !== 0 ? 1 : 0;
      return out;
    },
  };
}

function swapBytes(raw: Uint8Array, size: number): void {
  for (let i = 0; i < raw.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = raw[a];
      raw[a] = raw[b];
      raw[b] = t;
    }
  }
}

/** Converts stored elements (in host byte order) into the wider dtype's array `out`. */
function widen(raw: Uint8Array, s: Stored, out: TypedArray, count: number, name: string): void {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = HOST_LITTLE_ENDIAN;
  const f32 = out as Float32Array, i32 = out as Int32Array, i64 = out as BigInt64Array;
  const key = `${s.kind}${s.size}`;
  switch (key) {
    case 'f2': for (let i = 0; i < count; i++) f32[i] = halfToFloat(v.getUint16(2 * i, le)); return;
    case 'bf2': for (let i = 0; i < count; i++) f32[i] = bfloat16ToFloat(v.getUint16(2 * i, le)); return;
    case 'i1': for (let i = 0; i < count; i++) i32[i] = v.getInt8(i); return;
    case 'u1': for (let i = 0; i < count; i++) i32[i] = v.getUint8(i); return;
    case 'i2': for (let i = 0; i < count; i++) i32[i] = v.getInt16(2 * i, le); return;
    case 'u2': for (let i = 0; i < count; i++) i32[i] = v.getUint16(2 * i, le); return;
    case 'u4': for (let i = 0; i < count; i++) i64[i] = BigInt(v.getUint32(4 * i, le)); return;
    case 'u8':
      for (let i = 0; i < count; i++) {
        const x = v.getBigUint64(8 * i, le);
        if (x > 0x7fffffffffffffffn) throw new FormatError(`${name}: the uint64 value ${x} does not fit in int64`);
        i64[i] = x;
      }
      return;
    default:
      throw new FormatError(`${name}: cannot load elements stored as ${key}`);
  }
}

const BF16 = new Float32Array(1);
const BF16_BITS = new Uint32Array(BF16.buffer);

/** bfloat16 is the top half of a float32. */
function bfloat16ToFloat(b: number): number {
  BF16_BITS[0] = b << 16;
  return BF16[0];
}

/** IEEE 754 half precision to single. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * A tensor's elements as little-endian bytes in C order: a view of its storage when it already is,
 * unless `copy` (then never memory the tensor or its views can write).
 */
export function tensorBytes(t: Tensor, copy = false): Uint8Array {
  const c = contiguous(t.detach());
  const data = c._storage.data;
  const size = data.BYTES_PER_ELEMENT;
  const raw = new Uint8Array(data.buffer, data.byteOffset + c._offset * size, c.numel() * size);
  if (HOST_LITTLE_ENDIAN || size === 1) return copy && c._storage === t._storage ? raw.slice() : raw;
  const swapped = raw.slice();
  swapBytes(swapped, size);
  return swapped;
}

/**
 * All of a storage's elements as little-endian bytes: a view of its memory, unless `copy` (then
 * never memory a tensor can write).
 */
export function storageBytes(s: Storage, copy = false): Uint8Array {
  const data = s.data;
  const size = data.BYTES_PER_ELEMENT;
  const raw = new Uint8Array(data.buffer, data.byteOffset, s.length * size);
  if (HOST_LITTLE_ENDIAN || size === 1) return copy ? raw.slice() : raw;
  const swapped = raw.slice();
  swapBytes(swapped, size);
  return swapped;
}
