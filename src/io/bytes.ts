/**
 * What the file formats share: reading byte ranges from a file or a buffer with the bounds checked,
 * turning stored elements (any width, either byte order) into tensors, and a tensor's bytes.
 */
import * as fs from 'node:fs';
import { endianness } from 'node:os';
import type { DType, TypedArray } from '../dtype';
import { FormatError } from '../errors';
import { emptyTensor } from '../ops/common';
import { contiguous } from '../ops/copy';
import { numel } from '../shape';
import type { Tensor } from '../tensor';

const HOST_LITTLE_ENDIAN = endianness() === 'LE';

/** Bytes to read tensors from: a file (read as needed) or a buffer in memory (an .npz member). */
export interface ByteSource {
  /** The file's path or the member's name, for messages. */
  readonly name: string;
  readonly size: number;
  /** Fills `into` with the bytes at [position, position + into.length), which must lie in the source. */
  readInto(into: Uint8Array, position: number): void;
}

export function fileSource(fd: number, name: string): ByteSource {
  const size = fs.fstatSync(fd).size;
  return {
    name,
    size,
    readInto(into, position) {
      checkRange(this, position, into.length);
      for (let done = 0; done < into.length; ) {
        const n = fs.readSync(fd, into, done, into.length - done, position + done);
        if (n === 0) throw new FormatError(`${name}: the file ended early (it changed while being read?)`);
        done += n;
      }
    },
  };
}

export function bufferSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    readInto(into, position) {
      checkRange(this, position, into.length);
      into.set(bytes.subarray(position, position + into.length));
    },
  };
}

function checkRange(src: ByteSource, position: number, length: number): void {
  if (position < 0 || position + length > src.size) {
    throw new FormatError(`${src.name}: needs bytes ${position} to ${position + length}, but it has ${src.size}`);
  }
}

/** Reads a whole file through `read`, closing it afterwards. */
export function withFile<T>(path: string, read: (src: ByteSource) => T): T {
  const fd = fs.openSync(path, 'r');
  try {
    return read(fileSource(fd, path));
  } finally {
    fs.closeSync(fd);
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
 * The caller has checked that the bytes lie in the file, so nothing larger than it is allocated.
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

/** Reads `shape` elements stored as `stored` at `position` of `src` into a new tensor. */
export function readTensor(src: ByteSource, position: number, shape: readonly number[], stored: Stored): Tensor {
  const r = tensorReader(shape, stored, src.name);
  src.readInto(r.into, position);
  return r.finish();
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

/** A tensor's elements as little-endian bytes in C order (a view of its storage when it already is). */
export function tensorBytes(t: Tensor): Uint8Array {
  const c = contiguous(t.detach());
  const data = c._storage.data;
  const size = data.BYTES_PER_ELEMENT;
  const raw = new Uint8Array(data.buffer, data.byteOffset + c._offset * size, c.numel() * size);
  if (HOST_LITTLE_ENDIAN || size === 1) return raw;
  const copy = raw.slice();
  swapBytes(copy, size);
  return copy;
}

/** Writes all of `chunks` to a new file at `path` (replacing it). */
export function writeFile(path: string, chunks: Iterable<Uint8Array>): void {
  const fd = fs.openSync(path, 'w');
  try {
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length; ) done += fs.writeSync(fd, chunk, done, chunk.length - done);
    }
  } finally {
    fs.closeSync(fd);
  }
}

export async function writeFileAsync(path: string, chunks: Iterable<Uint8Array>): Promise<void> {
  const fh = await fs.promises.open(path, 'w');
  try {
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length; ) done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
    }
  } finally {
    await fh.close();
  }
}
