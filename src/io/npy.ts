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
 *
 * .npz members are read as streams (zip.ts): each member's .npy header first, checked against the
 * member's declared size, then its elements straight into the tensor allocated from the header.
 * Saving writes a temporary file and renames it over the target (write.ts), a member at a time.
 */
import { itemsize, type DType } from '../dtype';
import { FormatError } from '../errors';
import { isTensor } from '../storage';
import { contiguous } from '../ops/copy';
import { permute } from '../ops/view';
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import { checkLimit, loadedBytes, loadLimit, tensorBytes, tensorReader, withFile, type LoadOptions, type Stored } from './bytes';
import { writeAtomic } from './write';
import { openMember, readZipDirectory } from './zip';
import { ZipWriter } from './zip-write';

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

function checkTensor(t: Tensor, what: string): void {
  if (!isTensor(t)) throw new TypeError(`${what}: expected a Tensor, got ${typeof t}`);
}

/**
 * Saves a tensor as an .npy file, byte for byte as np.save would. The file is replaced whole (a
 * temporary file renamed over `path`).
 * @example tg.saveNpy(x, 'x.npy')  // np.load('x.npy') in Python
 */
export function saveNpy(t: Tensor, path: string): void {
  checkTensor(t, 'saveNpy');
  writeAtomic(path, (out) => {
    out.write(npyHeader(t.dtype, t.shape));
    out.write(tensorBytes(t));
  });
}

/**
 * Saves tensors as an .npz file: np.savez's layout (stored members), or np.savez_compressed's
 * with `{ compressed: true }`. Each tensor is the member `<name>.npy`. Members are written one at
 * a time, straight from the tensors' memory (or deflated as they go), and the file is replaced
 * whole (a temporary file renamed over `path`).
 */
export function saveNpz(tensors: Record<string, Tensor> | Map<string, Tensor>, path: string, opts?: { compressed?: boolean }): void {
  checkOptions('saveNpz', opts, { compressed: 'boolean' });
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, t] of entries) checkTensor(t, `saveNpz: '${name}'`);
  writeAtomic(path, (out) => {
    const zip = new ZipWriter(out);
    for (const [name, t] of entries) {
      const header = npyHeader(t.dtype, t.shape);
      const size = header.length + t.numel() * itemsize(t.dtype);
      zip.add(`${name}.npy`, size, (function* () {
        yield header;
        yield tensorBytes(t);
      })(), opts?.compressed === true);
    }
    zip.finish();
  });
}

// ---- reading -----------------------------------------------------------------------------------

/** What an .npy header says. */
interface NpyHeader {
  /** The bytes before the elements: magic, version, length and header. */
  headerBytes: number;
  shape: number[];
  fortranOrder: boolean;
  stored: Stored;
}

/** Reads an .npy header of a file or member of `size` bytes, through `next(n)` (its next n bytes). */
function readHeader(next: (n: number) => Buffer, size: number, name: string): NpyHeader {
  const notNpy = (why: string) => new FormatError(`${name}: not an .npy file: ${why}`);
  if (size < 10) throw notNpy(`${size} bytes, too short for the magic string and header`);
  const start = next(10);
  if (!MAGIC.every((b, i) => start[i] === b)) throw notNpy('it does not start with the magic string "\\x93NUMPY"');
  const [major, minor] = [start[6], start[7]];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    throw new FormatError(`${name}: .npy format version ${major}.${minor} is not one tensorgrad reads (1.0, 2.0, 3.0)`);
  }
  if (major > 1 && size < 12) throw notNpy(`${size} bytes, too short for the magic string and header`);
  const hlen = major === 1 ? start.readUInt16LE(8) : Buffer.concat([start.subarray(8), next(2)]).readUInt32LE(0);
  const headerStart = major === 1 ? 10 : 12;
  if (hlen > 4 * MAX_HEADER_CHARS) throw headerTooLarge(name, hlen);
  if (headerStart + hlen > size) throw new FormatError(`${name}: the .npy header claims ${hlen} bytes, but the file ends first`);
  const text = next(hlen).toString(major === 3 ? 'utf8' : 'latin1');
  if (text.length > MAX_HEADER_CHARS) throw headerTooLarge(name, text.length);
  return { headerBytes: headerStart + hlen, ...parseHeaderDict(text, name) };
}

function headerTooLarge(name: string, length: number): FormatError {
  return new FormatError(`${name}: header info length (${length}) is large and may not be safe to load securely (NumPy's limit is ${MAX_HEADER_CHARS})`);
}

/** The bytes of the elements a header describes (a bigint: a hostile shape may need more than 2^53). */
const dataBytes = (h: NpyHeader) => h.shape.reduce((p, s) => p * BigInt(s), 1n) * BigInt(h.stored.size);

/** What reading the array allocates: the tensor (and for Fortran order, its C-order copy). */
const arrayBytes = (h: NpyHeader) => loadedBytes(h.shape, h.stored) * (h.fortranOrder ? 2 : 1);

/** Reads the elements a header describes through `read` (which fills its argument with the next bytes). */
function readArray(h: NpyHeader, read: (into: Uint8Array) => void, name: string): Tensor {
  const shape = h.fortranOrder ? [...h.shape].reverse() : h.shape;
  const r = tensorReader(shape, h.stored, name);
  read(r.into);
  const t = r.finish();
  // Fortran order: the elements of the transposed array in C order.
  return h.fortranOrder ? contiguous(permute(t, shape.map((_, i) => shape.length - 1 - i))) : t;
}

/** A reader of consecutive bytes through `read`, as readHeader takes it. */
const nextOf = (read: (into: Uint8Array) => void) => (n: number) => {
  const b = Buffer.alloc(n);
  read(b);
  return b;
};

/**
 * Loads an .npy file. float16 arrays load as float32; int8, uint8, int16 and uint16 as int32;
 * uint32 and uint64 as int64. `{ maxBytes }` caps what the file may make it allocate.
 * @example const x = tg.loadNpy('x.npy')  // written by np.save
 */
export function loadNpy(path: string, opts?: LoadOptions): Tensor {
  const maxBytes = loadLimit('loadNpy', opts);
  return withFile(path, (src) => {
    let position = 0;
    const read = (into: Uint8Array) => {
      src.readInto(into, position);
      position += into.length;
    };
    const h = readHeader(nextOf(read), src.size, path);
    const needed = dataBytes(h);
    if (needed > BigInt(src.size - h.headerBytes)) {
      throw new FormatError(
        `${path}: an array of shape ${shapeRepr(h.shape)} needs ${needed} bytes of data, but the file has ${src.size - h.headerBytes} after its header`,
      );
    }
    checkLimit('loadNpy', path, arrayBytes(h), maxBytes);
    return readArray(h, read, path);
  });
}

/**
 * Loads the arrays of an .npz file (np.savez or np.savez_compressed), by name. Each member's CRC-32
 * is checked, as NumPy (Python's zipfile) does. `{ maxBytes }` caps what the file may make it
 * allocate: the sum of its members' declared sizes, and of the arrays as loaded.
 */
export function loadNpz(path: string, opts?: LoadOptions): Record<string, Tensor> {
  const maxBytes = loadLimit('loadNpz', opts);
  return withFile(path, (src) => {
    const members = readZipDirectory(src).filter((e) => e.name.endsWith('.npy'));
    checkLimit('loadNpz', `${path} (its .npy members' declared sizes)`, members.reduce((sum, e) => sum + e.size, 0), maxBytes);
    const out: [string, Tensor][] = [];
    let allocated = 0;
    for (const e of members) {
      const label = `${path}: ${e.name}`;
      const member = openMember(src, e, label);
      const read = (into: Uint8Array) => member.read(into);
      const h = readHeader(nextOf(read), e.size, label);
      const needed = dataBytes(h);
      if (BigInt(h.headerBytes) + needed !== BigInt(e.size)) {
        throw new FormatError(
          `${label}: an array of shape ${shapeRepr(h.shape)} needs ${needed} bytes of data after its ${h.headerBytes}-byte header, ` +
            `but the member's declared size is ${e.size}`,
        );
      }
      allocated += arrayBytes(h);
      checkLimit('loadNpz', `${path} (its arrays as loaded, up to ${e.name})`, allocated, maxBytes);
      out.push([e.name.slice(0, -'.npy'.length), readArray(h, read, label)]);
      member.end();
    }
    return Object.fromEntries(out);
  });
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
  // the dict (depth 0) holds strings, bools and the shape tuple (depth 1); a structured dtype's
  // descr, a list of tuples (depths 1 and 2), is read to be refused by name: nothing deeper
  const value = (depth = 0): PyValue => {
    skip();
    const c = text[i];
    if (depth > 2 && (c === '{' || c === '(' || c === '[')) throw bad('nesting deeper than the format has');
    if (c === '{') {
      i++;
      const dict = new Map<string, PyValue>();
      for (skip(); text[i] !== '}'; skip()) {
        const key = value(depth + 1);
        if (typeof key !== 'string') throw bad('a key that is not a string');
        skip();
        if (text[i++] !== ':') throw bad("expected ':'");
        dict.set(key, value(depth + 1));
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
        items.push(value(depth + 1));
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
  if (shape.length > 64) throw bad(`a shape of ${shape.length} dims (a tensor has at most 64)`);
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
