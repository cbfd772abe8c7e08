/**
 * NumPy's files: .npy (one array) and .npz (a zip of .npy files, as np.savez and
 * np.savez_compressed write them).
 *
 * An .npy file is the magic string "\x93NUMPY", a format version (1.0, 2.0 or 3.0), the length of
 * the header, the header (a Python dict literal: `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (2, 3), }`, padded with spaces and a newline to a multiple of 64 bytes), then the
 * elements. Arrays are written as np.save writes them (byte for byte); reading takes either byte
 * order, C or Fortran order, and bool, integer (8 to 64 bits, signed or not) and float (16 to 64
 * bits) elements. Headers are parsed, never evaluated, and limited to NumPy's 10000 characters.
 */
import * as fs from 'node:fs';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { DType } from '../dtype';
import { FormatError } from '../errors';
import { isTensor } from '../ops/common';
import { contiguous } from '../ops/copy';
import { permute } from '../ops/view';
import type { Tensor } from '../tensor';
import { bufferSource, readTensor, tensorBytes, withFile, writeFile, type ByteSource, type Stored } from './bytes';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21; // np.save leaves room to grow the first dimension in place
const MAX_HEADER_CHARS = 10000; // NumPy's max_header_size

// ---- writing -----------------------------------------------------------------------------------

const DESCR: Record<DType, string> = { float32: '<f4', float64: '<f8', int32: '<i4', int64: '<i8', bool: '|b1' };

/** Python's repr of a shape tuple: (), (3,), (2, 3). */
function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The header np.save writes for a C-order array of this dtype and shape, with its prefix and padding. */
function npyHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const hlen = header.length + 1; // with the newline
  for (const [major, lengthBytes] of [[1, 2], [2, 4]] as const) {
    const padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lengthBytes + hlen) % ARRAY_ALIGN);
    const total = hlen + padlen;
    if (lengthBytes === 2 && total > 0xffff) continue; // too long for version 1.0
    const prefix = Buffer.alloc(MAGIC.length + 2 + lengthBytes);
    prefix.set(MAGIC);
    prefix[6] = major;
    prefix[7] = 0;
    if (lengthBytes === 2) prefix.writeUInt16LE(total, 8);
    else prefix.writeUInt32LE(total, 8);
    return Buffer.concat([prefix, Buffer.from(header + ' '.repeat(padlen) + '\n', 'latin1')]);
  }
  throw new Error('unreachable');
}

function encodeNpy(t: Tensor, what: string): Uint8Array[] {
  if (!isTensor(t)) throw new TypeError(`${what}: expected a Tensor, got ${typeof t}`);
  return [npyHeader(t.dtype, t.shape), tensorBytes(t)];
}

/**
 * Saves a tensor as an .npy file, byte for byte as np.save would.
 * @example tg.saveNpy(x, 'x.npy')  // np.load('x.npy') in Python
 */
export function saveNpy(t: Tensor, path: string): void {
  writeFile(path, encodeNpy(t, 'saveNpy'));
}

/**
 * Saves tensors as an .npz file: np.savez's layout (stored members), or np.savez_compressed's
 * with `{ compressed: true }`. Each tensor is the member `<name>.npy`.
 */
export function saveNpz(tensors: Record<string, Tensor> | Map<string, Tensor>, path: string, opts: { compressed?: boolean } = {}): void {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const files: Zippable = {};
  for (const [name, t] of entries) {
    const [header, data] = encodeNpy(t, `saveNpz: '${name}'`);
    const bytes = new Uint8Array(header.length + data.length);
    bytes.set(header);
    bytes.set(data, header.length);
    Object.defineProperty(files, `${name}.npy`, { value: [bytes, { level: opts.compressed ? 6 : 0 }], enumerable: true });
  }
  writeFile(path, [zipSync(files)]);
}

// ---- reading -----------------------------------------------------------------------------------

/** What an .npy header says. */
interface NpyHeader {
  dataStart: number;
  shape: number[];
  fortranOrder: boolean;
  stored: Stored;
}

function readHeader(src: ByteSource): NpyHeader {
  const name = src.name;
  const notNpy = (why: string) => new FormatError(`${name}: not an .npy file: ${why}`);
  if (src.size < 10) throw notNpy(`${src.size} bytes, too short for the magic string and header`);
  const start = new Uint8Array(12);
  src.readInto(start.subarray(0, Math.min(12, src.size)), 0);
  if (!MAGIC.every((b, i) => start[i] === b)) throw notNpy('it does not start with the magic string "\\x93NUMPY"');
  const [major, minor] = [start[6], start[7]];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    throw new FormatError(`${name}: .npy format version ${major}.${minor} is not one tensorgrad reads (1.0, 2.0, 3.0)`);
  }
  const lengthBytes = major === 1 ? 2 : 4;
  const view = Buffer.from(start.buffer);
  const hlen = lengthBytes === 2 ? view.readUInt16LE(8) : view.readUInt32LE(8);
  const headerStart = 8 + lengthBytes;
  if (hlen > 4 * MAX_HEADER_CHARS) throw headerTooLarge(name, hlen);
  if (headerStart + hlen > src.size) throw new FormatError(`${name}: the .npy header claims ${hlen} bytes, but the file ends first`);
  const raw = new Uint8Array(hlen);
  src.readInto(raw, headerStart);
  const text = Buffer.from(raw).toString(major === 3 ? 'utf8' : 'latin1');
  if (text.length > MAX_HEADER_CHARS) throw headerTooLarge(name, text.length);
  const dict = parseHeaderDict(text, name);
  const dataStart = headerStart + hlen;
  const count = dict.shape.reduce((p, s) => p * BigInt(s), 1n);
  const needed = count * BigInt(dict.stored.size);
  if (needed > BigInt(src.size - dataStart)) {
    throw new FormatError(
      `${name}: an array of shape ${shapeRepr(dict.shape)} needs ${needed} bytes of data, but the file has ${src.size - dataStart} after its header`,
    );
  }
  return { dataStart, ...dict };
}

function headerTooLarge(name: string, length: number): FormatError {
  return new FormatError(`${name}: header info length (${length}) is large and may not be safe to load securely (NumPy's limit is ${MAX_HEADER_CHARS})`);
}

/** Reads the array an .npy source holds. */
function decodeNpy(src: ByteSource): Tensor {
  const h = readHeader(src);
  if (!h.fortranOrder) return readTensor(src, h.dataStart, h.shape, h.stored);
  // Fortran order: the elements of the transposed array in C order.
  const reversed = [...h.shape].reverse();
  const t = readTensor(src, h.dataStart, reversed, h.stored);
  return contiguous(permute(t, reversed.map((_, i) => reversed.length - 1 - i)));
}

/**
 * Loads an .npy file. float16 arrays load as float32; int8, uint8, int16 and uint16 as int32;
 * uint32 and uint64 as int64.
 * @example const x = tg.loadNpy('x.npy')  // written by np.save
 */
export function loadNpy(path: string): Tensor {
  return withFile(path, decodeNpy);
}

/** Loads the arrays of an .npz file (np.savez or np.savez_compressed), by name. */
export function loadNpz(path: string): Record<string, Tensor> {
  const bytes = fs.readFileSync(path);
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.endsWith('.npy')) return false;
        if (f.compression !== 0 && f.compression !== 8) throw new Error(`member ${f.name} uses compression method ${f.compression}`);
        // DEFLATE expands at most 1032-fold: a member claiming more lies, and must not size an allocation.
        if (f.compression === 8 && f.originalSize > f.size * 1032 + 1024) throw new Error(`member ${f.name} claims an impossible size`);
        if (f.compression === 0 && f.originalSize !== f.size) throw new Error(`member ${f.name} has inconsistent sizes`);
        return true;
      },
    });
  } catch (e) {
    throw new FormatError(`${path}: not a valid .npz (zip) file: ${(e as Error).message}`);
  }
  return Object.fromEntries(
    Object.entries(members).map(([member, data]) => [member.slice(0, -'.npy'.length), decodeNpy(bufferSource(data, `${path}: ${member}`))]),
  );
}

// ---- the header dict ---------------------------------------------------------------------------

type PyValue = string | number | boolean | null | PyValue[] | { dict: Map<string, PyValue> };

/** Parses the header's Python literal (a dict of strings, bools and int tuples) without evaluating it. */
function parseHeaderDict(text: string, name: string): { shape: number[]; fortranOrder: boolean; stored: Stored } {
  const bad = (why: string) => new FormatError(`${name}: cannot parse the .npy header ${JSON.stringify(text.trim())}: ${why}`);
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): PyValue => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const dict = new Map<string, PyValue>();
      for (skip(); text[i] !== '}'; skip()) {
        const key = value();
        if (typeof key !== 'string') throw bad('a key that is not a string');
        skip();
        if (text[i++] !== ':') throw bad("expected ':'");
        dict.set(key, value());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') throw bad("expected ',' or '}'");
        skip();
      }
      i++;
      return { dict };
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      for (skip(); text[i] !== close; skip()) {
        if (i >= text.length) throw bad(`expected '${close}'`);
        items.push(value());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== close) throw bad(`expected ',' or '${close}'`);
      }
      i++;
      return items;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw bad('an unterminated string');
      const s = text.slice(i + 1, end);
      if (s.includes('\\')) throw bad('escapes in strings are not supported');
      i = end + 1;
      return s;
    }
    const word = /^(True|False|None|-?\d+L?)/.exec(text.slice(i, i + 40));
    if (!word) throw bad(`unexpected ${JSON.stringify(text.slice(i, i + 10))}`);
    i += word[0].length;
    if (word[0] === 'True' || word[0] === 'False') return word[0] === 'True';
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  };
  const parsed = value();
  skip();
  if (i !== text.length) throw bad('text after the dict');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('the header is not a dictionary');
  const d = parsed.dict;
  const keys = [...d.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') throw bad(`it must have the keys descr, fortran_order and shape (it has ${keys || 'none'})`);
  const shape = d.get('shape');
  if (!Array.isArray(shape) || !shape.every((s) => typeof s === 'number' && Number.isSafeInteger(s) && s >= 0)) {
    throw bad('shape is not a tuple of non-negative integers');
  }
  const fortranOrder = d.get('fortran_order');
  if (typeof fortranOrder !== 'boolean') throw bad('fortran_order is not a bool');
  const descr = d.get('descr');
  if (typeof descr !== 'string') throw new FormatError(`${name}: structured arrays (descr ${JSON.stringify(descr)}) are not supported`);
  return { shape: shape as number[], fortranOrder, stored: storedOfDescr(descr, name) };
}

/** '<f4', '>i8', '|b1', '=u2'...: byte order, kind, size. */
function storedOfDescr(descr: string, name: string): Stored {
  const m = /^([<>|=])([bifu])(\d+)$/.exec(descr);
  const known: Record<string, number[]> = { b: [1], i: [1, 2, 4, 8], u: [1, 2, 4, 8], f: [2, 4, 8] };
  if (!m || !known[m[2]].includes(Number(m[3]))) {
    throw new FormatError(`${name}: arrays of dtype ${JSON.stringify(descr)} are not supported (bool, int8 to int64, uint8 to uint64 and float16 to float64 are)`);
  }
  const size = Number(m[3]) as Stored['size'];
  const littleEndian = m[1] === '>' ? false : m[1] === '=' ? Buffer.from(new Uint16Array([1]).buffer)[0] === 1 : true;
  return { kind: m[2] as Stored['kind'], size, littleEndian };
}
