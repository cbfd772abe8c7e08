/**
 * tg.save and the reading half of tg.load (load.ts): tensors in the safetensors format (huggingface/safetensors). A file is an
 * 8-byte little-endian header length N, N bytes of JSON (`{"name": {"dtype": "F32", "shape": [2, 3],
 * "data_offsets": [begin, end]}, ..., "__metadata__": {"key": "value"}}`), then the tensors' bytes
 * back to back, little-endian, in C order.
 *
 * Files are written as the reference implementation writes them (tensors ordered by dtype, then by
 * name; the header padded with spaces to a multiple of 8 bytes), so the bytes are the same. Files
 * are read with its checks: a header of at most 100 MB that is JSON starting with '{', offsets that
 * cover the data exactly once with no gaps or overlaps, and each tensor's bytes agreeing with its
 * shape and dtype. Every check is made before any tensor is allocated, so a hostile file gets a
 * FormatError and never an allocation larger than the file (see safetensors-header.ts); the
 * loaders' `maxBytes` caps what a legitimate but large file may allocate.
 *
 * Saving writes a temporary file and renames it over the target (see write.ts): a crash midway
 * leaves the old file whole.
 */
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { checkLimit, loadedBytes, loadLimit, tensorBytes, tensorReader, withFile, type AsyncByteSource, type ByteSource, type LoadOptions } from './bytes';
import { DTYPES, headerLength, MAX_HEADER_BYTES, parseHeader, type Header } from './safetensors-header';
import { writeAtomic, writeAtomicAsync } from './write';

const ORDER = [...DTYPES.keys()];
const CODE_OF = { float32: 'F32', float64: 'F64', int32: 'I32', int64: 'I64', bool: 'BOOL' } as const;
const ITEMSIZE = { F32: 4, F64: 8, I32: 4, I64: 8, BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2 } as const;

/** Integer types a tensor can be narrowed to when saved (see SaveOptions.dtypes). */
export type NarrowDtype = 'U8' | 'I8' | 'I16' | 'U16';
const NARROW: Record<NarrowDtype, [number, number]> = { U8: [0, 255], I8: [-128, 127], I16: [-32768, 32767], U16: [0, 65535] };

/** Tensors by name: a plain object, a Map, or anything with stateDict() (a Module, an optimizer's tensors). */
export type TensorRecord = Record<string, Tensor> | Map<string, Tensor> | { stateDict(): Record<string, Tensor> };

/** The options only the safetensors format takes (see SaveOptions in save.ts). */
export interface SafetensorsOptions {
  metadata?: Record<string, string>;
  dtypes?: Record<string, NarrowDtype>;
}

function entriesOf(tensors: TensorRecord, fn: string): [string, Tensor][] {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (typeof (tensors as { stateDict?: unknown }).stateDict === 'function' && !isTensor(tensors)) {
    return Object.entries((tensors as { stateDict(): Record<string, Tensor> }).stateDict());
  }
  if (typeof tensors !== 'object' || tensors === null) throw new TypeError(`${fn}: expected an object of tensors, a Map or a module`);
  return Object.entries(tensors as Record<string, Tensor>);
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** A file to write: its first bytes (length and header), then each tensor's bytes, made when asked for. */
interface Serialized {
  head: Uint8Array[];
  tensors: ((copy: boolean) => Uint8Array)[];
}

/** Checks what save() was given (its options were checked by save.ts) and lays out the file; no tensor's bytes are made yet. */
function serialize(tensors: TensorRecord, opts: SafetensorsOptions | undefined, fn: string): Serialized {
  const metadata = opts?.metadata;
  const dtypes = opts?.dtypes ?? {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`${fn}: metadata values must be strings, but '${k}' is ${typeof v}`);
    }
  }
  const planned = entriesOf(tensors, fn).map(([name, t]) => {
    if (!isTensor(t)) throw new TypeError(`${fn}: '${name}' is not a Tensor`);
    if (name === '__metadata__') throw new TypeError(`${fn}: '__metadata__' is reserved for the metadata and cannot name a tensor`);
    const narrow = Object.hasOwn(dtypes, name) ? dtypes[name] : undefined;
    if (narrow !== undefined && !Object.hasOwn(NARROW, narrow)) {
      throw new TypeError(`${fn}: dtypes['${name}'] must be one of ${Object.keys(NARROW).join(', ')}, but got ${JSON.stringify(narrow)}`);
    }
    const code = narrow ?? CODE_OF[t.dtype];
    if (narrow !== undefined && t.dtype !== 'int32' && t.dtype !== 'int64' && t.dtype !== 'bool') {
      throw new TypeError(`${fn}: '${name}' is ${t.dtype}; only integer tensors can be stored as ${narrow}`);
    }
    const bytes = (copy: boolean) => (narrow !== undefined ? narrowed(t, name, narrow, fn) : tensorBytes(t, copy));
    return { name, t, code, key: utf8(name), length: t.numel() * ITEMSIZE[code], bytes };
  });
  for (const name of Object.keys(dtypes)) {
    if (!planned.some((p) => p.name === name)) throw new TypeError(`${fn}: dtypes names '${name}', which is not among the tensors`);
  }
  // The reference implementation's order: decreasing alignment, then by name (bytewise).
  planned.sort((a, b) => ORDER.indexOf(b.code) - ORDER.indexOf(a.code) || Buffer.compare(a.key, b.key));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const p of planned) {
    Object.defineProperty(header, p.name, {
      value: { dtype: p.code, shape: p.t.shape, data_offsets: [offset, offset + p.length] },
      enumerable: true,
    });
    offset += p.length;
  }
  let json = JSON.stringify(header);
  const length = utf8(json).length;
  json += ' '.repeat((8 - (length % 8)) % 8); // the data starts 8-byte aligned
  const jsonBytes = utf8(json);
  if (jsonBytes.length > MAX_HEADER_BYTES) throw new RangeError(`${fn}: the header would take ${jsonBytes.length} bytes, more than the format's ${MAX_HEADER_BYTES}`);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(jsonBytes.length));
  return { head: [prefix, jsonBytes], tensors: planned.map((p) => p.bytes) };
}

function narrowed(t: Tensor, name: string, code: NarrowDtype, fn: string): Uint8Array {
  const [lo, hi] = NARROW[code];
  const values = t.detach().contiguous().toTypedArray();
  const size = code === 'U8' || code === 'I8' ? 1 : 2;
  const out = new DataView(new ArrayBuffer(values.length * size));
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v < lo || v > hi) throw new RangeError(`${fn}: '${name}' holds ${values[i]}, which does not fit in ${code} [${lo}, ${hi}]`);
    if (size === 1) out.setUint8(i, v & 0xff);
    else out.setUint16(2 * i, v & 0xffff, true);
  }
  return new Uint8Array(out.buffer);
}

/** save() in the safetensors format (the file is replaced whole: see write.ts). */
export function saveSafetensors(tensors: TensorRecord, path: string, opts: SafetensorsOptions | undefined, fn: string): void {
  const s = serialize(tensors, opts, fn);
  writeAtomic(path, (out) => {
    for (const chunk of s.head) out.write(chunk);
    for (const bytes of s.tensors) out.write(bytes(false));
  });
}

/** saveAsync() in the safetensors format: the tensors' bytes are copied before it returns. */
export async function saveSafetensorsAsync(tensors: TensorRecord, path: string, opts: SafetensorsOptions | undefined, fn: string): Promise<void> {
  const s = serialize(tensors, opts, fn);
  const chunks = [...s.head, ...s.tensors.map((bytes) => bytes(true))];
  await writeAtomicAsync(path, chunks);
}

// ---- reading -------------------------------------------------------------------------------------

/** The bytes loading a file's tensors allocates, with its header. */
function asked(h: Header): number {
  return h.dataStart + h.entries.reduce((sum, e) => sum + loadedBytes(e.shape, e.stored), 0);
}

function readHeader(src: ByteSource, fn: string, maxBytes: number, wantMetadata = false): Header {
  const prefix = new Uint8Array(8);
  if (src.size >= 8) src.readInto(prefix, 0);
  const n = headerLength(prefix, src.size, src.name);
  checkLimit(fn, `${src.name}'s header`, n, maxBytes);
  const json = new Uint8Array(n);
  src.readInto(json, 8);
  return parseHeader(json, src.size, src.name, wantMetadata);
}

/** Loads the tensors of a safetensors file (see load() in load.ts), as a plain object in file order. */
export function loadSafetensors(src: ByteSource, fn: string, maxBytes: number): Record<string, Tensor> {
  const h = readHeader(src, fn, maxBytes);
  checkLimit(fn, src.name, asked(h), maxBytes);
  return Object.fromEntries(
    h.entries.map((e) => {
      const r = tensorReader(e.shape, e.stored, src.name);
      src.readInto(r.into, h.dataStart + e.begin);
      return [e.name, r.finish()];
    }),
  );
}

/**
 * The `__metadata__` of a safetensors file (null when it has none), without loading its tensors.
 * `{ maxBytes }` caps the header it reads.
 */
export function loadMetadata(path: string, opts?: LoadOptions): Record<string, string> | null {
  const maxBytes = loadLimit('loadMetadata', opts);
  const pairs = withFile(path, (src) => readHeader(src, 'loadMetadata', maxBytes, true).metadata);
  return pairs === null ? null : Object.fromEntries(pairs);
}

/** loadSafetensors(), reading the tensors without blocking the event loop. */
export async function loadSafetensorsAsync(src: AsyncByteSource, fn: string, maxBytes: number): Promise<Record<string, Tensor>> {
  const path = src.name;
  const prefix = new Uint8Array(8);
  if (src.size >= 8) await src.readInto(prefix, 0);
  const n = headerLength(prefix, src.size, path);
  checkLimit(fn, `${path}'s header`, n, maxBytes);
  const json = new Uint8Array(n);
  await src.readInto(json, 8);
  const h = parseHeader(json, src.size, path);
  checkLimit(fn, path, asked(h), maxBytes);
  const out: [string, Tensor][] = [];
  for (const e of h.entries) {
    const r = tensorReader(e.shape, e.stored, path);
    await src.readInto(r.into, h.dataStart + e.begin);
    out.push([e.name, r.finish()]);
  }
  return Object.fromEntries(out);
}
