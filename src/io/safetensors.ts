/**
 * tg.save / tg.load: tensors in the safetensors format (huggingface/safetensors). A file is an
 * 8-byte little-endian header length N, N bytes of JSON (`{"name": {"dtype": "F32", "shape": [2, 3],
 * "data_offsets": [begin, end]}, ..., "__metadata__": {"key": "value"}}`), then the tensors' bytes
 * back to back, little-endian, in C order.
 *
 * Files are written as the reference implementation writes them (tensors ordered by dtype, then by
 * name; the header padded with spaces to a multiple of 8 bytes), so the bytes are the same. Files
 * are read with its checks: a header of at most 100 MB that is JSON starting with '{', offsets that
 * cover the data exactly once with no gaps or overlaps, and each tensor's bytes agreeing with its
 * shape and dtype. Every check is made before any tensor is allocated, so a hostile file gets a
 * FormatError and never an allocation larger than the file.
 */
import * as fs from 'node:fs';
import { FormatError, shapeStr } from '../errors';
import { isTensor } from '../ops/common';
import type { Tensor } from '../tensor';
import { tensorBytes, tensorReader, withFile, writeFile, writeFileAsync, type ByteSource, type Stored } from './bytes';

const MAX_HEADER_BYTES = 100_000_000;

/** The format's dtype names, in its order (increasing alignment), and how each is stored. */
const DTYPES: Record<string, Stored | null> = {
  BOOL: { kind: 'b', size: 1, littleEndian: true },
  U8: { kind: 'u', size: 1, littleEndian: true },
  I8: { kind: 'i', size: 1, littleEndian: true },
  F8_E5M2: null,
  F8_E4M3: null,
  I16: { kind: 'i', size: 2, littleEndian: true },
  U16: { kind: 'u', size: 2, littleEndian: true },
  F16: { kind: 'f', size: 2, littleEndian: true },
  BF16: { kind: 'bf', size: 2, littleEndian: true },
  I32: { kind: 'i', size: 4, littleEndian: true },
  U32: { kind: 'u', size: 4, littleEndian: true },
  F32: { kind: 'f', size: 4, littleEndian: true },
  F64: { kind: 'f', size: 8, littleEndian: true },
  I64: { kind: 'i', size: 8, littleEndian: true },
  U64: { kind: 'u', size: 8, littleEndian: true },
};
const ORDER = Object.keys(DTYPES);
const CODE_OF = { float32: 'F32', float64: 'F64', int32: 'I32', int64: 'I64', bool: 'BOOL' } as const;

/** Integer types a tensor can be narrowed to when saved (see SaveOptions.dtypes). */
export type NarrowDtype = 'U8' | 'I8' | 'I16' | 'U16';
const NARROW: Record<NarrowDtype, [number, number]> = { U8: [0, 255], I8: [-128, 127], I16: [-32768, 32767], U16: [0, 65535] };

/** Tensors by name: a plain object, a Map, or anything with stateDict() (a Module, an optimizer's tensors). */
export type TensorRecord = Record<string, Tensor> | Map<string, Tensor> | { stateDict(): Record<string, Tensor> };

export interface SaveOptions {
  /** Free-form string pairs stored in the header (`__metadata__`), read back by loadMetadata. */
  metadata?: Record<string, string>;
  /** Integer tensors to store in a narrower type, e.g. `{ images: 'U8' }`; their values must fit. */
  dtypes?: Record<string, NarrowDtype>;
}

function entriesOf(tensors: TensorRecord): [string, Tensor][] {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (typeof (tensors as { stateDict?: unknown }).stateDict === 'function' && !isTensor(tensors)) {
    return Object.entries((tensors as { stateDict(): Record<string, Tensor> }).stateDict());
  }
  if (typeof tensors !== 'object' || tensors === null) throw new TypeError('save: expected an object of tensors, a Map or a module');
  return Object.entries(tensors as Record<string, Tensor>);
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** The header and the tensors' bytes, in file order. */
function serialize(tensors: TensorRecord, opts: SaveOptions): Uint8Array[] {
  const metadata = opts.metadata;
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`save: metadata values must be strings, but '${k}' is ${typeof v}`);
    }
  }
  const planned = entriesOf(tensors).map(([name, t]) => {
    if (!isTensor(t)) throw new TypeError(`save: '${name}' is not a Tensor`);
    if (name === '__metadata__') throw new TypeError("save: '__metadata__' is reserved for the metadata and cannot name a tensor");
    const narrow = opts.dtypes?.[name];
    const code = narrow ?? CODE_OF[t.dtype];
    return { name, t, code, key: utf8(name), bytes: narrow ? narrowed(t, name, narrow) : tensorBytes(t) };
  });
  for (const name of Object.keys(opts.dtypes ?? {})) {
    if (!planned.some((p) => p.name === name)) throw new TypeError(`save: dtypes names '${name}', which is not among the tensors`);
  }
  // The reference implementation's order: decreasing alignment, then by name (bytewise).
  planned.sort((a, b) => ORDER.indexOf(b.code) - ORDER.indexOf(a.code) || Buffer.compare(a.key, b.key));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const p of planned) {
    Object.defineProperty(header, p.name, {
      value: { dtype: p.code, shape: p.t.shape, data_offsets: [offset, offset + p.bytes.length] },
      enumerable: true,
    });
    offset += p.bytes.length;
  }
  let json = JSON.stringify(header);
  const length = utf8(json).length;
  json += ' '.repeat((8 - (length % 8)) % 8); // the data starts 8-byte aligned
  const jsonBytes = utf8(json);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(jsonBytes.length));
  return [prefix, jsonBytes, ...planned.map((p) => p.bytes)];
}

function narrowed(t: Tensor, name: string, code: NarrowDtype): Uint8Array {
  if (t.dtype !== 'int32' && t.dtype !== 'int64' && t.dtype !== 'bool') {
    throw new TypeError(`save: '${name}' is ${t.dtype}; only integer tensors can be stored as ${code}`);
  }
  const [lo, hi] = NARROW[code];
  const values = t.detach().contiguous().toTypedArray();
  const size = code === 'U8' || code === 'I8' ? 1 : 2;
  const out = new DataView(new ArrayBuffer(values.length * size));
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v < lo || v > hi) throw new RangeError(`save: '${name}' holds ${values[i]}, which does not fit in ${code} [${lo}, ${hi}]`);
    if (size === 1) out.setUint8(i, v & 0xff);
    else out.setUint16(2 * i, v & 0xffff, true);
  }
  return new Uint8Array(out.buffer);
}

/**
 * Saves tensors (a plain object, a Map, or a module's stateDict) as a safetensors file.
 * @example tg.save(net.stateDict(), 'net.safetensors', { metadata: { epoch: '3' } })
 */
export function save(tensors: TensorRecord, path: string, opts: SaveOptions = {}): void {
  writeFile(path, serialize(tensors, opts));
}

/** save(), without blocking the event loop while the file is written. */
export async function saveAsync(tensors: TensorRecord, path: string, opts: SaveOptions = {}): Promise<void> {
  await writeFileAsync(path, serialize(tensors, opts));
}

// ---- reading -------------------------------------------------------------------------------------

interface Entry {
  name: string;
  stored: Stored;
  shape: number[];
  begin: number;
  end: number;
}

interface Header {
  /** Where the data section starts: 8 + N. */
  dataStart: number;
  entries: Entry[];
  metadata: Record<string, string> | null;
}

/** The header length from the first 8 bytes, checked against the limit and the file's size. */
function headerLength(prefix: Uint8Array, fileSize: number, name: string): number {
  if (fileSize < 8) throw new FormatError(`${name}: not a safetensors file: ${fileSize} bytes, fewer than the 8 of the header length (HeaderTooSmall)`);
  const n = Buffer.from(prefix.buffer, prefix.byteOffset, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new FormatError(`${name}: the safetensors header claims ${n} bytes, more than the ${MAX_HEADER_BYTES} allowed (HeaderTooLarge)`);
  }
  if (Number(n) + 8 > fileSize) {
    throw new FormatError(`${name}: the safetensors header claims ${n} bytes, but the file has only ${fileSize - 8} after the length (InvalidHeaderLength)`);
  }
  return Number(n);
}

/** Parses and checks the JSON header against the size of the data section that follows it. */
function parseHeader(json: Uint8Array, n: number, fileSize: number, name: string): Header {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new FormatError(`${name}: the safetensors header is not valid UTF-8 (InvalidHeader)`);
  }
  if (!text.startsWith('{')) throw new FormatError(`${name}: the safetensors header does not start with '{' (InvalidHeaderStart)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${name}: the safetensors header is not valid JSON: ${(e as Error).message} (InvalidHeaderDeserialization)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FormatError(`${name}: the safetensors header is not a JSON object (InvalidHeaderDeserialization)`);
  }
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [key, info] of Object.entries(parsed as Record<string, unknown>)) {
    if (key === '__metadata__') {
      metadata = checkMetadata(info, name);
      continue;
    }
    entries.push(checkEntry(key, info, name));
  }
  entries.sort((a, b) => a.begin - b.begin);
  const dataSize = fileSize - 8 - n;
  let at = 0;
  for (const e of entries) {
    if (e.begin !== at) {
      const what = e.begin > at ? `leaves bytes ${at} to ${e.begin} unused` : `overlaps the tensor before it, which ends at ${at}`;
      throw new FormatError(`${name}: tensor '${e.name}' starts at byte ${e.begin} of the data and ${what} (InvalidOffset)`);
    }
    const bytes = e.shape.reduce((p, s) => p * BigInt(s), 1n) * BigInt(e.stored.size);
    if (bytes !== BigInt(e.end - e.begin)) {
      throw new FormatError(
        `${name}: tensor '${e.name}' of shape ${shapeStr(e.shape)} needs ${bytes} bytes, ` +
          `but its data_offsets [${e.begin}, ${e.end}] hold ${e.end - e.begin} (TensorInvalidInfo)`,
      );
    }
    if (e.end > dataSize) {
      throw new FormatError(`${name}: tensor '${e.name}' ends at byte ${e.end} of the data, but the file holds ${dataSize} data bytes (InvalidOffset)`);
    }
    at = e.end;
  }
  if (at !== dataSize) {
    throw new FormatError(`${name}: the tensors' data ends at byte ${at}, but the file holds ${dataSize} data bytes (MetadataIncompleteBuffer)`);
  }
  return { dataStart: 8 + n, entries, metadata };
}

function checkMetadata(info: unknown, name: string): Record<string, string> {
  if (typeof info !== 'object' || info === null || Array.isArray(info) || Object.values(info).some((v) => typeof v !== 'string')) {
    throw new FormatError(`${name}: __metadata__ must map strings to strings (InvalidHeaderDeserialization)`);
  }
  return { ...(info as Record<string, string>) };
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function checkEntry(key: string, info: unknown, name: string): Entry {
  const bad = (what: string) => new FormatError(`${name}: tensor '${key}': ${what} (InvalidHeaderDeserialization)`);
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw bad('its entry is not an object');
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPES)) throw bad(`unknown dtype ${JSON.stringify(dtype)}`);
  const stored = DTYPES[dtype];
  if (stored === null) throw new FormatError(`${name}: tensor '${key}': tensorgrad cannot load ${dtype} tensors`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad('shape must be an array of non-negative integers');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[1] < offsets[0]) {
    throw bad('data_offsets must be two integers [begin, end] with begin <= end');
  }
  return { name: key, stored, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number };
}

function readHeader(src: ByteSource): Header {
  const prefix = new Uint8Array(8);
  if (src.size >= 8) src.readInto(prefix, 0);
  const n = headerLength(prefix, src.size, src.name);
  const json = new Uint8Array(n);
  src.readInto(json, 8);
  return parseHeader(json, n, src.size, src.name);
}

/**
 * Loads the tensors of a safetensors file, as a plain object in file order. F16 and BF16 tensors
 * load as float32, U8, I8, I16 and U16 as int32, U32 and U64 as int64.
 * @example net.loadStateDict(tg.load('net.safetensors'))
 */
export function load(path: string): Record<string, Tensor> {
  return withFile(path, (src) => {
    const h = readHeader(src);
    return Object.fromEntries(
      h.entries.map((e) => {
        const r = tensorReader(e.shape, e.stored, src.name);
        src.readInto(r.into, h.dataStart + e.begin);
        return [e.name, r.finish()];
      }),
    );
  });
}

/** The `__metadata__` of a safetensors file (null when it has none), without loading its tensors. */
export function loadMetadata(path: string): Record<string, string> | null {
  return withFile(path, (src) => readHeader(src).metadata);
}

/** load(), reading the file without blocking the event loop. */
export async function loadAsync(path: string): Promise<Record<string, Tensor>> {
  const fh = await fs.promises.open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const readInto = async (into: Uint8Array, position: number) => {
      for (let done = 0; done < into.length; ) {
        const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
        if (bytesRead === 0) throw new FormatError(`${path}: the file ended early (it changed while being read?)`);
        done += bytesRead;
      }
    };
    const prefix = new Uint8Array(8);
    if (size >= 8) await readInto(prefix, 0);
    const n = headerLength(prefix, size, path);
    const json = new Uint8Array(n);
    await readInto(json, 8);
    const h = parseHeader(json, n, size, path);
    const out: [string, Tensor][] = [];
    for (const e of h.entries) {
      const r = tensorReader(e.shape, e.stored, path);
      await readInto(r.into, h.dataStart + e.begin);
      out.push([e.name, r.finish()]);
    }
    return Object.fromEntries(out);
  } finally {
    await fh.close();
  }
}
